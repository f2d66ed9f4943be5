"""DNS hosting of a name registered elsewhere is charged at the price the members adopted for
the service "dns-hosting", from the date it takes effect, like a domain price: a year when the
zone is created, then each year by the job; on the invoice and on the fees page (issue 21,
point 12)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from bureau.coop.models import Invoice, PriceListState
from bureau.coop.operations import pricing
from bureau.core import clock
from bureau.dns.models import Zone
from bureau.dns.tasks import charge_hosting
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import Order

pytestmark = pytest.mark.django_db


class Shifted:
    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> Any:
        return timezone.now() + self.offset


@pytest.fixture
def shifted() -> Iterator[Shifted]:
    moved = Shifted()
    with clock.use(moved.now):
        yield moved


def adopt_hosting_price(cents: int, in_days: int) -> None:
    """A price list the members adopted, pricing DNS hosting from ``in_days`` days."""
    plist = pricing.propose(title="Hébergement DNS",
                            effective_from=clock.now() + timedelta(days=in_days))
    pricing.add_price(plist, subject="dns-hosting", operation="service",
                      breakdown={"operating_share": cents})
    plist.state, plist.adopted_at = PriceListState.ADOPTED, clock.now()
    plist.save()


def hosting_orders(organisation: Organisation) -> list[Order]:
    return list(Order.objects.filter(organisation=organisation, operation="dns-hosting")
                .order_by("id"))


def test_charged_from_its_date_then_each_year_on_the_invoice(
        shifted: Shifted, member: Any, organisation: Organisation,
        hosted_zone: Callable[..., Zone]) -> None:
    adopt_hosting_price(1200, in_days=10)
    before = ledger.balance(organisation, "EUR")
    early = hosted_zone()
    assert hosting_orders(organisation) == []  # not in force yet: free
    assert charge_hosting.call() == "charged 0, balance too short 0"

    shifted.offset = timedelta(days=11)  # the price takes effect: the job charges the zone
    assert charge_hosting.call() == "charged 1, balance too short 0"
    assert charge_hosting.call() == "charged 0, balance too short 0"  # paid for a year
    late = hosted_zone()  # a new zone pays its first year when it is created
    orders = hosting_orders(organisation)
    assert [(o.domain_name, o.amount, o.state) for o in orders] == [
        (str(early.name).rstrip("."), 1200, "completed"),
        (str(late.name).rstrip("."), 1200, "completed")]
    assert ledger.balance(organisation, "EUR") == before - 2400
    invoice = Invoice.objects.get(journal__order=orders[1])
    assert invoice.total_ttc == 1200
    assert invoice.lines[0]["label"] == f"Hébergement DNS (un an) {late.u_label}"

    shifted.offset = timedelta(days=11 + 366)
    assert charge_hosting.call() == "charged 2, balance too short 0"
    assert len(hosting_orders(organisation)) == 4


def test_a_balance_too_short_stores_nothing_and_says_what_to_do(
        shifted: Shifted, member: Any, organisation: Organisation, zone_name: Callable[[], str],
        prove_control: Callable[..., str], dns_settings: Any) -> None:
    adopt_hosting_price(1200, in_days=0)
    poor_user = User.objects.create(username="poor", email="poor@example.org")
    poor = Organisation.objects.create(name="Sans le sou", slug="sans-le-sou")
    Membership.objects.create(user=poor_user, organisation=poor, role=Role.OWNER)
    name = zone_name()
    prove_control(poor, name)
    client = Client(headers={"accept-language": "en"})
    client.force_login(poor_user)
    page = client.get("/dns/")
    assert "costs 12.00 EUR per year" in page.text
    response = client.post("/dns/", {"name": name})
    assert "does not cover this order (12.00 EUR)" in response.text
    assert not Zone.objects.filter(name=name).exists()
    assert hosting_orders(poor) == []



def test_a_name_registered_with_bureau_is_hosted_at_no_extra_cost(
        shifted: Shifted, organisation: Organisation,
        register_name: Callable[..., Any]) -> None:
    adopt_hosting_price(1200, in_days=0)
    domain = register_name()
    assert Zone.objects.filter(domain=domain).exists()
    assert charge_hosting.call() == "charged 0, balance too short 0"
    assert hosting_orders(organisation) == []


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "DNS hosting of a name registered elsewhere: 9.50 EUR per year"),
    ("fr", "Hébergement DNS d’un nom enregistré ailleurs : 9,50 EUR par an")])
def test_the_fees_page_shows_the_adopted_service_price(shifted: Shifted, db: Any, lang: str,
                                                       said: str) -> None:
    page = Client(headers={"accept-language": lang}).get("/notices/fees/").text
    assert {"en": "DNS hosting is included", "fr": "L’hébergement DNS est inclus"}[lang] in page
    adopt_hosting_price(950, in_days=0)
    assert said in Client(headers={"accept-language": lang}).get("/notices/fees/").text



def test_a_year_the_balance_does_not_cover_is_told_once_and_taken_after_a_top_up(
        shifted: Shifted, member: Any, organisation: Organisation,
        hosted_zone: Callable[..., Zone], inbox: Any) -> None:
    zone = hosted_zone()  # hosted while hosting was free
    adopt_hosting_price(1200, in_days=1)
    ledger.pay_out(organisation, ledger.balance(organisation, "EUR"), "EUR",
                   memo="the balance paid back")
    shifted.offset = timedelta(days=2)
    assert charge_hosting.call() == "charged 0, balance too short 1"
    assert charge_hosting.call() == "charged 0, balance too short 1"
    told = inbox.take()
    assert len(told) == 1, [m.subject for m in told]
    assert told[0].subject == f"Top up your balance: the DNS hosting of {zone.u_label} is due"
    assert "12.00 EUR" in told[0].text and "0.00 EUR" in told[0].text
    assert Zone.objects.get(pk=zone.pk).publish_state == "published"  # still served
    assert [o.state for o in hosting_orders(organisation)] == ["failed"]
    ledger.top_up(organisation, 5000, "EUR")
    assert charge_hosting.call() == "charged 1, balance too short 0"
    assert ledger.balance(organisation, "EUR") == 3800
