"""Bureau's own DNS serves parked names (ERRP, issue 21): a hosted name answers only the
parking page's addresses while parked (its DS still validating them), edits wait, and every
record comes back at once when it works again; a name hosted elsewhere is delegated to
Bureau's name servers, which serve a parking zone for it, and back. While the notices app
parks through the name servers at the registry, the DNS app does not send the zone's DS
back, and its health checks do not report the parking delegation as drift."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from bureau import epp
from bureau.dns import conf
from bureau.dns.dnssec import validated_answer
from bureau.dns.models import Zone
from bureau.dns.operations.dnssec import reconcile_ds, send_ds
from bureau.dns.operations.health import check_zone
from bureau.dns.operations.hosting import host_missing_zones
from bureau.dns.operations.reconcile import reconcile_zone
from bureau.dns.operations.records import edit_records
from bureau.dns.query import answer_rrset, ask
from bureau.dns.records import Record
from bureau.notices.parking import is_parked, park, unpark
from bureau.notices.renewal import works_again
from bureau.registrar.operations.common import send

pytestmark = pytest.mark.django_db
PARKING_SERVICE = ["ns1.parking-service.net", "ns2.parking-service.net"]


def registry_ds(domain: Any) -> list[str]:
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    assert outcome.response is not None
    data = outcome.response.extension(epp.SecDNSData)
    return [f"{d.key_tag} {d.alg} {d.digest_type} {d.digest}" for d in data.ds_data]


def registry_view(domain: Any) -> tuple[set[str], int]:
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    assert outcome.response is not None
    data = outcome.response.extension(epp.SecDNSData)
    ns = {n if isinstance(n, str) else n.name for n in outcome.response.data.nameservers}
    return ns, len(data.ds_data) if data is not None else 0


def test_a_parked_name_keeps_its_parking_and_reports_no_drift(
        register_name: Callable[..., Any], settings: Any) -> None:
    # Parking through the name servers at the registry alone (no DNS provider).
    settings.BUREAU_NOTICES_DNS_PARKING = ""
    settings.BUREAU_NOTICES_PARKING_NAMESERVERS = PARKING_SERVICE
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    assert registry_view(domain)[1] > 0  # Bureau sent the DS at registration
    parking = park(domain, timezone.now())
    domain.refresh_from_db()
    assert is_parked(domain)
    parked_view = registry_view(domain)
    assert parked_view[1] == 0 and all("parking" in ns for ns in parked_view[0])

    send_ds(zone)
    reconcile_ds(zone)
    assert registry_view(domain) == parked_view  # the DS did not come back
    check = check_zone(Zone.objects.get(pk=zone.pk))
    assert check.ok, check.problems

    unpark(parking, timezone.now())
    domain.refresh_from_db()
    assert not is_parked(domain)
    ns, ds = registry_view(domain)
    assert ds > 0 and not any("parking" in n for n in ns)
    assert check_zone(Zone.objects.get(pk=zone.pk)).ok


def test_without_the_predicate_the_parking_delegation_is_drift(
        register_name: Callable[..., Any], settings: Any) -> None:
    settings.BUREAU_DNS_PARKED_CHECK = ""  # the DNS app alone, without the notices app's hook
    settings.BUREAU_NOTICES_DNS_PARKING = ""
    settings.BUREAU_NOTICES_PARKING_NAMESERVERS = PARKING_SERVICE
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    park(domain, timezone.now())
    codes = {p["code"] for p in check_zone(Zone.objects.get(pk=zone.pk)).problems}
    assert "delegated-elsewhere" in codes  # all the name servers are someone else's


PARKING_PAGE = ["192.0.2.80", "2001:db8::80"]


def answers(pdns: Any, name: str, rtype: str) -> set[str]:
    rrset = answer_rrset(ask("127.0.0.1", name, rtype, port=pdns.dns_port), name, rtype)
    return {r.to_text() for r in rrset} if rrset is not None else set()


def test_a_parked_hosted_name_answers_only_the_parking_page_and_comes_back_at_once(
        register_name: Callable[..., Any], member: Any, settings: Any, pdns: Any) -> None:
    settings.BUREAU_DNS_PARKING_ADDRESSES = PARKING_PAGE
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    name = str(zone.name)
    edit_records(zone=zone, actor=member, add=[
        Record("www", "A", "198.51.100.7", 300), Record("@", "MX", "10 mail.example.net.", 300)])
    registry_before = registry_view(domain)

    parking = park(domain, timezone.now())
    assert parking.method == "dns"  # nothing changed at the registry
    assert registry_view(domain) == registry_before
    for owner in (name, "www." + name, "anything.under." + name):
        assert answers(pdns, owner, "A") == {"192.0.2.80"}
        assert answers(pdns, owner, "AAAA") == {"2001:db8::80"}
    assert answers(pdns, name, "MX") == set()  # its old records are not served
    ds = registry_ds(domain)
    rrset = validated_answer("127.0.0.1", name, "www." + name, "A", ds, port=pdns.dns_port)
    assert [r.to_text() for r in rrset] == ["192.0.2.80"]  # the DS still validates it
    # An edit while parked is kept for later; the reconciliation keeps the parking answers.
    outcome = edit_records(zone=zone, actor=member, add=[Record("shop", "A", "198.51.100.8")])
    assert not outcome.published
    reconcile_zone(Zone.objects.get(pk=zone.pk))
    assert answers(pdns, "shop." + name, "A") == {"192.0.2.80"}

    works_again(domain, timezone.now())  # what renewal and restore call: at once
    assert not is_parked(domain)
    assert answers(pdns, "www." + name, "A") == {"198.51.100.7"}
    assert answers(pdns, name, "MX") == {"10 mail.example.net."}
    assert answers(pdns, "shop." + name, "A") == {"198.51.100.8"}
    assert answers(pdns, "anything.under." + name, "A") == set()


def test_a_name_hosted_elsewhere_is_parked_on_bureaus_name_servers(
        register_name: Callable[..., Any], settings: Any, pdns: Any) -> None:
    settings.BUREAU_DNS_PARKING_ADDRESSES = PARKING_PAGE
    settings.BUREAU_NOTICES_PARKING_NAMESERVERS = list(settings.BUREAU_DNS_NAMESERVERS)
    elsewhere = ["ns1.elsewhere-dns.net", "ns2.elsewhere-dns.net"]
    domain = register_name(nameservers=elsewhere)
    name = domain.name + "."
    assert not Zone.objects.filter(name=name).exists()

    parking = park(domain, timezone.now())
    assert parking.method == "nameservers"
    assert registry_view(domain)[0] == set(settings.BUREAU_DNS_NAMESERVERS)  # Bureau's own
    assert answers(pdns, "www." + name, "A") == {"192.0.2.80"}
    host_missing_zones()  # the job does not take the parked name for a new zone
    assert not Zone.objects.filter(name=name).exists()

    works_again(domain, timezone.now())
    assert registry_view(domain)[0] == set(elsewhere)
    assert not conf.client().zone_exists(name)  # Bureau stops answering for it


THEIR_DS = "4242 13 2 " + "AB" * 32


@pytest.mark.parametrize("their_dnssec", [False, True], ids=["unsigned-there", "signed-there"])
def test_a_signed_zone_of_a_name_delegated_elsewhere_is_parked_then_given_back(
        register_name: Callable[..., Any], member: Any, settings: Any, pdns: Any,
        their_dnssec: bool) -> None:
    """Bureau hosts the name's signed zone, but the member delegated the name to other name
    servers (with or without DNSSEC there). Parking moves the delegation to Bureau's name
    servers: the DS at the registry is never one the parking answers fail against (the
    other host's), and once the name works again, back to the member's name servers, no DS
    of Bureau's stays at the registry."""
    from bureau.dns.operations.dnssec import ds_at_registry, set_external_dnssec, to_ds
    from bureau.dns.tasks import reconcile_zones
    from bureau.registrar.operations.update import update

    settings.BUREAU_DNS_PARKING_ADDRESSES = PARKING_PAGE
    settings.BUREAU_NOTICES_PARKING_NAMESERVERS = list(settings.BUREAU_DNS_NAMESERVERS)
    elsewhere = ["ns1.elsewhere-dns.net", "ns2.elsewhere-dns.net"]
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    name = str(zone.name)
    edit_records(zone=zone, actor=member, add=[Record("www", "A", "198.51.100.7", 300)])
    update(domain=domain, actor=member, nameservers=elsewhere)
    if their_dnssec:
        set_external_dnssec(domain=domain, actor=member, ds=[THEIR_DS])
    domain.refresh_from_db()
    ours = {to_ds(t) for t in Zone.objects.get(pk=zone.pk).ds_wanted}
    assert ours and not set(ds_at_registry(domain) or []) & ours

    parking = park(domain, timezone.now())
    assert parking.method == "nameservers"
    domain.refresh_from_db()
    ns, _count = registry_view(domain)
    assert ns == set(settings.BUREAU_DNS_NAMESERVERS)
    held = set(ds_at_registry(domain) or [])
    assert held <= ours  # never the other host's DS over Bureau's signatures
    check = check_zone(Zone.objects.get(pk=zone.pk))
    assert check.ok, check.problems
    for owner in (name, "www." + name):
        assert answers(pdns, owner, "A") == {"192.0.2.80"}
    if held:
        rrset = validated_answer("127.0.0.1", name, "www." + name, "A", registry_ds(domain),
                                 port=pdns.dns_port)
        assert [r.to_text() for r in rrset] == ["192.0.2.80"]
    reconcile_zones.call()  # the jobs keep the parking as it is
    host_missing_zones()
    assert set(ds_at_registry(domain) or []) == held
    assert answers(pdns, "www." + name, "A") == {"192.0.2.80"}

    works_again(domain, timezone.now())
    domain.refresh_from_db()
    assert not is_parked(domain)
    ns, _count = registry_view(domain)
    assert ns == set(elsewhere)
    back = set(ds_at_registry(domain) or [])
    assert not back & ours  # no DS of Bureau's while the name points elsewhere
    assert back == ({to_ds(THEIR_DS)} if their_dnssec else set())
    reconcile_zones.call()
    assert set(ds_at_registry(domain) or []) == back
    assert answers(pdns, "www." + name, "A") == {"198.51.100.7"}  # the zone is whole again
    # The member is told where the name points, and nothing about a DS to send.
    check = check_zone(Zone.objects.get(pk=zone.pk))
    assert [p["code"] for p in check.problems] == ["delegated-elsewhere"], check.problems
    assert "ns1.elsewhere-dns.net" in check.problems[0]["message"]
