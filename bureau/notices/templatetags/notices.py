"""``{% load notices %}{% domain_notices domain %}`` on the portal's domain page: the timeline
after expiry, the auto-renew choice and the contact-data banners."""

from __future__ import annotations

from typing import Any

from django import template

from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.check import list_price
from bureau.registrar.registries.models import Tld

from .. import conf
from ..reminders import money
from ..status import domain_status

register = template.Library()


@register.inclusion_tag("notices/domain_panel.html", takes_context=True)
def domain_notices(context: template.Context, domain: Domain) -> dict[str, Any]:
    """The panel; its auto-renew toggle is a plain form (no JavaScript) that comes back to
    the page it is on."""
    request = context.get("request")
    return {"domain": domain, "status": domain_status(domain),
            "back": request.get_full_path() if request is not None else ""}


@register.inclusion_tag("notices/renewal_terms.html")
def renewal_terms(items: list[dict[str, Any]]) -> dict[str, Any]:
    """In the cart (ERRP): the notice schedule, and the renewal and restore fees of each
    extension being bought."""
    suffixes = {str(item["name"]).split(".", 1)[-1] for item in items}
    rows = [{"tld": tld, "renew": money(list_price(tld, "renew", 1), tld.currency),
             "restore": money(list_price(tld, "restore", 1), tld.currency)}
            for tld in Tld.objects.filter(name__in=suffixes).order_by("name")]
    return {"rows": rows, **schedule()}


def schedule() -> dict[str, Any]:
    days = conf.reminder_days()
    return {"before": ", ".join(str(d) for d in days if d > 0),
            "after": ", ".join(str(-d) for d in days if d < 0),
            "grace_days": conf.grace_days()}
