"""GTFS-Flex service of a feed: zones, stop groups, booking windows and booking rules.

GTFS-Flex (part of the GTFS Schedule reference since 2024) describes
demand-responsive service with three things besides plain GTFS:

- **where**: a ``stop_times.txt`` row names exactly one of a stop
  (``stop_id``), a group of stops (``location_group_id``: ``location_groups.txt``
  plus ``location_group_stops.txt``) or a zone (``location_id``: a polygon of
  ``locations.geojson``);
- **when**: rows of a zone or group carry a window
  (``start_pickup_drop_off_window`` .. ``end_pickup_drop_off_window``) in
  which pickups and drop-offs may happen, instead of arrival and departure
  times;
- **how to book**: ``pickup_booking_rule_id`` / ``drop_off_booking_rule_id``
  name a row of ``booking_rules.txt`` (real time, same day with
  ``prior_notice_duration_min``, or up to a time on an earlier day), with a
  message, a phone number and a booking URL.

:func:`read_flex` reads a feed (a folder or a zip) with
:func:`transit.timetable.gtfs.read_gtfs` and builds these objects;
:meth:`FlexFeed.service` returns the :class:`FlexService` of one day (the
flex trips whose ``service_id`` runs then). Feeds written to the older Flex
draft are read too: ``start_pickup_dropoff_window`` spellings, and
``location_groups.txt`` with a ``location_id`` column listing the stops of
each group (as in the Uckermark RufBus feed in ``../shared/data/gtfs/``).

A :class:`FlexService` decides whether a trip between two points at a time
is offered (:meth:`FlexService.refusal`): some flex trip must have a row
that allows a pickup where the trip starts and a row at or after it that
allows a drop-off where it ends (a zone containing the point, or a stop of
the group within ``near_m``), the requested pickup (or, for arrival
bookings, drop-off) interval must overlap that row's window, and the
booking must be made as early as the row's booking rule asks.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from transit.errors import InputError
from transit.timetable.gtfs import BookingRule, GtfsFeed, read_gtfs
from transit.util.geo import great_circle_m
from transit.util.timeparse import format_clock

__all__ = [
    "FlexBooking",
    "FlexFeed",
    "FlexRow",
    "FlexService",
    "FlexZone",
    "StopGroup",
    "read_flex",
    "zones_of",
]

log = logging.getLogger(__name__)

#: Window columns: the reference spelling first, then the draft's.
_WINDOWS = (
    ("start_pickup_drop_off_window", "end_pickup_drop_off_window"),
    ("start_pickup_dropoff_window", "end_pickup_dropoff_window"),
)


@dataclass(frozen=True)
class FlexBooking:
    """A booking rule with what a passenger is told (``booking_rules.txt``)."""

    rule: BookingRule
    message: str = ""
    phone: str = ""
    info_url: str = ""
    booking_url: str = ""

    @property
    def notice_text(self) -> str:
        """Describe the notice in words, for rejection reasons."""
        if self.rule.booking_type == 0:
            return "real-time booking"
        if self.rule.booking_type == 1:
            return f"{self.rule.prior_notice_min:g} min notice"
        return f"booking by {format_clock(self.rule.last_time_s, with_seconds=False)} {self.rule.last_day} day(s) before"


@dataclass(frozen=True)
class FlexZone:
    """A zone of ``locations.geojson`` (a Polygon or MultiPolygon feature)."""

    zone_id: str
    name: str
    geometry: Mapping[str, Any]

    def contains(self, lat: Any, lon: Any) -> np.ndarray:
        """Return for each point whether it lies in the zone (or on its edge)."""
        import shapely
        from shapely.geometry import shape

        poly = shape(self.geometry)
        pts = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(shapely.covers(poly, pts), dtype=bool)


@dataclass(frozen=True)
class StopGroup:
    """A group of stops served alike (``location_groups.txt``), with their positions."""

    group_id: str
    name: str
    stop_ids: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray

    def near(self, lat: Any, lon: Any, near_m: float) -> np.ndarray:
        """Return for each point whether a stop of the group lies within ``near_m`` (straight line)."""
        la = np.atleast_1d(np.asarray(lat, dtype=float))
        lo = np.atleast_1d(np.asarray(lon, dtype=float))
        if la.size == 0 or self.lat.size == 0:
            return np.zeros(la.size, dtype=bool)
        d = great_circle_m(la[:, None], lo[:, None], self.lat[None, :], self.lon[None, :])
        return np.asarray(d, dtype=float).min(axis=1) <= near_m


@dataclass(frozen=True)
class FlexRow:
    """One ``stop_times.txt`` row of a flex trip that has a window.

    Attributes
    ----------
    trip_id, route_id, seq
        The trip, its route and the row's ``stop_sequence``.
    where
        The zone or stop group of the row.
    start_s, end_s
        The pickup/drop-off window, seconds of the service day.
    pickup, drop_off
        Whether pickups (drop-offs) are allowed (``pickup_type`` /
        ``drop_off_type`` other than 1).
    pickup_booking, drop_off_booking
        The booking rules of the row, if any.
    """

    trip_id: str
    route_id: str
    seq: int
    where: FlexZone | StopGroup
    start_s: float
    end_s: float
    pickup: bool = True
    drop_off: bool = True
    pickup_booking: FlexBooking | None = None
    drop_off_booking: FlexBooking | None = None

    @property
    def window_text(self) -> str:
        """The window as ``HH:MM-HH:MM``."""
        return f"{format_clock(self.start_s, with_seconds=False)}-{format_clock(self.end_s, with_seconds=False)}"


@dataclass(frozen=True)
class FlexService:
    """The flex rows that run on one day, and whether they offer a trip.

    Attributes
    ----------
    source
        The feed.
    date
        The service day, or None when every flex trip of the feed is kept.
    rows
        Every windowed row of the day's flex trips, by trip and sequence.
    """

    source: str
    date: dt.date | None
    rows: tuple[FlexRow, ...]

    @property
    def zones(self) -> tuple[FlexZone, ...]:
        """The distinct zones of the rows, in order of first use."""
        seen: dict[str, FlexZone] = {}
        for r in self.rows:
            if isinstance(r.where, FlexZone):
                seen.setdefault(r.where.zone_id, r.where)
        return tuple(seen.values())

    @property
    def groups(self) -> tuple[StopGroup, ...]:
        """The distinct stop groups of the rows, in order of first use."""
        seen: dict[str, StopGroup] = {}
        for r in self.rows:
            if isinstance(r.where, StopGroup):
                seen.setdefault(r.where.group_id, r.where)
        return tuple(seen.values())

    def stop_points(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (lat, lon) of every stop of the groups, each stop once, in the feed's order."""
        lat: list[float] = []
        lon: list[float] = []
        seen: set[str] = set()
        for g in self.groups:
            for sid, la, lo in zip(g.stop_ids, g.lat.tolist(), g.lon.tolist()):
                if sid not in seen:
                    seen.add(sid)
                    lat.append(la)
                    lon.append(lo)
        return np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)

    def hours(self) -> tuple[float, float] | None:
        """Return the earliest window start and the latest window end, or None without rows."""
        if not self.rows:
            return None
        return min(r.start_s for r in self.rows), max(r.end_s for r in self.rows)

    def refusal(
        self,
        pickup: tuple[float, float],
        dropoff: tuple[float, float],
        *,
        time_s: float,
        arrival: bool,
        booked_at: float | None,
        slack_s: float,
        near_m: float,
        beyond_hours_ok: bool = False,
    ) -> str:
        """Return why the flex service does not offer this trip ("" if some flex trip does).

        Parameters
        ----------
        pickup, dropoff
            ``(lat, lon)`` of the two ends.
        time_s
            Requested time: pickup (departure booking) or arrival.
        arrival
            The booking asks for an arrival time.
        booked_at
            When it was booked (None: in time).
        slack_s
            Width of the pickup window (departure) or drop-off window
            (arrival) the service promises; the interval ``[time, time +
            slack]`` (or ``[time - slack, time]``) must overlap the row's window.
        near_m
            How far from a stop of a group a point may lie.
        beyond_hours_ok
            Do not refuse a trip whose interval lies wholly before the first
            window or after the last (the caller lets vehicles run only
            within :meth:`hours`, which refuses those by itself); a trip in
            a gap between windows is still refused.
        """
        by_trip: dict[str, list[FlexRow]] = {}
        for r in self.rows:
            by_trip.setdefault(r.trip_id, []).append(r)
        where_ok = time_ok = False
        notice = ""
        lo, hi = (time_s - slack_s, time_s) if arrival else (time_s, time_s + slack_s)
        span = self.hours()
        beyond = beyond_hours_ok and span is not None and (hi < span[0] or lo > span[1])
        for rows in by_trip.values():
            for a in rows:
                if not a.pickup or not _holds(a.where, pickup, near_m):
                    continue
                for b in rows:
                    if b.seq < a.seq or not b.drop_off or not _holds(b.where, dropoff, near_m):
                        continue
                    where_ok = True
                    row = b if arrival else a
                    if (hi < row.start_s or lo > row.end_s) and not beyond:
                        continue
                    time_ok = True
                    rule = a.pickup_booking
                    if rule is not None and booked_at is not None and booked_at > rule.rule.deadline(time_s) + 1e-6:
                        ahead = max(0.0, time_s - booked_at) / 60.0
                        notice = notice or f"booked {ahead:.0f} min ahead; the flex service needs {rule.notice_text}"
                        continue
                    return ""
        if not where_ok:
            return "outside the service area (no GTFS-Flex zone or stop group serves both ends)"
        if not time_ok:
            windows = sorted({r.window_text for r in self.rows})
            return f"outside the service window ({', '.join(windows)})"
        return notice


