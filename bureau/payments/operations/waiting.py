"""What waits for money: names ordered without enough on the balance, and auto-renewals
that failed for lack of it. ``settle`` runs once a payment is credited (a job): it registers
the waiting names the balance now covers, oldest first, retries the organisation's due
auto-renewals, and emails the billing people what was credited and paid."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from bureau.core import clock
from bureau.notices.renewal import run_auto_renewals
from bureau.registrar.accounts.models import ROLES_THAT_ORDER, Organisation, language_of_person
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import NotAllowed, OperationError
from bureau.registrar.operations.register import register

from .. import conf
from ..models import BankLine, WaitingOrder, WaitingState

logger = logging.getLogger("bureau.payments")


@dataclass
class Settled:
    registered: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    renewed: list[str] = field(default_factory=list)
    still_waiting: list[WaitingOrder] = field(default_factory=list)


def wait_for_payment(*, organisation: Organisation, user: Any, name: str,
                     registrant: Contact, period: int, price: int,
                     currency: str) -> WaitingOrder:
    """Keep an order the balance could not pay: it is placed when a payment arrives."""
    membership = organisation.memberships.filter(user=user).first()
    if membership is None or membership.role not in ROLES_THAT_ORDER:
        raise NotAllowed(_("Your role in this organisation does not allow ordering."))
    with transaction.atomic():
        WaitingOrder.objects.filter(organisation=organisation, name=name,
                                    state=WaitingState.WAITING).update(
            state=WaitingState.CANCELLED)
        return WaitingOrder.objects.create(
            organisation=organisation, user=user, name=name, registrant=registrant,
            period=period, price=price, currency=currency)


def cancel(order: WaitingOrder, *, user: Any) -> None:
    if not order.organisation.memberships.filter(user=user, role__in=ROLES_THAT_ORDER).exists():
        raise NotAllowed(_("Your role in this organisation does not allow ordering."))
    WaitingOrder.objects.filter(pk=order.pk, state=WaitingState.WAITING).update(
        state=WaitingState.CANCELLED)


def waiting_of(organisation: Organisation) -> Any:
    return WaitingOrder.objects.filter(organisation=organisation, state=WaitingState.WAITING)


def shortfall(organisation: Organisation, currency: str) -> int:
    """What the organisation must pay in for everything waiting (0: nothing)."""
    total = sum(o.price for o in waiting_of(organisation).filter(currency=currency))
    return max(0, total - ledger.balance(organisation, currency))


def claim(order: WaitingOrder) -> bool:
    """Take the order for this run; False if another run took it (a job may run twice)."""
    return bool(WaitingOrder.objects.filter(pk=order.pk, state=WaitingState.WAITING)
                .update(state=WaitingState.STARTED, started_at=clock.now()))


def settle(organisation: Organisation, line_ids: list[int] | None = None) -> Settled:
    done = Settled()
    for order in list(waiting_of(organisation).select_related("registrant", "user")):
        if ledger.balance(organisation, order.currency) < order.price:
            done.still_waiting.append(order)
            continue
        if not claim(order):
            continue
        try:
            register(organisation=organisation, actor=Actor(order.user), name=order.name,
                     registrant=order.registrant, period=order.period,
                     accepted_price=order.price)
        except (OperationError, ledger.LedgerError) as exc:
            done.failed.append((order.name, str(exc)))
            WaitingOrder.objects.filter(pk=order.pk).update(state=WaitingState.CANCELLED)
        else:
            done.registered.append(order.name)
    done.renewed = retry_auto_renewals(organisation)
    lines = list(BankLine.objects.filter(pk__in=line_ids or [], organisation=organisation))
    if lines or done.registered or done.renewed:
        email(organisation, lines, done)
    return done


def retry_auto_renewals(organisation: Organisation) -> list[str]:
    """The organisation's auto-renewals due now, which may have failed for lack of money."""
    return run_auto_renewals(organisation=organisation).renewed


def recipients(organisation: Organisation) -> list[str]:
    return sorted({user.email for user in people_who_order(organisation)})


def people_who_order(organisation: Organisation) -> list[Any]:
    people = organisation.memberships.select_related("user").filter(role__in=ROLES_THAT_ORDER)
    return [m.user for m in people if m.user.email]


def email(organisation: Organisation, lines: list[BankLine], done: Settled) -> None:
    currency = conf.currency()
    context = {"organisation": organisation, "lines": lines, "done": done,
               "balance": ledger.balance(organisation, currency), "currency": currency}
    for person in people_who_order(organisation):
        # Each person in the language they chose for their emails.
        with translation.override(language_of_person(person, translation.get_language())):
            subject = " ".join(render_to_string("payments/email/credited.subject.txt",
                                                context).split())
            body = render_to_string("payments/email/credited.txt", context)
        send_mail(subject, body, None, [person.email])
