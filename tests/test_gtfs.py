"""GTFS reading: the two shared real feeds, service days, and bad feeds."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

from transit.errors import InputError
from transit.timetable.gtfs import parse_gtfs_time, read_gtfs

VVS = Path("data/gtfs/vvs-bus-752/vvs-bus-751-only.gtfs.zip")
UVG = Path("data/gtfs/uvg-rufbus-flex")


@pytest.fixture(scope="module")
def vvs(shared_dir):
    return read_gtfs(shared_dir / VVS)


def test_vvs_counts_from_source_md(vvs):
    assert len(vvs.routes) == 1 and vvs.routes.route_short_name.iloc[0] == "752"
    assert len(vvs.stops) == 47
    assert len(vvs.trips) == 134
    assert len(vvs.stop_times) == 1495
    assert vvs.calendar.service_id.nunique() == 8
    assert vvs.validity() == (dt.date(2020, 2, 2), dt.date(2020, 12, 12))


def test_vvs_service_per_day(vvs):
    assert len(vvs.trips_on(dt.date(2020, 6, 15))) == 73  # Monday
    assert len(vvs.trips_on(dt.date(2020, 6, 20))) == 34  # Saturday
    assert len(vvs.trips_on(dt.date(2020, 6, 21))) == 22  # Sunday
    assert len(vvs.trips_on(dt.date(2021, 6, 14))) == 0  # after the validity


def test_vvs_calendar_dates_remove_a_holiday(vvs):
    # T0#25 runs Monday-Friday but calendar_dates removes it on Good Friday 2020-04-10
    assert "T0#25" in vvs.service_ids(dt.date(2020, 4, 9))
    assert "T0#25" not in vvs.service_ids(dt.date(2020, 4, 10))


def test_times_past_midnight(vvs):
    assert vvs.stop_times.departure.max() == 25 * 3600 + 2 * 60
    assert parse_gtfs_time("25:02:00") == 90120
    assert parse_gtfs_time("7:05:00") == 7 * 3600 + 300
    for bad in ("7:5:00", "07:60:00", "x", "07:00"):
        with pytest.raises(ValueError):
            parse_gtfs_time(bad)


def test_uvg_flex_feed(shared_dir):
    feed = read_gtfs(shared_dir / UVG)
    assert (len(feed.routes), len(feed.stops), len(feed.trips), len(feed.stop_times)) == (5, 378, 8, 8)
    assert len(feed.flex_trip_ids()) == 8  # booking windows, no fixed times
    rule = feed.booking_rule_of_trip("flex-476-weekdays")
    assert rule is not None and rule.booking_type == 1 and rule.prior_notice_min == 60
    assert rule.deadline(18 * 3600) == 17 * 3600 and rule.lead_min(18 * 3600) == 60
    # Wednesday 2023-03-15: weekday services; Good Friday 2023-04-07: weekend service instead
    assert feed.service_ids(dt.date(2023, 3, 15)) == frozenset({"flex-weekdays"})
    assert feed.service_ids(dt.date(2023, 4, 7)) == frozenset({"flex-weekends"})
    # stop_times reference location groups, which are known stops for the reader
    assert set(feed.stop_times.location) <= feed.location_groups


def test_zip_with_files_in_a_subfolder(tmp_path, repo_dir):
    src = repo_dir / "instances" / "default" / "gtfs"
    z = tmp_path / "feed.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in src.iterdir():
            zf.write(f, f"feed/{f.name}")
    feed = read_gtfs(z)
    assert len(feed.trips) == len(read_gtfs(src).trips) > 0


# --------------------------------------------------------------------------- bad feeds
@pytest.fixture
def feed_dir(tmp_path, repo_dir):
    d = tmp_path / "gtfs"
    shutil.copytree(repo_dir / "instances" / "default" / "gtfs", d)
    return d


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_missing_required_file(feed_dir):
    (feed_dir / "stops.txt").unlink()
    with pytest.raises(InputError, match="required file stops.txt is missing") as e:
        read_gtfs(feed_dir)
    assert e.value.file == str(feed_dir)


def test_missing_calendar_and_calendar_dates(feed_dir):
    (feed_dir / "calendar.txt").unlink()
    with pytest.raises(InputError, match="needs calendar.txt or calendar_dates.txt"):
        read_gtfs(feed_dir)


def test_missing_required_column(feed_dir):
    st = feed_dir / "stop_times.txt"
    _edit(st, "trip_id,arrival_time", "trip,arrival_time")
    with pytest.raises(InputError) as e:
        read_gtfs(feed_dir)
    assert (e.value.file, e.value.row, e.value.column) == (str(st), 1, "trip_id")
    assert "missing required column trip_id" in str(e.value)


def test_bad_time_names_file_row_column(feed_dir):
    st = feed_dir / "stop_times.txt"
    _edit(st, "401-out-001,05:32:00,05:32:00", "401-out-001,05:32:00,5:3200")
    row = _line_of(st, "5:3200")
    with pytest.raises(InputError) as e:
        read_gtfs(feed_dir)
    assert (e.value.file, e.value.row, e.value.column) == (str(st), row, "departure_time")
    assert str(e.value) == f"{st}:{row}: departure_time: not a time H:MM:SS: '5:3200'"


def test_unknown_stop_in_stop_times(feed_dir):
    st = feed_dir / "stop_times.txt"
    _edit(st, "05:32:00,05:32:00,S003,3", "05:32:00,05:32:00,S999,3")
    row = _line_of(st, "S999")
    with pytest.raises(InputError) as e:
        read_gtfs(feed_dir)
    assert (e.value.row, e.value.column) == (row, "stop_id")
    assert "unknown stop 'S999' (not in stops.txt)" in str(e.value)


def test_all_problems_listed_at_once(feed_dir):
    st = feed_dir / "stop_times.txt"
    _edit(st, "S003,3", "S998,3")
    _edit(st, "S004,4", "S997,4")
    _edit(feed_dir / "trips.txt", "L401,WD,401-out-001", "L499,WD,401-out-001")
    with pytest.raises(InputError) as e:
        read_gtfs(feed_dir)
    text = str(e.value)
    assert "S998" in text and "S997" in text and "unknown route_id 'L499'" in text
    assert len(e.value.problems) == 3


def test_time_going_backwards_and_bad_calendar(feed_dir):
    st = feed_dir / "stop_times.txt"
    _edit(st, "401-out-001,05:44:00,05:44:00", "401-out-001,05:34:00,05:34:00")
    with pytest.raises(InputError, match="time goes backwards"):
        read_gtfs(feed_dir)


def test_bad_calendar_values(feed_dir):
    cal = feed_dir / "calendar.txt"
    _edit(cal, "WD,1,1,1,1,1,0,0,20250101", "WD,1,1,yes,1,1,0,0,20251301")
    with pytest.raises(InputError) as e:
        read_gtfs(feed_dir)
    cols = {(p.row, p.column) for p in e.value.problems}
    assert cols == {(2, "wednesday"), (2, "start_date")}


def test_wrong_field_count_and_not_a_feed(feed_dir, tmp_path):
    _edit(feed_dir / "routes.txt", "L402,KVS,402,", "L402,KVS,402,extra,")
    with pytest.raises(InputError, match=r"routes.txt:3: 6 fields, the header has 5"):
        read_gtfs(feed_dir)
    text = tmp_path / "x.zip"
    text.write_text("hello")
    with pytest.raises(InputError, match="not a GTFS feed"):
        read_gtfs(text)
    with pytest.raises(InputError, match="GTFS feed not found"):
        read_gtfs(tmp_path / "nothing")


def test_booking_rules_types_and_errors(tmp_path, shared_dir):
    d = tmp_path / "uvg"
    shutil.copytree(shared_dir / UVG, d)
    br = d / "booking_rules.txt"
    br.write_text(
        "booking_rule_id,booking_type,prior_notice_duration_min,prior_notice_last_day,prior_notice_last_time\n"
        "same-day,1,90,,\n"
        "day-before,2,,1,18:00:00\n"
        "realtime,0,,,\n",
        encoding="utf-8",
    )
    _edit(d / "stop_times.txt", "flächenrufbus-angermünde-weekdays", "same-day", count=100)
    _edit(d / "stop_times.txt", "flächenrufbus-angermünde-weekends", "day-before", count=100)
    _edit(d / "stop_times.txt", "flächenrufbus-gartz", "realtime", count=100)
    feed = read_gtfs(d)
    assert feed.booking_rules["same-day"].deadline(10 * 3600) == 10 * 3600 - 90 * 60
    # booked by 18:00 on the day before, whatever the departure
    assert feed.booking_rules["day-before"].deadline(10 * 3600) == 18 * 3600 - 86400
    assert feed.booking_rules["realtime"].lead_min(10 * 3600) == 0
    br.write_text("booking_rule_id,booking_type,prior_notice_duration_min\nx,1,\ny,3,\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_gtfs(d)
    got = {(p.row, p.column) for p in e.value.problems if p.file.endswith("booking_rules.txt")}
    assert got == {(2, "prior_notice_duration_min"), (3, "booking_type")}
