"""The comparison table: key KPIs of every model side by side, with 95% CIs and the difference to the baseline.

The same table is printed by ``transit compare`` and shown at the top of the
report. Values are ``mean ± half-width`` of the t-based 95% confidence
interval across seeds (:mod:`transit.evaluate.stats`); with one seed only the mean
is shown. The line below each KPI gives the paired difference to the
baseline model. Words and numbers are in the current language
(:mod:`transit.util.i18n`: ``1,234.5`` in English, ``1.234,5`` in German).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from transit.compare.plots import KPI_LABELS, KpiLabel
from transit.util.i18n import _, current

__all__ = ["KEY_KPIS", "comparison_table", "format_interval", "render_text"]

#: The KPIs the comparison table shows, in order.
KEY_KPIS: tuple[str, ...] = (
    "served_share",
    "wait_mean_min",
    "door_to_door_mean_min",
    "car_time_ratio",
    "walk_mean_m",
    "passengers_per_vehicle_hour",
    "boardings_per_vehicle_hour",
    "pooling_rate",
    "vehicle_km",
    "vehicle_hours",
    "cost_total",
    "cost_per_vehicle_km",
    "cost_per_passenger",
    "subsidy_per_passenger",
    "subsidy_per_passenger_with_school",
    "co2_per_pkm_g",
    "shared_trip_share",
    "passengers_per_booking",
)


def _decimals(x: float) -> int:
    a = abs(x)
    if a >= 100:
        return 0
    if a >= 10:
        return 1
    return 2


def _num(x: float, decimals: int | None = None) -> str:
    if x is None or not math.isfinite(x):
        return _("n/a")
    d = _decimals(x) if decimals is None else decimals
    return current().format("{x:,.{d}f}", x=x, d=d)


def format_interval(mean: float, low: float, high: float, *, factor: float = 1.0, signed: bool = False) -> str:
    """Format ``mean ± half-width``, or ``mean [low–high]`` when the interval was cut (just the mean without one)."""
    if mean is None or not math.isfinite(mean):
        return _("n/a")
    m = mean * factor
    ok = low is not None and high is not None and math.isfinite(low) and math.isfinite(high)
    half = (high - low) / 2.0 * abs(factor) if ok else 0.0
    d = _decimals(max(abs(m), half))
    text = _num(m, d)
    if signed and round(m, d) > 0:
        text = "+" + text
    if ok:
        lo, hi = sorted((low * factor, high * factor))
        if abs((hi - m) - (m - lo)) > 1e-9 * max(1.0, abs(hi - lo), abs(m)):
            text += f" [{_num(lo, d)}–{_num(hi, d)}]"
        else:
            text += f" ± {_num(half, d)}"
    return text


def comparison_table(
    summary: pd.DataFrame,
    *,
    kpis: Sequence[str] = KEY_KPIS,
    labels: Mapping[str, KpiLabel] | None = None,
    published: pd.DataFrame | None = None,
    published_column: str | None = None,
) -> pd.DataFrame:
    """Return the comparison table as text cells.

    Parameters
    ----------
    summary
        ``summary.csv`` rows (:func:`transit.evaluate.stats.summarize`), with the
        baseline in the ``baseline`` column.
    kpis
        KPIs to show (those missing from ``summary`` are skipped).
    labels
        Display labels (default :data:`transit.compare.plots.KPI_LABELS`).
    published
        Where each model's KPI lies against its published range
        (:func:`transit.evaluate.published.check_ranges`): a last column
        gives the ranges (in display units) and a value outside gets ▲ or ▼.
    published_column
        The title of that column (default "Published" in the current language).

    Returns
    -------
    pandas.DataFrame
        First column ``KPI`` (label with unit), then one column per model;
        each KPI has a row of values and a row ``Δ vs <baseline>``.
    """
    labels = dict(KPI_LABELS if labels is None else labels)
    published_column = _("Published") if published_column is None else published_column
    models = list(dict.fromkeys(summary["model"]))
    baseline = str(summary["baseline"].iloc[0]) if len(summary) and "baseline" in summary else ""
    present = set(summary["kpi"])
    rows = []
    for k in kpis:
        if k not in present:
            continue
        lab = labels.get(k, KpiLabel(k, ""))
        s = summary[summary["kpi"] == k].set_index("model")
        row = {"KPI": lab.axis}
        drow = {"KPI": "  " + _("Δ vs {baseline}").format(baseline=baseline)} if baseline else None
        for m in models:
            if m not in s.index:
                row[m] = _("n/a")
                if drow is not None:
                    drow[m] = ""
                continue
            r = s.loc[m]
            row[m] = format_interval(r["mean"], r["ci_low"], r["ci_high"], factor=lab.factor) + _mark(published, m, k)
            if drow is not None:
                drow[m] = "—" if m == baseline else format_interval(
                    r["diff"], r["diff_ci_low"], r["diff_ci_high"], factor=lab.factor, signed=True
                )
        if published is not None:
            row[published_column] = _ranges(published, k, lab.factor)
            if drow is not None:
                drow[published_column] = ""
        rows.append(row)
        if drow is not None:
            rows.append(drow)
    extra = [published_column] if published is not None else []
    return pd.DataFrame(rows, columns=["KPI", *models, *extra])


def _mark(published: pd.DataFrame | None, model: str, kpi: str) -> str:
    if published is None or published.empty:
        return ""
    v = published[(published["model"] == model) & (published["kpi"] == kpi)]["verdict"]
    return {"above": " ▲", "below": " ▼"}.get(str(v.iloc[0]), "") if len(v) else ""


def _ranges(published: pd.DataFrame, kpi: str, factor: float) -> str:
    p = published[published["kpi"] == kpi].drop_duplicates(["low", "high", "what"])
    return "; ".join(f"{_(r.what)}: {_num(r.low * factor)}–{_num(r.high * factor)}" for r in p.itertuples())


def render_text(table: pd.DataFrame) -> str:
    """Render :func:`comparison_table` as aligned plain text (the first column's title translated)."""
    cols = [_(str(table.columns[0])), *table.columns[1:]] if len(table.columns) else []
    cells = [cols] + table.astype(str).values.tolist()
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(cols))]
    lines = []
    for j, r in enumerate(cells):
        parts = [str(r[0]).ljust(widths[0])] + [str(v).rjust(w) for v, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(parts).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
