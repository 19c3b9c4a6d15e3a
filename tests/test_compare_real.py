"""`transit compare` on real OSM data: the north-bayreuth scenario shipped in `instances/`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from transit.compare.run import OUTPUT_FILES
from transit.road.osmdata import read_places

SCENARIO = Path(__file__).resolve().parents[1] / "instances" / "north-bayreuth" / "scenario.toml"
MODELS = ["Linienbus", "Rufbus 60 min", "On-demand", "Bürgerbus"]


@pytest.mark.slow
def test_compare_runs_on_the_real_north_bayreuth_extract(shared_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["compare", str(SCENARIO), "--out", str(out)])  # the scenario's seeds
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)

    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis["model"].unique()) == MODELS and kpis["seed"].nunique() >= 3
    assert (kpis["requests"] > 50).all()  # scale 2 on ~16,000 residents
    assert (kpis["requests"] == kpis["served"] + kpis["rejected"]).all()
    assert (kpis.groupby("seed")["requests"].nunique() == 1).all()  # identical demand for every model

    trips = pd.read_csv(out / "trips.csv", dtype={"request_id": str}, keep_default_na=False)
    for (model, seed), g in trips.groupby(["model", "seed"]):
        assert g["request_id"].is_unique, (model, seed)
        rejected = g[g["status"] == "rejected"]
        assert (rejected["reason"].str.len() > 0).all(), model  # every rejection says why
        assert set(g["status"]) <= {"served", "rejected"}
    # door to door with four vans serves more than three sketched lines on a 2-hour headway
    share = kpis.groupby("model")["served_share"].mean()
    assert share["On-demand"] > share["Linienbus"]
    # the Rufbus runs only booked trips, so it drives less than the fixed line
    vkm = kpis.groupby("model")["vehicle_km"].mean()
    assert 0 < vkm["Rufbus 60 min"] < vkm["Linienbus"]

    # every KPI with a published range lies inside it (mean over the seeds), or is not defined
    # there (the extract has no schools, so no school traffic)
    from transit.compare.scenario import load_scenario
    from transit.evaluate.published import check_ranges

    kinds = {m.name: m.kind for m in load_scenario(SCENARIO).models}
    checks = check_ranges(pd.read_csv(out / "summary.csv"), kinds)
    assert set(checks["model"]) == set(MODELS)
    outside = checks[~checks["verdict"].isin(["within", "n/a"])]
    assert outside.empty, outside[["model", "kpi", "mean", "low", "high"]].to_string()
    na = checks[checks["verdict"] == "n/a"]
    assert set(na["kpi"]) == {"subsidy_per_passenger_with_school"}
    assert len(checks) - len(na) >= 10

    access = pd.read_csv(out / "access.csv")
    villages = set(read_places(shared_dir / "data" / "osm" / "north-bayreuth.osm.gz")["name"].dropna())
    # villages sharing a name are told apart as "Name (2)"
    names = set(access["village"].str.replace(r" \(\d+\)$", "", regex=True))
    assert names <= villages and "Neudrossenfeld" not in names
    assert len(names) > 40
    assert access["d2d_doctor_min"].isna().all()  # no doctor is mapped in the extract
    assert access.loc[access.model == "On-demand", "hours_to_centre"].max() > 0

    report = (out / "report.html").read_text(encoding="utf-8")
    assert "OpenStreetMap contributors" in report and "Neudrossenfeld" in report
