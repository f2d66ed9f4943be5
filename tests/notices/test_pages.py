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
