"""The prepaid ledger: balances are the sum of entries, an order is charged once, a refused
operation is credited back in the transaction that records the refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bureau.core.appendonly import AppendOnlyError
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger, orders
from bureau.registrar.billing.models import (
    Entry,
    Journal,
    JournalKind,
    LedgerAccount,
    Order,
    OrderState,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

EUR = "EUR"

# One step of a member's life: a top-up, or an order that ends completed, refused, or lost
# then settled either way; then attempts to charge or refund an order a second time.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("top-up"), st.integers(1, 50_000)),
        st.tuples(st.just("order"), st.integers(0, 20_000),
                  st.sampled_from(["complete", "fail", "unknown-complete", "unknown-fail"])),
        st.tuples(st.just("charge-again"), st.integers(0, 100)),
        st.tuples(st.just("refund-again"), st.integers(0, 100)),
    ),
    max_size=25,
)


class Rollback(Exception):
    pass


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_balance_is_always_the_sum_of_entries(db: Any, steps: list[tuple[Any, ...]]) -> None:
    try:
        with transaction.atomic():  # each example starts from an empty ledger
            run_steps(steps)
            raise Rollback
    except Rollback:
        pass


def run_steps(steps: list[tuple[Any, ...]]) -> None:
    org = Organisation.objects.create(name="Prop", slug="prop")
    expected = 0
    placed: list[Order] = []
    for step in steps:
        if step[0] == "top-up":
            ledger.top_up(org, step[1], EUR)
            expected += step[1]
        elif step[0] == "order":
            amount, end = step[1], step[2]
            try:
                order = orders.place(organisation=org, user=None, operation="create",
                                     domain_name="x.test", amount=amount, currency=EUR)
            except ledger.InsufficientFunds:
                assert amount > expected
                continue
            expected -= amount
            placed.append(order)
            if end.startswith("unknown"):
                orders.mark_unknown(order, message="timeout")
                # The money stays taken while the outcome is unknown.
                assert ledger.balance(org, EUR) == expected
            if end.endswith("complete"):
                orders.complete(order)
            else:
                orders.fail(order, message="refused")
                expected += amount
        elif placed:
            order = placed[step[1] % len(placed)]
            order.refresh_from_db()
            if step[0] == "charge-again" and order.amount:
                with pytest.raises(ledger.AlreadyCharged):
                    ledger.charge(order)
            elif step[0] == "refund-again":
                with pytest.raises((ledger.AlreadyRefunded, ledger.NotCharged,
                                    orders.OrderClosed)):
                    if order.state == OrderState.FAILED or not order.amount:
                        ledger.refund(order)
                    else:
                        orders.fail(order, message="again")
        assert ledger.balance(org, EUR) == expected
        assert ledger.balance(org, EUR) >= 0
        assert ledger.verify_balances() == []
    for order in placed:
        order.refresh_from_db()
        charges = Journal.objects.filter(order=order, kind=JournalKind.CHARGE).count()
        refunds = Journal.objects.filter(order=order, kind=JournalKind.REFUND).count()
        assert charges == (1 if order.amount else 0)
        assert refunds == (1 if order.amount and order.state == OrderState.FAILED else 0)


def test_insufficient_funds_stores_nothing_and_says_what_to_do(organisation: Organisation) -> None:
    ledger.top_up(organisation, 500, EUR)
    with pytest.raises(ledger.InsufficientFunds) as error:
        orders.place(organisation=organisation, user=None, operation="create",
                     domain_name="cher.test", amount=1200, currency=EUR)
    assert "5.00 EUR" in str(error.value) and "12.00 EUR" in str(error.value)
    assert "top up" in str(error.value)
    assert not Order.objects.exists()
    assert ledger.balance(organisation, EUR) == 500


def test_refund_and_failed_state_are_one_transaction(organisation: Organisation,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ledger.top_up(organisation, 2000, EUR)
    order = orders.place(organisation=organisation, user=None, operation="create",
                         domain_name="refus.test", amount=1200, currency=EUR)
    assert ledger.balance(organisation, EUR) == 800

    def broken_save(self: Order, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away while saving the order")

    # If storing the failed state breaks, the refund must not have happened either.
    with monkeypatch.context() as patch:
        patch.setattr(Order, "save", broken_save)
        with pytest.raises(RuntimeError):
            orders.fail(order, message="2302 object exists")
    assert ledger.balance(organisation, EUR) == 800
    assert not Journal.objects.filter(order=order, kind=JournalKind.REFUND).exists()

    orders.fail(order, message="2302 object exists")
    order.refresh_from_db()
    assert order.state == OrderState.FAILED
    assert ledger.balance(organisation, EUR) == 2000
    with pytest.raises(orders.OrderClosed):
        orders.fail(order, message="twice")
    assert ledger.balance(organisation, EUR) == 2000


def test_entries_and_journals_are_append_only(organisation: Organisation) -> None:
    journal = ledger.top_up(organisation, 1000, EUR)
    entry = Entry.objects.filter(journal=journal).first()
    assert entry is not None
    entry.amount = 10**6
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(journal=journal).update(amount=0)
    with pytest.raises(AppendOnlyError):
        journal.delete()
    assert ledger.balance(organisation, EUR) == 1000


def test_cached_balance_drift_is_detected(organisation: Organisation) -> None:
    ledger.top_up(organisation, 1000, EUR)
    LedgerAccount.objects.filter(organisation=organisation).update(balance=999)
    assert [a.organisation for a in ledger.verify_balances()] == [organisation]


def test_refusal_is_explained_in_french(organisation: Organisation) -> None:
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ledger.InsufficientFunds) as error:
        orders.place(organisation=organisation, user=None, operation="create",
                     domain_name="cher.test", amount=1200, currency=EUR)
    assert "approvisionnez votre solde" in str(error.value)
