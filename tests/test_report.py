"""The HTML report: self-contained, plotly.js once, maps attributed, and it renders in Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from chromium_render import dump_dom, find_chromium, rendered_figures, screenshot
from compare_fakes import synthetic_access, synthetic_region, synthetic_results
from plotly.offline import get_plotlyjs

import dataclasses
import html as htmllib

import pandas as pd

from transit.compare.conclusion import findings
from transit.compare.precision import PrecisionSpec, precision_status
from transit.compare.table import comparison_table, format_interval, render_text
from transit.compare.report import ReportData, render_report, report_figures, write_report
from transit.compare.texts import TEXTS, text
from transit.evaluate.kpis import KPI_BOUNDS
from transit.evaluate.published import check_ranges
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


MODELS = ("Linienbus", "Rufbus", "On-demand")


def _sensitivity(summary: pd.DataFrame, *, flip_at: str | None) -> pd.DataFrame:
    """A sensitivity table whose base is the summary's means; ``flip_at`` reverses the cost order there."""
    base = summary[summary["kpi"] == "cost_per_passenger"].set_index("model")["mean"]
    rows = []
    for factor, setting in (("demand_scale", "demand × 2"), ("walk_limit_m", "walk limit 1000 m")):
        for level in ("low", "high"):
            label = setting if level == "high" else setting.replace("2", "0.5").replace("1000", "400")
            for m in MODELS:
                value = base[m] * (0.9 if level == "high" else 1.1)
                if label == flip_at:  # the most expensive becomes the cheapest
                    value = base.min() * 0.5 if m == base.idxmax() else base[m]
                rows.append({"factor": factor, "level": level, "setting": label, "model": m,
                             "kpi": "cost_per_passenger", "base": base[m], "value": value, "seeds": 2})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def full(data: ReportData) -> ReportData:
    """The report data of a whole comparison: sensitivity, precision, groups, residents, coverage."""
    groups = data.trips.assign(group="all", served=data.trips["status"].eq("served"))
    groups = (groups.groupby(["model", "home_zone", "group", "purpose"]).agg(requests=("served", "size"),
                                                                            served=("served", "sum"))
              .reset_index().rename(columns={"home_zone": "village"}))
    groups["served_share"] = groups["served"] / groups["requests"]
    coverage = pd.DataFrame({"model": ["Linienbus"], "residents_within": [3300.0], "residents": [4250.0],
                             "method": ["test figure"]})
    return dataclasses.replace(
        data, summary=summarize(data.kpis, baseline="Linienbus", bounds=KPI_BOUNDS),
        sensitivity=_sensitivity(data.summary, flip_at="demand × 2"),
        precision=precision_status(data.kpis, PrecisionSpec(max_seeds=3)), access_groups=groups,
        residents=19250.0, stop_coverage=coverage, synthetic=True,
    )


def _conclusion(page: str) -> str:
    a = page.index("<section id='conclusion'>")
    return htmllib.unescape(page[a:page.index("</section>", a)])


def test_conclusion_comes_first_and_answers_the_question(full: ReportData) -> None:
    page = render_report(full)
    assert page.index("id='conclusion'") < page.index("id='comparison'") < page.index('id="fig-service"')
    c = _conclusion(page)
    f = findings(full)
    for m in MODELS:  # who is served and at what cost, per model, with intervals
        cost = full.summary[(full.summary.model == m) & (full.summary.kpi == "cost_per_passenger")].iloc[0]
        assert f"{m}: €{cost['mean']:,.2f} (€{cost['ci_low']:,.2f}–€{cost['ci_high']:,.2f}) per passenger" in c
        assert f"{m}: serves " in c
    # the ranking is the order of the mean cost per passenger
    means = full.summary[full.summary.kpi == "cost_per_passenger"].set_index("model")["mean"].sort_values()
    assert list(f.ranking) == list(means.index)
    assert c.index(f"Cheapest per passenger: {means.index[0]}") > 0
    # per resident and year: subsidy per day x service days / residents
    sub = full.summary[(full.summary.model == "Rufbus") & (full.summary.kpi == "subsidy")]["mean"].iloc[0]
    per_resident = next(m for m in f.models if m.model == "Rufbus").subsidy_per_resident_year
    assert per_resident == pytest.approx(sub * 250 / 19250.0)
    # the hook: residents within walking reach of a stop
    assert "Linienbus: 3,300 of 4,250 residents (78%) — test figure." in c
    # synthetic region: no OpenStreetMap credit on the page
    assert TEXTS["footer_synthetic"] in page and "© OpenStreetMap contributors (ODbL)" not in page


