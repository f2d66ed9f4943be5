"""Security events a registry reports at login (RFC 8807), recorded for the operators: the
EPP library hands each one over once (Session.take_login_events), this stores it, and mails
ADMINS the first time an event is seen (a password about to expire must reach whoever can
change it, not only the log). Never a reason for the EPP command to fail."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import mail_admins
from django.db import DatabaseError, transaction

from bureau import epp
from bureau.core import clock

from .models import LoginEvent, Registry

logger = logging.getLogger(__name__)


def record(registry: Registry, events: Iterable[epp.LoginEvent]) -> list[LoginEvent]:
    """Store ``events`` (a new row for an event not seen before, else its ``last_seen_at``
    moves on) and mail the new ones to ADMINS."""
    recorded = []
    for event in events:
        try:
            with transaction.atomic():
                recorded.append(_record(registry, event))
        except DatabaseError:
            logger.warning("could not record the EPP login event of %s: %s", registry, event,
                           exc_info=True)
    return recorded


def _record(registry: Registry, event: epp.LoginEvent) -> LoginEvent:
    now = clock.now()
    same = LoginEvent.objects.filter(
        registry=registry, type=event.type, name=event.name or "", level=event.level,
        expires_at=event.expires, value=event.value or "").first()
    if same is not None:
        same.last_seen_at, same.message = now, event.message
        same.save(update_fields=["last_seen_at", "message"])
        return same
    row = LoginEvent.objects.create(
        registry=registry, type=event.type, name=event.name or "", level=event.level,
        message=event.message, expires_at=event.expires, value=event.value or "",
        duration=event.duration or "", first_seen_at=now, last_seen_at=now)
    if getattr(settings, "ADMINS", None):
        mail_admins(f"Registry {registry}: {event.level} at login ({event.name or event.type})",
                    f"{row}\n\nReported by the registry when Bureau logged in as "
                    f"{registry.client_id} at {registry.host} (RFC 8807). The registry login "
                    "events are listed in the admin, under Registries.", fail_silently=True)
        row.emailed = True
        row.save(update_fields=["emailed"])
    return row
