"""``{% load notices %}{% domain_notices domain %}`` on the portal's domain page: the timeline
after expiry, the auto-renew choice and the contact-data banners."""

from __future__ import annotations

from typing import Any

from django import template

from bureau.registrar.domains.models import Domain

from ..status import domain_status

register = template.Library()


@register.inclusion_tag("notices/domain_panel.html", takes_context=True)
def domain_notices(context: template.Context, domain: Domain) -> dict[str, Any]:
    """The panel; its auto-renew toggle is a plain form (no JavaScript) that comes back to
    the page it is on."""
    request = context.get("request")
    return {"domain": domain, "status": domain_status(domain),
            "back": request.get_full_path() if request is not None else ""}
