"""`bureau sandbox ...`: run the sandbox registry and steer it from another shell.

    bureau sandbox serve [--state-dir DIR] [--port 7000] [--config sandbox.toml]
    bureau sandbox clock --show | --advance 400d
    bureau sandbox fault add drop_after --command domain:create --times 1
    bureau sandbox fault list | clear
    bureau sandbox domains
    bureau sandbox status example.test --add serverHold
    bureau sandbox review approve name.review | reject name.review --reason "trademark"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path

from bureau.sandbox import events, store
from bureau.sandbox.certs import ensure_certificates
from bureau.sandbox.clock import Clock, format_time, parse_duration
from bureau.sandbox.faults import KINDS, Faults
from bureau.sandbox.operator import Operator
from bureau.sandbox.policy import load_config
from bureau.sandbox.rdap import RdapServer
from bureau.sandbox.registry import Registry
from bureau.sandbox.server import EppServer, tls_context

DB_NAME = "sandbox.sqlite3"


def _parser(state_dir: Path) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bureau sandbox",
        description="A registry speaking EPP over TLS, for the demo and the tests.")
    parser.add_argument("--state-dir", type=Path, default=state_dir,
                        help=f"folder of the SQLite file and certificates (default {state_dir})")
    parser.add_argument("--config", type=Path, default=None,
                        help="TOML or JSON file replacing parts of the built-in policy")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the EPP server until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7000, help="0 for a free port (default 7000)")
    serve.add_argument("--rdap-port", type=int, default=7080,
                       help="port of the registry's RDAP service (HTTP; 0: a free port)")
    serve.add_argument("--validate-responses", action="store_true",
                       help="check every response against the EPP schemas before sending")

    clock = commands.add_parser("clock", help="show or move the sandbox clock")
    group = clock.add_mutually_exclusive_group(required=True)
    group.add_argument("--show", action="store_true", help="print the sandbox time")
    group.add_argument("--advance", metavar="DURATION",
                       help="move forward, e.g. 400d, 12h, 30m, 90s")

    fault = commands.add_parser("fault", help="set, list or clear fault switches")
    fault_cmd = fault.add_subparsers(dest="fault_command", required=True)
    add = fault_cmd.add_parser("add", help="add a switch")
    add.add_argument("kind", choices=KINDS)
    add.add_argument("--command", dest="target", default=None,
                     help="only for this command, e.g. domain:create (default: all)")
    add.add_argument("--times", type=int, default=1,
                     help="how many times it fires (0: until cleared; default 1)")
    add.add_argument("--value", type=int, default=0,
                     help="milliseconds for delay, number of commands for close_after")
    fault_cmd.add_parser("list", help="list active switches")
    fault_cmd.add_parser("clear", help="remove every switch")

    commands.add_parser("domains", help="list the domains (JSON lines)")

    status = commands.add_parser("status", help="set or remove server statuses of a domain")
    status.add_argument("domain")
    status.add_argument("--add", action="append", default=[], metavar="STATUS")
    status.add_argument("--remove", action="append", default=[], metavar="STATUS")
    status.add_argument("--reason", default="registry action")

    review = commands.add_parser("review", help="decide on a name under review now")
    review_cmd = review.add_subparsers(dest="review_command", required=True)
    review_cmd.add_parser("approve", help="create the name").add_argument("domain")
    reject = review_cmd.add_parser("reject", help="refuse the name and refund its create")
    reject.add_argument("domain")
    reject.add_argument("--reason", default="refused by registry staff")
    return parser


def _serve(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    state: Path = args.state_dir
    state.mkdir(parents=True, exist_ok=True)
    certs = ensure_certificates(state / "certs", [r.id for r in config.registrars])
    registry = Registry(state / DB_NAME, config, validate_responses=args.validate_responses)
    server = EppServer(registry, tls_context(certs.ca_file, certs.server_cert,
                                             certs.server_key), args.host, args.port)

    rdap = RdapServer(state / DB_NAME, config, args.host, args.rdap_port).start()
    bootstrap = rdap.write_bootstrap(state / "rdap" / "dns.json")

    async def run() -> None:
        await server.start()
        print(f"EPP sandbox listening on {args.host}:{server.port} (TLS, client cert required)")
        print(f"  database : {state / DB_NAME}")
        print(f"  CA       : {certs.ca_file}")
        for account in config.registrars:
            cert, key = certs.clients[account.id]
            print(f"  registrar {account.id!r} password {account.password!r}"
                  f" cert {cert} key {key}")
        print(f"  TLDs     : {', '.join(sorted(config.tlds))}")
        print(f"  RDAP     : {rdap.base_url} (bootstrap file {bootstrap})")
        print("Ctrl-C to stop.", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.stop()

    asyncio.run(run())
    rdap.stop()
    registry.close()
    with contextlib.suppress(BrokenPipeError):  # whoever read our stdout may be gone
        print("EPP sandbox stopped.")
    return 0


def main(argv: list[str] | None = None, state_dir: Path = Path("var/sandbox")) -> int:
    """``state_dir``: the default of --state-dir (`bureau sandbox` gives the sandbox folder of
    Bureau's state folder, where `bureau run` keeps its sandbox)."""
    args = _parser(state_dir).parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    config = load_config(args.config)
    if not args.state_dir.is_dir():
        print(f"error: {args.state_dir} does not exist; start `bureau sandbox serve` first or"
              " pass --state-dir", file=sys.stderr)
        return 2
    conn = store.connect(args.state_dir / DB_NAME)
    store.initialise(conn, config)
    try:
        if args.command == "clock":
            clock = Clock(conn)
            if args.advance:
                now = clock.advance(seconds=parse_duration(args.advance))
                with store.transaction(conn):  # what fell due happens now, not lazily
                    events.process_due(conn, config, now)
            print(f"{format_time(clock.now())} (offset {clock.offset() / 86400:.2f} days)")
        elif args.command == "fault":
            faults = Faults(conn)
            if args.fault_command == "add":
                fid = faults.add(args.kind, args.target, args.times or None, args.value)
                print(f"fault {fid} set")
            elif args.fault_command == "clear":
                faults.clear()
                print("all faults cleared")
            for f in faults.active():
                print(f"{f.id}: {f.kind} command={f.command or '*'} "
                      f"remaining={'always' if f.remaining is None else f.remaining} "
                      f"value={f.value}")
        elif args.command == "domains":
            for domain in Operator(conn, config).domains():
                print(json.dumps(domain, ensure_ascii=False))
        elif args.command == "status":
            Operator(conn, config).set_server_status(args.domain, args.add, args.remove,
                                                     args.reason)
            print(f"{args.domain}: done")
        elif args.command == "review":
            operator = Operator(conn, config)
            if args.review_command == "approve":
                operator.approve_review(args.domain)
                print(f"{args.domain}: approved")
            else:
                operator.reject_review(args.domain, args.reason)
                print(f"{args.domain}: refused ({args.reason})")
    except Exception as exc:  # an operator tool: say what went wrong, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
