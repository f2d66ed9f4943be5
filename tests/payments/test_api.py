"""Importing a statement through the REST API: staff with a token scoped payments:import."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from bureau.audit.operations import tokens
from bureau.banking import reference as rf
from bureau.banking.testing import Movement, camt053
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.operations.common import Actor


def client_with(user: User, organisation: Organisation, scopes: list[str]) -> APIClient:
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        Membership.objects.create(user=user, organisation=organisation, role=Role.OWNER)
    secret = tokens.create_token(actor=Actor.console(user), organisation=organisation, name="bank",
                                 scopes=scopes).secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def upload(data: bytes, name: str = "day.xml") -> dict[str, io.BytesIO]:
    file = io.BytesIO(data)
    file.name = name
    return {"file": file}


@pytest.mark.django_db
def test_staff_import_a_statement_through_the_api(staff: User, organisation: Organisation,
                                                  user: User) -> None:
    api = client_with(staff, organisation, ["payments:import"])
    data = camt053([Movement("API1", 3000, reference=rf.make(rf.BALANCE, organisation.pk))])
    response = api.post("/api/v1/payments/statements/", upload(data), format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["credited"] == 1 and response.json()["format"] == "camt"
    assert ledger.balance(organisation, "EUR") == 3000
    # The same file again: refused, nothing credited twice.
    again = api.post("/api/v1/payments/statements/", upload(data), format="multipart")
    assert again.status_code == 422 and "already imported" in again.json()["detail"]
    # A bad statement: every bad line listed, nothing imported.
    bad = camt053([Movement("API2", 100, reference=rf.make(rf.BALANCE, organisation.pk)),
                   Movement("API3", 0)])
    refused = api.post("/api/v1/payments/statements/", upload(bad), format="multipart")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "line 5",
                                         "detail": "the amount 0.00 is not positive"}]
    assert ledger.balance(organisation, "EUR") == 3000
    # A member, even with the scope, is not staff; a staff token without it is refused.
    member = client_with(user, organisation, ["payments:import"])
    other = camt053([Movement("API4", 100)])
    assert member.post("/api/v1/payments/statements/", upload(other),
                       format="multipart").status_code == 403
    unscoped = client_with(staff, organisation, ["billing:read"])
    assert unscoped.post("/api/v1/payments/statements/", upload(other),
                         format="multipart").status_code == 403
