"""``{% load notices %}{% domain_notices domain %}`` on the portal's domain page: the timeline
after expiry, the auto-renew choice and the contact-data banners."""

from __future__ import annotations

from typing import Any

from django import template

from bureau.registrar.domains.models import Domain

from ..status import domain_status

register = template.Library()


@register.inclusion_tag("notices/domain_panel.html")
def domain_notices(domain: Domain) -> dict[str, Any]:
    return {"domain": domain, "status": domain_status(domain)}
