"""Benchmark the dial-a-ride solver on the Cordeau (2006) or Cordeau & Laporte (2003) instances.

Runs :func:`transit.solver.solve` on each instance until a wall-clock limit
(``search_until="time"``: it stops earlier only when converged; a
time-to-quality benchmark, not a reproducible run), checks every plan with
the independent checker and prints a Markdown table with the columns of
``transit bench darp`` (instance, vehicles, requests, served, feasible,
cost, seconds, bks, gap_pct) plus the time to the first solution.

Usage (from the repository root)::

    python benchmarks/darp_bench.py --time-limit 10
    python benchmarks/darp_bench.py --time-limit 60 --out darp_60s.csv
    python benchmarks/darp_bench.py --time-limit 10 --only a6-72,a5-60 --seed 1
    python benchmarks/darp_bench.py --time-limit 10 --darp ../shared/benchmarks/darp-pr

``--iterations N`` gives a fixed work budget instead (reproducible results;
the time limit is then only a safety cap), ``--iterations default`` uses
the solver's default budget (what ``transit bench darp`` does).
"""

from __future__ import annotations

import argparse
import logging
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from transit.util.atomic import atomic_write_text
from transit.darp.benchmark import bench_row, format_csv, read_bks
from transit.darp.cordeau import read_cordeau
from transit.solver import solve

UNLIMITED = 2**62
"""An iteration budget no run reaches: the time limit ends the search."""

DARP = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "darp"


def run_darp(
    files: list[Path],
    *,
    time_limit: float,
    seed: int = 0,
    iterations: int | None = UNLIMITED,
    bks: dict[str, float] | None = None,
) -> list[dict[str, Any]]:
    """Solve and check each instance; return one result row per instance.

    Parameters
    ----------
    files
        Cordeau instance files.
    time_limit
        Seconds per instance.
    seed
        Solver seed.
    iterations
        Work budget; :data:`UNLIMITED` lets the time limit govern, None uses
        the solver's default budget.
    bks
        Best-known costs by instance name (for the gap).
    """
    rows = []
    for path in files:
        inst = read_cordeau(path)
        t0 = time.perf_counter()
        if iterations == UNLIMITED:
            # The time limit governs; the search stops earlier only when it has converged.
            plan = solve(inst.problem, time_limit=time_limit, seed=seed, search_until="time")
        else:
            plan = solve(inst.problem, time_limit=time_limit, iterations=iterations, seed=seed)
        seconds = time.perf_counter() - t0
        row = bench_row(inst, plan, seconds, (bks or {}).get(inst.name))
        row["first_ms"] = 1000.0 * float(plan.stats.first_solution_seconds)
        row["iterations"] = int(plan.stats.iterations)
        rows.append(row)
        gap = "" if row["gap_pct"] is None else f"{row['gap_pct']:.3f}%"
        logging.getLogger("darp_bench").info(
            "%s: feasible=%s cost=%.2f gap=%s %.1f s", inst.name, row["feasible"], row["cost"], gap, seconds
        )
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """Return the rows as a Markdown table with a summary line."""
    out = [
        "| instance | vehicles | requests | served | feasible | cost | seconds | bks | gap_pct | first solution ms | iterations |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        gap = "" if r["gap_pct"] is None else f"{r['gap_pct']:.3f}"
        bks = "" if r["bks"] is None else f"{r['bks']:.2f}"
        out.append(
            f"| {r['instance']} | {r['vehicles']} | {r['requests']} | {r['served']} | "
            f"{'yes' if r['feasible'] else 'NO'} | {r['cost']:.2f} | {r['seconds']:.1f} | {bks} | {gap} | "
            f"{r['first_ms']:.1f} | {r['iterations']} |"
        )
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    feasible = sum(1 for r in rows if r["feasible"])
    summary = f"{feasible}/{len(rows)} feasible with all requests served"
    if gaps:
        summary += f"; mean gap {statistics.mean(gaps):.3f}%, max {max(gaps):.3f}%"
    first = [r["first_ms"] for r in rows]
    summary += f"; first solution max {max(first):.1f} ms"
    return "\n".join(out) + "\n\n" + summary + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--time-limit", type=float, required=True, help="seconds per instance")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--iterations", default="unlimited", help="'unlimited' (default), 'default' or a number")
    ap.add_argument("--only", default="", help="comma-separated instance names")
    ap.add_argument("--darp", type=Path, default=DARP, help="folder with instances/ and bks.csv")
    ap.add_argument("--out", type=Path, help="also write the rows as CSV (transit bench darp columns)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("transit").setLevel(logging.ERROR)
    iterations: int | None
    if args.iterations == "unlimited":
        iterations = UNLIMITED
    elif args.iterations == "default":
        iterations = None
    else:
        iterations = int(args.iterations)
    bks = read_bks(args.darp / "bks.csv")
    names = [n for n in args.only.split(",") if n] or list(bks)
    files = [args.darp / "instances" / f"{name}.txt" for name in names]
    rows = run_darp(files, time_limit=args.time_limit, seed=args.seed, iterations=iterations, bks=bks)
    if args.out is not None:
        atomic_write_text(args.out, format_csv(rows))
    print(f"Date {date.today()}, {platform.node()} ({platform.processor() or platform.machine()}), "
          f"python {platform.python_version()}; command: python benchmarks/darp_bench.py "
          + " ".join(sys.argv[1:] if argv is None else argv))
    print()
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
