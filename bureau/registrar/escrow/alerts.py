"""Operator alerts: logged, kept as a record the admin shows, mailed to ADMINS once.

One open alert per kind: raising it again only updates ``last_seen_at`` (no mail storm from
an hourly check); resolving closes it, and the next problem opens (and mails) a new one.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction

from bureau.core import clock

from .models import EscrowAlert

log = logging.getLogger("bureau.registrar.escrow")


def raise_alert(kind: str, message: str) -> EscrowAlert:
    now = clock.now()
    log.error("escrow alert (%s): %s", kind, message)
    alert = EscrowAlert.objects.filter(kind=kind, resolved_at__isnull=True).first()
    if alert is not None:
        alert.message, alert.last_seen_at = message, now
        alert.save(update_fields=["message", "last_seen_at"])
        return alert
    try:
        with transaction.atomic():
            alert = EscrowAlert.objects.create(kind=kind, message=message, raised_at=now,
                                               last_seen_at=now)
    except IntegrityError:  # another worker opened it at the same moment
        return EscrowAlert.objects.get(kind=kind, resolved_at__isnull=True)
    if getattr(settings, "ADMINS", None):
        mail_admins(f"Escrow: {alert.get_kind_display()}", message, fail_silently=True)
        alert.emailed = True
        alert.save(update_fields=["emailed"])
    return alert


def resolve(kind: str) -> int:
    return EscrowAlert.objects.filter(kind=kind, resolved_at__isnull=True).update(
        resolved_at=clock.now())


def open_alerts() -> list[EscrowAlert]:
    return list(EscrowAlert.objects.filter(resolved_at__isnull=True).order_by("raised_at"))
