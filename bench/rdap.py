"""RDAP benchmark: domain lookups through the production server on a 1,000,000-name database.

The production server: gunicorn with Bureau's configuration (``-c python:bureau.serve``, its
JSON access log included; BUREAU_WEB_WORKERS processes of BUREAU_WEB_THREADS threads),
BUREAU_DEBUG=0, PostgreSQL, persistent database connections as deploy/bureau.env.example
sets them, and the rate limit counting every lookup in the database. Threads of this process
look names up over keep-alive HTTP connections, each lookup a different name among the
million (half of them with a registrant whose data is redacted); each client from its own
loopback address, as distinct clients are counted apart by the rate limit.

The baseline, measured in the same run with the same clients: ``/rdap/health``, the
cheapest request the server answers (one ``SELECT 1``): what the machine allows at that
moment. ``lookup_vs_health`` is the lookups' rate over the baseline's. The machine's load
average (other work on it skews every figure) is printed with them.

    .venv/bin/python bench/rdap.py [--quick] [--workers 2] [--threads 4] [--names 1000000]

The names are inserted once (one INSERT ... SELECT from generate_series) and kept in the
benchmark's database for the next runs. The last line printed is one JSON object with
lookups_per_s, p50_ms and p95_ms (target: p95 < 20 ms, >= 500 lookups/s on 2 cores), the
baseline's health_per_s and health_p95_ms, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path
                             if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import http.client  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

from bench.api import ensure_database, free_port, load, p95  # noqa: E402


def prepare(names: int) -> None:
    """Migrate; a registry, the .test TLD, an organisation, a holder and `names` names."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bureau.core.fields import encrypt
    from bureau.registrar.accounts.models import Organisation
    from bureau.registrar.contacts.models import Contact
    from bureau.registrar.domains.models import Domain
    from bureau.registrar.registries.models import Registry, Tld

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    # Its password is never read: it may be encrypted with another worktree's field key.
    registry = (Registry.objects.filter(slug="bench-rdap").only("pk").first()
                or Registry.objects.create(slug="bench-rdap", name="Bench", host="127.0.0.1",
                                           port=700, client_id="bureau", password="unused"))
    tld, _ = Tld.objects.get_or_create(name="test", defaults={
        "registry": registry, "create_price": 1000, "renew_price": 1000,
        "transfer_price": 1000})
    org, _ = Organisation.objects.get_or_create(slug="bench-rdap",
                                                defaults={"name": "Bench RDAP"})
    holder = Contact.objects.filter(organisation=org).first() or Contact.objects.create(
        organisation=org, name="Camille Martin", email="camille@example.org",
        phone="+33.123456789", street="1 rue de la Paix", city="Paris", postal_code="75002",
        country="FR")
    have = Domain.objects.filter(organisation=org).count()
    if have >= names:
        return
    # A fresh start: names of an earlier run may hold codes encrypted with another key.
    Domain.objects.filter(organisation=org).delete()
    have = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Domain._meta.db_table}
                (name, tld_id, organisation_id, registrant_id, state, statuses, roid,
                 nameservers, registered_at, expires_at, updated_at, auth_info,
                 transfer_prohibited, update_prohibited, delete_prohibited, renew_prohibited)
                SELECT 'bench-' || i || '.test', %s, %s,
                       CASE WHEN i %% 2 = 0 THEN %s END, 'active',
                       '["ok"]'::jsonb, 'D' || i || '-BENCH',
                       '["ns1.bench.example", "ns2.bench.example"]'::jsonb,
                       now(), now() + interval '1 year', now(), %s, true, false, false, false
                FROM generate_series(%s, %s) AS i""",
            [tld.pk, org.pk, holder.pk, encrypt(""), have, names - 1])
        cursor.execute(f"ANALYZE {Domain._meta.db_table}")


def cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """CPU time (user and system) spent so far by the server's processes and the database
    backends serving them (Linux's /proc): what a lookup costs, whatever else the machine
    runs."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        pids = {row[0] for row in cursor.fetchall()}
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid in pids or pid == server.pid or ppid == server.pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def measure(server: subprocess.Popen[bytes], port: int, paths: Any, concurrency: int,
            seconds: float) -> tuple[float, list[float], int, float]:
    """Rate, latencies (ms) and errors as bench.api.load measures them, and the server's CPU
    milliseconds per request (after a warm-up that opens the connections)."""
    load(port, "", paths, concurrency, 1.0, warmup=0.5, own_addresses=True)
    before = cpu_seconds(server)
    rps, latencies, errors = load(port, "", paths, concurrency, seconds, warmup=0,
                                  own_addresses=True)
    return rps, latencies, errors, (cpu_seconds(server) - before) * 1000 / len(latencies)


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """gunicorn as production runs it (its access log, one JSON line a request, discarded)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn), "-c", "python:bureau.serve"],
                               env={**env, "BUREAU_ADDR": f"127.0.0.1:{port}"}, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/rdap/health")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (under a minute)")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--names", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bureau_bench_rdap"))
    args = parser.parse_args()
    seconds = 5.0 if args.quick else 20.0

    ensure_database(args.database_url)
    state = ROOT / "var" / "bench-rdap"  # its field key encrypts the names' transfer codes
    env = {**os.environ, "BUREAU_DEMO": "1", "BUREAU_DEBUG": "0", "BUREAU_SSL_REDIRECT": "0",
           "DATABASE_URL": args.database_url, "BUREAU_STATE_DIR": str(state),
           "BUREAU_SECRET_KEY": secrets.token_urlsafe(40), "BUREAU_DB_CONN_MAX_AGE": "60",
           "BUREAU_RDAP_RATE": "100000000/m", "BUREAU_RDAP_IANA_ID": "9999",
           "BUREAU_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "bureau.settings",
           "BUREAU_WEB_WORKERS": str(args.workers), "BUREAU_WEB_THREADS": str(args.threads)}
    os.environ.update(env)
    prepare(args.names)
    port = free_port()
    load_before = os.getloadavg()[0]
    server = start_server(port, env)
    try:
        health_rps, health_ms, health_errors, health_cpu = measure(
            server, port, lambda n, i: "/rdap/health", args.concurrency, seconds / 2)
        rng = random.Random(7)
        rps, latencies, errors, cpu = measure(
            server, port, lambda n, i: f"/rdap/domain/bench-{rng.randrange(args.names)}.test",
            args.concurrency, seconds)
    finally:
        server.terminate()
        server.wait(10)
    load_after = os.getloadavg()[0]
    figures = {
        "names": args.names, "workers": args.workers, "threads": args.threads,
        "concurrency": args.concurrency, "seconds": seconds,
        "lookups_per_s": round(rps, 1), "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(p95(latencies), 1), "errors": errors + health_errors,
        "health_per_s": round(health_rps, 1), "health_p95_ms": round(p95(health_ms), 1),
        "lookup_vs_health": round(rps / health_rps, 2),
        "server_cpu_ms_per_lookup": round(cpu, 2), "server_cpu_ms_per_health": round(health_cpu, 2),
        "target_met": p95(latencies) < 20 and rps >= 500,
        "cpus": os.cpu_count(), "load_average_1m_before": round(load_before, 1),
        "load_average_1m_after": round(load_after, 1),
    }
    print(f"baseline /rdap/health, {args.concurrency} clients: {health_rps:.0f}/s, "
          f"p95 {figures['health_p95_ms']} ms, server CPU {health_cpu:.2f} ms each")
    print(f"RDAP domain lookups ({args.names} names), {args.concurrency} clients: "
          f"{rps:.0f}/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
          f"{errors} errors ({figures['lookup_vs_health']} of the baseline's rate), "
          f"server CPU {cpu:.2f} ms each (gunicorn and PostgreSQL)")
    print(f"machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before, "
          f"{load_after:.1f} after (other work on the machine skews these figures)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
