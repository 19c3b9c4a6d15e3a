"""Sensitivity runs: scenario variants, which models rerun, fares recomputed, ranking flips."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from transit.compare.scenario import load_scenario, parse_scenario
from transit.compare.sensitivity import FACTORS, flips, parse_sensitivity, reprice, sensitivity_table, variants
from transit.errors import InputErrors
from transit.evaluate.costs import default_costs, fare_revenue
from transit.util.tomltable import Table

SCENARIO = """
[scenario]
name = "s"

[region]
instance = "default"

[demand.generator]
scale = 0.4

[sensitivity]
seeds = 1
walk_limit_m = [300, 900]

[[models]]
name = "Line"
kind = "fixed_line"

[[models]]
name = "Zone"
kind = "ondemand"

[models.fleet]
[[models.fleet.vehicle]]
id = "bus"
count = 3
depot_lat = 51.5915402
depot_lon = 11.5129492
seats = 8
shift_start = "06:00"
shift_end = "21:00"
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory):
    p = tmp_path_factory.mktemp("sens") / "s.toml"
    p.write_text(textwrap.dedent(SCENARIO), encoding="utf-8")
    return load_scenario(p)


def test_each_factor_changes_the_scenario_and_reruns_only_what_it_touches(scenario) -> None:
    vs, notes = variants(scenario, parse_scenario)
    assert notes == []
    by = {v.key: v for v in vs}
    assert list(dict.fromkeys(v.factor for v in vs)) == list(FACTORS)
    assert by["demand_scale:low"].scenario.demand.params.scale == pytest.approx(0.2)
    assert by["demand_scale:high"].rerun == ("Line", "Zone")  # new demand: every model
    walk = by["walk_limit_m:low"]
    assert walk.rerun == ("Line",) and walk.scenario.model("Line").parsed.walk.max_walk_m == 300
    ride = by["max_ride:high"]
    assert ride.rerun == ("Zone",)
    assert (ride.scenario.service.max_ride_alpha, ride.scenario.service.max_ride_beta_min) == (2.0, 20.0)
    fleet = by["fleet_scale:low"]
    assert fleet.rerun == ("Zone",) and len(fleet.scenario.model("Zone").fleet.vehicles) == 2  # 3 x 0.5, rounded
    assert len(by["fleet_scale:high"].scenario.model("Zone").fleet.vehicles) == 4
    fares = by["fare_scale:high"]
    assert fares.rerun == () and fares.reprice
    assert fares.scenario.costs.tariffs["msh_mobil"].base == pytest.approx(1.5 * 3.0)
    # the base scenario is left as it was
    assert scenario.model("Line").parsed.walk.max_walk_m == 600 and scenario.demand.params.scale == 0.4


def test_turned_off_means_no_variants(scenario, tmp_path: Path) -> None:
    p = tmp_path / "off.toml"
    p.write_text(textwrap.dedent(SCENARIO).replace("seeds = 1\n", "enabled = false\n"), encoding="utf-8")
    assert variants(load_scenario(p), parse_scenario) == ([], [])


def test_bad_settings_name_the_key() -> None:
    t = Table({"demand_scale": [2.0], "max_ride": [[0.5, 5], [2, 20]], "fleet": 1}, source="s.toml",
              table="sensitivity")
    parse_sensitivity(t)
    with pytest.raises(InputErrors) as ei:
        t.raise_problems()
    text = str(ei.value)
    assert "sensitivity.demand_scale" in text and "sensitivity.max_ride" in text and "unknown key 'fleet'" in text


def _trips() -> pd.DataFrame:
    return pd.DataFrame({
        "model": ["A", "A", "B"], "seed": [1, 1, 1], "status": ["served", "rejected", "served"],
        "passengers": [2, 1, 1], "pickup_lat": [51.5, 51.5, 51.5], "pickup_lon": [11.5, 11.5, 11.5],
        "dropoff_lat": [51.6, 51.6, 51.6], "dropoff_lon": [11.5, 11.5, 11.5],
    })


