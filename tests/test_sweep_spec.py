"""The sweep file: dotted paths into a scenario, validation naming file and key, combinations."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from transit.errors import InputErrors
from transit.sweep.dotted import PathError, set_path
from transit.sweep.spec import load_sweep

# ----------------------------------------------------------------------------- dotted paths


def _doc() -> dict:
    return {
        "service": {"pickup_window_min": 15},
        "models": [
            {"name": "Linienbus", "kind": "fixed_line"},
            {"name": "On-demand", "kind": "ondemand",
             "fleet": {"vehicle": [{"id": "minibus", "count": 4, "seats": 8}]}},
            {"name": "Zwei", "kind": "buergerbus",
             "fleet": {"vehicle": [{"id": "a", "seats": 8}, {"id": "b", "seats": 8}]}},
        ],
    }


@pytest.mark.parametrize(
    ("path", "where", "get"),
    [
        (("service", "pickup_window_min"), "service.pickup_window_min", lambda d: d["service"]["pickup_window_min"]),
        (("service", "max_ride_alpha"), "service.max_ride_alpha", lambda d: d["service"]["max_ride_alpha"]),
        (("demand", "generator", "scale"), "demand.generator.scale", lambda d: d["demand"]["generator"]["scale"]),
        # a model by name, by its kind (only one ondemand), by position
        (("models", "On-demand", "fleet", "vehicle", "count"), "models[2].fleet.vehicle[1].count",
         lambda d: d["models"][1]["fleet"]["vehicle"][0]["count"]),
        (("models", "ondemand", "fleet", "vehicle", "count"), "models[2].fleet.vehicle[1].count",
         lambda d: d["models"][1]["fleet"]["vehicle"][0]["count"]),
        (("models", "2", "fleet", "vehicle", "1", "seats"), "models[2].fleet.vehicle[1].seats",
         lambda d: d["models"][1]["fleet"]["vehicle"][0]["seats"]),
        # the shortcut through the only [[vehicle]] table to a key it has
        (("models", "ondemand", "fleet", "count"), "models[2].fleet.vehicle[1].count",
         lambda d: d["models"][1]["fleet"]["vehicle"][0]["count"]),
        # a vehicle by id
        (("models", "Zwei", "fleet", "vehicle", "b", "seats"), "models[3].fleet.vehicle[2].seats",
         lambda d: d["models"][2]["fleet"]["vehicle"][1]["seats"]),
    ],
)
def test_set_path_finds_the_key_and_says_where(path, where, get) -> None:
    doc = _doc()
    assert set_path(doc, path, 99) == where
    assert get(doc) == 99


def test_set_path_leaves_other_tables_alone() -> None:
    doc = _doc()
    set_path(doc, ("models", "ondemand", "fleet", "vehicle", "count"), 2)
    assert doc["models"][2]["fleet"]["vehicle"][0] == {"id": "a", "seats": 8}
    assert doc["models"][0] == {"name": "Linienbus", "kind": "fixed_line"}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (("models", "Rufbus", "lead_time_min"), "no table named 'Rufbus' in models (tables: Linienbus, On-demand, Zwei)"),
        (("models", "7", "x"), "models has 3 table(s); there is no models[7]"),
        (("models", "Zwei", "fleet", "vehicle", "seats"), "no table named 'seats' in models[3].fleet.vehicle"),
        (("service", "pickup_window_min", "x"), "service.pickup_window_min is 15, not a table"),
        (("models", "Linienbus"), "models[1] is a table; name a key inside it"),
    ],
)
def test_set_path_says_where_a_path_leads_nowhere(path, message) -> None:
    with pytest.raises(PathError) as err:
        set_path(_doc(), path, 1)
    assert message in str(err.value)


# ----------------------------------------------------------------------------- the sweep file

SCENARIO = """
[scenario]
name = "Small"
seeds = 2
[region]
instance = "default"
[demand.generator]
scale = 0.1
[[models]]
name = "Linienbus"
kind = "fixed_line"
[[models]]
name = "On-demand"
kind = "ondemand"
[models.fleet]
[[models.fleet.vehicle]]
id = "bus"
count = 2
depot_lat = 51.5915402
depot_lon = 11.5129492
seats = 8
shift_start = "06:00"
shift_end = "21:00"
"""


def _write(tmp_path: Path, text: str, name: str = "sweep.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_combinations_are_the_product_of_the_axes_first_axis_slowest(tmp_path: Path) -> None:
    p = _write(tmp_path, SCENARIO + """
