"""Jobs a dead worker left RUNNING, settled when a worker starts.

django-tasks-db marks a job RUNNING when a worker claims it, and SUCCESSFUL or FAILED when
it ends. A worker killed in between (SIGKILL, out of memory, power cut) leaves it RUNNING for
ever. When ``bureau worker`` starts, it looks at every RUNNING job whose worker is gone:

- a periodic job (``settings.BUREAU_PERIODIC_JOBS``: poll, reconcile, ledger check...) is put
  back in the queue and runs again: each is written to be run any number of times;
- any other job (a registration, a renewal, a transfer, a deletion...) is failed with
  :class:`WorkerDied`, never run again: a second run could order twice. What it left behind
  (an order charged, a name pending) is settled by the reconciliation from the registry's
  answer (``bureau.registrar.operations.reconcile``).

A worker is known to be gone when its id (``this_worker_id``: host, process id and the
process's start time) names this machine and no such process runs. A job of a worker on
another machine, or of a worker id of another shape, counts as abandoned once it has been
RUNNING longer than ``BUREAU_TASK_ABANDONED_AFTER`` seconds (default one hour).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# django-tasks-db refuses worker ids of 64 characters or more.
HOST = socket.gethostname()[:30]


class WorkerDied(Exception):
    """The worker running the job stopped before the job ended (the reason a job failed)."""


def process_start(pid: int) -> str | None:
    """When the process started (clock ticks since boot, from /proc), "" where /proc is
    missing and the process exists, None when no such process runs."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        # The command name (2nd field) may hold spaces: count from the closing parenthesis.
        return stat.read_text().rsplit(")", 1)[1].split()[19]
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None
    except (OSError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return ""


def this_worker_id() -> str:
    pid = os.getpid()
    return f"{HOST}:{pid}:{process_start(pid) or 0}"


def worker_gone(worker_id: str) -> bool | None:
    """True when the worker of this id certainly stopped, False when it runs, None when
    Bureau cannot tell (another machine, an id of another shape)."""
    parts = worker_id.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != HOST or not parts[1].isdigit():
        return None
    started = process_start(int(parts[1]))
    if started is None:
        return True
    return started != "" and parts[2] != "0" and started != parts[2]


def abandoned_after() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "BUREAU_TASK_ABANDONED_AFTER", 3600)))


def periodic_task_paths() -> set[str]:
    jobs = getattr(settings, "BUREAU_PERIODIC_JOBS", {})
    return {spec["task"] for spec in jobs.values()}


def recover_abandoned(me: str = "", now: datetime | None = None) -> dict[str, list[str]]:
    """Re-queue or fail the jobs dead workers left RUNNING (see the module's docstring);
    return their ids by what was done. Safe when several workers start at once: each job is
    changed by one conditional UPDATE, which only one of them wins."""
    now = now or timezone.now()
    stale_before = now - abandoned_after()
    rerun = periodic_task_paths()
    done: dict[str, list[str]] = {"requeued": [], "failed": []}
    for job in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        worker = job.worker_ids[-1] if job.worker_ids else ""
        if worker == me:
            continue
        gone = worker_gone(worker)
        if gone is False or (gone is None and job.started_at and job.started_at > stale_before):
            continue
        running = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING)
        if job.task_path in rerun:
            if running.update(status=TaskResultStatus.READY, started_at=None):
                logger.warning("job %s (%s) of the stopped worker %s queued again", job.pk,
                               job.task_path, worker or "?")
                done["requeued"].append(str(job.pk))
            continue
        message = (f"The worker {worker or '?'} running this job stopped before it ended "
                   f"(found by the worker {me or '?'} at {now.isoformat()}). The job is not "
                   "run again, since it could order twice: the reconciliation settles what "
                   "it left (an order pending is completed or credited back from the "
                   "registry's answer).")
        if running.update(status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                          exception_class_path=f"{__name__}.{WorkerDied.__qualname__}",
                          traceback=f"{__name__}.WorkerDied: {message}\n"):
            logger.error("job %s (%s) failed: %s", job.pk, job.task_path, message)
            done["failed"].append(str(job.pk))
    return done
