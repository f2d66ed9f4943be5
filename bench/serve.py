"""Serving Bureau: the production web server against Django's development server, in one run,
and the job queue's rate with two workers.

Bureau runs with production settings (DEBUG off, PostgreSQL, the database cache) in a
throwaway database (created for the run, dropped after it), once through gunicorn with 2
worker processes (the command of deploy/systemd/bureau-web.service) and once through
`bureau runserver` (threaded), one after the other on the same data. The load comes from
threads of this process over keep-alive HTTP connections on loopback:

- portal: GET /domains/, the logged-in portal's list of names (first page, 500 names held),
  with the session cookie of a login through the login form;
- api: GET /api/v1/domains/, the same list through the API, with a personal token.

Both servers run side by side and are measured in turns (rounds), so that the load of the
machine weighs on both alike; the ratios are the medians over rounds.

Then two `bureau worker` processes, already waiting, run N jobs committed at once (the
ledger check, bureau.registrar.tasks.verify_ledger: two small queries each): jobs per second from
the commit to the end of the last one.

    .venv/bin/python bench/serve.py [--quick] [--concurrency 8] [--jobs 1000]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

--quick: 3 rounds of 1.5 s per page and server, 200 jobs; otherwise 5 rounds of 5 s, 2000
jobs. Most of a quick run is the migration of the throwaway database.

The last line printed is one JSON object: portal_rps, portal_p95_ms, api_rps, api_p95_ms
(gunicorn), the same prefixed runserver_, portal_ratio_to_runserver and
api_ratio_to_runserver (gunicorn's requests per second over runserver's, median of rounds),
ratio_to_runserver (their geometric mean), worker_jobs_per_s, and the machine's CPU count
and load (other work on the machine moves every figure).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import re
import secrets
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds dns.py, which would hide the dnspython package: import from the project root.
sys.path[:] = [str(ROOT)] + [p for p in sys.path
                             if Path(p or ".").resolve() != Path(__file__).resolve().parent]

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PASSWORD = "Bench-Password-42"
DOMAINS = 500


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    import psycopg

    base = server_url.rpartition("/")[0]
    name = f"bureau_bench_serve_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        raise SystemExit(f"PostgreSQL at {server_url} did not answer ({exc}): this benchmark "
                         "measures production serving, which runs on PostgreSQL") from exc
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare() -> str:
    """Migrate; a member (verified address, password) owning an organisation with 500 names;
    her API token."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from bureau.audit.operations.tokens import create_token
    from bureau.registrar.accounts.models import Membership, Organisation, Role
    from bureau.registrar.billing import ledger
    from bureau.registrar.domains.models import Domain, DomainState
    from bureau.registrar.operations.common import Actor
    from bureau.registrar.registries.models import Registry, Tld

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    user = User.objects.create_user("bench", "bench@bench.test", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    org = Organisation.objects.create(slug="bench", name="Bench")
    Membership.objects.create(user=user, organisation=org, role=Role.OWNER)
    ledger.top_up(org, 1_000_000, "EUR", memo="bench")
    registry = Registry.objects.create(name="Bench", slug="bench", host="epp.bench.test",
                                       client_id="bench", password="bench")
    tld = Tld.objects.create(registry=registry, name="test", create_price=1000,
                             renew_price=1000, transfer_price=1000)
    now = timezone.now()
    Domain.objects.bulk_create([
        Domain(name=f"bench-{i:05d}.test", tld=tld, organisation=org,
               state=DomainState.ACTIVE, registered_at=now,
               expires_at=now + timedelta(days=30 + i), nameservers=["ns1.bench.test"])
        for i in range(DOMAINS)])
    return create_token(actor=Actor.console(user), organisation=org, name="bench",
                        scopes=["domains:read"]).secret


def web_command(port: int) -> list[str]:
    """The ExecStart of deploy/systemd/bureau-web.service, for this checkout, on `port`, with
    2 worker processes."""
    unit = (ROOT / "deploy" / "systemd" / "bureau-web.service").read_text()
    found = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE)
    assert found, "bureau-web.service has no ExecStart"
    venv = str(Path(sys.executable).parent.parent)
    words = [w.replace("/opt/bureau/.venv", venv).replace("/opt/bureau", str(ROOT))
             for w in shlex.split(found.group(1))]
    return [*words, "--bind", f"127.0.0.1:{port}", "--workers", "2"]


