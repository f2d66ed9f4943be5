"""The sandbox registry's TLD zones as the registry would publish them: for every name that
resolves (active, no hold), its NS records, the DS records it holds (secDNS dsData, or the
SHA-256 DS of its keyData), and the glue of its name servers inside the TLD; bundled names
(RFC 9095) are delegated like their registration. Something that serves DNS (a local
PowerDNS: `bureau.cli.tldzones`) publishes them signed, so that a validating client can
follow the chain from the TLD's key to a registered name."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Any

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from .domainview import secdns

# Statuses that take a name out of the zone (RFC 5731 §2.3).
NOT_PUBLISHED = frozenset({"clientHold", "serverHold"})

RRSets = dict[tuple[str, str], list[str]]  # (owner, type) -> contents, owners absolute


def tlds(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT tld FROM domains ORDER BY tld")]


def tld_rrsets(conn: sqlite3.Connection, tld: str) -> RRSets:
    """The delegations of `tld` (apex records excluded: the server adds SOA and NS)."""
    out: RRSets = defaultdict(list)
    suffix = "." + tld.strip(".").lower() + "."
    rows = conn.execute("SELECT * FROM domains WHERE tld = ? AND state = 'active'",
                        (tld.strip(".").lower(),)).fetchall()
    for row in rows:
        if NOT_PUBLISHED & set(row["statuses"].split()):
            continue
        hosts = conn.execute(
            "SELECT h.name, h.addrs FROM domain_ns n JOIN hosts h ON h.id = n.host_id"
            " WHERE n.domain_id = ? ORDER BY h.name", (row["id"],)).fetchall()
        if not hosts:
            continue  # inactive: nothing to delegate to
        names = [row["name"]] + [r[0] for r in conn.execute(
            "SELECT name FROM bundle_members WHERE domain_id = ? AND name != ?",
            (row["id"], row["name"]))]
        for name in names:
            owner = name.lower().rstrip(".") + "."
            out[(owner, "NS")] = [h["name"].lower().rstrip(".") + "." for h in hosts]
            out[(owner, "DS")] = ds_of(owner, dict(secdns(row)))
            if not out[(owner, "DS")]:
                del out[(owner, "DS")]
        for host in hosts:
            host_name = host["name"].lower().rstrip(".") + "."
            if not host_name.endswith(suffix):
                continue
            for version, address in json.loads(host["addrs"]):
                rtype = "AAAA" if version == "v6" else "A"
                if address not in out[(host_name, rtype)]:
                    out[(host_name, rtype)].append(address)
    return dict(out)


def ds_of(owner: str, state: dict[str, Any]) -> list[str]:
    """The DS records a name's secDNS state stands for ("tag alg type DIGEST")."""
    found = [f"{d['keyTag']} {d['alg']} {d['digestType']} {d['digest']}"
             for d in state.get("ds") or []]
    for key in state.get("key") or []:
        dnskey = dns.rdata.from_text(
            dns.rdataclass.IN, dns.rdatatype.DNSKEY,
            f"{key['flags']} {key['protocol']} {key['alg']} {key['pubKey']}")
        ds = dns.dnssec.make_ds(dns.name.from_text(owner), dnskey, "SHA256")
        found.append(f"{ds.key_tag} {ds.algorithm} {ds.digest_type} {ds.digest.hex().upper()}")
    return sorted(set(found))
