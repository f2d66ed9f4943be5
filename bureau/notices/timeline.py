"""The life of a name after its paid term, as dates: a pure function used by the reminders
and the domain page.

    expiry ──grace (renew at the renewal price, DNS parked)──▶ grace_end
           ──redemption (restore, with its fee)──▶ redemption_end
           ──pending delete (nothing possible)──▶ deletion (anyone may register it)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

# ERRP: resolution interrupted at least 8 consecutive days between expiry and deletion.
ERRP_MIN_INTERRUPTION_DAYS = 8


class Phase(enum.StrEnum):
    ACTIVE = "active"
    GRACE = "grace"
    REDEMPTION = "redemption"
    PENDING_DELETE = "pending-delete"
    DELETED = "deleted"


@dataclass(frozen=True)
class Timeline:
    expiry: datetime
    grace_end: datetime
    redemption_end: datetime
    deletion: datetime

    def phase(self, now: datetime) -> Phase:
        # A name deleted before its expiry (given up) is in redemption from its deletion.
        if now < self.expiry and now < self.grace_end:
            return Phase.ACTIVE
        if now < self.grace_end:
            return Phase.GRACE
        if now < self.redemption_end:
            return Phase.REDEMPTION
        if now < self.deletion:
            return Phase.PENDING_DELETE
        return Phase.DELETED

    @property
    def parking_days(self) -> int:
        """Days the name is parked if nobody renews it (expiry to deletion)."""
        return (self.deletion - self.expiry).days


def timeline(expiry: datetime, *, grace_days: int, redemption_days: int,
             pending_delete_days: int, deleted_at: datetime | None = None) -> Timeline:
    """Dates after ``expiry``. ``deleted_at`` (the name was deleted early, on purpose or at
    the end of grace) starts redemption then instead of at the end of grace."""
    if grace_days < 0 or redemption_days < 0 or pending_delete_days < 0:
        raise ValueError("periods are numbers of days, not negative")
    grace_end = expiry + timedelta(days=grace_days)
    if deleted_at is not None and deleted_at < grace_end:
        grace_end = deleted_at
    redemption_end = grace_end + timedelta(days=redemption_days)
    return Timeline(expiry=expiry, grace_end=grace_end, redemption_end=redemption_end,
                    deletion=redemption_end + timedelta(days=pending_delete_days))


def effective_grace_days(setting: int, tld_auto_renew_grace_days: int) -> int:
    """Bureau's grace, kept inside the registry's auto-renew grace period (so the deletion
    at its end is refunded) and at least as long as the ERRP interruption."""
    ceiling = max(tld_auto_renew_grace_days - 1, 0)
    return max(min(setting, ceiling), min(ERRP_MIN_INTERRUPTION_DAYS, ceiling))
