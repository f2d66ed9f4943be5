"""Template filters of the portal."""

from __future__ import annotations

from django import template

from bureau.registrar.billing.ledger import format_cents

register = template.Library()


@register.filter
def cents(amount: int | str | None) -> str:
    """12345 -> "123.45" (amounts are integer cents)."""
    if amount in (None, ""):
        return ""
    return format_cents(int(amount))
