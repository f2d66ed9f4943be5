"""Template context for every page: navigation, organisations, the current role's rights."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from bureau.registrar.accounts.permissions import permissions_of

from . import organisations, source


def nav_entries() -> list[tuple[str, Any]]:
    """(url, label) of every app's ``portal_nav`` whose URL resolves; the portal's first."""
    entries = []
    configs = sorted(apps.get_app_configs(), key=lambda c: c.name != "bureau.web")
    for config in configs:
        for url_name, label in getattr(config, "portal_nav", []):
            try:
                entries.append((reverse(url_name), label))
            except NoReverseMatch:
                continue
    return entries


def portal(request: HttpRequest) -> dict[str, Any]:
    free = {"source_url": source.source_url(), "bureau_version": source.version()}
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {**free, "portal_nav": [], "memberships": [], "membership": None, "can": set()}
    membership = organisations.current(request)
    return {
        **free,
        "portal_nav": nav_entries(),
        "memberships": organisations.memberships(request),
        "membership": membership,
        "can": {p.value for p in permissions_of(membership.role if membership else None)},
    }
