"""Refused addresses are recorded and surfaced as "your contact data may be wrong"; bounces
reported by command too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command

from bureau.notices.contacts import contact_warnings
from bureau.notices.jobs import run_all
from bureau.notices.models import DeliveryFailure, Notice, NoticeStatus
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations import update
from bureau.registrar.operations.common import Actor
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox, free_port
from .test_lifecycle import jump_to

pytestmark = pytest.mark.django_db


def test_a_refused_recipient_is_recorded_and_surfaced(
        domain: Domain, member: Actor, registry_clock: Sandbox, inbox: Inbox) -> None:
    billing = Contact.objects.create(
        organisation=domain.organisation, name="Compta", email="refused@atelier.example",
        phone="+33.123456780", street="2 rue", city="Paris", country="FR")
    update.update(domain=domain, actor=member, billing=billing)
    assert domain.expires_at is not None
    jump_to(registry_clock, domain.expires_at - timedelta(days=59))
    run_all()
    got = inbox.take_kind("reminder:")
    assert {r.rcpt[0] for r in got} == {"camille@example.org", "compta@atelier.example"}
    failure = DeliveryFailure.objects.get(address="refused@atelier.example")
    assert failure.source == "smtp" and "550" in failure.reason
    notice = Notice.objects.get(kind="reminder", domain=domain)
    assert notice.status == NoticeStatus.PARTLY
    warnings = contact_warnings(domain.organisation)
    assert any("refused@atelier.example" in w and "may be wrong" in w for w in warnings)


def test_bounce_command_records_a_failure(domain: Domain) -> None:
    call_command("notices_bounce", "Camille@Example.org", reason="550 mailbox full")
    warnings = contact_warnings(domain.organisation)
    assert any("camille@example.org" in w and "could not be delivered" in w for w in warnings)


def test_mail_server_down_is_not_the_contacts_fault_and_is_retried(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, settings: Any) -> None:
    assert domain.expires_at is not None
    jump_to(registry_clock, domain.expires_at - timedelta(days=59))
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    run_all()
    assert not Notice.objects.filter(kind="reminder").exists()
    assert not DeliveryFailure.objects.exists()
    settings.EMAIL_PORT = port
    run_all()
    assert len(inbox.take_kind("reminder:")) == 2
