"""When a name leaves Bureau for good its hosted zone is settled, with a record in the zone's
history: purged (deleted at the registry) -> no longer served; transferred out -> still
served, unlinked from the name (the holder may still use Bureau's name servers)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

import pytest

from bureau.dns import conf
from bureau.dns.models import DsState, PublishState, Zone, ZoneChange
from bureau.dns.powerdns import PowerDNSNotFound
from bureau.dns.tasks import reconcile_zones
from bureau.registrar.domains.models import DomainState
from bureau.registrar.operations.delete import delete

pytestmark = pytest.mark.django_db


def test_purged_name_zone_is_withdrawn_and_recorded(register_name: Callable[..., Any],
                                                    member: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    assert conf.client().serial(str(zone.name)) > 0
    held = register_name()  # a name still held: untouched
    done = delete(domain=domain, actor=member)  # within the add grace: purged at once
    assert done.domain.state == DomainState.DELETED
    reconcile_zones.call()
    zone.refresh_from_db()
    assert zone.publish_state == PublishState.WITHDRAWN and zone.domain is None
    with pytest.raises(PowerDNSNotFound):
        conf.client().serial(str(zone.name))
    change = ZoneChange.objects.filter(zone=zone).order_by("-pk").first()
    assert change is not None and "purged" in change.summary
    assert Zone.objects.get(domain=held).publish_state == PublishState.PUBLISHED


def test_transferred_out_name_zone_keeps_being_served(register_name: Callable[..., Any]) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    domain.state = DomainState.TRANSFERRED_OUT  # as the poll records a completed transfer out
    domain.save(update_fields=["state"])
    reconcile_zones.call()
    zone.refresh_from_db()
    assert zone.domain is None and zone.ds_state == DsState.NOT_APPLICABLE
    assert zone.publish_state != PublishState.WITHDRAWN
    assert conf.client().serial(str(zone.name)) > 0
    change = ZoneChange.objects.filter(zone=zone).order_by("-pk").first()
    assert change is not None and "transferred to another registrar" in change.summary


def test_the_zones_of_a_bundle_follow_it_when_it_leaves(register_name: Callable[..., Any],
                                                        member: Any) -> None:
    """A bundle's names each have a zone (RFC 9095): a purged bundle's are all withdrawn; a
    bundle transferred out keeps all of them served."""
    purged = register_name(f"parti{os.getpid()}.ngo")
    kept = register_name(f"reste{os.getpid()}.ngo")
    names = {d.pk: [n + "." for n in d.names] for d in (purged, kept)}
    assert all(len(zones) == 2 for zones in names.values())
    try:
        delete(domain=purged, actor=member)  # within the add grace: purged at once
        kept.state = DomainState.TRANSFERRED_OUT
        kept.save(update_fields=["state"])
        reconcile_zones.call()
        for name in names[purged.pk]:
            zone = Zone.objects.get(name=name)
            assert zone.publish_state == PublishState.WITHDRAWN, name
            with pytest.raises(PowerDNSNotFound):
                conf.client().serial(name)
        for name in names[kept.pk]:
            zone = Zone.objects.get(name=name)
            assert zone.publish_state != PublishState.WITHDRAWN, name
            assert zone.ds_state == DsState.NOT_APPLICABLE and conf.client().serial(name) > 0
        variant = Zone.objects.get(name=names[kept.pk][1])
        assert "transferred to another registrar" in variant.changes.latest("pk").summary
        before = ZoneChange.objects.count()
        reconcile_zones.call()
        assert ZoneChange.objects.count() == before  # said once
    finally:
        for name in names[kept.pk]:
            with contextlib.suppress(PowerDNSNotFound):
                conf.client().delete_zone(name)
