"""The scenario file: typed, validated, every problem naming the file and the key."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from transit.errors import InputError, InputErrors
from transit.compare.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]

FLEET = """
[models.fleet]
[[models.fleet.vehicle]]
id = "bus"
depot_lat = 51.59
depot_lon = 11.51
seats = 8
shift_start = "06:00"
shift_end = "22:00"
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def problems(path: Path) -> list[str]:
    with pytest.raises(InputErrors) as exc:
        load_scenario(path)
    return [str(p) for p in exc.value.problems]


@pytest.fixture
def minimal() -> str:
    return """
    [region]
    instance = "default"

    [[models]]
    name = "Linienbus"
    kind = "fixed_line"
    """


def test_minimal_scenario_takes_defaults(tmp_path: Path, minimal: str) -> None:
    sc = load_scenario(write(tmp_path, minimal))
    assert sc.name == "scenario"
    assert sc.baseline == "Linienbus"
    assert sc.seed_list() == [1, 2, 3]
    assert sc.seed_list(2) == [1, 2]
    assert sc.region.osm is not None and sc.region.osm.name == "district.osm.gz"
    assert sc.models[0].lines == sc.region.gtfs  # the instance's GTFS by default
    assert sc.demand.bookings is None and sc.demand.params is not None
    assert sc.date == sc.demand.params.service_date
    assert sc.costs.for_kind("fixed_line") is not None


def test_bundled_scenarios_load() -> None:
    sc = load_scenario(REPO / "instances" / "default" / "scenario.toml")
    assert [m.kind for m in sc.models][:2] == ["fixed_line", "rufbus"]
    assert sc.baseline == "Linienbus"
    assert len(sc.model("On-demand").fleet.vehicles) == 4
    examples = sorted((REPO / "instances" / "examples").glob("*.toml"))
    kinds = set()
    for p in examples:
        if p.name == "lines.toml":
            continue
        kinds.update(m.kind for m in load_scenario(p).models)
    from transit.compare.models import KINDS

    assert kinds == set(KINDS), "every model kind has a documented example"


def test_full_scenario_is_typed(tmp_path: Path) -> None:
    (tmp_path / "bookings.csv").write_text("request_id,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,time\n")
    sc = load_scenario(write(tmp_path, """
        [scenario]
        name = "Test"
        baseline = "DRT"
        seeds = 5
        first_seed = 10
        date = 2025-03-06

        [region]
        instance = "default"
        speed_cap_kmh = 80

        [demand]
        bookings = "bookings.csv"

        [service]
        pickup_window_min = 10

        [costs.staff.driver]
        wage_per_hour = 30.0

        [access]
        first_hour = 6
        last_hour = 20
        destinations = ["centre", "doctor"]

        [[models]]
        name = "Rufbus"
        kind = "rufbus"
        routes = ["401"]
        lead_time_min = 60
        max_wait_min = 45

        [[models]]
        name = "DRT"
        kind = "ondemand"
    """ + FLEET))
    assert sc.seed_list() == [10, 11, 12, 13, 14]
    assert sc.date == dt.date(2025, 3, 6)
    assert sc.region.speed_cap_kmh == 80
    assert sc.demand.bookings == tmp_path / "bookings.csv" and sc.demand.params is None
    assert sc.service.pickup_window_min == 10
    assert sc.access.destinations == ("centre", "doctor") and sc.access.first_hour == 6
    ruf = sc.model("Rufbus")
    assert ruf.routes == ("401",)
    rules, rufbus = ruf.parsed
    assert rules.max_wait_min == 45 and rufbus.lead_time_min == 60
    assert sc.model("DRT").fleet.vehicles[0].seats == 8
    assert sc.baseline == "DRT"


