"""Fixtures of the API tests: two organisations (A with a person of each role, B with its
owner), a sandbox registry over real TLS (one per test session, fresh rows per test), and
API clients authenticated by token or by session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import translation
from logins import authenticated
from rest_framework.test import APIClient

from bureau.audit.operations import tokens
from bureau.audit.scopes import SCOPES, permission_for
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.accounts.permissions import allows
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import Registry
from bureau.registrar.registries.sandbox import configure as configure_sandbox
from bureau.sandbox.testing import Sandbox, start_sandbox

FUNDS = 100_000  # 1,000.00 EUR


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_rate_limits(request: pytest.FixtureRequest) -> Iterator[None]:
    # The counters live in the database cache (DEBUG off): only tests with a database have them.
    uses_database = (request.node.get_closest_marker("django_db") is not None
                     or {"db", "transactional_db"} & set(request.fixturenames))
    if uses_database:
        cache.clear()
    yield
    if uses_database:
        cache.clear()


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One sandbox registry for the session: tests use names of their own."""
    with start_sandbox(Path(tmp_path_factory.mktemp("api-sandbox"))) as running:
        yield running


@pytest.fixture
def registry(db: Any, sandbox: Sandbox) -> Iterator[Registry]:
    yield configure_sandbox(sandbox)
    connection.close_all()


def person(username: str) -> User:
    return User.objects.create_user(username, f"{username}@example.org", "not-a-password")


def contact_of(organisation: Organisation, name: str = "Camille Martin") -> Contact:
    return Contact.objects.create(
        organisation=organisation, name=name, email="camille@example.org",
        phone="+33.123456789", street="1 rue de la Paix", city="Paris", postal_code="75002",
        country="FR")


@pytest.fixture
def org_a(db: Any) -> Organisation:
    org = Organisation.objects.create(name="Atelier A", slug="atelier-a")
    ledger.top_up(org, FUNDS, "EUR", memo="test funds")
    return org


@pytest.fixture
def org_b(db: Any) -> Organisation:
    org = Organisation.objects.create(name="Bureau B", slug="bureau-b")
    ledger.top_up(org, FUNDS, "EUR", memo="test funds")
    return org


@pytest.fixture
def people(org_a: Organisation, org_b: Organisation) -> dict[str, User]:
    """alice owns A; tess (tech), bill (billing), rita (read-only) are in A; bob owns B."""
    made = {}
    for username, org, role in [("alice", org_a, Role.OWNER), ("tess", org_a, Role.TECH),
                                ("bill", org_a, Role.BILLING),
                                ("rita", org_a, Role.READ_ONLY), ("bob", org_b, Role.OWNER)]:
        made[username] = person(username)
        Membership.objects.create(user=made[username], organisation=org, role=role)
    return made


@pytest.fixture
def contact_a(org_a: Organisation) -> Contact:
    return contact_of(org_a)


@pytest.fixture
def contact_b(org_b: Organisation) -> Contact:
    return contact_of(org_b, "Bob Bernard")


TokenMaker = Callable[..., str]


@pytest.fixture
def make_token(people: dict[str, User], org_a: Organisation, org_b: Organisation) -> TokenMaker:
    """A token for ``username`` in their organisation; scopes ("*",) means every scope their
    role allows."""
    def make(username: str = "alice", scopes: tuple[str, ...] = ("*",)) -> str:
        user = people[username]
        org = org_b if username == "bob" else org_a
        role = org.role_of(user)
        wanted = [s for s in SCOPES if allows(role, permission_for(s))] if scopes == ("*",) \
            else list(scopes)
        return tokens.create_token(actor=Actor.console(user), organisation=org, name="test",
                                   scopes=wanted).secret
    return make


@pytest.fixture
def api(make_token: TokenMaker, people: dict[str, User]) -> Callable[..., APIClient]:
    """``api("alice")``: a client sending alice's token (all the scopes her role allows);
    ``api("bill", session=True)``: logged in as in the portal (roles without token rights)."""
    def client(username: str = "alice", scopes: tuple[str, ...] = ("*",),
               session: bool = False) -> APIClient:
        c = APIClient()
        if session:  # who just entered their password
            authenticated(c, people[username])
        else:
            c.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(username, scopes)}")
        return c
    return client
