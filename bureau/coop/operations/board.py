"""The board's use of ballots, from the portal: schedule a backed proposal's ballot (or its
own motion), move its dates before anyone voted, open it to members, and close it once its
time is up — which counts it and publishes the result at once (nobody, the board included,
knows a result members cannot read). Each action checks here that ``by`` is on the board
(permission ``coop.manage_ballots``, given by the "board" group).

Who sits on the board is what the general assembly elected: Bureau's staff record it here
(``appoint``, ``dismiss``: the "board" group), without the admin.

Errors: NotOnBoard, InvalidProposal, BallotNotOpen, InvalidWeights, InvalidPriceList,
UnknownPerson (field "email").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _

from bureau.coop import tally
from bureau.coop.models import Ballot, BallotState, Proposal, ProposalKind, ProposalState
from bureau.core import clock

from . import ballots, pricing
from .errors import BallotNotOpen, InvalidPriceList, InvalidProposal, NotOnBoard, UnknownPerson

PERMISSION = "coop.manage_ballots"


def is_board(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(PERMISSION))


def verify_board(by: Any) -> None:
    if not is_board(by):
        raise NotOnBoard(_("Only the board schedules, opens and closes ballots."))


def verify_dates(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise BallotNotOpen(_("A ballot must close after it opens."), field="closes_at")
    if closes_at <= clock.now():
        raise BallotNotOpen(_("The closing date has passed: choose one to come."),
                            field="closes_at")


def schedule(proposal: Proposal, *, by: Any, opens_at: datetime, closes_at: datetime,
             quorum_percent: int = 25, secret: bool = True,
             college_weights: Mapping[str, int] | None = None) -> Ballot:
    """The ballot of a proposal members backed, scheduled (members see it once opened)."""
    verify_board(by)
    verify_dates(opens_at, closes_at)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state != ProposalState.BACKED:
            raise InvalidProposal(_("Only a proposal backed by enough members and without a "
                                    "ballot yet can be scheduled."))
        if locked.price_list is not None:
            ballot = pricing.put_to_vote(
                locked.price_list, opens_at=opens_at, closes_at=closes_at,
                quorum_percent=quorum_percent, secret=secret, college_weights=college_weights,
                by=by, state=BallotState.DRAFT)
        else:
            title = (_("Environment budget %(year)s: %(title)s")
                     % {"year": locked.budget_year, "title": locked.title}
                     if locked.kind == ProposalKind.BUDGET else locked.title)
            ballot = ballots.create(
                title=title, text=locked.text, opens_at=opens_at, closes_at=closes_at,
                options=ballots.yes_no_abstain(), quorum_percent=quorum_percent,
                secret=secret, college_weights=college_weights, by=by,
                state=BallotState.DRAFT)
        locked.ballot = ballot
        locked.state = ProposalState.BALLOT
        locked.save(update_fields=["ballot", "state"])
    proposal.refresh_from_db()
    return ballot


def create(*, by: Any, title: str, text: str, opens_at: datetime, closes_at: datetime,
           quorum_percent: int = 25, secret: bool = True,
           college_weights: Mapping[str, int] | None = None) -> Ballot:
    """The board's own motion (For / Against / Abstention), scheduled."""
    verify_board(by)
    verify_dates(opens_at, closes_at)
    if not title.strip() or not text.strip():
        raise BallotNotOpen(_("Give the ballot a title and the text put to the vote."),
                            field="title")
    return ballots.create(title=title.strip(), text=text.strip(), opens_at=opens_at,
                          closes_at=closes_at, options=ballots.yes_no_abstain(),
                          quorum_percent=quorum_percent, secret=secret,
                          college_weights=college_weights, by=by, state=BallotState.DRAFT)


def reschedule(ballot: Ballot, *, by: Any, opens_at: datetime, closes_at: datetime) -> Ballot:
    """New dates, while nobody has voted (then the dates members were told stay)."""
    verify_board(by)
    verify_dates(opens_at, closes_at)
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.state == BallotState.CLOSED or locked.participations.exists():
            raise BallotNotOpen(_("Members have voted: the dates can no longer change."))
        plist = getattr(locked, "price_list", None)
        if plist is not None and plist.effective_from < closes_at:
            raise InvalidPriceList(_("The prices take effect on %(date)s: the ballot must "
                                     "close before.")
                                   % {"date": ballots.shown(plist.effective_from)},
                                   field="closes_at")
        locked.opens_at, locked.closes_at = opens_at, closes_at
        locked.save(update_fields=["opens_at", "closes_at"])
    ballot.refresh_from_db()
    return ballot


def open_ballot(ballot: Ballot, *, by: Any) -> Ballot:
    """Show a scheduled ballot to members; votes are taken from its opening date."""
    verify_board(by)
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.state != BallotState.DRAFT:
            raise BallotNotOpen(_("This ballot is already open or closed."))
        if locked.closes_at <= clock.now():
            raise BallotNotOpen(_("The closing date has passed: reschedule it first."),
                                field="closes_at")
        locked.state = BallotState.OPEN
        locked.save(update_fields=["state"])
    ballot.refresh_from_db()
    return ballot


def close(ballot: Ballot, *, by: Any) -> tally.Tally:
    """Close a ballot whose time is up, count it and publish the result (what the periodic
    job does, without waiting for it)."""
    verify_board(by)
    if ballot.state == BallotState.DRAFT:
        raise BallotNotOpen(_("This ballot was never opened."))
    return ballots.close(ballot)


BOARD_GROUP = "board"


def verify_staff(by: Any) -> None:
    if not (getattr(by, "is_authenticated", False) and getattr(by, "is_staff", False)):
        raise NotOnBoard(_("Only Bureau's staff record who sits on the board, as the general "
                           "assembly elected it."))


def people() -> list[Any]:
    """Who sits on the board (the "board" group), by address."""
    return list(User.objects.filter(groups__name=BOARD_GROUP, is_active=True)
                .order_by("email"))


def appoint(*, by: Any, email: str) -> Any:
    """Put the person whose account uses ``email`` on the board."""
    verify_staff(by)
    person = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if person is None:
        raise UnknownPerson(_("No account uses %(email)s: the person signs up first, with "
                              "that address.") % {"email": email.strip()}, field="email")
    person.groups.add(Group.objects.get_or_create(name=BOARD_GROUP)[0])
    return person


def dismiss(*, by: Any, person: Any) -> None:
    """Take ``person`` off the board (their term ended, or they resigned)."""
    verify_staff(by)
    person.groups.remove(*Group.objects.filter(name=BOARD_GROUP))
