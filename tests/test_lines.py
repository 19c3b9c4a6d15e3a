"""Lines and timetables: from GTFS (real feeds, default district) and from TOML sketches."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap

import pytest

import linecase as lc
from transit.errors import InputError
from transit.timetable.gtfs import read_gtfs
from transit.timetable.lines import load_timetable, read_lines_toml, timetable_from_gtfs

VVS = "data/gtfs/vvs-bus-752/vvs-bus-751-only.gtfs.zip"


@pytest.fixture(scope="module")
def net():
    return lc.network()


def write(tmp_path, text: str):
    p = tmp_path / "lines.toml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


# --------------------------------------------------------------------------- GTFS
def test_vvs_monday_timetable(shared_dir):
    tt = load_timetable(shared_dir / VVS, date=dt.date(2020, 6, 15))
    assert len(tt.trips) == 73 and len(tt.lines) == 1 and tt.lines[0].name == "752"
    assert tt.date == dt.date(2020, 6, 15)
    assert min(t.start for t in tt.trips) == 4 * 3600 + 53 * 60
    assert max(t.end for t in tt.trips) == 25 * 3600 + 2 * 60  # past midnight, same service day
    for t in tt.trips:
        assert all(b >= a for a, b in zip(t.departure, t.departure[1:]))
    assert len(tt.stops) <= 47 and all(48.6 < s.lat < 48.71 for s in tt.stops)


def test_default_district_busiest_day_and_route_filter(repo_dir):
    feed = read_gtfs(repo_dir / "instances" / "default" / "gtfs")
    tt = timetable_from_gtfs(feed)  # no date: the busiest (a weekday with school trips)
    assert tt.date.weekday() < 5
    assert len(tt.trips) == len(feed.trips_on(tt.date))
    sat = timetable_from_gtfs(feed, date=dt.date(2025, 6, 14))
    assert {ln.name for ln in sat.lines} == {"401"}  # Saturday service on 401 only
    only = timetable_from_gtfs(feed, date=tt.date, routes=["402"])
    assert {t.line_id for t in only.trips} == {"L402"}
    assert len(only.stops) < len(tt.stops)
    with pytest.raises(InputError, match="route '499' is not in the feed"):
        timetable_from_gtfs(feed, routes=["499"])
    with pytest.raises(InputError, match="no timetabled trip runs on 2025-06-15"):
        timetable_from_gtfs(feed, date=dt.date(2025, 6, 15))  # Sunday


def test_flex_only_feed_is_not_a_timetable(shared_dir):
    with pytest.raises(InputError, match="GTFS-Flex trips with booking windows only"):
        load_timetable(shared_dir / "data/gtfs/uvg-rufbus-flex", date=dt.date(2023, 3, 15))


def test_untimed_intermediate_stops_are_interpolated(tmp_path, repo_dir):
    d = tmp_path / "gtfs"
    shutil.copytree(repo_dir / "instances" / "default" / "gtfs", d)
    st = d / "stop_times.txt"
    text = st.read_text(encoding="utf-8")
    # 401-out-001: 05:30 S001, 05:31 S002, 05:32 S003 ... blank the times of S002
    assert "401-out-001,05:31:00,05:31:00,S002" in text
    text = text.replace("401-out-001,05:31:00,05:31:00,S002", "401-out-001,,,S002")
    st.write_text(text, encoding="utf-8")
    tt = timetable_from_gtfs(read_gtfs(d), date=dt.date(2025, 6, 11))
    trip = next(t for t in tt.trips if t.trip_id == "401-out-001")
    assert trip.departure[1] == pytest.approx((5 * 3600 + 30 * 60 + 5 * 3600 + 32 * 60) / 2, abs=1)


# --------------------------------------------------------------------------- TOML
SKETCH = """
[stops]
HUB = { lat = 51.60, lon = 11.55 }

[defaults]
dwell_s = 0
speed_factor = 1.0

[[line]]
id = "A"
stops = [{ name = "A1", lat = 51.60, lon = 11.50, minute = 0 }, { name = "HUB", minute = 7 },
         { name = "A5", lat = 51.60, lon = 11.60, minute = 15 }]
