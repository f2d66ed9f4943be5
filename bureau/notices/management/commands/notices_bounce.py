"""Record a bounce (from the mail server's bounce handler or by hand):
``bureau manage notices_bounce someone@example.org --reason "550 no such user"``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bureau.core import clock
from bureau.notices.contacts import record_bounce


class Command(BaseCommand):
    help = "Record that mail to an address bounced; members see that their data may be wrong."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address")
        parser.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        failure = record_bounce(options["address"], options["reason"], clock.now())
        self.stdout.write(f"recorded bounce #{failure.pk} for {failure.address}")
