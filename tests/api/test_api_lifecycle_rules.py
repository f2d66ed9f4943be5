"""The API's renew and delete follow the same use cases as the portal: renewal after expiry
through ``notices.renewal.renew_for_holder`` (a sandbox of its own, whose clock moves a year),
and deletion only after the goodbye, documented in the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from bureau.core import clock
from bureau.notices.models import Term
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import Registry
from bureau.registrar.registries.sandbox import configure as configure_sandbox
from bureau.sandbox.testing import Sandbox, start_sandbox

pytestmark = pytest.mark.django_db
Api = Callable[..., APIClient]


@pytest.fixture
def own_registry(db: Any, tmp_path: Path) -> Iterator[tuple[Registry, Sandbox]]:
    """A sandbox of this test's own: its clock moves past the expiry without touching the
    session's sandbox."""
    with start_sandbox(tmp_path / "sandbox") as running, clock.use(running.clock.now_datetime):
        yield configure_sandbox(running), running
    connection.close_all()


def test_api_renew_after_expiry_keeps_the_registrys_auto_renewal_year(
        api: Api, contact_a: Contact, own_registry: tuple[Registry, Sandbox]) -> None:
    _, sandbox = own_registry
    client = api("alice")
    made = client.post("/api/v1/domains/", {"name": "retard.test", "registrant": contact_a.pk},
                       format="json")
    assert made.status_code == 201, made.json()
    domain = Domain.objects.get(name="retard.test")
    expiry = domain.expires_at
    assert expiry is not None
    sandbox.clock.advance(seconds=(expiry + timedelta(days=3) - clock.now()).total_seconds())
    client = api("alice")  # a year later: the first token has expired, as any would
    url = "/api/v1/domains/retard.test/renew/"
    two = client.post(url, {"period": 2}, format="json")
    assert two.status_code == 422 and two.json()["type"].endswith("/period-not-allowed")
    before = ledger.balance(contact_a.organisation, "EUR")
    renewed = client.post(url, {"period": 1, "accepted_price": 1000}, format="json")
    assert renewed.status_code == 200, renewed.json()
    domain.refresh_from_db()
    assert domain.expires_at is not None
    assert domain.expires_at.date() == expiry.replace(year=expiry.year + 1).date()
    assert Term.objects.get(domain=domain).paid_until.date() == domain.expires_at.date()
    assert ledger.balance(contact_a.organisation, "EUR") == before - 1000


def test_schema_documents_the_goodbye_before_a_deletion(api: Api) -> None:
    schema = api("alice").get("/api/v1/schema/",
                              HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    goodbye = schema["paths"]["/api/v1/domains/{name}/goodbye/"]["post"]
    body = goodbye["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert set(fields["required"]) == {"mode", "checklist", "typed_name"}
    assert "consent-missing" in schema["paths"]["/api/v1/domains/{name}/"]["delete"][
        "description"]
