"""The demand generator on the real north-bayreuth extract (../shared)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from transit.demand import DemandParams, generate_demand, region_from_osm


@pytest.mark.slow
def test_north_bayreuth_trips_from_most_villages_with_daily_peaks(shared_dir: Path) -> None:
    region = region_from_osm(shared_dir / "data" / "osm" / "north-bayreuth.osm.gz")
    villages = {z.name for z in region.zones if z.place == "village"}
    assert len(villages) >= 20
    params = DemandParams.default().replace(scale=5.0)
    demand = generate_demand(region, params, 2025)
    homes = {t.home_zone for t in demand.trips}
    assert len(homes & villages) >= 0.8 * len(villages)
    times = np.array([b.time for b in demand.bookings])
    hours = np.bincount((times // 3600).astype(int), minlength=24)
    night = hours[0:5].sum()  # 0:00-4:59
    assert night <= 0.02 * len(times)
    # a morning peak: commuters arrive at work / the station mostly between 6 and 9
    commute = [
        b.time for b, t in zip(demand.bookings, demand.trips)
        if t.purpose in ("work", "station") and t.leg == "outbound"
    ]
    ch = np.bincount((np.array(commute) // 3600).astype(int), minlength=24)
    assert ch[5:9].sum() > 0.5 * len(commute)
    assert hours[6:9].mean() > 5 * max(hours[0:5].mean(), 0.2)
    # and an afternoon return peak of the commuters
    back = [b.time for b, t in zip(demand.bookings, demand.trips) if t.purpose == "work" and t.leg == "return"]
    bh = np.bincount((np.array(back) // 3600).astype(int), minlength=24)
    assert bh[14:19].sum() > 0.5 * len(back)
