"""Ballots through the operations: three colleges, quorum, weighting, secrecy, receipts,
re-checking from the published data, and no vote after closing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client

from bureau.coop.models import Ballot, BallotState, Member, Participation, Vote
from bureau.coop.operations import ballots, membership
from bureau.coop.operations.errors import AlreadyVoted, BallotNotOpen, InvalidWeights, NotAMember
from bureau.core import clock

pytestmark = [pytest.mark.sqlite]


@pytest.fixture
def electorate(make_member: Callable[..., Member], coop_clock: Any) -> dict[str, list[Member]]:
    """2 employees, 6 customers, 2 contributors; some hold many shares."""
    return {
        "employees": [make_member("employees", shares=50), make_member("employees")],
        "customers": [make_member("customers", shares=s) for s in (1, 1, 100, 1, 1, 1)],
        "contributors": [make_member("contributors", shares=500), make_member("contributors")],
    }


def open_ballot(**kwargs: Any) -> Ballot:
    now = clock.now()
    defaults: dict[str, Any] = {
        "title": "Tarif .test", "text": "Adopter le tarif ?", "opens_at": now,
        "closes_at": now + timedelta(days=7),
        "options": ballots.yes_no_abstain(), "quorum_percent": 50}
    defaults.update(kwargs)
    return ballots.create(**defaults)


def vote_seven(ballot: Ballot, people: dict[str, list[Member]]) -> dict[int, str]:
    """E: for, for | C: against x4 | K: for (as in test_tally)."""
    options = {o.position: o for o in ballot.options.all()}
    receipts = {}
    plan = [(people["employees"][0], 1), (people["employees"][1], 1)] + \
        [(m, 2) for m in people["customers"][:4]] + [(people["contributors"][0], 1)]
    for member, position in plan:
        receipts[member.pk] = ballots.cast(ballot, member, options[position])
    return receipts


def test_one_person_one_vote_whatever_the_shares(
        electorate: dict[str, list[Member]], coop_clock: Any) -> None:
    ballot = open_ballot()
    vote_seven(ballot, electorate)
    coop_clock.advance(days=8)
    result = ballots.close(ballot)
    # For 3 (even though two of them hold 550 shares), Against 4: Against wins.
    assert result.counts[1] == 3 and result.counts[2] == 4
    assert result.participants == 7 and result.electorate == 10
    assert result.quorum_reached and result.winner == 2
    ballot.refresh_from_db()
    assert ballot.state == BallotState.CLOSED and len(ballot.commitment) == 64
    assert ballot.result["turnout"] == "7/10"


def test_weighted_ballot(electorate: dict[str, list[Member]], coop_clock: Any) -> None:
    ballot = open_ballot(college_weights={"employees": 30, "customers": 40,
                                          "contributors": 30})
    vote_seven(ballot, electorate)
    coop_clock.advance(days=8)
    result = ballots.close(ballot)
    assert result.scores == {1: Fraction(3, 5), 2: Fraction(2, 5)}
    assert result.winner == 1


def test_quorum_not_reached(electorate: dict[str, list[Member]], coop_clock: Any) -> None:
    ballot = open_ballot(quorum_percent=75)  # 7 of 10 < 75 %
    vote_seven(ballot, electorate)
    coop_clock.advance(days=8)
    result = ballots.close(ballot)
    assert not result.quorum_reached and result.winner is None


def test_weights_outside_the_statutes_are_refused(electorate: Any) -> None:
    with pytest.raises(InvalidWeights, match="10% to 50%"):
        open_ballot(college_weights={"employees": 60, "customers": 20, "contributors": 20})
    with pytest.raises(InvalidWeights, match="100%"):
        open_ballot(college_weights={"employees": 30, "customers": 30, "contributors": 30})


def test_votes_are_final_and_refused_after_closing(
        electorate: dict[str, list[Member]], coop_clock: Any,
        make_member: Callable[..., Member]) -> None:
    ballot = open_ballot()
    first, second = ballot.options.all()[:2]
    alix = electorate["customers"][0]
    ballots.cast(ballot, alix, first)
    with pytest.raises(AlreadyVoted):
        ballots.cast(ballot, alix, second)
    latecomer = make_member("customers")  # joined after the ballot opened
    with pytest.raises(NotAMember):
        ballots.cast(ballot, latecomer, first)
    with pytest.raises(BallotNotOpen):
        ballots.close(ballot)  # not before its time
    coop_clock.advance(days=8)
    with pytest.raises(BallotNotOpen):
        ballots.cast(ballot, electorate["customers"][1], first)
    ballots.close(ballot)
    with pytest.raises(BallotNotOpen):
        ballots.cast(ballot, electorate["customers"][1], first)
    assert ballot.votes.count() == 1


def test_left_member_cannot_vote(electorate: dict[str, list[Member]]) -> None:
    ballot = open_ballot()
    leaver = electorate["customers"][0]
    membership.leave(leaver)
    with pytest.raises(NotAMember):
        ballots.cast(ballot, leaver, ballot.options.first())  # type: ignore[arg-type]


def test_secret_ballot_is_rechecked_by_anyone_without_revealing_voters(
        electorate: dict[str, list[Member]], coop_clock: Any) -> None:
    ballot = open_ballot(secret=True)
    receipts = vote_seven(ballot, electorate)
    # Nothing stored links a secret vote to a person.
    assert not Vote.objects.filter(ballot=ballot, member__isnull=False).exists()
    assert Participation.objects.filter(ballot=ballot).count() == 7
    coop_clock.advance(days=8)
    ballots.close(ballot)

    data = json.loads(Client().get(f"/coop/ballots/{ballot.pk}/published.json").content)
    published = json.dumps(data)
    for people in electorate.values():
        for member in people:
            assert member.display_name not in published
            assert member.user.username not in published
    assert [v["receipt"] for v in data["votes"]] == sorted(receipts.values())
    # Each voter finds their own receipt, with their choice.
    alix = electorate["employees"][0]
    mine = next(v for v in data["votes"] if v["receipt"] == receipts[alix.pk])
    assert mine["option"] == 1
    # Anyone recounts from the download alone.
    recount = ballots.recount(data)
    assert recount.counts == {1: 3, 2: 4, 3: 0} and recount.winner == 2
    # A tampered list does not match the commitment published at closing.
    data["votes"][0]["option"] = 3 - data["votes"][0]["option"]
    with pytest.raises(ValueError, match="commitment"):
        ballots.recount(data)


def test_public_ballot_shows_who_voted_what(
        electorate: dict[str, list[Member]], coop_clock: Any) -> None:
    ballot = open_ballot(secret=False)
    vote_seven(ballot, electorate)
    coop_clock.advance(days=8)
    ballots.close(ballot)
    page = Client(headers={"accept-language": "en"}).get(f"/coop/ballots/{ballot.pk}/")
    first = electorate["employees"][0]
    assert f"{first.display_name}: For" in page.text
    assert "7 of 10 members (70.0 %)" in page.text


def test_vote_from_the_portal(electorate: dict[str, list[Member]]) -> None:
    ballot = open_ballot()
    member = electorate["customers"][2]
    client = Client(headers={"accept-language": "en"})
    client.force_login(member.user)
    page = client.get(f"/coop/ballots/{ballot.pk}/")
    assert "A vote is final" in page.text
    against = ballot.options.get(position=2)
    response = client.post(f"/coop/ballots/{ballot.pk}/", {"option": against.pk}, follow=True)
    assert "Your receipt:" in response.text and "You have voted." in response.text
    assert Vote.objects.get(ballot=ballot).option == against


def test_periodic_job_closes_due_ballots(electorate: dict[str, list[Member]],
                                         coop_clock: Any) -> None:
    from bureau.coop.tasks import close_due_ballots

    ballot = open_ballot()
    vote_seven(ballot, electorate)
    assert close_due_ballots.call() == 0
    coop_clock.advance(days=8)
    assert close_due_ballots.call() == 1
    ballot.refresh_from_db()
    assert ballot.state == BallotState.CLOSED and ballot.result["winner"] == 2


def test_admin_refuses_weights_outside_the_statutes(colleges: Any) -> None:
    from bureau.coop.admin import BallotForm

    now = clock.now()
    form = BallotForm(data={
        "title": "AG", "text": "Statuts", "opens_at": now, "closes_at": now + timedelta(days=1),
        "quorum_percent": 25, "secret": True, "state": "draft", "electorate": "{}",
        "result": "{}", "college_weights": '{"employees": 80, "customers": 10, '
        '"contributors": 10}'})
    assert not form.is_valid()
    assert "80%" in str(form.errors["college_weights"])


@pytest.mark.parametrize(("language", "label"), [("fr", "Salarié·es 30 %"),
                                                 ("en", "Employees 30 %")])
def test_weighted_ballot_names_colleges_in_the_pages_language(
        db: Any, language: str, label: str) -> None:
    ballot = open_ballot(college_weights={"employees": 30, "customers": 40,
                                          "contributors": 30})
    page = Client(headers={"accept-language": language}).get(f"/coop/ballots/{ballot.pk}/")
    text = page.content.decode()
    assert label in text and "employees 30" not in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_member_who_joined_after_the_ballot_opened_is_told_why_before_voting(
        electorate: dict[str, list[Member]], coop_clock: Any,
        make_member: Callable[..., Member], lang: str) -> None:
    ballot = open_ballot()
    coop_clock.advance(hours=1)
    latecomer = make_member("customers")
    client = Client(headers={"accept-language": lang})
    client.force_login(latecomer.user)
    page = client.get(f"/coop/ballots/{ballot.pk}/").text
    assert 'name="option"' not in page  # no form to fill in vain
    reason = {"en": "after this ballot opened", "fr": "après l’ouverture de ce scrutin"}[lang]
    assert 'id="why-not"' in page and reason in page
    client.force_login(electorate["customers"][0].user)
    assert 'name="option"' in client.get(f"/coop/ballots/{ballot.pk}/").text
