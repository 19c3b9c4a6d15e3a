"""Read GTFS feeds: agency, stops, routes, trips, stop_times, calendar, calendar_dates.

A feed is a folder of ``.txt`` files or a ``.zip`` of them (the files may sit
in one sub-folder of the zip). Tables are kept as text (pandas frames of
``str``) except what the models need as numbers: stop coordinates, stop
sequences and times.

Times in ``stop_times.txt`` are ``H:MM:SS`` or ``HH:MM:SS`` since "noon minus
12 h" of the service day, i.e. seconds since midnight for every day without a
clock change; hours may exceed 23 (``25:02:00`` is 1:02 a.m. of the next
calendar day, still on this service day), and are stored as seconds that can
exceed 86,400.

Service on a date (:meth:`GtfsFeed.service_ids`) follows the GTFS reference:
a ``service_id`` runs if ``calendar.txt`` marks the weekday and the date lies
in its ``start_date``..``end_date``, unless ``calendar_dates.txt`` removes it
(``exception_type`` 2); ``calendar_dates.txt`` may add it (type 1). At least
one of the two files must exist.

GTFS-Flex extras are read when present: ``booking_rules.txt`` (the lead time
of a booking, :class:`BookingRule`), ``location_groups.txt`` and
``location_group_stops.txt`` (kept as text in :attr:`GtfsFeed.flex_tables`)
and the features of ``locations.geojson`` (:attr:`GtfsFeed.locations`), which
``stop_times.txt`` may reference instead of a stop; ``stops.txt`` may then be
left out. Stops of location groups and booking rules of stop times must
exist. :mod:`transit.timetable.flex` builds zones, stop groups and windows
from them.

Every problem of a bad feed raises :class:`~transit.errors.InputError` (or
:class:`~transit.errors.InputErrors` for several) naming the file, the line
(the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from transit.errors import InputError, InputErrors

__all__ = [
    "FLEX_FILES",
    "BookingRule",
    "GtfsFeed",
    "REQUIRED_COLUMNS",
    "parse_gtfs_time",
    "read_gtfs",
]

log = logging.getLogger(__name__)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

#: Columns each file must have (GTFS reference; ``stop_times`` needs one of
#: ``stop_id``, ``location_group_id``, ``location_id`` besides these).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "agency.txt": ("agency_name", "agency_url", "agency_timezone"),
    "stops.txt": ("stop_id",),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_sequence"),
    "calendar.txt": ("service_id", *WEEKDAYS, "start_date", "end_date"),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "booking_rules.txt": ("booking_rule_id", "booking_type"),
    "location_groups.txt": ("location_group_id",),
    "location_group_stops.txt": ("location_group_id", "stop_id"),
}
_REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
_OPTIONAL_FILES = (
    "calendar.txt", "calendar_dates.txt", "booking_rules.txt", "location_groups.txt", "location_group_stops.txt",
)
#: The optional GTFS-Flex tables kept as text in :attr:`GtfsFeed.flex_tables`.
FLEX_FILES = ("booking_rules.txt", "location_groups.txt", "location_group_stops.txt")
_TIME = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
#: Flex window columns: the reference spelling and the older draft spelling.
_WINDOW_COLUMNS = (
    ("start_pickup_drop_off_window", "end_pickup_drop_off_window"),
    ("start_pickup_dropoff_window", "end_pickup_dropoff_window"),
)


def parse_gtfs_time(text: str) -> float:
    """Return seconds since midnight of the service day for ``H:MM:SS``.

    Raises
    ------
    ValueError
        If ``text`` is not a GTFS time.
    """
    m = _TIME.match(text.strip())
    if not m:
        msg = f"not a GTFS time (H:MM:SS): {text!r}"
        raise ValueError(msg)
    h, mi, s = (int(g) for g in m.groups())
    return float(h * 3600 + mi * 60 + s)


@dataclass(frozen=True)
class BookingRule:
    """A GTFS-Flex booking rule: how long before a departure it must be booked.

    Parameters
    ----------
    rule_id
        ``booking_rule_id``.
    booking_type
        0 real time, 1 up to ``prior_notice_min`` before on the same day,
        2 up to ``last_time_s`` on ``last_day`` days before.
    prior_notice_min
        Minutes of notice (type 1).
    last_day, last_time_s
        Days before and time of day of the last booking (type 2).
    """

    rule_id: str
    booking_type: int
    prior_notice_min: float = 0.0
    last_day: int = 0
    last_time_s: float = 0.0

    def deadline(self, departure_s: float) -> float:
        """Return the latest booking time (seconds of the service day) for a departure."""
        if self.booking_type == 0:
            return float(departure_s)
        if self.booking_type == 1:
            return float(departure_s) - 60.0 * self.prior_notice_min
        return self.last_time_s - 86_400.0 * self.last_day

    def lead_min(self, departure_s: float) -> float:
        """Return the notice in minutes this rule asks for a departure."""
        return (float(departure_s) - self.deadline(departure_s)) / 60.0


@dataclass(frozen=True)
class GtfsFeed:
    """The tables of a GTFS feed.

    Every frame holds the file's columns as stripped text plus ``_row``, the
    line number in the file. ``flex_tables`` holds the GTFS-Flex tables the
    feed has (:data:`FLEX_FILES`), ``locations`` the features of
    ``locations.geojson`` by id. ``stops`` adds ``lat``/``lon`` (float, NaN for
    stops without coordinates); ``stop_times`` adds ``seq`` (int), ``arrival``
    and ``departure`` (seconds, NaN when empty) and ``location`` (the stop,
    location group or location it refers to).
    """

    source: str
    agency: pd.DataFrame
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame | None = None
    calendar_dates: pd.DataFrame | None = None
    booking_rules: Mapping[str, BookingRule] = field(default_factory=dict)
    location_groups: frozenset[str] = frozenset()
    flex_tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    locations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    # ------------------------------------------------------------ service days
    def validity(self) -> tuple[dt.date, dt.date] | None:
        """Return the first and last date any service is defined for, or None."""
        dates: list[dt.date] = []
        if self.calendar is not None and len(self.calendar):
            dates += [_date(s) for s in self.calendar["start_date"]]
            dates += [_date(s) for s in self.calendar["end_date"]]
        if self.calendar_dates is not None and len(self.calendar_dates):
            dates += [_date(s) for s in self.calendar_dates["date"]]
        if not dates:
            return None
        return min(dates), max(dates)

    def service_ids(self, date: dt.date) -> frozenset[str]:
        """Return the ``service_id`` values that run on ``date``."""
        active: set[str] = set()
        if self.calendar is not None:
            day = WEEKDAYS[date.weekday()]
            key = date.strftime("%Y%m%d")
            cal = self.calendar
            mask = (cal[day] == "1") & (cal["start_date"] <= key) & (cal["end_date"] >= key)
            active |= set(cal.loc[mask, "service_id"])
        if self.calendar_dates is not None:
            cd = self.calendar_dates
            today = cd[cd["date"] == date.strftime("%Y%m%d")]
            active |= set(today.loc[today["exception_type"] == "1", "service_id"])
            active -= set(today.loc[today["exception_type"] == "2", "service_id"])
        return frozenset(active)

    def trips_on(self, date: dt.date) -> pd.DataFrame:
        """Return the rows of ``trips`` whose service runs on ``date``."""
        ids = self.service_ids(date)
        return self.trips[self.trips["service_id"].isin(ids)]

    def busiest_date(self) -> dt.date:
        """Return the date of the validity period with the most trips (earliest on ties).

        Raises
        ------
        InputError
            If the feed defines no service dates.
        """
        span = self.validity()
        if span is None:
            msg = "the feed defines no service dates (calendar.txt / calendar_dates.txt are empty)"
            raise InputError(msg, file=self.source)
        counts = self.trips["service_id"].value_counts()
        best, best_n = span[0], -1
        day = span[0]
        while day <= span[1]:
            n = int(sum(counts.get(s, 0) for s in self.service_ids(day)))
            if n > best_n:
                best, best_n = day, n
            day += dt.timedelta(days=1)
        return best

    # ---------------------------------------------------------------- bookings
    def booking_rule_of_trip(self, trip_id: str) -> BookingRule | None:
        """Return the pickup booking rule of a trip's first stop, if the feed gives one."""
        if not self.booking_rules or "pickup_booking_rule_id" not in self.stop_times.columns:
            return None
        st = self.stop_times[self.stop_times["trip_id"] == trip_id]
        for rid in st.sort_values("seq")["pickup_booking_rule_id"]:
            if rid:
                return self.booking_rules.get(rid)
        return None

    def flex_trip_ids(self) -> frozenset[str]:
        """Return the trips that have pickup/drop-off windows instead of times (GTFS-Flex)."""
        st = self.stop_times
        for start, _end in _WINDOW_COLUMNS:
            if start in st.columns:
                return frozenset(st.loc[st[start] != "", "trip_id"])
        return frozenset()


