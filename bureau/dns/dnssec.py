"""DNSSEC checks with dnspython: DS against DNSKEY, and signed answers validated from a DS.

The chain checked is the one a resolver walks below the registry: the DS (what Bureau sent to
the registry) must hash a DNSKEY of the zone with the SEP flag; that key must sign the DNSKEY
RRset; the DNSKEY RRset must sign the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.ANY.DS
import dns.rrset

from bureau.dns.query import answer_rrset, ask


class DNSSECError(Exception):
    """The DNSSEC chain is broken; the message says where."""


@dataclass(frozen=True)
class DSMatch:
    ds: str
    key_tag: int
    matches: bool  # a DNSKEY of the zone hashes to this DS


def parse_ds(text: str) -> dns.rdtypes.ANY.DS.DS:
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, text)
    assert isinstance(rdata, dns.rdtypes.ANY.DS.DS)
    return rdata


def ds_for_key(
    zone: str, dnskey: dns.rdtypes.ANY.DNSKEY.DNSKEY | str, digest: str = "SHA256"
) -> dns.rdtypes.ANY.DS.DS:
    """The DS of a DNSKEY (what `dns.dnssec.make_ds` computes; PowerDNS must agree)."""
    if isinstance(dnskey, str):
        parsed = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY, dnskey)
        assert isinstance(parsed, dns.rdtypes.ANY.DNSKEY.DNSKEY)
        dnskey = parsed
    return dns.dnssec.make_ds(_absolute(zone), dnskey, digest)


def match_ds(
    zone: str, ds_records: Iterable[str], dnskeys: Iterable[dns.rdata.Rdata]
) -> list[DSMatch]:
    """For each DS, whether a DNSKEY of the zone hashes to it (same tag, algorithm, digest)."""
    keys = [k for k in dnskeys if isinstance(k, dns.rdtypes.ANY.DNSKEY.DNSKEY)]
    out = []
    for text in ds_records:
        ds = parse_ds(text)
        found = False
        for key in keys:
            if dns.dnssec.key_id(key) != ds.key_tag or key.algorithm != ds.algorithm:
                continue
            try:
                expected = dns.dnssec.make_ds(_absolute(zone), key, ds.digest_type)
            except (dns.dnssec.UnsupportedAlgorithm, ValueError):
                continue
            found = found or expected == ds
        out.append(DSMatch(ds=ds.to_text(), key_tag=ds.key_tag, matches=found))
    return out


def trusted_dnskeys(
    zone: str,
    dnskey_rrset: dns.rrset.RRset,
    dnskey_rrsig: dns.rrset.RRset | None,
    ds_records: Sequence[str],
) -> dns.rrset.RRset:
    """The DNSKEY RRset, once checked against the DS; raises DNSSECError if it cannot be."""
    if not ds_records:
        raise DNSSECError(f"{zone}: no DS given, nothing to anchor the DNSKEY to")
    matches = match_ds(zone, ds_records, dnskey_rrset)
    if not any(m.matches for m in matches):
        tags = ", ".join(str(m.key_tag) for m in matches)
        raise DNSSECError(
            f"{zone}: no DNSKEY matches the DS (key tags {tags}): the DS at the registry is "
            "stale or wrong; send the current DS"
        )
    if dnskey_rrsig is None:
        raise DNSSECError(f"{zone}: the DNSKEY RRset is not signed")
    name = _absolute(zone)
    try:
        dns.dnssec.validate(dnskey_rrset, dnskey_rrsig, {name: dnskey_rrset})
    except dns.dnssec.ValidationFailure as exc:
        raise DNSSECError(f"{zone}: the DNSKEY RRset signature does not verify ({exc})") from exc
    return dnskey_rrset


def validate_rrset(
    zone: str,
    rrset: dns.rrset.RRset,
    rrsig: dns.rrset.RRset | None,
    dnskeys: dns.rrset.RRset,
) -> None:
    """Check one answer RRset's signature with the (trusted) DNSKEY RRset."""
    if rrsig is None:
        raise DNSSECError(f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)} is not signed")
    try:
        dns.dnssec.validate(rrset, rrsig, {_absolute(zone): dnskeys})
    except dns.dnssec.ValidationFailure as exc:
        raise DNSSECError(
            f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}: signature does not verify ({exc})"
        ) from exc


def fetch_dnskeys(
    server: str, zone: str, *, port: int = 53, timeout: float = 2.0
) -> tuple[dns.rrset.RRset, dns.rrset.RRset | None]:
    """The DNSKEY RRset of `zone` and its RRSIG, from one authoritative server."""
    response = ask(server, zone, "DNSKEY", port=port, dnssec=True, timeout=timeout)
    dnskeys = answer_rrset(response, _absolute(zone), "DNSKEY")
    if dnskeys is None:
        raise DNSSECError(f"{server}:{port} serves no DNSKEY for {zone}: the zone is not signed")
    return dnskeys, answer_rrset(response, _absolute(zone), "RRSIG", covers="DNSKEY")


def validated_answer(
    server: str,
    zone: str,
    qname: str,
    rtype: str,
    ds_records: Sequence[str],
    *,
    port: int = 53,
    timeout: float = 2.0,
) -> dns.rrset.RRset:
    """Query `qname`/`rtype` and return the answer only if it validates from `ds_records`."""
    dnskeys, dnskey_sig = fetch_dnskeys(server, zone, port=port, timeout=timeout)
    trusted = trusted_dnskeys(zone, dnskeys, dnskey_sig, ds_records)
    response = ask(server, qname, rtype, port=port, dnssec=True, timeout=timeout)
    rrset = answer_rrset(response, _absolute(qname), rtype)
    if rrset is None:
        raise DNSSECError(f"{server}:{port} gave no {rtype} for {qname}")
    rrsig = answer_rrset(response, _absolute(qname), "RRSIG", covers=rtype)
    validate_rrset(zone, rrset, rrsig, trusted)
    return rrset


def _absolute(name: str) -> dns.name.Name:
    return dns.name.from_text(name.rstrip(".") + ".")
