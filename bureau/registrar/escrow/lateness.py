"""Lateness check (spec 4.1.8): the agent's newest data must be no older than 6 days (weekly
full deposits) or 23 hours (daily incrementals). A deposit's age is that of its data (when it
was read from the database), and only delivered deposits count. A full deposit is also fresh
data for the daily check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from bureau.escrow.deliver import MAX_AGE, is_late

from . import conf
from .alerts import raise_alert, resolve
from .models import DELIVERED_STATES, AlertKind, Deposit, DepositKind
from .threshold import threshold_report


@dataclass(frozen=True)
class LatenessStatus:
    kind: str
    newest: dt.datetime | None
    late: bool

    def text(self, now: dt.datetime) -> str:
        what = "full" if self.kind == DepositKind.FULL else "any (daily)"
        hours_limit = MAX_AGE[self.kind].total_seconds() / 3600
        limit = f"{hours_limit / 24:g} days" if hours_limit >= 48 else f"{hours_limit:g} hours"
        if self.newest is None:
            age = "never delivered"
        else:
            hours = (now - self.newest).total_seconds() / 3600
            age = f"newest data {self.newest:%Y-%m-%d %H:%M} UTC, {hours:.1f} h old"
        return f"{what} deposit: {age}; limit {limit} -> {'LATE' if self.late else 'on time'}"


def newest_delivered(kinds: tuple[str, ...]) -> dt.datetime | None:
    d = (Deposit.objects.filter(kind__in=kinds, state__in=DELIVERED_STATES)
         .order_by("-started_at").values_list("started_at", flat=True).first())
    return d


def incrementals_expected(today: dt.date | None = None) -> bool:
    return conf.incrementals() == "always" or threshold_report(today).incrementals_mandatory


def lateness(now: dt.datetime | None = None) -> list[LatenessStatus]:
    now = now or timezone.now()
    full = newest_delivered((DepositKind.FULL,))
    out = [LatenessStatus(DepositKind.FULL, full, is_late("full", full, now))]
    if incrementals_expected(now.date()):
        any_kind = newest_delivered((DepositKind.FULL, DepositKind.INCREMENTAL))
        out.append(LatenessStatus(DepositKind.INCREMENTAL, any_kind,
                                  is_late("inc", any_kind, now)))
    return out


ALERT_OF: dict[str, str] = {DepositKind.FULL: AlertKind.LATE_FULL,
                            DepositKind.INCREMENTAL: AlertKind.LATE_INC}


def check_lateness(now: dt.datetime | None = None) -> list[LatenessStatus]:
    """Raise an alert for each late kind, resolve the others; return the statuses."""
    now = now or timezone.now()
    statuses = lateness(now)
    seen = set()
    for s in statuses:
        seen.add(s.kind)
        if s.late:
            raise_alert(ALERT_OF[s.kind], "Escrow is late: " + s.text(now))
        else:
            resolve(ALERT_OF[s.kind])
    for kind, alert in ALERT_OF.items():
        if kind not in seen:
            resolve(alert)
    return statuses