first = "06:00"
last = "08:00"
headway_min = 60
layover_min = 5
"""


def test_sketch_with_minutes_headway_and_return_trips(tmp_path):
    tt = read_lines_toml(write(tmp_path, SKETCH))
    out = [t for t in tt.trips if "-out-" in t.trip_id]
    back = [t for t in tt.trips if "-in-" in t.trip_id]
    assert [t.start for t in out] == [lc.hm("06:00"), lc.hm("07:00"), lc.hm("08:00")]
    assert out[0].departure == (lc.hm("06:00"), lc.hm("06:07"), lc.hm("06:15"))
    # inbound: reverse order, mirrored minutes, leaving the far end 5 min after each arrival
    assert [tt.stops[i].name for i in back[0].stops] == ["A5", "HUB", "A1"]
    assert back[0].departure == (lc.hm("06:20"), lc.hm("06:28"), lc.hm("06:35"))
    assert {s.name for s in tt.stops} == {"A1", "HUB", "A5"}


def test_sketch_running_times_from_the_road_network(tmp_path, net):
    text = """
    [[line]]
    id = "A"
    stops = [{ name = "A1", lat = 51.60, lon = 11.50 }, { name = "A5", lat = 51.60, lon = 11.60 }]
    departures = ["07:00"]
    both_directions = false
    speed_factor = 1.5
    """
    p = write(tmp_path, text)
    with pytest.raises(InputError, match="no road network to compute them"):
        read_lines_toml(p)
    tt = read_lines_toml(p, network=net)
    (trip,) = tt.trips
    metres = lc.M_PER_DEG_LON * 0.10  # 10 m/s on the test roads
    assert trip.end - trip.start == pytest.approx(round(metres / 10 * 1.5 / 60) * 60)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ('[[line]]\nid = "A"\ndepartures = ["07:00"]\nstops = [{ name = "x", lat = 1, lng = 2 }, "y"]\n',
         "line[0].stops[0]", "unknown key 'lng'"),
        ('[[line]]\nid = "A"\nheadway = 60\nstops = []\n', "line[0]", "unknown key 'headway'"),
        ('colour = 1\n', None, "unknown key 'colour'"),
        ('[defaults]\ndwell = 3\n', "defaults", "unknown key 'dwell'"),
        ('[[line]]\nid = "A"\ndepartures = ["07:00"]\nstops = ["x", "y"]\n', "line[0].stops[0]",
         "stop 'x' has no coordinates"),
        ('[[line]]\nid = "A"\ndepartures = ["7h"]\nstops = [{name="x",lat=1,lon=1,minute=0},'
         '{name="y",lat=1,lon=1.1,minute=5}]\n', "line[0].departures[0]", "7h"),
        ('[[line]]\nid = "A"\nfirst = "07:00"\nstops = [{name="x",lat=1,lon=1,minute=0},'
         '{name="y",lat=1,lon=1.1,minute=5}]\n', "line[0].last", "missing key 'last'"),
        ('[[line]]\nid = "A"\ndepartures = ["07:00"]\nstops = [{name="x",lat=1,lon=1,minute=0},'
         '{name="y",lat=1,lon=1.1}]\n', "line[0].stops[1].minute", "on every stop of the line or on none"),
        ('[[line]]\nid = "A"\ndepartures = ["07:00"]\nstops = [{name="x",lat=1,lon=1},'
         '{name="x",lat=1.01,lon=1}]\n', "line[0].stops[1]", "1112 m from the stop of the same name"),
        ('[[line]]\nid = "A"\ndepartures = ["07:00"]\nstops = [{name="x",lat=91,lon=1},"x"]\n',
         "line[0].stops[0].lat", "must be a number in [-90, 90]"),
        ('[stops]\n', "line", "no lines"),
    ],
)
def test_sketch_errors_name_the_key(tmp_path, text, column, message):
    p = write(tmp_path, text)
    with pytest.raises(InputError) as e:
        read_lines_toml(p)
    assert e.value.file == str(p) and e.value.column == column
    assert message in str(e.value)


def test_example_sketch_loads(repo_dir):
    from transit.road.graph import build_graph
    from transit.road.travel import RoadNetwork

    net = RoadNetwork.from_graph(build_graph(repo_dir / "instances" / "default" / "district.osm.gz"))
    tt = load_timetable(repo_dir / "instances" / "examples" / "lines.toml", network=net)
    base = load_timetable(repo_dir / "instances" / "default" / "gtfs", date=tt.date)
    # the sketch adds two lines to its [base], the district's feed
    assert {ln.line_id for ln in tt.lines} == {ln.line_id for ln in base.lines} | {"405", "401E"}
    assert len(tt.trips) == len(base.trips) + sum(t.line_id in ("405", "401E") for t in tt.trips)
    evening = [t for t in tt.trips if t.line_id == "401E"]
    assert len(evening) == 8 and min(t.start for t in evening) == lc.hm("19:35")
    only = tt.restrict(["405"])
    assert {t.line_id for t in only.trips} == {"405"} and len(only.stops) == 4
    # sketched stops at a stop of the feed are that stop: 401E starts at the feed's Sangerhain, Bahnhof
    first = tt.stops[evening[0].stops[0]]
    assert first.stop_id in {s.stop_id for s in base.stops} and len(tt.stops) < len(base.stops) + 9


def test_a_sketch_on_a_base_feed_names_its_problems(tmp_path, repo_dir):
    feed = repo_dir / "instances" / "default" / "gtfs"
    line = textwrap.dedent("""\
        [[line]]
        id = "{id}"
        stops = [{{ name = "X", lat = 51.60, lon = 11.50, minute = 0 }}, {{ name = "Y", lat = 51.61, lon = 11.52, minute = 6 }}]
        departures = ["08:00"]
    """)
    clash = tmp_path / "clash.toml"
    clash.write_text(f'[base]\nlines = "{feed}"\n\n' + line.format(id="L401"))
    with pytest.raises(InputError) as e:
        read_lines_toml(clash)
    assert "'L401' is both a sketched line and a line of the base feed" in str(e.value)
    assert "clash.toml" in str(e.value)
    missing = tmp_path / "missing.toml"
    missing.write_text('[base]\nlines = "no/such/gtfs"\n\n' + line.format(id="9"))
    with pytest.raises(InputError) as e:
        read_lines_toml(missing)
    assert "base.lines" in str(e.value) and "no such GTFS folder or zip" in str(e.value)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(f'[base]\nlines = "{feed}"\nroute = ["401"]\n\n' + line.format(id="9"))
    with pytest.raises(InputError) as e:
        read_lines_toml(unknown)
    assert "route" in str(e.value)
    ok = tmp_path / "ok.toml"
    ok.write_text(f'[base]\nlines = "{feed}"\nroutes = ["401"]\n\n' + line.format(id="9"))
    tt = read_lines_toml(ok)
    assert {ln.line_id for ln in tt.lines} == {"L401", "9"}
