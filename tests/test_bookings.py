"""Tests of the bookings file contract: reader/validator, writer, and the CLI."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from transit.demand.bookings import Booking, read_bookings, read_bookings_file, write_bookings
from transit.errors import InputError, InputErrors

HEADER = "request_id,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,time,time_type,passengers,wheelchair,booked_at\n"
GOOD = "r1,51.60,11.50,51.62,11.52,08:00,departure,1,0,07:00\n"


class FakeNetwork:
    """A 'road network' that is a single road point at (51.6, 11.5)."""

    def snap_distances(self, lat, lon):  # noqa: ANN001, ANN201
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        dy = (lat - 51.6) * 111_195.0
        dx = (lon - 11.5) * 111_195.0 * math.cos(math.radians(51.6))
        d = np.hypot(dx, dy)

        class S:
            node = np.zeros(len(d), dtype=np.int64)
            distance_m = d

        return S()


def problems(path: Path, **kw) -> list[tuple[int | None, str | None, str]]:  # noqa: ANN003
    with pytest.raises(InputErrors) as info:
        read_bookings(path, **kw)
    for p in info.value.problems:
        assert p.file == str(path)
    return [(p.row, p.column, p.message) for p in info.value.problems]


def write(tmp_path: Path, content: str | bytes, name: str = "b.csv") -> Path:
    p = tmp_path / name
    if isinstance(content, str):
        p.write_text(content, encoding="utf-8")
    else:
        p.write_bytes(content)
    return p


# (case id, file content, read options, expected [(row, column, message part)])
BAD_FILES = [
    ("empty file", "", {}, [(None, None, "empty")]),
    ("blank file", "\n\n  \n", {}, [(None, None, "empty")]),
    ("header only", HEADER, {}, [(None, None, "no bookings")]),
    (
        "missing required column",
        "request_id,pickup_lat,pickup_lon,dropoff_lat,time\nr1,51.6,11.5,51.7,08:00\n",
        {},
        [(1, "dropoff_lon", "required column is missing")],
    ),
    (
        "duplicate request_id",
        HEADER + GOOD + GOOD.replace("08:00", "09:00"),
        {},
        [(3, "request_id", "duplicate request_id 'r1' (first on line 2)")],
    ),
    (
        "unparsable number",
        HEADER + "r1,51.6x,11.5,51.62,11.52,08:00,departure,1,0,\n",
        {},
        [(2, "pickup_lat", "'51.6x' is not a number")],
    ),
    (
        "unparsable time",
        HEADER + "r1,51.6,11.5,51.62,11.52,8 Uhr,departure,1,0,\n",
        {},
        [(2, "time", "is not a time")],
    ),
    (
        "unparsable booked_at",
        HEADER + "r1,51.6,11.5,51.62,11.52,08:00,departure,1,0,gestern\n",
        {},
        [(2, "booked_at", "is not a time")],
    ),
    (
        "missing time",
        HEADER + "r1,51.6,11.5,51.62,11.52,,departure,1,0,\n",
        {},
        [(2, "time", "missing value")],
    ),
    (
        "latitude out of range",
        HEADER + "r1,91.0,11.5,51.62,11.52,08:00,departure,1,0,\n",
        {},
        [(2, "pickup_lat", "out of range")],
    ),
    (
        "longitude out of range",
        HEADER + "r1,51.6,11.5,51.62,181.5,08:00,departure,1,0,\n",
        {},
        [(2, "dropoff_lon", "out of range")],
    ),
    (
        "NaN coordinate",
        HEADER + "r1,51.6,nan,51.62,11.52,08:00,departure,1,0,\n",
        {},
        [(2, "pickup_lon", "is not a number")],
    ),
    (
        "point too far from the road graph",
        HEADER + GOOD + "r2,51.6,11.5,51.7,11.5,09:00,,,,\n",
        {"network": FakeNetwork()},
        [(2, "dropoff_lat", "m from the nearest road"), (3, "dropoff_lat", "11,120 m from the nearest road")],
    ),
    (
        "pickup equal to drop-off",
        HEADER + "r1,51.6,11.5,51.6,11.5,08:00,departure,1,0,\n",
        {},
        [(2, "dropoff_lat", "same point as the pickup")],
    ),
    (
        "passengers below 1",
        HEADER + "r1,51.6,11.5,51.62,11.52,08:00,departure,0,0,\n",
        {},
        [(2, "passengers", "at least 1")],
    ),
    (
        "passengers not a whole number",
        HEADER + "r1,51.6,11.5,51.62,11.52,08:00,departure,1.5,0,\n",
        {},
        [(2, "passengers", "not a whole number")],
    ),
    (
        "wheelchair below 0",
        HEADER + "r1,51.6,11.5,51.62,11.52,08:00,departure,1,-1,\n",
        {},
        [(2, "wheelchair", "at least 0")],
    ),
    (
        "unknown time_type",
        HEADER + "r1,51.6,11.5,51.62,11.52,08:00,abfahrt,1,0,\n",
        {},
        [(2, "time_type", "'abfahrt' is not 'departure' or 'arrival'")],
    ),
    (
        "booked_at after time",
        HEADER + "r1,51.6,11.5,51.62,11.52,08:00,departure,1,0,08:30\n",
        {},
        [(2, "booked_at", "after the requested time 08:00")],
    ),
    (
        "dated booked_at without a service day",
        HEADER + "r1,51.6,11.5,51.62,11.52,08:00,departure,1,0,2025-03-03T18:00\n",
        {},
        [(2, "booked_at", "service day is unknown")],
    ),
    (
        "two service days in one file",
        HEADER
        + "r1,51.6,11.5,51.62,11.52,2025-03-04T08:00,,,,\n"
        + "r2,51.6,11.5,51.62,11.52,2025-03-05T08:00,,,,\n",
        {},
        [(3, "time", "not the file's service day 2025-03-04 (from line 2)")],
    ),
    (
        "a fleet without vehicles",
        HEADER + GOOD,
        {"capacities": []},
        [(None, None, "the fleet has no vehicles")],
    ),
    ("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", {}, [(None, None, "binary data")]),
    (
        "semicolon-separated file",
        HEADER.replace(",", ";") + GOOD.replace(",", ";"),
        {},
        [(1, None, "separated by semicolons")],
    ),
    ("one column, no delimiter", "just some text\nmore text\n", {}, [(1, None, "one column only")]),
    (
        "row with the wrong number of fields",
        HEADER + "r1,51.6,11.5,51.62,11.52,08:00\n",
        {},
        [(2, None, "row has 6 fields, the header has 10")],
    ),
    (
        "several problems are all reported",
        HEADER
        + "r1,51.6,11.5,51.62,11.52,08:00,departure,1,0,\n"
        + "r2,abc,11.5,51.62,11.52,08:00,departure,1,0,\n"
        + "r3,51.6,11.5,51.62,11.52,26:99,sometime,0,0,\n",
        {},
        [
            (3, "pickup_lat", "not a number"),
            (4, "time", "not a valid time"),
            (4, "time_type", "'sometime'"),
            (4, "passengers", "at least 1"),
        ],
    ),
]


@pytest.mark.parametrize(("content", "options", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_files_report_file_row_and_column(tmp_path: Path, content, options, expected) -> None:  # noqa: ANN001
    path = write(tmp_path, content)
    got = problems(path, **options)
    assert len(got) == len(expected), got
    for (row, col, msg), (erow, ecol, emsg) in zip(got, expected):
        assert (row, col) == (erow, ecol), got
        assert emsg in msg, got


def test_missing_file(tmp_path: Path) -> None:
    got = problems(tmp_path / "nope.csv")
    assert got == [(None, None, "file not found")]


def test_error_lines_are_printed_as_file_row_column(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "r1,51.6,11.5,51.62,11.52,08:00,abfahrt,1,0,\n")
    with pytest.raises(InputErrors) as info:
        read_bookings(path)
    assert str(info.value) == f"{path}:2: time_type: 'abfahrt' is not 'departure' or 'arrival'"
    assert isinstance(info.value, InputError)


def test_defaults_and_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "request_id,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,time\n"
        "a,51.6,11.5,51.62,11.52,08:15\n",
    )
    (b,) = read_bookings(path)
    assert b == Booking("a", 51.6, 11.5, 51.62, 11.52, 8 * 3600 + 900, "departure", 1, 0, None)


def test_header_case_blanks_and_extra_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        " Request_ID , PICKUP_LAT,pickup_lon,dropoff_lat,dropoff_lon,Time,Name,Time_Type\n"
        "a, 51.6 ,11.5,51.62,11.52,08:15,Frau Müller,Arrival\n",
    )
    (b,) = read_bookings(path)
    assert b.time_type == "arrival" and b.pickup_lat == 51.6


def test_utf8_bom(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + (HEADER + GOOD.replace("r1", "Jürgen-1")).encode("utf-8"))
    f = read_bookings_file(path)
    assert [b.request_id for b in f.bookings] == ["Jürgen-1"]
    assert f.encoding == "utf-8-sig"


def test_latin1_umlauts_fall_back_with_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = HEADER + GOOD.replace("r1", "Schäfer-Größe") + GOOD.replace("r1", "Öhringen")
    path = write(tmp_path, text.encode("latin-1"))
    with caplog.at_level("WARNING"):
        f = read_bookings_file(path)
    assert [b.request_id for b in f.bookings] == ["Schäfer-Größe", "Öhringen"]
    assert f.encoding == "cp1252"
    assert "not UTF-8" in caplog.text


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path, (HEADER + GOOD.replace("r1", "Müller")).encode("utf-16"))
    assert read_bookings(path)[0].request_id == "Müller"


def test_service_day_rule(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "r1,51.6,11.5,51.62,11.52,2025-03-04T08:00,,,,2025-03-03T18:30\n"
        + "r2,51.6,11.5,51.62,11.52,09:30,arrival,2,1,08:00\n",
    )
    f = read_bookings_file(path)
    assert f.service_date == dt.date(2025, 3, 4)
    b1, b2 = f.bookings
    assert b1.time == 8 * 3600 and b1.booked_at == -(5 * 3600 + 1800)
    assert b2.time == 9.5 * 3600 and b2.booked_at == 8 * 3600
    # an explicit service date that differs from the file's dates is reported
    got = problems(path, service_date=dt.date(2025, 3, 5))
    assert got[0][:2] == (2, "time")


def test_points_near_the_network_pass(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "r1,51.600,11.500,51.601,11.501,08:00,,,,\n")
    assert len(read_bookings(path, network=FakeNetwork(), max_snap_m=500)) == 1


def test_write_read_round_trip(tmp_path: Path) -> None:
    day = dt.date(2025, 3, 4)
    bookings = [
        Booking("x1", 51.6012345, 11.5, 51.62, 11.5234567, 8 * 3600, "departure", 1, 0, -7200.0),
        Booking("Zöllner 2", 51.61, 11.51, 51.6, 11.49, 17.5 * 3600, "arrival", 3, 1, 12 * 3600.0),
        Booking("x3", 51.61, 11.51, 51.6, 11.49, 25 * 3600, "departure", 1, 0, None),
    ]
    out = tmp_path / "out.csv"
    write_bookings(bookings, out, service_date=day)
    f = read_bookings_file(out)
    assert list(f.bookings) == bookings
    assert f.service_date == day
    # without a service date, a booking made the day before cannot be written
    with pytest.raises(ValueError, match="service_date"):
        write_bookings(bookings, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    write_bookings(bookings[1:], tmp_path / "y.csv")
    assert read_bookings(tmp_path / "y.csv") == bookings[1:]


# ------------------------------------------------------------------------ CLI


def test_cli_check_ok_and_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import app
    from transit.commands import bookings as cmd

    monkeypatch.setattr(cmd, "_load_network", lambda path: FakeNetwork())
    good = write(tmp_path, HEADER + "r1,51.600,11.500,51.601,11.501,08:00,,,,\n", "good.csv")
    graph = tmp_path / "g.graphml"
    graph.write_text("x")
    runner = CliRunner()
    res = runner.invoke(app, ["bookings", "check", str(good), "--network", str(graph)])
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "OK: 1 bookings"

    bad = write(
        tmp_path,
        HEADER + "r1,51.600,11.500,51.601,11.501,08:00,,,,\nr1,51.600,11.500,51.7,11.501,08:00,,9,,\n",
        "bad.csv",
    )
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(
        '[[vehicle]]\nid = "bus-1"\ndepot_lat = 51.6\ndepot_lon = 11.5\nseats = 8\nwheelchair = 1\n'
        'shift_start = "06:00"\nshift_end = "22:00"\n'
    )
    res = runner.invoke(app, ["bookings", "check", str(bad), "--network", str(graph), "--fleet", str(fleet)])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert lines[0] == f"{bad}:3: request_id: duplicate request_id 'r1' (first on line 2)"
    assert any(line.startswith(f"{bad}:3: dropoff_lat:") for line in lines)
    assert not any("needs 9 seats" in line for line in lines)  # a group too large is not an error of the file

    big = write(tmp_path, HEADER + "r1,51.600,11.500,51.601,11.501,08:00,,,,\nr2,51.600,11.500,51.601,11.501,08:00,,9,,\n",
                "big.csv")
    res = runner.invoke(app, ["bookings", "check", str(big), "--network", str(graph), "--fleet", str(fleet)])
    assert res.exit_code == 0, res.output
    assert res.stderr.strip() == (f"warning: {big}:3: passengers: booking needs 9 seats and 0 wheelchair places; "
                                  "no vehicle of the fleet has that (at most 8 seats, 1 wheelchair places)")
    assert res.stdout.strip().splitlines() == ["OK: 2 bookings",
                                               "1 of them larger than every vehicle (see the warnings); dispatch rejects them"]


def test_cli_check_missing_file(tmp_path: Path) -> None:
    from cli import app

    res = CliRunner().invoke(app, ["bookings", "check", str(tmp_path / "none.csv")])
    assert res.exit_code == 2
    assert "none.csv: file not found" in res.stderr


def test_cli_check_against_real_road_graph(tmp_path: Path) -> None:
    from cli import app
    from transit.road.graph import build_graph, save_graph
    from transit.util.instances import instance_osm

    graph = tmp_path / "district.graphml"
    save_graph(build_graph(instance_osm("default")), graph)
    path = write(
        tmp_path,
        HEADER
        + "near,51.6004694,11.5094451,51.5961249,11.5205492,08:00,,,,\n"
        + "far,51.6004694,11.5094451,51.90,11.52,09:00,,,,\n",
    )
    res = CliRunner().invoke(app, ["bookings", "check", str(path), "--network", str(graph)])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:3: dropoff_lat: drop-off point is ")


def test_bookings_larger_than_every_vehicle_are_listed_with_line_and_column() -> None:
    from transit.demand.bookings import capacity_problems

    rows = [Booking("a", 51.6, 11.5, 51.62, 11.52, 8 * 3600.0, passengers=9),
            Booking("b", 51.6, 11.5, 51.62, 11.52, 8 * 3600.0, passengers=1, wheelchair=2),
            Booking("c", 51.6, 11.5, 51.62, 11.52, 8 * 3600.0, passengers=4)]
    found = capacity_problems(rows, [(8, 1), (4, 0)], file="b.csv", lines=[2, 3, 4])
    assert [(p.row, p.column) for p in found] == [(2, "passengers"), (3, "wheelchair")]
    assert "needs 9 seats" in str(found[0]) and "needs 1 seats and 2 wheelchair places" in str(found[1])
    assert capacity_problems(rows, []) == []
