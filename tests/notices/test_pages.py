"""Published fees and the parking page."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from bureau.registrar.registries.models import Registry

pytestmark = pytest.mark.django_db


def test_fees_page_lists_renewal_late_renewal_and_restore(sandbox_registry: Registry) -> None:
    page = Client().get("/notices/fees/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert ".test" in body
    assert "10.00 EUR" in body  # renewal and late renewal of .test
    assert "42.00 EUR" in body  # restore
    assert "Late renewal" in body or "Renouvellement tardif" in body
    assert ".测试" in body and "xn--" not in body  # extensions as people read them


def test_parking_page_is_404_for_names_not_parked(db: object) -> None:
    assert Client().get("/notices/parked/", {"name": "nowhere.test"}).status_code == 404


def test_domain_panel_shows_the_timeline_and_banners(domain: object) -> None:
    from django.template import Context, Template

    from bureau.core import clock
    from bureau.notices.mail import record_failure

    html = Template("{% load notices %}{% domain_notices domain %}").render(
        Context({"domain": domain}))
    assert "not verified" in html and "Automatic renewal: not chosen" in html
    assert "/notices/goodbye/atelier.test/" in html
    record_failure("camille@example.org", "bounce", "550", clock.now())
    html = Template("{% load notices %}{% domain_notices domain %}").render(
        Context({"domain": domain}))
    assert "could not be delivered" in html


@pytest.mark.parametrize(("lang", "schedule", "fees"), [
    ("en", "by email 60, 30, 7, 1 days before expiry, and 2 days after",
     ".test: renewal (also late) 10.00 EUR per year; restore after deletion 42.00 EUR."),
    ("fr", "par courriel 60, 30, 7, 1 jours avant l’expiration, et 2 jours après",
     ".test : renouvellement (même tardif) 10,00 EUR par an ; restauration après "
     "suppression 42,00 EUR."),
])
def test_the_cart_states_the_reminders_and_the_renewal_and_restore_fees(
        member: Any, owner: Any, lang: str, schedule: str, fees: str) -> None:
    """ERRP (issue 21, point 8): before ordering, the cart describes the reminder schedule
    and gives each extension's renewal, late renewal and restore fees, in the reader's
    language."""
    client = Client(headers={"accept-language": lang})
    client.force_login(owner)
    client.post("/cart/add/", {"name": "atelier-velo.test", "price": 1000, "currency": "EUR"})
    cart = html.unescape(re.sub(r"\s+", " ", client.get("/cart/").content.decode()))
    assert "atelier-velo.test" in cart
    assert schedule in cart and fees in cart
