"""Search, cart, checkout, renew and delete through the pages, against the sandbox registry
over EPP/TLS (Django's test client; the browser tests are in test_e2e.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, timezone, translation

from bureau.notices.goodbye import checklist
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.registries.models import Registry

from .conftest import make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def shop(client_a: Client, org_a: Organisation, sandbox_registry: Registry) -> Client:
    make_contact(org_a, "Camille Martin")
    return client_a


def rows(page: str) -> list[str]:
    body = page.split('id="results"', 1)[1].split("</table>", 1)[0]
    return body.split("<tr>")[2:]


def test_search_in_unicode_shows_every_tld_with_prices_bundles_and_premiums(
        shop: Client) -> None:
    page = shop.get("/search/", {"q": "café-solidaire"}).content.decode()
    found = rows(page)
    assert len(found) == 5  # test, example, ngo with ong (one bundle, one row), 测试, review
    plain = next(row for row in found if "café-solidaire.test" in row)
    assert "xn--caf-solidaire-" in plain  # the A-label under the U-label
    assert "10.00 EUR" in plain and "Available" in plain
    assert any("café-solidaire.测试" in row for row in found)
    ngo = next(row for row in found if "café-solidaire.ngo" in row)
    assert "café-solidaire.ngo, café-solidaire.ong" in ngo and "one price" in ngo
    premium = shop.get("/search/", {"q": "cafe.test"}).content.decode()
    first = rows(premium)[0]
    assert "cafe.test" in first and "Premium" in first and "120.00 EUR" in first


def test_checkout_against_the_balance(shop: Client, org_a: Organisation) -> None:
    from bureau.banking import reference as rf
    from bureau.payments.models import WaitingOrder
    from bureau.payments.operations import waiting

    shop.post("/cart/add/", {"name": "atelier-velo.test", "price": 1000, "currency": "EUR"})
    registrant = org_a.contacts.get().pk
    # No money yet: the cart shows how to pay by transfer, for the amount missing.
    cart = shop.get("/cart/").content.decode()
    assert "Order and pay by bank transfer" in cart
    assert rf.pretty(rf.make(rf.BALANCE, org_a.pk)) in cart and "10.00 EUR" in cart
    # Ordering keeps the name waiting for the money; nothing is registered yet.
    response = shop.post("/cart/checkout/", {"registrant": registrant, "period": 1})
    assert response.status_code == 302 and response["Location"] == "/balance/"
    assert not Domain.objects.filter(name="atelier-velo.test",
                                     state=DomainState.ACTIVE).exists()
    balance = shop.get("/balance/").content.decode()
    assert "Waiting for your payment" in balance and "atelier-velo.test" in balance
    # The transfer arrives (here straight into the ledger); the job settles what waited.
    ledger.top_up(org_a, 5000, "EUR")
    assert waiting.settle(org_a).registered == ["atelier-velo.test"]
    assert WaitingOrder.objects.get().state == "started"
    domain = Domain.objects.get(name="atelier-velo.test", state=DomainState.ACTIVE)
    assert domain.organisation == org_a
    assert ledger.balance(org_a, "EUR") == 4000
    listing = shop.get("/domains/").content.decode()
    assert "atelier-velo.test" in listing
    assert "40.00 EUR" in shop.get("/balance/").content.decode()


def test_checkout_of_a_name_under_review_says_so(shop: Client, org_a: Organisation) -> None:
    ledger.top_up(org_a, 5000, "EUR")
    shop.post("/cart/add/", {"name": "atelier.review", "price": 1700, "currency": "EUR"})
    response = shop.post("/cart/checkout/", {"registrant": org_a.contacts.get().pk,
                                             "period": 1}, follow=True)
    page = response.content.decode()
    assert "The registry is reviewing atelier.review" in page and "credited back" in page
    assert Domain.objects.get(name="atelier.review").state == DomainState.PENDING_CREATE
    assert ledger.balance(org_a, "EUR") == 5000 - 1700


def test_the_page_of_a_name_under_review_says_since_when(shop: Client,
                                                          org_a: Organisation) -> None:
    ledger.top_up(org_a, 5000, "EUR")
    shop.post("/cart/add/", {"name": "atelier.review", "price": 1700, "currency": "EUR"})
    shop.post("/cart/checkout/", {"registrant": org_a.contacts.get().pk, "period": 1})
    domain = Domain.objects.get(name="atelier.review")
    since = domain.events.get(operation="create", outcome="pending").at
    page = shop.get(f"/domains/{domain.pk}/").content.decode()
    day = formats.date_format(timezone.localtime(since), "DATE_FORMAT")
    assert f'<dd id="state">Under review by the registry since {day}</dd>' in page
    assert "The registry is reviewing atelier.review" in page and "credited back" in page
    assert "Being registered" not in page

    shop.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = shop.get(f"/domains/{domain.pk}/").content.decode()
    with translation.override("fr"):
        day = formats.date_format(timezone.localtime(since), "DATE_FORMAT")
    assert f"En cours d’examen par le registre depuis le {day}" in page
    assert "Le registre examine atelier.review" in page


def test_renew_delete_with_consequences_and_restore(shop: Client, org_a: Organisation,
                                                    sandbox: Any) -> None:
    ledger.top_up(org_a, 5000, "EUR")
    shop.post("/cart/add/", {"name": "a-quitter.test", "price": 1000, "currency": "EUR"})
    shop.post("/cart/checkout/", {"registrant": org_a.contacts.get().pk, "period": 1})
    domain = Domain.objects.get(name="a-quitter.test")
    expires = domain.expires_at
    assert expires is not None
    confirm = shop.post(f"/domains/{domain.pk}/renew/", {"period": 2}).content.decode()
    assert "20.00" in confirm and 'name="accepted_price" value="2000"' in confirm
    shop.post(f"/domains/{domain.pk}/renew/", {"period": 2, "accepted_price": 2000})
    domain.refresh_from_db()
    assert domain.expires_at is not None and domain.expires_at.year == expires.year + 2

    sandbox.clock.advance(days=6)  # past the add and renew grace periods: redemption
    # Deleting is the guided goodbye (notices): the portal's delete address leads there.
    moved = shop.get(f"/domains/{domain.pk}/delete/")
    assert moved.status_code == 302 and moved["Location"] == "/notices/goodbye/a-quitter.test/"
    page = shop.get(moved["Location"]).content.decode()
    assert "phishing" in page and "Partners" in page
    everything = [item.key for item in checklist()]
    wrong = shop.post(moved["Location"], {"checked": everything, "mode": "delete",
                                          "typed_name": "autre.test"})
    assert wrong.status_code == 400 and "Type the name exactly" in wrong.content.decode()
    domain.refresh_from_db()
    assert domain.state == DomainState.ACTIVE
    done = shop.post(moved["Location"], {"checked": everything, "mode": "delete",
                                         "typed_name": "a-quitter.test"}).content.decode()
    domain.refresh_from_db()
    assert domain.state == DomainState.REDEMPTION
    assert "restore fee" in done and f'href="/domains/{domain.pk}/"' in done

    # Changed their mind: restore from redemption, price first.
    ledger.top_up(org_a, 5000, "EUR")
    confirm = shop.post(f"/domains/{domain.pk}/restore/").content.decode()
    assert 'name="accepted_price" value="4200"' in confirm
    shop.post(f"/domains/{domain.pk}/restore/", {"accepted_price": 4200})
    domain.refresh_from_db()
    assert domain.state == DomainState.ACTIVE


def test_a_registry_refusal_lands_on_the_field(shop: Client, org_a: Organisation,
                                               sandbox: Any) -> None:
    shop.post("/cart/add/", {"name": "whois.test", "price": 1000, "currency": "EUR"})
    ledger.top_up(org_a, 5000, "EUR")
    page = shop.post("/cart/checkout/", {"registrant": org_a.contacts.get().pk, "period": 1})
    assert page.status_code == 400
    assert 'class="errorlist"' in page.content.decode() or "not available" in \
        page.content.decode()
    assert ledger.balance(org_a, "EUR") == 5000


def test_dnssec_and_contacts_of_a_name(shop: Client, org_a: Organisation) -> None:
    ledger.top_up(org_a, 5000, "EUR")
    holder = org_a.contacts.get()
    shop.post("/cart/add/", {"name": "signe.test", "price": 1000, "currency": "EUR"})
    shop.post("/cart/checkout/", {"registrant": holder.pk, "period": 1})
    domain = Domain.objects.get(name="signe.test")
    bad = shop.post(f"/domains/{domain.pk}/dnssec/", {"ds_records": "12345 13 2"})
    assert bad.status_code == 400 and "Line 1 is not a DS record" in bad.content.decode()
    digest = "3F" * 32
    shop.post(f"/domains/{domain.pk}/dnssec/", {"ds_records": f"12345 13 2 {digest}"})
    assert [(d.key_tag, d.digest) for d in domain.ds_records.all()] == [(12345, digest)]
    tech = make_contact(org_a, "Sacha Tech")
    shop.post(f"/domains/{domain.pk}/contacts/", {"tech": tech.pk})
    domain.refresh_from_db()
    assert domain.tech_contact == tech
    assert "Sacha Tech" in shop.get(f"/domains/{domain.pk}/").content.decode()


def test_locks_of_a_name(shop: Client, org_a: Organisation) -> None:
    ledger.top_up(org_a, 5000, "EUR")
    shop.post("/cart/add/", {"name": "verrou.test", "price": 1000, "currency": "EUR"})
    shop.post("/cart/checkout/", {"registrant": org_a.contacts.get().pk, "period": 1})
    domain = Domain.objects.get(name="verrou.test")
    assert domain.transfer_prohibited  # on by default
    page = shop.post(f"/domains/{domain.pk}/locks/", {"delete": "on"}, follow=True)
    assert "Locks of verrou.test updated." in page.content.decode()
    domain.refresh_from_db()
    assert not domain.transfer_prohibited and domain.delete_prohibited


def test_the_cart_states_the_notice_schedule_and_the_renewal_and_restore_fees(
        shop: Client) -> None:
    shop.post("/cart/add/", {"name": "atelier-velo.test", "price": 1000, "currency": "EUR"})
    cart = shop.get("/cart/").content.decode()
    assert "60, 30, 7, 1 days before expiry, and 2 days after" in cart
    assert ".test: renewal (also late) 10.00 EUR per year; restore after deletion" in cart
    fees = shop.get("/notices/fees/").content.decode()
    assert "60, 30, 7, 1 days before expiry" in fees


def test_delete_now_within_the_add_grace_period_is_gone_and_refunded(
        shop: Client, org_a: Organisation, sandbox: Any) -> None:
    """Registered and renewed, then deleted the same week: the page says the name is gone
    and both payments are back, not that it can be restored, and leads on."""
    ledger.top_up(org_a, 5000, "EUR")
    shop.post("/cart/add/", {"name": "trop-tot.test", "price": 1000, "currency": "EUR"})
    shop.post("/cart/checkout/", {"registrant": org_a.contacts.get().pk, "period": 1})
    domain = Domain.objects.get(name="trop-tot.test")
    shop.post(f"/domains/{domain.pk}/renew/", {"period": 2, "accepted_price": 2000})
    assert ledger.balance(org_a, "EUR") == 2000

    url = "/notices/goodbye/trop-tot.test/"
    form = shop.get(url).content.decode()
    assert 'id="add-grace"' in form and "refunded" in form and "restore fee" not in form
    everything = [item.key for item in checklist()]
    done = shop.post(url, {"checked": everything, "mode": "delete",
                           "typed_name": "trop-tot.test"})
    page = done.content.decode()
    domain.refresh_from_db()
    assert domain.state == DomainState.DELETED
    assert ledger.balance(org_a, "EUR") == 5000  # the registration and the renewal
    result = page[page.index('id="goodbye-result"'):]
    assert "trop-tot.test is deleted" in result and "cannot be restored" in result
    assert "30.00 EUR" in result and "refunded to your balance" in result
    assert "restore fee" not in result
    for onward in ('href="/domains/"', 'href="/search/"', 'href="/balance/"'):
        assert onward in result, onward
    assert f'href="/domains/{domain.pk}/"' not in result  # its page is gone with it
    assert 'class="card"' in page
    shop.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    billing = shop.get("/balance/").content.decode()
    assert "délai de grâce de son enregistrement" in billing and "grace period" not in billing
