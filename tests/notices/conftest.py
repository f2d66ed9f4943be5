"""Fixtures of the notices tests: a sandbox registry over TLS whose clock is Bureau's "now",
a real SMTP server on loopback (aiosmtpd) that Django's SMTP backend sends to, and an
organisation with an owner, a billing person, a holder contact and money."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.utils import translation

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

REFUSED_PREFIX = "refused"


@dataclass
class Received:
    rcpt: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()

    @property
    def language(self) -> str:
        return str(self.message["Content-Language"])

    @property
    def key(self) -> str:
        return str(self.message["X-Bureau-Notice"])

    def part(self, kind: str) -> str:
        body = self.message.get_body(preferencelist=(kind,))
        assert body is not None and body.get_content_subtype() == kind, f"no {kind} part"
        return str(body.get_content())

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")


@dataclass
class Inbox:
    """What the loopback SMTP server accepted. Addresses starting with "refused" get a 550."""

    received: list[Received] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.startswith(REFUSED_PREFIX):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def take(self) -> list[Received]:
        taken, self.received = self.received, []
        return taken

    def take_kind(self, prefix: str) -> list[Received]:
        """Take the messages whose notice key starts with ``prefix``; keep the others."""
        taken = [r for r in self.received if r.key.startswith(prefix)]
        self.received = [r for r in self.received if not r.key.startswith(prefix)]
        return taken


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    box = Inbox(port=free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = box.host
    settings.EMAIL_PORT = box.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.BUREAU_PORTAL_URL = "https://portal.bureau.test"
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


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
