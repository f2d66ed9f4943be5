"""Jobs of the cooperative: close and publish ballots whose time is up."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def close_due_ballots() -> int:
    """Count and publish every open ballot past its closing time; return how many."""
    from bureau.coop.operations.ballots import close_due

    closed = close_due()
    for ballot in closed:
        logger.info("ballot %s closed: %s", ballot.pk, ballot.result)
    return len(closed)
