"""Run a local PowerDNS in the foreground: `python -m bureau.dns.powerdns WORKDIR [--dns-port N]`.

For development and `make run`: prints the API URL, key and DNS port, stops on Ctrl-C. The
workdir keeps the database (and the config with the API key) between runs.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from pathlib import Path

from bureau.dns.powerdns.instance import PowerDNSInstance


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bureau.dns.powerdns")
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--dns-port", type=int, default=None)
    parser.add_argument("--api-port", type=int, default=None)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--secondary", action="store_true", help="act as a secondary")
    args = parser.parse_args(argv)
    instance = PowerDNSInstance(
        args.workdir,
        dns_port=args.dns_port,
        api_port=args.api_port,
        api_key=args.api_key,
        primary=not args.secondary,
        secondary=args.secondary,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with instance:
        print(f"PowerDNS DNS 127.0.0.1:{instance.dns_port}", flush=True)
        print(f"PowerDNS API {instance.api_url} key {instance.api_key}", flush=True)
        print(f"log {instance.log_path}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
