"""The report's first section: which model serves whom, at what cost, how sure, and what would change it.

:func:`findings` draws the conclusion from a comparison's tables (no new
numbers: means and intervals from ``summary.csv``, shares from
``access.csv`` and ``access_groups.csv``, the sensitivity table, the
published ranges); :func:`conclusion_html` writes it in plain words with the
sentences of :mod:`transit.compare.texts`.

Residents within walking reach of a stop
----------------------------------------
``ReportData.stop_coverage`` gives this figure (columns ``model,
residents_within, residents, method``): the comparison computes it with
:func:`transit.evaluate.catchment.model_catchment` (walk graph, group walk
limits). For tables without it, :func:`stop_coverage_estimate` counts the
residents of the villages whose centre point has a stop within the walk
limit (from the access probes).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from transit.compare.texts import label, money, setting_text, text
from transit.evaluate.published import check_ranges
from transit.evaluate.stats import paired_difference_ci
from transit.util.i18n import N_, _, current

#: A :class:`transit.compare.report.ReportData` (not imported: the report imports this module).
ReportData = Any

__all__ = ["Findings", "ModelFinding", "conclusion_html", "findings", "stop_coverage_estimate"]

#: Kinds whose passengers walk to stops (the stop coverage estimate applies to them).
_STOP_KINDS = ("fixed_line", "rufbus", "ast", "ondemand_stops", "hybrid")


@dataclass(frozen=True)
class ModelFinding:
    """What one model does, in figures the first section states.

    ``served``, ``cost``, ``subsidy``: ``(mean, low, high)``;
    ``least_served``: villages with requests of which less than half were
    served, most residents first; ``purposes`` and ``groups``: ``(name,
    share served, requests)``.
    """

    model: str
    kind: str
    served: tuple[float, float, float]
    good_villages: int
    villages: int
    least_served: tuple[str, ...]
    purposes: tuple[tuple[str, float, int], ...]
    groups: tuple[tuple[str, float, int], ...]
    cost: tuple[float, float, float]
    subsidy: tuple[float, float, float]
    subsidy_per_resident_year: float


@dataclass(frozen=True)
class Findings:
    """The first section's content (see the module docstring)."""

    models: tuple[ModelFinding, ...]
    requests_per_day: float
    ranking: tuple[str, ...]
    first_gap: tuple[float, float, float] | None
    flips: pd.DataFrame
    checks: pd.DataFrame
    outside: pd.DataFrame


def _iv(summary: pd.DataFrame, model: str, kpi: str) -> tuple[float, float, float]:
    r = summary[(summary["model"] == model) & (summary["kpi"] == kpi)]
    if r.empty:
        return (math.nan, math.nan, math.nan)
    x = r.iloc[0]
    return (float(x["mean"]), float(x["ci_low"]), float(x["ci_high"]))


def _shares(groups: pd.DataFrame | None, model: str, by: str) -> tuple[tuple[str, float, int], ...]:
    if groups is None or groups.empty:
        return ()
    g = groups[groups["model"] == model].groupby(by)[["requests", "served"]].sum()
    if by == "group" and list(g.index) == ["all"]:
        return ()
    g = g.sort_values("requests", ascending=False)
    return tuple((str(k), float(r["served"] / r["requests"]) if r["requests"] else math.nan, int(r["requests"]))
                 for k, r in g.iterrows())


def _villages(access: pd.DataFrame, model: str) -> tuple[int, int, tuple[str, ...]]:
    a = access[(access["model"] == model) & (access["requests"] > 0)]
    if a.empty:
        return 0, 0, ()
    share = pd.to_numeric(a["served_share"], errors="coerce")
    poor = a[share < 0.5].sort_values("population", ascending=False)
    return int((share >= 0.5).sum()), len(a), tuple(str(v) for v in poor["village"])


def _gap(kpis: pd.DataFrame, first: str, second: str, kpi: str) -> tuple[float, float, float] | None:
    a = kpis[kpis["model"] == second].set_index("seed")[kpi]
    b = kpis[kpis["model"] == first].set_index("seed")[kpi]
    seeds = [s for s in a.index if s in b.index]
    if len(seeds) < 2:
        return None
    iv = paired_difference_ci(a.loc[seeds].to_numpy(dtype=float), b.loc[seeds].to_numpy(dtype=float))
    return (iv.mean, iv.low, iv.high)