def start(command: list[str], port: int, env: dict[str, str], log: Path
          ) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{command[0]} did not start:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def login(port: int) -> str:
    """The Cookie header of a session opened through the login form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    body = page.read().decode()
    cookies = {c.split("=", 1)[0]: c.split(";", 1)[0]
               for c in page.headers.get_all("Set-Cookie") or []}
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token, "no CSRF token on the login page"
    form = (f"csrfmiddlewaretoken={token.group(1)}&login=bench%40bench.test"
            f"&password={PASSWORD}")
    conn.request("POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(
            cookies.values()), "Referer": f"http://127.0.0.1:{port}/accounts/login/"})
    done = conn.getresponse()
    done.read()
    if done.status != 302:
        raise SystemExit(f"login refused (HTTP {done.status})")
    for cookie in done.headers.get_all("Set-Cookie") or []:
        cookies[cookie.split("=", 1)[0]] = cookie.split(";", 1)[0]
    return "; ".join(cookies.values())


def load(port: int, path: str, headers: dict[str, str], concurrency: int, seconds: float,
         warmup: float = 0.5) -> tuple[float, list[float], int]:
    """Requests per second, latencies (ms) and errors (answers other than 200)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    measure_from = time.monotonic() + warmup
    stop_at = measure_from + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        while True:
            t0 = time.monotonic()
            if t0 >= stop_at:
                break
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()  # the server closed the connection: open another
                ok = False
            t1 = time.monotonic()
            if t0 >= measure_from:
                mine.append((t1 - t0) * 1000)
                bad += not ok
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / seconds, latencies, errors[0]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def measure_servers(ports: dict[str, int], token: str, concurrency: int, seconds: float,
                    rounds: int) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Both servers run side by side; each round measures each page on each server (their
    order swapped every round), so that a change in the machine's load touches both alike.
    Figures per server; and per page, the median over rounds of gunicorn's rate over
    runserver's."""
    cookies = {name: login(port) for name, port in ports.items()}
    pages = {"portal": ("/domains/", lambda name: {"Cookie": cookies[name]}),
             "api": ("/api/v1/domains/", lambda name: {"Authorization": f"Bearer {token}",
                                                       "Accept": "application/json"})}
    latencies: dict[tuple[str, str], list[float]] = {}
    rates: dict[tuple[str, str], list[float]] = {}
    order = list(ports)
    for _ in range(rounds):
        for what, (path, headers) in pages.items():
            for name in order:
                rps, ms, errors = load(ports[name], path, headers(name), concurrency, seconds)
                if errors:
                    raise SystemExit(f"{name} {what}: {errors} answers were not 200")
                latencies.setdefault((name, what), []).extend(ms)
                rates.setdefault((name, what), []).append(rps)
        order.reverse()
    figures: dict[str, dict[str, float]] = {name: {} for name in ports}
    for (name, what), ms in latencies.items():
        rps = statistics.mean(rates[name, what])
        figures[name][f"{what}_rps"] = round(rps, 1)
        figures[name][f"{what}_p95_ms"] = round(p95(ms), 1)
        print(f"{name:9} {what:6} {pages[what][0]:18} {concurrency} clients: {rps:7.1f} req/s,"
              f" p50 {statistics.median(ms):6.1f} ms, p95 {p95(ms):6.1f} ms")
    ratios = {what: statistics.median(g / r for g, r in zip(
        rates["gunicorn", what], rates["runserver", what], strict=True)) for what in pages}
    return figures, ratios


def connected(database_url: str, names: set[str]) -> set[str]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT application_name FROM pg_stat_activity WHERE datname = "
                            "current_database()").fetchall()
    return names & {row[0] for row in rows}


