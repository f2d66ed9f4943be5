"""Make PowerDNS match the source of truth: compare, then one PATCH with only the differences.

Used after an unknown outcome (timeout, crash between save and publish) and by a periodic
check: never guess what PowerDNS holds, read it and reconcile. SOA and DNSSEC records are
PowerDNS's own and never touched; the apex NS is compared with the zone's name servers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import dns.rdata
import dns.rdataclass
import dns.rdatatype

from bureau.dns.powerdns.client import PowerDNSClient, RRSetChange, ZoneInfo, absolute
from bureau.dns.records import DEFAULT_TTL, ValidRecord

NOT_OURS = frozenset({"SOA", "DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "CDS", "CDNSKEY"})

RRSetKey = tuple[str, str]
RRSetValue = tuple[int, frozenset[dns.rdata.Rdata]]


def _parse(rtype: str, content: str) -> dns.rdata.Rdata:
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype), content)


def desired_rrsets(
    zone: str, records: Iterable[ValidRecord], nameservers: Sequence[str], ns_ttl: int
) -> dict[RRSetKey, tuple[int, list[str]]]:
    out: dict[RRSetKey, tuple[int, list[str]]] = {}
    grouped: dict[RRSetKey, list[ValidRecord]] = defaultdict(list)
    for record in records:
        grouped[record.key()].append(record)
    for key, group in grouped.items():
        out[key] = (group[0].ttl, list(dict.fromkeys(r.content for r in group)))
    if nameservers:
        out[(absolute(zone), "NS")] = (ns_ttl, [absolute(ns) for ns in nameservers])
    return out


def plan_sync(
    zone: str,
    records: Iterable[ValidRecord],
    actual: ZoneInfo,
    *,
    nameservers: Sequence[str] = (),
    ns_ttl: int = DEFAULT_TTL,
) -> list[RRSetChange]:
    """The RRset changes that turn `actual` (read from PowerDNS) into `records` (+ apex NS)."""
    wanted = desired_rrsets(zone, records, nameservers, ns_ttl)
    have: dict[RRSetKey, RRSetValue] = {}
    for rrset in actual.rrsets:
        if rrset.rtype in NOT_OURS:
            continue
        if rrset.rtype == "NS" and rrset.name == absolute(zone) and not nameservers:
            continue  # apex NS not managed by this call
        have[(rrset.name, rrset.rtype)] = (
            rrset.ttl,
            frozenset(_parse(rrset.rtype, c) for c in rrset.contents),
        )
    changes = []
    for key, (ttl, contents) in wanted.items():
        target = (ttl, frozenset(_parse(key[1], c) for c in contents))
        if have.get(key) != target:
            changes.append(RRSetChange(key[0], key[1], ttl, tuple(contents)))
    changes.extend(RRSetChange.delete(*key) for key in have if key not in wanted)
    return changes


def sync_zone(
    client: PowerDNSClient,
    zone: str,
    records: Iterable[ValidRecord],
    *,
    nameservers: Sequence[str] = (),
    notify: bool = True,
) -> list[RRSetChange]:
    """Read the zone from PowerDNS, send only what differs (one PATCH), NOTIFY if anything
    changed; returns the changes made (empty: PowerDNS already matched)."""
    records = list(records)
    actual = client.get_zone(zone)
    changes = plan_sync(zone, records, actual, nameservers=nameservers)
    if changes:
        client.patch_rrsets(zone, changes, rectify=True)
        if notify and actual.kind == "Master":
            client.notify(zone)
    return changes
