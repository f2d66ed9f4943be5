"""Relations loaded with a model already (``select_related`` / ``prefetch_related``): the
jobs that walk many names load them by batch, the single-name paths query as before."""

from __future__ import annotations

from typing import Any

from django.db import models


def loaded(instance: models.Model, name: str) -> tuple[bool, Any]:
    """(True, the related object or None) when ``name`` was loaded with ``instance``;
    (False, None) when asking for it would cost a query."""
    field = instance._meta.get_field(name)
    if not field.is_cached(instance):  # type: ignore[union-attr]
        return False, None
    return True, getattr(instance, name, None)  # a missing reverse one-to-one reads None


def prefetched(instance: models.Model, name: str) -> bool:
    """Whether the related manager ``name`` was prefetched (its ``all()`` costs nothing)."""
    return name in getattr(instance, "_prefetched_objects_cache", {})
