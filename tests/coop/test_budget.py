"""The members vote a yearly environment budget; the transparency page shows the year's
consumption (added up from the daily readings) against it, the projection to the year's end,
the trend and the actions decided, in French and English (issue 21, point 13)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from bureau.coop.models import EnvironmentBudget, EnvironmentReading, Member, Proposal
from bureau.coop.operations import ballots, board
from bureau.coop.tasks import record_environment
from bureau.core import clock

pytestmark = [pytest.mark.sqlite]

ACTIONS = "Éteindre le serveur de secours la nuit ; passer à un hébergeur coopératif."


def reading(day: date, kwh: float, kg: float) -> None:
    EnvironmentReading.objects.create(day=day, energy_kwh_low=kwh, energy_kwh_high=2 * kwh,
                                      emissions_kg_low=kg, emissions_kg_high=2 * kg,
                                      domains=10)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_year_against_the_budget_members_voted(
        make_member: Callable[..., Member], coop_clock: Any, settings: Any, lang: str) -> None:
    settings.BUREAU_COOP_PROPOSAL_BACKERS = 1
    coop_clock.offset = datetime(2026, 6, 1, 12, tzinfo=UTC) - timezone.now()
    member = make_member("customers")
    chair = User.objects.create(username="chair")
    chair.groups.add(Group.objects.get(name="board"))
    client = Client(headers={"accept-language": lang})
    client.force_login(member.user)
    client.post("/coop/proposals/new/", {
        "kind": "budget", "title": "Sobriété 2026", "text": ACTIONS, "budget_year": "2026",
        "energy_kwh": "1000", "emissions_kg": "200"})
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.energy_kwh, proposal.emissions_kg) == ("budget", 1000, 200)
    now = clock.now()
    ballot = board.schedule(proposal, by=chair, opens_at=now + timedelta(minutes=1),
                            closes_at=now + timedelta(days=7))
    board.open_ballot(ballot, by=chair)
    coop_clock.advance(minutes=2)
    ballots.cast(ballot, member, ballot.options.get(position=1))
    coop_clock.offset = datetime(2026, 7, 1, 12, tzinfo=UTC) - timezone.now()
    board.close(ballot, by=chair)
    budget = EnvironmentBudget.objects.get()
    assert (budget.year, budget.energy_kwh, budget.emissions_kg) == (2026, 1000, 200)

    # A yearly rate of 365 to 730 kWh from January, twice that for the last 40 days.
    reading(date(2026, 1, 1), 365, 36.5)
    reading(date(2026, 5, 22), 730, 73)
    page = Client(headers={"accept-language": lang}).get("/coop/transparency/").text
    # Used: 141 days at 1 kWh + 41 days at 2 kWh (low); projected: + 183 days at 2 kWh.
    assert "223 – 446" in page and "589 – 1178" in page
    assert {"en": "Trend: rising", "fr": "Tendance : en hausse"}[lang] in page
    assert {"en": "May exceed the budget", "fr": "Risque de dépasser le budget"}[lang] in page
    assert {"en": "budget of 1000 kWh and 200 kg", "fr": "budget de 1000 kWh et 200 kg"}[lang] \
        in page
    assert "Éteindre le serveur de secours" in page
    assert {"en": "May 2026", "fr": "mai 2026"}[lang] in page


def test_no_budget_says_so_and_the_daily_job_records_one_reading_a_day(
        db: Any, coop_clock: Any) -> None:
    page = Client(headers={"accept-language": "en"}).get("/coop/transparency/").text
    assert "have not voted a budget for this year" in page
    assert "No reading yet this year" in page
    record_environment.call()
    record_environment.call()
    assert EnvironmentReading.objects.count() == 1
    coop_clock.advance(days=1)
    record_environment.call()
    assert EnvironmentReading.objects.count() == 2
    page = Client(headers={"accept-language": "en"}).get("/coop/transparency/").text
    assert "Used since" in page and "Trend: steady." in page
