from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """12345 -> "123.45" (amounts are stored in cents)."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(int(value)) // 100}.{abs(int(value)) % 100:02d}"


@register.filter
def mb(value: int | None) -> str:
    return f"{(value or 0) / 1e6:.1f}"
