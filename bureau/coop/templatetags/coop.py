from __future__ import annotations

from django import template

from bureau.core.money import amount

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """12345 -> "123.45" in English, "123,45" in French (amounts are stored in cents)."""
    if value is None:
        return ""
    return amount(value)


@register.filter
def mb(value: int | None) -> str:
    return f"{(value or 0) / 1e6:.1f}"
