"""Top-ups by card: start a hosted checkout, then believe only the provider's signed
webhook. A checkout credits the balance once, when the provider says it is paid (never on
the member's return to the success page); a refund or a dispute takes it back once. Each
event is handled once (its id is remembered); an unknown or replayed one changes nothing."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bureau.coop.models import Member, SharePayment
from bureau.coop.operations import membership
from bureau.coop.operations.errors import CoopError
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger

from .. import card, conf
from ..models import CardPayment, CardState, ProviderEvent
from .debits import verify_may_pay
from .errors import NotAllowed, OperationError
from .notify import after_credit, after_shares

logger = logging.getLogger("bureau.payments")
MINIMUM = 500  # cents: below, the provider's fee eats the payment


class CardsUnavailable(OperationError):
    pass


def start(organisation: Organisation, user: Any, amount: int, *, success_url: str,
          cancel_url: str) -> tuple[CardPayment, str]:
    """A checkout for ``amount`` cents: (the payment, the provider's page to send the
    person to)."""
    verify_may_pay(organisation, user)
    provider = card.provider()
    if provider is None:
        raise CardsUnavailable(_("Card payment is not available."))
    if amount < MINIMUM:
        raise OperationError(_("Pay at least %(amount)s %(currency)s by card.") % {
            "amount": ledger.format_cents(MINIMUM), "currency": conf.currency()},
            field="amount")
    reference = f"B{organisation.pk}-{uuid.uuid4().hex[:12]}"
    checkout = provider.checkout(amount=amount, currency=conf.currency(), reference=reference,
                                 email=getattr(user, "email", ""), success_url=success_url,
                                 cancel_url=cancel_url)
    payment = CardPayment.objects.create(
        organisation=organisation, provider=provider.name, checkout_id=checkout.id,
        amount=amount, currency=conf.currency(), created_by=user)
    return payment, checkout.url


def start_shares(member: Member, user: Any, *, success_url: str,
                 cancel_url: str) -> tuple[CardPayment, str]:
    """A checkout for what ``member`` (the person paying) still owes for their shares."""
    if member.user_id != getattr(user, "pk", None):
        raise NotAllowed(_("Only the member pays their shares here."))
    provider = card.provider()
    if provider is None:
        raise CardsUnavailable(_("Card payment is not available."))
    amount = membership.due(member)
    if amount <= 0:
        raise OperationError(_("Your shares are paid."))
    reference = f"S{member.number}-{uuid.uuid4().hex[:12]}"
    checkout = provider.checkout(amount=amount, currency=conf.currency(), reference=reference,
                                 email=getattr(user, "email", ""), success_url=success_url,
                                 cancel_url=cancel_url)
    payment = CardPayment.objects.create(
        member=member, provider=provider.name, checkout_id=checkout.id, amount=amount,
        currency=conf.currency(), created_by=user)
    return payment, checkout.url


def handle_webhook(payload: bytes, signature: str) -> str:
    """Apply one webhook. Returns what happened ("credited", "reversed", "duplicate",
    "ignored"); raises card.BadSignature (nothing done) or CardsUnavailable."""
    provider = card.provider()
    if provider is None:
        raise CardsUnavailable(_("Card payment is not available."))
    event = provider.event(payload, signature)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProviderEvent.objects.create(provider=provider.name, event_id=event.id,
                                             kind=event.raw_type[:100])
        except IntegrityError:
            return "duplicate"
        if event.kind == "paid":
            return credit(provider.name, event)
        if event.kind in ("refunded", "disputed"):
            return reverse(provider.name, event)
    return "ignored"


def credit(provider: str, event: card.ProviderEvent) -> str:
    payment = (CardPayment.objects.select_for_update()
               .filter(provider=provider, checkout_id=event.checkout_id).first())
    if payment is None or payment.state != CardState.OPEN:
        logger.warning("card event %s for %s: nothing to credit", event.id, event.checkout_id)
        return "ignored"
    memo = _("Card payment %(id)s") % {"id": payment.checkout_id}
    if payment.member is not None:
        try:
            with transaction.atomic():
                share = membership.record_share_payment(payment.member, payment.amount,
                                                        payment.currency, how=memo)
        except CoopError as exc:
            # Paid meanwhile another way, or the person left: staff refund it (it stays open).
            logger.warning("card payment %s for shares not recorded: %s",
                           payment.checkout_id, exc.message)
            return "ignored"
        payment.journal = share.journal
        transaction.on_commit(lambda: after_shares([payment]))
    else:
        assert payment.organisation is not None
        payment.journal = ledger.top_up(payment.organisation, payment.amount,
                                        payment.currency, memo=memo)
        transaction.on_commit(lambda: after_credit([int(payment.organisation_id or 0)], []))
    payment.state, payment.payment_id = CardState.PAID, event.payment_id
    payment.save(update_fields=["journal", "state", "payment_id"])
    return "credited"


def reverse(provider: str, event: card.ProviderEvent) -> str:
    payment = (CardPayment.objects.select_for_update()
               .filter(provider=provider, payment_id=event.payment_id).first()
               if event.payment_id else None)
    if payment is None or payment.state != CardState.PAID or payment.journal is None:
        return "ignored"
    memo = _("Card payment %(id)s %(what)s") % {"id": payment.checkout_id, "what": event.kind}
    if payment.member_id is not None:
        payment.reversal = membership.take_back_share_payment(
            SharePayment.objects.get(journal=payment.journal), how=memo).journal
    else:
        payment.reversal = ledger.reverse_payment(payment.journal, memo=memo)
    payment.state = CardState.REFUNDED if event.kind == "refunded" else CardState.DISPUTED
    payment.save(update_fields=["reversal", "state"])
    return "reversed"
