"""Participatory pricing: propose a price list (each price with its breakdown), discuss it,
put it to a ballot; the ballot's result adopts or rejects it. Once adopted and from its
effective date, ``bureau.coop.pricing.price_for`` makes it what the registrar charges.
A price list being voted on or settled no longer changes; past lists stay visible.

Errors: InvalidPriceList (field named), NotAMember.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _

from bureau.coop import tally
from bureau.coop.models import (
    Ballot,
    BallotState,
    Comment,
    Member,
    PricedOperation,
    PriceItem,
    PriceList,
    PriceListState,
)
from bureau.core import clock

from . import ballots
from .errors import InvalidPriceList, NotAMember


def propose(*, title: str, effective_from: datetime, rationale: str = "",
            by: Any = None) -> PriceList:
    return PriceList.objects.create(title=title, rationale=rationale,
                                    effective_from=effective_from,
                                    created_by=by if getattr(by, "pk", None) else None)


def verify_draft(price_list: PriceList) -> None:
    if price_list.state != PriceListState.DRAFT:
        raise InvalidPriceList(_("This price list is %(state)s and can no longer change.")
                               % {"state": price_list.get_state_display()})


def add_price(price_list: PriceList, *, subject: str, operation: str,
              breakdown: Mapping[str, int], currency: str = "EUR") -> PriceItem:
    """``breakdown``: wholesale, fees, payment_costs, operating_share, reserve (cents)."""
    verify_draft(price_list)
    if operation not in PricedOperation.values:
        raise InvalidPriceList(_("Unknown operation %(op)s.") % {"op": operation},
                               field="operation")
    parts = {"wholesale", "fees", "payment_costs", "operating_share", "reserve"}
    unknown = set(breakdown) - parts
    if unknown or any(int(v) < 0 for v in breakdown.values()):
        raise InvalidPriceList(_("Each part of the price is a positive amount in cents."),
                               field="breakdown")
    return PriceItem.objects.create(price_list=price_list, subject=subject.lower().strip("."),
                                    operation=operation, currency=currency,
                                    # a part left out is nothing (a service
                                    # has no registry cost)
                                    **{k: int(breakdown.get(k, 0)) for k in parts})


def comment(price_list: PriceList, user: Any, text: str) -> Comment:
    member = Member.objects.filter(user=user).first()
    if member is None or not member.is_active:
        raise NotAMember(_("Only members can take part in the discussion."))
    if not text.strip():
        raise InvalidPriceList(_("Write a comment first."), field="text")
    return Comment.objects.create(price_list=price_list, author=user, text=text.strip())


def put_to_vote(price_list: PriceList, *, opens_at: datetime, closes_at: datetime,
                quorum_percent: int = 25, secret: bool = True,
                college_weights: Mapping[str, int] | None = None, by: Any = None,
                state: str = BallotState.OPEN) -> Ballot:
    """Open (or schedule: ``state=DRAFT``) the ballot that decides this price list (For /
    Against / Abstention)."""
    with transaction.atomic():
        locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
        verify_draft(locked)
        if not locked.items.exists():
            raise InvalidPriceList(_("Add at least one price before the vote."))
        if locked.effective_from < closes_at:
            raise InvalidPriceList(_("The prices must take effect after the ballot closes."),
                                   field="effective_from")
        ballot = ballots.create(
            title=_("Price list: %(title)s") % {"title": locked.title},
            text=locked.rationale or locked.title, opens_at=opens_at, closes_at=closes_at,
            options=ballots.yes_no_abstain(), quorum_percent=quorum_percent, secret=secret,
            college_weights=college_weights, by=by, state=state)
        locked.ballot = ballot
        locked.state = PriceListState.VOTING
        locked.save()
    price_list.refresh_from_db()
    return ballot


@receiver(ballots.ballot_closed)
def settle_price_list(sender: Any, ballot: Ballot, result: tally.Tally, **kwargs: Any) -> None:
    """A price list put to the vote settles when its ballot closes, in the same transaction."""
    if hasattr(ballot, "price_list"):
        settle(ballot.price_list, ballot, result)


def settle(price_list: PriceList, ballot: Ballot, result: tally.Tally) -> None:
    """Adopted when the quorum is reached and "For" has a strict majority of the expressed
    votes; rejected otherwise."""
    adopted = ballots.adopted(ballot, result)
    price_list.state = PriceListState.ADOPTED if adopted else PriceListState.REJECTED
    price_list.adopted_at = clock.now() if adopted else None
    price_list.save()


def in_force(at: datetime | None = None) -> list[PriceItem]:
    """Every price in force now: for each (subject, operation) the latest adopted item."""
    at = at or clock.now()
    seen: dict[tuple[str, str], PriceItem] = {}
    items = (PriceItem.objects.select_related("price_list", "price_list__ballot")
             .filter(price_list__state=PriceListState.ADOPTED,
                     price_list__effective_from__lte=at)
             .order_by("-price_list__effective_from", "-price_list__adopted_at",
                       "-price_list_id"))
    for item in items:
        seen.setdefault((item.subject, item.operation), item)
    return sorted(seen.values(), key=lambda i: (i.subject, i.operation))
