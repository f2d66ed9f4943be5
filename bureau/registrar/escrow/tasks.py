"""Periodic escrow jobs (settings.BUREAU_PERIODIC_JOBS): weekly full deposit, daily
incremental, hourly lateness check. Each deposit job delivers what is pending afterwards."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from . import conf
from .delivery import deliver_pending
from .deposits import make_deposit
from .lateness import check_lateness as _check_lateness
from .lateness import incrementals_expected
from .models import DEPOSITED_STATES, Deposit, DepositKind

log = logging.getLogger("bureau.registrar.escrow")


def configured() -> bool:
    """Escrow is on once the IANA ID is set; until then the jobs say so and do nothing (a
    development instance is not an accredited registrar)."""
    if conf.iana_id_or_none() is None:
        log.warning("escrow is not configured (BUREAU_ESCROW_IANA_ID unset): job skipped")
        return False
    return True


def _deliver() -> dict[str, int]:
    report = deliver_pending()
    return {"delivered": len(report.delivered), "failed": len(report.failed)}


@task()
def weekly_full() -> dict[str, int | str]:
    if not configured():
        return {"skipped": "escrow not configured"}
    deposit = make_deposit(DepositKind.FULL)
    return {"rows": deposit.records, **_deliver()}


@task()
def daily_incremental() -> dict[str, int | str]:
    if not configured():
        return {"skipped": "escrow not configured"}
    today = timezone.now().astimezone(dt.UTC).date()
    if not incrementals_expected(today):
        return {"skipped": "below the threshold and BUREAU_ESCROW_INCREMENTALS=auto"}
    if Deposit.objects.filter(date=today, state__in=DEPOSITED_STATES).exists():
        return {"skipped": "a deposit is already dated today (the weekly full one)"}
    if not Deposit.objects.filter(kind=DepositKind.FULL, state__in=DEPOSITED_STATES).exists():
        deposit = make_deposit(DepositKind.FULL)  # nothing to be incremental to yet
    else:
        deposit = make_deposit(DepositKind.INCREMENTAL)
    return {"rows": deposit.records, **_deliver()}


@task()
def check_lateness() -> list[str]:
    if not configured():
        return ["escrow not configured"]
    now = timezone.now()
    return [s.text(now) for s in _check_lateness(now)]
