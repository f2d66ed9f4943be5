"""Template filters of the portal."""

from __future__ import annotations

from django import template

from bureau.core.money import amount as money_amount

register = template.Library()


@register.filter
def cents(amount: int | str | None) -> str:
    """12345 -> "123.45" in English, "123,45" in French (amounts are integer cents)."""
    if amount in (None, ""):
        return ""
    return money_amount(int(amount))