# --------------------------------------------------------------------------- reading
class _Files:
    """Text of the feed's files, from a folder or a zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: dict[str, str] | None = None
        if path.is_file():
            if not zipfile.is_zipfile(path):
                msg = "not a GTFS feed: expected a folder or a .zip of .txt files"
                raise InputError(msg, file=str(path))
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
            by_base: dict[str, list[str]] = {}
            for n in names:
                by_base.setdefault(n.rsplit("/", 1)[-1], []).append(n)
            self._zip = {b: sorted(v, key=len)[0] for b, v in by_base.items()}
        elif not path.is_dir():
            msg = "GTFS feed not found"
            raise InputError(msg, file=str(path))

    def label(self, name: str) -> str:
        if self._zip is not None:
            return f"{self.path}!{self._zip.get(name, name)}"
        return str(self.path / name)

    def exists(self, name: str) -> bool:
        if self._zip is not None:
            return name in self._zip
        return (self.path / name).is_file()

    def read_bytes(self, name: str) -> bytes:
        if self._zip is not None:
            with zipfile.ZipFile(self.path) as zf:
                return zf.read(self._zip[name])
        return (self.path / name).read_bytes()


def _read_table(files: _Files, name: str) -> pd.DataFrame:
    label = files.label(name)
    raw = files.read_bytes(name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text (byte {exc.start}); GTFS files must be UTF-8"
        raise InputError(msg, file=label) from None
    if "\x00" in text:
        msg = "contains NUL bytes: not a CSV text file"
        raise InputError(msg, file=label)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            msg = "empty file (no header row)"
            raise InputError(msg, file=label, row=1)
        header = [h.strip() for h in header]
        rows: list[list[str]] = []
        lines: list[int] = []
        problems: list[InputError] = []
        for rec in reader:
            if not rec or all(not c.strip() for c in rec):
                continue
            if len(rec) != len(header):
                msg = f"{len(rec)} fields, the header has {len(header)}"
                problems.append(InputError(msg, file=label, row=reader.line_num))
                continue
            rows.append([c.strip() for c in rec])
            lines.append(reader.line_num)
    except csv.Error as exc:
        msg = f"not a valid CSV file: {exc}"
        raise InputError(msg, file=label, row=reader.line_num) from None
    if problems:
        raise InputErrors(problems)
    missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in header]
    if missing:
        msg = f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        raise InputError(msg, file=label, row=1, column=missing[0])
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        msg = f"duplicate column {dup[0]!r} in the header"
        raise InputError(msg, file=label, row=1, column=dup[0])
    df = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(
        {h: pd.Series(dtype=object) for h in header}
    )
    df["_row"] = np.asarray(lines, dtype=np.int64)
    return df


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y%m%d").date()


def _check_dates(df: pd.DataFrame, label: str, columns: Iterable[str], problems: list[InputError]) -> None:
    for col in columns:
        for row, val in zip(df["_row"], df[col]):
            try:
                if not re.fullmatch(r"\d{8}", val):
                    raise ValueError
                _date(val)
            except ValueError:
                msg = f"not a date YYYYMMDD: {val!r}"
                problems.append(InputError(msg, file=label, row=int(row), column=col))


def _check_choice(
    df: pd.DataFrame, label: str, col: str, allowed: tuple[str, ...], problems: list[InputError]
) -> None:
    for row, val in zip(df["_row"], df[col]):
        if val not in allowed:
            msg = f"must be one of {', '.join(allowed)}, got {val!r}"
            problems.append(InputError(msg, file=label, row=int(row), column=col))


def _check_unique(df: pd.DataFrame, label: str, col: str, problems: list[InputError]) -> None:
    seen: dict[str, int] = {}
    for row, val in zip(df["_row"], df[col]):
        if not val:
            problems.append(InputError("empty id", file=label, row=int(row), column=col))
        elif val in seen:
            msg = f"duplicate {col} {val!r} (first on line {seen[val]})"
            problems.append(InputError(msg, file=label, row=int(row), column=col))
        else:
            seen[val] = int(row)


def _parse_stops(df: pd.DataFrame, label: str, problems: list[InputError]) -> pd.DataFrame:
    for col in ("stop_lat", "stop_lon"):
        if col not in df.columns:
            msg = f"missing required column {col}"
            problems.append(InputError(msg, file=label, row=1, column=col))
            return df
    _check_unique(df, label, "stop_id", problems)
    ltype = df["location_type"] if "location_type" in df.columns else pd.Series([""] * len(df), index=df.index)
    lat = np.full(len(df), np.nan)
    lon = np.full(len(df), np.nan)
    for k, (row, la, lo, lt) in enumerate(zip(df["_row"], df["stop_lat"], df["stop_lon"], ltype)):
        needs = lt in ("", "0", "1", "2")
        for col, val, lim, out in (("stop_lat", la, 90.0, lat), ("stop_lon", lo, 180.0, lon)):
            if val == "":
                if needs:
                    msg = "empty: stops, stations and entrances need coordinates"
                    problems.append(InputError(msg, file=label, row=int(row), column=col))
                continue
            try:
                x = float(val)
                if not np.isfinite(x) or abs(x) > lim:
                    raise ValueError
            except ValueError:
                msg = f"not a coordinate in [-{lim:g}, {lim:g}]: {val!r}"
                problems.append(InputError(msg, file=label, row=int(row), column=col))
                continue
            out[k] = x
    df = df.copy()
    df["lat"], df["lon"] = lat, lon
    if "stop_name" not in df.columns:
        df["stop_name"] = ""
    return df


def _parse_stop_times(
    df: pd.DataFrame,
    label: str,
    trip_ids: set[str],
    locations: set[str],
    problems: list[InputError],
) -> pd.DataFrame:
    loc_col = next((c for c in ("stop_id", "location_group_id", "location_id") if c in df.columns), None)
    if loc_col is None:
        msg = "missing required column stop_id"
        problems.append(InputError(msg, file=label, row=1, column="stop_id"))
        return df
    n = len(df)
    seq = np.zeros(n, dtype=np.int64)
    times = {c: np.full(n, np.nan) for c in ("arrival_time", "departure_time")}
    location = np.empty(n, dtype=object)
    loc_cols = [c for c in ("stop_id", "location_group_id", "location_id") if c in df.columns]
    rows = df["_row"].tolist()
    trip_col = df["trip_id"].tolist()
    loc_lists = [df[c].tolist() for c in loc_cols]
    seq_col = df["stop_sequence"].tolist()
    parsed: dict[str, float | None] = {}
    for k in range(n):
        r = int(rows[k])
        tid = trip_col[k]
        if tid not in trip_ids:
            msg = f"unknown trip_id {tid!r} (not in trips.txt)"
            problems.append(InputError(msg, file=label, row=r, column="trip_id"))
        ci = next((i for i, col in enumerate(loc_lists) if col[k]), -1)
        loc = loc_lists[ci][k] if ci >= 0 else ""
        location[k] = loc
        if not loc:
            msg = "empty: every stop time needs a stop_id (or a Flex location)"
            problems.append(InputError(msg, file=label, row=r, column=loc_col))
        elif loc not in locations:
            msg = f"unknown stop {loc!r} (not in stops.txt)"
            problems.append(InputError(msg, file=label, row=r, column=loc_cols[ci]))
        sval = seq_col[k]
        if not sval.isdigit():
            msg = f"not a non-negative integer: {sval!r}"
            problems.append(InputError(msg, file=label, row=r, column="stop_sequence"))
        else:
            seq[k] = int(sval)
    for col, arr in times.items():
        if col not in df.columns:
            continue
        for k, val in enumerate(df[col].tolist()):
            if val == "":
                continue
            t = parsed.get(val, -1.0)
            if t == -1.0:
                try:
                    t = parse_gtfs_time(val)
                except ValueError:
                    t = None
                parsed[val] = t
            if t is None:
                msg = f"not a time H:MM:SS: {val!r}"
                problems.append(InputError(msg, file=label, row=int(rows[k]), column=col))
            else:
                arr[k] = t
    df = df.copy()
    df["seq"] = seq
    arr, dep = times["arrival_time"], times["departure_time"]
    # One given: the other equals it (GTFS allows omitting one when they match).
    df["arrival"] = np.where(np.isnan(arr), dep, arr)
    df["departure"] = np.where(np.isnan(dep), arr, dep)
    df["location"] = location
    return df


def _check_trip_order(df: pd.DataFrame, label: str, flex: frozenset[str], problems: list[InputError]) -> None:
    """Stop sequences unique per trip; times never decrease; first and last stop timed."""
    if len(df) == 0:
        return
    d = df.sort_values(["trip_id", "seq"], kind="stable")
    tid = d["trip_id"].to_numpy()
    seq = d["seq"].to_numpy()
    rows = d["_row"].to_numpy()
    arr = d["arrival"].to_numpy(dtype=float)
    dep = d["departure"].to_numpy(dtype=float)
    starts = np.flatnonzero(np.r_[True, tid[1:] != tid[:-1]])
    ends = np.r_[starts[1:], len(tid)]
    for s, e in zip(starts, ends):
        trip = str(tid[s])
        for k in range(s + 1, e):
            if seq[k] == seq[k - 1]:
                msg = f"trip {trip!r} has stop_sequence {seq[k]} twice (also line {rows[k - 1]})"
                problems.append(InputError(msg, file=label, row=int(rows[k]), column="stop_sequence"))
        if trip in flex:
            continue
        if np.isnan(arr[s]) or np.isnan(arr[e - 1]):
            k = s if np.isnan(arr[s]) else e - 1
            which = "first" if k == s else "last"
            msg = f"trip {trip!r}: the {which} stop needs an arrival and departure time"
            problems.append(InputError(msg, file=label, row=int(rows[k]), column="arrival_time"))
            continue
        last_t, last_row = -np.inf, 0
        for k in range(s, e):
            for t, col in ((arr[k], "arrival_time"), (dep[k], "departure_time")):
                if np.isnan(t):
                    continue
                if t < last_t:
                    msg = f"trip {trip!r}: time goes backwards (earlier than on line {last_row})"
                    problems.append(InputError(msg, file=label, row=int(rows[k]), column=col))
                last_t, last_row = t, int(rows[k])


def _parse_booking_rules(df: pd.DataFrame, label: str, problems: list[InputError]) -> dict[str, BookingRule]:
    rules: dict[str, BookingRule] = {}
    _check_unique(df, label, "booking_rule_id", problems)
    for k, row in enumerate(df["_row"]):
        r = int(row)
        btype = df["booking_type"].iat[k]
        if btype not in ("0", "1", "2"):
            msg = f"must be 0, 1 or 2, got {btype!r}"
            problems.append(InputError(msg, file=label, row=r, column="booking_type"))
            continue

        def num(col: str, r: int = r, k: int = k) -> float:
            val = df[col].iat[k] if col in df.columns else ""
            if val == "":
                return 0.0
            try:
                x = float(val)
                if x < 0:
                    raise ValueError
            except ValueError:
                msg = f"not a non-negative number: {val!r}"
                problems.append(InputError(msg, file=label, row=r, column=col))
                return 0.0
            return x

        last_time = 0.0
        if "prior_notice_last_time" in df.columns and df["prior_notice_last_time"].iat[k]:
            try:
                last_time = parse_gtfs_time(df["prior_notice_last_time"].iat[k])
            except ValueError:
                msg = f"not a time H:MM:SS: {df['prior_notice_last_time'].iat[k]!r}"
                problems.append(InputError(msg, file=label, row=r, column="prior_notice_last_time"))
        has_notice = "prior_notice_duration_min" in df.columns and df["prior_notice_duration_min"].iat[k]
        if btype == "1" and not has_notice:
            msg = "booking_type 1 needs prior_notice_duration_min"
            problems.append(InputError(msg, file=label, row=r, column="prior_notice_duration_min"))
        rid = df["booking_rule_id"].iat[k]
        rules[rid] = BookingRule(
            rule_id=rid,
            booking_type=int(btype),
            prior_notice_min=num("prior_notice_duration_min"),
            last_day=int(num("prior_notice_last_day")),
            last_time_s=last_time,
        )
    return rules


def _geojson(files: _Files) -> dict[str, Mapping[str, Any]]:
    """Return the features of ``locations.geojson`` by id (empty without the file)."""
    if not files.exists("locations.geojson"):
        return {}
    label = files.label("locations.geojson")
    try:
        data = json.loads(files.read_bytes("locations.geojson").decode("utf-8-sig"))
        feats = data.get("features", [])
        if data.get("type") != "FeatureCollection" or not isinstance(feats, list):
            raise ValueError("expected a FeatureCollection with a list of features")
        return {str(f["id"]): f for f in feats if isinstance(f, Mapping) and "id" in f}
    except (ValueError, TypeError, AttributeError) as exc:
        msg = f"not a GeoJSON feature collection: {exc}"
        raise InputError(msg, file=label) from None


def _check_flex_refs(
    files: _Files, opt: Mapping[str, pd.DataFrame], stop_ids: set[str], rules: Mapping[str, BookingRule],
    stop_times: pd.DataFrame, problems: list[InputError],
) -> None:
    """Stops of location groups and booking rules of stop times must exist."""
    lgs = opt.get("location_group_stops.txt")
    if lgs is not None:
        label = files.label("location_group_stops.txt")
        for row, sid in zip(lgs["_row"], lgs["stop_id"]):
            if sid not in stop_ids:
                msg = f"unknown stop_id {sid!r} (not in stops.txt)"
                problems.append(InputError(msg, file=label, row=int(row), column="stop_id"))
    stl = files.label("stop_times.txt")
    for col in ("pickup_booking_rule_id", "drop_off_booking_rule_id"):
        if col not in stop_times.columns:
            continue
        for row, rid in zip(stop_times["_row"], stop_times[col]):
            if rid and rid not in rules:
                msg = f"unknown booking rule {rid!r} (not in booking_rules.txt)"
                problems.append(InputError(msg, file=stl, row=int(row), column=col))


def _in_file_order(problems: list[InputError]) -> list[InputError]:
    """Return the problems grouped by file (in reading order) and sorted by line."""
    files: dict[str | None, int] = {}
    for p in problems:
        files.setdefault(p.file, len(files))
    return sorted(problems, key=lambda p: (files[p.file], p.row or 0))


def read_gtfs(path: str | Path) -> GtfsFeed:
    """Read and validate a GTFS feed from a folder or a zip file.

    Parameters
    ----------
    path
        A folder holding the ``.txt`` files, or a ``.zip`` of them.

    Raises
    ------
    InputError
        A required file or column is missing, or a value is wrong; the error
        names file, line and column. Several problems raise
        :class:`~transit.errors.InputErrors` listing them all.
    """
    files = _Files(Path(path))
    source = str(path)
    for name in _REQUIRED_FILES:
        # stops.txt may be left out when the only places are GTFS-Flex zones (locations.geojson).
        if not files.exists(name) and not (name == "stops.txt" and files.exists("locations.geojson")):
            msg = f"required file {name} is missing"
            raise InputError(msg, file=source)
    if not (files.exists("calendar.txt") or files.exists("calendar_dates.txt")):
        msg = "the feed needs calendar.txt or calendar_dates.txt (both are missing)"
        raise InputError(msg, file=source)
    tables = {name: _read_table(files, name) for name in _REQUIRED_FILES if files.exists(name)}
    if "stops.txt" not in tables:
        tables["stops.txt"] = pd.DataFrame({c: pd.Series(dtype=object) for c in ("stop_id", "stop_lat", "stop_lon")})
        tables["stops.txt"]["_row"] = np.zeros(0, dtype=np.int64)
    opt = {name: _read_table(files, name) for name in _OPTIONAL_FILES if files.exists(name)}
    problems: list[InputError] = []

    stops = _parse_stops(tables["stops.txt"], files.label("stops.txt"), problems)
    routes = tables["routes.txt"]
    _check_unique(routes, files.label("routes.txt"), "route_id", problems)
    trips = tables["trips.txt"]
    tl = files.label("trips.txt")
    _check_unique(trips, tl, "trip_id", problems)
    route_ids = set(routes["route_id"])
    for row, rid in zip(trips["_row"], trips["route_id"]):
        if rid not in route_ids:
            msg = f"unknown route_id {rid!r} (not in routes.txt)"
            problems.append(InputError(msg, file=tl, row=int(row), column="route_id"))

    calendar = opt.get("calendar.txt")
    if calendar is not None:
        cl = files.label("calendar.txt")
        for day in WEEKDAYS:
            _check_choice(calendar, cl, day, ("0", "1"), problems)
        _check_dates(calendar, cl, ("start_date", "end_date"), problems)
    calendar_dates = opt.get("calendar_dates.txt")
    if calendar_dates is not None:
        cdl = files.label("calendar_dates.txt")
        _check_dates(calendar_dates, cdl, ("date",), problems)
        _check_choice(calendar_dates, cdl, "exception_type", ("1", "2"), problems)
    known_services = set(calendar["service_id"]) if calendar is not None else set()
    if calendar_dates is not None:
        known_services |= set(calendar_dates["service_id"])
    for row, sid in zip(trips["_row"], trips["service_id"]):
        if sid not in known_services:
            msg = f"service_id {sid!r} is in neither calendar.txt nor calendar_dates.txt"
            problems.append(InputError(msg, file=tl, row=int(row), column="service_id"))

    booking_rules: dict[str, BookingRule] = {}
    if "booking_rules.txt" in opt:
        booking_rules = _parse_booking_rules(opt["booking_rules.txt"], files.label("booking_rules.txt"), problems)
    groups: frozenset[str] = frozenset()
    if "location_groups.txt" in opt:
        groups = frozenset(opt["location_groups.txt"]["location_group_id"])
    features = _geojson(files)
    locations = set(stops["stop_id"]) | set(groups) | set(features)

    stl = files.label("stop_times.txt")
    stop_times = _parse_stop_times(tables["stop_times.txt"], stl, set(trips["trip_id"]), locations, problems)
    _check_flex_refs(files, opt, set(stops["stop_id"]), booking_rules, stop_times, problems)
    if problems:
        raise InputErrors(_in_file_order(problems))
    feed = GtfsFeed(
        source=source,
        agency=tables["agency.txt"],
        stops=stops,
        routes=routes,
        trips=trips,
        stop_times=stop_times,
        calendar=calendar,
        calendar_dates=calendar_dates,
        booking_rules=booking_rules,
        location_groups=groups,
        flex_tables={name: opt[name] for name in FLEX_FILES if name in opt},
        locations=features,
    )
    _check_trip_order(stop_times, stl, feed.flex_trip_ids(), problems)
    if problems:
        raise InputErrors(_in_file_order(problems))
    log.info(
        "GTFS %s: %d routes, %d stops, %d trips, %d stop_times",
        source, len(routes), len(stops), len(trips), len(stop_times),
    )
    return feed
