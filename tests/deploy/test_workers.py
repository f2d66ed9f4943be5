"""Several workers on one PostgreSQL: every job runs, and runs once (docs/deploy.md, "Several
workers"). Two `bureau worker` processes, as systemd's bureau-worker@1 and @2 run them, take
1,000 jobs committed at once; each job writes a line to a file when it runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from .conftest import TESTS, database_url
from .jobs import note_run

JOBS = 1000


def start_worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # PGAPPNAME names the worker's connection in pg_stat_activity: the test waits for it.
    # Its log (a line per job) goes to a file: a pipe nobody reads would stop it when full.
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bureau.cli", "worker", "--no-scheduler",
             "--no-startup-delay", "--interval", "0.05", "--worker-id", name],
            env={**env, "PGAPPNAME": name}, stdout=out, stderr=out)


def connected(names: set[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT application_name FROM pg_stat_activity WHERE datname = %s",
                       [connection.settings_dict["NAME"]])
        return names & {row[0] for row in cursor.fetchall()}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_run_a_thousand_jobs_each_exactly_once(tmp_path: Path) -> None:
    run_log = tmp_path / "runs.log"
    env = {**os.environ, "DATABASE_URL": database_url(), "BUREAU_DB_CONN_MAX_AGE": "60",
           "DEPLOY_TEST_RUN_LOG": str(run_log),
           "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    names = {"worker-a", "worker-b"}
    logs = {name: tmp_path / f"{name}.log" for name in names}
    workers = [start_worker(name, env, logs[name]) for name in sorted(names)]

    def tail() -> str:
        return "\n".join(f"{name}: {log.read_text()[-1500:]}" for name, log in logs.items())

    try:
        # Both workers are up and polling before the jobs appear, so both take a share.
        deadline = time.monotonic() + 60
        while connected(names) != names:
            assert all(worker.poll() is None for worker in workers), tail()
            assert time.monotonic() < deadline, "not connected within 60 s\n" + tail()
            time.sleep(0.1)
        with transaction.atomic():
            ids = {str(note_run.enqueue(n).id) for n in range(JOBS)}

        deadline = time.monotonic() + 180
        while DBTaskResult.objects.filter(id__in=ids, status__in=["READY", "RUNNING"]).exists():
            assert all(worker.poll() is None for worker in workers), tail()
            assert time.monotonic() < deadline, "not all run within 180 s\n" + tail()
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)

    statuses = Counter(DBTaskResult.objects.filter(id__in=ids).values_list("status", flat=True))
    assert statuses == {"SUCCESSFUL": JOBS}
    # Each job was claimed once, by one worker, and ran once: one line per job in the file.
    runs = [int(line.split()[0]) for line in run_log.read_text().splitlines()]
    assert sorted(runs) == list(range(JOBS))
    claims = DBTaskResult.objects.filter(id__in=ids).values_list("worker_ids", flat=True)
    assert all(len(claimed) == 1 for claimed in claims)
    shares = Counter(claimed[0] for claimed in claims)
    assert set(shares) == names, shares  # both worked, none was left idle
    pids = {line.split()[1] for line in run_log.read_text().splitlines()}
    assert len(pids) == 2
