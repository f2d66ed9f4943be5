"""Template filters of the portal."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bureau.core.money import amount as money_amount

register = template.Library()


@register.filter
def cents(amount: int | str | None) -> str:
    """12345 -> "123.45" in English, "123,45" in French (amounts are integer cents)."""
    if amount in (None, ""):
        return ""
    return money_amount(int(amount))


# The registries' usual reasons for a name not available (EPP check), in the page's language.
REASONS = {"in use": _("already registered"),
           "in use by its bundle": _("a name of its bundle is registered")}


@register.filter
def registry_reason(reason: str) -> str:
    """A registry's reason in the page's language when it is a usual one; otherwise the
    registry's own words, marked as English for screen readers."""
    known = REASONS.get(reason.strip().lower())
    return str(known) if known else format_html('<span lang="en">{}</span>', reason)
