"""The comparison report: one self-contained HTML file that opens offline.

plotly.js is embedded once in the page head; every figure is a ``div`` drawn
by ``Plotly.newPlot`` from data inside the page, and maps use a blank
``Scattergeo`` background, so nothing is fetched from the network. Figures
come from :mod:`transit.compare.plots`; this module only arranges them with the
comparison table and explanatory text.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from transit.compare import plots
from transit.util.atomic import atomic_write_text
from transit.compare.table import comparison_table
from transit.compare.mapdata import ATTRIBUTION, RegionMap
from transit.evaluate.profiles import occupancy_profile

__all__ = ["ReportData", "render_report", "report_figures", "write_report"]

#: KPI panels of the report, by section.
SERVICE_KPIS = ("served_share", "wait_mean_min", "door_to_door_mean_min", "car_time_ratio", "walk_mean_m",
                "in_vehicle_mean_min")
EFFICIENCY_KPIS = ("passengers_per_vehicle_hour", "pooling_rate", "occupancy", "vehicle_km", "vehicle_hours",
                   "empty_km_share")
COST_KPIS = ("cost_total", "fare_revenue", "subsidy", "subsidy_per_pkm", "cost_recovery", "co2_per_pkm_g")


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows.

    Attributes
    ----------
    title, description
        From the scenario.
    baseline
        The model differences refer to.
    seeds
        The seeds run.
    models
        ``(name, kind)`` per model, in report order.
    kpis, summary, access, trips, stops
        The tables of the comparison (``kpis.csv``, ``summary.csv``,
        ``access.csv``, trip and vehicle logs).
    region
        Map layers, or None for no map.
    region_label
        Where (instance name, file or place).
    notes
        Extra paragraphs (plain text) for the "About" section.
    """

    title: str
    description: str
    baseline: str
    seeds: Sequence[int]
    models: Sequence[tuple[str, str]]
    kpis: pd.DataFrame
    summary: pd.DataFrame
    access: pd.DataFrame
    trips: pd.DataFrame
    stops: pd.DataFrame
    region: RegionMap | None = None
    region_label: str = ""
    notes: Sequence[str] = field(default_factory=tuple)


def report_figures(data: ReportData) -> list[tuple[str, str, go.Figure]]:
    """Return the report's figures as ``(id, section heading, figure)``, in page order."""
    figs: list[tuple[str, str, go.Figure]] = []
    s = data.summary
    figs.append(("fig-service", "Service quality",
                 plots.kpi_bars(s, SERVICE_KPIS, title="Service quality (mean and 95% CI across seeds)")))
    figs.append(("fig-wait", "Service quality", plots.wait_time_distribution(data.trips)))
    figs.append(("fig-traveltime", "Service quality", plots.travel_time_distribution(data.trips)))
    figs.append(("fig-efficiency", "Vehicles and efficiency",
                 plots.kpi_bars(s, EFFICIENCY_KPIS, title="Vehicles and efficiency (mean and 95% CI across seeds)")))
    figs.append(("fig-occupancy", "Vehicles and efficiency", plots.occupancy_over_day(occupancy_profile(data.stops))))
    figs.append(("fig-costpp", "Costs", plots.cost_per_passenger(s)))
    figs.append(("fig-costs", "Costs",
                 plots.kpi_bars(s, COST_KPIS, title="Costs, revenue and emissions (mean and 95% CI across seeds)")))
    if data.region is not None and len(data.access):
        figs.append(("fig-map", "Access to services per village", plots.access_map(data.region, data.access)))
    if len(data.access):
        for measure in ("hours_to_centre", "d2d_centre_min", "served_share"):
            if data.access[measure].notna().any():
                figs.append((f"fig-access-{measure.replace('_', '-')}", "Access to services per village",
                             plots.access_heatmap(data.access, measure)))
    return figs


