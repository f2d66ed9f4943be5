"""GDPR: a person downloads their data as JSON, after a recent authentication."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain

from .conftest import client_for, make_contact

pytestmark = [pytest.mark.django_db]


def test_my_data_as_json(alice: User, org_a: Organisation, domain_a: Domain) -> None:
    make_contact(org_a, "Someone Else")  # contact@example.org: not Alice, not exported
    mine = make_contact(org_a, "Alice Martin")
    mine.email = "alice@example.org"
    mine.save()
    client = client_for(alice)
    assert 'href="/account/data.json"' in client.get("/account/").content.decode()
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "alice@example.org"
    assert [o["name"] for o in data["organisations"]] == [org_a.name]
    assert [c["name"] for c in data["contacts"]] == ["Alice Martin"]
    assert domain_a.u_label in [d["name"] for d in data["domains"]]
    assert any(e["event"] == "login" for e in data["security_log"])
    assert "password" not in response.content.decode()


def test_an_old_session_must_authenticate_again(alice: User, org_a: Organisation) -> None:
    response = client_for(alice, ago=3600).get("/account/data.json")
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
