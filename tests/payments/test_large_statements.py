"""A month's statement is larger than the 2.5 MB Bureau accepts from other forms: staff upload
it in the portal and through the API up to its own limit (BUREAU_PAYMENTS_STATEMENT_MAX_MB),
and a file over that limit is refused with a page (or problem details) saying how large a
statement may be and that the command imports any size."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client

from bureau.banking import reference as rf
from bureau.banking.testing import Movement, camt053
from bureau.payments.models import StatementImport
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger

from .test_api import client_with, upload

LINES = 6000  # about 3.3 MB of camt.053


def month(organisation: Organisation, prefix: str) -> bytes:
    reference = rf.make(rf.BALANCE, organisation.pk)
    data = camt053([Movement(f"{prefix}{i:05d}", 100, reference=reference)
                    for i in range(LINES)])
    assert len(data) > 3_000_000  # over the limit of every other form
    return data


@pytest.mark.django_db
def test_a_months_statement_is_imported_in_the_portal_and_the_api(
        staff_client: Client, staff: User, organisation: Organisation) -> None:
    response = staff_client.post("/payments/statements/",
                                 upload(month(organisation, "M")), follow=True)
    assert response.status_code == 200
    assert f"{LINES} credited" in response.content.decode()
    api = client_with(staff, organisation, ["payments:import"])
    answer = api.post("/api/v1/payments/statements/", upload(month(organisation, "N")),
                      format="multipart")
    assert answer.status_code == 201, answer.content
    assert ledger.balance(organisation, "EUR") == 2 * LINES * 100


@pytest.mark.django_db
def test_a_statement_over_its_limit_is_refused_saying_how_large_it_may_be(
        staff_client: Client, staff: User, organisation: Organisation, settings: Any) -> None:
    settings.BUREAU_PAYMENTS_STATEMENT_MAX_MB = 2
    data = month(organisation, "L")
    page = staff_client.post("/payments/statements/", upload(data))
    assert page.status_code == 413
    assert "2.0 MB" in page.content.decode()
    assert "bureau payments import FILE" in page.content.decode()
    staff_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = staff_client.post("/payments/statements/", upload(data))
    assert page.status_code == 413 and "Découpez le relevé" in page.content.decode()
    api = client_with(staff, organisation, ["payments:import"])
    token = api._credentials["HTTP_AUTHORIZATION"]  # type: ignore[attr-defined]
    api.credentials(HTTP_AUTHORIZATION=token, HTTP_ACCEPT_LANGUAGE="fr")
    answer = api.post("/api/v1/payments/statements/", upload(data), format="multipart")
    assert answer.status_code == 413
    assert answer.json()["max_bytes"] == 2_000_000
    # Problem details speak English, whatever the language asked.
    assert "Split the statement" in answer.json()["detail"]
    assert "bureau payments import" in answer.json()["detail"]
    assert not StatementImport.objects.exists()
    # Other forms keep Django's limit.
    assert staff_client.post("/account/", upload(data)).status_code == 413
