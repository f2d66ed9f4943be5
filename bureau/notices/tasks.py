"""The periodic job of notices (settings.BUREAU_PERIODIC_JOBS["notices"]). It is safe to run
as often as wanted: every message has a unique key, every step checks the current state."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from bureau.registrar.operations.common import domain_and_actor
from bureau.registrar.tasks import done_as_dict

from .jobs import run_all
from .renewal import renew_for_holder


@task()
def run_notices() -> dict[str, Any]:
    return run_all()


@task()
def renew_domain(*, domain_id: int, user_id: int, period: int = 1,
                 accepted_price: int | None = None) -> dict[str, object]:
    """Renew a name in the background: the holder's renew (the portal's and the API's), with
    ids instead of objects."""
    domain, actor = domain_and_actor(domain_id, user_id)
    return done_as_dict(renew_for_holder(domain, actor, period=period,
                                         accepted_price=accepted_price))