@pytest.mark.parametrize(
    ("snippet", "where", "what"),
    [
        ('[scenario]\nseedz = 3\n', "scenario", "unknown key 'seedz' (did you mean 'seeds'?)"),
        ('[scenario]\nseeds = "three"\n', "scenario.seeds", "must be a whole number"),
        ('[scenario]\nseeds = 0\n', "scenario.seeds", "must be >= 1"),
        ('[scenario]\nbaseline = "Bus"\n', "scenario.baseline", "no model named 'Bus'"),
        ('[scenario]\ndate = "tomorrow"\n', "scenario.date", "must be a date"),
        ('[service]\npickup_window_min = "x"\n', "service.pickup_window_min", "must be a number"),
        ('[access]\nlast_hour = 3\n', "access.last_hour", "must be >= first_hour"),
        ('[access]\ndestinations = ["pub"]\n', "access.destinations", "unknown destination 'pub'"),
        ('[demand.generator]\nscael = 2\n', "demand.generator", "unknown key 'scael'"),
        ('[costs]\ncurrencyy = "EUR"\n', "costs", "unknown key 'currencyy'"),
        ('[extra]\nx = 1\n', None, "unknown key 'extra'"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path: Path, minimal: str, snippet: str, where: str | None, what: str) -> None:
    p = write(tmp_path, minimal.replace("[region]", snippet + "\n[region]"))
    found = problems(p)
    prefix = f"{p}: {where}: " if where else f"{p}: "
    assert any(f.startswith(prefix) and what in f for f in found), found


def test_unknown_key_in_an_inline_fleet(tmp_path: Path) -> None:
    p = write(tmp_path, """
        [region]
        instance = "default"
        [[models]]
        name = "Linienbus"
        kind = "fixed_line"
        [[models]]
        name = "DRT"
        kind = "ondemand"
    """ + FLEET.replace("seats = 8", "seets = 8"))
    found = problems(p)
    assert f"{p}: models[2].fleet.vehicle[1]: unknown key 'seets' (did you mean 'seats'?)" in found


def test_model_problems(tmp_path: Path) -> None:
    p = write(tmp_path, """
        [region]
        instance = "default"
        [[models]]
        name = "DRT"
        kind = "ondemand"
        [[models]]
        name = "DRT"
        kind = "fixed_line"
        [[models]]
        name = "X"
        kind = "ondemnd"
        [[models]]
        kind = "fixed_line"
        [[models]]
        name = "Bus"
        kind = "fixed_line"
        lines = "nowhere/gtfs"
        max_transfers = 3
        walkk = 1
    """)
    found = problems(p)
    need = "model 'DRT' (ondemand) needs a fleet (an inline [models.fleet] table or a fleet file)"
    assert f"{p}: models[1]: {need}" in found
    assert any(f.startswith(f"{p}: models[2].name: duplicate model name 'DRT'") for f in found)
    assert any(f.startswith(f"{p}: models[3].kind: unknown model kind 'ondemnd' (did you mean 'ondemand'?)")
               for f in found)
    assert f"{p}: models[4].name: required key is missing" in found
    missing = "lines (GTFS folder or zip, or lines TOML) not found"
    assert any(f.startswith(f"{p}: models[5].lines: {missing}") for f in found)
    assert any(f.startswith(f"{p}: models[5]: unknown key 'walkk'") for f in found)


def test_model_options_checked_by_the_models_own_parser(tmp_path: Path, minimal: str) -> None:
    p = write(tmp_path, minimal + "max_transfers = 3\n")
    found = problems(p)
    assert any(f.startswith(f"{p}: models[1].max_transfers: must be 0 or 1") for f in found), found


def test_region_problems(tmp_path: Path) -> None:
    p = write(tmp_path, """
        [region]
        osm = "missing.osm.pbf"
        [[models]]
        name = "DRT"
        kind = "ondemand"
    """ + FLEET)
    found = problems(p)
    assert any(f.startswith(f"{p}: region.osm: OSM file not found: ") and "missing.osm.pbf" in f for f in found)
    p2 = write(tmp_path, """
        [region]
        instance = "nowhere"
        place = "Somewhere"
        [[models]]
        name = "DRT"
        kind = "ondemand"
    """ + FLEET, "s2.toml")
    found = problems(p2)
    assert f"{p2}: region: give exactly one of 'instance', 'osm' or 'place' (got instance and place)" in found
    assert any(f.startswith(f"{p2}: region.instance: no bundled instance 'nowhere'") for f in found)
    p3 = write(tmp_path, '[[models]]\nname = "A"\nkind = "fixed_line"\n', "s3.toml")
    assert any("region: required table is missing" in f for f in problems(p3))
    p4 = write(tmp_path, '[region]\ninstance = "default"\n', "s4.toml")
    assert f"{p4}: models: no operating models: add at least one [[models]] table" in problems(p4)


def test_wrong_types_and_unreadable_files(tmp_path: Path) -> None:
    p = write(tmp_path, """
        region = "default"
        models = 3
    """)
    found = problems(p)
    assert f"{p}: region: must be a table, got the text 'default'" in found
    assert f"{p}: models: must be an array of tables ([[models]]), got 3" in found
    bad = tmp_path / "bad.toml"
    bad.write_text("[region\n")
    with pytest.raises(InputError, match="not a valid TOML file"):
        load_scenario(bad)
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[scenario]\nname = "Gr\xfc\xdfe"\n'.encode("latin-1"))
    with pytest.raises(InputError, match="not a UTF-8 text file"):
        load_scenario(latin)
    with pytest.raises(InputError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.toml")