[sweep]
seeds = 3
first_seed = 10
models.On-demand.fleet.count = [1, 2, 3]
service.max_ride_alpha = [1.5, 2.0]
""")
    sw = load_sweep(p)
    assert [a.key for a in sw.axes] == ["models.On-demand.fleet.count", "service.max_ride_alpha"]
    assert [c.values for c in sw.combinations] == [(1, 1.5), (1, 2.0), (2, 1.5), (2, 2.0), (3, 1.5), (3, 2.0)]
    assert sw.seeds == (10, 11, 12)
    assert sw.n_tasks == 18
    c = sw.combinations[3]
    assert c.index == 4
    assert c.scenario.model("On-demand").fleet.vehicles[1].id == "bus-2"
    assert len(c.scenario.model("On-demand").fleet.vehicles) == 2
    assert c.scenario.service.max_ride_alpha == 2.0
    assert "sweep" not in c.doc


def test_seeds_default_to_the_scenarios_and_may_be_a_list(tmp_path: Path) -> None:
    p = _write(tmp_path, SCENARIO + "[sweep]\ndemand.generator.scale = [0.1]\n")
    assert load_sweep(p).seeds == (1, 2)
    p = _write(tmp_path, SCENARIO + "[sweep]\nseeds = [7, 3]\ndemand.generator.scale = [0.1]\n")
    assert load_sweep(p).seeds == (7, 3)


def test_a_base_scenario_file_is_swept_from_a_sweep_table_alone(tmp_path: Path) -> None:
    _write(tmp_path, SCENARIO, "base.toml")
    p = _write(tmp_path, '[sweep]\nbase = "base.toml"\nmodels.2.fleet.count = [1, 3]\n')
    sw = load_sweep(p)
    assert sw.scenario_source == tmp_path / "base.toml"
    assert [len(c.scenario.model("On-demand").fleet.vehicles) for c in sw.combinations] == [1, 3]


def _problems(p: Path) -> str:
    with pytest.raises(InputErrors) as err:
        load_sweep(p)
    return str(err.value)


def test_problems_name_the_file_and_the_axis(tmp_path: Path) -> None:
    p = _write(tmp_path, SCENARIO + """
[sweep]
models.On-demand.fleet.count = [2, 0]
service.max_ride_alfa = [1.5, 2.0]
models.Rufbus.lead_time_min = [60]
demand.generator.scale = 0.5
kpis = ["served_share", "happiness"]
colour = "red"
""")
    text = _problems(p)
    f = str(p)
    # a value the scenario refuses, named with the axis and the value
    assert f"{f}: sweep.models.On-demand.fleet.count = 0: models[2].fleet.vehicle[1].count: must be" in text
    # an unknown key at the end of a path, with the scenario's hint
    assert f"{f}: sweep.service.max_ride_alfa: service: unknown key 'max_ride_alfa' (did you mean 'max_ride_alpha'?)" in text
    # a path that leads nowhere
    assert f"{f}: sweep.models.Rufbus.lead_time_min: no table named 'Rufbus' in models" in text
    # an axis without a list, an unknown KPI, a setting that is not a table of axes
    assert f"{f}: sweep.demand.generator.scale: an axis needs a list of values, got 0.5" in text
    assert f"{f}: sweep.kpis: unknown KPI 'happiness'" in text
    assert f"{f}: sweep.colour: an axis needs a list of values, got the text 'red'" in text
    # each problem once, although every combination has it
    assert text.count("max_ride_alfa' (did you mean") == 1


def test_the_scenario_itself_is_checked_first(tmp_path: Path) -> None:
    p = _write(tmp_path, SCENARIO.replace("scale = 0.1", "scael = 0.1") + "[sweep]\nseeds = 1\nservice.max_ride_alpha = [2.0]\n")
    assert f"{p}: demand.generator: unknown key 'scael'" in _problems(p)


def test_a_sweep_needs_a_sweep_table_and_an_axis(tmp_path: Path) -> None:
    p = _write(tmp_path, SCENARIO)
    assert f"{p}: sweep: required table is missing" in _problems(p)
    p = _write(tmp_path, SCENARIO + "[sweep]\nseeds = 2\n")
    assert f"{p}: sweep: no axes" in _problems(p)


def test_the_shipped_example_has_three_axes_and_at_least_24_combinations() -> None:
    from transit.util.instances import instances_dir

    sw = load_sweep(instances_dir() / "examples" / "sweep.toml")
    assert len(sw.axes) >= 3
    assert len(sw.combinations) >= 24
