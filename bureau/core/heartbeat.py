"""Heartbeats (bureau.core.models.Heartbeat): signs of life that /health/ reads.

They run on the system's time, not on Bureau's clock (bureau.core.clock): a test that moves
Bureau's time through grace periods must not make a running worker look dead.
"""

from __future__ import annotations

from django.utils import timezone

from .models import Heartbeat

OK = "ok"


def beat(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def freshness(name_filter: dict[str, str], limit: int) -> str:
    """"ok" when the newest heartbeat matching the filter is at most ``limit`` seconds old,
    else what is wrong with it."""
    latest = (Heartbeat.objects.filter(**name_filter).order_by("-at")
              .values_list("at", flat=True).first())
    if latest is None:
        return "no heartbeat yet"
    age = (timezone.now() - latest).total_seconds()
    if age > limit:
        return f"last heartbeat {age:.0f} s ago (more than {limit} s)"
    return OK