def findings(data: ReportData) -> Findings:
    """Draw the first section's figures from the report's tables."""
    from transit.compare.sensitivity import flips

    s = data.summary
    kinds = dict(data.models)
    days = float(getattr(data, "service_days_per_year", 250.0))
    residents = float(data.residents) if data.residents and math.isfinite(data.residents) else math.nan
    models = []
    for name, kind in data.models:
        good, total, poor = _villages(data.access, name) if len(data.access) else (0, 0, ())
        sub = _iv(s, name, "subsidy")[0]
        models.append(ModelFinding(
            model=name, kind=kind, served=_iv(s, name, "served_share"), good_villages=good, villages=total,
            least_served=poor, purposes=_shares(data.access_groups, name, "purpose"),
            groups=_shares(data.access_groups, name, "group"), cost=_iv(s, name, "cost_per_passenger"),
            subsidy=_iv(s, name, "subsidy_per_passenger"),
            subsidy_per_resident_year=sub * days / residents if math.isfinite(residents) and residents else math.nan,
        ))
    costs = {m.model: m.cost[0] for m in models if math.isfinite(m.cost[0])}
    ranking = tuple(sorted(costs, key=lambda m: costs[m]))
    gap = _gap(data.kpis, ranking[0], ranking[1], "cost_per_passenger") if len(ranking) >= 2 else None
    table = data.sensitivity if data.sensitivity is not None else pd.DataFrame(columns=["kpi"])
    fl = flips(table) if len(table) else pd.DataFrame(columns=["factor", "level", "setting", "order", "swapped"])
    checks = check_ranges(s, kinds)
    outside = checks[checks["verdict"].isin(["below", "above"])]
    req = _iv(s, data.models[0][0], "requests")[0] if data.models else math.nan
    return Findings(tuple(models), req, ranking, gap, fl, checks, outside)


# ----------------------------------------------------------------------------- words


#: The words of the published-range verdicts (:func:`transit.evaluate.published.check_ranges`).
_VERDICTS = {"below": N_("below"), "above": N_("above"), "within": N_("within"), "n/a": N_("n/a")}


def _pct(x: float) -> str:
    return _("n/a") if x is None or not math.isfinite(x) else current().format("{x:.0%}", x=x)


def _verdict(v: str) -> str:
    return _(_VERDICTS[v]) if v in _VERDICTS else v


def _span(iv: tuple[float, float, float], fmt: Any) -> str:
    mean, lo, hi = iv
    if not math.isfinite(mean):
        return _("n/a")
    if math.isfinite(lo) and math.isfinite(hi):
        return f"{fmt(mean)} ({fmt(lo)}–{fmt(hi)})"
    return fmt(mean)


def _kpi_label(kpi: str) -> str:
    from transit.compare.plots import KPI_LABELS

    lab = KPI_LABELS.get(kpi)
    return current().inline(lab.title_text) if lab else kpi.replace("info_", "").replace("_", " ")


def _is_share(kpi: str) -> bool:
    from transit.compare.plots import KPI_LABELS

    lab = KPI_LABELS.get(kpi)
    return (lab is not None and lab.factor == 100.0) or kpi.startswith("info_share") or kpi.endswith("_share")


def _value(kpi: str, x: float) -> str:
    return _pct(x) if _is_share(kpi) else current().format("{x:.3g}", x=x)


def _published_range(row: Mapping[str, Any]) -> str:
    kpi = str(row["kpi"])
    return f"{_value(kpi, float(row['low']))}–{_value(kpi, float(row['high']))}"


