"""Record security events. The one entry point other apps call (API tokens, auth codes...);
the events a person must hear of are emailed to them (alerts.py)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from bureau.registrar.accounts.models import Organisation

from .alerts import alert_for
from .models import EventKind, SecurityEvent

__all__ = ["EventKind", "client_ip", "record"]

logger = logging.getLogger("bureau.audit")


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address. Behind a proxy, set it from X-Forwarded-For in the proxy layer."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(kind: str, *, user: Any = None, organisation: Organisation | None = None,
           request: HttpRequest | None = None, identifier: str = "",
           detail: dict[str, Any] | None = None, ip_address: str | None = None,
           user_agent: str = "") -> SecurityEvent:
    """Append one security event. ``user`` may be None (failed login: give ``identifier``).
    Where from: the ``request`` (and its door, ``via``), or (from an operation, which has
    none) ``ip_address`` and ``user_agent``."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if not identifier and user is not None:
        identifier = str(getattr(user, "email", "") or user.get_username())
    if request is not None:
        ip_address = client_ip(request)
        user_agent = request.META.get("HTTP_USER_AGENT", "")
        # Through which door, as operations record it from their actor (the API lives
        # under /api/, every other page is the portal's).
        detail = {"via": "api" if request.path.startswith("/api/") else "portal",
                  **(detail or {})}
    event = SecurityEvent.objects.create(
        kind=kind, user=user, identifier=identifier[:254], organisation=organisation,
        ip_address=ip_address, user_agent=user_agent[:255], detail=detail or {},
    )
    logger.info("security event %s user=%s org=%s", kind, identifier,
                organisation.pk if organisation else None)
    alert_for(event)
    return event


def events_for_owner(organisation: Organisation) -> Any:
    """What an owner of ``organisation`` sees: the organisation's events and the personal
    security events (logins, 2FA) of its current people."""
    from django.db.models import Q

    people = organisation.memberships.values_list("user_id", flat=True)
    return SecurityEvent.objects.filter(
        Q(organisation=organisation) | Q(organisation__isnull=True, user_id__in=people)
    ).select_related("user", "organisation")
