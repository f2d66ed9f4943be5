"""Environmental figures: what Bureau measures about itself, and an estimate of energy and
emissions per domain per year as a range, with every assumption shown.

``measure()`` reads the database (domains, orders in the last year, DNS zones and records
when DNS hosting is installed, the database's size), the escrow deposits folder and the
number of servers from settings. ``estimate()`` is a pure function: each assumption is a
(low, high) pair, and the low estimate combines the low ends, the high estimate the high
ends. Nothing here is precise; the range says how unsure we are.

Method (per year):
  electricity (kWh) = servers * power (W) * 8760 h / 1000 * PUE
                      + storage (GB) * storage energy (kWh/GB/yr)
                      + registry operations * energy per operation (kWh)
  emissions (kgCO2e) = electricity * grid intensity (kgCO2e/kWh)
                       + servers * embodied emissions per server-year (kgCO2e)
  per domain = total / domains (at least 1)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection
from django.utils.translation import gettext_lazy as _

from bureau.coop import conf
from bureau.coop.models import EnvironmentReading
from bureau.core import clock
from bureau.registrar.billing.models import Order
from bureau.registrar.domains.models import HELD_STATES, Domain

Range = tuple[float, float]


@dataclass(frozen=True)
class Measures:
    servers: int
    domains: int
    operations_last_year: int
    dns_zones: int
    dns_records: int
    database_bytes: int
    deposit_bytes: int
    # Queries answered by the primary name server per day (PowerDNS statistics since it
    # started); None when its API cannot be read. Already covered by the servers' power.
    dns_queries_per_day: float | None = None

    @property
    def storage_gb(self) -> float:
        return (self.database_bytes + self.deposit_bytes) / 1e9


@dataclass(frozen=True)
class Assumption:
    key: str
    label: Any
    unit: str
    low: float
    high: float
    source: Any


DEFAULT_ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("power_w", _("Average power of one server"), "W", 30, 150,
               _("Small refurbished server or VM share (low) to a full 1U server (high).")),
    Assumption("pue", _("Data centre overhead (PUE)"), "", 1.1, 1.8,
               _("Efficient to average hosting facility.")),
    Assumption("storage_kwh_per_gb", _("Storage energy per GB and year"), "kWh/GB", 0.001,
               0.01, _("SSD with replication; order of magnitude only.")),
    Assumption("kwh_per_operation", _("Energy per registry operation (EPP round trips)"),
               "kWh", 0.00001, 0.001, _("A few TLS round trips; negligible either way.")),
    Assumption("grid_kg_per_kwh", _("Carbon intensity of electricity"), "kgCO2e/kWh", 0.03,
               0.1, _("French grid yearly average (low) to a European mix (high).")),
    Assumption("embodied_kg_per_server_year", _("Manufacturing emissions per server-year"),
               "kgCO2e", 50, 400, _("Refurbished server over 8 years (low) to new over 4 "
                                    "years (high).")),
)


@dataclass(frozen=True)
class Estimate:
    measures: Measures
    assumptions: tuple[Assumption, ...]
    energy_kwh: Range
    emissions_kg: Range
    energy_kwh_per_domain: Range
    emissions_kg_per_domain: Range
    notes: list[Any] = field(default_factory=list)


def _energy(m: Measures, a: dict[str, float]) -> float:
    return (m.servers * a["power_w"] * 8760 / 1000 * a["pue"]
            + m.storage_gb * a["storage_kwh_per_gb"]
            + m.operations_last_year * a["kwh_per_operation"])


def estimate(m: Measures, assumptions: tuple[Assumption, ...] = DEFAULT_ASSUMPTIONS) -> Estimate:
    low = {a.key: a.low for a in assumptions}
    high = {a.key: a.high for a in assumptions}
    energy = (_energy(m, low), _energy(m, high))
    emissions = (energy[0] * low["grid_kg_per_kwh"]
                 + m.servers * low["embodied_kg_per_server_year"],
                 energy[1] * high["grid_kg_per_kwh"]
                 + m.servers * high["embodied_kg_per_server_year"])
    n = max(m.domains, 1)
    notes = [_("Registries' own servers, the network and people's devices are not counted.")]
    if m.domains == 0:
        notes.append(_("No domain yet: per-domain figures are for the whole platform."))
    return Estimate(measures=m, assumptions=assumptions, energy_kwh=energy,
                    emissions_kg=emissions,
                    energy_kwh_per_domain=(energy[0] / n, energy[1] / n),
                    emissions_kg_per_domain=(emissions[0] / n, emissions[1] / n), notes=notes)


def _database_bytes() -> int:
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_database_size(current_database())")
                return int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            name = connection.settings_dict["NAME"]
            return os.path.getsize(name) if name and os.path.exists(name) else 0
    except Exception:  # a figure we cannot read is left out, not guessed
        return 0
    return 0


def _folder_bytes(path: str) -> int:
    if not path or not Path(path).is_dir():
        return 0
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def _count(label: str, model: str) -> int:
    try:
        return int(apps.get_model(label, model).objects.count())
    except LookupError:
        return 0


def _dns_queries_per_day() -> float | None:
    """From PowerDNS's statistics: (udp + tcp queries) / uptime, per day."""
    from django.conf import settings

    url = getattr(settings, "BUREAU_PDNS_API_URL", "")
    key = getattr(settings, "BUREAU_PDNS_API_KEY", "")
    if not url or not key:
        return None
    try:
        import httpx

        response = httpx.get(f"{url.rstrip('/')}/api/v1/servers/localhost/statistics",
                             headers={"X-API-Key": key}, timeout=2)
        response.raise_for_status()
        stats = {i["name"]: i.get("value") for i in response.json() if "name" in i}
        queries = int(stats.get("udp-queries", 0)) + int(stats.get("tcp-queries", 0))
        uptime = int(stats.get("uptime", 0))
    except Exception:  # not measured is better than guessed
        return None
    return queries * 86400 / uptime if uptime else None


