"""Malformed and hostile input files (a corpus made by ``fuzzcase``): exit 2 naming file, row and column.

Also the limits (checked before work, named, configurable), the id character
set, and the road graph of an OSM file: refused with a bad coordinate,
byte-identical between runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from cli import app
from fuzzcase import (
    BOOKINGS_HEADER,
    World,
    bad_osm_coordinate,
    booking_row,
    bookings_corpus,
    fleet_with_count,
    make_world,
    points_corpus,
    points_encodings,
)
from transit.util.ids import id_problem

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("fuzzinputs"))


def invoke(*args: object, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def assert_refused(res, *named: str) -> None:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    for text in named:
        assert text in res.output, (text, res.output)


# --------------------------------------------------------------------------- bookings


@pytest.mark.parametrize("case", sorted(bookings_corpus()))
def test_malformed_bookings_are_refused_naming_the_column(world: World, tmp_path: Path, case: str) -> None:
    data, column, what = bookings_corpus()[case]
    path = tmp_path / "bookings.csv"
    path.write_bytes(data)
    res = invoke("bookings", "check", path, "--fleet", world.fleet)
    assert_refused(res, str(path), column, what)


def test_passengers_1e300_is_echoed_as_written(world: World, tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(BOOKINGS_HEADER + booking_row("r1", pax="1e300"), encoding="utf-8")
    res = invoke("bookings", "check", path)
    assert_refused(res, f"{path}:2: passengers: '1e300' is more than 999")
    assert "0" * 30 not in res.output


def test_a_formula_id_never_reaches_dispatch(world: World, tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(BOOKINGS_HEADER + booking_row('=HYPERLINK("x")'), encoding="utf-8")
    res = invoke("dispatch", path, "--network", world.graph, "--fleet", world.fleet, "--out", tmp_path / "day")
    assert_refused(res, f"{path}:2: request_id:", "not an id")
    assert not (tmp_path / "day").exists()


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("r00001", True),
        ("late-1", True),
        ("Bürgerbus 3 (Mo.)", True),
        ("_x", True),
        ("=1+1", False),
        ("+49 30 1234", False),
        ("-5", False),
        ("@SUM(A1)", False),
        (" lead", False),
        ("tab\there", False),
        ("x" * 100, True),
        ("x" * 101, False),
        ("", False),
    ],
)
def test_id_character_set(text: str, ok: bool) -> None:
    assert (id_problem(text) is None) == ok


# --------------------------------------------------------------------------- points


@pytest.mark.parametrize("case", sorted(points_corpus()))
def test_malformed_points_are_refused(world: World, tmp_path: Path, case: str) -> None:
    data, what = points_corpus()[case]
    path = tmp_path / "points.csv"
    path.write_bytes(data)
    res = invoke("network", "matrix", world.graph, "--points", path, "--out", tmp_path / "m.csv")
    assert_refused(res, str(path), what)
    assert not (tmp_path / "m.csv").exists()


@pytest.mark.parametrize("case", sorted(points_encodings()))
def test_points_keep_their_ids_in_every_encoding(world: World, tmp_path: Path, case: str) -> None:
    path = tmp_path / "points.csv"
    path.write_bytes(points_encodings()[case])
    out = tmp_path / "m.csv"
    res = invoke("network", "matrix", world.graph, "--points", path, "--out", out)
    assert res.exit_code == 0, res.output
    first = {line.split(",")[0] for line in out.read_text(encoding="utf-8").splitlines()[1:]}
    assert first == {"Köln", "Büro"}


# --------------------------------------------------------------------------- OSM, graph


def test_osm_coordinate_951_6_is_refused(tmp_path: Path) -> None:
    osm = tmp_path / "bad.osm"
    osm.write_text(bad_osm_coordinate(), encoding="utf-8")
    res = invoke("network", "build", osm, "--out", tmp_path / "g.graphml")
    assert_refused(res, str(osm), "invalid coordinate", "951.6")
    res = invoke("demand", "generate", osm, "--out", tmp_path / "b.csv")
    assert_refused(res, str(osm), "invalid coordinate")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.osm"]


def test_unknown_kernel_is_named_as_the_option(world: World, tmp_path: Path) -> None:
    res = invoke("network", "matrix", world.graph, "--points", world.points, "--out", tmp_path / "m.csv", "--kernel", "bogus")
    assert_refused(res, "--kernel: unknown kernel 'bogus'")
    assert "kind" not in res.output


_BUILD = """
import sys
from transit.road.graph import build_graph, save_graph
save_graph(build_graph(sys.argv[1]), sys.argv[2])
"""


def test_network_build_is_byte_identical_between_runs(tmp_path: Path) -> None:
    from fuzzcase import osm_xml

    # Two roads meeting in a node of degree two: simplified into one edge whose name,
    # maxspeed and osmid are lists (kept by osmnx in set order, which varies with the hash seed).
    ways = [
        (200, [1, 2], {"highway": "secondary", "name": "Dorfstraße", "maxspeed": "50"}),
        (201, [2, 3], {"highway": "secondary", "name": "Kirchweg", "maxspeed": "30"}),
        (202, [3, 6, 9], {"highway": "secondary", "name": "Anger", "maxspeed": "70"}),
        (203, [9, 8, 7], {"highway": "secondary", "name": "Zeile", "maxspeed": "100"}),
        (204, [7, 4, 1], {"highway": "secondary", "name": "Allee", "maxspeed": "DE:rural"}),
        (205, [4, 5, 6], {"highway": "residential", "name": "Quergasse"}),  # nodes 4 and 6: degree 3
    ]
    osm = tmp_path / "ring.osm"
    osm.write_text(osm_xml(ways), encoding="utf-8")
    outputs = []
    for seed in ("1", "2", "3", "4"):
        out = tmp_path / f"g{seed}.graphml"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", _BUILD, str(osm), str(out)], check=True, env=env, cwd=tmp_path)
        outputs.append(out.read_bytes())
    assert all(o == outputs[0] for o in outputs)
    assert b"created_date" not in outputs[0]
    G = nx.read_graphml(tmp_path / "g1.graphml")
    merged = [d for _, _, d in G.edges(data=True) if str(d.get("name", "")).startswith("[")]
    assert merged, "the fixture must produce merged edges"


def test_a_lone_ring_road_is_refused_not_a_crash(tmp_path: Path) -> None:
    from fuzzcase import osm_xml

    ring = [(300, [1, 2, 3, 6, 9, 8, 7, 4, 1], {"highway": "secondary"})]
    osm = tmp_path / "ring.osm"
    osm.write_text(osm_xml(ring), encoding="utf-8")
    res = invoke("network", "build", osm, "--out", tmp_path / "g.graphml")
    assert_refused(res, str(osm), "no drivable roads connect")


def test_merged_attributes_are_sorted_in_memory(tmp_path: Path) -> None:
    from osm_fixtures import write_block
    from transit.road.graph import build_graph

    G = build_graph(write_block(tmp_path / "block.osm"))
    lists = [v for _, _, d in G.edges(data=True) for v in d.values() if isinstance(v, list)]
    assert lists
    assert all(v == sorted(v, key=lambda x: (str(type(x)), x)) for v in lists)


# --------------------------------------------------------------------------- limits


def test_population_1e12_is_refused_before_work(world: World, tmp_path: Path) -> None:
    zones = tmp_path / "zones.csv"
    zones.write_text("name,lat,lon,population\nTestdorf,51.6545,11.5072,1e12\n", encoding="utf-8")
    res = invoke("demand", "generate", world.osm, "--zones", zones, "--out", tmp_path / "b.csv")
    assert_refused(res, str(zones), "residents", "over the limit of 2,000,000", "TRANSIT_MAX_RESIDENTS")


def test_demand_scale_1e9_is_refused(world: World, tmp_path: Path) -> None:
    res = invoke("demand", "generate", world.osm, "--scale", "1e9", "--out", tmp_path / "b.csv")
    assert_refused(res, "--scale", "TRANSIT_MAX_DEMAND_SCALE")


def test_demand_scale_in_a_scenario_is_refused(tmp_path: Path) -> None:
    from transit.demand.params import parse_params
    from transit.errors import InputError

    with pytest.raises(InputError, match=r"demand\.generator\.scale: demand scale: 1,000,000,000 is over"):
        parse_params({"scale": 1e9}, source="scenario.toml")


def test_fleet_of_100000_is_refused_at_once(world: World, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(fleet_with_count("100000"), encoding="utf-8")
    res = invoke("dispatch", world.bookings, "--network", world.graph, "--fleet", fleet, "--out", tmp_path / "day")
    assert_refused(res, str(fleet), "vehicles: 100,000 is over the limit of 5,000", "TRANSIT_MAX_VEHICLES")
    res = invoke("dispatch", world.bookings, "--network", world.graph, "--fleet", fleet, "--out", tmp_path / "day",
                 env={"TRANSIT_MAX_VEHICLES": "200000", "TRANSIT_MAX_BOOKINGS": "2"})
    assert_refused(res, str(world.bookings), "bookings: 3 is over the limit of 2")  # the next limit


def test_bookings_limit_is_configurable(world: World, tmp_path: Path) -> None:
    res = invoke("bookings", "check", world.bookings, env={"TRANSIT_MAX_BOOKINGS": "2"})
    assert_refused(res, f"{world.bookings}:4: bookings: 3 is over the limit of 2", "TRANSIT_MAX_BOOKINGS")
    res = invoke("bookings", "check", world.bookings, env={"TRANSIT_MAX_BOOKINGS": "3"})
    assert res.exit_code == 0, res.output
    res = invoke("bookings", "check", world.bookings, env={"TRANSIT_MAX_BOOKINGS": "lots"})
    assert_refused(res, "TRANSIT_MAX_BOOKINGS: must be a number > 0, got 'lots'")


def test_points_limit(world: World, tmp_path: Path) -> None:
    res = invoke("network", "matrix", world.graph, "--points", world.points, "--out", tmp_path / "m.csv",
                 env={"TRANSIT_MAX_POINTS": "2"})
    assert_refused(res, str(world.points), "points: 3 is over the limit of 2")
