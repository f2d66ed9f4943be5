"""Security events a registry reports at login (RFC 8807 loginSecData), here the sandbox's
password expiry warning, reach the operators: recorded once per event (the admin lists them)
and mailed to ADMINS once; a login refused for an expired password is recorded too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from logins import authenticated

from bureau import epp
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import LoginEvent, Registry
from bureau.registrar.registries.sandbox import configure
from bureau.sandbox.policy import default_config
from bureau.sandbox.testing import Sandbox, start_sandbox


@pytest.fixture
def expiring(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox whose passwords live 90 days, with a warning in the last 10."""
    config = replace(default_config(), password_lifetime_days=90, password_warning_days=10)
    with start_sandbox(tmp_path / "sandbox", config) as running:
        yield running
    connection.close_all()


def test_password_expiry_warning_is_recorded_mailed_and_listed(
    db: Any, expiring: Sandbox, settings: Any,
) -> None:
    settings.ADMINS = [("Operators", "ops@bureau.example")]
    registry: Registry = configure(expiring)
    connection.execute(registry, epp.DomainCheck(["calme.test"]))
    assert not LoginEvent.objects.exists()  # nothing to say at the first login

    expiring.clock.advance(days=85)
    connection.close_all()  # the next command logs in again
    connection.execute(registry, epp.DomainCheck(["calme.test"]))
    event = LoginEvent.objects.get()
    assert (event.registry, event.type, event.level) == (registry, "password", "warning")
    assert event.expires_at is not None and "expiring" in event.message
    assert event.emailed
    (sent,) = mail.outbox
    assert sent.to == ["ops@bureau.example"] and "warning" in sent.subject
    assert "expiring" in sent.body

    # The same warning at the next login: no new row, no new mail.
    connection.close_all()
    connection.execute(registry, epp.DomainCheck(["calme.test"]))
    assert LoginEvent.objects.count() == 1 and len(mail.outbox) == 1

    # Staff see it in the admin.
    staff = User.objects.create_superuser("ops", "ops@bureau.example", "x" * 16)
    TOTP.activate(staff, generate_totp_secret())  # the admin asks staff for a second factor
    client = authenticated(Client(), staff)
    page = client.get("/admin/registries/loginevent/").content.decode()
    assert "expiring" in page and "warning" in page

    # Past the expiry the login is refused: the error is recorded (and mailed) as well.
    expiring.clock.advance(days=10)
    connection.close_all()
    with pytest.raises(epp.EPPConnectionError):
        connection.execute(registry, epp.DomainCheck(["calme.test"]))
    error = LoginEvent.objects.get(level="error")
    assert "expired" in error.message and len(mail.outbox) == 2
