"""`transit bench` commands: run the solver on published benchmark instances."""

from __future__ import annotations

import contextlib
import csv
import io
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from transit.atomic import atomic_write_text, output_dir
from transit.checker import check, evaluate
from transit.commands._common import user_errors
from transit.cordeau import CordeauInstance, read_cordeau, write_routes
from transit.errors import InputError, OutputExistsError, SolverError
from transit.model import Plan, Problem

app = typer.Typer(help="Benchmarks against published instances.", no_args_is_help=True)

COLUMNS = ("instance", "vehicles", "requests", "served", "feasible", "cost", "seconds", "bks", "gap_pct")


def _load_solver() -> Callable[..., Plan]:
    """Return ``transit.solver.solve`` (imported late: the CLI must start without it)."""
    from transit.solver import solve

    return solve


def read_bks(path: Path) -> dict[str, float]:
    """Read best-known costs from a CSV with the columns ``instance`` and ``bks_cost``.

    Raises
    ------
    InputError
        If the file is missing, lacks a column, repeats an instance or holds
        a cost that is not a positive number; the error names file, row and column.
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        msg = "file not found"
        raise InputError(msg, file=file) from None
    except (IsADirectoryError, UnicodeDecodeError):
        msg = "not a readable CSV text file"
        raise InputError(msg, file=file) from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for column in ("instance", "bks_cost"):
        if column not in header:
            msg = f"missing column {column!r} (found: {', '.join(header) or 'nothing'})"
            raise InputError(msg, file=file, row=1, column=column)
    bks: dict[str, float] = {}
    for row_no, row in enumerate(reader, start=2):
        name = (row.get("instance") or "").strip()
        raw = (row.get("bks_cost") or "").strip()
        if not name:
            msg = "empty instance name"
            raise InputError(msg, file=file, row=row_no, column="instance")
        if name in bks:
            msg = f"instance {name!r} appears twice"
            raise InputError(msg, file=file, row=row_no, column="instance")
        try:
            value = float(raw)
        except ValueError:
            msg = f"{raw!r} is not a number"
            raise InputError(msg, file=file, row=row_no, column="bks_cost") from None
        if not math.isfinite(value) or value <= 0:
            msg = f"best-known cost must be a positive number, got {raw!r}"
            raise InputError(msg, file=file, row=row_no, column="bks_cost")
        bks[name] = value
    return bks


def bench_row(instance: CordeauInstance, plan: Plan, seconds: float, bks: float | None) -> dict[str, Any]:
    """Return the result row of one instance: the plan checked and costed independently."""
    problem: Problem = instance.problem
    violations = check(problem, plan)
    cost = evaluate(problem, plan)
    feasible = not violations and cost.served == len(problem.requests)
    gap = 100.0 * (cost.distance - bks) / bks if bks is not None and feasible else None
    return {
        "instance": instance.name,
        "vehicles": instance.K,
        "requests": instance.n,
        "served": cost.served,
        "feasible": feasible,
        "cost": cost.distance,
        "seconds": seconds,
        "bks": bks,
        "gap_pct": gap,
        "_violations": violations,
    }


def format_csv(rows: list[dict[str, Any]]) -> str:
    """Return the rows as CSV text with :data:`COLUMNS` (blank for unknown values)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row["instance"],
                row["vehicles"],
                row["requests"],
                row["served"],
                "true" if row["feasible"] else "false",
                f"{row['cost']:.4f}",
                f"{row['seconds']:.2f}",
                "" if row["bks"] is None else format(row["bks"], ".10g"),
                "" if row["gap_pct"] is None else f"{row['gap_pct']:.3f}",
            ]
        )
    return buf.getvalue()


