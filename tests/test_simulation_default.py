"""The on-demand models on the bundled default district (real generated demand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from transit.darp.checker import check
from transit.evaluate.costs import default_costs
from transit.demand import DemandParams, generate_demand, region_from_osm
from transit.evaluate.kpis import kpis
from transit.compare.models import build_model
from transit.opmodels.base import DayContext
from transit.sim.columns import TripLabel
from transit.compare.scenario import load_scenario

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(repo_dir):
    sc = load_scenario(repo_dir / "instances/default/scenario.toml")
    region = region_from_osm(repo_dir / "instances/default/district.osm.gz")
    spec = next(m for m in sc.models if m.kind == "ondemand")
    demand = generate_demand(region, sc.demand.params or DemandParams.default(), np.random.default_rng(1))
    labels = {t.request_id: TripLabel(t.home_zone, t.purpose, t.group) for t in demand.trips}
    ctx = DayContext(network=region.network, service=sc.service, labels=labels)
    return sc, spec, region, demand, ctx


def test_default_scenario_day(world):
    sc, spec, region, demand, ctx = world
    model = build_model(spec, network=region.network, date=sc.date)
    run = model.run(demand.bookings, ctx, seed=1, rng=np.random.default_rng(1))
    t = run.trips
    assert t["request_id"].tolist() == [b.request_id for b in demand.bookings]
    assert set(t["status"]) <= {"served", "rejected"}
    assert (t.loc[t["status"] == "rejected", "reason"].str.len() > 0).all()
    res = run.day
    assert check(res.problem, res.plan) == []
    assert (t["home_zone"] != "").all()
    k = kpis(run, default_costs())
    # Published rural ranges (shared/REFERENCES.md): 0.4-4 passengers per vehicle-hour,
    # about 1.15 passengers per booking (the generator's group sizes).
    assert 0.4 <= k["passengers_per_vehicle_hour"] <= 4.0
    assert 1.0 <= k["passengers_per_booking"] <= 1.3
    # pupils' school trips are left to the school buses; of the rest most are served
    school = t["purpose"] == "school"
    assert (t.loc[school, "status"] == "rejected").all()
    assert (t.loc[~school, "status"] == "served").mean() > 0.6
    # the documented rules keep rides short and pooling in the rural range (issue 12)
    assert k["ride_ratio_median"] <= 1.6
    again = build_model(spec, network=region.network, date=sc.date).run(
        demand.bookings, ctx, seed=1, rng=np.random.default_rng(1)
    )
    pd.testing.assert_frame_equal(run.trips, again.trips)
    pd.testing.assert_frame_equal(run.stops, again.stops)
