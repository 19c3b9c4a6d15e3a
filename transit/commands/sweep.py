"""`transit sweep`: a scenario over the combinations of some of its keys and many seeds, on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from transit.commands._common import fail, progress_bar, user_errors


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

    if resume and force:
        raise fail("give --resume or --force, not both")
    if scheduler is not None and jobs is not None:
        raise fail("give --scheduler or --jobs, not both (the cluster's workers run the tasks)")
    with user_errors():
        sw = load_sweep(file)
        target = out if out is not None else Path("out") / f"sweep-{file.stem}"
        where = f"on {scheduler}" if scheduler else ("here" if jobs == 1 else "on a local Dask cluster")
        typer.echo(f"{sw.scenario.name}: {len(sw.combinations)} combinations x {len(sw.seeds)} seeds = "
                   f"{sw.n_tasks} tasks, {where}", err=True)
        with Engine(jobs=jobs, scheduler=scheduler, option="--scheduler" if scheduler else "--jobs") as engine:
            n = engine.workers
            with progress_bar(f"sweep ({n} worker{'s' if n != 1 else ''})") as bar:
                result = run_sweep(sw, target, engine=engine, resume=resume, force=force, progress=bar)
        write_sweep(result, target)
    n_fail = len(result.failures)
    typer.echo(f"{result.ran} tasks run, {result.reused} taken from before, {n_fail} failed")
    for row in result.cheapest.itertuples(index=False):
        if row.note:
            typer.echo(f"  {row.model}: {row.note}")
        else:
            typer.echo(f"  {row.model}: cheapest per passenger at >= {sw.service_level:.0%} served: combination "
                       f"{row.combination} ({row.cost_per_passenger:.2f} per passenger, {row.served_share:.0%} served)")
    typer.echo(f"wrote {target}/ (results.parquet, results.csv, summary.csv, cheapest.csv, sweep.html)")
    if n_fail:
        for row in result.failures.itertuples(index=False):
            typer.echo(f"failed: combination {row.combination}, seed {row.seed}: {row.error}", err=True)
        typer.echo("run the same command with --resume to try the failed tasks again", err=True)
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add the `sweep` command to the root app."""
    app.command("sweep")(sweep)
