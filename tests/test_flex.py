"""GTFS-Flex reading (the Uckermark RufBus feed and small feeds), refusals, and the flex key of models."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

from transit.compare.scenario import load_scenario
from transit.errors import InputError
from transit.timetable.flex import FlexZone, read_flex
from transit.timetable.gtfs import read_gtfs
from transit.timetable.lines import timetable_from_gtfs
from transit.evaluate.reasons import reason_kind

H = 3600.0


@pytest.fixture(scope="module")
def uvg(shared_dir: Path) -> Path:
    return shared_dir / "data" / "gtfs" / "uvg-rufbus-flex"


def test_uckermark_feed_groups_windows_and_booking_rules(uvg: Path) -> None:
    feed = read_flex(uvg)
    # The draft layout: location_groups.txt lists the stops of each group (SOURCE.md: 126, 155, 150, 71, 97).
    assert {k: len(g.stop_ids) for k, g in feed.groups.items()} == {
        "flex-476-stops": 126, "flex-477-stops": 155, "flex-478-stops": 150, "flex-487-stops": 71,
        "flex-488-stops": 97,
    }
    assert len(feed.rows) == 8 and feed.zones == {}
    weekday = feed.service(dt.date(2023, 6, 6))
    assert sorted(r.route_id for r in weekday.rows) == ["flex-476", "flex-477", "flex-478"]
    assert {r.window_text for r in weekday.rows} == {"17:30-22:00"}
    rule = weekday.rows[0].pickup_booking
    assert (rule.rule.booking_type, rule.rule.prior_notice_min) == (1, 60.0)
    assert rule.phone == "+49 3332 442 755" and "60min" in rule.message
    saturday = feed.service(dt.date(2023, 6, 10))
    assert {(r.route_id, r.window_text) for r in saturday.rows} >= {("flex-487", "08:00-20:00"),
                                                                     ("flex-476", "08:00-22:00")}
    # Good Friday 2023: the weekday service is replaced by the weekend one (calendar_dates.txt).
    assert {r.trip_id for r in feed.service(dt.date(2023, 4, 7)).rows} == {r.trip_id for r in saturday.rows}
    assert feed.service(dt.date(2023, 6, 6), routes=["476"]).rows[0].trip_id == "flex-476-weekdays"
    with pytest.raises(InputError, match="route '999' is not in the feed"):
        feed.service(dt.date(2023, 6, 6), routes=["999"])


def test_refusal_reasons(uvg: Path) -> None:
    s = read_flex(uvg).service(dt.date(2023, 6, 6), routes=["476"])
    g = s.groups[0]
    a, b = (float(g.lat[0]), float(g.lon[0])), (float(g.lat[40]), float(g.lon[40]))

    def why(time_h: float, booked_h: float | None, *, p=a, d=b, arrival: bool = False) -> str:
        booked = None if booked_h is None else booked_h * H
        return s.refusal(p, d, time_s=time_h * H, arrival=arrival, booked_at=booked, slack_s=900, near_m=500)

    assert why(18, 16.5) == ""
    assert why(18, None) == ""
    assert why(18, 17.5) == "booked 30 min ahead; the flex service needs 60 min notice"
    assert why(12, None) == "outside the service window (17:30-22:00)"
    assert reason_kind(why(18, 17.5)) == "booked with less notice than the flex service needs"
    assert reason_kind(why(12, None)) == "outside the service window"
    assert why(17.3, None) == ""  # the pickup interval 17:18-17:33 reaches into the window
    assert why(17.3, None, arrival=True) == "outside the service window (17:30-22:00)"
    assert why(12, None, d=(52.0, 13.0)).startswith("outside the service area")
    # beyond the hours: left to the vehicles' shifts (cut to the windows), but not in a gap
    assert s.refusal(a, b, time_s=12 * H, arrival=False, booked_at=None, slack_s=900, near_m=500,
                     beyond_hours_ok=True) == ""


def test_the_flex_feed_has_no_timetable_and_says_what_to_use(uvg: Path) -> None:
    with pytest.raises(InputError, match="windows only: a zone or stop-group service is an on-demand model"):
        timetable_from_gtfs(read_gtfs(uvg), date=dt.date(2023, 6, 6))


def _feed(folder: Path, files: dict[str, str], zones: list[dict] | None = None) -> Path:
    base = {
        "agency.txt": "agency_name,agency_url,agency_timezone\nA,https://a.example/,Europe/Berlin\n",
        "routes.txt": "route_id,route_short_name,route_type\nr,R,3\n",
        "trips.txt": "route_id,service_id,trip_id\nr,s,t\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "s,1,1,1,1,1,0,0,20250101,20251231\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,A,51.0,11.0\nB,B,51.01,11.0\n",
        "booking_rules.txt": "booking_rule_id,booking_type,prior_notice_duration_min\nb,1,30\n",
    }
    base.update(files)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in base.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    if zones is not None:
        (folder / "locations.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": zones}))
    return folder


SQUARE = {"type": "Feature", "id": "z", "properties": {"stop_name": "Zone"},
          "geometry": {"type": "Polygon",
                       "coordinates": [[[10.9, 50.9], [11.1, 50.9], [11.1, 51.1], [10.9, 51.1], [10.9, 50.9]]]}}
ZONE_TIMES = ("trip_id,location_id,stop_sequence,start_pickup_drop_off_window,end_pickup_drop_off_window,"
              "pickup_type,drop_off_type,pickup_booking_rule_id\n"
              "t,z,1,08:00:00,12:00:00,2,1,b\nt,z,2,08:00:00,12:00:00,1,2,\n")


def test_reference_layout_zone_and_group(tmp_path: Path) -> None:
    feed = read_flex(_feed(tmp_path / "zone", {"stop_times.txt": ZONE_TIMES}, [SQUARE]))
    s = feed.service(dt.date(2025, 3, 4))
    (zone,) = s.zones
    assert isinstance(zone, FlexZone) and zone.contains([51.0, 52.0], [11.0, 11.0]).tolist() == [True, False]
    assert s.refusal((51.0, 11.0), (51.05, 11.05), time_s=9 * H, arrival=False, booked_at=8.9 * H, slack_s=0,
                     near_m=0) == "booked 6 min ahead; the flex service needs 30 min notice"
    groups = {
        "location_groups.txt": "location_group_id,location_group_name\ng,G\n",
        "location_group_stops.txt": "location_group_id,stop_id\ng,B\ng,A\n",
        "stop_times.txt": ZONE_TIMES.replace(",z,", ",g,").replace("location_id", "location_group_id"),
    }
    s = read_flex(_feed(tmp_path / "group", groups)).service(dt.date(2025, 3, 4))
    lat, lon = s.stop_points()
    assert lat.tolist() == [51.01, 51.0]  # in the order of location_group_stops.txt


@pytest.mark.parametrize(("files", "zones", "match"), [
    ({"stop_times.txt": ZONE_TIMES.replace(",z,", ",A,").replace("location_id", "stop_id")}, None,
     "a window needs a zone .location_id. or a stop group"),
    ({"location_groups.txt": "location_group_id\ng\n", "location_group_stops.txt": "location_group_id,stop_id\ng,X\n",
      "stop_times.txt": ZONE_TIMES}, [SQUARE], r"location_group_stops.txt:2: stop_id: unknown stop_id 'X'"),
    ({"stop_times.txt": ZONE_TIMES.replace(",b\n", ",nope\n")}, [SQUARE],
     r"stop_times.txt:2: pickup_booking_rule_id: unknown booking rule 'nope'"),
    ({"stop_times.txt": ZONE_TIMES.replace("12:00:00,2", "07:00:00,2")}, [SQUARE], "the window ends before it starts"),
    ({"stop_times.txt": ZONE_TIMES}, [{**SQUARE, "geometry": {"type": "Point", "coordinates": [11, 51]}}],
     "must be a Polygon or MultiPolygon"),
])
def test_bad_flex_feeds_name_file_row_and_column(tmp_path: Path, files: dict, zones: list | None, match: str) -> None:
    with pytest.raises(InputError, match=match):
        read_flex(_feed(tmp_path / "bad", files, zones))


def _scenario(tmp_path: Path, model: str) -> Path:
    p = tmp_path / "s.toml"
    p.write_text(textwrap.dedent("""
        [scenario]
        name = "flex keys"
        date = 2023-06-06
        [region]
        instance = "default"
        [[models]]
        name = "m"
        """) + textwrap.dedent(model), encoding="utf-8")
    return p


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


def test_models_take_a_flex_feed(tmp_path: Path, uvg: Path) -> None:
    sc = load_scenario(_scenario(tmp_path, f'kind = "ondemand_stops"\nflex = "{uvg}"\nflex_routes = ["477"]\n' + FLEET))
    opts = sc.models[0].parsed
    assert opts.flex.source == str(uvg) and opts.flex_routes == ("477",)
    # a rufbus with flex takes the feed as its lines (and refuses lines + flex together)
    sc = load_scenario(_scenario(tmp_path, f'kind = "rufbus"\nflex = "{uvg}"\n'))
    assert sc.models[0].lines == uvg


@pytest.mark.parametrize(("model", "match"), [
    ('kind = "ondemand"\nflex = "missing.zip"\n' + FLEET, r"models\[1\].flex: GTFS-Flex feed not found"),
    ('kind = "ondemand"\nflex_routes = ["1"]\n' + FLEET, r"flex_routes needs flex"),
    ('kind = "ondemand"\nflex = "UVG"\nflex_routes = ["9"]\n' + FLEET, r"route '9' is not in the feed"),
    ('kind = "rufbus"\nflex = "UVG"\nlines = "UVG"\n', r"give lines or flex, not both"),
    ('kind = "hybrid"\nfeeder = { flex = "UVG" }\n' + FLEET, r"feeder of a hybrid takes no GTFS-Flex feed"),
])
def test_bad_flex_keys_name_the_key(tmp_path: Path, uvg: Path, model: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        load_scenario(_scenario(tmp_path, model.replace("UVG", str(uvg))))
