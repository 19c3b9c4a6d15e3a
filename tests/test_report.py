"""The HTML report: self-contained, plotly.js once, maps attributed, and it renders in Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from chromium_render import dump_dom, find_chromium, rendered_figures, screenshot
from compare_fakes import synthetic_access, synthetic_region, synthetic_results
from plotly.offline import get_plotlyjs

from transit.compare.table import comparison_table, format_interval, render_text
from transit.compare.report import ReportData, report_figures, write_report
from transit.evaluate.stats import summarize

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def data() -> ReportData:
    kpis, trips, stops = synthetic_results()
    return ReportData(
        title="Synthetic <comparison>",
        description="Lines vs on-demand & friends",
        baseline="Linienbus",
        seeds=[1, 2, 3],
        models=[("Linienbus", "fixed_line"), ("Rufbus", "rufbus"), ("On-demand", "ondemand")],
        kpis=kpis,
        summary=summarize(kpis, baseline="Linienbus"),
        access=synthetic_access(),
        trips=trips,
        stops=stops,
        region=synthetic_region(),
        region_label="synthetic",
    )


def test_report_is_self_contained(data: ReportData, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report(data, out)
    text = out.read_text(encoding="utf-8")
    js = get_plotlyjs()
    assert text.count(js) == 1  # plotly.js embedded exactly once
    assert len(text) < len(js) + 3_000_000
    assert not re.search(r"<script[^>]+src=", text)  # nothing loaded from elsewhere
    assert not re.search(r"<link[^>]+href=", text)
    assert "cdn.plot.ly" not in text.replace(js, "")
    assert "Synthetic &lt;comparison&gt;" in text  # text is escaped
    ids = [f[0] for f in report_figures(data)]
    for fig_id in ids:
        assert f'id="{fig_id}"' in text
    assert "fig-map" in ids


def test_every_map_is_attributed_and_every_axis_has_units(data: ReportData) -> None:
    for fig_id, _, fig in report_figures(data):
        assert fig.layout.title.text, fig_id
        if any(t.type == "scattergeo" for t in fig.data):
            assert any("© OpenStreetMap contributors" in (a.text or "") for a in fig.layout.annotations)
        # every cartesian value axis that carries data says what (and in which unit) it shows
        for trace in fig.data:
            if trace.type in ("bar", "box", "scatter"):
                name = "yaxis" + (trace.yaxis[1:] if trace.yaxis and trace.yaxis != "y" else "")
                assert fig.layout[name].title.text, f"{fig_id}: {name} has no title"


def test_comparison_table_cells(data: ReportData) -> None:
    t = comparison_table(data.summary)
    assert list(t.columns) == ["KPI", "Linienbus", "Rufbus", "On-demand"]
    assert t.iloc[0, 0] == "Requests served (%)"
    assert t.iloc[1, 0].strip() == "Δ vs Linienbus" and t.iloc[1, 1] == "—"
    s = data.summary.set_index(["model", "kpi"])
    m = s.loc[("Rufbus", "served_share")]
    assert t.iloc[0, 2] == format_interval(m["mean"], m["ci_low"], m["ci_high"], factor=100)
    text = render_text(t)
    assert "Requests served (%)" in text and "Δ vs Linienbus" in text
    assert format_interval(0.5, 0.4, 0.6, factor=100) == "50.0 ± 10.0"
    assert format_interval(2.0, float("nan"), float("nan")) == "2.00"
    assert format_interval(0.3, -1.0, 1.6, signed=True) == "+0.30 ± 1.30"
    assert format_interval(float("nan"), 0, 0) == "n/a"


@pytest.mark.slow
def test_report_renders_in_headless_chromium(data: ReportData, tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    out = tmp_path / "report.html"
    write_report(data, out)
    figures = rendered_figures(dump_dom(chromium, out))
    expected = [f[0] for f in report_figures(data)]
    assert [f.div_id for f in figures] == expected
    for f in figures:
        assert f.main_svg >= 1, f"{f.div_id} did not render"
        assert f.drawn >= 1, f"{f.div_id} rendered no data"
    fmap = next(f for f in figures if f.div_id == "fig-map")
    assert "© OpenStreetMap contributors" in fmap.texts
    assert fmap.drawn >= 8  # roads, line, services, centre, villages
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(out, ARTIFACTS / "report-synthetic.html")
    screenshot(chromium, out, ARTIFACTS / "report-synthetic.png")
    assert (ARTIFACTS / "report-synthetic.png").stat().st_size > 10_000
