"""Escrow benchmark: a full deposit of N generated domains, its time and peak memory, against
the shell pipeline ``gzip -c | gpg --encrypt --sign`` on the same CSV, and peak memory for a
10x larger deposit (must stay flat, under 200 MB).

    .venv/bin/python bench/escrow.py           # 1,000,000 and 10,000,000 domains
    .venv/bin/python bench/escrow.py --quick   # 100,000 and 300,000 (under a minute)

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measured(cmd: list[str], **kw: object) -> tuple[float, float, float]:
    """Run ``cmd`` in a fresh child that reports its children's peak RSS and CPU time:
    (wall seconds, peak MB, CPU seconds). CPU time is the steadier figure on a busy machine."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "subprocess.run(json.loads(sys.argv[1]), check=True, shell=isinstance("
        "json.loads(sys.argv[1]), str))\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(time.perf_counter() - t, r.ru_maxrss, r.ru_utime + r.ru_stime)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, json.dumps(cmd)], check=True,
                         capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    secs, kb, cpu = out.stdout.split()[-3:]
    return float(secs), int(kb) / 1024, float(cpu)


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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    small, large = (100_000, 300_000) if a.quick else (1_000_000, 10_000_000)
    if shutil.which("gpg") is None:
        print("gpg is needed for the shell comparison", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="escrow-bench-") as tmp:
        d = Path(tmp)
        keys = make_keys(d)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        out1 = d / "out1"
        secs, peak1, cpu1 = measured(deposit_cmd(small, out1, keys), env=env)
        print(f"full deposit of {small:,} domains: {secs:.1f} s ({cpu1:.1f} s CPU), "
              f"peak {peak1:.0f} MB")

        csv = d / "same.csv"
        write_csv(csv, small)
        shell = (f"gzip -c {csv} | gpg --homedir {keys['home']} --batch --yes --trust-model "
                 f"always --encrypt --sign -r {keys['agent_fpr']} -u {keys['registrar_fpr']} "
                 f"> {d / 'shell.gpg'}")
        shell_secs, _, shell_cpu = measured(shell, env=env)  # type: ignore[arg-type]
        ratio = secs / shell_secs
        print(f"shell gzip -c | gpg --encrypt --sign on the same CSV "
              f"({csv.stat().st_size / 1e6:.0f} MB): {shell_secs:.1f} s ({shell_cpu:.1f} s CPU); "
              f"ratio {ratio:.2f} (CPU {cpu1 / shell_cpu:.2f})")
        shutil.rmtree(out1)
        csv.unlink()

        out2 = d / "out2"
        secs2, peak2, _ = measured(deposit_cmd(large, out2, keys), env=env)
        print(f"full deposit of {large:,} domains: {secs2:.1f} s, peak {peak2:.0f} MB")
        result = {
            "seconds_1m": round(secs, 2),
            "ratio_to_shell": round(ratio, 2),
            "cpu_ratio_to_shell": round(cpu1 / shell_cpu, 2),
            "peak_mb_1m": round(peak1, 1),
            "peak_mb_10m": round(peak2, 1),
            "counts": {"1m": small, "10m": large},
            "quick": a.quick,
            "rows_per_second": round(small / secs),
            "load_average": round(os.getloadavg()[0], 1),
        }
        print(json.dumps(result))

    return 0


if __name__ == "__main__":
    sys.exit(main())
