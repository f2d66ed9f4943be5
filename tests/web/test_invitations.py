"""Invitations from the portal: one email (text and HTML, in the language chosen, with the
accept link); a mail server that refuses leaves no invitation behind; withdrawing one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from bureau.audit.models import EventKind, Invitation, SecurityEvent
from bureau.registrar.accounts.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_the_portal_sends_exactly_one_invitation_email(client_a: Client,
                                                       org_a: Organisation) -> None:
    response = client_a.post("/organisation/invite/", {"email": "Carol@Example.org",
                                                       "role": "tech"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carol@example.org"]
    assert "Atelier A" in message.subject
    assert "alice@example.org invites you to join Atelier A" in message.body
    assert "as Technical" in message.body
    html = message.alternatives[0]  # type: ignore[attr-defined]
    assert html[1] == "text/html"
    token = Invitation.objects.get(email="carol@example.org").token
    assert f"http://testserver/invitations/{token}/" in message.body
    assert f'href="http://testserver/invitations/{token}/"' in html[0]


def test_the_invitation_is_written_in_the_language_chosen(client_a: Client,
                                                          org_a: Organisation) -> None:
    client_a.post("/organisation/invite/", {"email": "carol@example.org", "role": "billing",
                                            "language": "fr"})
    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == "fr"
    assert "Invitation à rejoindre Atelier A" in message.subject
    assert "vous invite à rejoindre Atelier A" in message.body
    assert 'lang="fr"' in message.alternatives[0][0]  # type: ignore[attr-defined]


def test_an_invitation_that_cannot_be_emailed_is_not_kept(client_a: Client,
                                                          org_a: Organisation,
                                                          settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    response = client_a.post("/organisation/invite/", {"email": "carol@example.org",
                                                       "role": "tech"})
    assert response.status_code == 400
    assert "could not be emailed to carol@example.org" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not SecurityEvent.objects.filter(kind=EventKind.MEMBER_INVITED).exists()
