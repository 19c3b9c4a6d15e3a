"""On-demand KPIs of the default scenario beside the published rural ranges.

Runs the default scenario's on-demand model (``instances/default/scenario.toml``:
four 8-seat minibuses 06:00-22:00 at Sangerhain station, door to door, the
scenario's service rules and demand) for seeds 1-3, and the same fleet on
lighter demand (demand scale 0.25, about MSH_mobil's bookings per vehicle),
plus variants of the other on-demand kinds on the default demand (between
stops at road junctions; a Bürgerbus with one bus and two 4-hour volunteer
duties) and, on the lighter demand, a tighter ride-time limit (1.2 x direct
+ 5 min instead of the scenario's 1.5 x direct + 15 min). Prints a Markdown table of the KPIs the issue compares with
published ranges (shared/REFERENCES.md):

- pooling rate 9-20 % (EcoBus, "share of trips shared": our
  ``shared_trip_share``; ``pooling_rate`` is the passenger-km share);
- 0.4-4 passengers per vehicle-hour (MSH_mobil low end; Bürgerbus NRW ~4
  per driver-hour);
- about 1.15 passengers per booking (MSH_mobil).

Usage::

    python benchmarks/sim_sanity.py [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from transit.evaluate.costs import default_costs
from transit.demand import DemandParams, generate_demand, region_from_osm
from transit.darp.fleet import fleet_from_specs
from transit.evaluate.kpis import kpi_frame
from transit.compare.models import build_model
from transit.opmodels.base import DayContext
from transit.sim.columns import TripLabel
from transit.opmodels.buergerbus import BuergerbusModel, BuergerbusOptions, Duty
from transit.opmodels.ondemand import OnDemandModel
from transit.compare.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
H = 3600.0
COLS = [
    "model", "seed", "requests", "served_share", "passengers_per_vehicle_hour", "shared_trip_share",
    "pooling_rate", "passengers_per_booking", "wait_mean_min", "detour_factor", "occupancy",
    "empty_km_share", "vehicle_km", "subsidy_per_passenger", "co2_per_pkm_g",
]


def main() -> None:
    """Run the variants and print the KPI table (per seed and the mean)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    args = ap.parse_args()
    sc = load_scenario(REPO / "instances/default/scenario.toml")
    region = region_from_osm(REPO / "instances/default/district.osm.gz")
    spec = next(m for m in sc.models if m.kind == "ondemand")
    drt = build_model(spec, network=region.network, date=sc.date)
    assert isinstance(drt, OnDemandModel)
    stops = OnDemandModel("On-demand, junction stops", drt.fleet, dataclasses.replace(drt.options, stop_based=True))
    tight = OnDemandModel(
        "On-demand, ride <= 1.2 x direct + 5 min",
        drt.fleet,
        dataclasses.replace(drt.options, service=dataclasses.replace(sc.service, max_ride_alpha=1.2, max_ride_beta_min=5.0)),
    )
    one_bus = fleet_from_specs(drt.fleet.vehicles[:1], drt.fleet.service)
    bb = BuergerbusModel(
        "Buergerbus, 1 bus, 2 duties", one_bus,
        BuergerbusOptions(roster=(Duty(one_bus.vehicles[0].id, 8 * H, 12 * H), Duty(one_bus.vehicles[0].id, 13 * H, 17 * H))),
    )
    params = sc.demand.params or DemandParams.default()
    light = params.replace(scale=params.scale * 0.25)
    runs = []
    for seed in args.seeds:
        for label, p, models in (
            ("default demand", params, [drt, stops, bb]),
            ("demand x 0.25", light, [drt, tight]),
        ):
            demand = generate_demand(region, p, np.random.default_rng(seed))
            labels = {t.request_id: TripLabel(t.home_zone, t.purpose) for t in demand.trips}
            ctx = DayContext(network=region.network, service=sc.service, labels=labels)
            for m in models:
                run = m.run(demand.bookings, ctx, seed=seed, rng=np.random.default_rng(seed))
                run = dataclasses.replace(run, model=f"{run.model} ({label})")
                runs.append((run, seed))
    df = kpi_frame(runs, default_costs())[COLS]
    mean = df.drop(columns=["seed"]).groupby("model", sort=False).mean(numeric_only=True).reset_index()
    mean.insert(1, "seed", "mean")
    out = pd.concat([df, mean], ignore_index=True)
    print("| " + " | ".join(out.columns) + " |")
    print("|" + "---|" * len(out.columns))
    for row in out.itertuples(index=False):
        cells = [f"{x:.3g}" if isinstance(x, float) else str(x) for x in row]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
