"""How many seeds a comparison needs: add seeds until the main KPIs' intervals are narrow enough.

A comparison starts with the scenario's ``seeds`` demand days. After each
round it checks, for every model and every main KPI, the half-width of the
95% confidence interval across seeds (:func:`transit.evaluate.stats.mean_ci`)
against the target: at most ``relative`` times the mean, or at most the
KPI's ``absolute`` width if that is larger (a share of 2% served cannot be
known to 10% of itself, but to 3 percentage points it can). While some
interval is wider, it adds the seeds the widest interval needs (from its
standard deviation, at least one, at most ``step``) until ``max_seeds``;
then it stops and says so (:class:`PrecisionStatus`).

Scenario table (all keys optional)::

    [precision]
    enabled = true                        # false: run exactly the scenario's seeds
    kpis = ["served_share", "cost_per_passenger"]
    relative = 0.10                       # half-width at most 10% of the mean ...
    absolute = {served_share = 0.03}      # ... or at most this, whichever is larger
    max_seeds = 10
    step = 4                              # seeds added per round at most

``transit compare --seeds N`` runs exactly N seeds (no seeds added).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from transit.evaluate.stats import mean_ci
from transit.util.tomltable import Table

__all__ = ["PRECISION_KEYS", "PrecisionSpec", "PrecisionStatus", "more_seeds", "parse_precision", "precision_status"]

PRECISION_KEYS = ("enabled", "kpis", "relative", "absolute", "max_seeds", "step")


@dataclass(frozen=True)
class PrecisionSpec:
    """When a comparison has enough seeds (see the module docstring).

    Attributes
    ----------
    enabled
        Add seeds at all.
    kpis
        The main KPIs whose intervals must be narrow.
    relative
        Target half-width as a share of the mean.
    absolute
        Per KPI, a half-width that is always narrow enough (in the KPI's unit).
    max_seeds
        The cap.
    step
        At most this many seeds added per round.
    """

    enabled: bool = True
    kpis: tuple[str, ...] = ("served_share", "cost_per_passenger")
    relative: float = 0.10
    absolute: Mapping[str, float] = field(default_factory=lambda: {"served_share": 0.03})
    max_seeds: int = 10
    step: int = 4

    def target(self, kpi: str, mean: float) -> float:
        """Return the widest acceptable half-width of ``kpi`` at ``mean``."""
        rel = self.relative * abs(mean) if math.isfinite(mean) else 0.0
        return max(rel, float(self.absolute.get(kpi, 0.0)))


@dataclass(frozen=True)
class PrecisionStatus:
    """Whether the main KPIs' intervals met their target.

    Attributes
    ----------
    seeds
        Seeds run.
    met
        Every interval is at most its target.
    capped
        Seeds stopped at ``max_seeds`` with some interval still wider.
    widest
        Per (model, KPI) not met: ``(half-width, target)``.
    spec
        The targets.
    """

    seeds: int
    met: bool
    capped: bool
    widest: Mapping[tuple[str, str], tuple[float, float]]
    spec: PrecisionSpec


def parse_precision(table: Table | None) -> PrecisionSpec:
    """Read a scenario's ``[precision]`` table (None: the defaults); problems go to the table's list."""
    d = PrecisionSpec()
    if table is None:
        return d
    table.check_keys(PRECISION_KEYS)
    absolute = dict(d.absolute)
    if "absolute" in table:
        sub = Table(table.data["absolute"], source=table.source, table=table.where("absolute"),
                    problems=table.problems)
        for key in sub.data:
            v = sub.number(key, lo=0.0)
            if v is not None:
                absolute[str(key)] = v
    kpis = table.text_list("kpis", what="KPI names", default=d.kpis) or d.kpis
    return PrecisionSpec(
        enabled=bool(table.boolean("enabled", default=True)),
        kpis=tuple(kpis),
        relative=table.number("relative", default=d.relative, lo=0.0, lo_open=True) or d.relative,
        absolute=absolute,
        max_seeds=table.integer("max_seeds", default=d.max_seeds, lo=1, hi=1000) or d.max_seeds,
        step=table.integer("step", default=d.step, lo=1, hi=1000) or d.step,
    )


def _columns(kpis: pd.DataFrame, spec: PrecisionSpec) -> list[str]:
    return [k for k in spec.kpis if k in kpis.columns]


def precision_status(kpis: pd.DataFrame, spec: PrecisionSpec) -> PrecisionStatus:
    """Check the main KPIs' intervals of a KPI table (one row per model and seed) against ``spec``."""
    n = int(kpis["seed"].nunique()) if len(kpis) else 0
    widest: dict[tuple[str, str], tuple[float, float]] = {}
    for model, g in kpis.groupby("model", sort=False):
        for k in _columns(kpis, spec):
            iv = mean_ci(pd.to_numeric(g[k], errors="coerce").to_numpy(dtype=float))
            if iv.n == 0:
                continue  # undefined for this model (e.g. nothing served): more seeds will not help
            half = iv.half_width if iv.n >= 2 else math.inf
            target = spec.target(k, iv.mean)
            if not half <= target:
                widest[(str(model), k)] = (half, target)
    met = not widest
    return PrecisionStatus(seeds=n, met=met, capped=not met and n >= spec.max_seeds, widest=widest, spec=spec)


def more_seeds(kpis: pd.DataFrame, spec: PrecisionSpec) -> int:
    """Return how many seeds to add (0: enough, or at the cap).

    For each interval wider than its target, the seeds it needs follow from
    its standard deviation: ``n = (t * sd / target)^2``; the largest need
    decides, at least one more and at most ``step`` per round.
    """
    status = precision_status(kpis, spec)
    if status.met or status.seeds >= spec.max_seeds:
        return 0
    need = status.seeds + 1
    for (model, k), (_, target) in status.widest.items():
        x = pd.to_numeric(kpis.loc[kpis["model"] == model, k], errors="coerce").to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        if x.size < 2 or target <= 0:
            continue
        sd = float(x.std(ddof=1))
        t = float(_st.t.ppf(0.975, max(1, x.size - 1)))
        need = max(need, int(math.ceil((t * sd / target) ** 2)))
    add = min(need - status.seeds, spec.step, spec.max_seeds - status.seeds)
    return max(1, add)


def describe_widest(
    status: PrecisionStatus,
    labels: Mapping[str, str] | None = None,
    fmt: Callable[[str, float], str] | None = None,
) -> Sequence[str]:
    """Return ``model: KPI ± half (target ± t)`` for the intervals that missed their target, widest first.

    ``labels`` names the KPIs; ``fmt(kpi, x)`` formats a half-width (default 3 significant digits).
    """
    labels = labels or {}

    def f(k: str, x: float) -> str:
        return fmt(k, x) if fmt is not None else f"{x:.3g}"

    from transit.util.i18n import _  # (a module-level `_` would clash with loop variables here)

    line = _("{model}: {kpi} ± {half} (target ± {target})")
    return [
        line.format(model=m, kpi=labels.get(k, k), half=f(k, h), target=f(k, t))
        for (m, k), (h, t) in sorted(status.widest.items(), key=lambda kv: -kv[1][0] / max(kv[1][1], 1e-12))
    ]
