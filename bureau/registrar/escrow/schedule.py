"""What the periodic jobs should make now: the schedule's rules in one place.

* A full deposit is due when the newest written full deposit is more than 5 days old (or
  there is none): with a job at least daily, the agent's newest full data then never passes
  the 6 days spec 4.1.8 allows. "Weekly" in the specification's words, every 5-6 days here.
* Otherwise an incremental is made when incrementals are expected (always, or above the
  threshold with BUREAU_ESCROW_INCREMENTALS=auto).
* At most one deposit per date: a full and an incremental of the same day would share the
  hash file name at the agent. So whichever job comes first on a day makes the deposit due
  and the other one skips.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .lateness import incrementals_expected
from .models import DEPOSITED_STATES, Deposit, DepositKind, DepositState

FULL_EVERY = dt.timedelta(days=5)


@dataclass(frozen=True)
class Plan:
    kind: str | None  # "full", "inc" or None (nothing to make now)
    reason: str


def full_due(now: dt.datetime) -> bool:
    newest = (Deposit.objects.filter(kind=DepositKind.FULL, state__in=DEPOSITED_STATES)
              .order_by("-started_at").values_list("started_at", flat=True).first())
    return newest is None or now - newest > FULL_EVERY


def plan(now: dt.datetime, *, want: str) -> Plan:
    """``want`` is what the calling job is for: ``full`` (weekly job) or ``inc`` (daily)."""
    today = now.astimezone(dt.UTC).date()
    taken = Deposit.objects.filter(date=today).exclude(state=DepositState.FAILED).first()
    if taken is not None:
        return Plan(None, f"a {taken.kind} deposit is already dated {today}")
    if full_due(now):
        return Plan(DepositKind.FULL, "the newest full deposit is more than 5 days old or "
                                      "missing")
    if want == DepositKind.FULL:
        return Plan(None, "a full deposit was made less than 5 days ago")
    if not incrementals_expected(today):
        return Plan(None, "below the threshold and BUREAU_ESCROW_INCREMENTALS=auto")
    return Plan(DepositKind.INCREMENTAL, "daily incremental")
