"""What a visitor who is not logged in can do: the landing page (search box, prices, links to
the public pages) and the search, which leads to sign-up with the searched name kept. Django's
test client against the sandbox registry over EPP/TLS; the browser walk is in test_e2e.py."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client, override_settings

from bureau.registrar.registries.models import Registry, Tld

from .conftest import english_client

pytestmark = [pytest.mark.django_db]


def test_landing_page_has_a_search_box_prices_and_public_links(tld: Tld) -> None:
    page = english_client().get("/").content.decode()
    assert 'role="search"' in page and 'action="/search/"' in page and 'name="q"' in page
    prices = page.split('id="prices"', 1)[1].split("</table>", 1)[0]
    assert ".test" in prices and "12.00 EUR" in prices
    for link in ["/notices/fees/", "/coop/", "/coop/transparency/", "/accounts/signup/"]:
        assert f'href="{link}"' in page
    for link in ["/notices/fees/", "/coop/", "/coop/transparency/"]:
        assert english_client().get(link).status_code == 200


@pytest.mark.slow
def test_a_visitor_searches_then_signs_up_and_finds_the_name_again(
        sandbox_registry: Registry) -> None:
    visitor = english_client()
    response = visitor.get("/search/", {"q": "monnom.test"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "monnom.test" in page and "Available" in page and "10.00 EUR" in page
    assert "Add to cart" not in page  # visitors cannot order
    signup = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', page)
    assert signup is not None and "monnom.test" in signup.group(1)

    visitor.post(signup.group(1).replace("&amp;", "&"), {
        "email": "nouveau@example.org", "password1": "Un mot de passe assez long 2026!",
        "password2": "Un mot de passe assez long 2026!"})
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", str(mail.outbox[-1].body))
    assert link is not None
    response = visitor.post(link.group(1), follow=True)
    # First the organisation, then straight back to the search the visitor made.
    assert response.redirect_chain[-1][0].endswith("/organisations/new/")
    response = visitor.post("/organisations/new/", {"name": "Nouvel atelier"}, follow=True)
    assert response.redirect_chain[-1][0] == "/search/?q=monnom.test"
    assert "Add to cart" in response.content.decode()
    assert User.objects.get(email="nouveau@example.org").is_active


@override_settings(BUREAU_RATE_LIMITS={"check": "2/m"})
def test_visitors_searches_are_rate_limited_by_address(tld: Tld) -> None:
    visitor = english_client()
    codes = [visitor.get("/search/", {"q": "x.notsold"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_visitor_gets_a_clear_error_for_a_bad_name(tld: Tld) -> None:
    page = english_client().get("/search/", {"q": "exemple.notsold"}).content.decode()
    assert "does not sell names ending in .notsold" in page


def test_landing_page_in_french(tld: Tld) -> None:
    client = Client()  # Bureau's default language is French
    page = client.get("/").content.decode()
    assert "Trouvez votre nom de domaine" in page and "Enregistrement, un an" in page
    assert "Find your domain name" not in page


def test_the_icon_is_there_for_browsers_that_ask_without_reading_the_page(db: object) -> None:
    page = Client().get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert icon is not None
    answer = Client().get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"] == icon.group(1)
    assert finders.find("web/favicon.svg") is not None
