"""Published ranges of KPIs, and where a comparison's KPIs lie against them.

The ranges live in ``transit/data/published_ranges.toml`` with their sources
(all from ``shared/REFERENCES.md``): a range ``low``-``high``, or a single
published figure with a stated tolerance. :func:`published_ranges` reads
them; :func:`check_ranges` places each model's mean KPI (``summary.csv``)
inside, below or above the range of its kind.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import pandas as pd

__all__ = ["CHECK_COLUMNS", "PublishedRange", "check_ranges", "published_ranges"]

#: Columns of :func:`check_ranges`.
CHECK_COLUMNS: tuple[str, ...] = ("model", "kind", "kpi", "mean", "low", "high", "verdict", "what", "source")


@dataclass(frozen=True)
class PublishedRange:
    """A KPI's published range for some model kinds.

    Attributes
    ----------
    kpi
        The KPI column.
    kinds
        The model kinds it applies to.
    low, high
        The range (for a single figure: the figure +- its tolerance).
    what
        What the figure describes.
    source
        Where it comes from.
    value
        The single published figure, or NaN for a published range.
    """

    kpi: str
    kinds: tuple[str, ...]
    low: float
    high: float
    what: str
    source: str
    value: float = math.nan

    @property
    def label(self) -> str:
        """The range in words, e.g. ``0.09–0.2`` or ``about 12.9 (6.43–19.3)``."""
        span = f"{self.low:.3g}–{self.high:.3g}"
        return f"about {self.value:.3g} ({span})" if math.isfinite(self.value) else span

    def verdict(self, x: float) -> str:
        """Return ``within``, ``below``, ``above`` or ``n/a`` (no value)."""
        if x is None or not math.isfinite(x):
            return "n/a"
        if x < self.low:
            return "below"
        if x > self.high:
            return "above"
        return "within"


def published_ranges() -> tuple[PublishedRange, ...]:
    """Read the bundled published ranges (``transit/data/published_ranges.toml``)."""
    text = resources.files("transit.data").joinpath("published_ranges.toml").read_text(encoding="utf-8")
    out = []
    for r in tomllib.loads(text)["range"]:
        if "value" in r:
            v, tol = float(r["value"]), float(r["tolerance"])
            low, high, value = v * (1 - tol), v * (1 + tol), v
        else:
            low, high, value = float(r["low"]), float(r["high"]), math.nan
        out.append(PublishedRange(str(r["kpi"]), tuple(r["kinds"]), low, high, str(r["what"]), str(r["source"]),
                                  value))
    return tuple(out)


def check_ranges(
    summary: pd.DataFrame,
    kinds: Mapping[str, str],
    *,
    ranges: Sequence[PublishedRange] | None = None,
) -> pd.DataFrame:
    """Place each model's mean KPI against the published range of its kind.

    Parameters
    ----------
    summary
        ``summary.csv`` rows (``model, kpi, mean``).
    kinds
        Model kind per model name.
    ranges
        The ranges (default :func:`published_ranges`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHECK_COLUMNS`, one row per model and KPI that has a
        range for the model's kind; ``verdict`` is ``within``, ``below``,
        ``above`` or ``n/a``.
    """
    ranges = published_ranges() if ranges is None else ranges
    s = summary.set_index(["model", "kpi"])["mean"] if len(summary) else pd.Series(dtype=float)
    rows = []
    for model, kind in kinds.items():
        for r in ranges:
            if kind not in r.kinds or (model, r.kpi) not in s.index:
                continue
            mean = float(s.loc[(model, r.kpi)])
            rows.append({"model": model, "kind": kind, "kpi": r.kpi, "mean": mean, "low": r.low, "high": r.high,
                         "verdict": r.verdict(mean), "what": r.what, "source": r.source})
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
