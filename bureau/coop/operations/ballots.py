"""Ballots: open, vote (one person, one vote), close and publish.

- ``create`` checks dates, options and college weights (each within the statutes' bounds,
  ``conf.college_weight_bounds()``, summing to 100).
- ``cast`` records that the member took part (``Participation``, unique per ballot) and what
  was chosen (``Vote`` with a random receipt token; no link to the person when secret), in
  one transaction. A vote is final: it cannot be changed, and none is taken outside
  [opens_at, closes_at) or once the ballot is closed.
- ``close`` counts (``tally.tally``) from the published list only, stores the result and the
  commitment hash of that list, and (for a price ballot) adopts or rejects the price list.
- ``published_votes`` / ``recheck``: what anyone can download and recount.

Errors: BallotNotOpen, AlreadyVoted, NotAMember, InvalidWeights (field "college_weights").
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bureau.coop import conf, tally
from bureau.coop.models import (
    Ballot,
    BallotOption,
    BallotState,
    College,
    Member,
    MemberStatus,
    OptionMeaning,
    Participation,
    Vote,
)
from bureau.core import clock

from .errors import AlreadyVoted, BallotNotOpen, InvalidWeights, NotAMember

# Sent inside the closing transaction with ballot= and result= (a tally.Tally): what was put
# to the vote (a price list) settles in the same transaction as the count.
ballot_closed = Signal()


def shown(at: datetime) -> str:
    """A moment as people read it in messages (their language's format, local time)."""
    return formats.date_format(timezone.localtime(at), "DATETIME_FORMAT")


def verify_weights(weights: Mapping[str, int]) -> None:
    if not weights:
        return
    low, high = conf.college_weight_bounds()
    codes = set(College.objects.values_list("code", flat=True))
    unknown = set(weights) - codes
    if unknown:
        raise InvalidWeights(_("Unknown college(s): %(codes)s.")
                             % {"codes": ", ".join(sorted(unknown))}, field="college_weights")
    for code, weight in weights.items():
        if not low <= weight <= high:
            raise InvalidWeights(
                _("The college %(code)s weighs %(weight)s%%; the statutes allow %(low)s%% "
                  "to %(high)s%%.") % {"code": code, "weight": weight, "low": low,
                                         "high": high}, field="college_weights")
    if sum(weights.values()) != 100:
        raise InvalidWeights(_("College weights must add up to 100%%, not %(total)s%%.")
                             % {"total": sum(weights.values())}, field="college_weights")


def create(*, title: str, text: str, opens_at: datetime, closes_at: datetime,
           options: Sequence[tuple[str, str]], quorum_percent: int = 25, secret: bool = True,
           college_weights: Mapping[str, int] | None = None, by: Any = None,
           state: str = BallotState.OPEN) -> Ballot:
    """A ballot, open from ``opens_at`` (or scheduled: ``state=DRAFT``, shown to members when
    the board opens it); ``options`` are (label, meaning) pairs."""
    if closes_at <= opens_at:
        raise BallotNotOpen(_("A ballot must close after it opens."), field="closes_at")
    if len(options) < 2:
        raise BallotNotOpen(_("Give at least two options."), field="options")
    if not 0 <= quorum_percent <= 100:
        raise BallotNotOpen(_("The quorum is a percentage between 0 and 100."),
                            field="quorum_percent")
    weights = dict(college_weights or {})
    verify_weights(weights)
    with transaction.atomic():
        ballot = Ballot.objects.create(
            title=title, text=text, opens_at=opens_at, closes_at=closes_at,
            quorum_percent=quorum_percent, secret=secret, college_weights=weights,
            state=state, created_by=by if getattr(by, "pk", None) else None)
        for position, (label, meaning) in enumerate(options, start=1):
            BallotOption.objects.create(ballot=ballot, position=position, label=label,
                                        meaning=meaning)
    return ballot


def yes_no_abstain(by: Any = None) -> list[tuple[str, str]]:
    return [(_("For"), OptionMeaning.FOR), (_("Against"), OptionMeaning.AGAINST),
            (_("Abstention"), OptionMeaning.ABSTAIN)]


def adopted(ballot: Ballot, result: tally.Tally) -> bool:
    """Whether "For" won (quorum reached, strict majority of the expressed votes)."""
    if result.winner is None:
        return False
    return ballot.options.filter(position=result.winner, meaning=OptionMeaning.FOR).exists()


def is_open(ballot: Ballot, at: datetime | None = None) -> bool:
    at = at or clock.now()
    return ballot.state == BallotState.OPEN and ballot.opens_at <= at < ballot.closes_at


def eligible_members(ballot: Ballot) -> Any:
    """Members entitled to vote: members when the ballot opened, still members now (or
    until the ballot closed)."""
    return Member.objects.filter(joined_at__lte=ballot.opens_at).filter(
        Q(status=MemberStatus.ACTIVE) | Q(left_at__gte=ballot.closes_at))


def why_not(ballot: Ballot, member: Member) -> str:
    """Why ``member`` may not vote in ``ballot``, said before they try (the ballot's page
    shows it instead of the form); "" when they may."""
    if member.status == MemberStatus.PENDING:
        return _("Your membership starts once your shares are paid: you may vote in the "
                 "ballots that open after that.")
    if member.joined_at > ballot.opens_at:
        return _("You joined the cooperative on %(joined)s, after this ballot opened "
                 "(%(opens)s): only members who had joined when it opened vote in it. You "
                 "will vote in the next ones.") % {"joined": shown(member.joined_at),
                                                   "opens": shown(ballot.opens_at)}
    if not eligible_members(ballot).filter(pk=member.pk).exists():
        return _("Only members who had joined when the ballot opened can vote.")
    return ""


def verify_can_vote(ballot: Ballot, member: Member) -> None:
    reason = why_not(ballot, member)
    if reason:
        raise NotAMember(reason)


def cast(ballot: Ballot, member: Member, option: BallotOption) -> str:
    """Record a vote; returns the receipt token (show it to the voter once: it is how they
    find their vote in the published list)."""
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if not is_open(locked):
            raise BallotNotOpen(_("This ballot is not open for votes (it opens at "
                                  "%(opens)s and closes at %(closes)s).")
                                % {"opens": shown(locked.opens_at),
                                   "closes": shown(locked.closes_at)})
        if option.ballot_id != locked.pk:
            raise BallotNotOpen(_("Choose one of this ballot's options."), field="option")
        verify_can_vote(locked, member)
        if Participation.objects.filter(ballot=locked, member=member).exists():
            raise AlreadyVoted(_("You have already voted in this ballot; a vote cannot be "
                                 "changed."))
        receipt = secrets.token_urlsafe(18)
        try:
            with transaction.atomic():
                Participation.objects.create(ballot=locked, member=member,
                                             college=member.college)
        except IntegrityError as exc:
            raise AlreadyVoted(_("You have already voted in this ballot.")) from exc
        Vote.objects.create(ballot=locked, option=option, college=member.college,
                            receipt=receipt, member=None if locked.secret else member)
    return receipt


def published_votes(ballot: Ballot) -> list[tally.PublishedVote]:
    return [tally.PublishedVote(receipt=v.receipt, option=v.option.position,
                                college=v.college.code)
            for v in ballot.votes.select_related("option", "college")]


def electorate(ballot: Ballot) -> dict[str, int]:
    counts: dict[str, int] = {c.code: 0 for c in College.objects.all()}
    for code in eligible_members(ballot).values_list("college__code", flat=True):
        counts[code] += 1
    return counts


def count(ballot: Ballot, votes: Sequence[tally.PublishedVote],
          electorate_by_college: Mapping[str, int]) -> tally.Tally:
    options = list(ballot.options.all())
    return tally.tally(
        votes, options=[o.position for o in options], electorate=electorate_by_college,
        quorum_percent=ballot.quorum_percent, weights=ballot.college_weights or None,
        abstain=[o.position for o in options if o.meaning == OptionMeaning.ABSTAIN])


def close(ballot: Ballot) -> tally.Tally:
    """Close a ballot whose closing time has come, count and publish. Idempotent: closing a
    closed ballot returns the published count."""
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.state == BallotState.CLOSED:
            return recheck(locked)
        if clock.now() < locked.closes_at:
            raise BallotNotOpen(_("This ballot closes at %(closes)s; it cannot be counted "
                                  "before.") % {"closes": shown(locked.closes_at)})
        votes = published_votes(locked)
        locked.electorate = electorate(locked)
        result = count(locked, votes, locked.electorate)
        locked.result = result.as_dict()
        locked.commitment = tally.commitment(votes)
        locked.state = BallotState.CLOSED
        locked.closed_at = clock.now()
        locked.save()
        ballot_closed.send(sender=Ballot, ballot=locked, result=result)
    ballot.refresh_from_db()
    return result


def close_due() -> list[Ballot]:
    """Close every open ballot whose time is up (a periodic job may call this)."""
    due = Ballot.objects.filter(state=BallotState.OPEN, closes_at__lte=clock.now())
    closed = []
    for ballot in due:
        close(ballot)
        closed.append(ballot)
    return closed


def publication(ballot: Ballot) -> dict[str, Any]:
    """What is published for anyone to recount: options, electorate, weights, quorum, the
    votes (receipt, option, college; sorted by receipt), the commitment and the result."""
    votes = published_votes(ballot) if ballot.state == BallotState.CLOSED else []
    return {
        "ballot": ballot.pk, "title": ballot.title, "secret": ballot.secret,
        "options": [{"position": o.position, "label": o.label, "meaning": o.meaning}
                    for o in ballot.options.all()],
        "quorum_percent": ballot.quorum_percent, "college_weights": ballot.college_weights,
        "electorate": ballot.electorate, "votes": tally.canonical_votes(votes),
        "commitment": ballot.commitment, "result": ballot.result,
    }


def recheck(ballot: Ballot) -> tally.Tally:
    """Recount from the published data alone (what anyone can do with ``publication``)."""
    data = publication(ballot)
    return recount(data)


def recount(data: Mapping[str, Any]) -> tally.Tally:
    """Recount a downloaded publication; raises ValueError if the commitment or the
    published result does not match."""
    votes = tally.from_published(data["votes"])
    if tally.commitment(votes) != data["commitment"]:
        raise ValueError("the published votes do not match the commitment")
    options = data["options"]
    result = tally.tally(
        votes, options=[int(o["position"]) for o in options], electorate=data["electorate"],
        quorum_percent=int(data["quorum_percent"]),
        weights=data["college_weights"] or None,
        abstain=[int(o["position"]) for o in options if o["meaning"] == "abstain"])
    if data["result"] and result.as_dict() != data["result"]:
        raise ValueError("the published result does not match the recount")
    return result
