"""Periodic escrow jobs (settings.BUREAU_PERIODIC_JOBS): weekly full deposit, daily
incremental, hourly lateness check, daily pruning of the names history. Each deposit job
delivers what is pending afterwards."""

from __future__ import annotations

import functools
import logging

from django_tasks import task

from bureau.core import clock

from . import conf
from .delivery import deliver_pending
from .deposits import make_deposit
from .history import prune
from .lateness import check_lateness as _check_lateness
from .models import DepositKind
from .schedule import plan

log = logging.getLogger("bureau.registrar.escrow")


def configured() -> bool:
    """Escrow is on once the IANA ID is set; until then the jobs do nothing (a development
    instance is not an accredited registrar), said once per process rather than at every run
    of each job."""
    if conf.iana_id_or_none() is None:
        _say_escrow_is_off()
        return False
    return True


@functools.cache
def _say_escrow_is_off() -> None:
    log.warning("escrow is not configured (BUREAU_ESCROW_IANA_ID unset): the escrow jobs do "
                "nothing")


def _deliver() -> dict[str, int]:
    report = deliver_pending()
    return {"delivered": len(report.delivered), "failed": len(report.failed)}


def _run(want: str) -> dict[str, int | str]:
    if not configured():
        return {"skipped": "escrow not configured"}
    p = plan(clock.now(), want=want)
    if p.kind is None:
        log.info("escrow job (%s): nothing to make: %s", want, p.reason)
        return {"skipped": p.reason}
    deposit = make_deposit(p.kind)
    return {"kind": deposit.kind, "rows": deposit.records, **_deliver()}


@task()
def weekly_full() -> dict[str, int | str]:
    """A full deposit when one is due (see schedule.py), then deliver what is pending."""
    return _run(DepositKind.FULL)


@task()
def daily_incremental() -> dict[str, int | str]:
    """An incremental deposit (or the full one, when due), then deliver what is pending."""
    return _run(DepositKind.INCREMENTAL)


@task()
def check_lateness() -> list[str]:
    if not configured():
        return ["escrow not configured"]
    now = clock.now()
    return [s.text(now) for s in _check_lateness(now)]


@task()
def prune_history() -> dict[str, int | str]:
    """Forget the names of superseded deposit series: a job of its own, so that a deposit
    does not wait for deleting a million names of the one before last."""
    if not configured():
        return {"skipped": "escrow not configured"}
    return {"removed": prune()}
