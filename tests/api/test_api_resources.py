"""Contacts, money, organisations (people, roles, invitations), the served schema and docs,
and the shape of problem details."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from bureau.audit.models import Invitation, SecurityEvent
from bureau.registrar.accounts.models import Membership, Organisation
from bureau.registrar.contacts.models import Contact

from .conftest import FUNDS

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]
PROBLEM = "application/problem+json"
CONTACT = {"name": "Dominique Roux", "email": "dominique@example.org",
           "phone": "+33 1 23 45 67 89", "street": "2 rue Neuve", "city": "Lyon",
           "postal_code": "69001", "country": "fr"}


def test_contacts_crud_with_field_errors(api: Api, org_a: Organisation) -> None:
    client = api("alice")
    created = client.post("/api/v1/contacts/", CONTACT, format="json")
    assert created.status_code == 201, created.json()
    contact = created.json()
    assert contact["phone"] == "+33.123456789" and contact["country"] == "FR"
    assert contact["organisation"] == "atelier-a"

    bad = client.post("/api/v1/contacts/", {**CONTACT, "phone": "0123", "country": "XX"},
                      format="json")
    assert bad.status_code == 400 and bad["Content-Type"] == PROBLEM
    problem = bad.json()
    assert problem["type"].endswith("/validation-error") and problem["status"] == 400
    assert problem["instance"] == "/api/v1/contacts/"
    assert {e["field"] for e in problem["errors"]} == {"phone", "country"}

    changed = client.patch(f"/api/v1/contacts/{contact['id']}/", {"city": "Grenoble"},
                           format="json")
    assert changed.status_code == 200 and changed.json()["city"] == "Grenoble"
    listed = client.get("/api/v1/contacts/", {"search": "Dominique"}).json()
    assert [c["id"] for c in listed["results"]] == [contact["id"]]
    assert client.delete(f"/api/v1/contacts/{contact['id']}/").status_code == 204
    assert not Contact.objects.filter(pk=contact["id"]).exists()
    tech = api("tess").post("/api/v1/contacts/", CONTACT, format="json")
    assert tech.status_code == 403


def test_balance_and_ledger(api: Api, org_a: Organisation) -> None:
    client = api("bill", session=True)
    balances = client.get("/api/v1/billing/balances/").json()["results"]
    assert balances == [{"organisation": "atelier-a", "currency": "EUR", "balance": FUNDS}]
    ledger = client.get("/api/v1/billing/ledger/", {"kind": "top-up"}).json()["results"]
    assert [(e["amount"], e["kind"]) for e in ledger] == [(FUNDS, "top-up")]
    assert client.get("/api/v1/billing/orders/").json()["count"] == 0


def test_members_roles_and_invitations(api: Api, people: dict[str, User],
                                       org_a: Organisation) -> None:
    owner = api("alice")
    orgs = owner.get("/api/v1/organisations/").json()["results"]
    assert orgs == [{"slug": "atelier-a", "name": "Atelier A",
                     "created_at": orgs[0]["created_at"], "role": "owner"}]
    members = owner.get("/api/v1/organisations/atelier-a/members/").json()["results"]
    assert {m["person"]["username"]: m["role"] for m in members} == {
        "alice": "owner", "tess": "tech", "bill": "billing", "rita": "read-only"}
    rita = Membership.objects.get(user=people["rita"])
    promoted = owner.patch(f"/api/v1/organisations/atelier-a/members/{rita.pk}/",
                           {"role": "tech"}, format="json")
    assert promoted.status_code == 200 and promoted.json()["role"] == "tech"
    assert SecurityEvent.objects.filter(kind="role-changed").exists()
    last_owner = Membership.objects.get(user=people["alice"])
    refused = owner.patch(f"/api/v1/organisations/atelier-a/members/{last_owner.pk}/",
                          {"role": "admin"}, format="json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "role"

    invited = owner.post("/api/v1/organisations/atelier-a/invitations/",
                         {"email": "New@Example.org", "role": "billing"}, format="json")
    assert invited.status_code == 201, invited.json()
    assert invited.json()["email"] == "new@example.org" and invited.json()["is_open"]
    assert "token" not in invited.json()
    tech = api("tess", session=True)
    assert tech.post("/api/v1/organisations/atelier-a/invitations/",
                     {"email": "x@example.org", "role": "owner"},
                     format="json").status_code == 403
    withdrawn = owner.delete(f"/api/v1/organisations/atelier-a/invitations/"
                             f"{invited.json()['id']}/")
    assert withdrawn.status_code == 204
    assert Invitation.objects.get(pk=invited.json()["id"]).revoked_at is not None
    removed = owner.delete(f"/api/v1/organisations/atelier-a/members/{rita.pk}/")
    assert removed.status_code == 204
    assert not Membership.objects.filter(pk=rita.pk).exists()


def test_schema_and_docs_are_served_without_cdn(db: object) -> None:
    client = APIClient()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/domains/{name}/auth-code/" in spec["paths"]
    assert "bearerToken" in spec["components"]["securitySchemes"]
    responses = spec["paths"]["/api/v1/domains/"]["post"]["responses"]
    assert "application/problem+json" in responses["409"]["content"]
    for page in ("/api/v1/docs/", "/api/v1/redoc/"):
        response = client.get(page)
        html = response.content.decode()
        assert response.status_code == 200, page
        assert "/static/drf_spectacular_sidecar/" in html, page
        assert "https://" not in html and "<script>" not in html, page
        assert "script-src 'self';" in response["Content-Security-Policy"]
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_unknown_objects_and_methods_are_problems(api: Api) -> None:
    client = api("alice")
    missing = client.get("/api/v1/domains/nowhere.test/")
    assert missing.status_code == 404 and missing["Content-Type"] == PROBLEM
    assert missing.json()["type"].endswith("/not-found")
    method = client.put("/api/v1/domains/nowhere.test/", {}, format="json")
    assert method.status_code == 405 and method.json()["status"] == 405
