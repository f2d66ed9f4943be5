"""The cooperative through the API (issue 21, point 11): a member proposes and others back
it; the board schedules, opens and closes the ballot; each refusal is a problem document
saying who may (the same operations as the portal's pages)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from bureau.coop.models import BallotState, College, EnvironmentBudget, Proposal
from bureau.coop.operations import ballots, membership
from bureau.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(people: dict[str, User], settings: Any) -> list[User]:
    """alice and tess are members; the board needs two backers."""
    settings.BUREAU_COOP_PROPOSAL_BACKERS = 2
    college, _ = College.objects.get_or_create(code="customers", defaults={"name": "Client·es"})
    for name in ("alice", "tess"):
        membership.join(people[name], college, 1, name=name, paid=True)
    return [people["alice"], people["tess"]]


def test_propose_back_schedule_open_vote_close(
        api: Callable[..., APIClient], members: list[User], people: dict[str, User]) -> None:
    alice, tess = api("alice"), api("tess")
    made = alice.post("/api/v1/coop/proposals/", {
        "kind": "budget", "title": "Sobriété", "text": "Éteindre le serveur de secours.",
        "budget_year": clock.now().year, "energy_kwh": 900, "emissions_kg": 90},
        format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["state"], body["backers"], body["needed"]) == ("support", 1, 2)
    # Someone who is not a member cannot back it; a member can, once.
    refused = api("bob").post(f"/api/v1/coop/proposals/{body['id']}/back/")
    assert refused.status_code == 403 and refused.json()["type"].endswith("/not-a-member")
    backed = tess.post(f"/api/v1/coop/proposals/{body['id']}/back/")
    assert backed.status_code == 200 and backed.json()["state"] == "backed"

    now = clock.now()
    dates = {"opens_at": (now + timedelta(seconds=2)).isoformat(),
             "closes_at": (now + timedelta(seconds=4)).isoformat(), "quorum_percent": 50}
    # Only the board schedules; a token without the board's scope cannot either.
    not_board = alice.post(f"/api/v1/coop/proposals/{body['id']}/schedule/", dates,
                           format="json")
    assert not_board.status_code == 403 and not_board.json()["type"].endswith("/not-on-board")
    people["alice"].groups.add(Group.objects.get(name="board"))
    narrow = api("alice", scopes=("coop:read", "coop:propose")).post(
        f"/api/v1/coop/proposals/{body['id']}/schedule/", dates, format="json")
    assert narrow.status_code == 403
    scheduled = alice.post(f"/api/v1/coop/proposals/{body['id']}/schedule/", dates,
                           format="json")
    assert scheduled.status_code == 201, scheduled.json()
    ballot_id = scheduled.json()["id"]
    assert scheduled.json()["state"] == BallotState.DRAFT
    assert ballot_id not in [b["id"] for b in tess.get("/api/v1/coop/ballots/").json()["results"]]
    assert alice.post(f"/api/v1/coop/ballots/{ballot_id}/open/").json()["state"] == "open"
    assert ballot_id in [b["id"] for b in tess.get("/api/v1/coop/ballots/").json()["results"]]

    ballot = Proposal.objects.get(pk=body["id"]).ballot
    assert ballot is not None
    shifted = clock.now() + timedelta(seconds=3)
    with clock.use(lambda: shifted):
        for member in members:
            ballots.cast(ballot, member.coop_member, ballot.options.get(position=1))
        early = alice.post(f"/api/v1/coop/ballots/{ballot_id}/close/")
        assert early.status_code == 409 and early.json()["type"].endswith("/ballot-state")
    with clock.use(lambda: shifted + timedelta(seconds=5)):
        closed = alice.post(f"/api/v1/coop/ballots/{ballot_id}/close/")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert closed.json()["result"]["participants"] == 2
    assert EnvironmentBudget.objects.get().energy_kwh == 900


def test_a_proposal_needs_a_title_and_a_text(api: Callable[..., APIClient],
                                             members: list[User]) -> None:
    empty = api("alice").post("/api/v1/coop/proposals/", {
        "kind": "motion", "title": "Une motion", "text": "   "}, format="json")
    assert empty.status_code in (400, 422)
    budget = api("alice").post("/api/v1/coop/proposals/", {
        "kind": "budget", "title": "Budget", "text": "Des actions."}, format="json")
    assert budget.status_code == 422
    assert budget.json()["errors"][0]["field"] == "budget_year"
