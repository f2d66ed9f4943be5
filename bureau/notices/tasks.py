"""The periodic job of notices (settings.BUREAU_PERIODIC_JOBS["notices"]). It is safe to run
as often as wanted: every message has a unique key, every step checks the current state."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def run_notices() -> dict[str, Any]:
    from .jobs import run_all

    return run_all()
