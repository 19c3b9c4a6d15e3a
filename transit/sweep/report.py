"""The sweep report ``sweep.html``: response curves and the cheapest combination per model.

One self-contained HTML file (plotly.js embedded once, nothing fetched):
for every KPI of the sweep's ``kpis`` and every axis, the KPI against the
axis with one line per model and its 95% interval band, the other axes held
at their middle values (:func:`transit.sweep.summary.reference_levels`); then
the table of the combination where each model is cheapest per passenger at
the service level, and the failed tasks, if any.
"""

from __future__ import annotations

import html
import os
import pandas as pd
from plotly.offline import get_plotlyjs

from transit.compare.plots import KPI_LABELS
from transit.sweep.plots import response_curve
from transit.sweep.result import SweepResult
from transit.sweep.spec import shown
from transit.sweep.summary import reference_levels, response_table
from transit.util.atomic import atomic_write_text
from transit.util.i18n import _, current, use_lang

__all__ = ["render_sweep_report", "write_sweep_report"]

_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:24px;margin-bottom:4px} h2{font-size:19px;margin-top:36px;border-bottom:1px solid #ddd}
p.meta{color:#555;margin-top:0} table{border-collapse:collapse;margin:12px 0;font-size:13px}
th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:right} td:first-child,th:first-child{text-align:left}
.figure{margin:18px 0} .note{font-size:13px;color:#444;max-width:900px} footer{margin-top:40px;font-size:12px;color:#666}
"""


def _cell(value: object) -> str:
    if isinstance(value, float):
        return _("n/a") if value != value else current().format("{v:,.3g}", v=value)
    if value is None or value is pd.NA:
        return ""
    return html.escape(str(value))


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cheapest_html(result: SweepResult) -> str:
    """The cheapest combination per model as a short table (the full one is cheapest.csv)."""
    sw = result.sweep
    rows = []
    for r in result.cheapest.to_dict("records"):
        if r["note"]:
            rows.append(["" if r["model"] is None else r["model"], "—", _pct(r["served_share"]), "—", r["note"]])
            continue
        combo = ", ".join(f"{a.short} = {shown(r[a.key])}" for a in sw.axes)
        cost = f"{current().money(r['cost_per_passenger'], digits=2)} " \
               f"({_ci(r['cost_per_passenger_ci_low'], r['cost_per_passenger_ci_high'])})"
        rows.append([r["model"], f"{r['combination']}: {combo}", _pct(r["served_share"]), cost, ""])
    columns = [_("model"), _("combination"), _("served"), _("cost per passenger (95% CI)"), _("note")]
    return _table(pd.DataFrame(rows, columns=columns))


def _pct(x: float) -> str:
    return _("n/a") if x != x else current().percent(x, 1)


def _ci(lo: float, hi: float) -> str:
    if lo != lo or hi != hi:
        return _("n/a")
    return _("{low} to {high}").format(low=current().money(lo, digits=2), high=current().money(hi, digits=2))


def render_sweep_report(result: SweepResult, *, lang: str | None = None) -> str:
    """Return ``sweep.html`` as text.

    ``lang`` is the language of the page (``"de"`` or ``"en"``; None: the
    current language, :func:`transit.util.i18n.current`).
    """
    with use_lang(lang or current().lang):
        return _render(result)


def _render(result: SweepResult) -> str:
    esc = html.escape
    tr = current()
    sw = result.sweep
    sc = sw.scenario
    models = list(dict.fromkeys(result.results["model"])) if len(result.results) else [m.name for m in sc.models]
    title = _("Sweep: {name}").format(name=sc.name)
    parts = [f"<!DOCTYPE html><html lang='{esc(tr.lang)}'><head><meta charset='utf-8'>",
             f"<title>{esc(title)}</title><style>{_CSS}</style>",
             f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
             f"<h1>{esc(title)}</h1>"]
    axes = "; ".join(f"{a.key} = {', '.join(shown(v) for v in a.values)}" for a in sw.axes)
    meta = _("Region: {region} · {combinations} combinations x {seeds} seeds = {tasks} tasks · Axes: {axes}")
    parts.append("<p class='meta'>" + esc(meta.format(region=sc.region.label, combinations=len(sw.combinations),
                                                      seeds=len(sw.seeds), tasks=sw.n_tasks, axes=axes)) + "</p>")
    if sc.description:
        parts.append(f"<p class='note'>{esc(sc.description)}</p>")
    level = tr.percent(sw.service_level, 0)
    parts.append("<h2>" + esc(_("Cheapest per passenger at a served share of at least {level}").format(level=level))
                 + "</h2>")
    parts.append("<p class='note'>" + esc(_(
        "Per model, among the combinations whose mean served share over the seeds reaches the service level, "
        "the one with the lowest mean cost per passenger (with its 95% interval over the seeds; few seeds give "
        "wide intervals).")) + "</p>")
    parts.append(_cheapest_html(result))
    ref = reference_levels(sw)
    config = {"displaylogo": False, "responsive": True}
    k = 0
    for kpi in sw.kpis:
        label = KPI_LABELS.get(kpi)
        parts.append(f"<h2>{esc(label.title_text if label is not None else kpi)}</h2>")
        for axis in sw.axes:
            others = [f"{a.key} = {shown(ref[a.key])}" for a in sw.axes if a.key != axis.key]
            held = _("other axes at {values}").format(values=", ".join(others)) if others else ""
            curve = response_table(result.summary, sw, axis=axis.key, kpi=kpi)
            fig = response_curve(curve, kpi=kpi, axis=axis.key, models=models, held=held)
            k += 1
            div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"curve-{k}", config=config)
            parts.append(f"<div class='figure'>{div}</div>")
    if len(result.failures):
        parts.append("<h2>" + esc(_("Failed tasks")) + "</h2><p class='note'>" + esc(_(
            "These combinations and seeds are missing from the results; run the same command with --resume to "
            "try them again.")) + "</p>")
        parts.append(_table(result.failures))
    notes = [_("Every row of results.csv / results.parquet is one model on one combination and seed; summary.csv "
               "gives the mean and 95% interval (Student t) over the seeds per combination, model and KPI; KPI "
               "definitions: transit.evaluate.kpis.")]
    if sc.region.instance == "default":
        notes.append(_("The region is the bundled synthetic district (instances/default): synthetic data; it "
                       "describes no real place."))
    parts.extend(f"<p class='note'>{esc(n)}</p>" for n in notes)
    parts.append("<footer>" + esc(_("Road data © OpenStreetMap contributors (ODbL) where the region comes from OSM. "
                                     "Made with transit.")) + "</footer></body></html>")
    return "\n".join(parts)


def write_sweep_report(result: SweepResult, path: str | os.PathLike[str], *, lang: str | None = None) -> None:
    """Write :func:`render_sweep_report` (in ``lang``, default the current language) to ``path`` atomically."""
    atomic_write_text(path, render_sweep_report(result, lang=lang))
