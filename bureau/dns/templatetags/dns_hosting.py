"""Template tags for other apps' pages: `{% load dns_hosting %}{% dns_status domain %}` shows
a domain's hosted zone, DNSSEC state and latest health problems (the domain page)."""

from __future__ import annotations

from typing import Any

from django import template

from bureau.dns.models import Zone

register = template.Library()


@register.inclusion_tag("dns/domain_status.html")
def dns_status(domain: Any) -> dict[str, Any]:
    zone = Zone.objects.filter(domain=domain).first()
    return {"domain": domain, "zone": zone,
            "health": zone.health_checks.first() if zone is not None else None}
