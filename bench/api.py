"""REST API benchmark: the domain list and the search under concurrent load, on loopback.

Production-style: gunicorn (several worker processes, BUREAU_DEBUG=0, PostgreSQL, the
database cache) serves Bureau; the sandbox registry runs in its own process with 20 TLDs; the
load comes from threads of this process over keep-alive HTTP connections, each request with a
personal API token.

- list: GET /api/v1/domains/ (first page of 50 of the organisation's names, expiring first);
- search: GET /api/v1/search/?q=<a new label each time>: availability and price in the 20
  TLDs (one EPP check command through the worker's session pool).

    .venv/bin/python bench/api.py [--quick] [--workers 4] [--database-url URL]

The last line printed is one JSON object with list_rps, list_p95_ms, search_rps,
search_p95_ms (target: search p95 under 300 ms for 20 TLDs) and search_single_client_p95_ms
(the same search with no other request in flight), plus the machine's CPU count and load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds dns.py, which would hide the dnspython package: import from the project root.
sys.path[:] = [str(ROOT)] + [p for p in sys.path
                             if Path(p or ".").resolve() != Path(__file__).resolve().parent]

TLDS = ["test", "example", "ngo", "ong", "coop", "asso", "bio", "eco", "paris", "bzh", "art",
        "cafe", "shop", "tech", "info", "net", "org", "com", "fr", "be"]
CLID, PASSWORD = "bureau", "bureau-secret"


def sandbox_config(path: Path) -> Path:
    lines = ['[[registrars]]', f'id = "{CLID}"', f'password = "{PASSWORD}"', ""]
    for name in TLDS:
        lines += [f"[tlds.{name}]", 'create = "10.00"', 'renew = "10.00"',
                  'premium = { shop = "250.00", bank = "900.00" }']
        if name in ("ngo", "ong"):
            lines += ['bundle = "tlds"', 'bundle_tlds = ["ngo", "ong"]']
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def start_sandbox(state: Path, config: Path) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, "-m", "bureau.cli", "sandbox", "--state-dir", str(state),
               "--config", str(config), "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "listening on" in line:
            return process, int(line.split("listening on", 1)[1].split()[0].rsplit(":", 1)[1])
        if not line and process.poll() is not None:
            break
    process.kill()
    raise SystemExit("the sandbox did not start; run `bureau sandbox serve` to see why")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database when it does not exist yet."""
    import psycopg

    base, _slash, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(state: Path, sandbox_port: int, domains: int) -> str:
    """Migrate, point a registry at the sandbox, make an organisation with names; a token."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from bureau.audit.operations.tokens import create_token
    from bureau.registrar.accounts.models import Membership, Organisation, Role
    from bureau.registrar.billing import ledger
    from bureau.registrar.domains.models import Domain, DomainState
    from bureau.registrar.operations.common import Actor
    from bureau.registrar.registries.models import Tld
    from bureau.registrar.registries.sandbox import configure
    from bureau.sandbox.certs import ensure_certificates
    from bureau.sandbox.policy import load_config

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    certs = ensure_certificates(state / "certs", [CLID])
    cert, key = certs.clients[CLID]
    running = SimpleNamespace(
        config=load_config(state.parent / "sandbox.toml"), host="127.0.0.1", port=sandbox_port,
        ca_file=certs.ca_file,
        registrars={CLID: SimpleNamespace(clid=CLID, password=PASSWORD, cert_file=cert,
                                          key_file=key)})
    registry = configure(running, slug="bench")  # type: ignore[arg-type]
    registry.max_sessions = 4
    registry.save(update_fields=["max_sessions"])
    Tld.objects.exclude(registry=registry).update(is_active=False)

    user, _ = User.objects.get_or_create(username="bench", defaults={"email": "b@bench.test"})
    org, created = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": Role.OWNER})
    if created:
        ledger.top_up(org, 1_000_000, "EUR", memo="bench")
    have = Domain.objects.filter(organisation=org).count()
    tlds = list(Tld.objects.filter(registry=registry))
    now = timezone.now()
    Domain.objects.bulk_create([
        Domain(name=f"bench-{i:05d}.{tlds[i % len(tlds)].name}", tld=tlds[i % len(tlds)],
               organisation=org, state=DomainState.ACTIVE, registered_at=now,
               expires_at=now + timedelta(days=30 + i), nameservers=["ns1.bench.test"])
        for i in range(have, domains)])
    return create_token(actor=Actor.console(user), organisation=org, name=f"bench {now:%H%M%S}",
                        scopes=["domains:read"]).secret


def start_server(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).with_name("gunicorn")), "bureau.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", "gthread", "--threads", "4", "--keep-alive", "30",
               "--preload", "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status in (200, 503):  # up (503: no worker, as here)
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def load(port: int, token: str, paths: Any, concurrency: int, seconds: float,
         warmup: float = 2.0, own_addresses: bool = False) -> tuple[float, list[float], int]:
    """Requests per second, latencies (ms) and errors, after a warm-up. With
    ``own_addresses`` each client connects from its own loopback address (127.0.1.n), as
    distinct clients would, for limits counted per address."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic()
    measure_from = start + warmup
    stop = measure_from + seconds

    def worker(n: int) -> None:
        source = (f"127.0.1.{n + 1}", 0) if own_addresses else None
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=source)
        mine: list[float] = []
        bad = 0
        i = 0
        while True:
            t0 = time.monotonic()
            if t0 >= stop:
                break
            conn.request("GET", paths(n, i), headers=headers)
            response = conn.getresponse()
            response.read()
            t1 = time.monotonic()
            if t0 >= measure_from:
                mine.append((t1 - t0) * 1000)
                bad += response.status != 200
            i += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / seconds, latencies, errors[0]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (under a minute)")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--domains", type=int, default=500)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bureau_bench_api"))
    args = parser.parse_args()
    seconds = 5.0 if args.quick else 20.0

    work = Path(tempfile.mkdtemp(prefix="bureau-bench-api-"))
    ensure_database(args.database_url)
    env = {**os.environ, "BUREAU_DEMO": "1", "BUREAU_DEBUG": "0", "BUREAU_SSL_REDIRECT": "0",
           "DATABASE_URL": args.database_url, "BUREAU_STATE_DIR": str(ROOT / "var" / "bench-api"),
           "BUREAU_SECRET_KEY": secrets.token_urlsafe(40), "BUREAU_DB_CONN_MAX_AGE": "60",
           "BUREAU_CHECK_RATE": "1000000/m", "BUREAU_LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "bureau.settings"}
    os.environ.update(env)
    sandbox, sandbox_port = start_sandbox(work / "sandbox",
                                          sandbox_config(work / "sandbox.toml"))
    server = None
    try:
        token = prepare(work / "sandbox", sandbox_port, args.domains)
        port = free_port()
        server = start_server(port, args.workers, env)
        run = secrets.token_hex(3)

        list_rps, list_ms, list_errors = load(
            port, token, lambda n, i: "/api/v1/domains/", args.concurrency, seconds)
        search_conc = max(1, args.concurrency // 2)
        search_rps, search_ms, search_errors = load(
            port, token, lambda n, i: f"/api/v1/search/?q=b{run}-{n}-{i}", search_conc,
            seconds)
        # One client alone: the latency of a search without queueing behind others.
        _rps, single_ms, single_errors = load(
            port, token, lambda n, i: f"/api/v1/search/?q=s{run}-{i}", 1, seconds / 2)
        search_errors += single_errors
        figures = {
            "tlds": len(TLDS), "workers": args.workers, "concurrency": args.concurrency,
            "search_concurrency": search_conc, "seconds": seconds,
            "list_rps": round(list_rps, 1), "list_p50_ms": round(statistics.median(list_ms), 1),
            "list_p95_ms": round(p95(list_ms), 1), "list_errors": list_errors,
            "search_rps": round(search_rps, 1),
            "search_p50_ms": round(statistics.median(search_ms), 1),
            "search_p95_ms": round(p95(search_ms), 1), "search_errors": search_errors,
            "search_single_client_p95_ms": round(p95(single_ms), 1),
            "search_target_met": p95(search_ms) < 300,
            "cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 1),
        }
        print(f"domain list ({args.domains} names, page of 50), {args.concurrency} clients: "
              f"{list_rps:.0f} req/s, p50 {figures['list_p50_ms']} ms, "
              f"p95 {figures['list_p95_ms']} ms, {list_errors} errors")
        print(f"search ({len(TLDS)} TLDs), {search_conc} clients: {search_rps:.0f} req/s, "
              f"p50 {figures['search_p50_ms']} ms, p95 {figures['search_p95_ms']} ms, "
              f"{search_errors} errors; one client alone: p95 "
              f"{figures['search_single_client_p95_ms']} ms")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
              "(other work on the machine skews these figures)")
        print(json.dumps(figures))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        sandbox.terminate()
        sandbox.wait(timeout=10)


if __name__ == "__main__":
    main()