def _table_html(df: pd.DataFrame, *, cls: str = "kpi") -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for _, r in df.iterrows():
        first = str(r.iloc[0])
        sub = first.startswith("  ")
        cells = [f"<td class='label'>{html.escape(first.strip())}</td>"]
        cells += [f"<td>{html.escape(str(v))}</td>" for v in r.iloc[1:]]
        body.append(f"<tr class='{'diff' if sub else 'value'}'>{''.join(cells)}</tr>")
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _rejections_html(kpis: pd.DataFrame) -> str:
    if "rejection_reasons" not in kpis.columns:
        return ""
    rows = []
    for (m, seed), g in kpis.groupby(["model", "seed"], sort=False):
        text = str(g["rejection_reasons"].iloc[0]) if g["rejection_reasons"].notna().any() else ""
        rows.append({"Model": m, "Seed": seed, "Rejections (reason: count)": text or "none"})
    return _table_html(pd.DataFrame(rows), cls="plain")


_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:24px;margin-bottom:4px} h2{font-size:19px;margin-top:36px;border-bottom:1px solid #ddd}
p.meta{color:#555;margin-top:0} table{border-collapse:collapse;margin:12px 0;font-size:13px}
th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:right} td.label,th:first-child{text-align:left}
tr.diff td{color:#666;font-size:12px;border-bottom:1px solid #ccc} .figure{margin:18px 0}
.note{font-size:13px;color:#444;max-width:900px} footer{margin-top:40px;font-size:12px;color:#666}
"""


def render_report(data: ReportData) -> str:
    """Return the report as one HTML document (plotly.js embedded once)."""
    esc = html.escape
    parts: list[str] = []
    parts.append("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>")
    parts.append(f"<title>{esc(data.title)}</title><style>{_CSS}</style>")
    parts.append(f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>")
    parts.append(f"<h1>{esc(data.title)}</h1>")
    models = ", ".join(f"{esc(n)} ({esc(k)})" for n, k in data.models)
    seeds = ", ".join(str(s) for s in data.seeds)
    parts.append(
        f"<p class='meta'>Region: {esc(data.region_label)} · Models: {models} · Seeds: {esc(seeds)} · "
        f"Baseline: {esc(data.baseline)}</p>"
    )
    if data.description:
        parts.append(f"<p class='note'>{esc(data.description)}</p>")
    parts.append("<h2>Comparison</h2>")
    parts.append(
        "<p class='note'>Mean across seeds ± half-width of the 95% confidence interval (Student t); "
        "the grey line gives the paired difference to the baseline (every model saw the same demand "
        "for a seed). n/a: not defined (e.g. nothing served).</p>"
    )
    parts.append(_table_html(comparison_table(data.summary)))
    section = None
    config = {"displaylogo": False, "responsive": True}
    for fig_id, heading, fig in report_figures(data):
        if heading != section:
            parts.append(f"<h2>{esc(heading)}</h2>")
            if heading.startswith("Access"):
                parts.append(
                    "<p class='note'>Per village: hours of the day in which a trip to the middle-order centre is "
                    "possible, door-to-door times to the centre and the nearest doctor, Jobcenter and station, "
                    "measured by sending a probe journey on every full hour through each model "
                    "(see <code>access.csv</code> and <code>transit.evaluate.access</code>), and the share of the "
                    "residents' own requests served.</p>"
                )
            section = heading
        div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=fig_id, config=config)
        parts.append(f"<div class='figure'>{div}</div>")
    rej = _rejections_html(data.kpis)
    if rej:
        parts.append("<h2>Why requests were rejected</h2>" + rej)
    parts.append("<h2>About these numbers</h2>")
    notes = [
        "Every model was run on identical demand for each seed; seeds vary the demand and the booking behaviour. "
        "KPI definitions: transit.evaluate.kpis; access method: transit.evaluate.access; cost rates and their sources: transit.evaluate.costs.",
        "The full tables are beside this report: kpis.csv (one row per model and seed), summary.csv (mean and "
        "confidence interval per model and KPI), access.csv, trips.csv and stops.csv (trip and vehicle logs).",
        *data.notes,
    ]
    parts.extend(f"<p class='note'>{esc(n)}</p>" for n in notes)
    parts.append(f"<footer>Map and road data {esc(ATTRIBUTION)} (ODbL) where the region comes from OSM. "
                 "Made with transit.</footer></body></html>")
    return "\n".join(parts)


def write_report(data: ReportData, path: str | os.PathLike[str]) -> None:
    """Write :func:`render_report` to ``path`` atomically."""
    atomic_write_text(path, render_report(data))
