"""Reminder benchmark: the notices job over a million names in PostgreSQL.

A throwaway database (``bureau_bench_reminders_<pid>`` on 127.0.0.1:5432 by default, dropped
at the end, also on failure) is migrated and loaded with COPY (the loading time is printed apart,
it is not part of the figure):

- N domains in 8 TLDs, expiry dates spread evenly from 29 days ago to 365 days ahead, each
  with its paid term (``notices.Term``); names past expiry are parked already (an open
  ``Parking``), as the hourly job leaves them;
- one organisation per 20 names, with an owner, a billing person for every other one, one
  holder contact (language en or fr, email verified, data confirmed within the year) and an
  explicit "no auto-renew" choice for a quarter of them (nobody chose auto-renew: renewing
  needs a registry, which this benchmark leaves out);
- the notices history of the days before: every reminder step that fell due before
  yesterday's run is in ``Notice``, so today's run sends what fell due since (about 5/365 of
  the names), as the daily run in production does.

Then the periodic job's function (``bureau.notices.jobs.run_all``, what
``bureau.notices.tasks.run_notices`` runs) is timed twice at the same "now": the first run
sends today's reminders, the second has nothing new to send (proof of idempotence, and the
cost of every other hourly run). Mail goes to an in-memory backend that only counts messages
(the figure is Bureau's work, not an SMTP server's). Queries are counted with
``connection.execute_wrapper`` (counted, not stored); a server-side cursor counts once. Peak
memory is the process's resident high-water mark, reset after loading where Linux allows.

    .venv/bin/python bench/reminders.py [--quick] [--domains N] [--server-url URL] [--keep]

The last line printed is one JSON object with seconds_1m (the first run's time scaled to
1,000,000 names; ``extrapolated_from`` says from how many when not measured at a million),
queries, domains, sent, second_run_seconds and peak_mb, among others. Target: under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds dns.py, which would hide the dnspython package: import from the project root.
sys.path[:] = [str(ROOT)] + [p for p in sys.path
                             if Path(p or ".").resolve() != Path(__file__).resolve().parent]

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE = "bureau_bench_reminders"
NAMES_PER_ORG = 20
TLDS = ["test", "example", "coop", "asso", "bio", "eco", "paris", "bzh"]
FULL, QUICK = 1_000_000, 100_000


class CountingBackend:
    """An email backend that counts messages and keeps nothing."""

    sent = 0

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        self.fail_silently = fail_silently

    def open(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def __enter__(self) -> CountingBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def send_messages(self, messages: Sequence[Any]) -> int:
        for message in messages:
            message.message()  # build the MIME message as an SMTP backend would
        CountingBackend.sent += len(messages)
        return len(messages)


@contextmanager
def throwaway_database(server_url: str, name: str, keep: bool) -> Iterator[str]:
    import psycopg

    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_rows(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into ``model``'s table: the named fields, the other fields' defaults (ids
    are given explicitly; the identity sequence is moved past them)."""
    from django.db import connection
    from psycopg.types.json import Jsonb

    fields = [f for f in model._meta.concrete_fields]
    given = {model._meta.get_field(c).column: i for i, c in enumerate(columns)}
    constant: dict[str, Any] = {}
    for field in fields:
        if field.column in given or field.primary_key:
            continue
        value = field.get_default()
        if value is None and not field.null and getattr(field, "auto_now", False) is False \
                and not getattr(field, "auto_now_add", False):
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
        if isinstance(value, list | dict):
            constant[field.column] = Jsonb(value)
        else:
            constant[field.column] = field.get_db_prep_save(value, connection)
    names = [f.column for f in fields if f.column in given or f.column in constant]
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        table = model._meta.db_table
        with raw.copy(f'COPY "{table}" ({", ".join(names)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[given[n]] if n in given else constant[n] for n in names])
                count += 1
        if model._meta.pk.column in given:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', "
                           f"'{model._meta.pk.column}'), (SELECT max(id) FROM \"{table}\"))")
    return count