def _holds(where: FlexZone | StopGroup, point: tuple[float, float], near_m: float) -> bool:
    if isinstance(where, FlexZone):
        return bool(where.contains([point[0]], [point[1]])[0])
    return bool(where.near([point[0]], [point[1]], near_m)[0])


@dataclass(frozen=True)
class FlexFeed:
    """A feed's GTFS-Flex content.

    Attributes
    ----------
    gtfs
        The plain GTFS tables.
    zones, groups
        Zones (``locations.geojson``) and stop groups by id.
    bookings
        Booking rules by id.
    rows
        Every windowed ``stop_times`` row of the feed (all days).
    service_of
        ``service_id`` of each flex trip.
    """

    gtfs: GtfsFeed
    zones: Mapping[str, FlexZone]
    groups: Mapping[str, StopGroup]
    bookings: Mapping[str, FlexBooking]
    rows: tuple[FlexRow, ...]
    service_of: Mapping[str, str]

    @property
    def source(self) -> str:
        """The feed's path."""
        return self.gtfs.source

    def busiest_date(self) -> dt.date:
        """Return the date of the validity period with the most flex trips (earliest on ties)."""
        span = self.gtfs.validity()
        if span is None:
            msg = "the feed defines no service dates (calendar.txt / calendar_dates.txt are empty)"
            raise InputError(msg, file=self.source)
        trips = {r.trip_id for r in self.rows}
        best, best_n, day = span[0], -1, span[0]
        while day <= span[1]:
            ids = self.gtfs.service_ids(day)
            n = sum(1 for t in trips if self.service_of[t] in ids)
            if n > best_n:
                best, best_n = day, n
            day += dt.timedelta(days=1)
        return best

    def service(self, date: dt.date | None = None, *, routes: Sequence[str] | None = None) -> FlexService:
        """Return the flex rows that run on ``date`` (default: the busiest date).

        Parameters
        ----------
        date
            The service day.
        routes
            Keep only these routes (``route_id`` or ``route_short_name``).

        Raises
        ------
        InputError
            If a route is unknown or no flex trip runs that day.
        """
        if date is None:
            date = self.busiest_date()
            log.info("GTFS-Flex %s: no service date given, using the busiest date %s", self.source, date)
        keep = _route_ids(self.gtfs, routes)
        ids = self.gtfs.service_ids(date)
        rows = tuple(
            r for r in self.rows if self.service_of[r.trip_id] in ids and (keep is None or r.route_id in keep)
        )
        if not rows:
            msg = f"no GTFS-Flex trip (with a pickup/drop-off window) runs on {date.isoformat()}"
            if routes:
                msg += f" on routes {', '.join(routes)}"
            raise InputError(msg, file=self.source, column="flex")
        return FlexService(source=self.source, date=date, rows=rows)