def measure_workers(env: dict[str, str], database_url: str, jobs: int, log: Path) -> float:
    """Jobs per second of two waiting workers, from the commit of `jobs` jobs to the end."""
    from django.db import close_old_connections, transaction
    from django_tasks_db.models import DBTaskResult

    from bureau.registrar.tasks import verify_ledger

    names = {"bench-worker-1", "bench-worker-2"}
    with log.open("wb") as out:  # a line per job
        workers = [subprocess.Popen(
            [sys.executable, "-m", "bureau.cli", "worker", "--no-scheduler",
             "--no-startup-delay", "--interval", "0.05", "--worker-id", name],
            env={**env, "PGAPPNAME": name}, cwd=ROOT, stdout=out, stderr=out)
            for name in sorted(names)]
    try:
        deadline = time.monotonic() + 60
        while connected(database_url, names) != names:
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise SystemExit("the workers did not start")
            time.sleep(0.1)
        with transaction.atomic():
            ids = [str(verify_ledger.enqueue().id) for _ in range(jobs)]
        started = time.monotonic()
        pending = DBTaskResult.objects.filter(id__in=ids, status__in=["READY", "RUNNING"])
        while pending.exists():
            if time.monotonic() - started > 600:
                raise SystemExit("the jobs did not finish within 10 minutes")
            time.sleep(0.02)
        elapsed = time.monotonic() - started
        failed = DBTaskResult.objects.filter(id__in=ids).exclude(status="SUCCESSFUL").count()
        if failed:
            raise SystemExit(f"{failed} jobs did not succeed")
    finally:
        for worker in workers:
            stop(worker)
        close_old_connections()
    rate = jobs / elapsed
    print(f"workers   2 processes, {jobs} jobs: {rate:7.1f} jobs/s ({elapsed:.1f} s)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (under a minute)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=None,
                        help="jobs for the two workers (default 300 quick, 2000 otherwise)")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", DEFAULT_SERVER_URL),
        help="a PostgreSQL server (its 'postgres' database) to make the throwaway one in")
    args = parser.parse_args()
    seconds, rounds = (1.5, 3) if args.quick else (5.0, 5)
    jobs = args.jobs or (200 if args.quick else 2000)

    work = Path(tempfile.mkdtemp(prefix="bureau-bench-serve-"))
    with throwaway_database(args.database_url) as database_url:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("BUREAU_")},
               "DATABASE_URL": database_url, "BUREAU_DEBUG": "0",
               # Plain HTTP on loopback, no proxy: no redirect to https, cookies sent.
               "BUREAU_HTTPS": "0", "BUREAU_SSL_REDIRECT": "0",
               "BUREAU_STATE_DIR": str(work / "state"),
               "BUREAU_SECRET_KEY": secrets.token_urlsafe(50),
               "BUREAU_FIELD_KEY": _fernet_key(),
               "BUREAU_ALLOWED_HOSTS": "127.0.0.1", "BUREAU_DB_CONN_MAX_AGE": "60",
               "BUREAU_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "bureau.settings"}
        env.pop("GUNICORN_CMD_ARGS", None)
        os.environ.update(env)
        started = time.monotonic()
        token = prepare()
        print(f"database migrated and filled in {time.monotonic() - started:.0f} s")

        servers: list[tuple[str, Callable[[int], list[str]]]] = [
            ("gunicorn", web_command),
            ("runserver", lambda port: [sys.executable, "-m", "bureau.cli", "runserver",
                                        f"127.0.0.1:{port}", "--noreload"]),
        ]
        ports = {name: free_port() for name, _command in servers}
        processes = []
        try:
            for name, command in servers:
                processes.append(start(command(ports[name]), ports[name], env,
                                       work / f"{name}.log"))
            results, ratios = measure_servers(ports, token, args.concurrency, seconds, rounds)
        finally:
            for process in processes:
                stop(process)
        jobs_per_s = measure_workers(env, database_url, jobs, work / "workers.log")

    fast, slow = results["gunicorn"], results["runserver"]
    portal_ratio, api_ratio = ratios["portal"], ratios["api"]
    figures: dict[str, Any] = {
        "gunicorn_workers": 2, "concurrency": args.concurrency, "rounds": rounds,
        "seconds_per_measure": seconds,
        "domains": DOMAINS, **fast,
        **{f"runserver_{key}": value for key, value in slow.items()},
        "portal_ratio_to_runserver": round(portal_ratio, 2),
        "api_ratio_to_runserver": round(api_ratio, 2),
        "ratio_to_runserver": round(math.sqrt(portal_ratio * api_ratio), 2),
        "worker_jobs": jobs, "worker_jobs_per_s": round(jobs_per_s, 1),
        "cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 1),
    }
    print(f"gunicorn (2 workers) over runserver: portal x{portal_ratio:.2f}, "
          f"api x{api_ratio:.2f}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
          "(other work on the machine skews these figures)")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        # Busy cores: gunicorn's second process finds no idle core to run on, and Linux
        # (autogroup) shares the CPU per session, not per process: the ratio then says little
        # of what gunicorn gains on a machine of its own.
        print("the cores are busy: the processes of gunicorn cannot run in parallel here")
    print(json.dumps(figures))


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


if __name__ == "__main__":
    main()
