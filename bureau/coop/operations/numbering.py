"""Numbers without gaps: the next number of a series, taken under a row lock in the caller's
transaction. If that transaction rolls back, so does the number; a concurrent caller waits
for the lock (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the write lock Bureau takes at BEGIN,
see settings' IMMEDIATE transaction mode)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from bureau.coop.models import NumberSequence


def next_number(series: str) -> int:
    return next_numbers(series, 1)


def next_numbers(series: str, count: int) -> int:
    """Take ``count`` consecutive numbers; returns the first."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take a number inside the transaction that uses it")
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(series=series)
    except IntegrityError:  # created by a concurrent transaction meanwhile
        pass
    row = NumberSequence.objects.select_for_update().get(series=series)
    first = int(row.last_number) + 1
    row.last_number += count
    row.save(update_fields=["last_number"])
    return first
