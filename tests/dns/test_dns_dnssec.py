"""DNSSEC on by default: PowerDNS signs, Bureau reads the DS, answers validate from that DS."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import dns.dnssec
import dns.query
import dns.rdatatype
import dns.tsigkeyring
import dns.zone
import pytest
from dns_fixtures import delv
from programs import require_program

from bureau.dns.dnssec import (
    DNSSECError,
    ds_for_key,
    fetch_dnskeys,
    match_ds,
    validated_answer,
)
from bureau.dns.powerdns import PowerDNSClient, PowerDNSInstance
from bureau.dns.publish import TRANSFER_KEY, create_hosted_zone, publish, transfer_key
from bureau.dns.records import Record
from bureau.dns.validation import validate_zone

NAMESERVERS = ("ns1.bureau-dns.test.", "ns2.bureau-dns.test.")


@pytest.fixture
def signed_zone(
    client: PowerDNSClient, zone_name: Callable[[], str]
) -> Iterator[tuple[str, tuple[str, ...]]]:
    zone = zone_name()
    records = validate_zone(
        zone,
        [
            Record("www", "A", "192.0.2.10", 300),
            Record("@", "MX", "10 mail"),
            Record("mail", "AAAA", "2001:db8::25"),
            Record("@", "TXT", "v=spf1 mx -all"),
        ],
    )
    hosted = create_hosted_zone(client, zone, nameservers=NAMESERVERS, records=records)
    yield zone, hosted.ds
    client.delete_zone(zone)


def test_zone_is_signed_with_one_ecdsa_p256_key_and_its_ds(
    client: PowerDNSClient, signed_zone: tuple[str, tuple[str, ...]]
) -> None:
    zone, ds = signed_zone
    keys = client.cryptokeys(zone)
    assert [(k.keytype, k.active, k.algorithm) for k in keys] == [("csk", True, "ECDSAP256SHA256")]
    assert len(ds) == 1 and ds[0].split()[1:3] == ["13", "2"]
    # dnspython computes the same DS from the DNSKEY PowerDNS publishes.
    assert ds_for_key(zone, keys[0].dnskey).to_text() == ds[0]
    # Enabling twice keeps the one key.
    assert client.enable_dnssec(zone).id == keys[0].id


def test_answers_validate_against_the_ds(
    client: PowerDNSClient, pdns: PowerDNSInstance, signed_zone: tuple[str, tuple[str, ...]]
) -> None:
    zone, ds = signed_zone
    rrset = validated_answer("127.0.0.1", zone, f"www.{zone}", "A", ds, port=pdns.dns_port)
    assert [r.to_text() for r in rrset] == ["192.0.2.10"]
    for qname, rtype in ((zone, "MX"), (f"mail.{zone}", "AAAA"), (zone, "SOA")):
        validated_answer("127.0.0.1", zone, qname, rtype, ds, port=pdns.dns_port)
    # A change published through the API is served signed at once.
    publish(client, zone, validate_zone(zone, [Record("www", "A", "192.0.2.11", 300)]))
    rrset = validated_answer("127.0.0.1", zone, f"www.{zone}", "A", ds, port=pdns.dns_port)
    assert [r.to_text() for r in rrset] == ["192.0.2.11"]


def test_a_wrong_ds_does_not_validate(
    pdns: PowerDNSInstance, signed_zone: tuple[str, tuple[str, ...]]
) -> None:
    zone, ds = signed_zone
    tag, alg, dtype, digest = ds[0].split()
    wrong = f"{tag} {alg} {dtype} {'0' * len(digest)}"
    with pytest.raises(DNSSECError, match="no DNSKEY matches the DS"):
        validated_answer("127.0.0.1", zone, f"www.{zone}", "A", [wrong], port=pdns.dns_port)
    dnskeys, _ = fetch_dnskeys("127.0.0.1", zone, port=pdns.dns_port)
    assert [m.matches for m in match_ds(zone, [ds[0], wrong], dnskeys)] == [True, False]


def _axfr_text(pdns: PowerDNSInstance, client: PowerDNSClient, zone: str) -> str:
    # The primary transfers only with Bureau's transfer key.
    keyring = dns.tsigkeyring.from_text({TRANSFER_KEY: transfer_key(client)})
    client.set_zone_options(zone, master_tsig_key_ids=[TRANSFER_KEY])
    transferred = dns.zone.from_xfr(
        dns.query.xfr("127.0.0.1", zone, port=pdns.dns_port, relativize=False,
                      keyring=keyring, keyname=TRANSFER_KEY), relativize=False
    )
    return transferred.to_text(relativize=False)


def test_ldns_verify_zone_accepts_the_transferred_zone(
    pdns: PowerDNSInstance, client: PowerDNSClient, signed_zone: tuple[str, tuple[str, ...]],
    tmp_path: Path
) -> None:
    zone, _ = signed_zone
    text = _axfr_text(pdns, client, zone)
    assert " RRSIG " in text and " NSEC" in text
    path = tmp_path / "zone.txt"
    path.write_text(text)
    result = subprocess.run(
        [require_program("ldns-verify-zone", "ldnsutils"), str(path)],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dnssec_key_matches_dnspython_validation_of_the_dnskey_rrset(
    pdns: PowerDNSInstance, signed_zone: tuple[str, tuple[str, ...]]
) -> None:
    zone, _ = signed_zone
    dnskeys, signature = fetch_dnskeys("127.0.0.1", zone, port=pdns.dns_port)
    assert signature is not None
    dns.dnssec.validate(dnskeys, signature, {dnskeys.name: dnskeys})
    assert all(k.algorithm == dns.dnssec.Algorithm.ECDSAP256SHA256 for k in dnskeys)
    assert dnskeys.rdtype == dns.rdatatype.DNSKEY


def test_delv_validates_with_the_ds_as_trust_anchor(
    pdns: PowerDNSInstance, signed_zone: tuple[str, tuple[str, ...]], tmp_path: Path
) -> None:
    zone, ds = signed_zone

    good = delv(pdns, zone, [ds[0]], f"www.{zone}", "A", tmp_path)
    assert "; fully validated" in good.stdout, good.stdout + good.stderr
    tag, alg, dtype, digest = ds[0].split()
    bad = delv(pdns, zone, [f"{tag} {alg} {dtype} {'0' * len(digest)}"], f"www.{zone}", "A",
               tmp_path)
    assert "fully validated" not in bad.stdout
    assert "broken trust chain" in bad.stderr


def test_key_rollover_keeps_answers_valid_at_every_step(
    client: PowerDNSClient, pdns: PowerDNSInstance, signed_zone: tuple[str, tuple[str, ...]]
) -> None:
    zone, old_ds = signed_zone
    (old_key,) = client.cryptokeys(zone)

    def valid_with(ds: list[str] | tuple[str, ...]) -> None:
        validated_answer("127.0.0.1", zone, f"www.{zone}", "A", ds, port=pdns.dns_port)

    # 1. The new key is published but does not sign; both DS go to the registry.
    new_key = client.add_cryptokey(zone, active=False)
    both = client.ds_records(zone, include_inactive=True)
    assert set(both) == {*old_ds, *(d for d in new_key.ds if d.split()[2] == "2")}
    assert client.ds_records(zone) == list(old_ds)  # only signing keys without the flag
    valid_with(both)
    # 2. The new key signs, the old one stops: still valid from both DS.
    client.set_cryptokey_active(zone, new_key.id, True)
    client.set_cryptokey_active(zone, old_key.id, False)
    valid_with(both)
    # 3. The old key goes; the registry keeps only the new DS.
    client.delete_cryptokey(zone, old_key.id)
    new_ds = client.ds_records(zone)
    assert new_ds and not set(new_ds) & set(old_ds)
    valid_with(new_ds)
    with pytest.raises(DNSSECError):
        valid_with(old_ds)
