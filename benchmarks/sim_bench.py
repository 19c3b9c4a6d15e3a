"""Benchmark the simulated service day of the on-demand model.

A day of N requests (default 500, 2,000 and 8,000) on the bundled default
district (``instances/default``), demand from :mod:`transit.demand` scaled to
N (its mix of pre-booked, short-notice and immediate bookings), 20 minibuses
(8 seats, 1 wheelchair place, 06:00-22:00) at the middle-order centre and the
three basic centres, door to door, rolling re-optimisation every 20 minutes.

Measured (wall clock; the day itself is deterministic):

- ``total_s``: the whole simulated day (cut-off plan, every booking
  decision, every re-optimisation, driving, the independent check);
- ``decision_ms_median`` / ``_p95``: one live booking's decision (accept
  with a promised window, or reject);
- ``cutoff_s``, ``reopt_s``: time in the solver at the cut-off and in all
  re-optimisations; ``check_s`` is included in ``total_s``.
- ``horizon_req``, ``ms_per_req``, ``growth``: requests in a re-optimisation's
  horizon (mean), its time per such request, and the exponent of its time
  against them over the day (slope of log time on log requests; 1 = linear).

- ``cpu_s``, ``peak_mb``: CPU time of the day and peak memory of the process
  that ran the row (each row runs in a fresh process).

Usage::

    python benchmarks/sim_bench.py                   # 500, 2000, 8000
    python benchmarks/sim_bench.py --requests 2000 --vehicles 20
    python benchmarks/sim_bench.py --scale           # 10,000 requests / 100 vehicles, 30,000 / 300
    python benchmarks/sim_bench.py --requests 10000 --vehicles 100 --seed 2 --polish-vehicles 0
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np

from transit.compare.school import split_school
from transit.demand import DemandParams, generate_demand, region_from_osm
from transit.darp.fleet import VehicleSpec, fleet_from_specs
from transit.darp.build import build_problem
from transit.darp.service import ServiceRules
from transit.sim import SimSettings, simulate_day
from transit.solver import SearchSettings

REPO = Path(__file__).resolve().parents[1]
DEPOTS = ("Sangerhain", "Kloppenstedt", "Wipperau", "Helmsrode")


def depots() -> list[tuple[float, float]]:
    """Return the depot coordinates: the centre and the basic centres of the district."""
    import csv

    rows = {r["name"]: r for r in csv.DictReader((REPO / "instances/default/places.csv").open(encoding="utf-8"))}
    return [(float(rows[n]["lat"]), float(rows[n]["lon"])) for n in DEPOTS if n in rows]


def _everyday(demand) -> list:
    """Return the bookings of a day that an on-demand service gets: no pupils' school trips (they ride the
    school buses, :func:`transit.compare.school.split_school`), at most 8 passengers."""
    everyday, _ = split_school(demand.bookings, {t.request_id: t for t in demand.trips})
    return [b for b in everyday if b.passengers <= 8]


def day(region, n_requests: int, seed: int):
    """Return about ``n_requests`` everyday bookings of one day."""
    base = len(_everyday(generate_demand(region, DemandParams.default(), np.random.default_rng(seed))))
    params = DemandParams.default().replace(scale=n_requests / base)
    return _everyday(generate_demand(region, params, np.random.default_rng(seed)))


def run(region, n_requests: int, n_vehicles: int, settings: SimSettings, seed: int = 1) -> dict:
    """Simulate one day; return the measurements."""
    bookings = day(region, n_requests, seed)
    spots = depots()
    specs = [
        VehicleSpec(
            id=f"bus-{k + 1}", depot_lat=spots[k % len(spots)][0], depot_lon=spots[k % len(spots)][1],
            seats=8, wheelchair=1, shift_start=6 * 3600.0, shift_end=22 * 3600.0,
        )
        for k in range(n_vehicles)
    ]
    fleet = fleet_from_specs(specs, ServiceRules())
    t0 = time.perf_counter()
    bp = build_problem(bookings, fleet, region.network)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = simulate_day(bp.problem, [b.booked_at for b in bookings], fleet.service, settings=settings, seed=seed)
    total = time.perf_counter() - t0
    st = res.stats
    dm = np.array(st.decision_ms)
    accepted = sum(d.accepted for d in res.decisions.values())
    return {
        "requests": len(bookings),
        "prebooked": st.prebooked,
        "live": st.live_bookings,
        "vehicles": n_vehicles,
        "served_share": accepted / max(1, len(bookings)),
        "build_s": t_build,
        "total_s": total,
        "cutoff_s": st.cutoff_seconds,
        "reopt_s": float(sum(st.reopt_seconds)),
        "reopts": st.reoptimisations,
        "reopt_groups": st.reopt_groups,
        **_growth(st.reopt_seconds, st.reopt_requests),
        "reopt_discarded": st.reopt_discarded,
        "decision_ms_median": float(np.median(dm)) if dm.size else float("nan"),
        "decision_ms_p95": float(np.percentile(dm, 95)) if dm.size else float("nan"),
    }


def _growth(seconds: list[float], requests: list[int]) -> dict:
    """Return the re-optimisations' mean size, time per request and growth exponent.

    The exponent is the slope of log(seconds) against log(requests in the horizon) over the day's
    re-optimisations (1: time grows linearly with the requests in the horizon, 2: with their square).
    """
    sec = np.array(seconds, float)
    req = np.array(requests, float)
    keep = (req > 0) & (sec > 0)
    if keep.sum() < 3:
        return {"horizon_req": float("nan"), "ms_per_req": float("nan"), "growth": float("nan")}
    slope = float(np.polyfit(np.log(req[keep]), np.log(sec[keep]), 1)[0])
    return {"horizon_req": float(req[keep].mean()), "ms_per_req": 1000.0 * sec[keep].sum() / req[keep].sum(),
            "growth": slope}


def _row(n: int, vehicles: int, settings: SimSettings, seed: int) -> dict:
    """Run one row in this (fresh) process after a warm-up; add its peak memory and CPU time."""
    import resource

    region = region_from_osm(REPO / "instances/default/district.osm.gz")
    # Warm up the compiled kernels so that compilation is not timed.
    run(region, 60, 3, SimSettings(cutoff_iterations=5, reopt_iterations=5), seed=99)
    c0 = time.process_time()
    r = run(region, n, vehicles, settings, seed=seed)
    r["cpu_s"] = time.process_time() - c0
    r["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return r


#: The rows of the scale targets: a district's day (10,000 requests, 100 vehicles) and a whole
#: Landkreis with the bus network replaced (30,000 requests, 300 vehicles).
SCALE_ROWS = ((10_000, 100), (30_000, 300))


def main() -> None:
    """Run the benchmark and print a Markdown table (each row in a fresh process, for its peak memory)."""
    import concurrent.futures as cf
    import multiprocessing

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, nargs="*", default=[500, 2000, 8000])
    ap.add_argument("--vehicles", type=int, default=20)
    ap.add_argument("--scale", action="store_true",
                    help="run the scale rows instead: 10,000 requests with 100 vehicles, 30,000 with 300")
    ap.add_argument("--reopt-min", type=float, default=SimSettings().reopt_interval_min)
    ap.add_argument("--cutoff-iterations", type=int, default=SimSettings().cutoff_iterations)
    ap.add_argument("--reopt-iterations", type=int, default=SimSettings().reopt_iterations)
    ap.add_argument("--horizon-min", type=float, default=SimSettings().reopt_horizon_min)
    ap.add_argument("--group", type=int, default=SimSettings().reopt_group_vehicles,
                    help="re-optimise in groups of at most this many vehicles (0: the whole fleet at once)")
    ap.add_argument("--polish-vehicles", type=int, default=SearchSettings().polish_vehicles,
                    help="the local search tries each request in so many near vehicles (0: every vehicle)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    settings = SimSettings(
        reopt_interval_min=args.reopt_min,
        cutoff_iterations=args.cutoff_iterations,
        reopt_iterations=args.reopt_iterations,
        reopt_horizon_min=args.horizon_min,
        reopt_group_vehicles=args.group,
        search=SearchSettings(polish_vehicles=args.polish_vehicles),
    )
    rows = SCALE_ROWS if args.scale else tuple((n, args.vehicles) for n in args.requests)
    print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"settings: {settings}")
    cols = ["requests", "prebooked", "live", "vehicles", "served_share", "total_s", "cpu_s", "peak_mb", "cutoff_s",
            "reopt_s", "reopts", "reopt_groups", "horizon_req", "ms_per_req", "growth", "decision_ms_median",
            "decision_ms_p95"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    ctx = multiprocessing.get_context("spawn")
    for n, vehicles in rows:
        with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            r = pool.submit(_row, n, vehicles, settings, args.seed).result()
        cells = [f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c]) for c in cols]
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
