"""Joining, subscribing shares, leaving and exclusion.

Rules: one membership per person; a member belongs to one college; shares are subscribed
and refunded only at their nominal value (``conf.share_value()``), never above; a member
holds at least one share while active; leaving or exclusion refunds every share at nominal
value. Every movement is an append-only ``ShareMovement``.

Membership starts once the shares are paid: ``join`` records the subscription and the
person waits (``MemberStatus.PENDING``, no vote) until ``record_share_payment`` has received
their nominal value (a bank transfer with the member's share reference, imported by
bureau.payments; or a payment staff record, ``paid=True``). The money goes to the ledger's
share capital account, not to a balance.

Who may choose a college is its ``admission``: anyone, or only Bureau's staff accounts (the
employees' college).

Errors: AlreadyMember, CollegeClosed (field "college": closed, or not for this person),
InvalidShares (field "shares"), NotAMember, SharePaymentRefused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bureau.coop import conf
from bureau.coop.models import (
    Admission,
    College,
    Member,
    MemberStatus,
    MovementKind,
    ShareMovement,
    SharePayment,
)
from bureau.core import clock
from bureau.registrar.billing import ledger
from bureau.registrar.billing.ledger import format_cents

from .errors import (
    AlreadyMember,
    CollegeClosed,
    InvalidShares,
    NotAMember,
    SharePaymentRefused,
)
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


def entitled(user: Any, college: College) -> bool:
    """Whether ``user`` may choose ``college`` (its ``admission``)."""
    if college.admission == Admission.STAFF:
        return bool(getattr(user, "is_staff", False))
    return True


def colleges_for(user: Any) -> Any:
    """The colleges ``user`` may join: open, and whose admission lets them in."""
    shown = College.objects.filter(is_open=True)
    if not getattr(user, "is_staff", False):
        shown = shown.exclude(admission=Admission.STAFF)
    return shown


def join(user: Any, college: College, shares: int, *, name: str = "",
         at: datetime | None = None, paid: bool = False) -> Member:
    """Subscribe ``shares`` shares of ``college`` at nominal value for ``user``, who becomes a
    member once they are paid. ``paid``: staff received the money outside a bank statement
    (cash, cheque at a general assembly) and record it now."""
    verify_share_count(shares)
    if not college.is_open:
        raise CollegeClosed(_("The college %(college)s does not take new members.")
                            % {"college": college.name}, field="college")
    at = at or clock.now()
    with transaction.atomic():
        existing = Member.objects.select_for_update().filter(user=user).first()
        if existing is not None and existing.status in (MemberStatus.ACTIVE,
                                                        MemberStatus.PENDING):
            raise AlreadyMember(_("You are already a member (number %(number)s).")
                                % {"number": existing.number})
        if not entitled(user, college):
            raise CollegeClosed(_("The college %(college)s is for the cooperative's "
                                  "employees: choose the college that matches how you take "
                                  "part.") % {"college": college.label}, field="college")
        display = name or user.get_full_name() or user.get_username()
        if existing is not None:
            # Re-joining after leaving: same number, history kept.
            existing.college, existing.status, existing.joined_at = college, \
                MemberStatus.PENDING, at
            existing.left_at, existing.leaving_reason = None, ""
            existing.display_name = display
            existing.save()
            member = existing
        else:
            member = Member.objects.create(user=user, college=college, display_name=display,
                                           number=next_number("member"), joined_at=at,
                                           status=MemberStatus.PENDING)
        _move(member, MovementKind.SUBSCRIPTION, shares, at, _("Membership"), user)
        if paid:
            record_share_payment(member, shares * conf.share_value(), conf.currency(),
                                 how=_("Recorded by staff"), at=at)
            member.refresh_from_db()
    return member


def paid(member: Member) -> int:
    """Cents paid for the shares of the current membership (since the last joining: the
    shares of an earlier one were refunded when it ended)."""
    total = member.payments.filter(at__gte=member.joined_at).aggregate(
        total=models.Sum("amount"))["total"]
    return int(total or 0)


def due(member: Member) -> int:
    """Cents still to pay for the shares held (0: all paid)."""
    return max(0, member.shares * conf.share_value() - paid(member))


def record_share_payment(member: Member, amount: int, currency: str, *, how: str,
                         at: datetime | None = None) -> SharePayment:
    """Money received for ``member``'s shares: into the share capital (ledger), and the
    membership starts when nothing is due any more. Refuses more than is due (the surplus
    is not a share: staff refund it or ask), another currency, a person who left."""
    at = at or clock.now()
    if currency != conf.currency():
        raise SharePaymentRefused(_("Shares are paid in %(currency)s.")
                                  % {"currency": conf.currency()})
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.status not in (MemberStatus.PENDING, MemberStatus.ACTIVE):
            raise SharePaymentRefused(_("Member number %(number)s has left the cooperative.")
                                      % {"number": locked.number})
        owed = due(locked)
        if not 0 < amount <= owed:
            raise SharePaymentRefused(
                _("%(amount)s is more than the %(due)s due for the shares of member number "
                  "%(number)s.") % {"amount": format_cents(amount),
                                    "due": format_cents(owed), "number": locked.number})
        journal = ledger.pay_share(amount, currency,
                                   memo=f"Member #{locked.number}: {how}"[:255])
        payment = SharePayment.objects.create(member=locked, journal=journal, amount=amount,
                                              currency=currency, at=at, how=how[:140])
        if locked.status == MemberStatus.PENDING and owed == amount:
            # joined_at stays the subscription's date (what the register shows).
            locked.status = MemberStatus.ACTIVE
            locked.save(update_fields=["status"])
    member.refresh_from_db()
    return payment


def take_back_share_payment(payment: SharePayment, *, how: str) -> SharePayment:
    """The money of ``payment`` went back to the payer (a direct debit returned, a card
    payment refunded or disputed): the share capital gives it back (ledger), a correcting
    row records it, and a membership the payment completed waits again for its shares."""
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=payment.member_id)
        journal = ledger.reverse_payment(payment.journal, memo=f"Member #{locked.number}: "
                                         f"{how}"[:255])
        correction = SharePayment.objects.create(
            member=locked, journal=journal, amount=-payment.amount, currency=payment.currency,
            at=clock.now(), how=how[:140])
        if locked.status == MemberStatus.ACTIVE and due(locked) > 0:
            locked.status = MemberStatus.PENDING
            locked.save(update_fields=["status"])
    return correction


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