def measure() -> Measures:
    year_ago = clock.now() - timedelta(days=365)
    live = Domain.objects.filter(state__in=HELD_STATES).count()
    zones = _count("dns", "Zone")
    records = _count("dns", "Record")
    return Measures(
        servers=conf.servers(), domains=live,
        operations_last_year=Order.objects.filter(created_at__gte=year_ago).count(),
        dns_zones=zones, dns_records=records, database_bytes=_database_bytes(),
        deposit_bytes=_folder_bytes(conf.escrow_dir()),
        dns_queries_per_day=_dns_queries_per_day())


@dataclass(frozen=True)
class MonthUse:
    month: date
    energy_kwh: Range
    emissions_kg: Range


@dataclass(frozen=True)
class YearUse:
    """A year's consumption from the daily readings: used so far and projected to the year's
    end at the latest rate, each a (low, high) range, month by month, and the trend."""

    year: int
    since: date | None
    used_kwh: Range
    used_kg: Range
    projected_kwh: Range
    projected_kg: Range
    months: list[MonthUse]
    # "rising", "falling" or "steady": the latest yearly rate against the one 30 days before.
    trend: str


def _add(a: Range, b: Range, share: float = 1.0) -> Range:
    return (a[0] + b[0] * share, a[1] + b[1] * share)


def year_use(year: int, today: date) -> YearUse:
    """Each day of ``year`` up to ``today`` uses 1/days-in-year of the latest reading's yearly
    rate (days before the first reading are not counted: ``since`` says from when)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    days_in_year = (last - first).days + 1
    readings = list(EnvironmentReading.objects.filter(day__lte=min(today, last))
                    .order_by("day"))
    before = [r for r in readings if r.day < first]
    rate: tuple[Range, Range] | None = None
    if before:
        r = before[-1]
        rate = ((r.energy_kwh_low, r.energy_kwh_high), (r.emissions_kg_low, r.emissions_kg_high))
    by_day = {r.day: r for r in readings if r.day >= first}
    used_kwh: Range = (0.0, 0.0)
    used_kg: Range = (0.0, 0.0)
    months: dict[date, tuple[Range, Range]] = {}
    since = first if rate else None
    day = first
    while day <= min(today, last):
        r2 = by_day.get(day)
        if r2 is not None:
            rate = ((r2.energy_kwh_low, r2.energy_kwh_high),
                    (r2.emissions_kg_low, r2.emissions_kg_high))
            since = since or day
        if rate is not None:
            share = 1 / days_in_year
            used_kwh, used_kg = _add(used_kwh, rate[0], share), _add(used_kg, rate[1], share)
            month = day.replace(day=1)
            kwh, kg = months.get(month, ((0.0, 0.0), (0.0, 0.0)))
            months[month] = (_add(kwh, rate[0], share), _add(kg, rate[1], share))
        day += timedelta(days=1)
    remaining = max(0, (last - today).days) / days_in_year
    latest = rate or ((0.0, 0.0), (0.0, 0.0))
    return YearUse(
        year=year, since=since, used_kwh=used_kwh, used_kg=used_kg,
        projected_kwh=_add(used_kwh, latest[0], remaining),
        projected_kg=_add(used_kg, latest[1], remaining),
        months=[MonthUse(m, kwh, kg) for m, (kwh, kg) in sorted(months.items())],
        trend=_trend(readings, today))


def _trend(readings: list[Any], today: date) -> str:
    if not readings:
        return "steady"
    latest = readings[-1]
    earlier = [r for r in readings if r.day <= latest.day - timedelta(days=30)]
    if not earlier:
        return "steady"
    now = latest.energy_kwh_low + latest.energy_kwh_high
    then = earlier[-1].energy_kwh_low + earlier[-1].energy_kwh_high
    if then and now > then * 1.02:
        return "rising"
    if then and now < then * 0.98:
        return "falling"
    return "steady"
