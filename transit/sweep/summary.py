"""Summaries of a sweep: intervals per combination and model, and the cheapest combination.

:func:`summarize_sweep` gives, per combination, model and KPI, the mean over
the seeds with its t-based 95% confidence interval, by the conventions of
:func:`transit.evaluate.stats.mean_ci` (NaN values left out; one value: no
interval; equal values: a zero-width interval).

:func:`cheapest` picks, per model, the combination with the lowest mean
``cost_per_passenger`` among those whose mean ``served_share`` reaches the
sweep's service level; a model no combination brings there gets a row that
says so, with the best served share it reached.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

from transit.sweep.spec import Sweep

__all__ = ["CHEAPEST_COLUMNS", "cheapest", "summarize_sweep"]

#: The interval columns of :func:`summarize_sweep` after the combination, axes, model, kind and KPI.
INTERVAL_COLUMNS = ("n", "mean", "ci_low", "ci_high")

LEVEL = 0.95


def _numeric_kpis(results: pd.DataFrame) -> list[str]:
    skip = {"combination", "model", "kind", "seed", "rejection_reasons"}
    return [c for c in results.columns if c not in skip and pd.api.types.is_numeric_dtype(results[c])]


def summarize_sweep(results: pd.DataFrame, sweep: Sweep) -> pd.DataFrame:
    """Return mean and 95% interval over the seeds per combination, model and KPI (long table).

    Columns: ``combination``, the axes, ``model``, ``kind``, ``kpi``, ``n``,
    ``mean``, ``ci_low``, ``ci_high``; rows in the order of the results.
    """
    axes = [a.key for a in sweep.axes]
    keys = ["combination", *axes, "model", "kind"]
    cols = [*keys, "kpi", *INTERVAL_COLUMNS]
    kpis = [k for k in _numeric_kpis(results) if k not in axes]
    if results.empty or not kpis:
        return pd.DataFrame(columns=cols)
    long = results.melt(id_vars=keys, value_vars=kpis, var_name="kpi", value_name="value")
    long["value"] = pd.to_numeric(long["value"], errors="coerce").astype(float)
    long.loc[~np.isfinite(long["value"]), "value"] = np.nan
    g = long.groupby(["combination", "model", "kpi"], sort=False, dropna=False)
    first = g[keys].first().reset_index(drop=True)
    stats = g["value"].agg(["count", "mean", "std"]).reset_index(drop=False)
    n = stats["count"].to_numpy(dtype=float)
    mean = stats["mean"].to_numpy(dtype=float)
    sd = stats["std"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(n >= 2, _st.t.ppf(0.5 + LEVEL / 2.0, np.maximum(n - 1, 1)), np.nan)
        half = np.where(sd > 0, t * sd / np.sqrt(n), np.where(n >= 2, 0.0, np.nan))
    out = first.assign(kpi=stats["kpi"].to_numpy(), n=n.astype(int), mean=mean,
                       ci_low=mean - half, ci_high=mean + half)
    # Combinations in order, models in the order of the results, KPIs in table order.
    model_order = {m: i for i, m in enumerate(dict.fromkeys(results["model"]))}
    kpi_order = {k: i for i, k in enumerate(kpis)}
    out = out.assign(_m=out["model"].map(model_order), _k=out["kpi"].map(kpi_order))
    out = out.sort_values(["combination", "_m", "_k"], kind="stable")
    return out.reindex(columns=cols).reset_index(drop=True)


#: Columns of :func:`cheapest`.
CHEAPEST_COLUMNS = (
    "model",
    "kind",
    "service_level",
    "combination",
    "served_share",
    "cost_per_passenger",
    "cost_per_passenger_ci_low",
    "cost_per_passenger_ci_high",
    "note",
)


def cheapest(summary: pd.DataFrame, sweep: Sweep) -> pd.DataFrame:
    """Return, per model, the combination cheapest per passenger at the sweep's service level.

    Columns: :data:`CHEAPEST_COLUMNS` with the axes' values after ``combination``.
    """
    axes = [a.key for a in sweep.axes]
    cols = [*CHEAPEST_COLUMNS[:4], *axes, *CHEAPEST_COLUMNS[4:]]
    if summary.empty:
        return pd.DataFrame(columns=cols)
    level = sweep.service_level
    wide = summary.pivot_table(index=["combination", "model"], columns="kpi", values=["mean", "ci_low", "ci_high"],
                               aggfunc="first", dropna=False, sort=False)
    rows = []
    for model in dict.fromkeys(summary["model"]):
        mine = summary[summary["model"] == model]
        kind = mine["kind"].iloc[0]
        combos = list(dict.fromkeys(mine["combination"]))
        served = {c: _cell(wide, "mean", c, model, "served_share") for c in combos}
        cost = {c: _cell(wide, "mean", c, model, "cost_per_passenger") for c in combos}
        ok = [c for c in combos if served[c] >= level - 1e-12 and np.isfinite(cost[c])]
        row = {"model": model, "kind": kind, "service_level": level}
        if not ok:
            top = max(combos, key=lambda c: (np.nan_to_num(served[c], nan=-1.0), -c))
            row.update(combination=pd.NA, served_share=served[top], note=(
                f"no combination reaches a served share of {level:.0%} (best: {served[top]:.1%}, "
                f"combination {top})"))
            rows.append(row)
            continue
        best = min(ok, key=lambda c: (cost[c], c))
        axis_vals = mine[mine["combination"] == best].iloc[0]
        row.update(
            combination=best,
            **{a: axis_vals[a] for a in axes},
            served_share=served[best],
            cost_per_passenger=cost[best],
            cost_per_passenger_ci_low=_cell(wide, "ci_low", best, model, "cost_per_passenger"),
            cost_per_passenger_ci_high=_cell(wide, "ci_high", best, model, "cost_per_passenger"),
            note="",
        )
        rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=cols)
    out["combination"] = out["combination"].astype("Int64")
    for a in sweep.axes:
        if all(isinstance(v, int) and not isinstance(v, bool) for v in a.values):
            out[a.key] = out[a.key].astype("Int64")
    return out


def _cell(wide: pd.DataFrame, stat: str, combo: int, model: str, kpi: str) -> float:
    try:
        return float(wide.loc[(combo, model), (stat, kpi)])
    except KeyError:
        return float("nan")


def reference_levels(sweep: Sweep) -> dict[str, object]:
    """Return the level each axis is held at while another axis varies: its middle value."""
    return {a.key: a.values[(len(a.values) - 1) // 2] for a in sweep.axes}


def response_table(summary: pd.DataFrame, sweep: Sweep, *, axis: str, kpi: str) -> pd.DataFrame:
    """Return one KPI against one axis, the other axes at their reference levels.

    Columns: ``model``, ``x`` (the axis value), ``mean``, ``ci_low``,
    ``ci_high``, ``n``; rows per model in the order of the axis's values.
    """
    from transit.sweep.spec import shown

    ref = reference_levels(sweep)
    rows = summary[summary["kpi"] == kpi]
    for a in sweep.axes:
        if a.key != axis:
            want = ref[a.key]
            col = rows[a.key]
            rows = rows[col.map(lambda v, w=want: v == w or shown(v) == shown(w)).astype(bool)]
    values = next(a.values for a in sweep.axes if a.key == axis)
    pos = {shown(v): i for i, v in enumerate(values)}
    out = rows.assign(x=rows[axis], _pos=rows[axis].map(lambda v: pos.get(shown(v), len(pos))))
    out = out.sort_values(["_pos"], kind="stable")
    return out[["model", "x", "mean", "ci_low", "ci_high", "n"]].reset_index(drop=True)
