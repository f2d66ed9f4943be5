"""Joining, subscribing shares, leaving and exclusion.

Rules: one membership per person; a member belongs to one college; shares are subscribed
and refunded only at their nominal value (``conf.share_value()``), never above; a member
holds at least one share while active; leaving or exclusion refunds every share at nominal
value. Every movement is an append-only ``ShareMovement``.

Errors: AlreadyMember, CollegeClosed (field "college"), InvalidShares (field "shares"),
NotAMember.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bureau.coop import conf
from bureau.coop.models import College, Member, MemberStatus, MovementKind, ShareMovement
from bureau.core import clock

from .errors import AlreadyMember, CollegeClosed, InvalidShares, NotAMember
from .numbering import next_number


def verify_share_count(shares: int, held: int = 0) -> None:
    if shares < 1:
        raise InvalidShares(_("Subscribe at least one share."), field="shares")
    if held + shares > conf.max_shares():
        raise InvalidShares(
            _("One person may hold at most %(max)s shares; you hold %(held)s.")
            % {"max": conf.max_shares(), "held": held}, field="shares")


def verify_active(member: Member) -> None:
    if not member.is_active:
        raise NotAMember(_("This person is no longer a member of the cooperative."))


def join(user: Any, college: College, shares: int, *, name: str = "",
         at: datetime | None = None) -> Member:
    """Make ``user`` a member of ``college`` with ``shares`` shares at nominal value."""
    verify_share_count(shares)
    if not college.is_open:
        raise CollegeClosed(_("The college %(college)s does not take new members.")
                            % {"college": college.name}, field="college")
    at = at or clock.now()
    with transaction.atomic():
        existing = Member.objects.select_for_update().filter(user=user).first()
        if existing is not None and existing.is_active:
            raise AlreadyMember(_("You are already a member (number %(number)s).")
                                % {"number": existing.number})
        display = name or user.get_full_name() or user.get_username()
        if existing is not None:
            # Re-joining after leaving: same number, history kept.
            existing.college, existing.status, existing.joined_at = college, \
                MemberStatus.ACTIVE, at
            existing.left_at, existing.leaving_reason = None, ""
            existing.display_name = display
            existing.save()
            member = existing
        else:
            member = Member.objects.create(user=user, college=college, display_name=display,
                                           number=next_number("member"), joined_at=at)
        _move(member, MovementKind.SUBSCRIPTION, shares, at, _("Membership"), user)
    return member


def subscribe(member: Member, shares: int, *, by: Any = None) -> ShareMovement:
    verify_active(member)
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        verify_share_count(shares, locked.shares)
        return _move(locked, MovementKind.SUBSCRIPTION, shares, clock.now(),
                     _("Additional shares"), by)


def leave(member: Member, *, reason: str = "", by: Any = None,
          excluded: bool = False) -> ShareMovement | None:
    """End a membership (leaving, or exclusion decided by the cooperative) and refund every
    share at nominal value. Returns the refund movement."""
    verify_active(member)
    at = clock.now()
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        verify_active(locked)
        locked.status = MemberStatus.EXCLUDED if excluded else MemberStatus.LEFT
        locked.left_at = at
        locked.leaving_reason = reason
        locked.save()
        held = locked.shares
        movement = None
        if held:
            label = _("Exclusion") if excluded else _("Leaving")
            movement = _move(locked, MovementKind.REFUND, -held, at,
                             f"{label}: {reason}"[:255] if reason else label, by)
    member.refresh_from_db()
    return movement


def exclude(member: Member, *, reason: str, by: Any) -> ShareMovement | None:
    if not reason.strip():
        raise NotAMember(_("Give the reason for the exclusion (the general assembly's "
                           "decision)."), field="reason")
    return leave(member, reason=reason, by=by, excluded=True)


def _move(member: Member, kind: str, shares: int, at: datetime, reason: str,
          by: Any) -> ShareMovement:
    return ShareMovement.objects.create(
        member=member, kind=kind, shares=shares, unit_value=conf.share_value(),
        currency=conf.currency(), at=at, reason=reason,
        recorded_by=by if getattr(by, "pk", None) else None)


@dataclass(frozen=True)
class RegisterLine:
    member: Member
    shares: int
    capital: int  # cents


def register() -> list[RegisterLine]:
    """The register of members and shares (operator view), members in number order."""
    members = Member.objects.select_related("college").annotate(
        held=Coalesce(models.Sum("movements__shares"), 0))
    return [RegisterLine(m, int(m.held), int(m.held) * conf.share_value()) for m in members]


def capital() -> int:
    """Subscribed capital in cents (variable capital: it moves with every movement)."""
    total = ShareMovement.objects.aggregate(
        total=models.Sum(models.F("shares") * models.F("unit_value")))["total"]
    return int(total or 0)