def test_fares_alone_are_recomputed_from_the_logs() -> None:
    kpis = pd.DataFrame({"model": ["A", "B"], "kind": ["ondemand", "fixed_line"], "seed": [1, 1],
                         "cost_total": [100.0, 50.0], "served_passengers": [2.0, 1.0],
                         "passenger_km_direct": [22.2, 11.1], "fare_revenue": [0.0, 0.0]})
    rates = default_costs()
    out = reprice(kpis, _trips(), rates).set_index("model")
    msh = rates.tariffs["msh_mobil"]
    expected = fare_revenue(_trips()[_trips().model == "A"], msh, rates.season_ticket_share)
    assert out.loc["A", "fare_revenue"] == pytest.approx(expected) and expected > 0
    assert out.loc["A", "subsidy_per_passenger"] == pytest.approx((100.0 - expected) / 2)
    assert out.loc["B", "cost_recovery"] == pytest.approx(out.loc["B", "fare_revenue"] / 50.0)


def test_flips_report_the_settings_that_change_the_order() -> None:
    base = pd.DataFrame({"model": ["A", "B", "C"], "seed": [1] * 3, "cost_per_passenger": [10.0, 20.0, 30.0]})

    class V:
        def __init__(self, key, factor, level, setting):
            self.key, self.factor, self.level, self.setting = key, factor, level, setting

    vs = [V("d:low", "demand_scale", "low", "demand × 0.5"), V("d:high", "demand_scale", "high", "demand × 2")]
    results = {"d:low": base.assign(cost_per_passenger=[12.0, 22.0, 32.0]),
               "d:high": base.assign(cost_per_passenger=[25.0, 20.0, 30.0])}
    table = sensitivity_table(base, results, vs, kpis=("cost_per_passenger",))
    assert len(table) == 6 and (table["seeds"] == 1).all()
    f = flips(table)
    assert f["setting"].tolist() == ["demand × 2"]
    assert f["base_order"].iloc[0] == "A < B < C" and f["order"].iloc[0] == "B < A < C"
    assert f["swapped"].iloc[0] == "B below A"


def test_a_scenario_changed_in_code_gets_no_variants_from_its_stale_file(scenario) -> None:
    import dataclasses

    changed = dataclasses.replace(scenario, models=scenario.models[:1])
    vs, notes = variants(changed, parse_scenario)
    assert vs == [] and "changed after it was read" in notes[0]


def test_fleet_scale_leaves_a_buergerbus_roster_alone(scenario) -> None:
    from transit.compare.sensitivity import _set_fleet

    doc = {"models": [{"name": "BB", "kind": "buergerbus", "fleet": {"vehicle": [{"id": "bb", "count": 1}]},
                       "roster": [{"vehicle": "bb", "start": "08:00", "end": "12:00"}]},
                      {"name": "Z", "kind": "ondemand", "fleet": {"vehicle": [{"id": "v", "count": 4}]}}]}
    assert _set_fleet(doc, 1.5, scenario) == "fleet × 1.5"
    assert doc["models"][0]["fleet"]["vehicle"][0]["count"] == 1 and doc["models"][1]["fleet"]["vehicle"][0]["count"] == 6


def test_every_setting_is_shown_in_the_reports_language(scenario) -> None:
    from transit.compare.texts import setting_text
    from transit.util.i18n import use_lang

    vs, _notes = variants(scenario, parse_scenario)
    settings = {v.setting for v in vs}
    assert {"demand × 0.5", "walk limit 300 m", "fleet × 1.5", "fares × 0.5"} <= settings
    with use_lang("en"):
        assert {setting_text(s) for s in settings} == settings  # sensitivity.csv's words, unchanged
    with use_lang("de"):
        german = {s: setting_text(s) for s in settings}
    assert german["demand × 0.5"] == "Nachfrage × 0,5" and german["walk limit 300 m"] == "Fußweggrenze 300 m"
    ride = next(s for s in settings if s.startswith("ride"))
    assert german[ride].startswith("Fahrzeit ≤ ") and "direkt" in german[ride]
    assert all(german[s] != s for s in settings)  # none left in English
