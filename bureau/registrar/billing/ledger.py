"""Moving money: top-ups, charges for orders and refunds, always balanced, always in a
transaction. Nothing else writes journals or entries."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, models, transaction
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from bureau.core import bulk, clock
from bureau.registrar.accounts.models import Organisation

from .models import AccountKind, Entry, Journal, JournalKind, LedgerAccount, Order


class LedgerError(Exception):
    """Base class of the ledger's refusals."""


class InsufficientFunds(LedgerError):
    def __init__(self, balance: int, needed: int, currency: str) -> None:
        self.balance, self.needed, self.currency = balance, needed, currency
        super().__init__(
            _("Your balance (%(balance)s %(currency)s) does not cover this order "
              "(%(needed)s %(currency)s): top up your balance and try again.")
            % {"balance": format_cents(balance), "needed": format_cents(needed),
               "currency": currency}
        )


class AlreadyCharged(LedgerError):
    """The order was charged before: it is never charged twice."""


class NotCharged(LedgerError):
    """A refund was asked for an order that was never charged."""


class AlreadyRefunded(LedgerError):
    """The order was refunded before."""


def format_cents(amount: int) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d}"


def member_account(organisation: Organisation, currency: str) -> LedgerAccount:
    account, _created = LedgerAccount.objects.get_or_create(
        kind=AccountKind.MEMBER, organisation=organisation, currency=currency
    )
    return account


def system_account(kind: str, currency: str) -> LedgerAccount:
    account, _created = LedgerAccount.objects.get_or_create(
        kind=kind, organisation=None, currency=currency
    )
    return account


def _post(kind: str, lines: Sequence[tuple[LedgerAccount, int]], *,
          order: Order | None = None, memo: str = "") -> Journal:
    """Write one balanced journal and update the cached balances, atomically."""
    if sum(amount for _account, amount in lines) != 0:
        raise ValueError("a journal's entries must sum to zero")
    if len({account.currency for account, _amount in lines}) != 1:
        raise ValueError("a journal moves one currency only")
    # No savepoint of its own: an error here undoes the caller's whole block (charge and
    # refund catch IntegrityError around it with theirs).
    with transaction.atomic(savepoint=False):
        journal = Journal.objects.create(kind=kind, order=order, memo=memo)
        for account, amount in lines:
            Entry.objects.create(journal=journal, account=account, amount=amount)
            # F(): the database adds, so concurrent postings cannot lose an update.
            LedgerAccount.objects.filter(pk=account.pk).update(
                balance=models.F("balance") + amount
            )
    return journal


def top_up(organisation: Organisation, amount: int, currency: str, memo: str = "") -> Journal:
    """Record money a member paid in (amount in cents, > 0)."""
    if amount <= 0:
        raise ValueError("a top-up is a positive amount of cents")
    with transaction.atomic():
        return _post(JournalKind.TOP_UP, [
            (member_account(organisation, currency), amount),
            (system_account(AccountKind.FUNDING, currency), -amount),
        ], memo=memo)


def reverse_payment(journal: Journal, memo: str = "") -> Journal:
    """Undo a payment the bank or the card provider took back (a returned direct debit, a
    refund, a dispute): a top-up (the balance may go below zero: the member owes it, and
    the next payment covers it first) or a share payment (bureau.coop records it)."""
    if journal.kind not in (JournalKind.TOP_UP, JournalKind.SHARE):
        raise ValueError("only a top-up or a share payment is reversed")
    with transaction.atomic():
        lines = [(entry.account, -entry.amount)
                 for entry in journal.entries.select_related("account")]
        return _post(JournalKind.REVERSAL, lines, memo=memo or journal.memo)


def pay_out(organisation: Organisation | None, amount: int, currency: str,
            memo: str = "") -> Journal:
    """Money paid back by transfer (cents, > 0): from an organisation's balance (which must
    hold it), or, with no organisation, from the share capital (a member leaving)."""
    if amount <= 0:
        raise ValueError("a payout is a positive amount of cents")
    with transaction.atomic():
        if organisation is None:
            source = system_account(AccountKind.CAPITAL, currency)
        else:
            source, _created = LedgerAccount.objects.select_for_update().get_or_create(
                kind=AccountKind.MEMBER, organisation=organisation, currency=currency)
            if source.balance < amount:
                raise InsufficientFunds(int(source.balance), amount, currency)
        return _post(JournalKind.PAYOUT, [
            (source, -amount), (system_account(AccountKind.FUNDING, currency), amount),
        ], memo=memo)


def pay_share(amount: int, currency: str, memo: str = "") -> Journal:
    """Record a member's payment of cooperative shares (cents, > 0): capital, not a balance
    to spend (bureau.coop records whose shares it paid)."""
    if amount <= 0:
        raise ValueError("a share payment is a positive amount of cents")
    with transaction.atomic():
        return _post(JournalKind.SHARE, [
            (system_account(AccountKind.CAPITAL, currency), amount),
            (system_account(AccountKind.FUNDING, currency), -amount),
        ], memo=memo)


