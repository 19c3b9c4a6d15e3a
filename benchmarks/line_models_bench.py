"""Benchmark the timetabled operating models (fixed line, Rufbus, AST) on the default district.

Demand: the project's generator on ``instances/default`` (default parameters,
``scale`` chosen so a day has about N bookings); lines: the district's GTFS
on its busiest day. Times are wall-clock seconds of ``model.run`` only (road
graph, timetable and demand built beforehand), best of ``--repeat`` runs.

Run::

    python benchmarks/line_models_bench.py --sizes 500 2000 8000 --repeat 3
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import time
from pathlib import Path

import numpy as np

from transit.demand.generator import generate_bookings
from transit.demand.params import DemandParams
from transit.demand.region import region_from_osm
from transit.timetable.lines import load_timetable
from transit.road.graph import build_graph
from transit.opmodels.base import DayContext
from transit.opmodels.fixed_line import FixedLineModel
from transit.opmodels.linerules import RufbusRules
from transit.opmodels.rufbus import RufbusModel
from transit.road.travel import RoadNetwork

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instances" / "default"


def bookings_of_size(region, n: int, seed: int) -> list:
    """Return about ``n`` generated bookings (the scale set from one default day)."""
    base = DemandParams.default()
    probe = generate_bookings(region, base, seed)
    scale = base.scale * n / max(1, len(probe))
    out = generate_bookings(region, dataclasses.replace(base, scale=scale), seed)
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 8000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    net = RoadNetwork.from_graph(build_graph(INSTANCE / "district.osm.gz"))
    region = region_from_osm(INSTANCE / "district.osm.gz", network=net)
    tt = load_timetable(INSTANCE / "gtfs")
    ctx = DayContext(network=net, service=None)
    models = [
        FixedLineModel("fixed", tt),
        RufbusModel("rufbus", tt, rufbus=RufbusRules()),
        RufbusModel("ast", tt, rufbus=RufbusRules.ast_defaults()),
    ]
    print(f"# {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"# timetable: {tt.summary()} on {tt.date}")
    print("| bookings | model | run s (best of %d) | served | trips run | share run |" % args.repeat)
    print("|---:|---|---:|---:|---:|---:|")
    for n in args.sizes:
        bookings = bookings_of_size(region, n, args.seed)
        for m in models:
            best = float("inf")
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                res = m.run(bookings, ctx, seed=args.seed, rng=np.random.default_rng(args.seed))
                best = min(best, time.perf_counter() - t0)
            served = int((res.trips.status == "served").sum())
            share = res.info.get("share_run", 1.0)
            run_n = int(res.info["trips_run"])
            print(f"| {len(bookings)} | {m.name} | {best:.2f} | {served} | {run_n} | {share:.2f} |")


if __name__ == "__main__":
    main()
