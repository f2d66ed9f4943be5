"""The DNS hosting part of /health/: the PowerDNS primary's API answers, when DNS hosting is on
(BUREAU_PDNS_API_KEY set)."""

from __future__ import annotations

import httpx
from django.conf import settings

from bureau.core.health import OK, first_line


def powerdns() -> dict[str, str]:
    if not settings.BUREAU_PDNS_API_KEY:
        return {}
    try:
        response = httpx.get(settings.BUREAU_PDNS_API_URL.rstrip("/") + "/api/v1/servers/localhost",
                             headers={"X-API-Key": settings.BUREAU_PDNS_API_KEY}, timeout=2.0)
    except httpx.HTTPError as exc:
        return {"powerdns": f"API cannot be reached: {first_line(exc)}"}
    if response.status_code != 200:
        return {"powerdns": f"API answers {response.status_code}"}
    return {"powerdns": OK}
