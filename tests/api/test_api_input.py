"""Bad input through the API: control characters, mixed-script names, bodies too large or
nested too deep, integers out of range. Each is refused with problem details that name the
field, never a 500, and nothing is charged or stored."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from bureau.api.parsers import MAX_DEPTH
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import Order
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.registries.models import Registry

from .conftest import FUNDS

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]
PROBLEM = "application/problem+json"
CONTACT = {"name": "Camille Martin", "email": "camille@example.org", "phone": "+33.123456789",
           "street": "1 rue de la Paix", "city": "Paris", "postal_code": "75002",
           "country": "FR"}


def fields_of(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    return {error["field"]: error["detail"] for error in body.get("errors", [])}


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Camille\x1b[31m Martin"), ("org", "Atelier\x00"), ("city", "Par\x7fis"),
    ("street", "1 rue\x85 de la Paix"), ("state", "Île\ufffe"), ("postal_code", "750\x0b02"),
    ("name", "Camille\nMartin"), ("street", "1 rue\x1e de la Paix"),
])
def test_a_contact_with_a_control_character_is_refused_with_its_field(
        api: Api, field: str, value: str) -> None:
    response = api("alice").post("/api/v1/contacts/", {**CONTACT, field: value}, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert field in fields_of(response)
    assert not Contact.objects.filter(name__startswith="Camille").exists()


def test_a_contact_street_keeps_its_lines_and_a_change_with_a_control_character_is_refused(
        api: Api, contact_a: Contact) -> None:
    client = api("alice")
    created = client.post("/api/v1/contacts/", {**CONTACT, "street": "1 rue\r\nBâtiment B"},
                          format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["street"] == "1 rue\nBâtiment B"
    response = client.patch(f"/api/v1/contacts/{contact_a.pk}/", {"city": "Lyon\x1b"},
                            format="json")
    assert response.status_code == 400
    assert "U+001B (ESCAPE)" in fields_of(response)["city"]
    contact_a.refresh_from_db()
    assert contact_a.city == "Paris"  # what was stored is untouched


def test_a_lone_surrogate_in_a_contact_is_refused(api: Api) -> None:
    # JSON can carry a lone surrogate as an escape; Python then holds it in a str.
    body = json.dumps({**CONTACT, "name": "Camille"})[:-1] + ', "org": "A\\ud800"}'
    response = api("alice").post("/api/v1/contacts/", body, content_type="application/json")
    assert response.status_code == 400 and "org" in fields_of(response)


def test_a_transfer_code_with_control_characters_is_refused_before_any_charge(
        api: Api, registry: Registry, org_a: object) -> None:
    response = api("alice").post("/api/v1/transfers/", {"name": "arrivee.test",
                                                        "auth_code": "a\u000b\u001bb"},
                                 format="json")
    assert response.status_code == 400, response.content
    assert "auth_code" in fields_of(response)
    assert not Order.objects.exists() and not Domain.objects.exists()
    assert ledger.balance(org_a, "EUR") == FUNDS  # type: ignore[arg-type]


def test_a_mixed_script_name_is_refused_naming_the_label_and_its_scripts(
        api: Api, registry: Registry, contact_a: Contact) -> None:
    client = api("alice")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # script names are translated too
    response = client.post("/api/v1/domains/", {"name": "p\u0430ypal.test",
                                                "registrant": contact_a.pk}, format="json")
    assert response.status_code == 422, response.content
    detail = fields_of(response)["name"]
    assert "p\u0430ypal" in detail and "Cyrillic" in detail and "Latin" in detail
    assert not Domain.objects.exists() and not Order.objects.exists()
    searched = client.get("/api/v1/search/", {"q": "p\u0430ypal.test"})
    assert searched.status_code == 422 and "Cyrillic" in searched.json()["detail"]
    # One script per label: the same name in Latin alone registers.
    assert client.post("/api/v1/domains/", {"name": "paypal-2.test",
                                            "registrant": contact_a.pk},
                       format="json").status_code == 201


def test_a_body_over_the_limit_is_413(api: Api) -> None:
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    body = json.dumps({**CONTACT, "org": "x" * size})
    response = api("alice").post("/api/v1/contacts/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert response.json()["max_bytes"] == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_a_body_nested_too_deep_is_400(api: Api, depth: int) -> None:
    body = "[" * depth + "]" * depth
    response = api("alice").post("/api/v1/contacts/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert "nested deeper" in response.json()["detail"]


@pytest.mark.parametrize(("path", "payload", "field"), [
    ("/api/v1/domains/", {"name": "grand.test", "registrant": 2**70}, "registrant"),
    ("/api/v1/domains/", {"name": "grand.test", "registrant": 1, "period": 2**70}, "period"),
    ("/api/v1/domains/", {"name": "grand.test", "registrant": 1, "accepted_price": 2**70},
     "accepted_price"),
    ("/api/v1/transfers/", {"name": "grand.test", "auth_code": "x", "accepted_price": -2**70},
     "accepted_price"),
])
def test_integers_out_of_range_are_field_errors(api: Api, registry: Registry, path: str,
                                                payload: dict, field: str) -> None:
    response = api("alice").post(path, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in fields_of(response)


def test_page_sizes_and_pages_out_of_range_are_not_errors_of_bureau(api: Api,
                                                                    contact_a: Contact) -> None:
    client = api("alice")
    big = client.get("/api/v1/contacts/", {"page_size": 2**70})
    assert big.status_code == 200 and big.json()["results"]
    assert client.get("/api/v1/contacts/", {"page": 2**70}).status_code == 404


@pytest.mark.parametrize("query", [
    {"search": "a\x00b"}, {"organisation": "\x00"}, {"country": "F\x00"},
    {"ordering": "name\x00"}, {"page_size": "1\x00"}
])
def test_control_characters_in_query_parameters_are_400(api: Api, contact_a: Contact,
                                                       query: dict) -> None:
    response = api("alice").get("/api/v1/contacts/", query)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM


def test_too_many_form_fields_are_400(api: Api) -> None:
    fields = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = api("alice").post("/api/v1/contacts/", fields)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
