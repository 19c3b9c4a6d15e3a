"""The outcome of a sweep (what :func:`transit.sweep.run.run_sweep` returns)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from transit.sweep.spec import Sweep

__all__ = ["SweepResult"]


@dataclass(frozen=True)
class SweepResult:
    """The outcome of a sweep.

    Attributes
    ----------
    sweep
        The sweep run.
    results
        One row per model x combination x seed: ``combination``, one column
        per axis (its dotted key), then the KPI columns of
        :mod:`transit.evaluate.kpis` (``model``, ``kind``, ``seed``, ...).
    summary
        Per combination, model and KPI: mean and 95% interval over the seeds
        (:func:`transit.sweep.summary.summarize_sweep`).
    cheapest
        Per model, the combination cheapest per passenger at the service level.
    failures
        One row per failed task: ``combination``, the axes, ``seed``, ``error``.
    ran, reused
        Tasks run now, and tasks taken from an earlier run (``--resume``).
    """

    sweep: Sweep
    results: pd.DataFrame
    summary: pd.DataFrame
    cheapest: pd.DataFrame
    failures: pd.DataFrame
    ran: int = 0
    reused: int = 0
