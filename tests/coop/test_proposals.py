"""Members propose (a motion, a price, a service, an environment budget) and back proposals;
enough backing sends one to the board, which schedules, opens, reschedules and closes its
ballot from the portal. Everything through the pages a member and the board use (issue 21,
point 11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from bureau.coop.models import (
    Ballot,
    BallotState,
    Member,
    PriceListState,
    Proposal,
    ProposalState,
)
from bureau.coop.operations import ballots, board, proposals
from bureau.coop.operations.errors import InvalidProposal, NotAMember, NotOnBoard
from bureau.core import clock

pytestmark = [pytest.mark.sqlite]


def local(at: Any) -> str:
    return at.strftime("%Y-%m-%dT%H:%M")


def client_of(user: User, lang: str = "en") -> Client:
    client = Client(headers={"accept-language": lang})
    client.force_login(user)
    return client


@pytest.fixture
def board_user(db: Any) -> User:
    """A person the operators put in the "board" group (the migration makes it)."""
    user = User.objects.create(username="board", email="board@example.org")
    user.groups.add(Group.objects.get(name="board"))
    return user


@pytest.fixture
def three(make_member: Callable[..., Member], settings: Any) -> list[Member]:
    settings.BUREAU_COOP_PROPOSAL_BACKERS = 3
    return [make_member("customers"), make_member("employees"), make_member("contributors")]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_motion_backed_by_enough_members_goes_to_the_boards_ballot(
        three: list[Member], board_user: User, coop_clock: Any, lang: str) -> None:
    proposer, second, third = three
    page = client_of(proposer.user, lang).post("/coop/proposals/new/", {
        "kind": "motion", "title": "Héberger nos serveurs chez une coopérative",
        "text": "Choisir un hébergeur coopératif alimenté en énergie renouvelable."},
        follow=True)
    proposal = Proposal.objects.get()
    assert page.redirect_chain[-1][0] == f"/coop/proposals/{proposal.pk}/"
    said = {"en": "Once 2 more members back it", "fr": "Dès que 2 autres membres"}[lang]
    assert said in page.text
    assert proposal.state == ProposalState.SUPPORT

    # The board has nothing to schedule yet; members cannot see the board's desk.
    assert client_of(proposer.user, lang).get("/coop/board/").status_code == 404
    desk = client_of(board_user, lang).get("/coop/board/").text
    assert proposal.title not in desk

    client_of(second.user, lang).post(f"/coop/proposals/{proposal.pk}/")
    again = client_of(second.user, lang).post(f"/coop/proposals/{proposal.pk}/", follow=True)
    assert {"en": "already", "fr": "déjà"}[lang] in again.text
    client_of(third.user, lang).post(f"/coop/proposals/{proposal.pk}/")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.BACKED and proposal.backings.count() == 3
    shown = client_of(proposer.user, lang).get(f"/coop/proposals/{proposal.pk}/").text
    assert {"en": "Backed by 3 of the 3", "fr": "Soutenue par 3 des 3"}[lang] in shown

    # The board schedules its ballot from the portal: members do not see it yet.
    desk = client_of(board_user, lang).get("/coop/board/").text
    assert proposal.title in desk
    now = clock.now()
    client_of(board_user, lang).post(f"/coop/board/proposals/{proposal.pk}/schedule/", {
        "opens_at": local(now + timedelta(days=1)), "closes_at": local(now + timedelta(days=8)),
        "quorum_percent": 50, "secret": "on"})
    proposal.refresh_from_db()
    ballot = proposal.ballot
    assert ballot is not None and ballot.state == BallotState.DRAFT
    assert ballot.title == proposal.title and ballot.quorum_percent == 50
    assert proposal.title not in client_of(proposer.user, lang).get("/coop/ballots/").text
    assert client_of(proposer.user, lang).get(f"/coop/ballots/{ballot.pk}/").status_code == 404

    # New dates, then open: members see it and vote from its opening.
    client_of(board_user, lang).post(f"/coop/board/ballots/{ballot.pk}/dates/", {
        "opens_at": local(now + timedelta(minutes=2)),
        "closes_at": local(now + timedelta(days=3))})
    client_of(board_user, lang).post(f"/coop/board/ballots/{ballot.pk}/open/")
    coop_clock.advance(minutes=3)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.OPEN and ballot.closes_at < now + timedelta(days=4)
    assert proposal.title in client_of(proposer.user, lang).get("/coop/ballots/").text
    for member in three:
        for_ = ballot.options.get(position=1)
        client_of(member.user, lang).post(f"/coop/ballots/{ballot.pk}/", {"option": for_.pk})
    assert ballot.participations.count() == 3

    # Closing before its time is refused, with the time it closes.
    early = client_of(board_user, lang).post(f"/coop/board/ballots/{ballot.pk}/close/",
                                             follow=True)
    assert {"en": "cannot be counted before", "fr": "ne peut pas être dépouillé"}[lang] \
        in early.text
    coop_clock.advance(days=4)
    client_of(board_user, lang).post(f"/coop/board/ballots/{ballot.pk}/close/")
    ballot.refresh_from_db()
    assert ballot.state == BallotState.CLOSED and ballot.result["participants"] == 3
    result = client_of(proposer.user, lang).get(f"/coop/ballots/{ballot.pk}/").text
    assert {"en": "adopted", "fr": "adopté"}[lang] in result


def test_each_board_person_hears_of_a_backed_proposal_in_their_language(
        three: list[Member], board_user: User, mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any) -> None:
    from bureau.registrar.operations import preferences

    french = User.objects.create(username="conseil", email="conseil@example.org")
    french.groups.add(Group.objects.get(name="board"))
    preferences.set_language(french, "fr")
    proposal = proposals.submit(by=three[0].user, kind="motion", title="Une motion",
                                text="Le texte.")
    with django_capture_on_commit_callbacks(execute=True):
        for member in three[1:]:
            proposals.back(proposal, by=member.user)
    mails = {m.to[0]: m for m in mailoutbox}
    assert set(mails) == {"board@example.org", "conseil@example.org"}
    assert "is backed by 3 members" in mails["board@example.org"].body  # the page's English
    assert "est soutenue par 3 associé·es" in mails["conseil@example.org"].body
    assert "/coop/board/" in mails["conseil@example.org"].body


def test_only_the_board_schedules_and_only_members_propose(
        three: list[Member], board_user: User, coop_clock: Any, mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any) -> None:
    proposer = three[0]
    proposal = proposals.submit(by=proposer.user, kind="motion", title="Une motion",
                                text="Le texte.")
    with django_capture_on_commit_callbacks(execute=True):
        proposals.back(proposal, by=three[1].user)
    assert mailoutbox == []  # not backed enough yet
    with django_capture_on_commit_callbacks(execute=True):
        proposals.back(proposal, by=three[2].user)
    # The board is told, once, with the page where it schedules the ballot.
    assert [m.to for m in mailoutbox] == [["board@example.org"]]
    assert "“Une motion” (Motion) is backed by 3 members" in mailoutbox[0].body
    assert "/coop/board/" in mailoutbox[0].body
    now = clock.now()
    with pytest.raises(NotOnBoard):
        board.schedule(proposal, by=proposer.user, opens_at=now,
                       closes_at=now + timedelta(days=2))
    with pytest.raises(NotAMember):
        proposals.submit(by=board_user, kind="motion", title="x", text="y")
    with pytest.raises(InvalidProposal) as empty:
        proposals.submit(by=proposer.user, kind="motion", title="x", text=" ")
    assert empty.value.field == "text"
    with pytest.raises(InvalidProposal):  # backed: nothing more to gather
        proposals.back(proposal, by=proposer.user)
    # A past closing date is refused with what to change.
    with pytest.raises(Exception) as past:
        board.schedule(proposal, by=board_user, opens_at=now - timedelta(days=3),
                       closes_at=now - timedelta(days=1))
    assert getattr(past.value, "field", None) == "closes_at"
    # The board's own motion, scheduled, then refused a second opening.
    ballot = board.create(by=board_user, title="Motion du conseil", text="Texte",
                          opens_at=now, closes_at=now + timedelta(days=1))
    assert ballot.state == BallotState.DRAFT
    board.open_ballot(ballot, by=board_user)
    with pytest.raises(Exception, match="already open"):
        board.open_ballot(ballot, by=board_user)


def test_a_service_price_proposal_backed_scheduled_and_adopted(
        make_member: Callable[..., Member], board_user: User, coop_clock: Any,
        settings: Any) -> None:
    settings.BUREAU_COOP_PROPOSAL_BACKERS = 1
    member = make_member("customers")
    effective = (clock.now() + timedelta(days=30)).date()
    page = client_of(member.user).post("/coop/prices/propose/", {
        "title": "Hébergement DNS", "rationale": "Couvrir les serveurs de noms.",
        "effective_from": effective.isoformat(), "subject": "dns-hosting",
        "operation": "service", "wholesale": "0", "fees": "0", "payment_costs": "0.30",
        "operating_share": "9.70", "reserve": "2.00"}, follow=True)
    proposal = Proposal.objects.get()
    assert proposal.kind == "service" and proposal.state == ProposalState.BACKED
    assert "12.00 EUR" in page.text
    now = clock.now()
    ballot = board.schedule(proposal, by=board_user, opens_at=now + timedelta(minutes=1),
                            closes_at=now + timedelta(days=2))
    coop_clock.advance(minutes=2)
    assert proposal.price_list is not None
    assert proposal.price_list.state == PriceListState.VOTING
    board.open_ballot(ballot, by=board_user)
    ballots.cast(ballot, member, ballot.options.get(position=1))
    coop_clock.advance(days=3)
    board.close(ballot, by=board_user)
    proposal.price_list.refresh_from_db()
    assert proposal.price_list.state == PriceListState.ADOPTED
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.CLOSED


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_staff_record_who_sits_on_the_board_in_the_portal(
        board_user: User, lang: str) -> None:
    """Without the admin: staff put the person the general assembly elected on the board
    (who then runs ballots from the board's page) and take them off again."""
    staff = User.objects.create(username="operateur", email="ops@bureau.test", is_staff=True)
    elected = User.objects.create(username="elu", email="elu@example.org")
    desk = client_of(staff, lang)
    register = desk.get("/coop/register/").text
    assert 'id="board"' in register and "board@example.org" in register
    assert client_of(elected, lang).get("/coop/board/").status_code == 404
    unknown = desk.post("/coop/board/people/", {"email": "personne@example.org"},
                        follow=True).text
    assert {"en": "No account uses personne@example.org",
            "fr": "Aucun compte n’utilise personne@example.org"}[lang] in unknown
    desk.post("/coop/board/people/", {"email": "ELU@example.org"})
    assert client_of(elected, lang).get("/coop/board/").status_code == 200
    assert [p.email for p in board.people()] == ["board@example.org", "elu@example.org"]
    # A board member does not appoint the board: the general assembly does, staff record it.
    refused = client_of(board_user, lang).post("/coop/board/people/",
                                               {"email": "ops@bureau.test"})
    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]
    with pytest.raises(NotOnBoard):
        board.appoint(by=board_user, email="ops@bureau.test")
    desk.post(f"/coop/board/people/{elected.pk}/dismiss/")
    assert client_of(elected, lang).get("/coop/board/").status_code == 404
