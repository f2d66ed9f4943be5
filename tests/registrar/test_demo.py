"""`bureau run`'s demo data: a login that works, money on the balance, idempotent."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.demo import DEMO_FUNDS, load_demo_data

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_demo_logins_work_and_loading_twice_changes_nothing(db: Any) -> None:
    first = load_demo_data()
    second = load_demo_data()
    assert first == second
    for login in first:
        assert authenticate(username=login.username, password=login.password) is not None
    assert ledger.balance(Organisation.objects.get(slug="demo"), "EUR") == DEMO_FUNDS


def test_the_printed_member_login_opens_the_portal(client: Any) -> None:
    member = next(login for login in load_demo_data() if login.username == "membre")
    response = client.post("/accounts/login/", {"login": member.email,
                                                "password": member.password})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "/accounts/login/" not in response["Location"]
    assert client.get("/").wsgi_request.user.username == "membre"