def _route_ids(feed: GtfsFeed, routes: Sequence[str] | None) -> set[str] | None:
    if routes is None:
        return None
    keep: set[str] = set()
    r = feed.routes
    short = r["route_short_name"] if "route_short_name" in r.columns else None
    for name in routes:
        hit = set(r.loc[r["route_id"] == name, "route_id"])
        if short is not None:
            hit |= set(r.loc[short == name, "route_id"])
        if not hit:
            known = ", ".join(sorted(r["route_id"]))
            msg = f"route {name!r} is not in the feed (routes: {known})"
            raise InputError(msg, file=feed.source, column="routes")
        keep |= hit
    return keep


# --------------------------------------------------------------------------- reading
def _bookings(feed: GtfsFeed) -> dict[str, FlexBooking]:
    df = feed.flex_tables.get("booking_rules.txt")
    out: dict[str, FlexBooking] = {}
    if df is None:
        return out
    for _, row in df.iterrows():
        rid = row["booking_rule_id"]

        def text(col: str, row: pd.Series = row) -> str:
            return str(row[col]) if col in row.index else ""

        out[rid] = FlexBooking(
            rule=feed.booking_rules[rid],
            message=text("message") or text("pickup_message"),
            phone=text("phone_number"),
            info_url=text("info_url"),
            booking_url=text("booking_url"),
        )
    return out