@app.command("darp")
def darp(
    instances: Annotated[
        list[Path],
        typer.Argument(help="Instance files of Cordeau (2006, e.g. a2-16.txt) or Cordeau & Laporte (2003, e.g. pr01.txt)."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Results CSV to write (one row per instance).")],
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0.01,
            help="Seconds per instance: the search runs this long unless it converges first "
            "(with --budget: only a safety cap).",
        ),
    ] = None,
    budget: Annotated[
        int | None,
        typer.Option(
            "--budget",
            min=0,
            help="Search iterations per instance: the same plan on any machine. "
            "Without --budget and --time-limit: the solver's default budget.",
        ),
    ] = None,
    bks: Annotated[
        Path | None, typer.Option("--bks", help="CSV of best-known costs (columns instance, bks_cost).")
    ] = None,
    solutions: Annotated[
        Path | None, typer.Option("--solutions", help="Folder for <instance>.routes files (node ids per used vehicle).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Solver seed.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out file or --solutions folder.")] = False,
) -> None:
    """Solve dial-a-ride benchmark instances and check every plan independently.

    Both instance formats are read (told apart by their number of lines).
    The work per instance: ``--budget`` iterations (reproducible; a
    ``--time-limit`` then only caps it), else ``--time-limit`` seconds (the
    search stops earlier only when it has converged, and says so), else the
    solver's default budget.

    Each row: instance, vehicles, requests, served, feasible (no violation
    found by the independent checker and every request served), cost (total
    Euclidean distance recomputed by the checker), seconds (wall time of the
    solver), bks and gap_pct = 100 * (cost - bks) / bks (blank when the bks is
    unknown or the plan is not feasible).
    """
    kwargs = solver_options(time_limit=time_limit, budget=budget, seed=seed)
    with user_errors():
        # Read and validate every input before solving anything.
        loaded = [read_cordeau(p) for p in instances]
        names: dict[str, Path] = {}
        for inst, p in zip(loaded, instances):
            if inst.name in names:
                msg = f"instance name {inst.name!r} given twice ({names[inst.name]} and {p})"
                raise InputError(msg, file=str(p))
            names[inst.name] = p
        best = read_bks(bks) if bks is not None else {}
        if out.is_dir():
            msg = "is a folder, not a file"
            raise InputError(msg, file=str(out), column="--out")
        if out.exists() and not force:
            msg = f"{out}: output exists; use --force to replace it"
            raise OutputExistsError(msg)
        solve = _load_solver()

        rows: list[dict[str, Any]] = []
        with _maybe_output_dir(solutions, force=force) as folder:
            for k, inst in enumerate(loaded, start=1):
                typer.echo(f"[{k}/{len(loaded)}] {inst.name}: {inst.K} vehicles, {inst.n} requests ...", err=True)
                t0 = time.perf_counter()
                try:
                    plan = solve(inst.problem, **kwargs)
                except SolverError as exc:
                    typer.echo(f"[{k}/{len(loaded)}] {inst.name}: solver failed: {exc}", err=True)
                    plan = Plan(routes=())
                seconds = time.perf_counter() - t0
                row = bench_row(inst, plan, seconds, best.get(inst.name))
                rows.append(row)
                if plan.stats.get("stop_reason") == "converged":
                    done, last = int(plan.stats["iterations"]), int(plan.stats["last_improvement"])
                    typer.echo(
                        f"[{k}/{len(loaded)}] {inst.name}: converged before the time limit: no better solution "
                        f"in the last {done - last} of {done} iterations",
                        err=True,
                    )
                if folder is not None:
                    write_routes(inst, plan, folder / f"{inst.name}.routes")
                typer.echo(_summary_line(k, len(loaded), row), err=True)
            atomic_write_text(out, format_csv(rows))
    feasible = [r for r in rows if r["feasible"]]
    gaps = [r["gap_pct"] for r in feasible if r["gap_pct"] is not None]
    tail = f", mean gap {sum(gaps) / len(gaps):.3f}%, max {max(gaps):.3f}%" if gaps else ""
    typer.echo(f"{len(feasible)}/{len(rows)} feasible{tail}; wrote {out}", err=True)


def solver_options(*, time_limit: float | None, budget: int | None, seed: int) -> dict[str, Any]:
    """Return the keyword arguments of ``solve`` for the command's work options.

    ``budget`` given: that many iterations, ``time_limit`` (if any) a safety
    cap. Else ``time_limit`` given: search until it (``search_until="time"``).
    Else: the solver's default budget, no cap.
    """
    if budget is not None:
        return {"time_limit": time_limit, "iterations": budget, "seed": seed}
    if time_limit is not None:
        return {"time_limit": time_limit, "search_until": "time", "seed": seed}
    return {"seed": seed}


def _summary_line(k: int, total: int, row: dict[str, Any]) -> str:
    state = "feasible" if row["feasible"] else "NOT feasible"
    gap = f", gap {row['gap_pct']:.3f}%" if row["gap_pct"] is not None else ""
    line = (
        f"[{k}/{total}] {row['instance']}: {state}, served {row['served']}/{row['requests']}, "
        f"cost {row['cost']:.4f}{gap}, {row['seconds']:.2f} s"
    )
    violations = row["_violations"]
    if violations:
        line += f"; {len(violations)} violation(s), first: {violations[0]}"
    return line


def _maybe_output_dir(path: Path | None, *, force: bool) -> contextlib.AbstractContextManager[Path | None]:
    """Return ``output_dir(path)`` or, without a path, a context yielding None."""
    return contextlib.nullcontext() if path is None else output_dir(path, force=force)
