"""Escrow benchmark: a full deposit of N generated domains, its time and peak memory, against
the shell pipeline ``gzip -6 -c | gpg -z 0 --encrypt --sign`` on the same CSV, and peak memory
for a 10x larger deposit (must stay flat, under 200 MB).

    .venv/bin/python bench/escrow.py           # 1,000,000 and 10,000,000 domains
    .venv/bin/python bench/escrow.py --quick   # 100,000 and 300,000 (under a minute)

Like with like: both sides compress with deflate level 6 (gzip -6; the deposit's default), and
gpg is told not to compress again (``-z 0``) because Sequoia does not compress before
encrypting; the same gpg-made keys, AES-256 both sides. The deposit's time includes what the
shell's does not: starting Python, generating the rows and turning them into CSV. Deposit and
shell runs alternate (the machine may be busy): the ratio is the median of the rounds' ratios.

Peak memory is the sum of the resident sizes of the deposit process and its encryptor child,
sampled every 50 ms (``ru_maxrss`` would only give the larger of the two).

The last line printed is one JSON object; its keys say what they measure, whatever the size
(``deposit_*`` for the deposit compared with the shell, ``large_deposit_*`` for the 10x one;
``counts`` gives the numbers of domains).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import secrets
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its children
    peak_mb: float  # sampled sum of the process tree's RSS
    stdout: str


def _tree_rss_kb(pid: int) -> int:
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")),
                              0)
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return total


def measured(cmd: list[str] | str, env: dict[str, str]) -> Run:
    """Run ``cmd`` (a list, or a shell command line) and measure it (see the module doc)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, shell=isinstance(cmd, str), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.05):
            peak = max(peak, _tree_rss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd!r} failed with exit code {proc.returncode}")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak / 1024, out)


def gpg(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--yes", *args],
                          capture_output=True, check=True)


