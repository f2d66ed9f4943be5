"""`bureau worker`: run queued jobs (django-tasks-db's worker), enqueue periodic ones, and
beat: the worker's heartbeat row tells /health/ that jobs are being run."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from bureau.core.periodic import Every, HeartbeatThread, SchedulerThread, enqueue_due
from bureau.core.recovery import recover_abandoned, this_worker_id
from bureau.logs import log_task_ids


class Command(DbWorkerCommand):
    help = "Run queued jobs and enqueue the periodic ones when they are due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-scheduler", action="store_false", dest="scheduler",
                            help="Do not enqueue periodic jobs (another worker does).")
        parser.add_argument("--scheduler-interval", type=float, default=5.0,
                            help="Seconds between two looks at the periodic jobs (default 5).")
        # host:pid:start, so that the next worker can tell this one has stopped.
        parser.set_defaults(worker_id=None)

    def handle(  # type: ignore[override]
        self, *args: Any, scheduler: bool, scheduler_interval: float,
               **options: Any) -> None:
        options.setdefault("reload", False)
        options["worker_id"] = options.get("worker_id") or this_worker_id()
        log_task_ids()
        # Jobs a dead worker left RUNNING: queued again (periodic) or failed, never left.
        recover_abandoned(options["worker_id"])
        if options.get("batch"):
            # One pass: enqueue what is due, run everything ready, exit (tests, cron).
            if scheduler:
                enqueue_due()
            super().handle(*args, **options)
            return
        threads: list[Every] = [HeartbeatThread(f"worker:{options['worker_id']}")]
        if scheduler:
            threads.append(SchedulerThread(scheduler_interval))
        for thread in threads:
            thread.start()
        try:
            super().handle(*args, **options)
        finally:
            for thread in threads:
                thread.stop()
            for thread in threads:
                thread.join(5)  # the heartbeat removes its row
