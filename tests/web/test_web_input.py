"""Bad input through the portal: control characters on the field they are in, a mixed-script
name, a body over the limit (a 413 page), integers out of range: a page that says what to
fix, never a 500."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.registries.models import Registry

pytestmark = pytest.mark.django_db

CONTACT = {"name": "Camille Martin", "email": "camille@example.org", "phone": "+33.123456789",
           "street": "1 rue de la Paix", "city": "Paris", "postal_code": "75002",
           "country": "FR"}


def test_a_contact_with_a_control_character_is_refused_on_its_field(
        client_a: Client, org_a: Organisation) -> None:
    response = client_a.post("/contacts/new/", {**CONTACT, "org": "Atelier\x1b[0m"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "U+001B (ESCAPE)" in page and "type the text again without it" in page
    assert not Contact.objects.filter(organisation=org_a).exists()
    saved = client_a.post("/contacts/new/", {**CONTACT, "street": "1 rue\r\nBâtiment B"})
    assert saved.status_code == 302
    assert Contact.objects.get(organisation=org_a).street_lines == ["1 rue", "Bâtiment B"]


def test_an_organisation_name_with_a_control_character_is_refused(client_a: Client) -> None:
    response = client_a.post("/organisations/new/", {"name": "Coop\x07"})
    assert response.status_code == 200 and "U+0007" in response.content.decode()
    assert not Organisation.objects.filter(name__startswith="Coop").exists()


def test_a_mixed_script_name_is_refused_in_the_search(client_a: Client,
                                                      sandbox_registry: Registry) -> None:
    page = client_a.get("/search/", {"q": "p\u0430ypal.test"}).content.decode()
    assert "mixes scripts (Cyrillic, Latin)" in page


def test_a_body_over_the_limit_is_a_413_page(client_a: Client) -> None:
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client_a.post("/contacts/new/", {**CONTACT, "org": big})
    assert response.status_code == 413
    assert "larger than" in response.content.decode()


def test_an_integer_out_of_range_is_a_field_error(client_a: Client) -> None:
    response = client_a.post("/cart/add/", {"name": "grand.test", "price": 2**70,
                                            "currency": "EUR"})
    assert response.status_code < 500
    assert client_a.session.get("bureau_cart", []) == []


def test_a_control_character_in_the_address_is_a_400_page(client_a: Client) -> None:
    assert client_a.get("/domains/", {"q": "a\x00b"}).status_code == 400
    assert client_a.get("/search/", {"q": "\x1b"}).status_code == 400
