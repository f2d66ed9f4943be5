"""The sandbox registry publishes its TLD zones, signed, on a local PowerDNS (the demo's, or
a test's): the delegations and DS it holds (`bureau.sandbox.tldzone`), so that `delv`
validates a registered name from the TLD's own key, through the DS the registry holds — as
the chain from the root would. Run again after changes: only the differences are sent."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from bureau.dns.powerdns import PowerDNSClient
from bureau.dns.powerdns.client import RRSetChange, ZoneKind
from bureau.sandbox import store, tldzone

TTL = 60  # short: the sandbox's delegations change as tests and the demo go


def publish_tld_zones(client: PowerDNSClient, db_path: Path,
                      tlds: Iterable[str] = ()) -> dict[str, list[str]]:
    """Each TLD of the sandbox (those it sells, `tlds`, and those of its names) as a signed
    zone on `client`'s server; returns each TLD's DS records ("tag alg type digest"), the
    trust anchor to validate from."""
    conn = store.connect(db_path)
    try:
        every = sorted({t.strip(".").lower() for t in tlds} | set(tldzone.tlds(conn)))
        return {tld: publish_tld(client, conn, tld) for tld in every}
    finally:
        conn.close()


def publish_tld(client: PowerDNSClient, conn: sqlite3.Connection, tld: str) -> list[str]:
    zone = tld.strip(".").lower() + "."
    if not client.zone_exists(zone):
        client.create_zone(zone, kind=ZoneKind.NATIVE, nameservers=[f"a.nic.{zone}"])
        client.enable_dnssec(zone)
    wanted = tldzone.tld_rrsets(conn, tld)
    held = {(r.name, r.rtype): list(r.contents) for r in client.get_zone(zone).rrsets
            if r.name != zone and r.rtype not in ("RRSIG", "NSEC", "NSEC3")}
    changes = [RRSetChange(owner, rtype, TTL, tuple(contents))
               for (owner, rtype), contents in wanted.items()
               if sorted(held.get((owner, rtype), [])) != sorted(contents)]
    changes += [RRSetChange.delete(owner, rtype) for owner, rtype in held
                if (owner, rtype) not in wanted]
    client.patch_rrsets(zone, changes)
    return client.ds_records(zone)
