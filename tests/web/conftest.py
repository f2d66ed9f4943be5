"""Fixtures of the portal tests: two organisations (A and B) with their people, contacts and
domains stored directly, and a logged-in client per person (the sandbox registry for the
end-to-end tests comes from tests/registrar_fixtures.py). Database: the one DATABASE_URL names
(tests/web runs on its own `bureau_web` database in `make test`-like runs)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation
from logins import authenticated

from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.registries.models import Registry, Tld

PASSWORD = "correct horse battery staple 42"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Rate-limit counters do not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


def make_person(email: str) -> User:
    user = User.objects.create_user(email.split("@")[0], email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_organisation(name: str, slug: str, owner: User) -> Organisation:
    org = Organisation.objects.create(name=name, slug=slug)
    Membership.objects.create(user=owner, organisation=org, role=Role.OWNER)
    return org


def make_contact(org: Organisation, name: str) -> Contact:
    return Contact.objects.create(
        organisation=org, name=name, email="contact@example.org", phone="+33.123456789",
        street="1 rue de la Paix", city="Paris", postal_code="75002", country="FR")


@pytest.fixture
def tld(db: Any) -> Tld:
    registry = Registry.objects.create(name="Offline", slug="offline", host="127.0.0.1",
                                       port=9, client_id="bureau", password="x")
    return Tld.objects.create(registry=registry, name="test", create_price=1200,
                              renew_price=1200, transfer_price=1000, restore_price=5000)


@pytest.fixture
def alice(db: Any) -> User:
    return make_person("alice@example.org")


@pytest.fixture
def bob(db: Any) -> User:
    return make_person("bob@example.org")


@pytest.fixture
def org_a(alice: User) -> Organisation:
    return make_organisation("Atelier A", "atelier-a", alice)


@pytest.fixture
def org_b(bob: User) -> Organisation:
    return make_organisation("Bureau B", "bureau-b", bob)


def make_domain(org: Organisation, tld: Tld, name: str, days: int = 200) -> Domain:
    contact = make_contact(org, f"Holder of {name}")
    return Domain.objects.create(
        name=name, tld=tld, organisation=org, registrant=contact,
        state=DomainState.ACTIVE, nameservers=["ns1.example.net"],
        registered_at=timezone.now() - timedelta(days=100),
        expires_at=timezone.now() + timedelta(days=days), auth_info="Secret-Code-123",
        statuses=["ok"])


@pytest.fixture
def domain_a(org_a: Organisation, tld: Tld) -> Domain:
    return make_domain(org_a, tld, "alpha.test")


@pytest.fixture
def domain_b(org_b: Organisation, tld: Tld) -> Domain:
    return make_domain(org_b, tld, "bravo.test")


def english_client() -> Client:
    """Pages in English (Bureau's default language is French)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def client_for(user: User, *, ago: float = 0.0) -> Client:
    """Logged in as ``user``, who entered their password ``ago`` seconds ago."""
    return authenticated(english_client(), user, ago=ago)


@pytest.fixture
def client_a(alice: User, org_a: Organisation) -> Client:
    return client_for(alice)
