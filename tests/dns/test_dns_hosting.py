"""A name registered with Bureau's name servers: zone created, signed, DS at the registry
(read back from the sandbox over EPP/TLS) equal to PowerDNS's, answers validated from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bureau import epp
from bureau.dns import conf
from bureau.dns.dnssec import validated_answer
from bureau.dns.models import DsState, KeyState, PublishState, Zone
from bureau.dns.operations.dnssec import ds_at_registry
from bureau.registrar.operations.common import send

pytestmark = pytest.mark.django_db


def registry_ds(domain: Any) -> list[str]:
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    assert outcome.response is not None
    data = outcome.response.extension(epp.SecDNSData)
    assert data is not None, "the registry holds no secDNS data"
    return sorted(f"{d.key_tag} {d.alg} {d.digest_type} {d.digest.lower()}" for d in data.ds_data)


def test_registered_name_is_hosted_signed_and_its_ds_is_at_the_registry(
        register_name: Callable[..., Any], pdns: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    assert zone.publish_state == PublishState.PUBLISHED
    assert zone.ds_state == DsState.SENT
    client = conf.client()
    info = client.get_zone(str(zone.name))
    assert info.dnssec
    assert sorted(ns for ns in info.rrset(str(zone.name), "NS").contents) == sorted(
        ns + "." for ns in ("ns1.bureau-dns.net", "ns2.bureau-dns.net"))
    # Nothing but SOA and NS (PowerDNS adds the DNSSEC records itself).
    assert {r.rtype for r in info.rrsets} <= {"SOA", "NS"}
    from_pdns = sorted(client.ds_records(str(zone.name)))
    at_registry = registry_ds(domain)
    assert at_registry == from_pdns
    assert zone.keys.filter(state=KeyState.ACTIVE).count() == 1
    soa = validated_answer("127.0.0.1", str(zone.name), str(zone.name), "SOA", at_registry,
                           port=pdns.dns_port)
    assert soa[0].serial == zone.serial


def test_name_with_other_nameservers_gets_no_zone(register_name: Callable[..., Any]) -> None:
    domain = register_name(nameservers=["ns.elsewhere.net"])
    assert not Zone.objects.filter(domain=domain).exists()
    assert ds_at_registry(domain) == []


def test_the_holder_wins_over_a_zone_hosted_by_another_organisation(
        member: Any, organisation: Any, register_name: Callable[..., Any], pdns: Any,
        prove_control: Callable[..., str]) -> None:
    from bureau.dns.operations.records import edit_records
    from bureau.dns.operations.zones import create_zone
    from bureau.dns.query import answer_rrset, ask
    from bureau.dns.records import Record
    from bureau.registrar.accounts.models import Membership, Organisation, Role

    other = Organisation.objects.create(name="Squat", slug="squat")
    Membership.objects.create(user=member.user, organisation=other, role=Role.OWNER)
    name = "holder-wins.test"
    prove_control(other, name)  # the squatter proved control somewhere, somehow
    squat = create_zone(organisation=other, actor=member, name=name)
    edit_records(zone=squat, actor=member, add=[Record("www", "A", "192.0.2.66")])
    domain = register_name(name)  # registered by `organisation`, with Bureau's name servers
    squat.refresh_from_db()
    assert squat.publish_state == PublishState.WITHDRAWN
    zone = Zone.objects.get(domain=domain)
    assert zone.organisation == organisation and zone.ds_state == DsState.SENT
    response = ask("127.0.0.1", f"www.{name}.", "A", port=pdns.dns_port)
    assert answer_rrset(response, f"www.{name}.", "A") is None  # the squatter's data is gone
    conf.client().delete_zone(str(zone.name))


def test_a_zone_hosted_before_registration_is_linked_and_its_ds_sent(
        member: Any, organisation: Any, register_name: Callable[..., Any],
        prove_control: Callable[..., str]) -> None:
    from bureau.dns.operations.zones import create_zone

    name = "hosted-first.test"
    prove_control(organisation, name)
    early = create_zone(organisation=organisation, actor=member, name=name)
    assert early.ds_state == DsState.NOT_APPLICABLE
    domain = register_name(name)
    early.refresh_from_db()
    assert early.domain == domain and early.ds_state == DsState.SENT
    assert registry_ds(domain) == sorted(conf.client().ds_records(str(early.name)))
    conf.client().delete_zone(str(early.name))


def test_soa_names_bureaus_primary(register_name: Callable[..., Any], pdns: Any) -> None:
    from bureau.dns.query import answer_rrset, ask

    domain = register_name()
    name = domain.name + "."
    soa = answer_rrset(ask("127.0.0.1", name, "SOA", port=pdns.dns_port), name, "SOA")
    assert soa is not None
    assert soa[0].mname.to_text() == "ns1.bureau-dns.net."
    assert soa[0].rname.to_text() == "hostmaster.bureau-dns.net."


def test_stop_hosting_needs_other_nameservers_and_removes_the_ds_first(
        register_name: Callable[..., Any], member: Any) -> None:
    from bureau.dns.operations.errors import NameClaimed
    from bureau.dns.operations.zones import stop_hosting
    from bureau.dns.powerdns import PowerDNSNotFound
    from bureau.registrar.operations.update import update

    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    with pytest.raises(NameClaimed, match="name servers"):
        stop_hosting(zone=zone, actor=member)
    assert registry_ds(domain)
    update(domain=domain, actor=member, nameservers=["ns.elsewhere.net"])
    stop_hosting(zone=zone, actor=member)
    zone.refresh_from_db()
    assert zone.publish_state == PublishState.WITHDRAWN
    assert ds_at_registry(domain) == []  # no DS left pointing at a zone nobody serves
    with pytest.raises(PowerDNSNotFound):
        conf.client().get_zone(str(zone.name))
    assert zone.changes.count() >= 2  # history kept
