"""Unknown outcomes: when PowerDNS does not answer, the change is kept (the database is the
source of truth), the zone is marked, and the reconciliation job publishes it by reading
PowerDNS back and sending only the differences — never by guessing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from bureau.dns import conf
from bureau.dns.models import ChangeKind, DsState, PublishState, Zone
from bureau.dns.operations.records import edit_records
from bureau.dns.operations.zones import create_zone
from bureau.dns.powerdns import PowerDNSNotFound
from bureau.dns.query import answer_rrset, ask
from bureau.dns.records import Record
from bureau.dns.tasks import reconcile_zones

pytestmark = pytest.mark.django_db


def powerdns_down(settings: Any) -> str:
    real = settings.BUREAU_PDNS_API_URL
    settings.BUREAU_PDNS_API_URL = "http://127.0.0.1:9"  # nothing listens there
    conf.reset_clients()
    return str(real)


def powerdns_back(settings: Any, url: str) -> None:
    settings.BUREAU_PDNS_API_URL = url
    conf.reset_clients()


def served(pdns: Any, name: str) -> set[str]:
    rrset = answer_rrset(ask("127.0.0.1", name, "A", port=pdns.dns_port), name, "A")
    return set() if rrset is None else {r.to_text() for r in rrset}


def test_edit_while_powerdns_is_down_is_published_by_the_job(
        hosted_zone: Callable[..., Any], member: Any, dns_settings: Any, pdns: Any) -> None:
    zone = hosted_zone()
    url = powerdns_down(dns_settings)
    outcome = edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.33")])
    assert not outcome.published
    zone.refresh_from_db()
    assert zone.publish_state == PublishState.UNKNOWN
    assert zone.records.count() == 1  # kept: the database is the source of truth
    powerdns_back(dns_settings, url)
    assert served(pdns, "www." + str(zone.name)) == set()
    assert reconcile_zones.call() >= 1
    zone.refresh_from_db()
    assert zone.publish_state == PublishState.PUBLISHED
    assert served(pdns, "www." + str(zone.name)) == {"192.0.2.33"}
    assert zone.changes.filter(kind=ChangeKind.RECONCILE).exists()


def test_zone_created_while_powerdns_is_down_is_created_by_the_job(
        member: Any, organisation: Any, dns_settings: Any, pdns: Any,
        zone_name: Callable[[], str], prove_control: Callable[..., str]) -> None:
    name = zone_name()
    prove_control(organisation, name)
    url = powerdns_down(dns_settings)
    zone = create_zone(organisation=organisation, actor=member, name=name)
    assert zone.publish_state == PublishState.UNKNOWN
    powerdns_back(dns_settings, url)
    try:
        reconcile_zones.call()
        zone.refresh_from_db()
        assert zone.publish_state == PublishState.PUBLISHED
        assert conf.client().get_zone(str(zone.name)).dnssec
        assert zone.ds_state == DsState.NOT_APPLICABLE and zone.ds_wanted
    finally:
        with contextlib.suppress(PowerDNSNotFound):
            conf.client().delete_zone(str(zone.name))


def test_registered_name_hosted_when_powerdns_comes_back(
        register_name: Callable[..., Any], dns_settings: Any, pdns: Any) -> None:
    url = powerdns_down(dns_settings)
    domain = register_name()  # the registration itself is not affected
    zone = Zone.objects.get(domain=domain)
    assert zone.publish_state == PublishState.UNKNOWN and zone.ds_state == DsState.PENDING
    powerdns_back(dns_settings, url)
    reconcile_zones.call()
    zone.refresh_from_db()
    assert zone.publish_state == PublishState.PUBLISHED and zone.ds_state == DsState.SENT


def test_name_moved_to_bureaus_nameservers_is_hosted_by_the_job(
        register_name: Callable[..., Any], member: Any) -> None:
    from bureau.registrar.operations.update import update

    domain = register_name(nameservers=["ns.elsewhere.net"])
    assert not Zone.objects.filter(domain=domain).exists()
    update(domain=domain, actor=member, nameservers=["ns1.bureau-dns.net", "ns2.bureau-dns.net"])
    reconcile_zones.call()
    zone = Zone.objects.get(domain=domain)
    assert zone.publish_state == PublishState.PUBLISHED and zone.ds_state == DsState.SENT
