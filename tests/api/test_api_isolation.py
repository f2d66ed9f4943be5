"""A person or token of organisation A can neither read nor change anything of organisation
B through the API: every endpoint answers 404 (or leaves B out of lists), and B's data is
unchanged afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from bureau.audit.models import Invitation
from bureau.audit.operations import tokens
from bureau.registrar.accounts.models import Membership, Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries.models import Registry

from .conftest import FUNDS

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]


@pytest.fixture
def b_data(api: Api, registry: Registry, org_b: Organisation, contact_b: Contact,
           people: dict) -> dict:
    client = api("bob")
    name = f"secret-b-{uuid.uuid4().hex[:8]}.test"
    created = client.post("/api/v1/domains/", {"name": name,
                                               "registrant": contact_b.pk}, format="json")
    assert created.status_code == 201, created.json()
    invitation = Invitation.objects.create(organisation=org_b, email="x@example.org",
                                           role="tech", invited_by=people["bob"])
    token = tokens.create_token(actor=Actor.console(people["bob"]), organisation=org_b, name="b",
                                scopes=["domains:read"]).token
    membership = Membership.objects.get(user=people["bob"], organisation=org_b)
    return {"domain": name, "nameservers": Domain.objects.get(name=name).nameservers,
            "contact": contact_b.pk, "org": org_b.slug,
            "invitation": invitation.pk, "token": token.pk, "membership": membership.pk,
            "balance": ledger.balance(org_b, "EUR")}


@pytest.fixture(params=["token", "session"])
def alice(request: pytest.FixtureRequest, api: Api) -> APIClient:
    return api("alice", session=request.param == "session")


def test_lists_leave_organisation_b_out(alice: APIClient, b_data: dict) -> None:
    for url in ["/api/v1/domains/", "/api/v1/contacts/", "/api/v1/billing/balances/",
                "/api/v1/billing/ledger/", "/api/v1/billing/orders/",
                "/api/v1/organisations/", "/api/v1/tokens/"]:
        response = alice.get(url)
        assert response.status_code == 200, (url, response.json())
        text = response.content.decode()
        assert "secret-b" not in text and "bureau-b" not in text, url
    for url, params in [("/api/v1/domains/", {"organisation": "bureau-b"}),
                        ("/api/v1/domains/", {"state": "active"}),
                        ("/api/v1/billing/orders/", {"domain_name": b_data["domain"]}),
                        ("/api/v1/contacts/", {"organisation": "bureau-b"})]:
        assert "secret-b" not in alice.get(url, params).content.decode()


def test_objects_of_b_are_not_found(alice: APIClient, b_data: dict) -> None:
    d, c, o = b_data["domain"], b_data["contact"], b_data["org"]
    reads = [f"/api/v1/domains/{d}/", f"/api/v1/domains/{d}/history/",
             f"/api/v1/contacts/{c}/", f"/api/v1/organisations/{o}/",
             f"/api/v1/organisations/{o}/members/", f"/api/v1/organisations/{o}/invitations/",
             f"/api/v1/tokens/{b_data['token']}/",
             f"/api/v1/billing/orders/{Domain.objects.get(name=d).orders.get().pk}/"]
    for url in reads:
        assert alice.get(url).status_code == 404, url
    writes: list[tuple[str, str, dict]] = [
        ("patch", f"/api/v1/domains/{d}/", {"nameservers": ["ns.evil.example"]}),
        ("delete", f"/api/v1/domains/{d}/", {}),
        ("post", f"/api/v1/domains/{d}/renew/", {"period": 1}),
        ("post", f"/api/v1/domains/{d}/restore/", {}),
        ("post", f"/api/v1/domains/{d}/auth-code/", {}),
        ("post", f"/api/v1/domains/{d}/holder/", {"registrant": c, "old_holder_consent": True,
                                                  "new_holder_consent": True}),
        ("post", f"/api/v1/domains/{d}/transfer-out/approve/", {}),
        ("post", f"/api/v1/domains/{d}/transfer-out/reject/", {}),
        ("patch", f"/api/v1/contacts/{c}/", {"name": "Pirate"}),
        ("delete", f"/api/v1/contacts/{c}/", {}),
        ("patch", f"/api/v1/organisations/{o}/members/{b_data['membership']}/",
         {"role": "read-only"}),
        ("delete", f"/api/v1/organisations/{o}/members/{b_data['membership']}/", {}),
        ("post", f"/api/v1/organisations/{o}/invitations/", {"email": "me@example.org",
                                                             "role": "owner"}),
        ("delete", f"/api/v1/organisations/{o}/invitations/{b_data['invitation']}/", {}),
        ("delete", f"/api/v1/tokens/{b_data['token']}/", {}),
    ]
    for method, url, body in writes:
        response = getattr(alice, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.json())
        assert response["Content-Type"] == "application/problem+json"


def test_cannot_create_in_b_or_use_b_contacts(alice: APIClient, b_data: dict,
                                              contact_a: Contact) -> None:
    for url, body, field in [
        ("/api/v1/domains/", {"organisation": "bureau-b", "name": "vol.test",
                              "registrant": b_data["contact"]}, "organisation"),
        ("/api/v1/domains/", {"name": "vol.test", "registrant": b_data["contact"]},
         "registrant"),
        ("/api/v1/contacts/", {"organisation": "bureau-b", "name": "X"}, "organisation"),
        ("/api/v1/transfers/", {"organisation": "bureau-b", "name": b_data["domain"],
                                "auth_code": "x"}, "organisation"),
        ("/api/v1/tokens/", {"organisation": "bureau-b", "name": "x",
                             "scopes": ["domains:read"]}, "organisation"),
    ]:
        response = alice.post(url, body, format="json")
        assert response.status_code == 400, (url, response.json())
        assert field in {e["field"] for e in response.json()["errors"]}, url
    response = alice.post("/api/v1/domains/", {"name": "mine.test",
                                               "registrant": contact_a.pk,
                                               "admin_contact": b_data["contact"]},
                          format="json")
    assert response.status_code == 400


def test_b_is_unchanged_afterwards(alice: APIClient, b_data: dict) -> None:
    test_objects_of_b_are_not_found(alice, b_data)
    domain = Domain.objects.get(name=b_data["domain"])
    assert domain.state == "active" and domain.nameservers == b_data["nameservers"]
    assert Contact.objects.get(pk=b_data["contact"]).name == "Bob Bernard"
    assert Membership.objects.filter(pk=b_data["membership"], role="owner").exists()
    assert ledger.balance(domain.organisation, "EUR") == b_data["balance"] < FUNDS
    assert Invitation.objects.get(pk=b_data["invitation"]).revoked_at is None


def test_token_of_a_is_bound_to_a_even_if_person_is_in_b(api: Api, people: dict,
                                                         org_b: Organisation,
                                                         b_data: dict) -> None:
    Membership.objects.create(user=people["alice"], organisation=org_b, role="owner")
    token_client = api("alice")  # a token made for A
    assert "secret-b" not in token_client.get("/api/v1/domains/").content.decode()
    assert token_client.get(f"/api/v1/domains/{b_data['domain']}/").status_code == 404
    session = api("alice", session=True)  # the person sees both organisations
    assert session.get(f"/api/v1/domains/{b_data['domain']}/").status_code == 200
