"""Tests of transit.util.timeparse: HH:MM and ISO 8601 to service-day seconds."""

from __future__ import annotations

import datetime as dt

import pytest

from transit.util.timeparse import (
    TimeParseError,
    format_clock,
    format_datetime,
    parse_clock,
    parse_time,
    to_service_seconds,
)

DAY = dt.date(2025, 3, 4)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("00:00", 0), ("7:05", 7 * 3600 + 300), ("08:30:15", 8 * 3600 + 1815), ("25:10", 25 * 3600 + 600)],
)
def test_clock_times(text: str, seconds: int) -> None:
    assert parse_clock(text) == seconds
    assert parse_time(text).date is None


@pytest.mark.parametrize("text", ["", "8", "8:5", "08:60", "48:00", "12:00:61", "noon", "08.30", "1:2:3:4"])
def test_bad_clock_times(text: str) -> None:
    with pytest.raises(TimeParseError):
        parse_time(text)


def test_iso_on_service_day_and_day_before() -> None:
    assert to_service_seconds("2025-03-04T08:15", DAY) == 8 * 3600 + 900
    assert to_service_seconds("2025-03-04 08:15:30", DAY) == 8 * 3600 + 930
    assert to_service_seconds("2025-03-03T23:00:00", DAY) == -3600
    assert to_service_seconds("2025-03-05T00:30", DAY) == 86400 + 1800


def test_iso_offset_is_ignored_and_utc_refused() -> None:
    assert to_service_seconds("2025-03-04T08:15:00+01:00", DAY) == 8 * 3600 + 900
    with pytest.raises(TimeParseError, match="UTC"):
        parse_time("2025-03-04T08:15:00Z")


def test_iso_bad_date() -> None:
    with pytest.raises(TimeParseError, match="invalid date"):
        parse_time("2025-02-30T08:00")


def test_dated_time_without_service_day_uses_own_date() -> None:
    assert to_service_seconds("2025-03-04T08:00") == 8 * 3600
    with pytest.raises(TimeParseError):
        parse_time("2025-03-04T08:00").on(None)


def test_format_round_trip() -> None:
    for s in (0, 59, 3600 * 7 + 61, 86400 + 5, -3600):
        assert to_service_seconds(format_datetime(s, DAY), DAY) == s
    assert format_clock(8 * 3600 + 5 * 60) == "08:05:00"
    assert format_clock(8 * 3600 + 5 * 60, with_seconds=False) == "08:05"
    assert format_clock(25 * 3600) == "25:00:00"
    assert format_datetime(-60, DAY) == "2025-03-03T23:59:00"
