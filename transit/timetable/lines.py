"""Bus lines and their timetable for one service day, from GTFS or from a planner's sketch.

A :class:`Timetable` holds the stops (with coordinates), the lines and the
timetabled trips of one day: each trip visits stops in order with an
arrival and a departure time (seconds since midnight of the service day).
Build one with :func:`load_timetable` (a GTFS folder or zip, or a ``.toml``
sketch), :func:`timetable_from_gtfs` or :func:`read_lines_toml`.

The line sketch (TOML)
----------------------
::

    [base]                                    # optional: the sketch adds to existing lines
    lines = "../default/gtfs"                 # a GTFS folder or zip (relative to this file)
    routes = ["401", "402"]                   # optional: only these of its lines

    [stops]                                   # optional: stops shared by several lines
    "Sangerhain, Bahnhof" = { lat = 51.5915, lon = 11.5129 }

    [defaults]                                # optional: defaults for every line
    dwell_s = 30                              # stop time added at intermediate stops
    speed_factor = 1.15                       # bus time = car time x factor (computed running times)
    both_directions = true                    # also run the line backwards
    layover_min = 10                          # turn-around at the far end (return departures)

    [[line]]
    id = "401"                                # required, unique
    name = "Sangerhain - Wipperau"            # optional
    stops = [                                 # in outbound order, at least two
      "Sangerhain, Bahnhof",                  # a name from [stops] or given in another line
      { name = "Wipperau, Markt", lat = 51.6379, lon = 11.6200, minute = 14 },
    ]
    departures = ["06:10", "07:10"]           # outbound departures from the first stop, or:
    # first = "05:30"; last = "19:30"; headway_min = 60
    # return_departures = ["06:40", ...]      # inbound departures from the last stop;
    #                                         # default: each outbound arrival + layover

With ``[base]`` the timetable is the base feed's lines on the service day
plus the sketched ones (a new line in an existing network); a sketched stop
within 50 m of a base stop is that stop, so passengers change there.

Running times: give ``minute`` (minutes after the first stop's departure)
on every stop of a line or on none; without them they come from the road
network (car time between consecutive stops x ``speed_factor`` plus
``dwell_s`` per intermediate stop, rounded to whole minutes), separately for
each direction. A stop is identified by its name; the same name must always
mean the same place. Unknown keys are errors that name the key.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from transit.errors import InputError
from transit.timetable.flex import FlexZone
from transit.timetable.gtfs import BookingRule, GtfsFeed, read_gtfs
from transit.util.timeparse import format_clock
from transit.util.tomltable import check_keys, clock_value, describe, get_bool, get_number, get_text, join, read_toml

if TYPE_CHECKING:
    from transit.road.travel import RoadNetwork

__all__ = [
    "Line",
    "LineStop",
    "Timetable",
    "TimetableTrip",
    "load_timetable",
    "merge_timetables",
    "read_lines_toml",
    "timetable_from_gtfs",
]

log = logging.getLogger(__name__)

_SAME_STOP_M = 50.0


@dataclass(frozen=True)
class LineStop:
    """A bus stop."""

    stop_id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Line:
    """A line (a GTFS route)."""

    line_id: str
    name: str
    long_name: str = ""


@dataclass(frozen=True)
class TimetableTrip:
    """One timetabled trip: stops in order with arrival and departure times.

    Parameters
    ----------
    trip_id
        Unique id.
    line_id
        The :class:`Line` it belongs to.
    stops
        Indices into :attr:`Timetable.stops`, in visiting order.
    arrival, departure
        Seconds since midnight of the service day, per stop.
    headsign
        Destination shown on the bus.
    booking_rule
        GTFS-Flex booking rule (lead time) for this trip, if the feed has one.
    """

    trip_id: str
    line_id: str
    stops: tuple[int, ...]
    arrival: tuple[float, ...]
    departure: tuple[float, ...]
    headsign: str = ""
    booking_rule: BookingRule | None = None

    @property
    def start(self) -> float:
        """Departure from the first stop."""
        return self.departure[0]

    @property
    def end(self) -> float:
        """Arrival at the last stop."""
        return self.arrival[-1]


@dataclass(frozen=True)
class Timetable:
    """Stops, lines and trips of one service day.

    Validated on construction: unique ids, stop indices in range, at least two
    stops per trip, times that never decrease along a trip. ``door_zones``
    holds, per line, the GTFS-Flex zones its trips drop passengers off in
    after their stops (an AST's door delivery; from a feed's ``location_id``
    rows).
    """

    stops: tuple[LineStop, ...]
    lines: tuple[Line, ...]
    trips: tuple[TimetableTrip, ...]
    source: str = ""
    date: dt.date | None = None
    door_zones: Mapping[str, tuple[FlexZone, ...]] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = [s.stop_id for s in self.stops]
        if len(set(ids)) != len(ids):
            msg = "stop ids must be unique"
            raise InputError(msg, file=self.source or None)
        line_ids = {ln.line_id for ln in self.lines}
        seen: set[str] = set()
        for t in self.trips:
            where = f"trip {t.trip_id!r}"
            if t.trip_id in seen:
                msg = f"{where}: duplicate trip id"
                raise InputError(msg, file=self.source or None)
            seen.add(t.trip_id)
            if t.line_id not in line_ids:
                msg = f"{where}: unknown line {t.line_id!r}"
                raise InputError(msg, file=self.source or None)
            if len(t.stops) < 2 or not (len(t.stops) == len(t.arrival) == len(t.departure)):
                msg = f"{where}: needs at least two stops, each with an arrival and a departure"
                raise InputError(msg, file=self.source or None)
            if min(t.stops) < 0 or max(t.stops) >= len(self.stops):
                msg = f"{where}: stop index out of range"
                raise InputError(msg, file=self.source or None)
            times = np.column_stack([t.arrival, t.departure]).ravel()
            if not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0):
                msg = f"{where}: times must be finite and never decrease along the trip"
                raise InputError(msg, file=self.source or None)
        self._index.update({s: i for i, s in enumerate(ids)})

    # ------------------------------------------------------------------ access
    def stop_index(self, stop_id: str) -> int:
        """Return the index of a stop id (KeyError if absent)."""
        return self._index[stop_id]

    @property
    def stop_lat(self) -> np.ndarray:
        """Latitudes of the stops."""
        return np.array([s.lat for s in self.stops], dtype=np.float64)

    @property
    def stop_lon(self) -> np.ndarray:
        """Longitudes of the stops."""
        return np.array([s.lon for s in self.stops], dtype=np.float64)

    def line(self, line_id: str) -> Line:
        """Return a line by id (KeyError if absent)."""
        for ln in self.lines:
            if ln.line_id == line_id:
                return ln
        raise KeyError(line_id)

    def restrict(self, lines: Sequence[str]) -> Timetable:
        """Return the timetable of some lines only (by id or name), keeping only their stops.

        Raises
        ------
        InputError
            If a requested line is not in the timetable.
        """
        want: set[str] = set()
        for name in lines:
            hit = [ln.line_id for ln in self.lines if name in (ln.line_id, ln.name)]
            if not hit:
                known = ", ".join(sorted(ln.name or ln.line_id for ln in self.lines))
                msg = f"line {name!r} is not in the timetable (lines: {known})"
                raise InputError(msg, file=self.source or None, column="lines")
            want.update(hit)
        trips = [t for t in self.trips if t.line_id in want]
        used = sorted({i for t in trips for i in t.stops})
        remap = {old: new for new, old in enumerate(used)}
        return Timetable(
            stops=tuple(self.stops[i] for i in used),
            lines=tuple(ln for ln in self.lines if ln.line_id in want),
            trips=tuple(
                TimetableTrip(
                    t.trip_id, t.line_id, tuple(remap[i] for i in t.stops), t.arrival, t.departure,
                    t.headsign, t.booking_rule,
                )
                for t in trips
            ),
            source=self.source,
            date=self.date,
            door_zones={k: v for k, v in self.door_zones.items() if k in want},
        )

    def in_door_zones(self, lat: Any, lon: Any) -> np.ndarray:
        """Return for each point whether it lies in a door zone of any line (all True without zones)."""
        la = np.atleast_1d(np.asarray(lat, dtype=float))
        lo = np.atleast_1d(np.asarray(lon, dtype=float))
        zones = [z for zs in self.door_zones.values() for z in zs]
        if not zones:
            return np.ones(la.size, dtype=bool)
        inside = np.zeros(la.size, dtype=bool)
        for z in zones:
            inside |= z.contains(la, lo)
        return inside

    def summary(self) -> dict[str, Any]:
        """Return counts and the span of service (for logs and reports)."""
        if not self.trips:
            return {"lines": len(self.lines), "stops": len(self.stops), "trips": 0}
        return {
            "lines": len(self.lines),
            "stops": len(self.stops),
            "trips": len(self.trips),
            "first_departure": format_clock(min(t.start for t in self.trips)),
            "last_arrival": format_clock(max(t.end for t in self.trips)),
        }


# --------------------------------------------------------------------------- GTFS
def timetable_from_gtfs(
    feed: GtfsFeed,
    *,
    date: dt.date | None = None,
    routes: Sequence[str] | None = None,
) -> Timetable:
    """Return the timetable of ``date`` from a GTFS feed.

    Parameters
    ----------
    feed
        A feed from :func:`transit.timetable.gtfs.read_gtfs`.
    date
        The service day; default: the feed's busiest date (most trips; a
        typical weekday in term time for most rural feeds).
    routes
        Keep only these routes (``route_id`` or ``route_short_name``).

    Stops without an arrival and departure time between timed stops get
    times interpolated along the stop sequence. GTFS-Flex rows (a window
    instead of times) are not timetabled stops and are left out, and so is
    a trip left with fewer than two stops; the zones (``location_id``) of
    the windowed rows of the trips kept become the lines' door zones.

    Raises
    ------
    InputError
        If a route is unknown or no timetabled trip runs that day.
    """
    if date is None:
        date = feed.busiest_date()
        log.info("GTFS %s: no service date given, using the busiest date %s", feed.source, date)
    trips = feed.trips_on(date)
    route_rows = feed.routes
    if routes is not None:
        keep: set[str] = set()
        short = route_rows.get("route_short_name")
        for r in routes:
            hit = set(route_rows.loc[route_rows["route_id"] == r, "route_id"])
            if short is not None:
                hit |= set(route_rows.loc[short == r, "route_id"])
            if not hit:
                msg = f"route {r!r} is not in the feed"
                raise InputError(msg, file=feed.source, column="routes")
            keep |= hit
        trips = trips[trips["route_id"].isin(keep)]
        route_rows = route_rows[route_rows["route_id"].isin(keep)]
    windowed = _windowed(feed.stop_times)
    st_all = feed.stop_times[feed.stop_times["trip_id"].isin(set(trips["trip_id"]))]
    timed = st_all[~windowed.loc[st_all.index]]
    counts = timed["trip_id"].value_counts()
    keep_ids = set(counts[counts >= 2].index)
    n_flex = int((~trips["trip_id"].isin(keep_ids)).sum())
    trips = trips[trips["trip_id"].isin(keep_ids)]
    if len(trips) == 0:
        extra = (f" ({n_flex} GTFS-Flex trips with booking windows only: a zone or stop-group service is an "
                 "on-demand model, kind ondemand or ondemand_stops with flex = the feed)") if n_flex else ""
        msg = f"no timetabled trip runs on {date.isoformat()}{extra}"
        raise InputError(msg, file=feed.source)
    st = timed[timed["trip_id"].isin(keep_ids)].sort_values(["trip_id", "seq"], kind="stable")
    door_zones = _door_zones(feed, st_all[windowed.loc[st_all.index] & st_all["trip_id"].isin(keep_ids)],
                             dict(zip(trips["trip_id"], trips["route_id"])))
    stops_df = feed.stops.set_index("stop_id")
    used = sorted(set(st["location"]))
    stop_list: list[LineStop] = []
    for sid in used:
        row = stops_df.loc[sid]
        if not (math.isfinite(row["lat"]) and math.isfinite(row["lon"])):
            msg = f"stop {sid!r} used by a timetabled trip has no coordinates"
            raise InputError(msg, file=feed.source, column="stop_lat")
        stop_list.append(LineStop(sid, str(row["stop_name"]), float(row["lat"]), float(row["lon"])))
    index = {s.stop_id: i for i, s in enumerate(stop_list)}
    names = {}
    for _, r in route_rows.iterrows():
        short = str(r.get("route_short_name", "") or "")
        names[r["route_id"]] = Line(r["route_id"], short or str(r["route_id"]), str(r.get("route_long_name", "") or ""))
    headsign = dict(zip(trips["trip_id"], trips["trip_headsign"])) if "trip_headsign" in trips else {}
    route_of = dict(zip(trips["trip_id"], trips["route_id"]))
    out: list[TimetableTrip] = []
    for tid, grp in st.groupby("trip_id", sort=True):
        arr = _interpolate(grp["arrival"].to_numpy(dtype=float))
        dep = _interpolate(grp["departure"].to_numpy(dtype=float))
        out.append(
            TimetableTrip(
                trip_id=str(tid),
                line_id=route_of[tid],
                stops=tuple(index[s] for s in grp["location"]),
                arrival=tuple(float(x) for x in arr),
                departure=tuple(float(x) for x in dep),
                headsign=str(headsign.get(tid, "") or ""),
                booking_rule=feed.booking_rule_of_trip(str(tid)),
            )
        )
    out.sort(key=lambda t: (t.start, t.trip_id))
    lines = tuple(names[r] for r in sorted({t.line_id for t in out}))
    return Timetable(tuple(stop_list), lines, tuple(out), source=feed.source, date=date, door_zones=door_zones)


def _windowed(st: Any) -> Any:
    """Return a boolean Series: the stop_times rows with a GTFS-Flex window."""
    import pandas as pd

    out = pd.Series(False, index=st.index)
    for col in ("start_pickup_drop_off_window", "start_pickup_dropoff_window"):
        if col in st.columns:
            out |= st[col] != ""
    return out


def _door_zones(feed: GtfsFeed, rows: Any, route_of: Mapping[str, str]) -> dict[str, tuple[FlexZone, ...]]:
    """Zones of the windowed rows of timetabled trips, per line."""
    from transit.timetable.flex import zones_of

    zones = zones_of(feed)
    out: dict[str, list[FlexZone]] = {}
    for tid, loc in zip(rows["trip_id"], rows["location"]):
        z = zones.get(loc)
        if z is not None and z not in out.setdefault(route_of[tid], []):
            out[route_of[tid]].append(z)
    return {k: tuple(v) for k, v in out.items() if v}


def _interpolate(t: np.ndarray) -> np.ndarray:
    """Fill NaN times linearly between the timed stops around them (by stop position)."""
    ok = ~np.isnan(t)
    if ok.all():
        return t
    x = np.arange(len(t))
    return np.round(np.interp(x, x[ok], t[ok]))


# --------------------------------------------------------------------------- TOML sketch
_TOP_KEYS = ("base", "stops", "defaults", "line")
_BASE_KEYS = ("lines", "routes")
_DEFAULT_KEYS = ("dwell_s", "speed_factor", "both_directions", "layover_min")
_LINE_KEYS = (
    "id", "name", "stops", "departures", "first", "last", "headway_min", "return_departures",
    *_DEFAULT_KEYS,
)
_STOP_KEYS = ("name", "lat", "lon", "minute")
_BUILTIN_DEFAULTS = {"dwell_s": 20.0, "speed_factor": 1.15, "both_directions": True, "layover_min": 10.0}


def _coord(value: Any, limit: float, *, source: str, column: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) <= limit:
        msg = f"must be a number in [-{limit:g}, {limit:g}], got {describe(value)}"
        raise InputError(msg, file=source, column=column)
    return float(value)


def _defaults(data: Mapping[str, Any], base: Mapping[str, Any], *, source: str, table: str) -> dict[str, Any]:
    out = dict(base)
    for key in ("dwell_s", "layover_min"):
        x = get_number(data, key, None, source=source, table=table)
        if x is not None:
            out[key] = x
    x = get_number(data, "speed_factor", None, source=source, table=table, positive=True)
    if x is not None:
        out["speed_factor"] = x
    out["both_directions"] = get_bool(data, "both_directions", out["both_directions"], source=source, table=table)
    return out


def _departures(line: Mapping[str, Any], *, source: str, table: str) -> list[float]:
    has_list = "departures" in line
    has_headway = any(k in line for k in ("first", "last", "headway_min"))
    if has_list == has_headway:
        msg = "give either departures = [...] or first, last and headway_min"
        raise InputError(msg, file=source, column=join(table, "departures"))
    if has_list:
        deps = line["departures"]
        if not isinstance(deps, list) or not deps:
            msg = f"must be a non-empty list of times, got {describe(deps)}"
            raise InputError(msg, file=source, column=join(table, "departures"))
        col = join(table, "departures")
        return sorted(clock_value(v, source=source, column=f"{col}[{i}]") for i, v in enumerate(deps))
    for key in ("first", "last", "headway_min"):
        if key not in line:
            msg = f"missing key {key!r} (first, last and headway_min go together)"
            raise InputError(msg, file=source, column=join(table, key))
    first = clock_value(line["first"], source=source, column=join(table, "first"))
    last = clock_value(line["last"], source=source, column=join(table, "last"))
    head = get_number(line, "headway_min", None, source=source, table=table, positive=True)
    assert head is not None
    if last < first:
        msg = f"last departure {line['last']} is before the first {line['first']}"
        raise InputError(msg, file=source, column=join(table, "last"))
    n = int(math.floor((last - first) / (head * 60.0) + 1e-9)) + 1
    return [first + k * head * 60.0 for k in range(n)]


def _running_times(
    coords: list[tuple[float, float]],
    minutes: list[float] | None,
    opts: Mapping[str, Any],
    network: RoadNetwork | None,
    *,
    source: str,
    table: str,
) -> list[float]:
    """Return seconds from the first stop's departure to each stop (one direction)."""
    if minutes is not None:
        return [60.0 * m for m in minutes]
    if network is None:
        msg = "running times not given (key 'minute' on every stop) and no road network to compute them from"
        raise InputError(msg, file=source, column=join(table, "stops"))
    from transit.road.points import drive_pairs, snap_to_arcs

    lat = np.array([c[0] for c in coords])
    lon = np.array([c[1] for c in coords])
    pts = snap_to_arcs(network, lat, lon)
    t, _ = drive_pairs(network, pts.take(np.arange(len(lat) - 1)), pts.take(np.arange(1, len(lat))))
    if not np.all(np.isfinite(t)):
        k = int(np.flatnonzero(~np.isfinite(t))[0])
        msg = f"stop {k + 1} cannot be reached by road from stop {k}"
        raise InputError(msg, file=source, column=join(table, "stops"))
    legs = t * float(opts["speed_factor"]) + float(opts["dwell_s"])
    cum = np.concatenate([[0.0], np.cumsum(legs)])
    cum[-1] -= float(opts["dwell_s"])  # no dwell counted at the last stop
    mins = np.maximum.accumulate(np.round(cum / 60.0))
    return [60.0 * float(m) for m in mins]


