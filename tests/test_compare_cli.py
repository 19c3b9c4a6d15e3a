"""`transit compare` end to end on the default instance: outputs, table, determinism, errors, atomicity."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from chromium_render import dump_dom, find_chromium, rendered_figures, screenshot
from typer.testing import CliRunner

from cli import app
from scenariocase import TWO_MODELS
from transit.evaluate.access import ACCESS_COLUMNS
from transit.compare.run import OUTPUT_FILES
from transit.evaluate.kpis import KPI_COLUMNS
from transit.evaluate.stats import SUMMARY_COLUMNS

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _scenario(folder: Path, text: str = TWO_MODELS, name: str = "two.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def run_two(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("compare")
    scenario = _scenario(base)
    out = base / "out"
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return scenario, out, res.output


@pytest.mark.slow
def test_two_models_end_to_end(run_two: tuple[Path, Path, str]) -> None:
    scenario, out, output = run_two
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    # the closing line names every file written, the school transport's too
    assert f"wrote {out}/ ({', '.join(OUTPUT_FILES)})" in output.replace("\n", "")
    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis.columns[: len(KPI_COLUMNS)]) == list(KPI_COLUMNS)
    assert list(zip(kpis["model"], kpis["seed"])) == [
        ("Linienbus", 1), ("Linienbus", 2), ("On-demand", 1), ("On-demand", 2)
    ]
    assert (kpis["requests"] == kpis["served"] + kpis["rejected"]).all()
    trips = pd.read_csv(out / "trips.csv", dtype={"request_id": str})
    # identical demand: every model saw the same bookings for a seed, different ones for other seeds
    ids = {(m, s): tuple(g["request_id"]) for (m, s), g in trips.groupby(["model", "seed"])}
    assert ids[("Linienbus", 1)] == ids[("On-demand", 1)]
    assert ids[("Linienbus", 2)] == ids[("On-demand", 2)]
    assert ids[("Linienbus", 1)] != ids[("Linienbus", 2)]
    for (m, s), g in trips.groupby(["model", "seed"]):
        row = kpis[(kpis.model == m) & (kpis.seed == s)].iloc[0]
        assert len(g) == row["requests"] and (g["status"] == "served").sum() == row["served"]
    stops = pd.read_csv(out / "stops.csv", dtype={"request_id": str})
    assert set(stops["model"]) == {"Linienbus", "On-demand"} and set(stops["seed"]) == {1, 2}
    summary = pd.read_csv(out / "summary.csv")
    assert tuple(summary.columns) == SUMMARY_COLUMNS
    s = summary.set_index(["model", "kpi"])
    served = kpis.set_index(["model", "seed"])["served_share"]
    assert s.loc[("On-demand", "served_share"), "mean"] == pytest.approx(served["On-demand"].mean())
    assert s.loc[("On-demand", "served_share"), "diff"] == pytest.approx(
        (served["On-demand"] - served["Linienbus"]).mean()
    )
    assert (summary["baseline"] == "Linienbus").all()
    access = pd.read_csv(out / "access.csv")
    assert tuple(access.columns) == ACCESS_COLUMNS
    assert access.groupby("model").size().to_dict() == {"Linienbus": 35, "On-demand": 35}
    od = access[access.model == "On-demand"]
    assert (od["hours_to_centre"] > 0).all()  # door to door 06:00-21:00 reaches every village
    assert (od["hours_to_centre"] <= 21 - 6 + 1).all()
    # villages only the school buses reach: fewer hours by line than on demand
    lin = access[access.model == "Linienbus"].set_index("village")["hours_to_centre"]
    assert (lin < od.set_index("village")["hours_to_centre"].reindex(lin.index)).any()
    # on the simulated days two buses had room for one more traveller in fewer hours than they offer empty
    assert (od["hours_to_centre_day"] <= od["hours_to_centre"]).all() and (od["hours_to_centre_day"] < 16).any()
    line = access[access.model == "Linienbus"]
    # a village without a trip to the centre says why (the school-line stops now reach nearly every village)
    assert line.loc[line["hours_to_centre"] == 0, "why_centre"].astype(str).str.startswith(("no service: ", "not reachable")).all()
    assert (line["hours_to_centre_day"] == line["hours_to_centre"]).all()  # a bus has no capacity limit
    groups = pd.read_csv(out / "access_groups.csv")
    assert groups["requests"].sum() == (trips["home_zone"].fillna("") != "").sum()
    sens = pd.read_csv(out / "sensitivity.csv")
    assert set(sens["factor"]) == {"demand_scale", "walk_limit_m", "max_ride", "fleet_scale", "fare_scale"}
    assert (sens["seeds"] == 1).all()
    walk = sens[(sens["factor"] == "walk_limit_m") & (sens["model"] == "On-demand")]
    assert (walk["value"] == walk["base"]).all()  # door to door: the walk limit changes nothing
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.index("id='conclusion'") < report.index("id='comparison'")
    kp = kpis.set_index(["model", "seed"])
    # the bus's cost per km inside its cited source, EUR 2.50-6.00 (the timetable runs whatever the demand)
    assert kp.loc["Linienbus", "cost_per_vehicle_km"].between(2.5, 6.0).all()
    # a KPI outside its published range is named in the report's first section (here: idle vans at low demand)
    from transit.evaluate.published import check_ranges

    checks = check_ranges(summary, {"Linienbus": "fixed_line", "On-demand": "ondemand"})
    first = report[report.index("id='conclusion'"):report.index("</section>")]
    for r in checks[checks["verdict"].isin(["above", "below"])].itertuples():
        assert f"{r.model} " in first and f"({r.verdict} " in first
    # the printed table: models side by side, 95% CIs and the difference to the baseline
    assert "Linienbus" in output and "On-demand" in output
    assert "Requests served (%)" in output and "Δ vs Linienbus" in output and "±" in output
    assert (out / "scenario.toml").read_text() == scenario.read_text()


@pytest.mark.slow
def test_report_of_the_run_renders_in_chromium(run_two: tuple[Path, Path, str]) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    _, out, _ = run_two
    figures = rendered_figures(dump_dom(chromium, out / "report.html"))
    assert len(figures) >= 8
    for f in figures:
        assert f.main_svg >= 1, f"{f.div_id} did not render"
        assert f.drawn >= 1, f"{f.div_id} rendered no data"
    fmap = next(f for f in figures if f.div_id == "fig-map")
    assert "Synthetic data (no OpenStreetMap data)" in fmap.texts  # the default district is synthetic
    assert not any("OpenStreetMap contributors" in t for t in fmap.texts)
    assert fmap.drawn >= 30  # roads, 4 lines, services, centre, 35 villages
    assert [f.div_id for f in figures][:3] == ["fig-tornado-cost-per-passenger", "fig-tornado-subsidy-per-passenger",
                                              "fig-tornado-served-share"]
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(out / "report.html", ARTIFACTS / "report.html")
    screenshot(chromium, out / "report.html", ARTIFACTS / "report.png", height=9000)
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000


@pytest.mark.slow
def test_same_seeds_same_output_with_two_jobs(run_two: tuple[Path, Path, str], tmp_path: Path) -> None:
    scenario, out, _ = run_two
    out2 = tmp_path / "again"
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(out2), "--jobs", "2"])
    assert res.exit_code == 0, res.output
    for name in ("kpis.csv", "summary.csv", "access.csv", "access_groups.csv", "sensitivity.csv", "trips.csv",
                 "stops.csv"):
        assert (out2 / name).read_bytes() == (out / name).read_bytes(), name


def test_existing_output_needs_force_and_a_failed_run_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken_lines.toml"
    broken.write_text('[[line]]\nid = "X"\nstops = ["nowhere"]\n', encoding="utf-8")
    scenario = _scenario(tmp_path, """
        [scenario]
        seeds = 1
        [region]
        instance = "default"
        [demand.generator]
        scale = 0.05
        [access]
        enabled = false
        [[models]]
        name = "Broken lines"
        kind = "fixed_line"
        lines = "broken_lines.toml"
    """, "broken.toml")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "broken_lines.toml" in res.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no staging left behind
    # an existing folder is refused without --force, and kept when a forced run fails
    out.mkdir()
    (out / "keep.txt").write_text("old")
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(out)])
    assert res.exit_code == 2 and "--force" in res.output
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(out), "--force"])
    assert res.exit_code == 2
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_force_replaces_existing_output(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, """
        [scenario]
        seeds = 1
        [region]
        instance = "default"
        [demand.generator]
        scale = 0.1
        [access]
        enabled = false
        [precision]
        enabled = false
        [sensitivity]
        enabled = false
        [[models]]
        name = "Linienbus"
        kind = "fixed_line"
    """, "small.toml")
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(out), "--force"])
    assert res.exit_code == 0, res.output
    assert not (out / "old.txt").exists() and (out / "kpis.csv").is_file()
    assert len(pd.read_csv(out / "kpis.csv")) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TWO_MODELS.replace("seats = 8", "seets = 8"), "models[2].fleet.vehicle[1]: unknown key 'seets'"),
        (TWO_MODELS.split("[models.fleet]")[0], "models[2]: model 'On-demand' (ondemand) needs a fleet"),
        (TWO_MODELS.replace('instance = "default"', 'osm = "no/such/region.osm.pbf"'),
         "region.osm: OSM file not found"),
        (TWO_MODELS.replace("seeds = 2", 'seeds = "two"'), "scenario.seeds: must be a whole number"),
        (TWO_MODELS.replace("count = 2", "count = 2.5"), "models[2].fleet.vehicle[1].count"),
    ],
)
def test_bad_scenarios_exit_2_naming_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    scenario = _scenario(tmp_path, text, "bad.toml")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert f"{scenario}: {expected}" in res.output
    assert not out.exists()


def test_missing_scenario_file(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["compare", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "nope.toml: scenario file not found" in res.output


@pytest.mark.slow
def test_bad_bookings_file_in_a_worker_exits_2_listing_the_problems(tmp_path: Path) -> None:
    (tmp_path / "bookings.csv").write_text(
        "request_id,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,time\n"
        "a,51.60,11.50,51.64,11.62,08:00\n"
        "b,91.0,11.50,51.64,11.62,08:00\n"
        "c,51.60,11.50,51.64,11.62,25:99\n",
        encoding="utf-8",
    )
    scenario = _scenario(tmp_path, """
        [scenario]
        seeds = 2
        [region]
        instance = "default"
        [demand]
        bookings = "bookings.csv"
        [access]
        enabled = false
        [[models]]
        name = "Linienbus"
        kind = "fixed_line"
    """, "bookings.toml")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(out), "--jobs", "2"])
    assert res.exit_code == 2, res.output
    assert "bookings.csv:3: pickup_lat:" in res.output and "bookings.csv:4: time:" in res.output
    assert not out.exists()


def test_seeds_are_added_until_precise_or_capped_and_seeds_option_is_exact(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, """
        [scenario]
        seeds = 2
        [region]
        instance = "default"
        [demand.generator]
        scale = 0.3
        [access]
        enabled = false
        [precision]
        kpis = ["cost_per_passenger"]
        relative = 0.001            # out of reach: the run must stop at the cap and say so
        max_seeds = 4
        step = 1
        [sensitivity]
        enabled = false
        [[models]]
        name = "Linienbus"
        kind = "fixed_line"
    """, "precise.toml")
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    kpis = pd.read_csv(tmp_path / "a" / "kpis.csv")
    assert kpis["seed"].tolist() == [1, 2, 3, 4]
    report = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    assert "stopped at the cap of 4 days" in report
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(tmp_path / "b"), "--seeds", "2"])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "b" / "kpis.csv")["seed"].tolist() == [1, 2]
    # the first two days are the same days in both runs
    a = pd.read_csv(tmp_path / "a" / "kpis.csv").iloc[:2].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, pd.read_csv(tmp_path / "b" / "kpis.csv"))


GERMAN = """
[scenario]
name = "Zwei Modelle"
seeds = 2

