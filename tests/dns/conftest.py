"""Fixtures for the DNS tests. The session PowerDNS servers `pdns` and `pdns_world` and
`dns_settings` come from tests/dns_fixtures.py; Camille, her organisation, contact and the
sandbox registry from tests/registrar_fixtures.py."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from dns_fixtures import BUREAU_NS, require_pdns

from bureau.dns.powerdns import PowerDNSClient, PowerDNSInstance, PowerDNSNotFound, ZoneKind
from bureau.dns.powerdns.client import RRSetChange
from bureau.dns.powerdns.locks import WriteLocks
from bureau.dns.publish import SecondaryTarget

NAMESERVERS = ("ns1.bureau-dns.test.", "ns2.bureau-dns.test.")
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pdns_secondary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PowerDNSInstance]:
    require_pdns()
    workdir = tmp_path_factory.mktemp("pdns-secondary")
    with PowerDNSInstance(workdir, primary=False, secondary=True) as instance:
        yield instance


@pytest.fixture(scope="session")
def world_client(pdns_world: PowerDNSInstance) -> Iterator[PowerDNSClient]:
    with PowerDNSClient(pdns_world.api_url, pdns_world.api_key,
                        locks=WriteLocks(scope="server")) as c:
        yield c


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

    import psycopg

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
        pytest.fail(f"no PostgreSQL on {host}:{port} ({exc}); scripts/start-services starts one",
                    pytrace=False)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PostgresDatabase(dbname=name, host=host, port=port, user=user)
    finally:
        with psycopg.connect(
            host=host, port=port, user=user, dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- Django side: Bureau's operations against the session PowerDNS and a sandbox registry ----

@pytest.fixture
def english() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def dns_settings(dns_settings: Any, english: None) -> Any:
    """Bureau's DNS settings (tests/dns_fixtures.py), the DNS tests reading English."""
    return dns_settings


@pytest.fixture
def member(dns_settings: Any, member: Any) -> Any:
    """The shared funded owner (tests/registrar_fixtures.py), with Bureau's DNS settings in
    place first."""
    return member


@pytest.fixture
def register_name(member: Any, organisation: Any, contact: Any) -> Callable[..., Any]:
    """Register a name at the sandbox through Bureau (Bureau's name servers by default)."""
    from bureau.registrar.operations.register import register

    def make(name: str | None = None, nameservers: Sequence[str] = BUREAU_NS) -> Any:
        name = name or f"n{next(_counter)}-{os.getpid()}.test"
        return register(organisation=organisation, actor=member, name=name,
                        registrant=contact, nameservers=list(nameservers)).domain

    return make


@pytest.fixture
def prove_control(dns_settings: Any, world_client: PowerDNSClient) -> Iterator[Callable[..., str]]:
    """Publish, in the DNS outside Bureau, the TXT challenge that proves an organisation
    controls a name registered elsewhere (as its member would at their DNS host)."""
    from bureau.dns.operations.control import challenge_name, challenge_token

    published: list[str] = []

    def prove(organisation: Any, name: str) -> str:
        owner = challenge_name(name)
        world_client.create_zone(owner, kind=ZoneKind.PRIMARY, nameservers=NAMESERVERS)
        world_client.patch_rrsets(owner, [RRSetChange(
            owner, "TXT", 60, (f'"{challenge_token(organisation, name)}"',))])
        published.append(owner)
        return owner

    yield prove
    for owner in published:
        with contextlib.suppress(PowerDNSNotFound):
            world_client.delete_zone(owner)


@pytest.fixture
def hosted_zone(member: Any, organisation: Any, zone_name: Callable[[], str],
                prove_control: Callable[..., str]) -> Iterator[Callable[..., Any]]:
    """A standalone zone (a name registered elsewhere, its control proven) created through
    Bureau; removed from PowerDNS afterwards."""
    from bureau.dns.operations.zones import create_zone

    created: list[str] = []

    def make(**kwargs: Any) -> Any:
        name = zone_name()
        prove_control(organisation, name)
        zone = create_zone(organisation=organisation, actor=member, name=name, **kwargs)
        created.append(str(zone.name))
        return zone

    yield make
    from bureau.dns import conf

    for name in created:
        with contextlib.suppress(PowerDNSNotFound):
            conf.client().delete_zone(name)
