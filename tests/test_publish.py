"""Publishing: every model kind as a feed the canonical GTFS validator accepts, with the Flex parts as designed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from feedcheck import errors, flex_rule_problems, read_tables, validate

from transit.compare.run import load_region
from transit.compare.scenario import load_scenario
from transit.errors import InputError
from transit.publish.feed import write_feed
from transit.publish.model import export_model
from transit.publish.settings import PublishSettings, parse_publish_settings
from transit.road.travel import RoadNetwork
from transit.timetable.flex import read_flex
from transit.timetable.gtfs import read_gtfs
from transit.timetable.lines import timetable_from_gtfs
from transit.util.timeparse import format_clock

REPO = Path(__file__).resolve().parents[1]

#: (scenario, model, kind): every model kind, from the default scenario and the examples.
MODELS = [
    ("instances/default/scenario.toml", "Linienbus", "fixed_line"),
    ("instances/default/scenario.toml", "Rufbus", "rufbus"),
    ("instances/default/scenario.toml", "On-demand", "ondemand"),
    ("instances/examples/ast.toml", "AST 402+403", "ast"),
    ("instances/examples/ondemand_stops.toml", "Virtual stops", "ondemand_stops"),
    ("instances/examples/hybrid.toml", "401 + feeders", "hybrid"),
    ("instances/examples/buergerbus.toml", "Bürgerbus Helmsrode", "buergerbus"),
]

AGENCY = PublishSettings(agency_name="Verkehrsgesellschaft Südharz (Test)", agency_url="https://vgs.example.de/",
                         booking_phone="+49 3464 000000", booking_url="https://vgs.example.de/buchen")


@pytest.fixture(scope="module")
def network() -> RoadNetwork:
    """The default district's roads (every scenario above runs on them)."""
    return RoadNetwork.from_graph(load_region(load_scenario(REPO / MODELS[0][0])).graph)


