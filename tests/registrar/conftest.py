"""Fixtures of the registrar tests: an organisation with a member, a registry, a TLD, a
contact. The database is the one DATABASE_URL names (PostgreSQL in `make test`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import Registry, Tld
from bureau.registrar.registries.sandbox import configure as configure_sandbox
from bureau.sandbox.testing import Sandbox, start_sandbox


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English unless a test asks for French (Bureau's default is French)."""
    with translation.override("en"):
        yield


@pytest.fixture
def user(db: Any) -> User:
    return User.objects.create_user("camille", "camille@example.org", "not-a-real-password")


@pytest.fixture
def organisation(user: User) -> Organisation:
    org = Organisation.objects.create(name="Atelier Camille", slug="atelier-camille")
    Membership.objects.create(user=user, organisation=org, role=Role.OWNER)
    return org


@pytest.fixture
def registry(db: Any) -> Registry:
    return Registry.objects.create(
        name="Sandbox", slug="sandbox", host="127.0.0.1", port=7000,
        client_id="bureau", password="s3cret-epp-password",
    )


@pytest.fixture
def tld(registry: Registry) -> Tld:
    return Tld.objects.create(
        registry=registry, name="test", create_price=1200, renew_price=1200,
        transfer_price=1000, restore_price=5000,
    )


@pytest.fixture
def contact(organisation: Organisation) -> Contact:
    return Contact.objects.create(
        organisation=organisation, name="Camille Martin", email="camille@example.org",
        phone="+33.123456789", street="1 rue de la Paix", city="Paris", postal_code="75002",
        country="FR",
    )


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox registry over real TLS on a free loopback port, fresh for each test."""
    with start_sandbox(tmp_path / "sandbox") as running:
        yield running
    connection.close_all()


@pytest.fixture
def sandbox_registry(db: Any, sandbox: Sandbox) -> Registry:
    return configure_sandbox(sandbox)


@pytest.fixture
def member(organisation: Organisation, user: User, contact: Contact,
           sandbox_registry: Registry) -> Actor:
    """The organisation's owner, with 1,000.00 EUR on the balance, acting at the sandbox."""
    ledger.top_up(organisation, 100_000, "EUR", memo="test funds")
    return Actor(user)