def test_conclusion_names_every_kpi_outside_its_published_range(full: ReportData) -> None:
    c = _conclusion(render_report(full))
    checks = check_ranges(full.summary, dict(full.models))
    outside = checks[checks["verdict"].isin(["above", "below"])]
    assert len(outside) >= 1  # the synthetic subsidies are far above a regional bus's
    for r in outside.itertuples():
        assert f"{r.model} " in c and f"({r.verdict} " in c
    listed = c[c.index(text("published_outside")):c.index(text("published_table_note"))]
    assert listed.count("<li>") == len(outside)
    # and when every KPI is inside, the section says so
    inside = full.summary.copy()
    for r in checks.itertuples():
        m = (inside.model == r.model) & (inside.kpi == r.kpi)
        inside.loc[m, ["mean", "ci_low", "ci_high"]] = (r.low + r.high) / 2
    c2 = _conclusion(render_report(dataclasses.replace(full, summary=inside)))
    assert text("published_none") in c2 and text("published_outside") not in c2


def test_conclusion_gives_the_settings_that_flip_the_ranking(full: ReportData) -> None:
    c = _conclusion(render_report(full))
    f = findings(full)
    assert list(f.flips["setting"]) == ["demand × 2"]
    assert "demand × 2: " in c and f"{f.ranking[-1]} below" in c
    steady = dataclasses.replace(full, sensitivity=_sensitivity(full.summary, flip_at=None))
    c2 = _conclusion(render_report(steady))
    assert text("flips_none", n=4) in c2
    off = _conclusion(render_report(dataclasses.replace(full, sensitivity=None)))
    assert text("flips_off") in off
    assert "2 days each" in c
    one = _conclusion(render_report(dataclasses.replace(full, sensitivity=full.sensitivity.assign(seeds=1))))
    assert "one day each" in one and "1 days" not in one


def test_conclusion_says_whether_intervals_met_their_target(full: ReportData) -> None:
    status = full.precision
    c = _conclusion(render_report(full))
    assert status.seeds == 3 and status.capped  # random synthetic KPIs: some interval stays wide
    assert "stopped at the cap of 3 days" in c
    met = precision_status(full.kpis, PrecisionSpec(kpis=("served_share",), absolute={"served_share": 1.0}))
    assert met.met
    assert "every main KPI's 95% interval is within its target" in _conclusion(
        render_report(dataclasses.replace(full, precision=met)))


def test_intervals_of_nonnegative_kpis_are_not_drawn_below_zero(full: ReportData) -> None:
    s = full.summary
    bounded = s[s["kpi"].isin(list(KPI_BOUNDS))]
    assert (bounded["ci_low"].dropna() >= 0).all()
    shares = bounded[bounded["kpi"] == "served_share"]
    assert (shares["ci_high"].dropna() <= 1).all()
    # a wide interval around a small cost is cut at zero in the table and in the bars
    low = s.copy()
    m = (low.model == "Rufbus") & (low.kpi == "cost_per_passenger")
    low.loc[m, ["mean", "ci_low", "ci_high"]] = [2.0, 0.0, 9.0]
    t = comparison_table(low)
    row = t[t["KPI"] == "Cost per passenger (€)"].iloc[0]
    assert row["Rufbus"] == "2.00 [0.00–9.00]"
    fig = next(f for i, _, f in report_figures(dataclasses.replace(full, summary=low)) if i == "fig-costpp")
    bar = next(tr for tr in fig.data if tr.name == "Cost per passenger")
    k = list(bar.x).index("Rufbus")
    assert bar.y[k] - bar.error_y.arrayminus[k] >= 0


def test_published_ranges_beside_the_kpis_in_the_table(full: ReportData) -> None:
    checks = check_ranges(full.summary, dict(full.models))
    t = comparison_table(full.summary, published=checks, published_column="Published")
    row = t[t["KPI"] == "Subsidy per passenger (€)"].iloc[0]
    assert "6.43–19.3" in row["Published"]  # the on-demand range (the bus range is a network figure)
    row = t[t["KPI"] == "Passengers per vehicle-hour (pax/h)"].iloc[0]
    assert "0.40–3.00" in row["Published"]  # rural on-demand (the line figure counts boardings)
    row = t[t["KPI"] == "Boardings per vehicle-hour (boardings/h)"].iloc[0]
    assert "2.00–6.00" in row["Published"]  # rural everyday line service, passengers as the buses count them
    s = full.summary.set_index(["model", "kpi"])["mean"]
    mean = float(s.loc[("Linienbus", "boardings_per_vehicle_hour")])
    assert mean >= float(s.loc[("Linienbus", "passengers_per_vehicle_hour")])  # a change boards two buses
    assert row["Linienbus"].endswith("▼") == (mean < 2.0) and not row["Linienbus"].endswith("▲")


def test_report_texts_are_in_one_place() -> None:
    import inspect

    import transit.compare.conclusion as conclusion
    import transit.compare.report as report

    # the sentences of the first section live in texts.TEXTS; the modules that write them hold none
    for module in (conclusion, report):
        src = inspect.getsource(module)
        for sentence in ("Cheapest per passenger", "Outside the published range", "The answer in brief",
                         "Which assumptions drive"):
            assert sentence not in src, f"{module.__name__} spells out {sentence!r}"


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


