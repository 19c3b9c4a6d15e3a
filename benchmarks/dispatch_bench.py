"""Dispatch benchmark: a day of 300 bookings and 6 vehicles on the north-bayreuth extract.

Goal (issue 7): the plan ``transit dispatch`` makes with its default settings
takes <= 30 s, and its objective is within 2% of the plan the same solver
finds in 5 minutes.

Protocol
--------
1. Build the road graph from ``../shared/data/osm/north-bayreuth.osm.gz``
   and save it as GraphML (not timed: the dispatcher has it already).
2. Generate a day of bookings with the demand generator (``transit.demand``,
   issue 4) at a scale that gives more than 300 bookings, and keep 300 of
   them drawn with a fixed seed (``--bookings-seed``); write them as a
   bookings CSV. Fleet: 6 minibuses (8 seats, 1 wheelchair place) at the
   Neudrossenfeld depot, shifts 06:00-22:00 with a 30-minute break between
   11:00 and 14:00, the service rules of the issue.
3. *Default run* (timed): exactly what ``transit dispatch BOOKINGS --network
   GRAPH --fleet FLEET --out DIR`` does (read and validate the files, load
   the graph, build the problem, solve with the default work budget, check,
   write every output), run in-process through the CLI.
4. *Long run*: the same problem solved by the same solver with a 5-minute
   time limit and an unbounded iteration budget, checked.
5. Gap = (default objective - long objective) / long objective, on the
   dispatcher's objective (driving time + 0.25 * passenger ride time +
   10^7 per rejected booking, see transit.darp.build). Served
   bookings, km and vehicle-hours of both are printed too.

Run::

    python benchmarks/dispatch_bench.py                # default + 5-minute run
    python benchmarks/dispatch_bench.py --long 60      # shorter reference run
    python benchmarks/dispatch_bench.py --budgets 500,2000,8000   # convergence

The machine is shared while developing: timings are noisy.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FLEET = """\
[service]
pickup_window_min = 15
max_ride_alpha = 1.5
max_ride_beta_min = 15
dwell_min = 1
boarding_min_per_passenger = 0.5

