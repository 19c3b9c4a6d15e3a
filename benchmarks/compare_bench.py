"""Time `transit compare` on a scenario (default: the bundled default scenario) with 1 and 2 jobs.

Usage::

    python benchmarks/compare_bench.py [SCENARIO.toml] [--seeds N] [--jobs 1 2]

Prints a Markdown table: jobs, seeds, wall-clock seconds of the comparison
(region, demand, every model and seed, access probes, map layers; not the
report), and whether the KPI table is identical to the first run's.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from transit.compare.run import run_comparison
from transit.compare.scenario import load_scenario

DEFAULT = Path(__file__).resolve().parents[1] / "instances" / "default" / "scenario.toml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    seeds = sc.seed_list(args.seeds)
    print(f"scenario: {args.scenario} ({len(sc.models)} models, seeds {seeds})\n")
    print("| jobs | seeds | wall s | bookings per seed | KPIs identical to first run |")
    print("|---:|---:|---:|---:|---|")
    first = None
    for jobs in args.jobs:
        t0 = time.perf_counter()
        comp = run_comparison(sc, seeds=seeds, jobs=jobs)
        wall = time.perf_counter() - t0
        csv = comp.kpis.to_csv(index=False)
        same = "-" if first is None else str(csv == first)
        first = first or csv
        per_seed = comp.kpis.groupby("seed")["requests"].first().mean()
        print(f"| {jobs} | {len(seeds)} | {wall:.1f} | {per_seed:.0f} | {same} |")


if __name__ == "__main__":
    main()
