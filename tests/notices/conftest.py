"""Fixtures of the notices tests: a sandbox registry over TLS whose clock is Bureau's "now",
the loopback SMTP server (tests/mail_fixtures.py; its names are imported from here), and an
organisation with an owner, a billing person, a holder contact and money."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from mail_fixtures import REFUSED_PREFIX, Inbox, Received, free_port  # noqa: F401

from bureau.core import clock
from bureau.core.credentials import Credential
from bureau.notices.models import ContactProfile
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries.models import Registry
from bureau.sandbox.testing import Sandbox


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def parking_at_the_registry(settings: Any) -> None:
    """Parking here changes the name servers at the registry only: no PowerDNS in these
    tests (Bureau's DNS serving parked names: tests/dns/test_dns_parking.py)."""
    settings.BUREAU_NOTICES_DNS_PARKING = ""
    settings.BUREAU_NOTICES_PARKING_NAMESERVERS = ["ns1.bureau-parking.net",
                                                   "ns2.bureau-parking.net"]


@pytest.fixture
def registry_clock(sandbox: Sandbox) -> Iterator[Sandbox]:
    """Bureau's notion of now follows the sandbox registry's clock (which tests move)."""
    with clock.use(sandbox.clock.now_datetime):
        yield sandbox


@pytest.fixture
def owner(user: User) -> User:
    """Camille (the shared ``user``), who owns the organisation."""
    return user


@pytest.fixture
def organisation(owner: User) -> Organisation:
    org = Organisation.objects.create(name="Atelier Camille", slug="atelier-camille")
    Membership.objects.create(user=owner, organisation=org, role=Role.OWNER)
    accountant = User.objects.create_user("dominique", "compta@atelier.example", "x-password")
    Membership.objects.create(user=accountant, organisation=org, role=Role.BILLING)
    return org


@pytest.fixture
def holder(organisation: Organisation) -> Contact:
    contact = Contact.objects.create(
        organisation=organisation, name="Camille Martin", email="camille@example.org",
        phone="+33.123456789", street="1 rue de la Paix", city="Paris", postal_code="75002",
        country="FR")
    ContactProfile.objects.update_or_create(contact=contact, defaults={"language": "fr"})
    return contact


@pytest.fixture
def member(organisation: Organisation, owner: User, sandbox_registry: Registry) -> Actor:
    ledger.top_up(organisation, 100_000, "EUR", memo="test funds")
    return Actor(owner, credential=Credential.console())  # no re-authentication asked


@pytest.fixture
def domain(member: Actor, organisation: Organisation, holder: Contact,
           registry_clock: Sandbox) -> Domain:
    return register.register(organisation=organisation, actor=member, name="atelier.test",
                             registrant=holder, nameservers=["ns1.atelier-dns.net",
                                                             "ns2.atelier-dns.net"]).domain
