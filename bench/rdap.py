"""RDAP benchmark: domain lookups through the production server on a 1,000,000-name database.

Production-style: gunicorn (BUREAU_DEBUG=0, PostgreSQL, the database cache that also holds
the rate-limit counters) serves Bureau; threads of this process look names up over keep-alive
HTTP connections, each lookup a different name among the million (half of them with a
registrant whose data is redacted).

    .venv/bin/python bench/rdap.py [--quick] [--workers 2] [--names 1000000]

The names are inserted once (one INSERT ... SELECT from generate_series) and kept in the
benchmark's database for the next runs. The last line printed is one JSON object with
lookups_per_s, p50_ms and p95_ms (target: p95 < 20 ms, >= 500 lookups/s on 2 cores).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path
                             if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from bench.api import ensure_database, free_port, load, p95, start_server  # noqa: E402


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
    registry, _ = Registry.objects.get_or_create(
        slug="bench-rdap", defaults={"name": "Bench", "host": "127.0.0.1", "port": 700,
                                     "client_id": "bureau", "password": "unused"})
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (under a minute)")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
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
           "BUREAU_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "bureau.settings"}
    os.environ.update(env)
    prepare(args.names)
    port = free_port()
    server = start_server(port, args.workers, env)
    try:
        rng = random.Random(7)
        rps, latencies, errors = load(
            port, "", lambda n, i: f"/rdap/domain/bench-{rng.randrange(args.names)}.test",
            args.concurrency, seconds)
    finally:
        server.terminate()
        server.wait(10)
    figures = {
        "names": args.names, "workers": args.workers, "concurrency": args.concurrency,
        "seconds": seconds, "lookups_per_s": round(rps, 1),
        "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(p95(latencies), 1),
        "errors": errors, "target_met": p95(latencies) < 20 and rps >= 500,
        "cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 1),
    }
    print(f"RDAP domain lookups ({args.names} names), {args.concurrency} clients: "
          f"{rps:.0f}/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
          f"{errors} errors")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
