"""The environmental estimate: a range from stated assumptions, checked by hand, and the
measures Bureau reads about itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from bureau.coop.environment import Measures, estimate, measure

pytestmark = [pytest.mark.sqlite]

M = Measures(servers=2, domains=100, operations_last_year=1000, dns_zones=10,
             dns_records=50, database_bytes=1_000_000_000, deposit_bytes=0)


def test_low_and_high_by_hand() -> None:
    e = estimate(M)
    # low:  2 servers x 30 W x 8760 h / 1000 x PUE 1.1 = 578.16 kWh
    #       + 1 GB x 0.001 + 1000 operations x 0.00001 = 578.171 kWh
    #       emissions 578.171 x 0.03 + 2 x 50 kg = 117.34513 kg
    # high: 2 x 150 x 8.76 x 1.8 = 4730.4 + 1 x 0.01 + 1000 x 0.001 = 4731.41 kWh
    #       emissions 4731.41 x 0.1 + 2 x 400 = 1273.141 kg
    assert e.energy_kwh == pytest.approx((578.171, 4731.41))
    assert e.emissions_kg == pytest.approx((117.34513, 1273.141))
    assert e.emissions_kg_per_domain == pytest.approx((1.1734513, 12.73141))
    assert e.energy_kwh_per_domain[0] < e.energy_kwh_per_domain[1]


def test_no_domain_yet_is_said() -> None:
    e = estimate(Measures(1, 0, 0, 0, 0, 0, 0))
    assert e.energy_kwh_per_domain == e.energy_kwh
    assert len(e.notes) == 2


@override_settings(BUREAU_COOP_SERVERS=3, BUREAU_PDNS_API_KEY="")
def test_measure_reads_the_platform(db: Any, tmp_path: Any) -> None:
    (tmp_path / "deposit.csv.gz.pgp").write_bytes(b"x" * 1234)
    with override_settings(BUREAU_COOP_ESCROW_DIR=str(tmp_path)):
        m = measure()
    assert m.servers == 3 and m.deposit_bytes == 1234
    assert m.database_bytes > 0
    assert m.dns_queries_per_day is None  # no API key: not measured, not guessed
