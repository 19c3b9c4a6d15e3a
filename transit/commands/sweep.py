"""`transit sweep`: a scenario over the combinations of some of its keys and many seeds, on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from transit.commands._common import fail, progress_bar, user_errors
from transit.commands._lang import LangOption, apply_lang
from transit.util.i18n import _, ngettext

if TYPE_CHECKING:
    from transit.sweep.result import SweepResult


def sweep(
    file: Annotated[
        Path,
        typer.Argument(help="Sweep TOML: a scenario plus a [sweep] table of axes (dotted scenario keys with "
                       "lists of values) and seeds; see transit/sweep/spec.py.", show_default=False),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default out/sweep-<file name>).", show_default=False),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Submit the tasks to this Dask scheduler (tcp://HOST:PORT) instead of "
                     "starting a local cluster.", show_default=False),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Workers of the local cluster (default: one per core; 1: run "
                     "here, without Dask). Results do not depend on it.", show_default=False),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Go on with an existing output folder: skip the tasks finished there.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Start over in an existing output folder.")] = False,
    lang: LangOption = None,
) -> None:
    """Run every combination x seed of a sweep as one task; write results, summary and sweep.html.

    Writes results.parquet and results.csv (one row per model x combination x seed), summary.csv (mean and
    95% interval over the seeds), cheapest.csv (per model, the combination cheapest per passenger at the
    service level), failures.csv and sweep.html (response curves) into the output folder; each finished
    task is kept in OUT/tasks/ at once, so --resume loses nothing finished. A failed task is reported with
    its combination and the others go on; the command then exits with code 1.
    """
    from transit.compare.engine import Engine
    from transit.sweep.run import run_sweep, write_sweep
    from transit.sweep.spec import load_sweep

    with user_errors():
        apply_lang(lang)
        if resume and force:
            raise fail(_("give --resume or --force, not both"))
        if scheduler is not None and jobs is not None:
            raise fail(_("give --scheduler or --jobs, not both (the cluster's workers run the tasks)"))
        sw = load_sweep(file)
        target = out if out is not None else Path("out") / f"sweep-{file.stem}"
        if scheduler:
            where = _("on {scheduler}").format(scheduler=scheduler)
        else:
            where = _("here") if jobs == 1 else _("on a local Dask cluster")
        typer.echo(_("{name}: {combinations} combinations x {seeds} seeds = {tasks} tasks, {where}").format(
            name=sw.scenario.name, combinations=len(sw.combinations), seeds=len(sw.seeds), tasks=sw.n_tasks,
            where=where), err=True)
        with Engine(jobs=jobs, scheduler=scheduler, option="--scheduler" if scheduler else "--jobs") as engine:
            n = engine.workers
            with progress_bar(ngettext("sweep ({n} worker)", "sweep ({n} workers)", n).format(n=n)) as bar:
                result = run_sweep(sw, target, engine=engine, resume=resume, force=force, progress=bar)
        write_sweep(result, target)
    _report(result, sw.service_level, target)


def _report(result: "SweepResult", service_level: float, target: Path) -> None:
    """Print what the sweep found; exit 1 if a task failed."""
    n_fail = len(result.failures)
    typer.echo(_("{ran} tasks run, {reused} taken from before, {failed} failed").format(
        ran=result.ran, reused=result.reused, failed=n_fail))
    for row in result.cheapest.itertuples(index=False):
        if row.note:
            typer.echo(f"  {row.model}: {row.note}")
        else:
            typer.echo("  " + _("{model}: cheapest per passenger at >= {level} served: combination {combination} "
                                "({cost} per passenger, {served} served)").format(
                model=row.model, level=f"{service_level:.0%}", combination=row.combination,
                cost=f"{row.cost_per_passenger:.2f}", served=f"{row.served_share:.0%}"))
    typer.echo(_("wrote {folder}/ (results.parquet, results.csv, summary.csv, cheapest.csv, sweep.html)").format(
        folder=target))
    if n_fail:
        for row in result.failures.itertuples(index=False):
            typer.echo(_("failed: combination {combination}, seed {seed}: {error}").format(
                combination=row.combination, seed=row.seed, error=row.error), err=True)
        typer.echo(_("run the same command with --resume to try the failed tasks again"), err=True)
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add the `sweep` command to the root app."""
    app.command("sweep")(sweep)
