"""A price list adopted by ballot is what a registration costs, through the registrar's own
check and register operations against the sandbox registry over TLS, from its effective
date and not before; the transparency page shows the breakdown and the decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from bureau.coop import clock
from bureau.coop.models import Member, PriceList, PriceListState
from bureau.coop.operations import ballots, pricing
from bureau.coop.operations.errors import InvalidPriceList, NotAMember
from bureau.coop.pricing import price_for
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import register
from bureau.registrar.operations.check import quote
from bureau.registrar.operations.common import Actor

BREAKDOWN = {"wholesale": 800, "fees": 18, "payment_costs": 32, "operating_share": 450,
             "reserve": 200}  # 15.00 EUR


def proposal(days_until_effective: int = 10) -> PriceList:
    now = clock.now()
    plist = pricing.propose(title="Tarifs 2027", effective_from=now + timedelta(
        days=days_until_effective), rationale="Couvrir le coût réel et la réserve.")
    pricing.add_price(plist, subject="test", operation="create", breakdown=BREAKDOWN)
    return plist


def adopt(plist: PriceList, members: list[Member], coop_clock: Any,
          choice: int = 1) -> None:
    now = clock.now()
    ballot = pricing.put_to_vote(plist, opens_at=now, closes_at=now + timedelta(days=7),
                                 quorum_percent=50)
    option = ballot.options.get(position=choice)
    for member in members:
        ballots.cast(ballot, member, option)
    coop_clock.advance(days=7, seconds=1)
    ballots.close(ballot)
    plist.refresh_from_db()


@pytest.fixture
def voters(make_member: Callable[..., Member], coop_clock: Any) -> list[Member]:
    return [make_member("customers"), make_member("employees"), make_member("contributors")]


def test_adopted_price_applies_from_its_effective_date_not_before(
        voters: list[Member], coop_clock: Any, actor: Actor, organisation: Organisation,
        contact: Contact) -> None:
    before = quote("avant.test").price
    assert before == 1000  # the TLD's own price (sandbox 8.00 + margin)
    plist = proposal(days_until_effective=10)
    adopt(plist, voters, coop_clock)
    assert plist.state == PriceListState.ADOPTED and plist.adopted_at is not None

    # Adopted, but 3 days before its effective date: still the old price.
    result = register.register(organisation=organisation, actor=actor, name="avant.test",
                               registrant=contact, accepted_price=1000)
    assert result.order.amount == 1000
    assert price_for("test", "create") is None

    coop_clock.advance(days=3, seconds=1)
    assert price_for("test", "create") is not None
    assert quote("apres.test", period=2).price == 3000  # 15.00 per year
    balance = ledger.balance(organisation, "EUR")
    result = register.register(organisation=organisation, actor=actor, name="apres.test",
                               registrant=contact, period=2, accepted_price=3000)
    assert result.order.amount == 3000
    assert ledger.balance(organisation, "EUR") == balance - 3000
    # Renewal is not in the list: the TLD's own renewal price still applies.
    assert quote("apres.test", operation="renew").price == 1000


def test_rejected_price_list_changes_nothing(
        voters: list[Member], coop_clock: Any, sandbox_registry: Any) -> None:
    plist = proposal(days_until_effective=8)
    adopt(plist, voters, coop_clock, choice=2)  # Against
    assert plist.state == PriceListState.REJECTED
    coop_clock.advance(days=2)
    assert price_for("test", "create") is None


def test_a_list_under_vote_is_frozen_and_comments_are_for_members(
        voters: list[Member], coop_clock: Any, user: Any) -> None:
    plist = proposal()
    pricing.comment(plist, voters[0].user, "D'accord sur la réserve.")
    with pytest.raises(NotAMember):
        pricing.comment(plist, user, "Je ne suis pas membre")
    now = clock.now()
    pricing.put_to_vote(plist, opens_at=now, closes_at=now + timedelta(days=7))
    with pytest.raises(InvalidPriceList):
        pricing.add_price(plist, subject="test", operation="renew", breakdown=BREAKDOWN)
    late = pricing.propose(title="Trop tôt", effective_from=now + timedelta(days=1))
    pricing.add_price(late, subject="test", operation="create", breakdown=BREAKDOWN)
    with pytest.raises(InvalidPriceList, match="after the ballot closes"):
        pricing.put_to_vote(late, opens_at=now, closes_at=now + timedelta(days=7))


def test_transparency_page_shows_breakdown_and_decision(
        voters: list[Member], coop_clock: Any, db: Any) -> None:
    plist = proposal(days_until_effective=8)
    adopt(plist, voters, coop_clock)
    coop_clock.advance(days=2)
    page = Client(headers={"accept-language": "en"}).get("/coop/transparency/")
    assert page.status_code == 200
    text = page.text
    for label, amount in [("Registry wholesale cost", "8.00"), ("ICANN and registry fees",
                          "0.18"), ("Payment costs", "0.32"),
                          ("Cooperative&#x27;s operating share", "4.50"),
                          ("Reserve", "2.00")]:
        assert label in text and f"{amount} EUR" in text
    assert "15.00 EUR" in text
    assert "3 of 3 members voted (100.0 %)" in text
    assert "For 3, Against 0, Abstention 0." in text
    assert "Tarifs 2027" in text
    assert "kg CO2e" in text and "Assumptions" in text


def test_member_proposes_a_price_from_the_portal(
        make_member: Callable[..., Member], coop_clock: Any) -> None:
    member = make_member("customers")
    client = Client(headers={"accept-language": "en"})
    client.force_login(member.user)
    response = client.post("/coop/prices/propose/", {
        "title": "Moins cher pour .test", "rationale": "La réserve suffit.",
        "effective_from": "2031-01-01", "subject": ".test", "operation": "create",
        "wholesale": "8.00", "fees": "0.18", "payment_costs": "0.32",
        "operating_share": "3.50", "reserve": "1.00"})
    assert response.status_code == 302
    plist = PriceList.objects.get()
    assert plist.state == PriceListState.DRAFT and plist.created_by == member.user
    item = plist.items.get()
    assert (item.subject, item.price) == ("test", 1300)
    page = client.get(response["Location"])
    assert "13.00 EUR" in page.text and "Operating share" not in page.text
    # Drafts are visible to their author and operators only.
    assert Client().get(response["Location"]).status_code == 404
