"""Registrations per second end to end: the register operation, EPP and the database, run as
jobs by `bureau worker` processes, against the sandbox registry in its own process; and the
ratio to the bare EPP create rate measured in the same run.

- Bureau: N `register_domain` jobs (bureau.registrar.tasks) enqueued in one transaction, run
  by W `bureau worker` processes (one EPP session each). Each registration checks the name
  and its price (domain:check with the fee extension), places the order and its charge, sends
  domain:create, stores the outcome and its history, and sets the default transfer lock
  (domain:update): three EPP commands, about forty SQL statements in three transactions, plus
  the worker's own claim and result. The rate is N over the time from the commit of the jobs
  to the end of the last one (the workers are warm). All jobs charge one organisation, so
  they queue for its balance row (and for the invoice number) while an order is placed.
- Bare EPP: the library's SessionPool with W sessions sending domain:create from W threads of
  this process to the same sandbox, nothing else; measured before and after the workers, the
  mean is the reference.

The sandbox runs with its schema checks of responses off (`bureau sandbox serve`). The
database is a throwaway PostgreSQL database created for the run and dropped after it (SQLite
in the run's temporary folder when no PostgreSQL answers, or with --sqlite).

    .venv/bin/python bench/operations.py [--quick] [--workers 2] [--count 2000] [--sqlite]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--keep]

The last line printed is one JSON object with registrations_per_s and ratio_to_bare_epp,
among others (cpu_ms_per_registration: CPU time of the workers, the sandbox and the database
server processes during the measured run, per registration; Linux).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds dns.py, which would hide the dnspython package: import from the project root.
sys.path[:] = [str(ROOT)] + [p for p in sys.path
                             if Path(p or ".").resolve() != Path(__file__).resolve().parent]

CLID, PASSWORD = "bureau", "bureau-secret"  # the sandbox's default registrar account
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def start_sandbox(state: Path) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, "-m", "bureau.cli", "sandbox", "--state-dir", str(state),
               "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "listening on" in line:
            # Keep reading its output so that it never blocks on a full pipe.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process, int(line.split("listening on", 1)[1].split()[0].rsplit(":", 1)[1])
        if not line and process.poll() is not None:
            break
    process.kill()
    raise SystemExit("the sandbox did not start; run `bureau sandbox serve` to see why")


@contextlib.contextmanager
def throwaway_database(server_url: str | None, work: Path) -> Iterator[tuple[str, str]]:
    """A database URL for this run only, and its kind; dropped (or deleted) afterwards."""
    if server_url:
        try:
            import psycopg

            base = server_url.rpartition("/")[0]
            name = f"bureau_bench_ops_{secrets.token_hex(4)}"
            with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:  # no PostgreSQL here: SQLite instead
            print(f"PostgreSQL at {server_url} did not answer ({exc}); using SQLite")
        else:
            try:
                yield f"{base}/{name}", "postgresql"
            finally:
                with psycopg.connect(server_url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
    yield f"sqlite:///{work / 'bench.sqlite3'}", "sqlite"


def prepare(state: Path, sandbox_port: int) -> SimpleNamespace:
    """Migrate, point a registry at the sandbox, make an organisation with a balance, an
    owner and a contact (already known to the registry, as it is after a first order)."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from bureau.registrar.accounts.models import Membership, Organisation, Role
    from bureau.registrar.billing import ledger
    from bureau.registrar.contacts.models import Contact
    from bureau.registrar.operations.handles import ensure_handle
    from bureau.registrar.registries.models import Tld
    from bureau.registrar.registries.sandbox import configure
    from bureau.sandbox.certs import ensure_certificates
    from bureau.sandbox.policy import load_config

    call_command("migrate", verbosity=0)
    certs = ensure_certificates(state / "certs", [CLID])
    cert, key = certs.clients[CLID]
    running = SimpleNamespace(
        config=load_config(None), host="127.0.0.1", port=sandbox_port, ca_file=certs.ca_file,
        registrars={CLID: SimpleNamespace(clid=CLID, password=PASSWORD, cert_file=cert,
                                          key_file=key)})
    registry = configure(running, slug="bench")  # type: ignore[arg-type]
    registry.max_sessions = 1  # one job at a time per worker process
    registry.save(update_fields=["max_sessions"])
    Tld.objects.exclude(registry=registry).update(is_active=False)

    user = User.objects.create_user("bench", "bench@bench.test", secrets.token_urlsafe(12))
    org = Organisation.objects.create(slug="bench", name="Bench")
    Membership.objects.create(user=user, organisation=org, role=Role.OWNER)
    ledger.top_up(org, 100_000_000, "EUR", memo="bench")
    contact = Contact.objects.create(
        organisation=org, name="Camille Banc", email="camille@bench.test",
        phone="+33.123456789", street="1 rue du Banc", city="Paris", postal_code="75002",
        country="FR")
    handle = ensure_handle(contact, registry)
    return SimpleNamespace(registry=registry, user=user, organisation=org, contact=contact,
                           handle=handle, certs=certs, cert=cert, key=key)


