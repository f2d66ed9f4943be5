"""DNSSEC through Bureau: a key rollover keeps the chain valid from the registry's DS at every
step; DS/DNSKEY entered for a name hosted elsewhere; the DS settled after a lost answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dns.dnssec
import dns.rdatatype
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bureau import epp
from bureau.dns import conf
from bureau.dns.dnssec import validated_answer
from bureau.dns.models import DsState, KeyState, RolloverStep, Zone
from bureau.dns.operations.dnssec import (
    advance_rollover,
    reconcile_ds,
    set_external_dnssec,
    start_rollover,
)
from bureau.dns.operations.errors import DnssecRefused, RecordsInvalid
from bureau.dns.operations.records import edit_records
from bureau.dns.query import ask
from bureau.dns.records import Record
from bureau.registrar.operations.common import send

pytestmark = pytest.mark.django_db


def registry_ds(domain: Any) -> list[str]:
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    assert outcome.response is not None
    data = outcome.response.extension(epp.SecDNSData)
    if data is None:
        return []
    return sorted(f"{d.key_tag} {d.alg} {d.digest_type} {d.digest.lower()}" for d in data.ds_data)


def chain_valid(pdns: Any, zone: Zone, domain: Any, value: str = "192.0.2.10") -> None:
    """The www A answer validates from the DS the registry holds right now."""
    ds = registry_ds(domain)
    assert ds, "no DS at the registry"
    answer = validated_answer("127.0.0.1", str(zone.name), "www." + str(zone.name), "A", ds,
                              port=pdns.dns_port)
    assert answer[0].to_text() == value


def edit_valid(pdns: Any, zone: Zone, domain: Any, member: Any, value: str) -> None:
    """Record edits are not refused during a rollover, and need not be: PowerDNS signs each
    answer with the key active at that step, whose DS is at the registry."""
    edit_records(zone=zone, actor=member, add=[Record("www", "A", value, 300)],
                 remove=list(zone.records.filter(name="www." + str(zone.name), rtype="A")))
    chain_valid(pdns, zone, domain, value)


def test_rollover_keeps_the_chain_valid_at_every_step(
        register_name: Callable[..., Any], member: Any, pdns: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.10", 300)])
    chain_valid(pdns, zone, domain)
    old_ds = registry_ds(domain)

    rollover = start_rollover(zone=zone, actor=member)
    # The new key is published but does not sign, and both DS are at the registry already.
    assert rollover.step == RolloverStep.DS_BOTH
    assert len(registry_ds(domain)) == 2 and set(old_ds) < set(registry_ds(domain))
    assert rollover.new_key.state == KeyState.INCOMING
    chain_valid(pdns, zone, domain)
    edit_valid(pdns, zone, domain, member, "192.0.2.11")
    with pytest.raises(DnssecRefused):
        start_rollover(zone=zone, actor=member)

    rollover = advance_rollover(rollover)  # the new key signs; the old one stays published
    assert rollover.step == RolloverStep.NEW_KEY_ACTIVE
    chain_valid(pdns, zone, domain, "192.0.2.11")
    # Answers are signed by the new key now.
    response = ask("127.0.0.1", "www." + str(zone.name), "A", port=pdns.dns_port, dnssec=True)
    sigs = [r for rrset in response.answer for r in rrset if rrset.rdtype == dns.rdatatype.RRSIG]
    new_tag = int(rollover.new_key.ds[0].split()[0])
    assert {s.key_tag for s in sigs} == {new_tag}
    edit_valid(pdns, zone, domain, member, "192.0.2.12")

    rollover = advance_rollover(rollover)  # the old key goes, and its DS leaves the registry
    assert rollover.step == RolloverStep.OLD_KEY_REMOVED
    chain_valid(pdns, zone, domain, "192.0.2.12")
    assert registry_ds(domain) == sorted(conf.client().ds_records(str(zone.name)))
    assert set(registry_ds(domain)).isdisjoint(old_ds)
    edit_valid(pdns, zone, domain, member, "192.0.2.13")

    rollover = advance_rollover(rollover)
    assert rollover.step == RolloverStep.DONE
    chain_valid(pdns, zone, domain, "192.0.2.13")
    assert zone.keys.filter(state=KeyState.ACTIVE).count() == 1


def test_rollover_waits_for_caches(register_name: Callable[..., Any], member: Any) -> None:
    from datetime import timedelta

    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    rollover = start_rollover(zone=zone, actor=member)
    rollover = advance_rollover(rollover, wait=timedelta(days=2))
    assert rollover.step == RolloverStep.DS_BOTH  # too early: nothing changed


def test_ds_settled_from_the_registry_after_a_lost_answer(
        register_name: Callable[..., Any]) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    # As if the answer to the DS update had been lost: Bureau does not know.
    Zone.objects.filter(pk=zone.pk).update(ds_state=DsState.UNKNOWN)
    zone.refresh_from_db()
    assert reconcile_ds(zone) == DsState.SENT
    # And when the registry really lacks the DS, reconciliation sends it.
    send(domain.registry, epp.DomainUpdate(domain.name, secdns=epp.SecDNSUpdate(rem_all=True)))
    assert registry_ds(domain) == []
    Zone.objects.filter(pk=zone.pk).update(ds_state=DsState.UNKNOWN)
    zone.refresh_from_db()
    assert reconcile_ds(zone) == DsState.SENT
    assert registry_ds(domain) == sorted(conf.client().ds_records(str(zone.name)))


def test_member_enters_ds_or_dnskey_for_a_name_hosted_elsewhere(
        register_name: Callable[..., Any], member: Any) -> None:
    domain = register_name(nameservers=["ns.elsewhere.net"])
    key = dns.dnssec.make_dnskey(ec.generate_private_key(ec.SECP256R1()).public_key(),
                                 dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257)
    expected = dns.dnssec.make_ds(domain.name + ".", key, "SHA256")
    set_external_dnssec(domain=domain, actor=member, dnskeys=[key.to_text()])
    assert registry_ds(domain) == [expected.to_text().lower()]
    ds_text = "12345 13 2 " + "ab" * 32
    set_external_dnssec(domain=domain, actor=member, ds=[ds_text])
    assert registry_ds(domain) == [ds_text]
    with pytest.raises(RecordsInvalid) as caught:
        set_external_dnssec(domain=domain, actor=member,
                            ds=["12345 13 2 nothex", "1 13 1 " + "ab" * 20])
    assert [p["line"] for p in caught.value.as_list()] == [1, 2]
    assert registry_ds(domain) == [ds_text]  # the refused input never reached the registry
    set_external_dnssec(domain=domain, actor=member)  # nothing: DNSSEC off at the registry
    assert registry_ds(domain) == []


def test_ds_of_a_hosted_signed_zone_is_bureaus(register_name: Callable[..., Any],
                                               member: Any) -> None:
    domain = register_name()
    with pytest.raises(DnssecRefused):
        set_external_dnssec(domain=domain, actor=member, ds=["12345 13 2 " + "ab" * 32])
