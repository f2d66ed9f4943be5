"""The rate limit holds across the production server's processes: gunicorn with two workers,
each request on a new connection, counts one limit per client address, not one per process,
whatever the query (a domain lookup counts itself in its own statement, a help or an invalid
name apart). Which worker accepts a connection is the kernel's choice, so the test asks until
both have answered."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from bureau.rdap.models import RateCount
from bureau.rdap.tasks import forget_rate_counts

GUNICORN = Path(sys.executable).with_name("gunicorn")
LIMIT = 6
# Help, a lookup (not found: a TLD Bureau does not sell) and an invalid name, in turn.
QUERIES = [("/rdap/help", 200), ("/rdap/domain/nothing.example", 404),
           ("/rdap/domain/-bad-.example", 400)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url() -> str:
    """The test database, for the server's processes."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


def get(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)  # the server's processes see the tables; emptied after
def test_one_limit_across_the_server_processes(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL naming PostgreSQL"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "BUREAU_STATE_DIR": str(tmp_path),
           "BUREAU_ADDR": f"127.0.0.1:{port}", "BUREAU_WEB_WORKERS": "2",
           "BUREAU_WEB_THREADS": "1", "BUREAU_RDAP_RATE": f"{LIMIT}/m",
           "BUREAU_SSL_REDIRECT": "0", "BUREAU_DB_CONN_MAX_AGE": "60"}
    stderr = tmp_path / "stderr.log"
    with stderr.open("wb") as err:
        server = subprocess.Popen([str(GUNICORN), "-c", "python:bureau.serve"], env=env,
                                  stdout=err, stderr=err)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert get(port, "/rdap/health").status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, stderr.read_text()[-3000:]
                time.sleep(0.3)
        # The first worker may answer before the second has booted.
        while len(log_records(stderr, "Booting worker")) < 2:
            assert time.monotonic() < deadline, stderr.read_text()[-3000:]
            time.sleep(0.1)
        answers = [get(port, QUERIES[i % len(QUERIES)][0]) for i in range(4 * LIMIT)]
        # Past the limit every answer is 429; ask on until the other worker has answered too
        # (with a count per process, its first answers would be allowed).
        while len(served_by(stderr)) < 2 and len(answers) < 400:
            answers.append(get(port, QUERIES[len(answers) % len(QUERIES)][0]))
            time.sleep(0.01)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    statuses = [answer.status for answer in answers]
    allowed = [QUERIES[i % len(QUERIES)][1] for i in range(LIMIT)]
    assert statuses == allowed + [429] * (len(answers) - LIMIT), statuses
    assert all(1 <= int(a.getheader("Retry-After") or 0) <= 60 for a in answers[LIMIT:])
    served = served_by(stderr)
    assert len(served) == 2, served
    assert sum(len(lines) for lines in served.values()) == len(answers)


def log_records(stderr: Path, starting: str,
                logger: str = "gunicorn.error") -> list[dict[str, Any]]:
    """The server's log records from one logger whose message starts with the given text."""
    records = [json.loads(line) for line in stderr.read_text().splitlines()
               if line.startswith("{")]
    return [r for r in records
            if r.get("logger") == logger and r.get("message", "").startswith(starting)]


def served_by(stderr: Path) -> dict[int, list[str]]:
    """The RDAP answers in the access log, by the process that gave them."""
    served: dict[int, list[str]] = {}
    for record in log_records(stderr, "GET /rdap/", logger="gunicorn.access"):
        if "/rdap/health" not in record["message"]:
            served.setdefault(record["process"], []).append(record["message"])
    return served


def test_the_hourly_job_forgets_windows_that_are_over(db: Any) -> None:
    now = int(time.time())
    RateCount.objects.bulk_create([RateCount(client="192.0.2.1", until=now - 1, hits=60),
                                   RateCount(client="192.0.2.2", until=now + 60, hits=3)])
    assert forget_rate_counts.call() == 1
    # The client still within its window keeps its count.
    assert list(RateCount.objects.values_list("client", "hits")) == [("192.0.2.2", 3)]
