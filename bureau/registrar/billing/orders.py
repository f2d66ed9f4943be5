"""The life of an order, each step one transaction that moves state and money together.

``place`` charges and stores the order (committed before the registry is asked, so an order
is never lost); ``complete`` closes it; ``fail`` closes it and credits the charge back in the
same transaction; ``mark_unknown`` records that the registry's answer was lost and a
reconciliation must decide.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from bureau.core import clock
from bureau.registrar.accounts.models import Organisation

from . import ledger
from .models import Order, OrderState


class OrderClosed(Exception):
    """The order is already completed or failed: it cannot change again."""


def place(*, organisation: Organisation, user: Any, operation: str, domain_name: str,
          amount: int, currency: str, period: int = 1, cl_trid: str = "",
          domain: Any = None) -> Order:
    """Store an order (for ``domain`` when it is known) and charge it. Raises
    ledger.InsufficientFunds (nothing stored then)."""
    with transaction.atomic():
        order = Order.objects.create(
            organisation=organisation, user=user, operation=operation,
            domain_name=domain_name, domain=domain, amount=amount, currency=currency,
            period=period, cl_trid=cl_trid,
        )
        if amount:
            ledger.charge(order)
        return order


def record_refused(*, organisation: Organisation, operation: str, domain_name: str,
                   amount: int, currency: str, message: str) -> Order:
    """An order a job could not place (the balance did not cover it), kept failed with
    nothing charged: what it was, when, and why, for the people who pay."""
    return Order.objects.create(
        organisation=organisation, operation=operation, domain_name=domain_name,
        amount=amount, currency=currency, state=OrderState.FAILED, finished_at=clock.now(),
        message=message)


def _locked_open(order: Order) -> Order:
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.state not in (OrderState.PENDING, OrderState.UNKNOWN):
        raise OrderClosed(order.pk)
    return locked


def complete(order: Order, *, domain: Any = None, message: str = "") -> Order:
    with transaction.atomic():
        locked = _locked_open(order)
        locked.state = OrderState.COMPLETED
        locked.finished_at = clock.now()
        locked.message = message
        if domain is not None:
            locked.domain = domain
        locked.save()
    return locked


def fail(order: Order, *, message: str) -> Order:
    """Close a refused or failed order and credit its charge back, atomically."""
    with transaction.atomic():
        locked = _locked_open(order)
        if locked.amount:
            ledger.refund(locked, memo=message[:255])
        locked.state = OrderState.FAILED
        locked.finished_at = clock.now()
        locked.message = message
        locked.save()
    return locked


def mark_unknown(order: Order, *, message: str) -> Order:
    with transaction.atomic():
        locked = _locked_open(order)
        locked.state = OrderState.UNKNOWN
        locked.message = message
        locked.save()
    return locked


def mark_pending(order: Order) -> Order:
    """An unknown outcome turned out to be a request the registry holds pending (a transfer):
    the order waits again, like any pending one."""
    with transaction.atomic():
        locked = _locked_open(order)
        locked.state = OrderState.PENDING
        locked.save()
    return locked


def refund_completed(order: Order, *, message: str) -> Order:
    """Credit back a completed order that the registry undid within a grace period."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.state != OrderState.COMPLETED:
            raise OrderClosed(order.pk)
        if locked.amount:
            ledger.refund(locked, memo=message[:255])
        locked.state = OrderState.REFUNDED
        locked.message = message
        locked.save()
    return locked
