"""Template filters of the portal."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bureau.core.money import amount as money_amount
from bureau.web.memos import memo_text

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


@register.filter
def memo(text: str) -> str:
    """A ledger memo in the page's language when Bureau wrote it; a person's own words (a
    bank transfer's reference...) as written (bureau.web.memos)."""
    return memo_text(text)


# Bureau's own jobs and doors, which histories record by a code (``Actor.label``), as the
# page's language says them.
ACTORS = {
    "auto-renew": _("Bureau (automatic renewal)"),
    "contact-accuracy": _("Bureau (contact checks)"),
    "dns": _("Bureau (DNS)"),
    "errp-parking": _("Bureau (expired name parked)"),
    "expiry": _("Bureau (expiry)"),
    "poll": _("Bureau (message from the registry)"),
    "reconcile": _("Bureau (check with the registry)"),
    "cli": _("Bureau's operator"),
    "operator": _("Bureau's operator"),
}


@register.filter
def actor_text(label: str) -> str:
    """Who acted, for a history line without a person: "reconcile" -> "Bureau (check with
    the registry)"; a code Bureau does not know is shown as it is."""
    door, _colon, detail = str(label or "").partition(":")
    if door == "api-token" and detail:
        return str(_("API token %(prefix)s") % {"prefix": detail})
    if door == "acme-key" and detail:
        return str(_("certificate key no. %(number)s") % {"number": detail})
    known = ACTORS.get(door) if not detail else None
    return str(known) if known is not None else str(label or "")
