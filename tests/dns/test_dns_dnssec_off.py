"""DNSSEC options of a hosted zone: algorithm 13 by default, 15 offered; DNSSEC turned off
with the DS removed first (from the registry by EPP, or by the CDS/CDNSKEY delete signal of
RFC 8078 for a parent Bureau cannot reach), the keys deleted only once the DS is gone; and
refused while a key rollover is under way."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient
from test_dns_cds import BUREAU_NS, delv_validates, served

from bureau import epp
from bureau.dns import conf
from bureau.dns.models import ChangeKind, DsState, Zone
from bureau.dns.operations.dnssec import (
    advance_unsigning,
    disable_dnssec,
    start_rollover,
)
from bureau.dns.operations.errors import DnssecRefused
from bureau.dns.operations.zones import create_zone
from bureau.dns.powerdns import PowerDNSClient, ZoneKind
from bureau.dns.powerdns.client import RRSetChange
from bureau.registrar.operations.common import send

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


def ds_at_registry(domain: Any) -> int:
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    assert outcome.response is not None
    data = outcome.response.extension(epp.SecDNSData)
    return len(data.ds_data) if data is not None else 0


def dnssec_changes(zone: Zone) -> int:
    return zone.changes.filter(kind=ChangeKind.DNSSEC).count()


def test_dnssec_off_removes_the_ds_before_the_keys(
        register_name: Callable[..., Any], member: Any, pdns: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    name = str(zone.name)
    assert zone.algorithm == 13 and ds_at_registry(domain) == 1

    zone = disable_dnssec(zone=zone, actor=member)
    assert ds_at_registry(domain) == 0  # the DS leaves the registry first
    assert served(pdns, name, "DNSKEY")  # still signed: caches may hold the DS
    with pytest.raises(DnssecRefused, match="being turned off"):
        start_rollover(zone=zone, actor=member)

    zone = advance_unsigning(zone, wait=timedelta(days=2))
    assert zone.dnssec and served(pdns, name, "DNSKEY")  # the DS TTL has not passed
    zone = advance_unsigning(zone, wait=timedelta(0))
    zone.refresh_from_db()
    assert not zone.dnssec and zone.ds_state == DsState.NONE and not zone.ds_wanted
    assert served(pdns, name, "DNSKEY") == set()
    assert not zone.keys.exclude(state="removed").exists()
    assert ds_at_registry(domain) == 0
    summaries = list(zone.changes.filter(kind=ChangeKind.DNSSEC).values_list("summary",
                                                                              flat=True))
    assert any("DS removed first" in s for s in summaries)
    assert any("DNSSEC turned off" in s for s in summaries)


def test_dnssec_off_is_refused_during_a_rollover(
        register_name: Callable[..., Any], member: Any, pdns: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    start_rollover(zone=zone, actor=member)
    before = (ds_at_registry(domain), dnssec_changes(zone))
    with pytest.raises(DnssecRefused, match=r"rollover .* under way.*once the rollover is done"):
        disable_dnssec(zone=zone, actor=member)
    zone.refresh_from_db()
    assert zone.dnssec and zone.unsigning_ds_seen_at is None
    assert (ds_at_registry(domain), dnssec_changes(zone)) == before  # nothing changed


def test_a_zone_elsewhere_signals_cds_delete_and_waits_for_its_parent(
        member: Any, organisation: Any, prove_control: Callable[..., str],
        world_client: PowerDNSClient, pdns: Any, tmp_path: Path) -> None:
    parent = f"parent-off-{os.getpid()}-{next(_n)}.org."
    name = "child." + parent
    world_client.create_zone(parent, kind=ZoneKind.PRIMARY, nameservers=BUREAU_NS)
    world_client.patch_rrsets(parent, [RRSetChange(name, "NS", 60, BUREAU_NS)])

    def parent_holds(ds: set[str]) -> None:
        world_client.patch_rrsets(parent, [RRSetChange(name, "DS", 60, tuple(sorted(ds)))])

    prove_control(organisation, name)
    # Ed25519, offered beside the default.
    zone = create_zone(organisation=organisation, actor=member, name=name, algorithm=15)
    try:
        cds = served(pdns, name, "CDS")
        assert {c.split()[1] for c in cds} == {"15"}
        assert {k.split()[2] for k in served(pdns, name, "DNSKEY")} == {"15"}
        parent_holds(cds)
        assert delv_validates(pdns, name, cds, tmp_path)

        zone = disable_dnssec(zone=zone, actor=member)
        assert served(pdns, name, "CDS") == {"0 0 0 00"}  # RFC 8078: remove my DS
        assert served(pdns, name, "CDNSKEY") == {"0 3 0 AA=="}
        zone = advance_unsigning(zone)
        assert zone.dnssec  # the parent still serves the DS: the keys stay
        assert delv_validates(pdns, name, cds, tmp_path)

        parent_holds(set())  # the parent read the signal
        zone = advance_unsigning(zone)
        assert not zone.dnssec
        assert served(pdns, name, "DNSKEY") == set() and served(pdns, name, "CDS") == set()
    finally:
        world_client.delete_zone(parent)


def test_an_algorithm_not_offered_is_refused(member: Any, organisation: Any,
                                             prove_control: Callable[..., str]) -> None:
    name = f"algo-{os.getpid()}-{next(_n)}.org"
    prove_control(organisation, name)
    with pytest.raises(DnssecRefused, match=r"13 .*15"):
        create_zone(organisation=organisation, actor=member, name=name, algorithm=8)
    assert not Zone.objects.filter(name=name + ".").exists()


def test_api_offers_the_algorithm_and_turns_dnssec_off(
        user: Any, member: Any, organisation: Any, prove_control: Callable[..., str],
        pdns: Any) -> None:
    api = APIClient()
    api.force_authenticate(user)
    name = f"api-algo-{os.getpid()}-{next(_n)}.org"
    prove_control(organisation, name)
    refused = api.post("/api/v1/dns/zones/", {"name": name, "algorithm": 8}, format="json")
    assert refused.status_code in (400, 422) and "algorithm" in refused.content.decode()
    created = api.post("/api/v1/dns/zones/", {"name": name, "algorithm": 15}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["algorithm"] == 15 and not created.json()["dnssec_turning_off"]
    try:
        assert {k.split()[2] for k in served(pdns, name + ".", "DNSKEY")} == {"15"}
        off = api.post(f"/api/v1/dns/zones/{name}/dnssec-off/")
        assert off.status_code == 202 and off.json()["dnssec_turning_off"]
        assert served(pdns, name + ".", "CDS") == {"0 0 0 00"}
        again = api.post(f"/api/v1/dns/zones/{name}/dnssec-off/", HTTP_ACCEPT_LANGUAGE="en")
        assert again.status_code in (400, 409, 422) and "already" in again.content.decode()
    finally:
        conf.client().delete_zone(name + ".")


def test_portal_turns_dnssec_off(user: Any, member: Any, organisation: Any,
                                 prove_control: Callable[..., str], pdns: Any) -> None:
    browser = Client()
    browser.force_login(user)
    browser.cookies["django_language"] = "en"
    name = f"portal-algo-{os.getpid()}-{next(_n)}.org"
    prove_control(organisation, name)
    page = browser.post("/dns/", {"name": name, "algorithm": 15}, follow=True)
    zone = Zone.objects.get(name=name + ".")
    try:
        assert zone.algorithm == 15 and "Ed25519" in page.content.decode()
        assert "Turn DNSSEC off" in page.content.decode()
        page = browser.post(f"/dns/zones/{zone.pk}/dnssec-off/", follow=True)
        text = page.content.decode()
        assert "DNSSEC is being turned off" in text and "Turn DNSSEC off" not in text
    finally:
        conf.client().delete_zone(name + ".")
