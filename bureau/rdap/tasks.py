"""Periodic job of RDAP (settings.BUREAU_PERIODIC_JOBS)."""

from __future__ import annotations

from django_tasks import task

from .ratelimit import forget_past_windows


@task()
def forget_rate_counts() -> int:
    """The rate limit's counts of windows that are over go; returns how many."""
    return forget_past_windows()
