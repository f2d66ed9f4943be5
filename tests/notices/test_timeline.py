"""The timeline after expiry, as a pure function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bureau.notices.reminders import due_step
from bureau.notices.timeline import Phase, effective_grace_days, timeline

EXPIRY = datetime(2027, 3, 10, 12, tzinfo=UTC)


def test_dates_and_phases() -> None:
    line = timeline(EXPIRY, grace_days=30, redemption_days=30, pending_delete_days=5)
    assert line.grace_end == EXPIRY + timedelta(days=30)
    assert line.redemption_end == EXPIRY + timedelta(days=60)
    assert line.deletion == EXPIRY + timedelta(days=65)
    assert line.phase(EXPIRY - timedelta(seconds=1)) == Phase.ACTIVE
    assert line.phase(EXPIRY) == Phase.GRACE
    assert line.phase(EXPIRY + timedelta(days=31)) == Phase.REDEMPTION
    assert line.phase(EXPIRY + timedelta(days=62)) == Phase.PENDING_DELETE
    assert line.phase(EXPIRY + timedelta(days=65)) == Phase.DELETED
    assert line.parking_days >= 8


def test_early_deletion_starts_redemption_then() -> None:
    deleted = EXPIRY - timedelta(days=100)
    line = timeline(EXPIRY, grace_days=30, redemption_days=30, pending_delete_days=5,
                    deleted_at=deleted)
    assert line.grace_end == deleted
    assert line.redemption_end == deleted + timedelta(days=30)


def test_grace_stays_inside_the_registry_auto_renew_grace_and_covers_errp() -> None:
    assert effective_grace_days(30, 45) == 30
    assert effective_grace_days(60, 45) == 44
    assert effective_grace_days(2, 45) == 8  # ERRP: at least 8 days of interruption
    with pytest.raises(ValueError):
        timeline(EXPIRY, grace_days=-1, redemption_days=30, pending_delete_days=5)


def test_latest_due_step_only() -> None:
    steps = [60, 30, 7, 1, -2]
    assert due_step(EXPIRY, EXPIRY - timedelta(days=61), steps) is None
    assert due_step(EXPIRY, EXPIRY - timedelta(days=60), steps) == 60
    # The worker was down from day -60 to day -5: one reminder, the current one.
    assert due_step(EXPIRY, EXPIRY - timedelta(days=5), steps) == 7
    assert due_step(EXPIRY, EXPIRY + timedelta(days=3), steps) == -2
