"""A real SMTP server on loopback (aiosmtpd) that Django's SMTP backend sends to, for the
tests that read the emails a person gets (notices, security alerts): ``inbox``.

Loaded for every suite by tests/conftest.py."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest

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
    from aiosmtpd.controller import Controller

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
