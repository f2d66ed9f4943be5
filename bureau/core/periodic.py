"""Periodic jobs on top of django-tasks, which has none.

``settings.BUREAU_PERIODIC_JOBS`` maps a name to ``{"task": "dotted.path", "every": seconds}``.
:func:`enqueue_due` enqueues each job whose time has come, exactly once per period even when
several workers call it at the same moment: the claim is a conditional UPDATE on the job's
row, and the task is enqueued in the same transaction (the queue lives in the same database).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.module_loading import import_string

from .heartbeat import beat
from .models import Heartbeat, PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    name: str
    task_path: str
    every: timedelta

    @property
    def task(self) -> Any:
        return import_string(self.task_path)


def configured_jobs() -> list[JobSpec]:
    jobs: dict[str, dict[str, Any]] = getattr(settings, "BUREAU_PERIODIC_JOBS", {})
    return [JobSpec(name, spec["task"], timedelta(seconds=float(spec["every"])))
            for name, spec in sorted(jobs.items())]


def enqueue_due(now: datetime | None = None, jobs: list[JobSpec] | None = None) -> list[str]:
    """Enqueue the jobs that are due; return their names. Safe to call from many processes."""
    now = now or timezone.now()
    enqueued = []
    for job in configured_jobs() if jobs is None else jobs:
        # A new job runs at once; get_or_create may race, the unique name settles it.
        PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        with transaction.atomic():
            claimed = PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now).update(
                next_run_at=now + job.every, last_enqueued_at=now
            )
            if not claimed:
                continue
            result = job.task.enqueue()
            PeriodicJob.objects.filter(name=job.name).update(last_result_id=str(result.id))
        enqueued.append(job.name)
        logger.info("periodic job %s enqueued (result %s)", job.name, result.id)
    return enqueued


class Every(threading.Thread):
    """Calls :meth:`tick` every ``interval`` seconds until stopped, whatever a tick raises."""

    def __init__(self, name: str, interval: float) -> None:
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def tick(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                self.tick()
            except OperationalError:
                # SQLite busy or database restarting: the next tick tries again.
                logger.warning("%s tick failed; retrying", self.name, exc_info=True)
            except Exception:
                logger.exception("%s tick failed", self.name)
            finally:
                close_old_connections()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()


class SchedulerThread(Every):
    """Calls :func:`enqueue_due` every ``interval`` seconds until stopped."""

    def __init__(self, interval: float = 5.0) -> None:
        super().__init__("bureau-scheduler", interval)

    def tick(self) -> None:
        enqueue_due()


class HeartbeatThread(Every):
    """Keeps the worker's heartbeat row fresh (``BUREAU_HEARTBEAT_EVERY`` seconds); the row
    goes when the worker stops cleanly, and rows of workers gone for a day are pruned."""

    def __init__(self, name: str) -> None:
        super().__init__("bureau-heartbeat", float(settings.BUREAU_HEARTBEAT_EVERY))
        self.beat_name = name

    def tick(self) -> None:
        beat(self.beat_name)

    def run(self) -> None:
        try:
            Heartbeat.objects.filter(name__startswith="worker:",
                                     at__lt=timezone.now() - timedelta(days=1)).delete()
        except OperationalError:
            logger.warning("could not prune old heartbeats", exc_info=True)
        super().run()
        try:
            Heartbeat.objects.filter(name=self.beat_name).delete()
        except OperationalError:
            logger.warning("could not remove the heartbeat %s", self.beat_name, exc_info=True)
        finally:
            close_old_connections()
