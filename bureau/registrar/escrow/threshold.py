"""The 100,000 registration-years per quarter threshold (spec 2.1.1): at or above it, daily
incremental deposits are mandatory; below, weekly full deposits suffice.

Registration-years are counted from completed orders: registrations, renewals (including
automatic ones) and transfers in, each counting its period in years. Orders undone within a
grace period (``refunded``) or failed do not count. Quarters are ICANN fiscal quarters (the
fiscal year starts on 1 July: Q1 is July-September), which share their boundaries with
calendar quarters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum

from bureau.core import clock
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import Operation

from . import conf

THRESHOLD = 100_000
COUNTED_OPERATIONS = (Operation.CREATE, Operation.RENEW, Operation.AUTO_RENEW,
                      Operation.TRANSFER_IN)


@dataclass(frozen=True)
class Quarter:
    start: dt.date  # first day
    end: dt.date  # first day of the next quarter

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        month = 3 * ((day.month - 1) // 3) + 1
        start = dt.date(day.year, month, 1)
        return cls(start, cls._next(start))

    @staticmethod
    def _next(start: dt.date) -> dt.date:
        return dt.date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)

    def previous(self) -> Quarter:
        return Quarter.of(self.start - dt.timedelta(days=1))

    @property
    def label(self) -> str:
        fiscal_year = self.start.year + (self.start.month >= 7)
        number = {7: 1, 10: 2, 1: 3, 4: 4}[self.start.month]
        last = self.end - dt.timedelta(days=1)
        return f"ICANN FY{fiscal_year} Q{number} ({self.start} to {last})"


def registration_years(quarter: Quarter) -> int:
    start = dt.datetime.combine(quarter.start, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(quarter.end, dt.time(), tzinfo=dt.UTC)
    qs = Order.objects.filter(state=OrderState.COMPLETED, operation__in=COUNTED_OPERATIONS,
                              finished_at__gte=start, finished_at__lt=end)
    covered = Q()
    for tld in conf.gtlds():
        covered |= Q(domain_name__endswith=f".{tld}")
    qs = qs.filter(covered)
    total = qs.aggregate(years=Sum("period"))["years"]
    return int(total or 0)


@dataclass(frozen=True)
class ThresholdReport:
    current: Quarter
    current_years: int
    previous: Quarter
    previous_years: int

    @property
    def incrementals_mandatory(self) -> bool:
        return max(self.current_years, self.previous_years) >= THRESHOLD

    def text(self) -> str:
        verdict = ("daily incremental deposits are MANDATORY" if self.incrementals_mandatory
                   else "daily incremental deposits are optional (weekly full deposits suffice)")
        return (f"registration-years {self.previous.label}: {self.previous_years:,}\n"
                f"registration-years {self.current.label} so far: {self.current_years:,}\n"
                f"threshold {THRESHOLD:,} per quarter: {verdict}")


def threshold_report(today: dt.date | None = None) -> ThresholdReport:
    current = Quarter.of(today or clock.now().date())
    previous = current.previous()
    return ThresholdReport(current, registration_years(current), previous,
                           registration_years(previous))
