"""Secondaries from the console: `sync` brings every configured secondary up to the primary
(run it after adding one to BUREAU_DNS_SECONDARIES: it receives every existing zone); the
reconciliation job does the same every few minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bureau.dns.operations.health import sync_secondaries


class Command(BaseCommand):
    help = "DNS secondaries: sync (catalog, transfer key, every zone transferred)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync", help="bring every secondary up to the primary")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for report in sync_secondaries():
            if report.error:
                failed = True
                self.stderr.write(f"{report.secondary}: not reached ({report.error})")
                continue
            self.stdout.write(f"{report.secondary}: {len(report.repaired)} zone(s) "
                              f"transferred")
            for name in report.missing:
                failed = True
                self.stderr.write(f"{report.secondary}: {name} not created by the catalog: "
                                  "check that the secondary transfers the catalog zone")
        if failed:
            raise CommandError("some secondaries are not up to date (see above)")