def _groups(feed: GtfsFeed) -> dict[str, StopGroup]:
    """Stop groups from ``location_group_stops.txt``, or the draft's ``location_groups.txt`` rows."""
    lg = feed.flex_tables.get("location_groups.txt")
    lgs = feed.flex_tables.get("location_group_stops.txt")
    names: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    if lg is not None:
        for _, row in lg.iterrows():
            gid = row["location_group_id"]
            members.setdefault(gid, [])
            if row.get("location_group_name", ""):
                names.setdefault(gid, str(row["location_group_name"]))
            if lgs is None and row.get("location_id", ""):
                members[gid].append(str(row["location_id"]))
    if lgs is not None:
        for gid, sid in zip(lgs["location_group_id"], lgs["stop_id"]):
            members.setdefault(gid, []).append(sid)
    stops = feed.stops.set_index("stop_id")
    label = f"{feed.source}!location_groups.txt"
    out: dict[str, StopGroup] = {}
    for gid, sids in members.items():
        lat, lon = [], []
        for sid in sids:
            if sid not in stops.index:
                msg = f"location group {gid!r} names stop {sid!r}, which is not in stops.txt"
                raise InputError(msg, file=label, column="stop_id")
            la, lo = float(stops.at[sid, "lat"]), float(stops.at[sid, "lon"])
            if not (math.isfinite(la) and math.isfinite(lo)):
                msg = f"stop {sid!r} of location group {gid!r} has no coordinates"
                raise InputError(msg, file=label, column="stop_id")
            lat.append(la)
            lon.append(lo)
        out[gid] = StopGroup(gid, names.get(gid, ""), tuple(sids), np.asarray(lat), np.asarray(lon))
    return out


def zones_of(feed: GtfsFeed) -> dict[str, FlexZone]:
    """Return the zones of a feed's ``locations.geojson`` by id.

    Raises
    ------
    InputError
        If a feature is not a valid Polygon or MultiPolygon.
    """
    return _zones(feed)


