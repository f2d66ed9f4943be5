"""The day's environmental reading: the yearly estimate (``environment.estimate``) as it
stands today, one row per day (the job records it; a second run the same day updates it)."""

from __future__ import annotations

from bureau.coop import environment
from bureau.coop.models import EnvironmentReading
from bureau.core import clock


def record_reading() -> EnvironmentReading:
    estimate = environment.estimate(environment.measure())
    reading, _created = EnvironmentReading.objects.update_or_create(
        day=clock.now().date(), defaults={
            "energy_kwh_low": estimate.energy_kwh[0], "energy_kwh_high": estimate.energy_kwh[1],
            "emissions_kg_low": estimate.emissions_kg[0],
            "emissions_kg_high": estimate.emissions_kg[1],
            "domains": estimate.measures.domains})
    return reading