def start_workers(count: int, env: dict[str, str], work: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for n in range(count):
        log = (work / f"worker-{n}.log").open("wb")
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "bureau.cli", "worker", "--no-scheduler",
             "--no-startup-delay", "--no-reload", "--interval", "0.05",
             "--worker-id", f"bench-{n}"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
    return workers


def enqueue(setup: SimpleNamespace, names: list[str]) -> tuple[list[str], float]:
    """Enqueue one job per name in one transaction; the job ids and the commit time."""
    from django.db import transaction

    from bureau.registrar.tasks import register_domain

    with transaction.atomic():
        ids = [str(register_domain.enqueue(
            organisation_id=setup.organisation.pk, user_id=setup.user.pk, name=name,
            registrant_id=setup.contact.pk).id) for name in names]
    return ids, time.time()


def wait_for(ids: list[str], workers: list[subprocess.Popen[bytes]], timeout: float) -> None:
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not DBTaskResult.objects.filter(id__in=ids, finished_at__isnull=True).exists():
            return
        for worker in workers:
            if worker.poll() is not None:
                raise SystemExit(f"a worker stopped (exit code {worker.returncode}); see its log")
        time.sleep(0.02)
    raise SystemExit(f"the jobs did not finish within {timeout:.0f} s")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes used so far (Linux /proc; 0 elsewhere)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def database_pids() -> list[int]:
    """The server processes of the benchmark's database (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [row[0] for row in cursor.fetchall()]


def bureau_rate(setup: SimpleNamespace, names: list[str], workers: list[subprocess.Popen[bytes]],
                cpu: dict[str, float], sandbox_pid: int) -> tuple[float, int]:
    """Registrations per second (commit of the jobs → end of the last), and failures; the
    CPU time used meanwhile by the workers, the sandbox and the database goes into ``cpu``."""
    from django.db.models import Max
    from django_tasks_db.models import DBTaskResult

    groups = {"workers": [w.pid for w in workers], "sandbox": [sandbox_pid],
              "database": database_pids()}
    before = {name: cpu_seconds(pids) for name, pids in groups.items()}
    ids, committed = enqueue(setup, names)
    wait_for(ids, workers, timeout=600)
    for name, pids in groups.items():
        cpu[name] = cpu_seconds(pids) - before[name]
    jobs = DBTaskResult.objects.filter(id__in=ids)
    failed = jobs.exclude(status="SUCCESSFUL").count()
    last = jobs.aggregate(last=Max("finished_at"))["last"].timestamp()
    return len(ids) / (last - committed), failed


def bare_rate(setup: SimpleNamespace, port: int, size: int, names: list[str]) -> float:
    """domain:create per second through the library's SessionPool, nothing else."""
    from bureau.epp import ClientConfig, DomainCreate, Period, SessionPool, generate_auth_info

    config = ClientConfig("127.0.0.1", port, CLID, PASSWORD,
                          cafile=str(setup.certs.ca_file), certfile=str(setup.cert),
                          keyfile=str(setup.key), server_hostname="localhost", timeout=30.0)
    commands = [DomainCreate(name, registrant=setup.handle, auth_info=generate_auth_info(),
                             period=Period(1)) for name in names]
    warm, measured = commands[: size * 2], commands[size * 2:]
    with SessionPool(config, size=size) as pool, ThreadPoolExecutor(max_workers=size) as threads:
        list(threads.map(pool.execute, warm))  # open every session first
        started = time.perf_counter()
        for response in threads.map(pool.execute, measured):
            assert response.ok
        return len(measured) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, under a minute")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--count", type=int, help="registrations (default 300, quick 100)")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", DEFAULT_SERVER_URL),
        help="a PostgreSQL server's URL; the run creates its own database there and drops it")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite, not PostgreSQL")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (worker logs, sandbox state)")
    args = parser.parse_args()
    count = args.count or (100 if args.quick else 300)
    bare_count = count * 3
    run = secrets.token_hex(3)

    # `kill` cleans up like Ctrl-C does: workers and sandbox stopped, database dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    work = Path(tempfile.mkdtemp(prefix="bureau-bench-ops-"))
    sandbox, port = start_sandbox(work / "sandbox")
    workers: list[subprocess.Popen[bytes]] = []
    try:
        with throwaway_database(None if args.sqlite else args.database_url,
                                work) as (url, kind):
            env = {**os.environ, "DATABASE_URL": url, "BUREAU_STATE_DIR": str(work / "var"),
                   "BUREAU_DEMO": "1", "BUREAU_DEBUG": "0", "BUREAU_SSL_REDIRECT": "0",
                   "BUREAU_SECRET_KEY": secrets.token_urlsafe(40),
                   "BUREAU_DB_CONN_MAX_AGE": "60", "BUREAU_LOG_LEVEL": "WARNING",
                   "BUREAU_LANGUAGE": "en", "DJANGO_SETTINGS_MODULE": "bureau.settings",
                   "BUREAU_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
            os.environ.update(env)
            try:
                setup = prepare(work / "sandbox", port)
                before = bare_rate(setup, port, args.workers,
                                   [f"bare-{run}-a{i}.test" for i in range(bare_count)])
                print(f"bare EPP domain:create, pool of {args.workers}: {before:.0f}/s")

                workers = start_workers(args.workers, env, work)
                warm_ids, _ = enqueue(setup, [f"warm-{run}-{i}.test"
                                              for i in range(args.workers * 3)])
                wait_for(warm_ids, workers, timeout=120)
                cpu: dict[str, float] = {}
                rate, failed = bureau_rate(setup, [f"ops-{run}-{i}.test"
                                                   for i in range(count)], workers, cpu,
                                           sandbox.pid)
                print(f"Bureau register jobs, {args.workers} workers ({kind}): {rate:.1f}/s, "
                      f"{failed} failed of {count}")
                cpu_ms = {name: round(seconds / count * 1000, 1)
                          for name, seconds in cpu.items()}
                print("CPU per registration: " + ", ".join(
                    f"{name} {ms} ms" for name, ms in cpu_ms.items()))
                after = bare_rate(setup, port, args.workers,
                                  [f"bare-{run}-b{i}.test" for i in range(bare_count)])
                print(f"bare EPP domain:create again (workers idle): {after:.0f}/s")
            finally:
                for worker in workers:
                    worker.terminate()
                for worker in workers:
                    try:
                        worker.wait(10)
                    except subprocess.TimeoutExpired:
                        worker.kill()
                from django.db import connections

                connections.close_all()  # so that the database can be dropped
    finally:
        sandbox.terminate()
        sandbox.wait(10)
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    bare = (before + after) / 2
    ratio = rate / bare
    load = os.getloadavg()[0]
    print(f"ratio to bare EPP creates: {ratio:.3f} (each registration sends 3 EPP commands: "
          "check, create, update)")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} "
          "(other work on the machine skews these figures)")
    figures: dict[str, Any] = {
        "registrations_per_s": round(rate, 1), "ratio_to_bare_epp": round(ratio, 3),
        "bare_epp_creates_per_s": round(bare, 1),
        "bare_epp_creates_per_s_before_after": [round(before, 1), round(after, 1)],
        "registrations": count, "failed": failed, "bare_creates": 2 * (bare_count
                                                                      - 2 * args.workers),
        "workers": args.workers, "epp_sessions": args.workers, "database": kind,
        "cpu_ms_per_registration": cpu_ms,
        "cpus": os.cpu_count(), "load_average_1m": round(load, 1), "quick": args.quick,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