def load(n: int, now: datetime) -> dict[str, int]:
    """The names, their people and their history (see the module's docstring)."""
    from django.contrib.auth.models import User
    from psycopg.types.json import Jsonb

    from bureau.notices import conf
    from bureau.notices.models import (
        ContactProfile,
        Notice,
        NoticeKind,
        NoticeStatus,
        Parking,
        RenewalChoice,
        Term,
    )
    from bureau.notices.reminders import reminder_key
    from bureau.registrar.accounts.models import Membership, Organisation, Role
    from bureau.registrar.contacts.models import Contact
    from bureau.registrar.domains.models import Domain, DomainState
    from bureau.registrar.registries.models import Registry, Tld

    registry = Registry.objects.create(name="Bench", slug="bench", host="127.0.0.1",
                                       client_id="bench", password="x")
    tlds = [Tld.objects.create(registry=registry, name=name, create_price=1200,
                               renew_price=1200, transfer_price=1200, restore_price=4000)
            for name in TLDS]
    orgs = max(n // NAMES_PER_ORG, 1)
    counts: dict[str, int] = {}
    counts["organisations"] = copy_rows(
        Organisation, ["id", "name", "slug", "created_at"],
        ((i, f"Organisation {i}", f"org-{i}", now) for i in range(1, orgs + 1)))
    # Users: 2i-1 owns organisation i, 2i is its billing person (every other organisation).
    counts["users"] = copy_rows(
        User, ["id", "username", "email", "password", "date_joined"],
        ((u, f"user{u}", f"user{u}@people.test", "!", now) for u in range(1, 2 * orgs + 1)
         if u % 2 or (u // 2) % 2 == 0))
    counts["memberships"] = copy_rows(
        Membership, ["user", "organisation", "role", "joined_at"],
        ((u, (u + 1) // 2, Role.OWNER if u % 2 else Role.BILLING, now)
         for u in range(1, 2 * orgs + 1) if u % 2 or (u // 2) % 2 == 0))
    counts["contacts"] = copy_rows(
        Contact, ["id", "organisation", "name", "email", "phone", "street", "city", "country",
                  "created_at", "updated_at"],
        ((i, i, f"Holder {i}", f"holder{i}@mail.test", "+33.123456789", "1 rue de la Paix",
          "Paris", "FR", now - timedelta(days=400), now) for i in range(1, orgs + 1)))
    counts["profiles"] = copy_rows(
        ContactProfile, ["contact", "language", "verified_email", "verified_at",
                         "verification_sent_at", "confirmed_at"],
        ((i, "fr" if i % 2 else "en", f"holder{i}@mail.test", now - timedelta(days=400),
          now - timedelta(days=400), now - timedelta(days=1 + i % 360))
         for i in range(1, orgs + 1)))
    counts["choices"] = copy_rows(
        RenewalChoice, ["organisation", "auto_renew", "chosen_at"],
        ((i, False, now - timedelta(days=100)) for i in range(1, orgs + 1, 4)))

    # Expiry dates evenly spread over [now - 29 days, now + 365 days], shuffled over the ids
    # (a multiplicative step coprime with n), at a minute of the day that varies.
    span = timedelta(days=394)
    start = now - timedelta(days=29)
    step = 7919 if n % 7919 else 7907

    def expiry(i: int) -> datetime:
        return start + span * (((i * step) % n) / n)

    tld_ids = [t.pk for t in tlds]
    counts["domains"] = copy_rows(
        Domain, ["id", "name", "tld", "organisation", "registrant", "billing_contact", "state",
                 "nameservers", "registered_at", "expires_at", "updated_at"],
        ((i, f"name-{i}.{TLDS[i % len(TLDS)]}", tld_ids[i % len(TLDS)],
          (i - 1) // NAMES_PER_ORG + 1 if i <= orgs * NAMES_PER_ORG else orgs,
          (i - 1) // NAMES_PER_ORG + 1 if i <= orgs * NAMES_PER_ORG else orgs,
          None, DomainState.ACTIVE, Jsonb(["ns1.host.test", "ns2.host.test"]),
          expiry(i) - timedelta(days=365), expiry(i), now) for i in range(1, n + 1)))
    counts["terms"] = copy_rows(
        Term, ["domain", "paid_until", "seen_expiry", "checked_at"],
        ((i, expiry(i), expiry(i), now - timedelta(days=1)) for i in range(1, n + 1)))
    counts["parkings"] = copy_rows(
        Parking, ["domain", "method", "saved_nameservers", "parked_at"],
        ((i, "nameservers", Jsonb(["ns1.host.test", "ns2.host.test"]), expiry(i))
         for i in range(1, n + 1) if expiry(i) <= now))

    steps = conf.reminder_days()
    yesterday = now - timedelta(days=1)

    def history() -> Iterator[tuple[Any, ...]]:
        for i in range(1, n + 1):
            paid = expiry(i)
            org = (i - 1) // NAMES_PER_ORG + 1 if i <= orgs * NAMES_PER_ORG else orgs
            for s in steps:
                when = paid - timedelta(days=s)
                if when <= yesterday:
                    yield (reminder_key(i, paid, s), NoticeKind.REMINDER, i, org, s, when,
                           when, "fr" if org % 2 else "en", "Renewal reminder",
                           Jsonb([f"holder{org}@mail.test"]), NoticeStatus.SENT)

    counts["notices"] = copy_rows(
        Notice, ["key", "kind", "domain", "contact", "step", "created_at", "sent_at",
                 "language", "subject", "recipients", "status"], history())
    return counts


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def reset_peak_memory() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


QUERIES = [0]  # every query of the process while a run is timed
STAGES: dict[str, list[float]] = {}  # stage of the job: [seconds, queries] of the last run


def timed(func: Callable[[], Any]) -> tuple[float, int, Any]:
    """Seconds and queries of one call, counting (not storing) every query."""
    from django.db import connection

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        QUERIES[0] += 1
        return execute(sql, params, many, context)

    STAGES.clear()
    before = QUERIES[0]
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = func()
        seconds = time.perf_counter() - started
    return seconds, QUERIES[0] - before, result


def instrument_stages() -> None:
    """Time each step of ``run_all`` (the job itself is unchanged: its steps are wrapped
    where it looks them up)."""
    from bureau.notices import contacts, jobs

    def wrap(module: Any, name: str) -> None:
        func = getattr(module, name)

        def stage(*args: Any, **kwargs: Any) -> Any:
            queries, started = QUERIES[0], time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                STAGES[name] = [round(time.perf_counter() - started, 2), QUERIES[0] - queries]

        setattr(module, name, stage)

    for name in ("run_auto_renewals", "send_reminders", "run_parking", "run_releases"):
        wrap(jobs, name)
    for name in ("flag_unverified", "send_yearly_checks"):
        wrap(contacts, name)


def run(n: int, url: str) -> dict[str, Any]:
    # Django imports the backend by dotted path: give it one (also under cProfile or runpy).
    mail = types.ModuleType("bench_reminders_mail")
    mail.CountingBackend = CountingBackend  # type: ignore[attr-defined]
    sys.modules[mail.__name__] = mail
    os.environ.update({"DJANGO_SETTINGS_MODULE": "bureau.settings", "DATABASE_URL": url,
                       # Production settings: DEBUG off (no query log; cached templates).
                       "BUREAU_DEBUG": "0", "BUREAU_DEMO": "1",
                       "BUREAU_EMAIL_BACKEND": f"{mail.__name__}.CountingBackend",
                       "BUREAU_LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from bureau.core import clock
    from bureau.notices.jobs import run_all
    from bureau.notices.models import Notice

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    counts = load(n, now)
    analyse()
    load_s = time.perf_counter() - started
    print(f"migrate {migrate_s:.1f} s; loaded in {load_s:.1f} s (COPY + VACUUM ANALYZE): "
          + ", ".join(f"{v:,} {k}" for k, v in counts.items()), flush=True)
    from bureau.notices.reminders import candidates

    window = candidates(now).count()
    print(f"{window:,} names in the reminder window", flush=True)
    peak_reset = reset_peak_memory()
    instrument_stages()

    with clock.use(lambda: now):
        first_s, first_q, first = timed(run_all)
        sent_mail = CountingBackend.sent
        first_stages = dict(STAGES)
        print(f"first run: {first_s:.2f} s, {first_q:,} queries, {sent_mail:,} messages, "
              f"{first}", flush=True)
        second_s, second_q, second = timed(run_all)
        second_stages = dict(STAGES)
        print(f"stages [seconds, queries]: first {first_stages}, second {second_stages}",
              flush=True)
        print(f"second run: {second_s:.2f} s, {second_q:,} queries, "
              f"{CountingBackend.sent - sent_mail:,} messages, {second}", flush=True)
    assert second["reminders"] == 0 and CountingBackend.sent == sent_mail, "sent twice"
    reminders = Notice.objects.filter(kind="reminder", created_at=now).count()
    result: dict[str, Any] = {
        "seconds_1m": round(first_s * FULL / n, 2),
        "queries": first_q,
        "domains": n,
        "in_window": window,
        "sent": first["reminders"],
        "messages": sent_mail,
        "reminder_rows_today": reminders,
        "first_run_seconds": round(first_s, 2),
        "second_run_seconds": round(second_s, 2),
        "second_run_seconds_1m": round(second_s * FULL / n, 2),
        "second_run_queries": second_q,
        "reminder_pass_seconds": first_stages["send_reminders"][0],
        "second_reminder_pass_seconds": second_stages["send_reminders"][0],
        "stages_first": first_stages,
        "stages_second": second_stages,
        "peak_mb": round(peak_mb(), 1),
        "peak_mb_covers": "the two runs" if peak_reset else "the whole process",
        "load_seconds": round(load_s, 1),
        "target_seconds": 60,
        "cpus": os.cpu_count(),
        "load_avg": round(os.getloadavg()[0], 2),
    }
    if n != FULL:
        result["extrapolated_from"] = n
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} names, extrapolated")
    parser.add_argument("--domains", type=int, help=f"names to load (default {FULL:,})")
    parser.add_argument("--server-url", default=os.environ.get(
        "BENCH_DATABASE_URL", DEFAULT_SERVER_URL), help="a PostgreSQL database to connect to "
                        "for creating and dropping the throwaway one")
    # One name per run: two runs at once must not drop each other's database.
    parser.add_argument("--database", default=f"{DATABASE}_{os.getpid()}")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    n = args.domains or (QUICK if args.quick else FULL)
    with throwaway_database(args.server_url, args.database, args.keep) as url:
        result = run(n, url)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
