"""Transfer a name in through the portal: the price and what happens next, then the code;
against the sandbox registry over EPP/TLS, the name held by the sandbox's other registrar."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from bureau import epp
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations.poll import process_poll_queue
from bureau.registrar.registries.models import Registry

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_name_taken_elsewhere_is_transferred_in_from_the_search(
        client_a: Client, org_a: Organisation, sandbox_registry: Registry,
        rival: epp.Session, rival_holds: Callable[[str, str], None]) -> None:
    rival_holds("ailleurs.test", "Code-2-Move!")
    ledger.top_up(org_a, 5_000, "EUR", memo="test funds")
    search = client_a.get("/search/", {"q": "ailleurs.test"}).content.decode()
    assert 'href="/transfer/?name=ailleurs.test"' in search
    assert "already registered" in search  # the registry's "in use", in the page's words
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client_a.get("/search/", {"q": "ailleurs.test"}).content.decode()
    assert "déjà enregistré" in french and "in use" not in french
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client_a.get("/transfer/", {"name": "ailleurs.test"}).content.decode()
    price = page.split('id="transfer-price">', 1)[1].split("</dd>", 1)[0]
    assert "10.00 EUR" in price and 'id="next-steps"' in page
    assert 'name="accepted_price" value="1000"' in page

    wrong = client_a.post("/transfer/", {"name": "ailleurs.test", "auth_code": "Pas-le-bon",
                                         "accepted_price": 1000})
    assert wrong.status_code == 400
    assert 'class="message error"' in wrong.content.decode()
    assert ledger.balance(org_a, "EUR") == 5_000  # refused: nothing kept
    missing = client_a.post("/transfer/", {"name": "ailleurs.test", "auth_code": "",
                                           "accepted_price": 1000})
    assert "Enter the transfer code" in missing.content.decode()

    response = client_a.post("/transfer/", {"name": "ailleurs.test",
                                            "auth_code": "Code-2-Move!",
                                            "accepted_price": 1000}, follow=True)
    domain = Domain.objects.exclude(state=DomainState.DELETED).get(name="ailleurs.test")
    assert response.redirect_chain[-1][0] == f"/domains/{domain.pk}/"
    assert "The transfer of ailleurs.test is requested" in response.content.decode()
    assert domain.state == DomainState.PENDING_TRANSFER_IN
    assert ledger.balance(org_a, "EUR") == 4_000
    rival.execute(epp.DomainTransfer("approve", "ailleurs.test"))
    process_poll_queue(sandbox_registry)
    domain.refresh_from_db()
    assert domain.state == DomainState.ACTIVE and domain.organisation == org_a


def test_a_changed_price_stops_the_transfer(client_a: Client, org_a: Organisation,
                                            sandbox_registry: Registry,
                                            rival_holds: Callable[[str, str], None]) -> None:
    rival_holds("prix-change.test", "Code-2-Move!")
    ledger.top_up(org_a, 5_000, "EUR", memo="test funds")
    response = client_a.post("/transfer/", {"name": "prix-change.test",
                                            "auth_code": "Code-2-Move!", "accepted_price": 500})
    assert response.status_code == 400
    assert 'name="accepted_price" value="1000"' in response.content.decode()  # the new price
    assert not Domain.objects.filter(name="prix-change.test").exists()
    assert ledger.balance(org_a, "EUR") == 5_000


def test_a_bad_name_says_what_to_fix(client_a: Client, sandbox_registry: Registry) -> None:
    response = client_a.get("/transfer/", {"name": "sans-extension"})
    assert response.status_code == 400 and 'class="errorlist"' in response.content.decode()
    visitor = Client()
    assert "/accounts/login/" in visitor.get("/transfer/?name=x.test")["Location"]
