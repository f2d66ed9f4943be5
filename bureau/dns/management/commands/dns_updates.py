"""`bureau dns_updates`: Bureau's RFC 2136 door for members' ACME keys (bureau.dns.updates),
on BUREAU_DNS_UPDATE_LISTEN (UDP and TCP) until stopped."""

from __future__ import annotations

import asyncio
import contextlib
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bureau.dns.updates import serve


class Command(BaseCommand):
    help = "Answer RFC 2136 updates signed with members' ACME keys (DNS-01 challenges)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--listen", default=settings.BUREAU_DNS_UPDATE_LISTEN,
                            help="host:port, UDP and TCP (default BUREAU_DNS_UPDATE_LISTEN)")

    def handle(self, *args: Any, listen: str, **options: Any) -> None:
        host, _sep, port = listen.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"{listen!r}: give host:port, e.g. 127.0.0.1:8053")
        try:
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(serve(host.strip("[]"), int(port)))
        except OSError as exc:
            raise CommandError(f"cannot listen on {listen} ({exc}): set "
                               "BUREAU_DNS_UPDATE_LISTEN to a free address") from exc
