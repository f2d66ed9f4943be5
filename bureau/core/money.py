"""Amounts as people read them: in the active language's number format (French "1 234,50",
English "1,234.50"), the same on every page and in every message. Amounts are integer cents."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats


def amount(cents: int) -> str:
    return formats.number_format(Decimal(int(cents)) / 100, decimal_pos=2, use_l10n=True,
                                 force_grouping=True)