@pytest.fixture(scope="module")
def feeds(network: RoadNetwork, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One exported feed per model kind."""
    base = tmp_path_factory.mktemp("feeds")
    out = {}
    for scenario, model, kind in MODELS:
        sc = load_scenario(REPO / scenario)
        assert sc.model(model).kind == kind
        out[kind] = write_feed(export_model(sc, model, network=network, settings=AGENCY), base / f"{kind}.zip")
    return out


@pytest.mark.parametrize("kind", [k for _, _, k in MODELS])
def test_every_kind_validates_without_errors(feeds: dict[str, Path], kind: str, tmp_path: Path) -> None:
    notices = validate(feeds[kind], tmp_path / "report")
    assert errors(notices) == []
    assert flex_rule_problems(read_tables(feeds[kind])) == []


def test_the_validator_does_find_errors(feeds: dict[str, Path], tmp_path: Path) -> None:
    """A feed broken on purpose (a trip of an unknown route, a zone row without a window) fails."""
    with zipfile.ZipFile(feeds["ondemand"]) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    files["trips.txt"] = files["trips.txt"].replace(b"\r\non-demand,", b"\r\nno-such-route,", 1)
    window = read_tables(feeds["ondemand"])["stop_times.txt"][0]["start_pickup_drop_off_window"].encode()
    files["stop_times.txt"] = files["stop_times.txt"].replace(window, b"", 1)
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as zf:
        for n, data in files.items():
            zf.writestr(n, data)
    codes = {e.split(" ")[0] for e in errors(validate(broken, tmp_path / "report"))}
    assert {"foreign_key_violation", "missing_pickup_or_drop_off_window"} <= codes
    assert flex_rule_problems(read_tables(broken)) == ["line 2: a zone or group row needs a window (start and end)"]


def test_fixed_line_keeps_ids_times_and_follows_the_roads(feeds: dict[str, Path]) -> None:
    sc = load_scenario(REPO / MODELS[0][0])
    original = timetable_from_gtfs(read_gtfs(sc.region.gtfs))
    back = timetable_from_gtfs(read_gtfs(feeds["fixed_line"]))
    assert back.stops == original.stops
    assert back.lines == original.lines
    assert back.trips == original.trips
    t = read_tables(feeds["fixed_line"])
    shapes: dict[str, list[float]] = {}
    for r in t["shapes.txt"]:
        shapes.setdefault(r["shape_id"], []).append(float(r["shape_dist_traveled"]))
    assert all(all(b > a for a, b in zip(d, d[1:])) for d in shapes.values())
    assert {r["shape_id"] for r in t["trips.txt"]} == set(shapes)
    # A shape follows the roads: longer than the straight line between its stops.
    assert max(d[-1] for d in shapes.values()) > 5.0


def test_rufbus_trips_are_booked_with_the_lead_time(feeds: dict[str, Path]) -> None:
    t = read_tables(feeds["rufbus"])
    assert {(r["pickup_type"], r["drop_off_type"]) for r in t["stop_times.txt"]} == {("2", "2")}
    (rule,) = t["booking_rules.txt"]
    assert (rule["booking_type"], rule["prior_notice_duration_min"]) == ("1", "120")
    assert rule["phone_number"] == "+49 3464 000000" and "120 Minuten" in rule["message"]
    assert {r["pickup_booking_rule_id"] for r in t["stop_times.txt"]} == {rule["booking_rule_id"]}
    # Read back, the booking rule gives the same lead time per trip.
    back = timetable_from_gtfs(read_gtfs(feeds["rufbus"]))
    assert {tr.booking_rule.lead_min(tr.start) for tr in back.trips} == {120.0}


def test_ast_trips_end_in_door_zones_that_hold_every_door_within_the_radius(feeds: dict[str, Path]) -> None:
    t = read_tables(feeds["ast"])
    zones = {f["id"] for f in t["locations.geojson"]}
    assert zones == {"ast-l402", "ast-l403"}
    last = {}
    for r in t["stop_times.txt"]:
        last[r["trip_id"]] = r
    assert {r["location_id"] for r in last.values()} == zones
    assert all((r["pickup_type"], r["drop_off_type"]) == ("1", "2") for r in last.values())
    back = timetable_from_gtfs(read_gtfs(feeds["ast"]))
    assert set(back.door_zones) == {"L402", "L403"}
    # 3 km (the example's door radius) from a stop: inside; 3.3 km: outside every zone.
    from transit.util.geo import offset_deg

    s = back.stops[0]
    assert back.in_door_zones(*offset_deg(s.lat, s.lon, 0.0, 2990.0)).all()
    far = [offset_deg(x.lat, x.lon, 0.0, 3300.0) for x in back.stops]
    assert back.in_door_zones([p[0] for p in far], [p[1] for p in far]).sum() < len(far)


def test_ondemand_is_a_zone_with_the_shift_window_booked_in_real_time(feeds: dict[str, Path]) -> None:
    t = read_tables(feeds["ondemand"])
    (zone,) = t["locations.geojson"]
    assert zone["geometry"]["type"] == "Polygon"
    rows = t["stop_times.txt"]
    fleet = load_scenario(REPO / MODELS[2][0]).model(MODELS[2][1]).fleet
    first = min(v.shift_start for v in fleet.vehicles)
    last = max(v.shift_end for v in fleet.vehicles)
    window = (format_clock(first), format_clock(last))  # one window: the fleet's shifts overlap into one block
    assert [(r["location_id"], r["start_pickup_drop_off_window"], r["end_pickup_drop_off_window"]) for r in rows] \
        == [(zone["id"], *window)] * 2
    assert [(r["pickup_type"], r["drop_off_type"]) for r in rows] == [("2", "1"), ("1", "2")]
    (rule,) = t["booking_rules.txt"]
    assert rule["booking_type"] == "0" and "prior_notice_duration_min" not in rule
    assert "stops.txt" not in t


def test_ondemand_stops_are_one_location_group_of_the_service_stops(feeds: dict[str, Path], network: RoadNetwork) -> None:
    from transit.compare.models import build_model
    from transit.opmodels.ondemand import service_stops

    sc = load_scenario(REPO / "instances/examples/ondemand_stops.toml")
    model = build_model(sc.model("Virtual stops"), network=network, date=None)
    stops = service_stops(model.options, network)
    t = read_tables(feeds["ondemand_stops"])
    members = [r["stop_id"] for r in t["location_group_stops.txt"]]
    assert len(members) == len(stops) == len(t["stops.txt"])
    flex = read_flex(feeds["ondemand_stops"])
    lat, lon = flex.service().stop_points()
    assert lat.tolist() == stops.lat.tolist() and lon.tolist() == stops.lon.tolist()


def test_hybrid_is_trunk_lines_and_a_feeder_zone(feeds: dict[str, Path]) -> None:
    t = read_tables(feeds["hybrid"])
    assert {r["route_id"] for r in t["routes.txt"]} == {"L401", "401-feeders-zubringer"}
    assert len(t["locations.geojson"]) == 1
    assert [ln.name for ln in timetable_from_gtfs(read_gtfs(feeds["hybrid"])).lines] == ["401"]


def test_buergerbus_windows_are_its_roster(feeds: dict[str, Path]) -> None:
    rows = read_tables(feeds["buergerbus"])["stop_times.txt"]
    windows = sorted({(r["start_pickup_drop_off_window"], r["end_pickup_drop_off_window"]) for r in rows})
    assert windows == [("07:45:00", "12:45:00"), ("13:00:00", "18:15:00")]


def test_same_inputs_give_identical_bytes(network: RoadNetwork, tmp_path: Path) -> None:
    sc = load_scenario(REPO / MODELS[1][0])
    a = write_feed(export_model(sc, "Rufbus", network=network), tmp_path / "a.zip")
    b = write_feed(export_model(sc, "Rufbus", network=network), tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()


def test_unknown_model_names_the_known_ones(network: RoadNetwork) -> None:
    sc = load_scenario(REPO / MODELS[0][0])
    with pytest.raises(InputError, match="'Linienbus', 'Rufbus', 'AST', 'On-demand'"):
        export_model(sc, "Nope", network=network)


@pytest.mark.parametrize(("data", "match"), [
    ({"agency_url": "vgs.de"}, "agency_url: must be a URL"),
    ({"agency_nme": "x"}, "unknown key 'agency_nme'"),
    ({"valid_days": 0}, "valid_days"),
])
def test_bad_publisher_settings_name_the_key(data: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_publish_settings(data, source="agency.toml")