def make_keys(d: Path) -> dict[str, Path]:
    """Both keys made with gpg, so that gpg and Sequoia use the very same keys."""
    home = d / "gnupg"
    home.mkdir(mode=0o700)
    keys: dict[str, Path] = {"home": home}
    for who in ("agent", "registrar"):
        uid = f"{who} <{who}@bench.example>"
        gpg(home, "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
        fpr = next(line.split(":")[9] for line in
                   gpg(home, "--with-colons", "--list-keys", uid).stdout.decode().splitlines()
                   if line.startswith("fpr"))
        gpg(home, "--passphrase", "", "--quick-add-key", fpr, "cv25519", "encr", "never")
        (d / f"{who}.pub").write_bytes(gpg(home, "--armor", "--export", fpr).stdout)
        (d / f"{who}.sec").write_bytes(gpg(home, "--armor", "--pinentry-mode", "loopback",
                                           "--passphrase", "", "--export-secret-keys",
                                           fpr).stdout)
        keys[who] = d / f"{who}.pub"
        keys[who + "_sec"] = d / f"{who}.sec"
        keys[who + "_fpr"] = Path(fpr)
    return keys


def write_csv(path: Path, count: int) -> None:
    """The very CSV the deposit compresses (same rows, profile and IANA ID)."""
    from bureau.escrow.csvwriter import RecordEncoder, compile_record
    from bureau.escrow.generate import generate_rows
    from bureau.escrow.profiles import EDITION_2007

    record = compile_record(EDITION_2007, "9999")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(RecordEncoder().record(EDITION_2007.header))
        for row in generate_rows(count):
            f.write(record(row))


def deposit_cmd(count: int, out: Path, keys: dict[str, Path]) -> list[str]:
    return [sys.executable, "-m", "bureau.escrow", "generate", "--count", str(count),
            "--out", str(out), "--agent-cert", str(keys["agent"]),
            "--registrar-key", str(keys["registrar_sec"])]


def deposit_csv_bytes(stdout: str) -> int:
    # generate prints "<file>  <n> records  <n> lines  <n> CSV bytes  <n> bytes" per file
    return sum(int(line.split()[-5]) for line in stdout.splitlines() if " CSV bytes " in line)


DB_URL = "postgres://postgres@127.0.0.1:5432/bureau_bench_escrow"
_CONTACT_COLS = "name, org, street, city, state, postal_code, country, email, phone, fax"


def db_bench(count: int, d: Path, keys: dict[str, Path], rounds: int) -> dict[str, object]:
    """The operator's path: ``bureau escrow deposit --full`` from a PostgreSQL database of
    ``count`` names with their contacts, against ``psql COPY (the same rows) | gzip | gpg`` in
    the same run (alternating, median of the ratios)."""
    import psycopg

    url = os.environ.get("ESCROW_BENCH_DATABASE_URL", DB_URL)
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    # production settings want their keys given: throwaway ones for the bench database, the
    # field key the same at each run (rows it encrypted, the registry's password, are read
    # again when the database is made anew at another size)
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=url,
               DJANGO_SETTINGS_MODULE="bureau.settings",
               BUREAU_SECRET_KEY=secrets.token_urlsafe(50),
               BUREAU_FIELD_KEY=base64.urlsafe_b64encode(b"bureau escrow bench field key 32")
               .decode())
    t = time.perf_counter()
    subprocess.run([sys.executable, "-P", str(ROOT / "bench" / "escrow_db_setup.py"),
                    str(count)], env=env, check=True, capture_output=True)
    print(f"database of {count:,} names ready in {time.perf_counter() - t:.1f} s", flush=True)
    env.update(BUREAU_ESCROW_IANA_ID="9999", BUREAU_ESCROW_GTLDS="bench",
               BUREAU_ESCROW_DIR=str(d / "db-deposits"),
               BUREAU_ESCROW_AGENT_CERT=str(keys["agent"]),
               BUREAU_ESCROW_SIGNING_KEY=str(keys["registrar_sec"]))
    roles = ("registrant", "admin_contact", "tech_contact", "billing_contact")
    select = ", ".join(["d.name", "d.nameservers::text", "(d.expires_at AT TIME ZONE 'UTC')::date"]
                       + [f"c{i}.{col.strip()}" for i in range(4)
                          for col in _CONTACT_COLS.split(",")])
    joins = " ".join(f"JOIN contacts_contact c{i} ON c{i}.id = d.{r}_id"
                     for i, r in enumerate(roles))
    query = (f"COPY (SELECT {select} FROM domains_domain d {joins} WHERE d.state = 'active' "
             ") TO STDOUT WITH (FORMAT csv)")
    shell = (f"psql -q {shlex.quote(url)} -c {shlex.quote(query)} | gzip -6 | gpg --homedir "
             f"{keys['home']} --batch --yes --trust-model always -z 0 --encrypt --sign "
             f"-r {keys['agent_fpr']} -u {keys['registrar_fpr']} > {d / 'db-shell.gpg'}")
    bureau = str(Path(sys.executable).with_name("bureau"))
    deposits: list[Run] = []
    shells: list[Run] = []
    for r in range(rounds):
        day = (dt.date(2030, 1, 1) + dt.timedelta(days=r)).isoformat()
        for which in (("deposit", "shell") if r % 2 == 0 else ("shell", "deposit")):
            if which == "deposit":
                deposits.append(measured([bureau, "escrow", "deposit", "--full", "--date", day],
                                         env))
            else:
                shells.append(measured(shell, env))
        dep, sh = deposits[-1], shells[-1]
        print(f"db round {r + 1}: bureau escrow deposit --full of {count:,} names "
              f"{dep.wall:.2f} s ({dep.cpu:.2f} s CPU, peak {dep.peak_mb:.0f} MB); psql COPY | "
              f"gzip | gpg {sh.wall:.2f} s ({sh.cpu:.2f} s CPU); ratio "
              f"{dep.wall / sh.wall:.2f}; load {os.getloadavg()[0]:.1f}", flush=True)
    ratios = [dp.wall / sh.wall for dp, sh in zip(deposits, shells, strict=True)]
    return {
        "db_deposit_seconds": round(statistics.median(dp.wall for dp in deposits), 2),
        "db_shell_seconds": round(statistics.median(sh.wall for sh in shells), 2),
        "db_deposit_ratio_to_shell": round(statistics.median(ratios), 2),
        "db_deposit_ratio_range": [round(min(ratios), 2), round(max(ratios), 2)],
        "db_deposit_cpu_seconds": round(statistics.median(dp.cpu for dp in deposits), 2),
        "db_deposit_peak_mb": round(max(dp.peak_mb for dp in deposits), 1),
        "db_names": count,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--db-only", action="store_true",
                    help="only the operator's path from PostgreSQL")
    ap.add_argument("--rounds", type=int, default=3, help="deposit/shell rounds of each part "
                    "(default 3; --quick: at most 2 from the database, and the synthetic part "
                    "stops after 2 if 25 s have gone)")
    a = ap.parse_args()
    small, large = (100_000, 300_000) if a.quick else (1_000_000, 10_000_000)
    rounds = a.rounds
    if shutil.which("gpg") is None:
        print("gpg is needed for the shell comparison", file=sys.stderr)
        return 1
    began = time.perf_counter()
    load_start = os.getloadavg()
    cpus = os.cpu_count() or 1
    print(f"{cpus} CPUs, load average {load_start[0]:.1f} {load_start[1]:.1f} "
          f"{load_start[2]:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="escrow-bench-") as tmp:
        d = Path(tmp)
        keys = make_keys(d)
        db = db_bench(100_000 if a.quick else 1_000_000, d, keys,
                      min(rounds, 2) if a.quick else rounds)
        if a.db_only:
            print(json.dumps({**db, "load_average": [round(load_start[0], 1),
                                                     round(os.getloadavg()[0], 1)]}))
            return 0
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        csv = d / "same.csv"
        write_csv(csv, small)
        shell = (f"gzip -6 -c {csv} | gpg --homedir {keys['home']} --batch --yes "
                 f"--trust-model always -z 0 --encrypt --sign -r {keys['agent_fpr']} "
                 f"-u {keys['registrar_fpr']} > {d / 'shell.gpg'}")
        gen = measured([sys.executable, "-c", "import sys; from bureau.escrow.generate import "
                        "generate_rows; sum(1 for _ in generate_rows(int(sys.argv[1])))",
                        str(small)], env)
        # what a deposit costs whatever its size: interpreter, imports, keys, encryptor child
        fixed = measured(deposit_cmd(1, d / "out0", keys), env)
        deposits: list[Run] = []
        shells: list[Run] = []
        for r in range(rounds):
            if a.quick and r >= 2 and time.perf_counter() - began > 25:
                print(f"(quick: {r} rounds, the machine is slow)")
                break  # keep --quick under a minute on a busy machine
            out = d / "out1"
            order = ("deposit", "shell") if r % 2 == 0 else ("shell", "deposit")
            for which in order:
                if which == "deposit":
                    shutil.rmtree(out, ignore_errors=True)
                    deposits.append(measured(deposit_cmd(small, out, keys), env))
                else:
                    shells.append(measured(shell, env))
            dep, sh = deposits[-1], shells[-1]
            print(f"round {r + 1}: deposit of {small:,} domains {dep.wall:.2f} s "
                  f"({dep.cpu:.2f} s CPU, peak {dep.peak_mb:.0f} MB); shell {sh.wall:.2f} s "
                  f"({sh.cpu:.2f} s CPU); ratio {dep.wall / sh.wall:.2f} "
                  f"(CPU {dep.cpu / sh.cpu:.2f}); load {os.getloadavg()[0]:.1f}", flush=True)
        csv_size = csv.stat().st_size
        if deposit_csv_bytes(deposits[-1].stdout) != csv_size:
            raise SystemExit("the shell's CSV is not the deposit's CSV: "
                             f"{csv_size} != {deposit_csv_bytes(deposits[-1].stdout)} bytes")
        dep_size = sum(p.stat().st_size for p in (d / "out1").glob("*.gpg"))
        shell_size = (d / "shell.gpg").stat().st_size
        ratios = [dp.wall / sh.wall for dp, sh in zip(deposits, shells, strict=True)]
        cpu_ratios = [dp.cpu / sh.cpu for dp, sh in zip(deposits, shells, strict=True)]
        secs = statistics.median(dp.wall for dp in deposits)
        peak1 = max(dp.peak_mb for dp in deposits)
        print(f"same CSV, {csv_size / 1e6:.0f} MB: deposit {dep_size / 1e6:.1f} MB encrypted, "
              f"shell {shell_size / 1e6:.1f} MB; generating the rows alone took "
              f"{gen.wall:.2f} s ({gen.cpu:.2f} s CPU); a deposit of one domain "
              f"{fixed.wall:.2f} s ({fixed.cpu:.2f} s CPU)")
        print(f"ratio to the shell (median of {len(ratios)}): {statistics.median(ratios):.2f} "
              f"(range {min(ratios):.2f}-{max(ratios):.2f}); CPU time ratio "
              f"{statistics.median(cpu_ratios):.2f}")
        shutil.rmtree(d / "out1")
        csv.unlink()

        big = measured(deposit_cmd(large, d / "out2", keys), env)
        print(f"full deposit of {large:,} domains: {big.wall:.1f} s ({big.cpu:.1f} s CPU), "
              f"peak {big.peak_mb:.0f} MB")
        load_end = os.getloadavg()
        result = {
            "deposit_seconds": round(secs, 2),
            "ratio_to_shell": round(statistics.median(ratios), 2),
            "ratio_range": [round(min(ratios), 2), round(max(ratios), 2)],
            "cpu_ratio_to_shell": round(statistics.median(cpu_ratios), 2),
            "shell_seconds": round(statistics.median(sh.wall for sh in shells), 2),
            "deposit_peak_mb": round(peak1, 1),
            "large_deposit_peak_mb": round(big.peak_mb, 1),
            "large_deposit_seconds": round(big.wall, 1),
            "counts": {"deposit": small, "large_deposit": large},
            "rounds": len(ratios),
            "quick": a.quick,
            "rows_per_second": round(small / secs),
            "generate_rows_seconds": round(gen.wall, 2),
            "one_domain_seconds": round(fixed.wall, 2),
            **db,
            "cpus": cpus,
            "load_average": [round(load_start[0], 1), round(load_end[0], 1)],
            "bench_seconds": round(time.perf_counter() - began, 1),
        }
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
