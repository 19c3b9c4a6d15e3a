"""One task of a sweep: a combination's scenario on one seed, as a pure function.

:func:`run_task` takes the combination's scenario document, the path its
relative file names refer to, and the seed; it validates the document,
builds (or reuses) the region, generates the seed's demand and runs every
model on it, and returns the KPI rows: the rows ``transit compare`` reports
for that scenario and seed (:func:`transit.compare.run.seed_kpis`). Nothing
else goes in, so a task gives the same rows on any worker.

A worker process keeps the last regions it built, so the
tasks of a sweep that does not vary the region build it once per worker.

:class:`TaskId` names a task by a digest of its document and seed: results
are stored under it (:mod:`transit.sweep.store`), and a resumed sweep skips
exactly the tasks whose inputs are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["TaskId", "run_task", "task_digest"]


def task_digest(doc: Mapping[str, Any], seed: int) -> str:
    """Return a digest of a task's inputs (16 hex digits)."""
    text = json.dumps({"scenario": doc, "seed": int(seed)}, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class TaskId:
    """Which task: combination (from 1), seed and the digest of the inputs."""

    combination: int
    seed: int
    digest: str

    @property
    def name(self) -> str:
        """File name stem of its stored result."""
        return f"c{self.combination:05d}-s{self.seed}-{self.digest}"


#: This process's last worlds by region (a sweep that does not vary the region builds it once per worker).
_WORLDS: dict[Any, Any] = {}
_KEEP = 2


def _world(scenario: Any) -> Any:
    """Return the world of ``scenario``, its region built once per process and kept."""
    from transit.compare.run import load_world

    w = _WORLDS.get(scenario.region)
    if w is None:
        while len(_WORLDS) >= _KEEP:
            _WORLDS.pop(next(iter(_WORLDS)))
        w = _WORLDS[scenario.region] = load_world(scenario)
    return w.with_scenario(scenario)


def run_task(doc: Mapping[str, Any], source: str | os.PathLike[str], seed: int) -> pd.DataFrame:
    """Run every model of the scenario ``doc`` on ``seed``; return their KPI rows.

    Parameters
    ----------
    doc
        A scenario document (a combination's: the axes' values set).
    source
        The file the scenario's relative paths refer to.
    seed
        The seed.

    Returns
    -------
    pandas.DataFrame
        One row per model (:func:`transit.compare.run.seed_kpis`).

    Raises
    ------
    InputErrors
        If the document is not a valid scenario (checked before the sweep
        starts, so only if a file it names changed since).
    """
    from transit.compare.run import seed_kpis
    from transit.compare.scenario import parse_scenario

    scenario = parse_scenario(doc, source=Path(source))
    return seed_kpis(_world(scenario), int(seed))
