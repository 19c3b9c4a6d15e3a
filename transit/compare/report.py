"""The comparison report: one self-contained HTML file that opens offline.

plotly.js is embedded once in the page head; every figure is a ``div`` drawn
by ``Plotly.newPlot`` from data inside the page, and maps use a blank
``Scattergeo`` background, so nothing is fetched from the network. The page
opens with the answer in plain words (:mod:`transit.compare.conclusion`),
then which assumptions drive it (the sensitivity runs), the comparison table
with each KPI beside its published range, and the figures of
:mod:`transit.compare.plots`. Every sentence comes from
:mod:`transit.compare.texts`; this module only arranges. The page is in the
language :func:`render_report` is given (else the current one,
:mod:`transit.util.i18n`), its ``lang`` attribute set accordingly.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from transit.compare import plots
from transit.compare.conclusion import conclusion_html, findings
from transit.compare.texts import label, text
from transit.util.atomic import atomic_write_text
from transit.compare.table import comparison_table
from transit.compare.mapdata import RegionMap
from transit.evaluate.profiles import occupancy_profile
from transit.evaluate.reasons import parse_counts, reason_kind
from transit.util.i18n import N_, _, current, use_lang

__all__ = ["ReportData", "render_report", "report_figures", "write_report"]

#: KPI panels of the report, by section.
SERVICE_KPIS = ("served_share", "wait_mean_min", "door_to_door_mean_min", "car_time_ratio", "walk_mean_m",
                "in_vehicle_mean_min")
EFFICIENCY_KPIS = ("passengers_per_vehicle_hour", "pooling_rate", "occupancy", "vehicle_km", "vehicle_hours",
                   "empty_km_share")
COST_KPIS = ("cost_total", "fare_revenue", "subsidy", "cost_per_vehicle_km", "subsidy_per_pkm", "cost_recovery",
             "co2_per_pkm_g")


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
    sensitivity
        The sensitivity table (``sensitivity.csv``), or None when not run.
    sensitivity_notes
        Factors the sensitivity runs left out, and why.
    precision
        Whether the main KPIs' intervals met their target
        (:class:`transit.compare.precision.PrecisionStatus`), or None.
    access_groups
        ``access_groups.csv`` (served per village, group and purpose), or None.
    residents
        Residents of the region (for the cost per resident).
    service_days_per_year
        Days a year the simulated day stands for.
    stop_coverage
        The hook for "residents within the walk limit of a stop":
        ``model, residents_within, residents, method`` per model, or None
        (:mod:`transit.compare.conclusion`).
    cost_notes
        Sentences on the costing basis for the first section.
    synthetic
        The region is synthetic: the page says "synthetic data" instead of
        crediting OpenStreetMap.
    school_notes
        Sentences on the school buses, the common base of every model
        (:mod:`transit.compare.school`).
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
    sensitivity: pd.DataFrame | None = None
    sensitivity_notes: Sequence[str] = field(default_factory=tuple)
    precision: Any = None
    access_groups: pd.DataFrame | None = None
    residents: float = float("nan")
    service_days_per_year: float = 250.0
    stop_coverage: pd.DataFrame | None = None
    cost_notes: Sequence[str] = field(default_factory=tuple)
    synthetic: bool = False
    school_notes: Sequence[str] = field(default_factory=tuple)


#: KPIs of the tornado charts.
TORNADO_KPIS = ("cost_per_passenger", "subsidy_per_passenger", "served_share")


#: Headings of the figure sections (translated where shown).
H_SERVICE, H_EFFICIENCY, H_COSTS = N_("Service quality"), N_("Vehicles and efficiency"), N_("Costs")


def report_figures(data: ReportData) -> list[tuple[str, str, go.Figure]]:
    """Return the report's figures as ``(id, section heading, figure)``, in page order (current language)."""
    figs: list[tuple[str, str, go.Figure]] = []
    service, efficiency, costs = _(H_SERVICE), _(H_EFFICIENCY), _(H_COSTS)
    s = data.summary
    sens = data.sensitivity
    if sens is not None and len(sens):
        seeds = int(sens["seeds"].iloc[0])
        factors = {f: text(f"factor_{f}") for f in sens["factor"].unique()}
        levels = {"low": text("level_low"), "high": text("level_high")}
        for k in TORNADO_KPIS:
            if (sens["kpi"] == k).any():
                lab = plots.KPI_LABELS[k]
                figs.append((f"fig-tornado-{k.replace('_', '-')}", text("h_sensitivity"), plots.tornado(
                    sens, k, factor_labels=factors, level_labels=levels, yaxis=text("tornado_yaxis"),
                    title=text("tornado_title", kpi=lab.title_text, seeds=seeds),
                    axis=text("tornado_axis", kpi=current().inline(lab.axis)))))
    figs.append(("fig-service", service,
                 plots.kpi_bars(s, SERVICE_KPIS, title=_("Service quality (mean and 95% CI across seeds)"))))
    figs.append(("fig-wait", service, plots.wait_time_distribution(data.trips)))
    figs.append(("fig-traveltime", service, plots.travel_time_distribution(data.trips)))
    figs.append(("fig-efficiency", efficiency,
                 plots.kpi_bars(s, EFFICIENCY_KPIS, title=_("Vehicles and efficiency (mean and 95% CI across seeds)"))))
    figs.append(("fig-occupancy", efficiency, plots.occupancy_over_day(occupancy_profile(data.stops))))
    figs.append(("fig-costpp", costs, plots.cost_per_passenger(s)))
    figs.append(("fig-costs", costs,
                 plots.kpi_bars(s, COST_KPIS, title=_("Costs, revenue and emissions (mean and 95% CI across seeds)"))))
    access = text("h_access")
    if data.region is not None and len(data.access):
        figs.append(("fig-map", access, plots.access_map(data.region, data.access)))
    if len(data.access):
        for measure in ("served_share", "hours_to_centre_day", "hours_to_centre", "d2d_centre_min"):
            if measure in data.access and data.access[measure].notna().any():
                figs.append((f"fig-access-{measure.replace('_', '-')}", access,
                             plots.access_heatmap(data.access, measure)))
    return figs