[[vehicle]]
id = "bus"
count = 6
depot_lat = 50.0183
depot_lon = 11.5012
seats = 8
wheelchair = 1
shift_start = "06:00"
shift_end = "22:00"
cost_per_hour = 35.0
cost_per_km = 0.40
[vehicle.break]
earliest = "11:00"
latest = "14:00"
duration_min = 30
"""


def make_inputs(work: Path, n_bookings: int, seed: int) -> tuple[Path, Path, Path]:
    """Write the graph, the bookings and the fleet file into ``work``."""
    from transit.demand.bookings import write_bookings
    from transit.demand.generator import generate_bookings
    from transit.demand.params import DemandParams
    from transit.demand.region import region_from_osm
    from transit.road.graph import build_graph, save_graph
    from transit.road.travel import RoadNetwork

    osm = REPO.parent / "shared" / "data" / "osm" / "north-bayreuth.osm.gz"
    G = build_graph(osm)
    graph = work / "north-bayreuth.graphml"
    save_graph(G, graph)
    net = RoadNetwork.from_graph(G)
    region = region_from_osm(osm, network=net)
    params = DemandParams.default()
    scale = 1.0
    while True:
        day = generate_bookings(region, params.replace(scale=scale), seed)
        if len(day) >= n_bookings:
            break
        scale *= 1.5
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(day), size=n_bookings, replace=False))
    chosen = [day[i] for i in keep]
    chosen = [dataclasses.replace(b, request_id=f"b{k:03d}") for k, b in enumerate(chosen, start=1)]
    bookings = work / "bookings.csv"
    write_bookings(chosen, bookings, service_date=params.service_date)
    fleet = work / "fleet.toml"
    fleet.write_text(FLEET, encoding="utf-8")
    print(f"demand: scale {scale:g} gave {len(day)} bookings, kept {n_bookings}", flush=True)
    return graph, bookings, fleet


def default_run(graph: Path, bookings: Path, fleet: Path, out: Path, extra: list[str]) -> tuple[float, dict]:
    """Run ``transit dispatch`` as a user does (a new process); return (seconds, summary)."""
    args = ["dispatch", str(bookings), "--network", str(graph), "--fleet", str(fleet), "--out", str(out), "--force"]
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, str(REPO / "cli.py"), *args, *extra], capture_output=True, text=True, check=False
    )
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        print(res.stdout, res.stderr)
        raise SystemExit(f"dispatch failed with exit code {res.returncode}")
    print(res.stdout.strip(), flush=True)
    return dt, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def solve_run(graph: Path, bookings: Path, fleet: Path, *, time_limit: float | None, iterations: int | None):
    """Solve the benchmark problem directly; return (seconds, plan, cost)."""
    from transit.demand.bookings import read_bookings
    from transit.darp.checker import check, evaluate
    from transit.dispatch import load_network
    from transit.darp.fleet import read_fleet
    from transit.darp.build import build_problem
    from transit.solver import solve

    fl = read_fleet(fleet)
    _, net = load_network(graph)
    built = build_problem(read_bookings(bookings, network=net, capacities=fl.capacities), fl, net)
    t0 = time.perf_counter()
    plan = solve(built.problem, time_limit=time_limit, iterations=iterations, seed=0)
    dt = time.perf_counter() - t0
    violations = check(built.problem, plan)
    if violations:
        raise SystemExit(f"plan fails the checker: {violations[:3]}")
    return dt, plan, evaluate(built.problem, plan)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bookings", type=int, default=300)
    ap.add_argument("--bookings-seed", type=int, default=1)
    ap.add_argument("--long", type=float, default=300.0, help="seconds of the reference run (0: skip)")
    ap.add_argument("--budgets", default="", help="comma-separated iteration budgets to time (convergence)")
    ap.add_argument("--work", type=Path, default=None, help="folder for inputs and outputs (default: temporary)")
    args = ap.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="dispatch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}; python {platform.python_version()}", flush=True)
    graph, bookings, fleet = make_inputs(work, args.bookings, args.bookings_seed)

    # warm the compiled solver once so the timed run measures the dispatcher, not numba's cache
    solve_run(graph, bookings, fleet, time_limit=None, iterations=0)

    seconds, summ = default_run(graph, bookings, fleet, work / "out", [])
    print(
        f"default run: {seconds:.1f} s total, {summ['solver'].get('iterations')} iterations, "
        f"objective {summ['objective']:.1f}, served {summ['served']}/{summ['bookings']}, "
        f"{summ['km']:.1f} km, {summ['vehicle_hours']:.1f} vehicle-hours",
        flush=True,
    )
    for b in [int(x) for x in args.budgets.split(",") if x.strip()]:
        dt, plan, cost = solve_run(graph, bookings, fleet, time_limit=None, iterations=b)
        print(f"budget {b:>7d}: {dt:6.1f} s, objective {cost.objective:.1f}, served {cost.served}", flush=True)
    if args.long > 0:
        dt, plan, cost = solve_run(graph, bookings, fleet, time_limit=args.long, iterations=10**9)
        gap = (summ["objective"] - cost.objective) / cost.objective * 100.0
        rejection = summ["weights"]["rejection"]
        op_default = summ["objective"] - rejection * summ["unserved"]
        op_long = cost.objective - rejection * cost.rejected
        print(
            f"long run: {dt:.1f} s, {plan.stats.iterations} iterations, objective {cost.objective:.1f}, "
            f"served {cost.served}, {cost.distance / 1000:.1f} km",
            flush=True,
        )
        print(f"gap of the default plan to the {args.long:g}-second plan: {gap:+.3f}% (whole objective)")
        if summ["unserved"] == cost.rejected:
            op_gap = (op_default - op_long) / op_long * 100.0
            print(
                f"same bookings served; gap on the operating part (driving + 0.25 ride time): "
                f"{op_default:.1f} vs {op_long:.1f} = {op_gap:+.2f}%",
                flush=True,
            )
        else:
            print(f"served differs: default {summ['served']}, long {cost.served}", flush=True)
    print(f"inputs and outputs in {work}")


if __name__ == "__main__":
    main()
