"""Confidence intervals across seeds.

A comparison runs every model on the same demand for several seeds, so each
KPI has one value per model and seed. This module turns those values into a
mean with a t-based 95% confidence interval, and the difference of a model to
the baseline model as a *paired* interval (the seeds share their demand, so
the per-seed differences are what varies).

Conventions
-----------
- Values that are NaN (a KPI undefined for a seed, e.g. the mean wait when
  nothing was served) are left out; ``n`` counts the values used.
- ``n == 0``: mean and bounds are NaN.
- ``n == 1``: the mean is the value, the bounds are NaN (one seed says nothing
  about the spread).
- Zero variance (all values equal): both bounds equal the mean.
- Bounded KPIs: a KPI that cannot be negative (a share, a time, a cost) has
  its interval cut at 0, and a share its upper bound at 1
  (:func:`summarize` with ``bounds``); the interval is then no longer
  symmetric about the mean. Differences between models are never cut.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = ["Interval", "SUMMARY_COLUMNS", "clip", "mean_ci", "paired_difference_ci", "summarize"]

#: Columns of :func:`summarize` (and of ``summary.csv``).
SUMMARY_COLUMNS: tuple[str, ...] = (
    "model",
    "kpi",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "baseline",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
)


@dataclass(frozen=True)
class Interval:
    """A mean with a confidence interval.

    Attributes
    ----------
    mean
        Sample mean (NaN if no values).
    low, high
        Bounds of the interval (NaN if fewer than two values).
    n
        Number of values used (NaN values are left out).
    level
        Confidence level, e.g. 0.95.
    """

    mean: float
    low: float
    high: float
    n: int
    level: float = 0.95

    @property
    def half_width(self) -> float:
        """Half the width of the interval (NaN if it is undefined)."""
        return (self.high - self.low) / 2.0


def _finite(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).ravel()
    return arr[np.isfinite(arr)]


def mean_ci(values: Sequence[float] | np.ndarray | pd.Series, *, level: float = 0.95) -> Interval:
    """Return the mean of ``values`` with a two-sided t-based confidence interval.

    The interval is ``mean ± t(1 - (1 - level)/2, n - 1) * s / sqrt(n)`` with
    ``s`` the sample standard deviation (``ddof=1``).

    Parameters
    ----------
    values
        One value per seed; NaN and infinite values are left out.
    level
        Confidence level in (0, 1).
    """
    if not 0.0 < level < 1.0:
        msg = f"level must be in (0, 1), got {level}"
        raise ValueError(msg)
    x = _finite(values)
    n = int(x.size)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, level)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1, level)
    sd = float(x.std(ddof=1))
    if sd == 0.0 or not math.isfinite(sd):
        return Interval(mean, mean, mean, n, level)
    t = float(_st.t.ppf(0.5 + level / 2.0, n - 1))
    half = t * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n, level)


def clip(iv: Interval, lo: float = -math.inf, hi: float = math.inf) -> Interval:
    """Return ``iv`` with its bounds cut to ``[lo, hi]`` (the range the KPI can take)."""
    low = iv.low if not math.isfinite(iv.low) else min(max(iv.low, lo), hi)
    high = iv.high if not math.isfinite(iv.high) else max(min(iv.high, hi), lo)
    return Interval(iv.mean, low, high, iv.n, iv.level)


def paired_difference_ci(
    values: Sequence[float] | np.ndarray | pd.Series,
    baseline: Sequence[float] | np.ndarray | pd.Series,
    *,
    level: float = 0.95,
) -> Interval:
    """Return the mean difference ``values - baseline`` with a paired t interval.

    The two sequences are aligned by position (one entry per seed); pairs
    where either value is NaN are left out.
    """
    a = np.asarray(values, dtype=np.float64).ravel()
    b = np.asarray(baseline, dtype=np.float64).ravel()
    if a.shape != b.shape:
        msg = f"paired values need equal lengths, got {a.size} and {b.size}"
        raise ValueError(msg)
    return mean_ci(a - b, level=level)


def summarize(
    kpis: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    baseline: str | None = None,
    model_col: str = "model",
    seed_col: str = "seed",
    level: float = 0.95,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Return one row per model and KPI: mean, confidence interval, difference to the baseline.

    Parameters
    ----------
    kpis
        One row per model and seed (``kpis.csv``).
    columns
        The KPI columns to summarise; default every numeric column except the
        seed.
    baseline
        The model the differences refer to (paired by seed); None leaves the
        difference columns NaN.
    model_col, seed_col
        Names of the model and seed columns.
    level
        Confidence level.
    bounds
        Per KPI, the range its values can take (e.g. ``(0, inf)`` for a
        cost, ``(0, 1)`` for a share): its interval is cut to it
        (:func:`clip`), so that no interval is drawn below zero.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`; models in their order of first
        appearance, KPIs in column order.
    """
    bounds = bounds or {}
    if columns is None:
        columns = [
            c
            for c in kpis.columns
            if c not in (model_col, seed_col) and pd.api.types.is_numeric_dtype(kpis[c])
            and not pd.api.types.is_bool_dtype(kpis[c])
        ]
    models = list(dict.fromkeys(kpis[model_col].tolist()))
    if baseline is not None and baseline not in models:
        msg = f"baseline model {baseline!r} is not among the models ({', '.join(map(str, models))})"
        raise ValueError(msg)
    base = None
    if baseline is not None:
        base = kpis[kpis[model_col] == baseline].set_index(seed_col)
    rows = []
    for m in models:
        sub = kpis[kpis[model_col] == m].set_index(seed_col)
        for c in columns:
            iv = mean_ci(sub[c].to_numpy(dtype=np.float64), level=level)
            if c in bounds:
                iv = clip(iv, *bounds[c])
            if base is None:
                d = Interval(math.nan, math.nan, math.nan, 0, level)
            else:
                seeds = [s for s in sub.index if s in base.index]
                d = paired_difference_ci(
                    sub.loc[seeds, c].to_numpy(dtype=np.float64),
                    base.loc[seeds, c].to_numpy(dtype=np.float64),
                    level=level,
                )
            rows.append(
                {
                    "model": m,
                    "kpi": c,
                    "n": iv.n,
                    "mean": iv.mean,
                    "ci_low": iv.low,
                    "ci_high": iv.high,
                    "baseline": baseline or "",
                    "diff": d.mean,
                    "diff_ci_low": d.low,
                    "diff_ci_high": d.high,
                }
            )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
