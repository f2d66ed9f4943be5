"""``python -m bureau.escrow``: generate (demo) and verify deposits from the command line.

Keys and passphrases come from files or environment variables named on the command line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bureau.escrow.crypto import CryptoError, SigningKeys
from bureau.escrow.generate import generate_rows
from bureau.escrow.history import NameIndex
from bureau.escrow.pipeline import DepositConfig, DepositError, write_deposit
from bureau.escrow.profiles import PROFILES, get_profile


def _secret(file: str | None, env: str | None) -> str | None:
    if file:
        return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
    if env:
        value = os.environ.get(env)
        if value is None:
            raise SystemExit(f"environment variable {env} is not set")
        return value
    return None


def _progress(total: int | None) -> object:
    start = time.monotonic()

    def show(done: int) -> None:
        rate = done / max(time.monotonic() - start, 1e-6)
        of = f"/{total:,}" if total else ""
        print(f"\r{done:,}{of} rows  {rate:,.0f} rows/s", end="", file=sys.stderr, flush=True)

    return show


def cmd_generate(a: argparse.Namespace) -> int:
    keys = SigningKeys(Path(a.agent_cert), Path(a.registrar_key),
                       _secret(a.passphrase_file, a.passphrase_env))
    keys.check()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    index = NameIndex(a.index) if a.index else None
    config = DepositConfig(
        iana_id=a.iana, profile=get_profile(a.profile), keys=keys, out_dir=out, kind=a.kind,
        compression=a.compression, include_redemption=not a.skip_redemption,
        previous=index if a.kind == "inc" else None, record_to=index,
    )
    rows = generate_rows(a.count, seed=a.seed, start=a.start)
    result = write_deposit(rows, config, progress=_progress(a.count))  # type: ignore[arg-type]
    print(file=sys.stderr)
    for f in result.files:
        print(f"{f.name}  {f.records} records  {f.lines} lines  {f.csv_bytes} CSV bytes  "
              f"{f.size} bytes")
    print(result.hash_file.name)
    return 0


def cmd_verify(a: argparse.Namespace) -> int:
    # imported here: generate (the benchmark's command) need not load the verifier
    from bureau.escrow.reader import AgentKeys
    from bureau.escrow.verify import verify_deposit

    keys = AgentKeys.from_files(a.agent_key, a.registrar_cert,
                                _secret(a.agent_passphrase_file, a.agent_passphrase_env))
    previous = NameIndex(a.previous_index) if a.previous_index else None
    report = verify_deposit(Path(a.folder), get_profile(a.profile), keys, previous)
    print(report.text())
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bureau.escrow",
                                description="Registrar Data Escrow deposits (ICANN RAA 3.6)")
    sub = p.add_subparsers(dest="command", required=True)
    profiles = sorted(PROFILES)

    g = sub.add_parser("generate", aliases=["demo"],
                       help="write a deposit from generated rows (demo, benchmark)")
    g.add_argument("--count", type=int, default=10_000)
    g.add_argument("--start", type=int, default=0, help="number of the first generated row")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--iana", default="9999", help="the registrar's IANA ID")
    g.add_argument("--profile", choices=profiles, default="2007")
    g.add_argument("--kind", choices=("full", "inc"), default="full")
    g.add_argument("--compression", choices=("gzip", "bzip2", "zip"))
    g.add_argument("--skip-redemption", action="store_true",
                   help="leave out names in redemption (allowed by spec 4.1.8)")
    g.add_argument("--index", help="SQLite name index of previous deposits (read for inc, "
                   "updated after the deposit)")
    g.add_argument("--out", required=True, help="output folder")
    g.add_argument("--agent-cert", required=True, help="escrow agent's OpenPGP public key")
    g.add_argument("--registrar-key", required=True, help="registrar's OpenPGP secret key")
    g.add_argument("--passphrase-file", help="file holding the registrar key's passphrase")
    g.add_argument("--passphrase-env", help="environment variable holding that passphrase")
    g.set_defaults(func=cmd_generate)

    v = sub.add_parser("verify", help="check a deposit as the escrow agent does")
    v.add_argument("folder")
    v.add_argument("--profile", choices=profiles, default="2007")
    v.add_argument("--agent-key", required=True, help="escrow agent's OpenPGP secret key")
    v.add_argument("--agent-passphrase-file")
    v.add_argument("--agent-passphrase-env")
    v.add_argument("--registrar-cert", action="append", required=True,
                   help="registrar's OpenPGP public key (repeat for several)")
    v.add_argument("--previous-index", help="name index of previous deposits (for inc)")
    v.set_defaults(func=cmd_verify)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (CryptoError, DepositError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
