"""Time `transit compare` on a scenario (default: the bundled default scenario) with 1 and 2 jobs.

Usage::

    python benchmarks/compare_bench.py [SCENARIO.toml] [--seeds N] [--jobs 1 2] [--adaptive] [--no-sensitivity]

Prints a Markdown table: jobs, seeds, wall-clock and CPU seconds of the
comparison (region, demand, every model and seed, access probes, sensitivity
runs, map layers; not the report), and whether the KPI table is identical to
the first run's. ``--adaptive`` runs as ``transit compare`` without
``--seeds`` (seeds added until the main KPIs are precise, up to the cap);
``--no-sensitivity`` leaves out the sensitivity runs.
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
    ap.add_argument("--adaptive", action="store_true", help="add seeds until precise (as transit compare)")
    ap.add_argument("--no-sensitivity", action="store_true", help="leave out the sensitivity runs")
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    seeds = None if args.adaptive else sc.seed_list(args.seeds)
    sens = not args.no_sensitivity
    print(f"scenario: {args.scenario} ({len(sc.models)} models, seeds {seeds or 'adaptive'}, sensitivity {sens})\n")
    print("| jobs | seeds | sensitivity | wall s | CPU s (this process) | bookings per seed | KPIs identical to first run |")
    print("|---:|---:|---|---:|---:|---:|---|")
    first = None
    for jobs in args.jobs:
        t0 = time.perf_counter()
        c0 = time.process_time()
        comp = run_comparison(sc, seeds=seeds, jobs=jobs, sensitivity=sens)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        csv = comp.kpis.to_csv(index=False)
        same = "-" if first is None else str(csv == first)
        first = first or csv
        per_seed = comp.kpis.groupby("seed")["requests"].first().mean()
        print(f"| {jobs} | {len(comp.seeds)} | {sens} | {wall:.1f} | {cpu:.1f} | {per_seed:.0f} | {same} |")


if __name__ == "__main__":
    main()