def _ul(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def _who(f: Findings) -> list[str]:
    items = []
    for m in f.models:
        worst = ""
        if m.least_served:
            more = len(m.least_served) - 5
            names = ", ".join(m.least_served[:5]) + (_(" and {n} more").format(n=more) if more > 0 else "")
            worst = text("who_worst", names=names)
        line = text("who_model", model=m.model, share=_span(m.served, _pct), good=m.good_villages,
                    villages=m.villages, worst=worst)
        if m.purposes:
            line += " " + text("who_purposes", items=", ".join(
                text("share_item", name=label(n), share=_pct(x), n=k) for n, x, k in m.purposes))
        if m.groups:
            line += " " + text("who_groups", items=", ".join(
                text("share_item", name=label(n), share=_pct(x), n=k) for n, x, k in m.groups))
        items.append(line)
    return items


def _ranking(f: Findings, data: ReportData) -> list[str]:
    out = []
    if len(f.ranking) < 2:
        return [text("ranking_one")]
    order = " < ".join(f"{m} ({money(next(x.cost[0] for x in f.models if x.model == m))})" for m in f.ranking)
    out.append(text("ranking", order=order))
    if f.first_gap is not None and all(math.isfinite(v) for v in f.first_gap):
        diff, lo, hi = f.first_gap
        key = "ranking_clear" if lo > 0 or hi < 0 else "ranking_unclear"
        out.append(text(key, first=f.ranking[0], second=f.ranking[1], diff=money(diff), lo=money(lo),
                        hi=money(hi)))
    return out


def _flips_html(f: Findings, data: ReportData) -> str:
    table = data.sensitivity
    if table is None or table.empty:
        return f"<p class='note'>{html.escape(text('flips_off'))}</p>"
    seeds = int(table["seeds"].iloc[0])
    if f.flips.empty:
        n = len(table[["factor", "level"]].drop_duplicates())
        return f"<p class='note'>{html.escape(text('flips_none', n=n))}</p>"
    items = [text("flip_item", setting=setting_text(r.setting), order=r.order, base_order=r.base_order, swapped=r.swapped)
             for r in f.flips.itertuples()]
    intro = text("flips_intro_one") if seeds == 1 else text("flips_intro", seeds=seeds)
    return f"<p class='note'>{html.escape(intro)}</p>" + _ul(items)


def _precision(data: ReportData) -> str:
    st = data.precision
    if st is None:
        return ""
    spec = st.spec

    def half(k: str, x: float) -> str:
        return text("points", points=100 * x) if _is_share(k) else current().format("{x:.3g}", x=x)

    absolute = ", ".join(f"{_kpi_label(k)} ± " + half(k, v) for k, v in spec.absolute.items())
    targets = text("precision_targets", rel=spec.relative, abs=absolute)
    from transit.compare.precision import describe_widest

    widest = "; ".join(describe_widest(st, {k: _kpi_label(k) for k in spec.kpis}, half))
    if st.met:
        return text("precision_met", seeds=st.seeds, targets=targets)
    if st.capped:
        return text("precision_capped", seeds=st.seeds, targets=targets, widest=widest)
    return text("precision_fixed", seeds=st.seeds, targets=targets, widest=widest)


#: The columns of the table of published ranges.
_PUBLISHED_HEAD = (N_("Model"), N_("KPI"), N_("Value"), N_("Published"), N_("Verdict"), N_("Source"))


def _published_html(f: Findings) -> str:
    parts = [f"<h3>{html.escape(text('h_published'))}</h3>"]
    if f.outside.empty:
        parts.append(f"<p class='note'>{html.escape(text('published_none'))}</p>")
    else:
        items = [text("published_item", model=r.model, kpi=_kpi_label(r.kpi), value=_value(r.kpi, r.mean),
                      verdict=_verdict(r.verdict), range=_published_range(r._asdict()), what=_(r.what))
                 for r in f.outside.itertuples()]
        parts.append(f"<p class='note' id='outside-published'>{html.escape(text('published_outside'))}</p>"
                     + _ul(items))
    if not f.checks.empty:
        rows = "".join(
            f"<tr class='{html.escape(r.verdict)}'><td class='label'>{html.escape(r.model)}</td>"
            f"<td class='label'>{html.escape(_kpi_label(r.kpi))}</td><td>{html.escape(_value(r.kpi, r.mean))}</td>"
            f"<td>{html.escape(_published_range(r._asdict()))}</td><td>{html.escape(_verdict(r.verdict))}</td>"
            f"<td class='label src'>{html.escape(r.source)}</td></tr>"
            for r in f.checks.itertuples()
        )
        head = "".join(f"<th>{html.escape(_(h))}</th>" for h in _PUBLISHED_HEAD)
        parts.append(f"<p class='note'>{html.escape(text('published_table_note'))}</p>"
                     f"<table class='plain published'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return "".join(parts)


def _coverage_html(data: ReportData) -> str:
    cov = data.stop_coverage
    parts = [f"<h3>{html.escape(text('h_coverage'))}</h3>"]
    if cov is None or cov.empty:
        return parts[0] + f"<p class='note'>{html.escape(text('coverage_none'))}</p>"
    items = [text("coverage_model", model=r.model, within=r.residents_within, total=r.residents,
                  share=_pct(r.residents_within / r.residents if r.residents else math.nan), method=r.method)
             for r in cov.itertuples()]
    return parts[0] + _ul(items)


def conclusion_html(f: Findings, data: ReportData) -> str:
    """Return the first section of the report as HTML (the sentences of :mod:`transit.compare.texts`)."""
    esc = html.escape
    residents = data.residents if data.residents and math.isfinite(data.residents) else 0.0
    parts = [f"<section id='conclusion'><h2>{esc(text('h_conclusion'))}</h2>"]
    parts.append(f"<p class='lead'>{esc(text('intro', n_models=len(data.models), n_seeds=len(data.seeds), requests=f.requests_per_day if math.isfinite(f.requests_per_day) else 0.0, residents=residents))}</p>")
    school = getattr(data, "school_notes", ())
    if school:
        parts.append(f"<h3 id='school'>{esc(text('h_school'))}</h3>"
                     + "".join(f"<p class='note'>{esc(t)}</p>" for t in school))
    parts.append(f"<h3>{esc(text('h_who'))}</h3>" + _ul(_who(f)))
    days = float(getattr(data, "service_days_per_year", 250.0))
    costs = [text("cost_model", model=m.model, cost=_span(m.cost, money), subsidy=_span(m.subsidy, money),
                  per_resident=money(m.subsidy_per_resident_year), days=days) for m in f.models]
    parts.append(f"<h3>{esc(text('h_cost'))}</h3>" + _ul(costs))
    parts.extend(f"<p class='note'>{esc(t)}</p>" for t in _ranking(f, data))
    parts.append(_flips_html(f, data))
    prec = _precision(data)
    if prec:
        parts.append(f"<p class='note' id='precision'>{esc(prec)}</p>")
    parts.append(_published_html(f))
    parts.append(_coverage_html(data))
    for note in data.cost_notes:
        parts.append(f"<p class='note'>{esc(note)}</p>")
    parts.append("</section>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------- the coverage hook


def stop_coverage_estimate(access: pd.DataFrame, kinds: Mapping[str, str], walk_m: float) -> pd.DataFrame:
    """Estimate the residents within walking reach of a stop, per stop-based model, from the access probes.

    A village counts as covered when its centre point's probes to the centre
    are not refused for want of a stop within the walk limit
    (``why_centre``); the centre itself is not among the villages.

    Returns
    -------
    pandas.DataFrame
        ``model, residents_within, residents, method`` (the hook's columns).
    """
    cols = ["model", "residents_within", "residents", "method"]
    rows = []
    for model, kind in kinds.items():
        if kind not in _STOP_KINDS or access.empty:
            continue
        a = access[access["model"] == model]
        if a.empty:
            continue
        why = a["why_centre"].fillna("").astype(str)
        far = why.str.contains("no stop within") & why.str.contains("pickup")
        pop = pd.to_numeric(a["population"], errors="coerce").fillna(0.0)
        rows.append({"model": model, "residents_within": float(pop[~far].sum()), "residents": float(pop.sum()),
                     "method": current().format(_("estimate: residents of the villages whose centre point has a "
                                                  "stop within {walk:.0f} m (the centre town not counted)"),
                                                walk=walk_m)})
    return pd.DataFrame(rows, columns=cols)

