"""Jobs of the cooperative: close and publish ballots whose time is up; record the day's
environmental estimate (the year's consumption against the members' budget adds them up)."""

from __future__ import annotations

import logging

from django_tasks import task

from bureau.coop.operations.ballots import close_due
from bureau.coop.operations.environment import record_reading

logger = logging.getLogger(__name__)


@task()
def close_due_ballots() -> int:
    """Count and publish every open ballot past its closing time; return how many."""
    closed = close_due()
    for ballot in closed:
        logger.info("ballot %s closed: %s", ballot.pk, ballot.result)
    return len(closed)


@task()
def record_environment() -> str:
    return str(record_reading().day)