# Sent inside the transaction of ``top_up_many`` with ``postings``: [(journal id,
# organisation id, amount)] and ``currency``: the bulk twin of the entries' post_save
# (bureau.coop issues the invoices).
top_ups_posted = Signal()


def top_up_many(items: Sequence[tuple[int, int, str]], currency: str) -> list[int]:
    """Many top-ups at once (a bank statement): (organisation id, cents > 0, memo) each.
    The same journals and entries as ``top_up``, written without a model instance each
    (``bureau.core.bulk``: COPY on PostgreSQL); returns the journals' ids, in order."""
    if any(amount <= 0 for _org, amount, _memo in items):
        raise ValueError("a top-up is a positive amount of cents")
    if not items:
        return []
    with transaction.atomic():
        funding = system_account(AccountKind.FUNDING, currency)
        wanted = {organisation for organisation, _a, _m in items}
        # One query for the accounts that exist; the few missing ones are created.
        accounts = dict(LedgerAccount.objects.filter(
            kind=AccountKind.MEMBER, currency=currency, organisation_id__in=wanted)
            .values_list("organisation_id", "pk"))
        if missing := wanted - set(accounts):
            LedgerAccount.objects.bulk_create(
                [LedgerAccount(kind=AccountKind.MEMBER, organisation_id=o, currency=currency)
                 for o in missing], ignore_conflicts=True)
            accounts.update(LedgerAccount.objects.filter(
                kind=AccountKind.MEMBER, currency=currency, organisation_id__in=missing)
                .values_list("organisation_id", "pk"))
        ids = bulk.take_ids(Journal, len(items))
        at = clock.now()
        bulk.insert_rows(Journal, ("id", "kind", "memo", "at"), (
            (journal, JournalKind.TOP_UP.value, memo[:255], at)
            for journal, (_o, _a, memo) in zip(ids, items, strict=True)))
        totals: dict[int, int] = {funding.pk: 0}
        entries = []
        for journal, (organisation, amount, _memo) in zip(ids, items, strict=True):
            account = accounts[organisation]
            entries += [(journal, account, amount), (journal, funding.pk, -amount)]
            totals[account] = totals.get(account, 0) + amount
            totals[funding.pk] -= amount
        bulk.insert_rows(Entry, ("journal_id", "account_id", "amount"), entries)
        bulk.add_to(LedgerAccount, "balance", totals)
        top_ups_posted.send(sender=Journal, currency=currency, postings=[
            (journal, organisation, amount)
            for journal, (organisation, amount, _memo) in zip(ids, items, strict=True)])
    return ids


def balance(organisation: Organisation, currency: str) -> int:
    account = LedgerAccount.objects.filter(
        kind=AccountKind.MEMBER, organisation=organisation, currency=currency
    ).first()
    return 0 if account is None else int(account.balance)


def charge(order: Order) -> Journal:
    """Debit the order's amount from its organisation's balance, once and only once."""
    with transaction.atomic():
        # Lock the balance row so two orders cannot both spend the same money.
        account, _created = LedgerAccount.objects.select_for_update().get_or_create(
            kind=AccountKind.MEMBER, organisation=order.organisation, currency=order.currency)
        if Journal.objects.filter(order=order, kind=JournalKind.CHARGE).exists():
            raise AlreadyCharged(order.pk)
        if account.balance < order.amount:
            raise InsufficientFunds(int(account.balance), int(order.amount), order.currency)
        try:
            with transaction.atomic():
                return _post(JournalKind.CHARGE, [
                    (account, -order.amount),
                    (system_account(AccountKind.REVENUE, order.currency), order.amount),
                ], order=order, memo=str(order))
        except IntegrityError as exc:  # a concurrent charge won the race
            raise AlreadyCharged(order.pk) from exc


def refund(order: Order, memo: str = "") -> Journal:
    """Credit back what the order was charged. Call it inside the transaction that records
    the failure, so that the order's state and the money move together."""
    with transaction.atomic():
        charged = Journal.objects.filter(order=order, kind=JournalKind.CHARGE).first()
        if charged is None:
            raise NotCharged(order.pk)
        if Journal.objects.filter(order=order, kind=JournalKind.REFUND).exists():
            raise AlreadyRefunded(order.pk)
        lines = [(entry.account, -entry.amount) for entry in
                 charged.entries.select_related("account")]
        try:
            with transaction.atomic():
                return _post(JournalKind.REFUND, lines, order=order, memo=memo or str(order))
        except IntegrityError as exc:
            raise AlreadyRefunded(order.pk) from exc


def verify_balances() -> list[LedgerAccount]:
    """Accounts whose cached balance differs from the sum of their entries (should be none),
    plus a check that every journal sums to zero (raises if one does not)."""
    unbalanced = (Entry.objects.values("journal").annotate(total=models.Sum("amount"))
                  .exclude(total=0))
    if unbalanced.exists():
        raise AssertionError(f"journals that do not sum to zero: {list(unbalanced)}")
    wrong: list[LedgerAccount] = []
    for account in LedgerAccount.objects.annotate(
        total=Coalesce(models.Sum("entries__amount"), 0)
    ):
        if account.total != account.balance:
            wrong.append(account)
    return wrong