def _zones(feed: GtfsFeed) -> dict[str, FlexZone]:
    out: dict[str, FlexZone] = {}
    label = f"{feed.source}!locations.geojson"
    for zid, feat in feed.locations.items():
        geom = feat.get("geometry") if isinstance(feat, Mapping) else None
        if not isinstance(geom, Mapping) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            msg = f"location {zid!r}: the geometry must be a Polygon or MultiPolygon"
            raise InputError(msg, file=label, column="geometry")
        props = feat.get("properties") or {}
        name = str(props.get("stop_name", "") or props.get("name", "")) if isinstance(props, Mapping) else ""
        try:
            zone = FlexZone(zid, name, geom)
            zone.contains([0.0], [0.0])
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            msg = f"location {zid!r}: not a valid polygon ({exc})"
            raise InputError(msg, file=label, column="geometry") from None
        out[zid] = zone
    return out


def _window_columns(st: pd.DataFrame) -> tuple[str, str] | None:
    for start, end in _WINDOWS:
        if start in st.columns and end in st.columns:
            return start, end
    return None


def _rows(
    feed: GtfsFeed, zones: Mapping[str, FlexZone], groups: Mapping[str, StopGroup], bookings: Mapping[str, FlexBooking]
) -> tuple[FlexRow, ...]:
    from transit.timetable.gtfs import parse_gtfs_time

    st = feed.stop_times
    cols = _window_columns(st)
    if cols is None:
        return ()
    label = f"{feed.source}!stop_times.txt"
    route_of = dict(zip(feed.trips["trip_id"], feed.trips["route_id"]))
    out: list[FlexRow] = []
    for _, row in st[st[cols[0]] != ""].sort_values(["trip_id", "seq"], kind="stable").iterrows():
        r = int(row["_row"])
        loc = row["location"]
        where: FlexZone | StopGroup | None = zones.get(loc) or groups.get(loc)
        if where is None:
            msg = f"a window needs a zone (location_id) or a stop group (location_group_id), got {loc!r}"
            raise InputError(msg, file=label, row=r, column=cols[0])
        try:
            start, end = parse_gtfs_time(row[cols[0]]), parse_gtfs_time(row[cols[1]])
        except ValueError as exc:
            raise InputError(str(exc), file=label, row=r, column=cols[1]) from None
        if end < start:
            msg = "the window ends before it starts"
            raise InputError(msg, file=label, row=r, column=cols[1])

        def rule(col: str, row: pd.Series = row) -> FlexBooking | None:
            rid = row[col] if col in row.index else ""
            return bookings.get(rid) if rid else None

        out.append(FlexRow(
            trip_id=row["trip_id"], route_id=route_of[row["trip_id"]], seq=int(row["seq"]), where=where,
            start_s=start, end_s=end,
            pickup=row.get("pickup_type", "") != "1", drop_off=row.get("drop_off_type", "") != "1",
            pickup_booking=rule("pickup_booking_rule_id"), drop_off_booking=rule("drop_off_booking_rule_id"),
        ))
    return tuple(out)


def read_flex(path: str | Path) -> FlexFeed:
    """Read the GTFS-Flex content of a feed (folder or zip).

    Raises
    ------
    InputError
        If the feed is not valid GTFS (see :func:`~transit.timetable.gtfs.read_gtfs`),
        a window names neither a zone nor a stop group, a group names an
        unknown stop, or a zone is not a polygon.
    """
    feed = read_gtfs(path)
    zones = _zones(feed)
    groups = _groups(feed)
    bookings = _bookings(feed)
    rows = _rows(feed, zones, groups, bookings)
    service_of = dict(zip(feed.trips["trip_id"], feed.trips["service_id"]))
    log.info("GTFS-Flex %s: %d zones, %d stop groups, %d windowed rows", feed.source, len(zones), len(groups),
             len(rows))
    return FlexFeed(feed, zones, groups, bookings, rows, service_of)