def _table_html(df: pd.DataFrame, *, cls: str = "kpi") -> str:
    head = "".join(f"<th>{html.escape(_(str(c)) if i == 0 else str(c))}</th>" for i, c in enumerate(df.columns))
    body = []
    for _row, r in df.iterrows():
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
    cols = (_("Model"), _("Seed"), _("Rejections (reason: count)"))
    for (m, seed), g in kpis.groupby(["model", "seed"], sort=False):
        raw = str(g["rejection_reasons"].iloc[0]) if g["rejection_reasons"].notna().any() else ""
        text = "; ".join(f"{_(kind)}: {n}" for kind, n in parse_counts(raw))  # the kinds, in the report's language
        rows.append(dict(zip(cols, (m, seed, text or _("none")))))
    return _table_html(pd.DataFrame(rows), cls="plain")




#: The heads of an access cell's reason (``access.csv``, :func:`transit.evaluate.access.why_empty`).
_WHY_HEADS = {"no service": N_("no service"), "not reachable": N_("not reachable")}
_WAIT = re.compile(r"every trip leaves more than (\d+) min after the hour")


def why_text(value: str) -> str:
    """Return an access cell's reason (``no service: <reason>``, ...) in the report's language.

    The booking's reason is named by its kind (:func:`transit.evaluate.reasons.reason_kind`);
    a text of another shape is returned as it is.
    """
    head, sep, rest = str(value).partition(": ")
    if not sep or head not in _WHY_HEADS:
        return str(value)
    wait = _WAIT.fullmatch(rest)
    if wait is not None:
        detail = current().format(_("every trip leaves more than {minutes} min after the hour"),
                                  minutes=int(wait.group(1)))
    else:
        detail = _(reason_kind(rest))
    return f"{_(_WHY_HEADS[head])}: {detail}"


def _why_html(access: pd.DataFrame) -> str:
    """Count, per model and destination, the villages whose door-to-door cell is empty, by reason."""
    cols = [c for c in access.columns if c.startswith("why_")]
    rows = []
    for m, g in access.groupby("model", sort=False):
        for c in cols:
            why = g[c].astype(object).where(g[c].notna(), "").astype(str)
            for reason, n in why[why != ""].value_counts().items():
                rows.append({text("why_table_col_model"): m, text("why_table_col_dest"): label(c[4:]),
                             text("why_table_col_reason"): why_text(reason), text("why_table_col_villages"): int(n)})
    return _table_html(pd.DataFrame(rows), cls="plain") if rows else ""


