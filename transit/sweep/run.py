"""Run a sweep: every combination x seed as one task on the engine, then the tables and report.

:func:`run_sweep` stores each finished task at once (:mod:`transit.sweep.store`),
reports a failed task with its combination and goes on, and assembles the
results from the stored tasks in a fixed order (combination, then seed, then
model), so they do not depend on the engine, the number of workers, the
order tasks finish in or on how many runs a resumed sweep took.
:func:`write_sweep` writes the output files (:data:`OUTPUT_FILES`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd

from transit.compare.engine import Engine
from transit.sweep.result import SweepResult
from transit.sweep.spec import Combination, Sweep, shown
from transit.sweep.store import TaskStore, parquet_bytes
from transit.sweep.task import TaskId, run_task, task_digest
from transit.util.csvsafe import frame_csv
from transit.util.atomic import atomic_write_bytes, atomic_write_text
from transit.util.progress import Progress, report

__all__ = ["OUTPUT_FILES", "SweepResult", "run_sweep", "sweep_tasks", "write_sweep"]

log = logging.getLogger(__name__)

#: The files ``transit sweep`` writes into its output folder (beside ``tasks/``).
OUTPUT_FILES: tuple[str, ...] = (
    "results.parquet",
    "results.csv",
    "summary.csv",
    "cheapest.csv",
    "failures.csv",
    "sweep.html",
    "sweep.toml",
)


def sweep_tasks(sweep: Sweep) -> list[tuple[TaskId, Combination, int]]:
    """Return every task of ``sweep`` in result order: by combination, then seed."""
    out = []
    for combo in sweep.combinations:
        for seed in sweep.seeds:
            out.append((TaskId(combo.index, int(seed), task_digest(combo.doc, seed)), combo, int(seed)))
    return out


def _axis_columns(sweep: Sweep, combo: Combination) -> dict[str, Any]:
    cols: dict[str, Any] = {"combination": combo.index}
    for axis, value in zip(sweep.axes, combo.values):
        scalar = isinstance(value, (int, float, str, bool))
        cols[axis.key] = value if scalar else shown(value)
    return cols


def _tidy(sweep: Sweep, parts: list[tuple[Combination, pd.DataFrame]]) -> pd.DataFrame:
    """Return the task rows as one table: combination and axes first, then the KPI columns."""
    from transit.evaluate.kpis import KPI_COLUMNS

    front = ["combination", *(a.key for a in sweep.axes)]
    frames = []
    for combo, rows in parts:
        cols = _axis_columns(sweep, combo)
        frames.append(rows.assign(**{k: [v] * len(rows) for k, v in cols.items()}))
    if not frames:
        return pd.DataFrame(columns=[*front, *KPI_COLUMNS])
    df = pd.concat(frames, ignore_index=True)
    extra = sorted(c for c in df.columns if c not in KPI_COLUMNS and c not in front)
    return df.reindex(columns=[*front, *KPI_COLUMNS, *extra])


def run_sweep(
    sweep: Sweep,
    out: str | os.PathLike[str],
    *,
    engine: Engine,
    resume: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> SweepResult:
    """Run every task of ``sweep`` not yet finished in ``out``; return the assembled results.

    Parameters
    ----------
    sweep
        A validated sweep (:func:`transit.sweep.spec.load_sweep`).
    out
        The output folder; finished tasks are stored in ``out/tasks``.
    engine
        Where tasks run (entered by the caller).
    resume
        Go on with an existing output folder, skipping finished tasks.
    force
        Start over in an existing output folder.
    progress
        Receives (tasks done, tasks, label of the last task).

    Raises
    ------
    OutputExistsError
        If ``out`` holds files and neither ``resume`` nor ``force`` is given.
    """
    store = TaskStore(out)
    store.open(resume=resume, force=force, outputs=OUTPUT_FILES)
    tasks = sweep_tasks(sweep)
    todo = [k for k, (tid, _, _) in enumerate(tasks) if not store.has(tid)]
    reused = len(tasks) - len(todo)
    total = len(tasks)
    count = [reused]
    failed: dict[int, str] = {}
    report(progress, reused, total, f"{reused} tasks done before" if reused else "starting")

    def label(k: int) -> str:
        _, combo, seed = tasks[k]
        return f"{combo.label(sweep.axes)}, seed {seed}"

    def done(i: int, rows: pd.DataFrame) -> None:
        k = todo[i]
        store.save(tasks[k][0], rows)
        count[0] += 1
        report(progress, count[0], total, label(k))

    def fail(i: int, exc: BaseException) -> None:
        k = todo[i]
        failed[k] = f"{type(exc).__name__}: {exc}"
        log.error("%s failed: %s", label(k), failed[k])
        count[0] += 1
        report(progress, count[0], total, f"{label(k)} FAILED")

    source = str(sweep.scenario_source)
    engine.run(run_task, [(tasks[k][1].doc, source, tasks[k][2]) for k in todo], done=done, failed=fail)

    parts = [(combo, store.load(tid)) for k, (tid, combo, _) in enumerate(tasks) if k not in failed]
    results = _tidy(sweep, parts)
    rows = [{**_axis_columns(sweep, tasks[k][1]), "seed": tasks[k][2], "error": failed[k]} for k in sorted(failed)]
    failures = pd.DataFrame(rows, columns=["combination", *(a.key for a in sweep.axes), "seed", "error"])
    from transit.sweep.summary import cheapest, summarize_sweep

    summary = summarize_sweep(results, sweep)
    best = cheapest(summary, sweep)
    return SweepResult(sweep, results, summary, best, failures, ran=len(todo) - len(failed), reused=reused)


def _csv(df: pd.DataFrame) -> str:
    return frame_csv(df)


def write_sweep(result: SweepResult, out: str | os.PathLike[str]) -> None:
    """Write the output files (:data:`OUTPUT_FILES`) into ``out``, each atomically."""
    from transit.sweep.report import write_sweep_report

    folder = Path(out)
    atomic_write_bytes(folder / "results.parquet", parquet_bytes(result.results))
    atomic_write_text(folder / "results.csv", _csv(result.results))
    atomic_write_text(folder / "summary.csv", _csv(result.summary))
    atomic_write_text(folder / "cheapest.csv", _csv(result.cheapest))
    atomic_write_text(folder / "failures.csv", _csv(result.failures))
    atomic_write_bytes(folder / "sweep.toml", result.sweep.source.read_bytes())
    write_sweep_report(result, folder / "sweep.html")
