"""Registrar fixtures shared by the Django suites (registrar, coop, dns, notices, web): Camille,
her organisation and contact, a sandbox registry over real TLS, and Camille with funds.

Loaded for every suite by tests/conftest.py. Some suites run without Django (`-p no:django`),
so Django and Bureau's models are imported inside the fixtures, never at import time. A folder
whose fixture differs keeps its own (same name in its conftest.py, which wins).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from bureau import epp
    from bureau.registrar.accounts.models import Organisation
    from bureau.registrar.contacts.models import Contact
    from bureau.registrar.operations.common import Actor
    from bureau.registrar.registries.models import Registry
    from bureau.sandbox.testing import Sandbox


@pytest.fixture
def user(db: Any) -> User:
    from django.contrib.auth.models import User

    return User.objects.create_user("camille", "camille@example.org", "not-a-real-password")


@pytest.fixture
def organisation(user: User) -> Organisation:
    from bureau.registrar.accounts.models import Membership, Organisation, Role

    org = Organisation.objects.create(name="Atelier Camille", slug="atelier-camille")
    Membership.objects.create(user=user, organisation=org, role=Role.OWNER)
    return org


@pytest.fixture
def contact(organisation: Organisation) -> Contact:
    from bureau.registrar.contacts.models import Contact

    return Contact.objects.create(
        organisation=organisation, name="Camille Martin", email="camille@example.org",
        phone="+33.123456789", street="1 rue de la Paix", city="Paris", postal_code="75002",
        country="FR",
    )


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox registry over real TLS on a free loopback port, fresh for each test."""
    from bureau.registrar.registries import connection
    from bureau.sandbox.testing import start_sandbox

    with start_sandbox(tmp_path / "sandbox") as running:
        yield running
    connection.close_all()


@pytest.fixture
def sandbox_registry(db: Any, sandbox: Sandbox) -> Registry:
    from bureau.registrar.registries.sandbox import configure

    return configure(sandbox)


@pytest.fixture
def member(organisation: Organisation, user: User, contact: Contact,
           sandbox_registry: Registry) -> Actor:
    """The organisation's owner, with 1,000.00 EUR on the balance, acting at the sandbox."""
    from bureau.core.credentials import Credential
    from bureau.registrar.billing import ledger
    from bureau.registrar.operations.common import Actor

    ledger.top_up(organisation, 100_000, "EUR", memo="test funds")
    # At the console: sensitive operations ask no re-authentication (tests of that rule
    # make their own actors).
    return Actor(user, credential=Credential.console())


@pytest.fixture
def actor(member: Actor) -> Actor:
    """The same funded owner, under the name the cooperative's tests use."""
    return member


@pytest.fixture
def rival(sandbox: Sandbox) -> Iterator[epp.Session]:
    """The sandbox's other registrar, over its own TLS session: it holds the names a test
    transfers in, and asks for the ones it transfers out."""
    from bureau import epp

    account = sandbox.registrars["rival"]
    config = epp.ClientConfig(host=sandbox.host, port=sandbox.port, client_id=account.clid,
                              password=account.password, cafile=str(sandbox.ca_file),
                              certfile=str(account.cert_file), keyfile=str(account.key_file))
    with epp.Session(config) as session:
        yield session


@pytest.fixture
def rival_holds(rival: epp.Session) -> Callable[[str, str], None]:
    """``rival_holds(name, code)``: the other registrar registers ``name`` (its own holder)
    with the transfer code ``code``, ready to be transferred in."""
    from bureau import epp

    def hold(name: str, code: str) -> None:
        handle = f"r{abs(hash(name)) % 10**8}"
        rival.execute(epp.ContactCreate(handle, [epp.PostalInfo(
            "int", "Rival Holder", epp.Address("Lyon", "FR", ("1 quai",)))], "h@example.org"))
        rival.execute(epp.DomainCreate(name, registrant=handle, auth_info=code))

    return hold
