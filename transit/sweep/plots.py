"""Plot functions of a sweep: take its tables, return plotly figures.

They compute nothing: the curves come from
:func:`transit.sweep.summary.response_table`. Labels and colours are those of
the comparison report (:mod:`transit.compare.plots`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from transit.compare.plots import KPI_LABELS, PALETTE, KpiLabel
from transit.util.i18n import _, current

__all__ = ["response_curve"]


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def response_curve(curve: pd.DataFrame, *, kpi: str, axis: str, models: Sequence[str], held: str = "") -> go.Figure:
    """Draw a KPI against an axis: one line per model, its 95% interval as a band.

    Parameters
    ----------
    curve
        :func:`transit.sweep.summary.response_table` (``model``, ``x``,
        ``mean``, ``ci_low``, ``ci_high``).
    kpi, axis
        What is drawn against what (for the titles).
    models
        The models, in report order (their colours).
    held
        Text saying where the other axes are held, shown under the title.
    """
    lab = KPI_LABELS.get(kpi, KpiLabel(kpi.replace("_", " "), ""))
    fig = go.Figure()
    numeric = pd.api.types.is_numeric_dtype(curve["x"]) and not pd.api.types.is_bool_dtype(curve["x"])
    for i, m in enumerate(models):
        c = curve[curve["model"] == m]
        if c.empty:
            continue
        colour = PALETTE[i % len(PALETTE)]
        x = c["x"].tolist() if numeric else [str(v) for v in c["x"]]
        lo = (c["ci_low"] * lab.factor).tolist()
        hi = (c["ci_high"] * lab.factor).tolist()
        if c["ci_low"].notna().any():
            fig.add_trace(go.Scatter(x=x + x[::-1], y=hi + lo[::-1], fill="toself", fillcolor=_rgba(colour, 0.18),
                                     mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False, legendgroup=m,
                                     name=_("{model} 95% CI").format(model=m)))
        fig.add_trace(go.Scatter(x=x, y=(c["mean"] * lab.factor).tolist(), mode="lines+markers", name=m,
                                 legendgroup=m, line={"color": colour, "width": 2}))
    title = _("{kpi} against {axis}").format(kpi=lab.title_text, axis=axis)
    if held:
        title += f"<br><sup>{held}</sup>"
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        separators=current().separators,
        font={"family": "Arial, Helvetica, sans-serif", "size": 12},
        height=400,
        margin={"l": 60, "r": 20, "t": 80, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
        xaxis={"title": {"text": axis}, "type": "linear" if numeric else "category"},
        yaxis={"title": {"text": _("{axis} (mean, 95% CI band)").format(axis=lab.axis)}},
    )
    return fig