[region]
instance = "default"

[demand.generator]
scale = 0.1

[access]
enabled = false

[precision]
enabled = false

[sensitivity]
enabled = false

[[models]]
name = "Linienbus"
kind = "fixed_line"

[[models]]
name = "Rufbus"
kind = "rufbus"
"""


@pytest.mark.slow
def test_compare_in_german_prints_the_german_table_and_writes_a_german_report(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, GERMAN)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(out), "--lang", "de"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Kennzahl "))
    assert lines[head - 1].startswith("Zwei Modelle: 2 Modelle × 2 Seeds (Mittelwert ± halbe Breite des 95-%-KI")
    table = lines[head:head + 34]
    assert "Linienbus" in table[0] and "Rufbus" in table[0]
    width = len(table[1].split()[0])  # the dashes under the first column
    rows = {line[:width].strip(): line[width:] for line in table[2:]}
    assert "Bediente Fahrtwünsche (%)" in rows and "Δ zu Linienbus" in rows and "Kosten je Fahrgast (€)" in rows
    # every number with a German decimal comma and grouping point; nothing in the English format
    cells = " ".join(table[2:])
    assert re.search(r"\d,\d+ ± \d+,\d+", cells) and not re.search(r"\d\.\d{1,2}(?!\d)", cells)
    summary = pd.read_csv(out / "summary.csv").set_index(["model", "kpi"])
    km = summary.loc[("Linienbus", "vehicle_km"), "mean"]
    assert f"{km:,.0f}".replace(",", ".") in rows["Fahrzeug-km (km/Tag)"]
    assert res.output.rstrip().endswith(f"geschrieben ({', '.join(OUTPUT_FILES)})")
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.startswith("<!DOCTYPE html><html lang='de'>") and "Die Antwort in Kürze" in report
    assert (out / "summary.csv").read_text(encoding="utf-8").count(",") > 100  # the tables stay CSV with dots
    assert not re.search(r"\d,\d+ ±", (out / "summary.csv").read_text(encoding="utf-8"))
