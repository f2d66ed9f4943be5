"""List the names whose holder did not verify their contact data in time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bureau.notices.contacts import flagged_domains


class Command(BaseCommand):
    help = "List names flagged for unverified holder contact data."

    def handle(self, *args: Any, **options: Any) -> None:
        for domain in flagged_domains():
            holder = domain.registrant
            self.stdout.write(f"{domain.u_label}\t{holder.email if holder else '-'}\t"
                              f"{holder.profile.flagged_at:%Y-%m-%d}" if holder else "")
