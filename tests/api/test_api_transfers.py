"""Transfers through the API with another registrar of the sandbox (in and out), lost
registry answers and an unreachable registry, as problem details."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from bureau import epp
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.poll import process_poll_queue
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import Registry
from bureau.sandbox.testing import Sandbox

from .conftest import FUNDS
from .test_api_domains import register

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]
PROBLEM = "application/problem+json"


def test_transfer_in_is_accepted_then_completed(
        api: Api, registry: Registry, rival: epp.Session,
        rival_holds: Callable[[str, str], None], contact_a: Contact) -> None:
    rival_holds("arrivee.test", "Code-2-Move!")
    client = api("bill", session=True)
    response = client.post("/api/v1/transfers/", {"name": "arrivee.test",
                                                  "auth_code": "Code-2-Move!"}, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["domain"]["state"] == "pending-transfer-in"
    assert response.json()["order"]["state"] == "pending"
    rival.execute(epp.DomainTransfer("approve", "arrivee.test"))
    process_poll_queue(registry)
    domain = client.get("/api/v1/domains/arrivee.test/").json()
    assert domain["state"] == "active"
    assert ledger.balance(contact_a.organisation, "EUR") == FUNDS - 1000


def test_transfer_out_reveal_then_reject(api: Api, registry: Registry, rival: epp.Session,
                                         contact_a: Contact) -> None:
    client = api("alice")
    register(client, "reste-ici.test", contact_a)
    unlocked = client.patch("/api/v1/domains/reste-ici.test/", {"locks": {"transfer": False}},
                            format="json")
    assert unlocked.status_code == 200, unlocked.json()
    code = client.post("/api/v1/domains/reste-ici.test/auth-code/").json()["auth_code"]
    rival.execute(epp.DomainTransfer("request", "reste-ici.test", auth_info=code))
    process_poll_queue(registry)
    assert client.get("/api/v1/domains/reste-ici.test/").json()["state"] == \
        "pending-transfer-out"
    tech = api("tess").post("/api/v1/domains/reste-ici.test/transfer-out/reject/")
    assert tech.status_code == 403
    rejected = client.post("/api/v1/domains/reste-ici.test/transfer-out/reject/")
    assert rejected.status_code == 200, rejected.json()
    assert rejected.json()["domain"]["state"] == "active"
    again = client.post("/api/v1/domains/reste-ici.test/transfer-out/approve/")
    assert again.status_code == 409 and again.json()["type"].endswith("/wrong-state")


def test_lost_answer_is_pending_not_failed(api: Api, registry: Registry, contact_a: Contact,
                                           sandbox: Sandbox) -> None:
    client = api("alice")
    register(client, "perdu.test", contact_a)
    sandbox.faults.drop_after("domain:renew")
    sandbox.faults.drop_before("domain:info")
    try:
        response = client.post("/api/v1/domains/perdu.test/renew/", {}, format="json")
    finally:
        sandbox.faults.clear()
    assert response.status_code == 202, response.json()
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/outcome-pending")
    assert Domain.objects.get(name="perdu.test").orders.filter(state="unknown").exists()


def test_unreachable_registry_is_503_with_retry_after(api: Api, registry: Registry) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    Registry.objects.filter(pk=registry.pk).update(port=closed)
    connection.close_all()
    response = api("alice").get("/api/v1/search/", {"q": "injoignable"})
    assert response.status_code == 503, response.json()
    assert response["Content-Type"] == PROBLEM and response["Retry-After"] == "60"
    assert response.json()["incident"]


def test_a_transfer_code_with_control_characters_is_refused_before_any_charge(
        api: Api, registry: Registry, contact_a: Contact) -> None:
    """It used to answer 500 after charging, and the name stayed blocked for everyone."""
    client = api("alice")
    answer = client.post("/api/v1/transfers/", {"name": "verrou.test",
                                                "auth_code": "a\u000b\u001bb"}, format="json")
    assert 400 <= answer.status_code < 500, answer.content
    assert answer["Content-Type"] == PROBLEM
    assert ledger.balance(contact_a.organisation, "EUR") == FUNDS
    assert not Domain.objects.filter(name="verrou.test").exists()
    # A good code afterwards goes through to the registry (here: the name does not exist).
    again = client.post("/api/v1/transfers/", {"name": "verrou.test", "auth_code": "Good-1!x"},
                        format="json")
    assert again.status_code in (409, 422), again.json()
    assert ledger.balance(contact_a.organisation, "EUR") == FUNDS
