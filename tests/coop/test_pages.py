"""Every cooperative page answers, in French (the default) and English; public pages need no
login, personal ones do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from bureau.coop.models import Member
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger

pytestmark = [pytest.mark.sqlite]

PUBLIC = ["/coop/", "/coop/ballots/", "/coop/prices/", "/coop/transparency/"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_public_pages(db: Any, lang: str) -> None:
    client = Client(headers={"accept-language": lang})
    for url in PUBLIC:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in response.text
    assert "Transparence" in client.get("/coop/transparency/").text or lang == "en"
    assert client.get("/coop/invoices/").status_code == 302
    assert client.get("/coop/join/").status_code == 302


def test_member_pages_and_invoice_list(make_member: Callable[..., Member]) -> None:
    member = make_member("employees", shares=2)
    org = Organisation.objects.create(name="Coop Camille", slug="coop-camille")
    Membership.objects.create(user=member.user, organisation=org, role=Role.OWNER)
    ledger.top_up(org, 5000, "EUR")
    client = Client(headers={"accept-language": "en"})
    client.force_login(member.user)
    home = client.get("/coop/")
    assert "Member number 1" in home.text and "My certificate" in home.text
    assert client.get("/coop/shares/").status_code == 200
    invoices = client.get("/coop/invoices/").text
    assert "-000001" in invoices and "50.00 EUR" in invoices
