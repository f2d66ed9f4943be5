"""A zone whose parent Bureau cannot reach by EPP (a name registered elsewhere): it publishes
CDS and CDNSKEY (RFC 7344, RFC 8078), and a key rollover waits until the new DS is served by
the parent (read through DNS) before the old key is retired. The parent is a PowerDNS of its
own ("the world"); delv validates the name from the parent's DS at every step."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dns_fixtures import delv

from bureau.dns import conf
from bureau.dns.models import RolloverStep, Zone
from bureau.dns.operations.dnssec import advance_rollover, start_rollover, to_ds
from bureau.dns.operations.zones import create_zone
from bureau.dns.powerdns import PowerDNSClient, ZoneKind
from bureau.dns.powerdns.client import RRSetChange
from bureau.dns.query import answer_rrset, ask

pytestmark = pytest.mark.django_db

BUREAU_NS = ("ns1.bureau-dns.net.", "ns2.bureau-dns.net.")
_n = itertools.count(1)


def served(pdns: Any, name: str, rtype: str) -> set[str]:
    rrset = answer_rrset(ask("127.0.0.1", name, rtype, port=pdns.dns_port), name, rtype)
    return {r.to_text() for r in rrset} if rrset is not None else set()


def delv_validates(pdns: Any, name: str, parent_ds: set[str], tmp_path: Path) -> bool:
    return "; fully validated" in delv(pdns, name, parent_ds, name, "SOA", tmp_path).stdout


def test_cds_published_and_rollover_waits_for_the_parent(
        member: Any, organisation: Any, prove_control: Callable[..., str],
        world_client: PowerDNSClient, pdns: Any, tmp_path: Path) -> None:
    parent = f"parent-{os.getpid()}-{next(_n)}.org."
    name = "child." + parent
    world_client.create_zone(parent, kind=ZoneKind.PRIMARY, nameservers=BUREAU_NS)
    world_client.patch_rrsets(parent, [RRSetChange(name, "NS", 60, BUREAU_NS)])

    def parent_holds(ds: set[str]) -> None:
        world_client.patch_rrsets(parent, [RRSetChange(name, "DS", 60, tuple(sorted(ds)))])

    prove_control(organisation, name)
    zone = create_zone(organisation=organisation, actor=member, name=name)
    try:
        cds = served(pdns, name, "CDS")
        assert {to_ds(t) for t in cds} == {to_ds(t) for t in zone.ds_wanted}
        assert served(pdns, name, "CDNSKEY")
        parent_holds(cds)  # the member gives the DS to their registrar
        assert delv_validates(pdns, name, cds, tmp_path)

        rollover = start_rollover(zone=zone, actor=member)
        assert rollover.step == RolloverStep.NEW_KEY_PUBLISHED  # the parent lacks the new DS
        rollover = advance_rollover(rollover)
        assert rollover.step == RolloverStep.NEW_KEY_PUBLISHED  # no timer moves it on
        zone = Zone.objects.get(pk=zone.pk)
        both = served(pdns, name, "CDS")
        assert {to_ds(t) for t in both} == {to_ds(t) for t in zone.ds_wanted}
        assert len(both) == 2
        assert delv_validates(pdns, name, cds, tmp_path)

        parent_holds(both)  # the parent (or the member) takes the CDS
        rollover = advance_rollover(rollover)
        assert rollover.step == RolloverStep.DS_BOTH
        assert delv_validates(pdns, name, both, tmp_path)
        rollover = advance_rollover(rollover)
        assert rollover.step == RolloverStep.NEW_KEY_ACTIVE
        assert delv_validates(pdns, name, both, tmp_path)
        rollover = advance_rollover(rollover)
        assert rollover.step == RolloverStep.OLD_KEY_REMOVED
        assert delv_validates(pdns, name, both, tmp_path)
        new = served(pdns, name, "CDS")
        assert len(new) == 1 and new < both
        parent_holds(new)
        assert delv_validates(pdns, name, new, tmp_path)
        assert not delv_validates(pdns, name, cds, tmp_path)  # the old DS no longer works
        rollover = advance_rollover(rollover)
        assert rollover.step == RolloverStep.DONE
    finally:
        conf.client().delete_zone(name)
        world_client.delete_zone(parent)
