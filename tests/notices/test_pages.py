"""Published fees and the parking page."""

from __future__ import annotations

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
