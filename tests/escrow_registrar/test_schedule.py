"""Lateness alerts when the clock says so, the registration-years threshold by hand, and the
periodic jobs."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.escrow import tasks
from bureau.registrar.escrow.lateness import check_lateness
from bureau.registrar.escrow.models import Deposit, DepositState, EscrowAlert
from bureau.registrar.escrow.schedule import plan
from bureau.registrar.escrow.threshold import Quarter, registration_years, threshold_report

from .conftest import Registrar

pytestmark = pytest.mark.sqlite  # fast: also in the SQLite subset of `make test`

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


def delivered(kind: str, at: dt.datetime) -> Deposit:
    return Deposit.objects.create(kind=kind, date=at.date(), profile="2007", compression="gzip",
                                  folder="/nonexistent", state=DepositState.DELIVERED,
                                  started_at=at, delivered_at=at)


def late_kinds() -> set[str]:
    return set(EscrowAlert.objects.filter(resolved_at__isnull=True)
               .values_list("kind", flat=True))


def test_lateness_alert_fires_when_the_clock_says_so(
    registrar: Registrar, escrow_settings: Path, settings: Any, mailoutbox: list[Any],
) -> None:
    settings.ADMINS = [("Ops", "ops@bureau.example")]
    check_lateness(NOW)  # never deposited: late
    assert late_kinds() == {"late-full", "late-inc"}
    assert len(mailoutbox) == 2

    delivered("full", NOW - dt.timedelta(days=5, hours=23))
    statuses = check_lateness(NOW)
    assert [s.late for s in statuses] == [False, True]  # the full is fresh; a day passed
    assert late_kinds() == {"late-inc"}
    check_lateness(NOW + dt.timedelta(minutes=5))
    assert len(mailoutbox) == 2  # still the same open alert: no second mail

    delivered("inc", NOW - dt.timedelta(hours=22))
    check_lateness(NOW)
    assert late_kinds() == set()
    # 24 h later the next daily deposit is due, not late: 23 h + 2 h for the job's period
    assert not check_lateness(NOW + dt.timedelta(hours=2))[1].late
    assert check_lateness(NOW + dt.timedelta(hours=3, minutes=1))[1].late  # a missed day
    assert check_lateness(NOW + dt.timedelta(days=1, minutes=1))[0].late  # 6 days + 1 min
    assert late_kinds() == {"late-full", "late-inc"} and len(mailoutbox) == 4


def test_a_deposit_of_stale_data_is_late(registrar: Registrar, escrow_settings: Path) -> None:
    d = delivered("inc", NOW - dt.timedelta(hours=24))
    Deposit.objects.filter(pk=d.pk).update(delivered_at=NOW - dt.timedelta(minutes=30))
    delivered("full", NOW - dt.timedelta(days=3))
    assert [s.late for s in check_lateness(NOW)] == [False, True]


def test_incrementals_only_expected_above_the_threshold_when_auto(
    registrar: Registrar, escrow_settings: Path, settings: Any,
) -> None:
    settings.BUREAU_ESCROW_INCREMENTALS = "auto"
    delivered("full", NOW - dt.timedelta(days=2))
    assert [s.kind for s in check_lateness(NOW)] == ["full"]
    assert late_kinds() == set()


def order(reg: Registrar, operation: str, years: int, at: dt.datetime,
          state: str = OrderState.COMPLETED, name: str = "x.test") -> Order:
    return Order(organisation=reg.organisation, operation=operation, domain_name=name,
                 period=years, amount=1000, currency="EUR", state=state, finished_at=at)


def test_threshold_counts_registration_years_by_hand(registrar: Registrar, settings: Any,
                                                     escrow_settings: Path) -> None:
    q4 = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)  # ICANN FY2027 Q2
    q3 = dt.datetime(2026, 8, 15, tzinfo=dt.UTC)  # FY2027 Q1
    Order.objects.bulk_create([
        order(registrar, "create", 2, q4),                            # 2
        order(registrar, "renew", 3, q4),                             # 3
        order(registrar, "auto-renew", 1, q4),                        # 1
        order(registrar, "transfer-in", 1, q4),                       # 1
        order(registrar, "create", 5, q4, state=OrderState.REFUNDED),  # undone in grace: 0
        order(registrar, "create", 4, q4, state=OrderState.FAILED),   # 0
        order(registrar, "renew", 1, q4, state=OrderState.PENDING),   # not finished: 0
        order(registrar, "restore", 1, q4),                           # not a registration-year
        order(registrar, "create", 1, q4, name="x.fr"),               # ccTLD: not counted
        order(registrar, "create", 7, q3),                            # previous quarter
        order(registrar, "renew", 9, dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC)),  # 9
        order(registrar, "renew", 9, dt.datetime(2027, 1, 1, tzinfo=dt.UTC)),  # next quarter
    ])
    quarter = Quarter.of(q4.date())
    assert quarter.label == "ICANN FY2027 Q2 (2026-10-01 to 2026-12-31)"
    assert quarter.previous().label == "ICANN FY2027 Q1 (2026-07-01 to 2026-09-30)"
    assert Quarter.of(dt.date(2027, 2, 1)).label == "ICANN FY2027 Q3 (2027-01-01 to 2027-03-31)"
    assert registration_years(quarter) == 2 + 3 + 1 + 1 + 9
    report = threshold_report(q4.date())
    assert (report.current_years, report.previous_years) == (16, 7)
    assert not report.incrementals_mandatory
    assert "optional" in report.text()

    Order.objects.bulk_create([order(registrar, "create", 10, q3) for _ in range(10_000)])
    report = threshold_report(q4.date())
    assert report.previous_years == 100_007 and report.incrementals_mandatory
    assert "MANDATORY" in report.text()


def test_periodic_jobs_are_configured_and_skip_until_configured(
    registrar: Registrar, settings: Any, caplog: pytest.LogCaptureFixture,
) -> None:
    jobs = django_settings.BUREAU_PERIODIC_JOBS
    assert jobs["escrow-full"]["every"] == 7 * 86400
    assert jobs["escrow-inc"]["every"] == 86400
    assert jobs["escrow-lateness"]["every"] == 3600
    settings.BUREAU_ESCROW_IANA_ID = ""
    tasks._say_escrow_is_off.cache_clear()  # as in a process that just started
    with caplog.at_level(logging.WARNING, logger="bureau.registrar.escrow"):
        assert tasks.weekly_full.call() == {"skipped": "escrow not configured"}
        assert tasks.check_lateness.call() == ["escrow not configured"]
        assert tasks.daily_incremental.call() == {"skipped": "escrow not configured"}
    assert not EscrowAlert.objects.exists()
    # Said once for the process, not at every run of every job.
    assert [r.getMessage() for r in caplog.records] == [
        "escrow is not configured (BUREAU_ESCROW_IANA_ID unset): the escrow jobs do nothing"]


def test_schedule_makes_the_full_deposit_before_it_is_late(registrar: Registrar,
                                                          escrow_settings: Path) -> None:
    assert plan(NOW, want="inc").kind == "full"  # nothing deposited yet
    full = delivered("full", NOW - dt.timedelta(days=2))
    assert plan(NOW, want="inc").kind == "inc"
    assert plan(NOW, want="full").kind is None
    Deposit.objects.filter(pk=full.pk).update(started_at=NOW - dt.timedelta(days=5, hours=1),
                                              date=(NOW - dt.timedelta(days=5)).date())
    assert plan(NOW, want="inc").kind == "full"  # 5 days old: due, before the 6-day limit
    assert plan(NOW, want="full").kind == "full"
    delivered("inc", NOW)
    p = plan(NOW, want="full")
    assert p.kind is None and "already dated" in p.reason  # one deposit per day
