"""Domains through the API against the sandbox registry over TLS: search with prices and
premium flags, register, list, update, renew, auth code reveal (audited), delete, restore,
transfers; refusals as problem details."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from bureau import epp
from bureau.audit.models import SecurityEvent
from bureau.notices.goodbye import checklist
from bureau.notices.models import Goodbye
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import DomainEvent
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import Registry
from bureau.sandbox.testing import Sandbox

from .conftest import FUNDS

EVERY_POINT = [item.key for item in checklist()]

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]
PROBLEM = "application/problem+json"


def register(client: APIClient, name: str, contact: Contact, **extra: object) -> dict:
    response = client.post("/api/v1/domains/", {"name": name, "registrant": contact.pk,
                                                **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_search_prices_every_tld_with_premium_and_bundles(api: Api, registry: Registry) -> None:
    response = api("alice").get("/api/v1/search/", {"q": "shop"})
    assert response.status_code == 200, response.json()
    results = {r["tld"]: r for r in response.json()["results"]}
    assert set(results) == {"test", "example", "ngo", "ong", "xn--0zwm56d", "review"}
    assert results["test"]["premium"] and results["test"]["price"] == 25_000
    assert not results["example"]["premium"] and results["example"]["price"] == 1400
    assert results["ngo"]["bundled"] and not results["test"]["bundled"]
    chinese = api("alice").get("/api/v1/search/", {"q": "電腦"}).json()["results"]
    variants = {r["tld"]: r["bundled_names"] for r in chinese}
    assert variants["xn--0zwm56d"], chinese  # the simplified variant of 電腦.测试
    assert all(v["u_label"].startswith("电") and v["name"].startswith("xn--")
               for v in variants["xn--0zwm56d"])
    assert variants["test"] == []
    full = api("alice").get("/api/v1/search/", {"q": "Café.example"}).json()["results"]
    assert full[0]["name"] == "xn--caf-dma.example" and full[0]["u_label"] == "café.example"
    bad = api("alice").get("/api/v1/search/", {"q": "a..b"})
    assert bad.status_code in (400, 422) and bad["Content-Type"] == PROBLEM


def test_search_is_rate_limited(api: Api, registry: Registry, settings: object) -> None:
    client = api("alice")
    statuses = [client.get("/api/v1/search/", {"q": f"n{i}"}).status_code for i in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    limited = client.get("/api/v1/search/", {"q": "x"})
    assert limited["Content-Type"] == PROBLEM and int(limited["Retry-After"]) >= 1


def test_register_list_update_renew(api: Api, registry: Registry, contact_a: Contact) -> None:
    client = api("alice")
    body = register(client, "atelier-api.test", contact_a, period=2,
                    nameservers=["ns1.exemple.org", "ns2.exemple.org"], accepted_price=2000)
    assert body["domain"]["state"] == "active"
    assert body["order"]["amount"] == 2000 and body["order"]["state"] == "completed"
    assert body["domain"]["locks"]["transfer"] is True
    listed = client.get("/api/v1/domains/", {"tld": "test", "ordering": "name"}).json()
    assert [d["name"] for d in listed["results"]] == ["atelier-api.test"]
    assert client.get("/api/v1/domains/", {"state": "deleted"}).json()["count"] == 0

    changed = client.patch("/api/v1/domains/atelier-api.test/",
                           {"nameservers": ["ns1.exemple.net"], "locks": {"delete": True}},
                           format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["domain"]["nameservers"] == ["ns1.exemple.net"]
    assert changed.json()["domain"]["locks"]["delete"] is True

    renewed = client.post("/api/v1/domains/atelier-api.test/renew/", {"period": 1},
                          format="json")
    assert renewed.status_code == 200, renewed.json()
    assert ledger.balance(contact_a.organisation, "EUR") == FUNDS - 2000 - 1000

    locked = client.post("/api/v1/domains/atelier-api.test/goodbye/", {
        "mode": "delete", "checklist": EVERY_POINT, "typed_name": "atelier-api.test"},
        format="json")
    assert locked.status_code == 409 and locked["Content-Type"] == PROBLEM
    assert locked.json()["type"].endswith("/status-prohibits")
    # The refused deletion withdrew the goodbye: reminders go on, DELETE alone is refused.
    assert not Goodbye.objects.filter(domain__name="atelier-api.test",
                                      withdrawn_at=None).exists()

    history = client.get("/api/v1/domains/atelier-api.test/history/").json()
    assert {"create", "update", "renew"} <= {e["operation"] for e in history["results"]}
    assert any("api-token:" in e["actor"] for e in history["results"])


def test_price_changed_and_insufficient_funds_are_problems(api: Api, registry: Registry,
                                                           contact_a: Contact) -> None:
    client = api("alice")
    changed = client.post("/api/v1/domains/", {"name": "prix.test", "registrant": contact_a.pk,
                                               "accepted_price": 1}, format="json")
    assert changed.status_code == 409
    assert changed.json()["price"] == 1000 and changed.json()["errors"][0]["field"] == "price"
    broke = client.post("/api/v1/domains/", {"name": "bank.example", "registrant":
                                             contact_a.pk}, format="json")
    assert broke.status_code == 402, broke.json()
    assert broke.json()["type"].endswith("/insufficient-funds")
    invalid = client.post("/api/v1/domains/", {"name": "x", "period": 20}, format="json")
    assert invalid.status_code == 400
    fields = {e["field"] for e in invalid.json()["errors"]}
    assert {"period", "registrant"} <= fields


def test_auth_code_reveal_is_audited_and_role_bound(api: Api, registry: Registry,
                                                   contact_a: Contact,
                                                   people: dict) -> None:
    register(api("alice"), "code.test", contact_a)
    tech = api("tess").post("/api/v1/domains/code.test/auth-code/")
    assert tech.status_code == 403 and tech["Content-Type"] == PROBLEM
    revealed = api("alice").post("/api/v1/domains/code.test/auth-code/")
    assert revealed.status_code == 200
    assert revealed["Cache-Control"] == "no-store"
    assert len(revealed.json()["auth_code"]) >= 8
    event = SecurityEvent.objects.get(kind="auth-code-revealed")
    assert event.user == people["alice"] and event.detail["domain"] == "code.test"
    assert DomainEvent.objects.filter(domain_name="code.test",
                                      operation="auth-info-reveal").exists()


def test_roles_bound_what_each_person_may_do(api: Api, registry: Registry,
                                            contact_a: Contact) -> None:
    billing = api("bill", session=True)
    register(billing, "facture.test", contact_a)  # billing orders...
    refused = billing.patch("/api/v1/domains/facture.test/", {"locks": {"delete": True}},
                            format="json")
    assert refused.status_code == 403  # ...but changes nothing technical
    reader = api("rita", session=True)
    assert reader.get("/api/v1/domains/facture.test/").status_code == 200
    assert reader.post("/api/v1/domains/facture.test/renew/", {}, format="json"
                       ).status_code == 403
    assert reader.post("/api/v1/contacts/", {"name": "x"}, format="json").status_code == 403


def test_delete_then_restore(api: Api, registry: Registry, contact_a: Contact,
                             sandbox: Sandbox) -> None:
    client = api("alice")
    register(client, "phoenix.test", contact_a)
    sandbox.clock.advance(days=30)  # past the add grace period: deletion goes to redemption
    # One rule for every edge: no deletion without the goodbye (checklist and typed name).
    bare = client.delete("/api/v1/domains/phoenix.test/")
    assert bare.status_code == 422 and bare.json()["type"].endswith("/consent-missing")
    url = "/api/v1/domains/phoenix.test/goodbye/"
    unticked = client.post(url, {"mode": "delete", "checklist": EVERY_POINT[:2],
                                 "typed_name": "phoenix.test"}, format="json")
    assert unticked.status_code == 422 and unticked.json()["type"].endswith("/consent-missing")
    mistyped = client.post(url, {"mode": "delete", "checklist": EVERY_POINT,
                                 "typed_name": "phenix.test"}, format="json")
    assert mistyped.status_code == 422 and "(phoenix.test)" in mistyped.json()["detail"]
    assert client.get("/api/v1/domains/phoenix.test/").json()["state"] == "active"
    deleted = client.post(url, {"mode": "delete", "checklist": EVERY_POINT,
                                "typed_name": "phoenix.test"}, format="json")
    assert deleted.status_code == 200, deleted.json()
    assert deleted.json()["domain"]["state"] == "redemption"
    restored = client.post("/api/v1/domains/phoenix.test/restore/", {}, format="json")
    assert restored.status_code == 200, restored.json()
    assert restored.json()["domain"]["state"] == "active"


def test_transfer_in_with_wrong_code_is_refused_and_refunded(api: Api, registry: Registry,
                                                             contact_a: Contact,
                                                             contact_b: Contact) -> None:
    register(api("bob"), "partant.test", contact_b)
    client = api("alice")
    wrong = client.post("/api/v1/transfers/", {"name": "partant.test", "auth_code": "nope-1A!"},
                        format="json")
    assert wrong.status_code in (409, 422), wrong.json()
    assert wrong["Content-Type"] == PROBLEM
    assert ledger.balance(contact_a.organisation, "EUR") == FUNDS


def test_contact_change_reaches_the_registry(api: Api, registry: Registry,
                                             contact_a: Contact, sandbox: Sandbox) -> None:
    client = api("alice")
    register(client, "contact-sync.test", contact_a)
    changed = client.patch(f"/api/v1/contacts/{contact_a.pk}/", {"city": "Marseille"},
                           format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["registries_not_updated"] == []
    handle = contact_a.handles.get()
    info = connection.execute(registry, epp.ContactInfo(handle.handle)).data
    assert info.postal_info[0].addr.city == "Marseille"


def test_a_name_under_review_is_accepted_not_registered(api: Api, registry: Registry,
                                                        contact_a: Contact) -> None:
    client = api("alice")
    response = client.post("/api/v1/domains/", {"name": "atelier-api.review",
                                                "registrant": contact_a.pk}, format="json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["domain"]["state"] == "pending-create"
    assert body["order"]["state"] == "pending" and body["order"]["amount"] == 1700
    assert "The registry is reviewing atelier-api.review" in body["message"]
    assert ledger.balance(contact_a.organisation, "EUR") == FUNDS - 1700  # reserved
    french = client.post("/api/v1/domains/", {"name": "atelier-fr.review",
                                              "registrant": contact_a.pk}, format="json",
                         HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 202
    assert "Le registre examine atelier-fr.review" in french.json()["message"]
    registered = register(client, "atelier-api2.test", contact_a)
    assert registered["message"] == ""
