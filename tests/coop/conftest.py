"""Fixtures of the cooperative's tests: people in three colleges, a shifted clock, and (for
pricing and invoices) an organisation with funds at the sandbox registry over real TLS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from bureau.coop import clock
from bureau.coop.models import College, Member
from bureau.coop.operations import membership
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import Registry
from bureau.registrar.registries.sandbox import configure as configure_sandbox
from bureau.sandbox.testing import Sandbox, start_sandbox


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


class Clock:
    """The cooperative's clock, moved by hand: ``clock.advance(days=15)``."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return timezone.now() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def coop_clock() -> Iterator[Clock]:
    shifted = Clock()
    with clock.use(shifted.now):
        yield shifted


DEFAULT_COLLEGES = [("employees", "Salarié·es", 1),
                    ("customers", "Client·es et bénéficiaires", 2),
                    ("contributors", "Contributeurs et contributrices", 3)]


@pytest.fixture
def colleges(db: Any) -> dict[str, College]:
    """The three colleges the migration creates (made again after a transactional test's
    flush emptied the table)."""
    for code, name, position in DEFAULT_COLLEGES:
        College.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    return {c.code: c for c in College.objects.all()}


@pytest.fixture
def make_member(colleges: dict[str, College]) -> Callable[..., Member]:
    counter = iter(range(1, 10_000))

    def make(college: str, shares: int = 1, name: str = "") -> Member:
        n = next(counter)
        # No password: hashing one takes most of a second.
        user = User.objects.create(username=f"person{n}", email=f"person{n}@example.org")
        return membership.join(user, colleges[college], shares, name=name or f"Person {n}")

    return make


@pytest.fixture
def user(db: Any) -> User:
    return User.objects.create_user("camille", "camille@example.org", "not-a-real-password")


@pytest.fixture
def organisation(user: User) -> Organisation:
    org = Organisation.objects.create(name="Atelier Camille", slug="atelier-camille")
    Membership.objects.create(user=user, organisation=org, role=Role.OWNER)
    return org


@pytest.fixture
def contact(organisation: Organisation) -> Contact:
    return Contact.objects.create(
        organisation=organisation, name="Camille Martin", email="camille@example.org",
        phone="+33.123456789", street="1 rue de la Paix", city="Paris", postal_code="75002",
        country="FR",
    )


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with start_sandbox(tmp_path / "sandbox") as running:
        yield running
    connection.close_all()


@pytest.fixture
def sandbox_registry(db: Any, sandbox: Sandbox) -> Registry:
    return configure_sandbox(sandbox)


@pytest.fixture
def actor(organisation: Organisation, user: User, contact: Contact,
          sandbox_registry: Registry) -> Actor:
    """The organisation's owner, with 1,000.00 EUR on the balance, at the sandbox."""
    ledger.top_up(organisation, 100_000, "EUR", memo="test funds")
    return Actor(user)
