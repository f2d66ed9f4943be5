"""Payments benchmark: a camt.053 statement imported into the ledger (lines per second,
target >= 20,000/s), the import's peak memory on statements of two sizes (target flat,
< 200 MB at 1,000,000 lines), the parser alone, and a pain.008 file of direct-debit
collections.

    .venv/bin/python bench/payments.py           # 100,000-line import (rate), 1,000,000-line
                                                 # import (memory), 100,000 collections
    .venv/bin/python bench/payments.py --quick   # 100,000-line import (rate), 300,000-line
                                                 # import (memory), 100,000 collections

The statement credits 1,000 organisations by their payment reference (every line a real
top-up: a ledger journal, two entries, its voucher invoice), into a throwaway PostgreSQL
database (``--server-url``, default the local server). Peak memory is a child process's
resident high-water mark (``VmHWM``): the import's own, Django loaded
(``import_peak_mb_<n>_lines``; ``import_peak_mb_before`` is the same process before the
import began), and the PostgreSQL server process that did the import's work
(``database_peak_mb_<n>_lines``: its private memory, sampled, when the server runs on
this machine). The parser alone is
measured apart (``parse_lines_per_second``, ``parse_peak_mb_<n>_lines``) to show where the
time goes; ``import_parse_time_ratio`` is the import's time over the parser's on the same
statement in the same run (less sensitive to the machine's load than either).

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This folder holds dns.py, which would shadow dnspython: import from the repository instead.
sys.path[0] = str(ROOT)

from bureau.banking import pain008, reference  # noqa: E402
from bureau.banking.testing import Movement, camt053_chunks  # noqa: E402

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
ORGANISATIONS = 1000


def write_statement(path: Path, lines: int) -> None:
    movements = (Movement(f"B{i:09d}", 1000 + i % 5000, name=f"Member {i % ORGANISATIONS}",
                          reference=reference.make(reference.BALANCE, 1 + i % ORGANISATIONS))
                 for i in range(lines))
    with path.open("w", encoding="utf-8") as out:
        for chunk in camt053_chunks(movements, statement_id=f"BENCH-{lines}"):
            out.write(chunk)


def parse_peak(path: Path) -> dict[str, float]:
    """Parse ``path`` in a child process: (lines, seconds, peak MB)."""
    code = ("import sys,time;sys.path.insert(0,sys.argv[2]);from bureau.banking import camt;"
            "t=time.perf_counter();n=sum(1 for _ in camt.parse(sys.argv[1]));"
            "s=time.perf_counter()-t;"
            "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0];"
            "print(n,s,int(hwm.split()[1])/1024)")
    out = subprocess.run([sys.executable, "-c", code, str(path), str(ROOT)], capture_output=True,
                         text=True, check=True).stdout.split()
    return {"lines": int(out[0]), "seconds": float(out[1]), "peak_mb": float(out[2])}


@contextmanager
def throwaway_database(server_url: str, name: str) -> Iterator[str]:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def import_rate(path: Path, url: str) -> dict[str, Any]:
    """Import ``path`` in a child process (its peak memory is the import's alone)."""
    with tempfile.TemporaryDirectory(prefix="bureau-bench-payments-state-") as state:
        out = subprocess.run([sys.executable, __file__, "--import-child", str(path),
                              "--server-url", url, "--state-dir", state],
                             capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"the import failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.splitlines()[-1]))


def import_child(path: Path, url: str, state: str) -> dict[str, Any]:
    os.environ.update({"DJANGO_SETTINGS_MODULE": "bureau.settings", "DATABASE_URL": url,
                       "BUREAU_DEBUG": "0", "BUREAU_LOG_LEVEL": "WARNING", "BUREAU_DEMO": "1",
                       "BUREAU_STATE_DIR": state,
                       "BUREAU_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bureau.payments.management.commands.payments import CommandLine
    from bureau.payments.operations import statements
    from bureau.registrar.accounts.models import Organisation
    from bureau.registrar.billing import ledger

    call_command("migrate", verbosity=0)
    Organisation.objects.bulk_create(
        Organisation(pk=i, name=f"Member {i}", slug=f"member-{i}")
        for i in range(1, ORGANISATIONS + 1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    before = peak_mb()
    # The server process's own memory (its VmHWM counts the shared buffers it touched too).
    database = Sampler(backend)
    database.start()
    started = time.perf_counter()
    with path.open("rb") as source:
        report = statements.import_statement(source, filename=path.name, by=CommandLine())
    seconds = time.perf_counter() - started
    peak = peak_mb()
    database.stop.set()
    database.join()
    assert ledger.verify_balances() == [], "the ledger does not balance"
    return {"lines": report.statement.lines, "credited": report.credited,
            "seconds": round(seconds, 2), "peak_mb": round(peak, 1),
            "peak_mb_before": round(before, 1),
            "database_peak_mb": None if database.peak is None else round(database.peak, 1)}


def peak_mb(pid: int | str = "self") -> float | None:
    """A process's resident memory high-water mark (VmHWM); None if it cannot be read (the
    database server on another machine)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None
    return int(line.split()[1]) / 1024


class Sampler(threading.Thread):
    """The private resident memory (RssAnon) of a process, sampled every 0.1 s: its peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.stop = pid, threading.Event()
        self.peak: float | None = None

    def run(self) -> None:
        while not self.stop.wait(0.1):
            try:
                with open(f"/proc/{self.pid}/status") as status:
                    line = next(line for line in status if line.startswith("RssAnon:"))
            except (OSError, StopIteration):
                return  # not on this machine
            self.peak = max(self.peak or 0.0, int(line.split()[1]) / 1024)


def pain008_rate(n: int) -> dict[str, Any]:
    creditor = pain008.Creditor("Bureau SCIC", "FR7630006000011234567890189", "AGRIFRPPXXX",
                                "FR72ZZZ123456")
    due = date(2026, 12, 21)
    collections = (pain008.Collection(
        end_to_end=f"BUREAU-DD-{i:09d}", amount=1200 + i % 100, name=f"Member {i}",
        iban="DE89370400440532013000", bic="COBADEFFXXX", mandate=f"BUREAU-M{i:08d}",
        signed_on=date(2026, 1, 1), sequence="RCUR" if i % 3 else "FRST",
        due=due + timedelta(days=i % 5), text="Renouvellement") for i in range(n))
    started = time.perf_counter()
    xml = pain008.write(creditor, collections)
    seconds = time.perf_counter() - started
    return {"collections": n, "seconds": round(seconds, 2), "megabytes": round(len(xml) / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="memory on a 300,000-line import instead of 1,000,000")
    parser.add_argument("--lines", type=int, default=100_000,
                        help="lines of the statement whose import rate is measured")
    parser.add_argument("--server-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                               DEFAULT_SERVER_URL))
    parser.add_argument("--import-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--state-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_child:
        print(json.dumps(import_child(args.import_child, args.server_url, args.state_dir)))
        return
    big = 300_000 if args.quick else 1_000_000
    imports: dict[int, dict[str, Any]] = {}
    parses: dict[int, dict[str, float]] = {}
    for lines in (args.lines, big):
        with tempfile.TemporaryDirectory(prefix="bureau-bench-payments-") as tmp:
            path = Path(tmp) / "statement.xml"
            write_statement(path, lines)
            parses[lines] = parse_peak(path)
            print(f"parse: {lines:,} lines in {parses[lines]['seconds']:.1f} s, peak "
                  f"{parses[lines]['peak_mb']:.0f} MB", flush=True)
            with throwaway_database(args.server_url,
                                    f"bureau_bench_payments_{os.getpid()}") as url:
                imports[lines] = import_rate(path, url)
        print(f"import: {imports[lines]} (load {os.getloadavg()[0]:.2f})", flush=True)
    dd = pain008_rate(100_000)
    print(f"pain.008: {dd}", flush=True)
    rated = imports[args.lines]
    result: dict[str, Any] = {
        "import_lines": rated["lines"],
        "import_lines_per_second": round(rated["lines"] / rated["seconds"]),
        "import_target_per_second": 20_000,
        "import_seconds": rated["seconds"],
        f"import_lines_per_second_{big}_lines": round(imports[big]["lines"]
                                                       / imports[big]["seconds"]),
        "import_peak_mb_before": rated["peak_mb_before"],
    }
    for lines, imported in imports.items():
        result[f"import_peak_mb_{lines}_lines"] = imported["peak_mb"]
    for lines, imported in imports.items():
        result[f"database_peak_mb_{lines}_lines"] = imported["database_peak_mb"]
    result["import_peak_target_mb"] = 200
    result["parse_lines_per_second"] = round(parses[big]["lines"] / parses[big]["seconds"])
    # The same statement parsed alone in this run: the share of the import's time that is
    # not reading the file, whatever the machine's load.
    result["import_parse_time_ratio"] = round(
        rated["seconds"] / parses[args.lines]["seconds"], 1)
    for lines, parsed in parses.items():
        result[f"parse_peak_mb_{lines}_lines"] = round(parsed["peak_mb"], 1)
    result.update({
        "pain008_collections": dd["collections"],
        "pain008_seconds": dd["seconds"],
        "pain008_per_second": round(dd["collections"] / dd["seconds"]),
        "cpus": os.cpu_count(),
        "load_avg": round(os.getloadavg()[0], 2),
    })
    print(json.dumps(result))


if __name__ == "__main__":
    main()
