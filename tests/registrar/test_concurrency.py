"""Orders placed at the same time from several connections never spend the same money twice
and never register one name twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger, orders
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState, Operation
from bureau.registrar.operations import reconcile, register
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import NotAvailable
from bureau.registrar.registries.models import Tld

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * count
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.sqlite
def test_concurrent_orders_never_overspend(organisation: Organisation) -> None:
    ledger.top_up(organisation, 5_000, "EUR")  # enough for five orders of ten

    def order(index: int) -> Order:
        return orders.place(organisation=organisation, user=None, operation="create",
                            domain_name=f"n{index}.test", amount=1_000, currency="EUR")

    results = in_threads(10, order)
    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, ledger.InsufficientFunds)]
    assert len(placed) == 5 and len(refused) == 5, results
    assert ledger.balance(organisation, "EUR") == 0
    assert ledger.verify_balances() == []


def test_one_name_registered_once_when_ordered_twice_at_once(
    member: Actor, organisation: Organisation, contact: Contact
) -> None:
    def attempt(index: int) -> Any:
        return register.register(organisation=organisation, actor=member, name="unique.test",
                                  registrant=contact)

    results = in_threads(2, attempt)
    winners = [r for r in results if isinstance(r, register.Registration)]
    assert len(winners) == 1, results
    assert all(isinstance(r, NotAvailable | register.Registration) for r in results), results
    assert Domain.objects.filter(name="unique.test", state="active").count() == 1
    assert ledger.balance(organisation, "EUR") == 100_000 - 1000


def test_two_reconciliations_at_once_settle_each_order_once(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Any
) -> None:
    """Orders a stopped worker left pending, settled by two reconciliations running at the
    same moment (the registry slow to answer, so that they overlap): each order is settled by
    one of them, under its row lock, and credited back once."""
    tld = Tld.objects.get(name="test")
    for name in ("un.test", "deux.test", "trois.test"):
        domain = Domain.objects.create(name=name, tld=tld, organisation=organisation,
                                       registrant=contact, state=DomainState.PENDING_CREATE)
        orders.place(organisation=organisation, user=member.user, operation=Operation.CREATE,
                     domain_name=name, amount=1000, currency="EUR", domain=domain)
    assert ledger.balance(organisation, "EUR") == 100_000 - 3000
    sandbox.faults.delay(300, "domain:info", times=None)

    reports = in_threads(2, lambda i: reconcile.settle_unknown_orders(
        older_than=timedelta(0)))
    assert all(isinstance(report, reconcile.Report) for report in reports), reports
    settled = sorted(name for report in reports for name in report.settled)
    assert settled == ["deux.test", "trois.test", "un.test"]  # each once, by one of them
    assert set(Order.objects.values_list("state", flat=True)) == {OrderState.FAILED}
    assert ledger.balance(organisation, "EUR") == 100_000
    assert ledger.verify_balances() == []
