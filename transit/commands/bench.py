"""`transit bench` commands: run the solver on published benchmark instances."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from transit.util.atomic import atomic_write_text, output_dir
from transit.commands._common import check_output, solver_ready, user_errors
from transit.commands._lang import LangOption, apply_lang
from transit.darp.benchmark import bench_row, format_csv, read_bks
from transit.darp.cordeau import read_cordeau, write_routes
from transit.errors import InputError, SolverError
from transit.darp.data import Plan
from transit.util.i18n import _, current

app = typer.Typer(help="Benchmarks against published instances.", no_args_is_help=True)


def _load_solver() -> Callable[..., Plan]:
    """Return ``transit.solver.solve`` (imported late: the CLI must start without it)."""
    from transit.solver import solve

    solver_ready()
    return solve


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
    seed: Annotated[int, typer.Option("--seed", min=0, help="Solver seed.")] = 0,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="With --time-limit (no --budget): searches side by side, sharing their best solution "
            "(default: one per core, at most 2).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out file or --solutions folder.")] = False,
    lang: LangOption = None,
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
    kwargs = solver_options(time_limit=time_limit, budget=budget, seed=seed, workers=workers)
    with user_errors():
        apply_lang(lang)
        loaded = _read_instances(instances)  # every input validated before solving anything
        best = read_bks(bks) if bks is not None else {}
        if out.is_dir():
            msg = _("is a folder, not a file")
            raise InputError(msg, file=str(out), column="--out")
        check_output(out, solutions, force=force)
        solve = _load_solver()

        rows: list[dict[str, Any]] = []
        with _maybe_output_dir(solutions, force=force) as folder:
            for k, inst in enumerate(loaded, start=1):
                typer.echo(_("[{k}/{total}] {name}: {vehicles} vehicles, {requests} requests ...").format(
                    k=k, total=len(loaded), name=inst.name, vehicles=inst.K, requests=inst.n), err=True)
                t0 = time.perf_counter()
                try:
                    plan = solve(inst.problem, **kwargs)
                except SolverError as exc:
                    typer.echo(_("[{k}/{total}] {name}: solver failed: {problem}").format(
                        k=k, total=len(loaded), name=inst.name, problem=exc), err=True)
                    plan = Plan(routes=())
                seconds = time.perf_counter() - t0
                row = bench_row(inst, plan, seconds, best.get(inst.name))
                rows.append(row)
                if plan.stats.stop_reason == "converged":
                    done, last = plan.stats.iterations, plan.stats.last_improvement
                    typer.echo(_("[{k}/{total}] {name}: converged before the time limit: no better solution "
                                 "in the last {quiet} of {done} iterations").format(
                        k=k, total=len(loaded), name=inst.name, quiet=done - last, done=done), err=True)
                if folder is not None:
                    write_routes(inst, plan, folder / f"{inst.name}.routes")
                typer.echo(_summary_line(k, len(loaded), row), err=True)
            atomic_write_text(out, format_csv(rows))
    feasible = [r for r in rows if r["feasible"]]
    gaps = [r["gap_pct"] for r in feasible if r["gap_pct"] is not None]
    tr = current()
    gap_text = _(", mean gap {mean:.3f}%, max {max:.3f}%")
    tail = tr.format(gap_text, mean=sum(gaps) / len(gaps), max=max(gaps)) if gaps else ""
    typer.echo(_("{feasible}/{n} feasible{gaps}; wrote {path}").format(feasible=len(feasible), n=len(rows), gaps=tail,
                                                                         path=out), err=True)


def _read_instances(paths: list[Path]) -> list[Any]:
    """Read every instance file; raise :class:`InputError` naming a file whose instance name repeats another's."""
    loaded = [read_cordeau(p) for p in paths]
    names: dict[str, Path] = {}
    for inst, p in zip(loaded, paths):
        if inst.name in names:
            msg = _("instance name {name!r} given twice ({first} and {second})").format(
                name=inst.name, first=names[inst.name], second=p)
            raise InputError(msg, file=str(p))
        names[inst.name] = p
    return loaded


def solver_options(
    *, time_limit: float | None, budget: int | None, seed: int, workers: int | None = None
) -> dict[str, Any]:
    """Return the keyword arguments of ``solve`` for the command's work options.

    ``budget`` given: that many iterations, ``time_limit`` (if any) a safety
    cap. Else ``time_limit`` given: search until it (``search_until="time"``)
    with ``workers`` searches side by side (default: one per core, at most 2).
    Else: the solver's default budget, no cap.
    """
    if budget is not None:
        return {"time_limit": time_limit, "iterations": budget, "seed": seed}
    if time_limit is not None:
        n = workers if workers is not None else max(1, min(2, os.cpu_count() or 1))
        return {"time_limit": time_limit, "search_until": "time", "seed": seed, "workers": n}
    return {"seed": seed}


def _summary_line(k: int, total: int, row: dict[str, Any]) -> str:
    tr = current()
    state = _("feasible") if row["feasible"] else _("NOT feasible")
    gap = tr.format(_(", gap {gap:.3f}%"), gap=row["gap_pct"]) if row["gap_pct"] is not None else ""
    line = tr.format(
        _("[{k}/{total}] {instance}: {state}, served {served}/{requests}, cost {cost:.4f}{gap}, {seconds:.2f} s"),
        k=k, total=total, instance=row["instance"], state=state, served=row["served"], requests=row["requests"],
        cost=row["cost"], gap=gap, seconds=row["seconds"],
    )
    violations = row["_violations"]
    if violations:
        line += _("; {n} violation(s), first: {first}").format(n=len(violations), first=violations[0])
    return line


def _maybe_output_dir(path: Path | None, *, force: bool) -> contextlib.AbstractContextManager[Path | None]:
    """Return ``output_dir(path)`` or, without a path, a context yielding None."""
    return contextlib.nullcontext() if path is None else output_dir(path, force=force)