def _sensitivity_html(data: ReportData) -> str:
    sens = data.sensitivity
    if sens is None or sens.empty:
        return ""
    parts = [f"<p class='note'>{html.escape(text('sensitivity_note', seeds=int(sens['seeds'].iloc[0])))}</p>"]
    if data.sensitivity_notes:
        parts.append(f"<p class='note'>{html.escape(text('sensitivity_skipped', items='; '.join(data.sensitivity_notes)))}</p>")
    return "".join(parts)


_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:24px;margin-bottom:4px} h2{font-size:19px;margin-top:36px;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:18px 0 4px} p.meta{color:#555;margin-top:0} p.lead{font-size:15px;max-width:900px}
table{border-collapse:collapse;margin:12px 0;font-size:13px}
th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:right} td.label,th:first-child{text-align:left}
tr.diff td{color:#666;font-size:12px;border-bottom:1px solid #ccc} .figure{margin:18px 0}
tr.above td,tr.below td{background:#fff3e0} table.published th{text-align:left} td.src{font-size:11px;color:#555;max-width:420px}
section#conclusion li{margin:3px 0;max-width:980px;font-size:14px}
.note{font-size:13px;color:#444;max-width:900px} footer{margin-top:40px;font-size:12px;color:#666}
"""


def render_report(data: ReportData, *, lang: str | None = None) -> str:
    """Return the report as one HTML document (plotly.js embedded once).

    ``lang`` is the language of the page (``"de"`` or ``"en"``; None: the
    current language, :func:`transit.util.i18n.current`).
    """
    with use_lang(lang or current().lang):
        return _render(data)


def _render(data: ReportData) -> str:
    esc = html.escape
    parts: list[str] = []
    parts.append(f"<!DOCTYPE html><html lang='{esc(current().lang)}'><head><meta charset='utf-8'>")
    parts.append(f"<title>{esc(data.title)}</title><style>{_CSS}</style>")
    parts.append(f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>")
    parts.append(f"<h1>{esc(data.title)}</h1>")
    models = ", ".join(f"{n} ({k})" for n, k in data.models)
    seeds = ", ".join(str(s) for s in data.seeds)
    parts.append(f"<p class='meta'>{esc(text('meta', region=data.region_label, models=models, seeds=seeds, baseline=data.baseline))}</p>")
    if data.description:
        parts.append(f"<p class='note'>{esc(data.description)}</p>")
    found = findings(data)
    parts.append(conclusion_html(found, data))
    config = {"displaylogo": False, "responsive": True}
    figures = report_figures(data)
    h_sens = text("h_sensitivity")

    def add_figures(figs: list[tuple[str, str, go.Figure]]) -> None:
        section = None
        for fig_id, heading, fig in figs:
            if heading != section:
                parts.append(f"<h2>{esc(heading)}</h2>")
                if heading == h_sens:
                    parts.append(_sensitivity_html(data))
                if heading == text("h_access"):
                    parts.append(f"<p class='note'>{esc(text('access_note'))}</p>" + _why_html(data.access))
                section = heading
            div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=fig_id, config=config)
            parts.append(f"<div class='figure'>{div}</div>")

    add_figures([f for f in figures if f[1] == h_sens])
    parts.append(_comparison_html(data, found))
    add_figures([f for f in figures if f[1] != h_sens])
    rej = _rejections_html(data.kpis)
    if rej:
        parts.append(f"<h2>{esc(text('h_rejections'))}</h2>" + rej)
    parts.append(f"<h2>{esc(text('h_about'))}</h2>")
    notes = [text("about_1"), text("about_2"), *data.notes]
    parts.extend(f"<p class='note'>{esc(n)}</p>" for n in notes)
    footer = text("footer_synthetic") if data.synthetic else text("footer_osm")
    parts.append(f"<footer>{esc(footer)}</footer></body></html>")
    return "\n".join(parts)


def _comparison_html(data: ReportData, found: Any) -> str:
    """The comparison table, each KPI beside its published range."""
    table = comparison_table(data.summary, published=found.checks, published_column=text("published_column"))
    return (f"<h2 id='comparison'>{html.escape(text('h_comparison'))}</h2>"
            f"<p class='note'>{html.escape(text('comparison_note'))}</p>" + _table_html(table))


def write_report(data: ReportData, path: str | os.PathLike[str], *, lang: str | None = None) -> None:
    """Write :func:`render_report` (in ``lang``, None: the current language) to ``path`` atomically."""
    atomic_write_text(path, render_report(data, lang=lang))