class _StopBook:
    """The stops a line sketch defines, by name; the same name must mean the same place."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.known: dict[str, tuple[float, float, str]] = {}

    def define(self, name: str, lat: float, lon: float, column: str) -> None:
        from transit.road.points import straight_line_m

        if name in self.known:
            la, lo, where = self.known[name]
            d = float(straight_line_m(la, lo, lat, lon))
            if d > _SAME_STOP_M:
                msg = f"stop {name!r} is {d:.0f} m from the stop of the same name at {where}"
                raise InputError(msg, file=self.source, column=column)
        else:
            self.known[name] = (lat, lon, column)

    def define_at(self, data: Mapping[str, Any], name: str, column: str) -> None:
        """Define ``name`` at the ``lat``/``lon`` of ``data`` (a table at ``column``)."""
        self.define(name, _coord(data["lat"], 90, source=self.source, column=join(column, "lat")),
                    _coord(data["lon"], 180, source=self.source, column=join(column, "lon")), column)


def _shared_stops(data: Mapping[str, Any], book: _StopBook) -> None:
    """The ``[stops]`` table."""
    source = book.source
    shared = data.get("stops", {})
    if not isinstance(shared, Mapping):
        msg = f"must be a table of stops, got {describe(shared)}"
        raise InputError(msg, file=source, column="stops")
    for name, val in shared.items():
        col = join("stops", name)
        check_keys(val, ("lat", "lon"), source=source, table=col)
        for key in ("lat", "lon"):
            if key not in val:
                msg = f"missing key {key!r}"
                raise InputError(msg, file=source, column=join(col, key))
        book.define_at(val, name, col)


def _line_entries(line: Any, table: str, book: _StopBook) -> list[tuple[str, float | None]]:
    """The stops of one ``[[line]]`` (name, minute), defining those given with coordinates."""
    source = book.source
    check_keys(line, _LINE_KEYS, source=source, table=table)
    if "id" not in line:
        msg = "missing key 'id'"
        raise InputError(msg, file=source, column=join(table, "id"))
    stops = line.get("stops")
    if not isinstance(stops, list) or len(stops) < 2:
        msg = f"must be a list of at least two stops, got {describe(stops)}"
        raise InputError(msg, file=source, column=join(table, "stops"))
    entries: list[tuple[str, float | None]] = []
    for si, st in enumerate(stops):
        col = f"{join(table, 'stops')}[{si}]"
        if isinstance(st, str):
            entries.append((st, None))
            continue
        check_keys(st, _STOP_KEYS, source=source, table=col)
        name = get_text(st, "name", None, source=source, table=col)
        if not name:
            msg = "missing key 'name'"
            raise InputError(msg, file=source, column=join(col, "name"))
        if ("lat" in st) != ("lon" in st):
            missing = "lon" if "lat" in st else "lat"
            msg = f"missing key {missing!r} (lat and lon go together)"
            raise InputError(msg, file=source, column=join(col, missing))
        if "lat" in st:
            book.define_at(st, name, col)
        entries.append((name, get_number(st, "minute", None, source=source, table=col)))
    return entries


def _line_minutes(entries: list[tuple[str, float | None]], *, source: str, table: str) -> list[float] | None:
    """The running minutes given on every stop, or None when given on none."""
    mins = [m for _, m in entries]
    given = [m is not None for m in mins]
    if any(given) and not all(given):
        k = given.index(False)
        msg = "give 'minute' on every stop of the line or on none"
        raise InputError(msg, file=source, column=f"{join(table, 'stops')}[{k}].minute")
    if not all(given):
        return None
    minutes = [float(m) for m in mins]  # type: ignore[arg-type]
    if minutes[0] != 0 or any(b < a for a, b in zip(minutes, minutes[1:])):
        msg = "minutes must start at 0 and never decrease along the line"
        raise InputError(msg, file=source, column=f"{join(table, 'stops')}[0].minute")
    return minutes


def _return_departures(
    line: Mapping[str, Any], deps: list[float], out_run: list[float], opts: Mapping[str, Any], *, source: str,
    table: str,
) -> list[float]:
    if "return_departures" not in line:
        return [d + out_run[-1] + 60.0 * float(opts["layover_min"]) for d in deps]
    rd = line["return_departures"]
    if not isinstance(rd, list) or not rd:
        msg = f"must be a non-empty list of times, got {describe(rd)}"
        raise InputError(msg, file=source, column=join(table, "return_departures"))
    col = join(table, "return_departures")
    return sorted(clock_value(v, source=source, column=f"{col}[{i}]") for i, v in enumerate(rd))


def _line_trips(
    table: str,
    line: Mapping[str, Any],
    entries: list[tuple[str, float | None]],
    book: _StopBook,
    index: Mapping[str, int],
    defaults: Mapping[str, Any],
    network: RoadNetwork | None,
) -> tuple[Line, list[TimetableTrip]]:
    """The line and its trips (both directions unless ``both_directions = false``)."""
    source = book.source
    lid = str(line["id"])
    name = get_text(line, "name", "", source=source, table=table) or ""
    opts = _defaults(line, defaults, source=source, table=table)
    for si, (sname, _m) in enumerate(entries):
        if sname not in book.known:
            msg = f"stop {sname!r} has no coordinates: give lat and lon here or in [stops]"
            raise InputError(msg, file=source, column=f"{join(table, 'stops')}[{si}]")
    minutes = _line_minutes(entries, source=source, table=table)
    names = [n for n, _ in entries]
    coords = [(book.known[n][0], book.known[n][1]) for n in names]
    out_run = _running_times(coords, minutes, opts, network, source=source, table=table)
    deps = _departures(line, source=source, table=table)
    idx = tuple(index[n] for n in names)
    trips = _trips(lid, "out", idx, out_run, deps, names[-1])
    if opts["both_directions"]:
        back_minutes = None if minutes is None else [minutes[-1] - m for m in reversed(minutes)]
        in_run = _running_times(coords[::-1], back_minutes, opts, network, source=source, table=table)
        back = _return_departures(line, deps, out_run, opts, source=source, table=table)
        trips += _trips(lid, "in", idx[::-1], in_run, back, names[0])
    elif "return_departures" in line:
        msg = "return_departures needs both_directions = true"
        raise InputError(msg, file=source, column=join(table, "return_departures"))
    return Line(lid, lid, name), trips


def read_lines_toml(path: str | Path, *, network: RoadNetwork | None = None, date: dt.date | None = None) -> Timetable:
    """Read a line sketch (see the module notes) into a :class:`Timetable`.

    Parameters
    ----------
    path
        The ``.toml`` file.
    network
        The road graph, needed when a line gives no running times.
    date
        Service day of the ``[base]`` feed, if the sketch has one (default:
        the feed's busiest date).

    Raises
    ------
    InputError
        Naming the file and the key of the first problem.
    """
    source = str(path)
    data = read_toml(path, what="line file")
    check_keys(data, _TOP_KEYS, source=source, table="")
    book = _StopBook(source)
    _shared_stops(data, book)
    defaults = _defaults(
        check_keys(data.get("defaults", {}), _DEFAULT_KEYS, source=source, table="defaults"),
        _BUILTIN_DEFAULTS, source=source, table="defaults",
    )
    raw_lines = data.get("line")
    if not isinstance(raw_lines, list) or not raw_lines:
        msg = "no lines: add at least one [[line]] table"
        raise InputError(msg, file=source, column="line")
    # First pass: every stop definition, so a line may name a stop defined later.
    parsed = [(join("line", li), line, _line_entries(line, join("line", li), book)) for li, line in enumerate(raw_lines)]
    stop_ids = sorted(book.known)
    index = {name: i for i, name in enumerate(stop_ids)}
    stop_objs = tuple(LineStop(n, n, book.known[n][0], book.known[n][1]) for n in stop_ids)
    lines_out: list[Line] = []
    trips_out: list[TimetableTrip] = []
    seen_ids: set[str] = set()
    for table, line, entries in parsed:
        lid = line["id"]
        if not isinstance(lid, (str, int)) or isinstance(lid, bool):
            msg = f"must be text, got {describe(lid)}"
            raise InputError(msg, file=source, column=join(table, "id"))
        if str(lid) in seen_ids:
            msg = f"duplicate line id {str(lid)!r}"
            raise InputError(msg, file=source, column=join(table, "id"))
        seen_ids.add(str(lid))
        ln, trips = _line_trips(table, line, entries, book, index, defaults, network)
        lines_out.append(ln)
        trips_out += trips
    trips_out.sort(key=lambda t: (t.start, t.trip_id))
    sketch = Timetable(stop_objs, tuple(lines_out), tuple(trips_out), source=source)
    if "base" not in data:
        return sketch
    feed, routes = _sketch_base(data, path)
    return merge_timetables(timetable_from_gtfs(read_gtfs(feed), date=date, routes=routes), sketch)


def _sketch_base(data: Mapping[str, Any], path: str | Path) -> tuple[Path, list[str] | None]:
    """Return the ``[base]`` feed of the line sketch ``data`` (read from ``path``) and the lines it keeps (None: all).

    Raises
    ------
    InputError
        Naming the file and key when ``[base]`` is malformed or its feed is missing.
    """
    source = str(path)
    sec = check_keys(data["base"], _BASE_KEYS, source=source, table="base")
    feed = get_text(sec, "lines", None, source=source, table="base")
    if not feed:
        msg = "needs lines: a GTFS folder or zip (relative to this file)"
        raise InputError(msg, file=source, column="base.lines")
    where = (Path(path).parent / feed).resolve()
    if not where.exists():
        msg = f"no such GTFS folder or zip: {where}"
        raise InputError(msg, file=source, column="base.lines")
    routes = sec.get("routes")
    if routes is not None and (not isinstance(routes, list) or not routes
                               or not all(isinstance(r, (str, int)) and not isinstance(r, bool) for r in routes)):
        msg = f"must be a list of line ids or names, got {describe(routes)}"
        raise InputError(msg, file=source, column="base.routes")
    return where, [str(r) for r in routes] if routes is not None else None


def merge_timetables(base: Timetable, sketch: Timetable) -> Timetable:
    """Return ``base`` with the lines and trips of ``sketch`` added.

    A sketch stop within 50 m of a base stop becomes that stop (passengers
    change there); the others are added (with ``sketch:`` before an id the
    base already uses for another place).

    A sketch trip whose id the base already uses gets ``sketch:`` before it.

    Raises
    ------
    InputError
        If a line id of the sketch is also one of the base's.
    """
    from transit.util.geo import great_circle_m

    known = {ln.line_id for ln in base.lines}
    clash = sorted(ln.line_id for ln in sketch.lines if ln.line_id in known)
    if clash:
        msg = f"line {clash[0]!r} is both a sketched line and a line of the base feed; give it another id"
        raise InputError(msg, file=sketch.source or None, column="line.id")
    stops = list(base.stops)
    ids = {s.stop_id for s in stops}
    lat, lon = base.stop_lat, base.stop_lon
    remap: dict[int, int] = {}
    for i, s in enumerate(sketch.stops):
        near = np.asarray(great_circle_m(lat, lon, s.lat, s.lon)) if len(lat) else np.empty(0)
        if near.size and float(near.min()) <= _SAME_STOP_M:
            remap[i] = int(np.argmin(near))
            continue
        remap[i] = len(stops)
        stops.append(LineStop(s.stop_id if s.stop_id not in ids else f"sketch:{s.stop_id}", s.name, s.lat, s.lon))
    trip_ids = {t.trip_id for t in base.trips}
    added = []
    for t in sketch.trips:
        tid = t.trip_id if t.trip_id not in trip_ids else f"sketch:{t.trip_id}"
        added.append(TimetableTrip(tid, t.line_id, tuple(remap[i] for i in t.stops), t.arrival, t.departure,
                                   t.headsign, t.booking_rule))
    trips = sorted([*base.trips, *added], key=lambda t: (t.start, t.trip_id))
    return Timetable(tuple(stops), (*base.lines, *sketch.lines), tuple(trips), source=sketch.source,
                     date=base.date, door_zones=base.door_zones)


def _trips(
    line_id: str, direction: str, stops: tuple[int, ...], run: list[float], deps: list[float], headsign: str
) -> list[TimetableTrip]:
    out = []
    for k, d in enumerate(deps, start=1):
        times = tuple(d + r for r in run)
        out.append(TimetableTrip(f"{line_id}-{direction}-{k:03d}", line_id, stops, times, times, headsign))
    return out


# --------------------------------------------------------------------------- dispatch
def load_timetable(
    path: str | Path,
    *,
    date: dt.date | None = None,
    routes: Sequence[str] | None = None,
    network: RoadNetwork | None = None,
) -> Timetable:
    """Load lines from a GTFS feed (folder or ``.zip``) or a ``.toml`` sketch.

    Parameters
    ----------
    path
        GTFS folder, GTFS zip, or line sketch.
    date
        Service day for a GTFS feed (default: its busiest date); a sketch
        runs every day.
    routes
        Keep only these lines (GTFS ``route_id``/``route_short_name``, or
        sketch line ids).
    network
        Road graph for sketches without running times.
    """
    p = Path(path)
    if p.suffix.lower() == ".toml":
        tt = read_lines_toml(p, network=network, date=date)
        return tt.restrict(routes) if routes is not None else tt
    return timetable_from_gtfs(read_gtfs(p), date=date, routes=routes)
