"""A bundle (RFC 9095) at every door: each bundled name reaches its registration through the
portal, the API and the `bureau` command; search and cart show a bundle as one item with all
its names and one price; a variant of someone else's name says it is part of a registered
bundle. Against the sandbox registry over EPP/TLS."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from bureau.audit.operations import tokens
from bureau.audit.scopes import SCOPES
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries.models import Registry

from .conftest import client_for, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def bundle(alice: User, org_a: Organisation, sandbox_registry: Registry) -> Domain:
    ledger.top_up(org_a, 100_000, "EUR")
    return register.register(organisation=org_a, actor=Actor(alice), name="entraide.ngo",
                             registrant=make_contact(org_a, "Holder")).domain


def cli(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_each_bundled_name_reaches_its_registration_at_every_door(
        bundle: Domain, client_a: Client, alice: User, org_a: Organisation) -> None:
    assert bundle.names == ["entraide.ngo", "entraide.ong"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer " + tokens.create_token(
        actor=Actor.console(alice), organisation=org_a, name="t", scopes=list(SCOPES)).secret)
    answer = api.get("/api/v1/domains/entraide.ong/")
    assert answer.status_code == 200 and answer.json()["name"] == "entraide.ngo"
    assert [b["name"] for b in answer.json()["bundled_names"]] == ["entraide.ong"]
    listing = client_a.get("/domains/", {"q": "entraide.ong"}).content.decode()
    assert f"/domains/{bundle.pk}/" in listing
    shown = cli("domain", "info", "entraide.ong")
    assert shown.startswith("entraide.ngo") and "bundled names: entraide.ong" in shown


def test_search_shows_a_bundle_as_one_item_and_the_cart_refuses_its_variant(
        client_a: Client, org_a: Organisation, sandbox_registry: Registry) -> None:
    make_contact(org_a, "Holder")
    page = client_a.get("/search/", {"q": "partage.ngo"}).content.decode()
    body = page.split('id="results"', 1)[1].split("</table>", 1)[0]
    rows = body.split("<tr>")[2:]
    together = [row for row in rows if "partage.ngo" in row or "partage.ong" in row]
    assert len(together) == 1 and "partage.ngo, partage.ong" in together[0]
    assert 'name="bundled" value="partage.ong"' in together[0]
    client_a.post("/cart/add/", {"name": "partage.ngo", "price": 3200, "currency": "EUR",
                                 "bundled": "partage.ong"})
    refused = client_a.post("/cart/add/", {"name": "partage.ong", "price": 3200,
                                           "currency": "EUR", "bundled": "partage.ngo"},
                            follow=True).content.decode()
    assert "in the same bundle as partage.ngo" in refused
    cart = client_a.get("/cart/").content.decode()
    assert "Total for one year: 32.00 EUR" in cart and "partage.ong" in cart
    assert len(client_a.session["bureau_cart"]) == 1


def test_a_variant_of_someone_elses_name_says_so_at_every_door(
        bundle: Domain, bob: User, org_b: Organisation) -> None:
    page = client_for(bob).get("/search/", {"q": "entraide.ong"}).content.decode()
    assert "part of a registered bundle, with entraide.ngo" in page
    shown = cli("domain", "check", "entraide.ong", "solidaire.ngo")
    assert "part of a registered bundle, with entraide.ngo" in shown
    assert "with its bundled names: solidaire.ong" in shown
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer " + tokens.create_token(
        actor=Actor.console(bob), organisation=org_b, name="t", scopes=list(SCOPES)).secret)
    found = api.get("/api/v1/search/", {"q": "libre"})  # every TLD, .ngo and .ong among them
    assert found.status_code == 200, found.content
    results = {r["name"]: r for r in found.json()["results"]}
    assert [b["name"] for b in results["libre.ngo"]["bundled_names"]] == ["libre.ong"]
    assert [b["name"] for b in results["libre.ong"]["bundled_names"]] == ["libre.ngo"]
