"""A price list adopted by ballot is what a registration costs, through the registrar's own
check and register operations against the sandbox registry over TLS, from its effective
date and not before; the transparency page shows the breakdown and the decision."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bureau.coop.models import Member, PriceList, PriceListState
from bureau.coop.operations import ballots, pricing
from bureau.coop.operations.errors import InvalidPriceList, NotAMember
from bureau.coop.pricing import price_for, prices_for
from bureau.core import clock
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import register
from bureau.registrar.operations.check import check, quote
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries import connection as epp_connections
from bureau.registrar.registries.models import Registry
from bureau.registrar.registries.sandbox import configure as configure_sandbox
from bureau.sandbox.policy import TldPolicy, default_config
from bureau.sandbox.testing import Sandbox, start_sandbox

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
    # Proposed, it is public: members read it and its breakdown to back it.
    assert Client().get(response["Location"]).status_code == 200
    assert Client().get(f"/coop/prices/{plist.pk}/").status_code == 200


# The default sandbox's six TLDs and fourteen plain ones: a search asks twenty, as in
# bench/api.py.
MORE_TLDS = ["coop", "asso", "bio", "eco", "paris", "bzh", "art", "cafe", "shop", "info",
             "net", "org", "com", "fr"]


@pytest.fixture
def twenty_tlds(db: Any, tmp_path: Path) -> Iterator[Registry]:
    base = default_config()
    config = replace(base, tlds={**base.tlds, **{name: TldPolicy(name) for name in MORE_TLDS}})
    running: Sandbox
    with start_sandbox(tmp_path / "sandbox20", config) as running:
        assert len(running.config.tlds) == 20
        yield configure_sandbox(running)
    epp_connections.close_all()


def adopted_list(days_ago: int, prices: dict[tuple[str, str], tuple[int, str]],
                 adopted_days_ago: int | None = None) -> PriceList:
    """An adopted list (as ballots.close leaves it) with these prices {(tld, op): (cents,
    currency)}, in force since ``days_ago`` days."""
    now = clock.now()
    plist = pricing.propose(title=f"Tarifs J-{days_ago}",
                            effective_from=now - timedelta(days=days_ago))
    for (subject, operation), (cents, currency) in prices.items():
        pricing.add_price(plist, subject=subject, operation=operation, currency=currency,
                          breakdown={"wholesale": cents})
    plist.state = PriceListState.ADOPTED
    plist.adopted_at = now - timedelta(days=(adopted_days_ago if adopted_days_ago is not None
                                             else days_ago + 1))
    plist.save()
    return plist


def test_prices_for_many_tlds_follow_each_tld_latest_list_in_force(
        coop_clock: Any, db: Any) -> None:
    older = adopted_list(30, {("test", "create"): (1500, "EUR"), ("ngo", "create"): (3300, "EUR"),
                              ("test", "renew"): (1400, "EUR")})
    newer = adopted_list(5, {("test", "create"): (1200, "EUR")})
    adopted_list(-5, {("test", "create"): (900, "EUR"), ("ong", "create"): (3100, "EUR")})
    draft = pricing.propose(title="Brouillon", effective_from=clock.now() - timedelta(days=1))
    pricing.add_price(draft, subject="example", operation="create", breakdown={"wholesale": 1})

    prices = prices_for(["test", "ngo", "ong", "example"], "create")
    assert {tld: (p.amount, p.price_list_id) for tld, p in prices.items()} == {
        "test": (1200, newer.pk), "ngo": (3300, older.pk)}
    assert price_for("test", "create") == prices["test"]
    assert price_for("ong", "create") is None  # its list takes effect in 5 days
    coop_clock.advance(days=5, seconds=1)
    assert prices_for(["test", "ong"], "create")["test"].amount == 900
    assert prices_for(["test"], "renew")["test"].amount == 1400
    assert prices_for([], "create") == {}


def test_same_effective_date_the_latest_adoption_wins(coop_clock: Any, db: Any) -> None:
    first = adopted_list(3, {("test", "create"): (1100, "EUR")}, adopted_days_ago=6)
    assert price_for("test", "create") == prices_for(["test"], "create")["test"]
    second = adopted_list(3, {("test", "create"): (1300, "EUR")}, adopted_days_ago=4)
    second.effective_from = first.effective_from
    second.save()
    assert prices_for(["test", "ngo"], "create")["test"].price_list_id == second.pk


def test_a_20_tld_search_prices_every_tld_in_a_constant_number_of_queries(
        coop_clock: Any, twenty_tlds: Registry) -> None:
    """A search asks every TLD at once: its database queries do not grow with the number of
    TLDs (the adopted prices come in one query), and the price rules hold for each TLD."""
    adopted_list(10, {("test", "create"): (1500, "EUR"), ("coop", "create"): (1700, "EUR"),
                      ("example", "create"): (900, "USD"), ("fr", "renew"): (700, "EUR")})
    names = [f"{label}.{tld}" for label in ("atelier", "shop")
             for tld in ["test", "example", "ngo", "ong", "xn--0zwm56d", "review", *MORE_TLDS]]
    check(names[:1])  # the first command logs in: not part of a search's cost

    with CaptureQueriesContext(connection) as one:
        check(names[:1])
    with CaptureQueriesContext(connection) as twenty:
        quotes = {q.name: q for q in check(names[:20])}
    assert len(twenty.captured_queries) == len(one.captured_queries) <= 3, \
        [q["sql"] for q in twenty.captured_queries]

    assert quotes["atelier.test"].price == 1500  # the adopted price, in force
    assert quotes["atelier.coop"].price == 1700
    assert quotes["atelier.example"].price == 1400  # adopted in USD: the TLD's own EUR price
    assert quotes["atelier.fr"].price == 1200  # only its renewal was adopted
    assert quotes["atelier.ngo"].price == 3200
    with CaptureQueriesContext(connection) as forty:
        premium = {q.name: q for q in check(names, period=2)}
    assert len(forty.captured_queries) == len(one.captured_queries)
    # A premium name: the registry's fee above the cooperative's price wins.
    assert premium["shop.test"].premium and premium["shop.test"].price == 50000
    assert premium["atelier.test"].price == 3000 and not premium["atelier.test"].premium
