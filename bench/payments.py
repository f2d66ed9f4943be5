"""Payments benchmark: a camt.053 statement imported into the ledger (lines per second,
target >= 20,000/s), the parser's peak memory on a statement ten times larger (target flat,
< 200 MB at 1,000,000 lines), and a pain.008 file of direct-debit collections.

    .venv/bin/python bench/payments.py           # 100,000-line import, 1,000,000-line parse,
                                                 # 100,000 collections
    .venv/bin/python bench/payments.py --quick   # the same rates on 20,000 lines (parse
                                                 # memory also at 100,000), 20,000 collections

The statement credits 1,000 organisations by their payment reference (every line a real
top-up: a ledger journal, two entries, its voucher invoice), into a throwaway PostgreSQL
database (``--server-url``, default the local server). Parsing alone is measured apart
(``parse_lines_per_second``) to show where the time goes. Peak memory is a child process's
resident high-water mark (``VmHWM``): the import's own (``import_peak_mb``, Django loaded),
and the parser's alone on the statement and on one ten times larger (flat: the same).

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
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

    from bureau.payments.management.commands.payments import CommandLine
    from bureau.payments.operations import statements
    from bureau.registrar.accounts.models import Organisation
    from bureau.registrar.billing import ledger

    call_command("migrate", verbosity=0)
    Organisation.objects.bulk_create(
        Organisation(pk=i, name=f"Member {i}", slug=f"member-{i}")
        for i in range(1, ORGANISATIONS + 1))
    before = peak_mb()
    started = time.perf_counter()
    with path.open("rb") as source:
        report = statements.import_statement(source, filename=path.name, by=CommandLine())
    seconds = time.perf_counter() - started
    peak = peak_mb()
    assert ledger.verify_balances() == [], "the ledger does not balance"
    return {"lines": report.statement.lines, "credited": report.credited,
            "seconds": round(seconds, 2), "peak_mb": round(peak, 1),
            "peak_mb_before": round(before, 1)}


def peak_mb() -> float:
    """This process's resident memory high-water mark (VmHWM)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


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
                        help="20,000 lines and collections; parse 100,000 lines for memory")
    parser.add_argument("--lines", type=int, help="statement lines imported")
    parser.add_argument("--server-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                               DEFAULT_SERVER_URL))
    parser.add_argument("--import-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--state-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_child:
        print(json.dumps(import_child(args.import_child, args.server_url, args.state_dir)))
        return
    big = 100_000 if args.quick else 1_000_000
    lines = args.lines or (20_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory(prefix="bureau-bench-payments-") as tmp:
        big_path, small_path = Path(tmp) / "big.xml", Path(tmp) / "statement.xml"
        write_statement(big_path, big)
        write_statement(small_path, lines)
        small = parse_peak(small_path)
        large = parse_peak(big_path)
        print(f"parse: {small['lines']:,} lines in {small['seconds']:.1f} s, "
              f"peak {small['peak_mb']:.0f} MB; {large['lines']:,} lines, peak "
              f"{large['peak_mb']:.0f} MB", flush=True)
        with throwaway_database(args.server_url, f"bureau_bench_payments_{os.getpid()}") as url:
            imported = import_rate(small_path, url)
        print(f"import: {imported}", flush=True)
    dd = pain008_rate(20_000 if args.quick else 100_000)
    print(f"pain.008: {dd}", flush=True)
    rate = imported["lines"] / imported["seconds"]
    print(json.dumps({
        "statement_lines": imported["lines"],
        "import_lines_per_second": round(rate),
        "import_target_per_second": 20_000,
        "import_seconds": imported["seconds"],
        "import_peak_mb": imported["peak_mb"],
        "parse_lines_per_second": round(large["lines"] / large["seconds"]),
        "parse_peak_mb": round(small["peak_mb"], 1),
        "parse_peak_mb_lines": large["lines"],
        "parse_peak_mb_large": round(large["peak_mb"], 1),
        "peak_target_mb": 200,
        "pain008_collections": dd["collections"],
        "pain008_seconds": dd["seconds"],
        "pain008_per_second": round(dd["collections"] / dd["seconds"]),
        "cpus": os.cpu_count(),
        "load_avg": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()
