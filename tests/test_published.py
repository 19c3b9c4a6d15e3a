"""Published KPI ranges: every range has a source, and KPIs are placed inside, below or above."""

from __future__ import annotations

import math

import pandas as pd

from transit.evaluate.kpis import KPI_COLUMNS
from transit.evaluate.published import check_ranges, published_ranges


def test_every_range_is_sourced_and_names_a_kpi() -> None:
    ranges = published_ranges()
    assert len(ranges) >= 8
    for r in ranges:
        assert r.kpi in KPI_COLUMNS or r.kpi.startswith("info_")
        assert r.source and r.what and r.kinds
        assert 0 <= r.low < r.high
    bus = next(r for r in ranges if r.kpi == "cost_per_vehicle_km" and "fixed_line" in r.kinds)
    assert (bus.low, bus.high) == (2.50, 6.00)  # the cost source costs.toml cites
    pooling = next(r for r in ranges if r.kpi == "shared_trip_share")
    assert (pooling.low, pooling.high) == (0.09, 0.20) and math.isnan(pooling.value)


def test_verdicts_by_kind() -> None:
    summary = pd.DataFrame(
        {
            "model": ["L", "L", "D", "D", "D"],
            "kpi": ["cost_per_vehicle_km", "subsidy_per_passenger", "cost_per_vehicle_km", "shared_trip_share",
                    "served_share"],
            "mean": [1.98, 2.5, 1.5, 0.636, 0.8],
        }
    )
    c = check_ranges(summary, {"L": "fixed_line", "D": "ondemand"}).set_index(["model", "kpi"])
    assert c.loc[("L", "cost_per_vehicle_km"), "verdict"] == "below"  # the old EUR 1.98 per bus-km
    assert c.loc[("L", "subsidy_per_passenger"), "verdict"] == "within"
    assert c.loc[("D", "cost_per_vehicle_km"), "verdict"] == "within"  # the DRT range, not the bus range
    assert c.loc[("D", "shared_trip_share"), "verdict"] == "above"
    assert ("D", "served_share") not in c.index  # no published range
