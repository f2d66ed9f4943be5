"""The registries' part of /health/: each active registry answered an EPP command lately (the
worker polls each one every BUREAU_POLL_EVERY seconds; every command refreshes the heartbeat,
see connection.exchanged)."""

from __future__ import annotations

from django.conf import settings

from bureau.core.heartbeat import OK, freshness

from .models import Registry


def registries() -> dict[str, str]:
    states = {}
    for registry in Registry.objects.filter(is_active=True).order_by("slug"):
        state = freshness({"name": f"epp:{registry.pk}"}, settings.BUREAU_HEALTH_EPP_AFTER)
        if state != OK:
            state = ("no successful EPP exchange yet" if state == "no heartbeat yet" else
                     state.replace("last heartbeat", "last successful EPP exchange"))
        states[f"registry:{registry.slug}"] = state
    return states
