"""Lateness check (spec 4.1.8): deposited data must be current, no older than 6 days (weekly
full deposits) or 23 hours (daily incrementals). A deposit's age is that of its data (when it
was read from the database); only delivered deposits count; a full deposit is also fresh data
for the daily check.

Full: late when the newest delivered full data is more than 6 days old (the schedule makes a
full deposit after 5 days, so this only fires when something failed).

Daily: one deposit per date means daily deposits are 24 h apart, so "23 h from now" would
raise a false alarm in the last hour before every daily run. The daily check therefore counts
the job's period: late when more than 23 h + ``DAILY_SLACK`` have passed since the newest data
(a missed day is seen within about two hours), or when the newest deposit's data was already
more than 23 h old when it was delivered (a stale deposit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bureau.core import clock
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
        slack = DAILY_SLACK if self.kind == DepositKind.INCREMENTAL else dt.timedelta()
        hours_limit = (MAX_AGE[self.kind] + slack).total_seconds() / 3600
        limit = f"{hours_limit / 24:g} days" if hours_limit >= 48 else f"{hours_limit:g} hours"
        if self.newest is None:
            age = "never delivered"
        else:
            hours = (now - self.newest).total_seconds() / 3600
            age = f"newest data {self.newest:%Y-%m-%d %H:%M} UTC, {hours:.1f} h old"
        return f"{what} deposit: {age}; limit {limit} -> {'LATE' if self.late else 'on time'}"


DAILY_SLACK = dt.timedelta(hours=2)


def newest_delivered(kinds: tuple[str, ...]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(data time, delivery time) of the newest delivered deposit of ``kinds``."""
    d = (Deposit.objects.filter(kind__in=kinds, state__in=DELIVERED_STATES)
         .order_by("-started_at").values_list("started_at", "delivered_at").first())
    return d if d is not None else (None, None)


def _late(kind: str, data_at: dt.datetime | None, delivered_at: dt.datetime | None,
          now: dt.datetime, slack: dt.timedelta) -> bool:
    stale = data_at is not None and delivered_at is not None and is_late(kind, data_at,
                                                                         delivered_at)
    return stale or is_late(kind, data_at, now - slack)


def incrementals_expected(today: dt.date | None = None) -> bool:
    return conf.incrementals() == "always" or threshold_report(today).incrementals_mandatory


def lateness(now: dt.datetime | None = None) -> list[LatenessStatus]:
    now = now or clock.now()
    full, full_sent = newest_delivered((DepositKind.FULL,))
    out = [LatenessStatus(DepositKind.FULL, full,
                          _late("full", full, full_sent, now, dt.timedelta()))]
    if incrementals_expected(now.date()):
        any_at, any_sent = newest_delivered((DepositKind.FULL, DepositKind.INCREMENTAL))
        out.append(LatenessStatus(DepositKind.INCREMENTAL, any_at,
                                  _late("inc", any_at, any_sent, now, DAILY_SLACK)))
    return out


ALERT_OF: dict[str, str] = {DepositKind.FULL: AlertKind.LATE_FULL,
                            DepositKind.INCREMENTAL: AlertKind.LATE_INC}


def check_lateness(now: dt.datetime | None = None) -> list[LatenessStatus]:
    """Raise an alert for each late kind, resolve the others; return the statuses."""
    now = now or clock.now()
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
