"""Invitations through the API: emailed like the portal's (one message, the accept link, the
language asked for), withdrawn through the use case (audited, role-checked)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core import mail
from rest_framework.test import APIClient

from bureau.audit.models import EventKind, Invitation, SecurityEvent
from bureau.registrar.accounts.models import Organisation

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]
URL = "/api/v1/organisations/atelier-a/invitations/"


def test_an_invitation_made_through_the_api_is_emailed_once(api: Api,
                                                           org_a: Organisation) -> None:
    response = api("alice").post(URL, {"email": "New@Example.org", "role": "billing"},
                                 format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.json()
    assert "language" not in response.json()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    stored = Invitation.objects.get(pk=response.json()["id"])
    assert message.to == ["new@example.org"]
    link = re.search(r"/invitations/([\w-]+)/", str(message.body))
    assert link is not None
    assert stored.token_hash == hashlib.sha256(link.group(1).encode()).hexdigest()
    assert "alice@example.org invites you to join Atelier A" in message.body
    assert message.alternatives[0][1] == "text/html"  # type: ignore[attr-defined]


def test_the_api_invitation_in_french(api: Api, org_a: Organisation) -> None:
    response = api("alice").post(URL, {"email": "new@example.org", "role": "tech",
                                       "language": "fr"}, format="json")
    assert response.status_code == 201, response.json()
    assert len(mail.outbox) == 1
    assert "vous invite à rejoindre Atelier A" in mail.outbox[0].body
    bad = api("alice").post(URL, {"email": "other@example.org", "role": "tech",
                                  "language": "xx"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "language"
    assert len(mail.outbox) == 1


def test_withdraw_through_the_api_is_audited(api: Api, people: dict[str, User],
                                             org_a: Organisation) -> None:
    made = api("alice").post(URL, {"email": "new@example.org", "role": "tech"},
                             format="json").json()
    # A read-only person may see it but not withdraw it.
    reader = api("rita", session=True)
    assert reader.delete(f"{URL}{made['id']}/").status_code == 403
    assert Invitation.objects.get(pk=made["id"]).revoked_at is None
    assert api("alice").delete(f"{URL}{made['id']}/").status_code == 204
    assert Invitation.objects.get(pk=made["id"]).revoked_at is not None
    event = SecurityEvent.objects.get(kind=EventKind.INVITATION_WITHDRAWN)
    assert event.user == people["alice"] and event.detail["email"] == "new@example.org"
    # Twice: nothing more happens.
    assert api("alice").delete(f"{URL}{made['id']}/").status_code == 204
    assert SecurityEvent.objects.filter(kind=EventKind.INVITATION_WITHDRAWN).count() == 1