@pytest.mark.slow
def test_conclusion_and_tornado_render_in_headless_chromium(full: ReportData, tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    out = tmp_path / "report.html"
    write_report(full, out)
    dom = dump_dom(chromium, out)
    figures = rendered_figures(dom)
    ids = [f.div_id for f in figures]
    assert ids == [f[0] for f in report_figures(full)] and ids[0] == "fig-tornado-cost-per-passenger"
    for f in figures:
        assert f.main_svg >= 1 and f.drawn >= 1, f.div_id
    tornado = figures[0]
    assert any(text("factor_demand_scale") in t for t in tornado.texts)
    conclusion = htmllib.unescape(dom[dom.index('id="conclusion"'):dom.index("</section>")])
    assert text("h_conclusion") in conclusion and "Cheapest per passenger" in conclusion
    assert "Synthetic data" in htmllib.unescape(dom)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(out, ARTIFACTS / "report-conclusion.html")
    screenshot(chromium, out, ARTIFACTS / "report-conclusion.png", height=1600)
    assert (ARTIFACTS / "report-conclusion.png").stat().st_size > 10_000


def _visible_text(page: str) -> str:
    """The page's words outside scripts (the figures' JSON is checked in Chromium)."""
    body = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", body))


def test_german_report_has_german_words_and_numbers(full: ReportData) -> None:
    from transit.util.i18n import translator, use_lang

    page = render_report(full, lang="de")
    assert page.startswith("<!DOCTYPE html><html lang='de'>")
    words = _visible_text(page)
    # no sentence of the report is left in English (sentences whose German reads the same aside)
    de = translator("de")
    for key, sentence in TEXTS.items():
        english = sentence.split("{")[0].strip()
        if len(english) > 12 and de.gettext(sentence).split("{")[0].strip() != english:
            assert english not in words, key
    assert "Die Antwort in Kürze" in words and "Am günstigsten je Fahrgast" in words
    # money "24,54 €", shares "39 %", the table "39,2 ± 6,8" (German decimal comma), as Babel formats them
    nbsp = "\u00a0"
    found = findings(full)
    m = found.models[0]
    assert f"{de.money(m.cost[0], digits=2)} ({de.money(m.cost[1], digits=2)}" in words.replace("−", "-")
    assert f"{round(100 * m.served[0])}{nbsp}%" in words
    assert re.search(rf"\d,\d\d{nbsp}€", words) and not re.search(r"€\d", words)
    s = full.summary.set_index(["model", "kpi"]).loc[("Rufbus", "served_share")]
    with use_lang("de"):
        cell = format_interval(s["mean"], s["ci_low"], s["ci_high"], factor=100)
    english = format_interval(s["mean"], s["ci_low"], s["ci_high"], factor=100)
    assert cell == english.replace(".", ",") and "," in cell and cell in words
    # the figures: German titles and plotly's decimal comma
    with use_lang("de"):
        figs = dict((f[0], f[2]) for f in report_figures(full))
    assert figs["fig-service"].layout.title.text == "Angebotsqualität (Mittelwert und 95-%-KI über die Seeds)"
    assert figs["fig-service"].layout.separators == ",."
    # and English stays English
    en = _visible_text(render_report(full, lang="en"))
    assert "The answer in brief" in en and "Die Antwort" not in en and re.search(r"€\d+\.\d\d", en)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["de", "en"])
def test_report_renders_in_german_and_english_in_headless_chromium(full: ReportData, lang: str,
                                                                   tmp_path: Path) -> None:
    from transit.util.i18n import use_lang

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    out = tmp_path / f"report-{lang}.html"
    write_report(full, out, lang=lang)
    dom = dump_dom(chromium, out)
    assert re.search(rf"<html lang=\"{lang}\"", dom)
    figures = rendered_figures(dom)
    with use_lang(lang):
        expected = [f[0] for f in report_figures(full)]
        heading, factor, service = text("h_conclusion"), text("factor_demand_scale"), _service_title()
    assert [f.div_id for f in figures] == expected
    for f in figures:
        assert f.main_svg >= 1 and f.drawn >= 1, f.div_id
    page = htmllib.unescape(dom)
    assert heading in page[page.index('id="conclusion"'):]
    assert any(factor in t for t in figures[0].texts)  # the tornado's assumptions in the page's language
    fig = next(f for f in figures if f.div_id == "fig-service")
    assert service in fig.texts
    ticks = " ".join(t for f in figures for t in f.texts)
    for setting in full.sensitivity["setting"].unique():  # the settings' labels are data (sensitivity.csv)
        ticks = ticks.replace(setting, "")
    # plotly drew the axes' numbers with the language's decimal mark (German "0,5", English "0.5")
    assert re.search(r"\d,\d" if lang == "de" else r"\d\.\d", ticks)
    if lang == "de":
        assert not re.search(r"(?<![\d,])\d\.\d", ticks)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(out, ARTIFACTS / f"report-{lang}.html")
    screenshot(chromium, out, ARTIFACTS / f"report-{lang}.png", height=4000)
    assert (ARTIFACTS / f"report-{lang}.png").stat().st_size > 50_000


def _service_title() -> str:
    from transit.util.i18n import _

    return _("Service quality (mean and 95% CI across seeds)")
