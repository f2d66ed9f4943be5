"""Invitations from the portal: one email (text and HTML, in the language chosen, with the
accept link); a mail server that refuses leaves no invitation behind; withdrawing one."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from bureau.audit.models import EventKind, Invitation, SecurityEvent
from bureau.registrar.accounts.models import Organisation

from .conftest import client_for, make_person

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
    link = re.search(r"http://testserver/invitations/([\w-]+)/", str(message.body))
    assert link is not None
    assert f'href="{link.group(0)}"' in html[0]
    # The database keeps only the token's hash: a copy of it accepts nobody.
    stored = Invitation.objects.get(email="carol@example.org")
    assert stored.token_hash == hashlib.sha256(link.group(1).encode()).hexdigest()
    assert link.group(1) not in str(Invitation.objects.filter(pk=stored.pk).values().get())


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


def test_withdraw_an_invitation_from_the_portal(client_a: Client, org_a: Organisation) -> None:
    client_a.post("/organisation/invite/", {"email": "carol@example.org", "role": "tech"})
    invitation = Invitation.objects.get()
    page = client_a.get("/organisation/").content.decode()
    assert f"/organisation/invitations/{invitation.pk}/withdraw/" in page
    response = client_a.post(f"/organisation/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert f"/invitations/{invitation.pk}/withdraw/" not in \
        client_a.get("/organisation/").content.decode()
    event = SecurityEvent.objects.get(kind=EventKind.INVITATION_WITHDRAWN)
    assert event.organisation == org_a and event.detail["email"] == "carol@example.org"
    # The link no longer works.
    link = re.search(r"http://testserver(/invitations/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    carol = client_for(make_person("carol@example.org"))
    assert carol.get(link.group(1)).status_code == 404


def test_withdrawing_needs_the_right_role_and_the_right_organisation(
        client_a: Client, org_a: Organisation, org_b: Organisation, bob: Any) -> None:
    theirs = Invitation.objects.create(organisation=org_b, email="x@example.org",
                                       role="tech", invited_by=bob)
    assert client_a.post(f"/organisation/invitations/{theirs.pk}/withdraw/").status_code == 404
    ours = Invitation.objects.create(organisation=org_a, email="y@example.org", role="tech")
    from bureau.registrar.accounts.models import Membership, Role
    reader = make_person("rita@example.org")
    Membership.objects.create(user=reader, organisation=org_a, role=Role.READ_ONLY)
    assert client_for(reader).post(
        f"/organisation/invitations/{ours.pk}/withdraw/").status_code == 403
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.revoked_at is None and ours.revoked_at is None
