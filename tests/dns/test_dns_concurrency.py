"""Concurrent writers on one zone all succeed (the writer lock, field notes on PowerDNS)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from bureau.dns.powerdns import PowerDNSClient, PowerDNSInstance, RRSetChange, ZoneKind
from bureau.dns.powerdns.locks import WriteLocks

NAMESERVERS = ("ns1.bureau-dns.test.", "ns2.bureau-dns.test.")
WRITERS = 8
WRITES_EACH = 5


def _hammer(client: PowerDNSClient, zone: str) -> None:
    def write(writer: int) -> None:
        for i in range(WRITES_EACH):
            client.patch_rrsets(
                zone,
                [RRSetChange(f"w{writer}-{i}.{zone}", "A", 60, (f"192.0.2.{writer + 1}",))],
            )

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, range(WRITERS)))  # re-raises the first failure
    names = {r.name for r in client.get_zone(zone).rrsets if r.rtype == "A"}
    assert len(names) == WRITERS * WRITES_EACH


def test_concurrent_writers_on_one_signed_zone_sqlite(
    client: PowerDNSClient, new_zone: Callable[..., str]
) -> None:
    _hammer(client, new_zone(dnssec=True))


def test_concurrent_writers_across_processes_share_a_file_lock(
    pdns: PowerDNSInstance, new_zone: Callable[..., str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Two clients (as in two worker processes) with the same lock folder never collide.
    lock_dir = tmp_path_factory.mktemp("locks")
    zone = new_zone(dnssec=True)
    clients = [
        PowerDNSClient(
            pdns.api_url, pdns.api_key, locks=WriteLocks(scope="server", lock_dir=lock_dir)
        )
        for _ in range(2)
    ]

    def write(n: int) -> None:
        c = clients[n % 2]
        c.patch_rrsets(zone, [RRSetChange(f"p{n}.{zone}", "TXT", 60, (f'"{n}"',))])

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, range(WRITERS * 3)))
    for c in clients:
        c.close()


def test_concurrent_writers_on_one_zone_postgresql(
    tmp_path_factory: pytest.TempPathFactory, postgres_db: object
) -> None:
    from bureau.dns.powerdns import PostgresDatabase

    assert isinstance(postgres_db, PostgresDatabase)
    workdir = tmp_path_factory.mktemp("pdns-pg-concurrency")
    with (
        PowerDNSInstance(workdir, backend="gpgsql", postgres=postgres_db) as pg,
        PowerDNSClient(pg.api_url, pg.api_key, locks=WriteLocks(scope="zone")) as c,
    ):
        c.create_zone("busy.bureau-test.org", kind=ZoneKind.PRIMARY, nameservers=NAMESERVERS)
        c.enable_dnssec("busy.bureau-test.org")
        _hammer(c, "busy.bureau-test.org.")
