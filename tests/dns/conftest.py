"""Fixtures for the DNS tests: real PowerDNS servers on loopback, started once per session."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bureau.dns.powerdns import PowerDNSClient, PowerDNSInstance, PowerDNSNotFound, ZoneKind
from bureau.dns.powerdns.locks import WriteLocks
from bureau.dns.publish import SecondaryTarget

NAMESERVERS = ("ns1.bureau-dns.test.", "ns2.bureau-dns.test.")
_counter = itertools.count(1)


def _require_pdns() -> None:
    if shutil.which("pdns_server") is None and not Path("/usr/sbin/pdns_server").exists():
        pytest.fail("pdns_server is not installed: run scripts/system-deps (make test does)")


@pytest.fixture(scope="session")
def pdns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PowerDNSInstance]:
    _require_pdns()
    with PowerDNSInstance(tmp_path_factory.mktemp("pdns-primary")) as instance:
        yield instance


@pytest.fixture(scope="session")
def pdns_secondary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PowerDNSInstance]:
    _require_pdns()
    workdir = tmp_path_factory.mktemp("pdns-secondary")
    with PowerDNSInstance(workdir, primary=False, secondary=True) as instance:
        yield instance


@pytest.fixture(scope="session")
def client(pdns: PowerDNSInstance) -> Iterator[PowerDNSClient]:
    # One writer for the whole server: the sqlite3 backend is one database file.
    with PowerDNSClient(pdns.api_url, pdns.api_key, locks=WriteLocks(scope="server")) as c:
        yield c


@pytest.fixture(scope="session")
def secondary_client(pdns_secondary: PowerDNSInstance) -> Iterator[PowerDNSClient]:
    with PowerDNSClient(pdns_secondary.api_url, pdns_secondary.api_key) as c:
        yield c


@pytest.fixture
def secondary_target(
    pdns_secondary: PowerDNSInstance, secondary_client: PowerDNSClient
) -> SecondaryTarget:
    return SecondaryTarget(secondary_client, f"127.0.0.1:{pdns_secondary.dns_port}")


@pytest.fixture
def zone_name() -> Callable[[], str]:
    """Unique zone names, so tests sharing the session server never collide."""
    return lambda: f"z{next(_counter)}-{os.getpid()}.bureau-test.org."


@pytest.fixture
def new_zone(client: PowerDNSClient, zone_name: Callable[[], str]) -> Iterator[Callable[..., str]]:
    """Create a primary zone (signed if asked) on the session server; deleted afterwards."""
    created: list[str] = []

    def make(*, dnssec: bool = False) -> str:
        name = zone_name()
        client.create_zone(name, kind=ZoneKind.PRIMARY, nameservers=NAMESERVERS)
        if dnssec:
            client.enable_dnssec(name)
        created.append(name)
        return name

    yield make
    for name in created:
        with contextlib.suppress(PowerDNSNotFound):
            client.delete_zone(name)


@pytest.fixture(scope="session")
def postgres_db() -> Iterator[object]:
    """A fresh PostgreSQL database for the gpgsql backend (the test PostgreSQL of make test)."""
    import uuid

    psycopg = pytest.importorskip("psycopg")
    from bureau.dns.powerdns import PostgresDatabase

    host = os.environ.get("BUREAU_TEST_PGHOST", "127.0.0.1")
    port = int(os.environ.get("BUREAU_TEST_PGPORT", "5432"))
    user = os.environ.get("BUREAU_TEST_PGUSER", "postgres")
    name = f"bureau_pdns_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(
            host=host, port=port, user=user, dbname="postgres", autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL on {host}:{port} ({exc}); scripts/start-services starts one")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PostgresDatabase(dbname=name, host=host, port=port, user=user)
    finally:
        with psycopg.connect(
            host=host, port=port, user=user, dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
