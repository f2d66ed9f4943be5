"""List the notices claimed and never recorded as sent: a run stopped between the claim and
the sending's record. They are never re-sent automatically; the operator checks the mail
server's log and decides (e.g. mark it sent in the admin, or delete the row to send again)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bureau.core import clock
from bureau.notices.mail import STALE_AFTER, stale_claims


class Command(BaseCommand):
    help = "List notices stuck in \"being sent\" (claimed, sending not confirmed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=int(STALE_AFTER.total_seconds() // 60),
                            help="claimed at least this long ago (default: %(default)s)")

    def handle(self, *args: Any, **options: Any) -> None:
        stale = stale_claims(clock.now(), timedelta(minutes=options["minutes"]))
        count = 0
        for notice in stale.iterator():
            count += 1
            self.stdout.write(f"{notice.key}\t{notice.created_at:%Y-%m-%d %H:%M}\t"
                              f"{', '.join(notice.recipients)}")
        self.stderr.write(f"{count} notice(s) claimed and not confirmed sent")
