"""Machinery shared by the timetabled models: journeys on a timetable, choice, logs.

Journeys
--------
Trips with the same stop sequence form a *pattern*. For a boarding stop
``a`` and an alighting stop ``b``, :meth:`Connections.journeys` lists every
direct ride (one trip visiting ``a`` then ``b``) and, with one change, for
every first trip from ``a`` the earliest arrival at ``b`` over all change
stops ``x`` served by another pattern, departing ``x`` at least the minimum
transfer time and at most the maximum transfer wait after arriving there (a
longer wait is no connection). Results are cached per stop pair.

Choice
------
A booking's candidates are the journeys between the stops within walking
reach of its doors (per line, the two nearest stops on each side).
Departure bookings take the earliest arrival at the door among journeys
leaving the door no earlier than the requested time and at most
``max_wait_min`` later; arrival bookings the latest departure from the door
among journeys arriving no later than the requested time and at most
``max_early_min`` earlier. A change counts as ``transfer_penalty_min``
extra minutes; ties go to the shorter walk, then the first candidate.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from transit.errors import InputError
from transit.sim.columns import TripLabel
from transit.road.points import ArcPoints, drive_matrix, drive_pairs, snap_to_arcs, straight_line_m
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS
from transit.road.walking import walk_matrix

if TYPE_CHECKING:
    from transit.demand.bookings import Booking
    from transit.timetable.lines import Timetable
    from transit.opmodels.linerules import LineRules
    from transit.road.travel import RoadNetwork

log = logging.getLogger(__name__)

# Columns of a journey array.
DEP, ARR, T1, I1, J1, T2, I2, J2, X, NTR = range(10)
# Extra columns of a candidate array (journey + access/egress).
LEAVE, ARRIVE, WA_M, WE_M, WA_S, WE_S = range(10, 16)
_NCOL = 16
_FALLBACK_DETOUR = 1.3
_MAX_STOP_SNAP_M = 1000.0


def hhmm(t: float) -> str:
    """Format seconds as ``HH:MM`` (hours may exceed 23)."""
    m = int(round(t / 60.0))
    return f"{m // 60:02d}:{m % 60:02d}"


# --------------------------------------------------------------------------- patterns
@dataclass
class Pattern:
    """Trips with one stop sequence: stops (k,), trips (n,), arrival/departure (n, k)."""

    stops: np.ndarray
    trips: np.ndarray
    arr: np.ndarray
    dep: np.ndarray


class Connections:
    """Direct and one-change journeys between stops of a timetable (cached per stop pair)."""

    def __init__(self, tt: Timetable, *, max_transfers: int, min_transfer_s: float,
                 max_transfer_wait_s: float = math.inf) -> None:
        groups: dict[tuple[int, ...], list[int]] = {}
        for k, trip in enumerate(tt.trips):
            groups.setdefault(trip.stops, []).append(k)
        self.patterns: list[Pattern] = []
        for stops, idx in groups.items():
            idx = sorted(idx, key=lambda k: (tt.trips[k].start, k))
            self.patterns.append(
                Pattern(
                    stops=np.asarray(stops, dtype=np.int64),
                    trips=np.asarray(idx, dtype=np.int64),
                    arr=np.array([tt.trips[k].arrival for k in idx], dtype=np.float64),
                    dep=np.array([tt.trips[k].departure for k in idx], dtype=np.float64),
                )
            )
        self.at_stop: list[list[tuple[int, int]]] = [[] for _ in tt.stops]
        for p, pat in enumerate(self.patterns):
            for i, s in enumerate(pat.stops):
                self.at_stop[int(s)].append((p, i))
        self.max_transfers = max_transfers
        self.min_transfer_s = float(min_transfer_s)
        self.max_transfer_wait_s = float(max_transfer_wait_s)
        self._cache: dict[tuple[int, int], np.ndarray] = {}

    def journeys(self, a: int, b: int) -> np.ndarray:
        """Return the journeys from stop ``a`` to stop ``b`` (rows of DEP..NTR)."""
        key = (a, b)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._compute(a, b)
            self._cache[key] = hit
        return hit

    def _compute(self, a: int, b: int) -> np.ndarray:
        blocks: list[np.ndarray] = []
        if a == b:
            return np.zeros((0, 10))
        at_b: dict[int, list[int]] = {}
        for p, j in self.at_stop[b]:
            at_b.setdefault(p, []).append(j)
        for p, i in self.at_stop[a]:
            pat = self.patterns[p]
            for j in at_b.get(p, []):
                if j > i:
                    n = len(pat.trips)
                    blk = np.full((n, 10), -1.0)
                    blk[:, DEP], blk[:, ARR] = pat.dep[:, i], pat.arr[:, j]
                    blk[:, T1], blk[:, I1], blk[:, J1] = pat.trips, i, j
                    blk[:, NTR] = 0
                    blocks.append(blk)
        if self.max_transfers >= 1:
            blocks += self._transfers(a, b, at_b)
        if not blocks:
            return np.zeros((0, 10))
        out = np.concatenate(blocks)
        # One row per (first trip, second trip): keep the first found (earliest change stop).
        key = out[:, T1] * 1e7 + out[:, T2]
        _, first = np.unique(key, return_index=True)
        return out[np.sort(first)]

    def _transfers(self, a: int, b: int, at_b: Mapping[int, list[int]]) -> list[np.ndarray]:
        blocks: list[np.ndarray] = []
        for p1, i in self.at_stop[a]:
            pat1 = self.patterns[p1]
            for m in range(i + 1, len(pat1.stops)):
                x = int(pat1.stops[m])
                if x in (a, b):
                    continue
                arr1x = pat1.arr[:, m] + self.min_transfer_s
                last1x = pat1.arr[:, m] + self.max_transfer_wait_s
                for p2, m2 in self.at_stop[x]:
                    if p2 == p1:
                        continue
                    pat2 = self.patterns[p2]
                    for j in at_b.get(p2, []):
                        if j <= m2:
                            continue
                        dep2x = pat2.dep[:, m2]
                        arr2b = pat2.arr[:, j]
                        ok = (dep2x[None, :] >= arr1x[:, None]) & (dep2x[None, :] <= last1x[:, None])
                        masked = np.where(ok, arr2b[None, :], np.inf)
                        best = np.argmin(masked, axis=1)
                        has = np.isfinite(masked[np.arange(len(best)), best])
                        if not has.any():
                            continue
                        rows = np.flatnonzero(has)
                        n = len(rows)
                        blk = np.full((n, 10), -1.0)
                        blk[:, DEP] = pat1.dep[rows, i]
                        blk[:, ARR] = arr2b[best[rows]]
                        blk[:, T1], blk[:, I1], blk[:, J1] = pat1.trips[rows], i, m
                        blk[:, T2], blk[:, I2], blk[:, J2] = pat2.trips[best[rows]], m2, j
                        blk[:, X], blk[:, NTR] = x, 1
                        blocks.append(blk)
        return blocks


# --------------------------------------------------------------------------- preparation
@dataclass
class Prepared:
    """Bookings matched to the road graph and to the stops within reach."""

    bookings: Sequence[Booking]
    pick: ArcPoints
    drop: ArcPoints
    stops: ArcPoints
    access_m: np.ndarray  # (N, S), inf beyond the maximum walk
    egress_m: np.ndarray  # (N, S)
    direct_s: np.ndarray
    direct_m: np.ndarray
    stop_lines: list[frozenset[str]]
    limit_m: np.ndarray  # (N,) each booking's walk limit (its group's)


def check_date(tt: Timetable, day: object) -> None:
    """Log a warning if the timetable is for another day than the bookings."""
    if day is not None and tt.date is not None and day != tt.date:
        log.warning("timetable %s is for %s but the bookings are for %s", tt.source, tt.date, day)


def snap_stops(network: RoadNetwork, tt: Timetable) -> ArcPoints:
    """Match the stops to roads; a stop far from every road means the lines are elsewhere."""
    pts = snap_to_arcs(network, tt.stop_lat, tt.stop_lon)
    far = np.flatnonzero(pts.perp_m > _MAX_STOP_SNAP_M)
    if len(far):
        s = tt.stops[int(far[0])]
        more = f" (and {len(far) - 1} more stops)" if len(far) > 1 else ""
        msg = (
            f"stop {s.name or s.stop_id!r} at ({s.lat:.5f}, {s.lon:.5f}) is {pts.perp_m[far[0]] / 1000:.1f} km "
            f"from the road graph{more}: the lines do not lie in this region"
        )
        raise InputError(msg, file=tt.source or None)
    return pts


def prepare(
    bookings: Sequence[Booking],
    tt: Timetable,
    network: RoadNetwork,
    rules: LineRules,
    stops: ArcPoints,
    *,
    walk_network: RoadNetwork | None = None,
    groups: Sequence[str] | None = None,
) -> Prepared:
    """Snap doors, compute walks to every stop and the direct car trips.

    Walks are measured on ``walk_network`` (default: the roads) and limited
    per booking by its population group's walk limit (``groups``, see
    :meth:`transit.road.walking.WalkParams.limits`).
    """
    lat_p = np.array([b.pickup_lat for b in bookings], dtype=np.float64)
    lon_p = np.array([b.pickup_lon for b in bookings], dtype=np.float64)
    lat_d = np.array([b.dropoff_lat for b in bookings], dtype=np.float64)
    lon_d = np.array([b.dropoff_lon for b in bookings], dtype=np.float64)
    pick = snap_to_arcs(network, lat_p, lon_p)
    drop = snap_to_arcs(network, lat_d, lon_d)
    s_lat, s_lon = tt.stop_lat, tt.stop_lon
    limits = rules.walk.limits(groups, len(bookings))
    if walk_network is None or walk_network is network:
        wnet, wp, wd, ws = network, pick, drop, stops
    else:
        wnet, wp, wd = walk_network, snap_to_arcs(walk_network, lat_p, lon_p), snap_to_arcs(walk_network, lat_d, lon_d)
        ws = snap_to_arcs(walk_network, s_lat, s_lon)
    access = walk_matrix(lat_p, lon_p, s_lat, s_lon, rules.walk, network=wnet, from_snap=wp, to_snap=ws, limits=limits)
    egress = walk_matrix(lat_d, lon_d, s_lat, s_lon, rules.walk, network=wnet, from_snap=wd, to_snap=ws, limits=limits)
    direct_s, direct_m = drive_pairs(network, pick, drop)
    lines_at: list[set[str]] = [set() for _ in tt.stops]
    for t in tt.trips:
        for s in t.stops:
            lines_at[s].add(t.line_id)
    return Prepared(
        bookings, pick, drop, stops, access, egress, direct_s, direct_m, [frozenset(x) for x in lines_at], limits
    )


class Day(NamedTuple):
    """What a timetabled model knows before it serves the first booking of a day."""

    stops: ArcPoints
    prep: Prepared
    conn: Connections
    loads: Loads


def start_day(
    bookings: Sequence[Booking],
    tt: Timetable,
    network: RoadNetwork,
    rules: LineRules,
    date: object,
    *,
    walk_network: RoadNetwork | None = None,
    groups: Sequence[str] | None = None,
) -> Day:
    """Check the date, match the stops to roads, prepare the bookings, and start empty seat loads.

    ``walk_network`` and ``groups``: see :func:`prepare`.
    """
    check_date(tt, date)
    stops = snap_stops(network, tt)
    conn = Connections(tt, max_transfers=rules.max_transfers, min_transfer_s=60.0 * rules.min_transfer_min,
                       max_transfer_wait_s=60.0 * rules.max_transfer_wait_min)
    prep = prepare(bookings, tt, network, rules, stops, walk_network=walk_network, groups=groups)
    return Day(stops, prep, conn, Loads(tt))


def near_stops(dist: np.ndarray, stop_lines: Sequence[frozenset[str]], *, per_line: int = 2) -> np.ndarray:
    """Return the stops within reach (finite ``dist``), the ``per_line`` nearest of each line."""
    idx = np.flatnonzero(np.isfinite(dist))
    if len(idx) == 0:
        return idx
    idx = idx[np.lexsort((idx, dist[idx]))]
    count: dict[str, int] = {}
    keep = []
    for s in idx:
        lines = stop_lines[int(s)]
        if any(count.get(ln, 0) < per_line for ln in lines):
            keep.append(int(s))
            for ln in lines:
                count[ln] = count.get(ln, 0) + 1
    return np.asarray(keep, dtype=np.int64)


def candidates(
    conn: Connections,
    origins: np.ndarray,
    dests: np.ndarray,
    access_m: np.ndarray,
    egress_m: np.ndarray,
    access_s: np.ndarray,
    egress_s: np.ndarray,
) -> np.ndarray:
    """Return every journey from an origin stop to a destination stop with door times."""
    blocks = []
    for a in origins:
        for b in dests:
            j = conn.journeys(int(a), int(b))
            if len(j) == 0:
                continue
            blk = np.empty((len(j), _NCOL))
            blk[:, :10] = j
            blk[:, LEAVE] = j[:, DEP] - access_s[a]
            blk[:, ARRIVE] = j[:, ARR] + egress_s[b]
            blk[:, WA_M], blk[:, WE_M] = access_m[a], egress_m[b]
            blk[:, WA_S], blk[:, WE_S] = access_s[a], egress_s[b]
            blocks.append(blk)
    if not blocks:
        return np.zeros((0, _NCOL))
    return np.concatenate(blocks)


def rank(cands: np.ndarray, booking: Booking, rules: LineRules, *, what: str = "bus") -> tuple[np.ndarray, str]:
    """Return the acceptable candidates best first, or an empty array and the reason."""
    t = float(booking.time)
    pen = 60.0 * rules.transfer_penalty_min
    walk = cands[:, WA_M] + cands[:, WE_M]
    order_tie = np.arange(len(cands))
    if booking.time_type == "arrival":
        arrive = cands[:, ARRIVE]
        ok1 = arrive <= t + 1e-6
        if not ok1.any():
            return np.zeros(0, dtype=np.int64), (
                f"no {what} arrives in time: the first gets there at {hhmm(arrive.min())} "
                f"(requested arrival {hhmm(t)})"
            )
        ok2 = ok1 & (t - arrive <= 60.0 * rules.max_early_min + 1e-6)
        if not ok2.any():
            early = t - arrive[ok1].max()
            return np.zeros(0, dtype=np.int64), (
                f"the last {what} arriving in time gets there {math.ceil(early / 60 - 1e-9)} min before the "
                f"requested time (limit {rules.max_early_min:g} min)"
            )
        score = -(cands[:, LEAVE] - pen * cands[:, NTR])
        order = np.lexsort((order_tie, walk, -arrive, score))
    else:
        leave = cands[:, LEAVE]
        ok1 = leave >= t - 1e-6
        if not ok1.any():
            k = int(np.argmax(cands[:, DEP]))
            if cands[k, DEP] >= t:
                return np.zeros(0, dtype=np.int64), (
                    f"the last {what} leaves at {hhmm(cands[k, DEP])}: too soon to walk "
                    f"{round(cands[k, WA_S] / 60)} min to its stop from the requested {hhmm(t)}"
                )
            return np.zeros(0, dtype=np.int64), (
                f"last {what} left at {hhmm(cands[k, DEP])} (requested {hhmm(t)})"
            )
        ok2 = ok1 & (leave - t <= 60.0 * rules.max_wait_min + 1e-6)
        if not ok2.any():
            wait = leave[ok1].min() - t
            return np.zeros(0, dtype=np.int64), (
                f"next {what} {math.ceil(wait / 60 - 1e-9)} min after the requested time "
                f"(limit {rules.max_wait_min:g} min)"
            )
        score = cands[:, ARRIVE] + pen * cands[:, NTR]
        order = np.lexsort((order_tie, walk, -leave, score))
    return order[ok2[order]], ""


def no_stop_reason(prep: Prepared, n: int, rules: LineRules) -> str:
    """Return why a booking has no stop within reach of the pickup ('' if it has one).

    The limit named is the booking's own (its group's walk limit).
    """
    del rules  # the limit is the booking's (prep.limit_m)
    if not np.isfinite(prep.access_m[n]).any():
        return f"no stop within {prep.limit_m[n]:.0f} m of the pickup"
    return ""


def no_egress_reason(prep: Prepared, n: int) -> str:
    """Return why a booking has no stop within reach of the drop-off ('' if it has one)."""
    if not np.isfinite(prep.egress_m[n]).any():
        return f"no stop within {prep.limit_m[n]:.0f} m of the drop-off"
    return ""


def no_link_reason(rules: LineRules, what: str = "bus line") -> str:
    """Return the reason when no journey links the stops near both doors."""
    change = "with at most one change" if rules.max_transfers else "without changing"
    return f"no {what} links a stop near the pickup with a stop near the drop-off ({change})"


# --------------------------------------------------------------------------- trip log
def trip_row(
    model: str, seed: int, b: Booking, labels: Mapping[str, TripLabel], direct_s: float, direct_m: float
) -> dict[str, Any]:
    """Return a trip-log row with the booking's fields filled and the outcome empty."""
    lab = labels.get(b.request_id, TripLabel())
    nan = float("nan")
    return {
        "model": model, "seed": seed, "request_id": b.request_id, "passengers": b.passengers,
        "wheelchair": b.wheelchair, "pickup_lat": b.pickup_lat, "pickup_lon": b.pickup_lon,
        "dropoff_lat": b.dropoff_lat, "dropoff_lon": b.dropoff_lon, "time_type": b.time_type,
        "requested_time": float(b.time), "booked_at": nan if b.booked_at is None else float(b.booked_at),
        "home_zone": lab.home_zone, "purpose": lab.purpose, "group": lab.group, "status": "rejected", "reason": "",
        "vehicle_id": "", "transfers": nan, "promised_earliest": nan, "promised_latest": nan,
        "board_time": nan, "alight_time": nan, "walk_access_m": nan, "walk_egress_m": nan, "walk_s": nan,
        "wait_s": nan, "in_vehicle_s": nan, "door_to_door_s": nan,
        "direct_s": float(direct_s), "direct_m": float(direct_m),
    }


def fill_served(
    row: dict[str, Any],
    b: Booking,
    vehicle_id: str,
    transfers: int,
    board: float,
    alight: float,
    walk_a_m: float,
    walk_e_m: float,
    walk_a_s: float,
    walk_e_s: float,
) -> None:
    """Fill a trip-log row for a served booking (times of boarding and of reaching the last stop/door)."""
    leave = board - walk_a_s
    arrive = alight + walk_e_s
    row.update(
        status="served", reason="", vehicle_id=vehicle_id, transfers=transfers,
        board_time=board, alight_time=alight, walk_access_m=walk_a_m, walk_egress_m=walk_e_m,
        walk_s=walk_a_s + walk_e_s, in_vehicle_s=alight - board,
    )
    if b.time_type == "arrival":
        row["wait_s"] = float(b.time) - arrive
        row["door_to_door_s"] = arrive - leave
    else:
        row["wait_s"] = leave - float(b.time)
        row["door_to_door_s"] = arrive - float(b.time)


def trips_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Return the trip log in column order."""
    return pd.DataFrame(rows, columns=list(TRIP_COLUMNS))


# --------------------------------------------------------------------------- vehicle log
class Loads:
    """Seats, wheelchair places and bookings on board per trip and stop position."""

    def __init__(self, tt: Timetable) -> None:
        self.pax = [np.zeros(len(t.stops) + 1) for t in tt.trips]
        self.wc = [np.zeros(len(t.stops) + 1) for t in tt.trips]
        self.nb = [np.zeros(len(t.stops) + 1) for t in tt.trips]
        self.board_pos: list[set[int]] = [set() for _ in tt.trips]
        self.alight_pos: list[set[int]] = [set() for _ in tt.trips]

    def add(self, trip: int, i: int, j: int, pax: int, wc: int) -> None:
        """Add a booking riding ``trip`` from position ``i`` to ``j``."""
        for arr, v in ((self.pax, pax), (self.wc, wc), (self.nb, 1)):
            arr[trip][i] += v
            arr[trip][j] -= v
        self.board_pos[trip].add(i)
        self.alight_pos[trip].add(j)

    def max_load(self, trip: int, i: int, j: int) -> float:
        """Return the most seats taken on ``trip`` between positions ``i`` and ``j``."""
        return float(np.cumsum(self.pax[trip])[i:j].max()) if j > i else 0.0

    def leaving(self, trip: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return load, wheelchair load and bookings on board when leaving each stop."""
        return (np.cumsum(self.pax[trip])[:-1], np.cumsum(self.wc[trip])[:-1], np.cumsum(self.nb[trip])[:-1])


def road_km(network: RoadNetwork, p: ArcPoints, q: ArcPoints) -> tuple[np.ndarray, np.ndarray]:
    """Return driving km and seconds between point sets; unreachable pairs fall back to the straight line."""
    t, d = drive_matrix(network, p, q)
    bad = ~np.isfinite(d)
    if bad.any():
        log.warning("%d point pairs are not connected by road; using 1.3 x straight line", int(bad.sum()))
        s = straight_line_m(p.lat[:, None], p.lon[:, None], q.lat[None, :], q.lon[None, :]) * _FALLBACK_DETOUR
        d = np.where(bad, s, d)
        t = np.where(bad, s / (50 / 3.6), t)
    return d / 1000.0, t


def blocks(
    tt: Timetable, trips: Sequence[int], min_layover_s: float, max_layover_s: float = math.inf
) -> list[list[int]]:
    """Chain trips into vehicle duties: the next trip from the stop where one ends, after a layover.

    A wait longer than ``max_layover_s`` ends the duty: the next trip starts
    a new one (a split duty, the break between its parts unpaid).
    """
    order = sorted(trips, key=lambda k: (tt.trips[k].start, k))
    duties: list[list[int]] = []
    open_at: dict[int, list[int]] = {}  # end stop -> duties ending there
    for k in order:
        trip = tt.trips[k]
        best = None
        for d in open_at.get(trip.stops[0], []):
            last = tt.trips[duties[d][-1]]
            fits = last.end + min_layover_s <= trip.start <= last.end + max_layover_s
            if fits and (best is None or last.end > tt.trips[duties[best][-1]].end):
                best = d
        if best is None:
            duties.append([k])
            best = len(duties) - 1
        else:
            duties[best].append(k)
            open_at[trip.stops[0]].remove(best)
        open_at.setdefault(trip.stops[-1], []).append(best)
    return duties


def vehicles_per_trip(loads: Loads, trips: Sequence[int], capacity: int | None) -> dict[int, int]:
    """Return how many vehicles each trip needs: its largest load over ``capacity``, rounded up (at least 1).

    Without a capacity every trip needs one vehicle (a bus that holds everyone).
    """
    if capacity is None:
        return {int(k): 1 for k in trips}
    out = {}
    for k in trips:
        load = loads.leaving(int(k))[0]
        peak = float(load.max()) if len(load) else 0.0
        out[int(k)] = max(1, int(math.ceil(peak / capacity - 1e-9)))
    return out


def vehicle_name(trip_id: str, level: int) -> str:
    """Return the vehicle id of the ``level``-th vehicle running a trip (1: the trip id; 2: ``trip_id#2``, ...)."""
    return trip_id if level == 1 else f"{trip_id}#{level}"


def _levels(tt: Timetable, trips: Sequence[int], need: Mapping[int, int] | None) -> list[list[int]]:
    """Return the trips run by a first, second, ... vehicle (a trip needing n vehicles is in the first n lists)."""
    need = need or {}
    top = max([need.get(int(k), 1) for k in trips], default=1)
    return [[k for k in trips if need.get(int(k), 1) >= lvl] for lvl in range(1, top + 1)]


def duty_hours(
    vlog: pd.DataFrame, tt: Timetable, trips: Sequence[int], min_layover_s: float,
    need: Mapping[int, int] | None = None, max_layover_s: float = math.inf,
) -> float:
    """Return the hours of the vehicle duties of ``trips``: from pull-out to pull-in, layovers included.

    The duties are those of :func:`blocks` (per level of vehicles when a trip
    needs more than one, ``need`` from :func:`vehicles_per_trip`); each lasts
    from the first to the last time any of its vehicles appears in the
    vehicle log ``vlog`` (so depot runs count when the log has them).
    """
    if not len(vlog) or not trips:
        return 0.0
    arr = pd.to_numeric(vlog["arrival"], errors="coerce")
    dep = pd.to_numeric(vlog["departure"], errors="coerce")
    ids = vlog["vehicle_id"].astype(str)
    first = arr.fillna(dep).groupby(ids).min()
    last = dep.fillna(arr).groupby(ids).max()
    total = 0.0
    for lvl, level_trips in enumerate(_levels(tt, trips, need), start=1):
        for duty in blocks(tt, level_trips, min_layover_s, max_layover_s):
            names = [vehicle_name(tt.trips[k].trip_id, lvl) for k in duty]
            names = [n for n in names if n in first.index]
            if names:
                total += float(last[names].max() - first[names].min())
    return total / 3600.0


def _share(values: np.ndarray, n: int, i: int) -> np.ndarray:
    """Return vehicle ``i``'s part when ``values`` are split as evenly as possible over ``n`` vehicles."""
    v = np.asarray(values, dtype=np.int64)
    return v // n + (v % n > i).astype(np.int64)


def timetable_rows(
    model: str,
    seed: int,
    tt: Timetable,
    trips: Sequence[int],
    loads: Loads,
    stop_km: np.ndarray,
    *,
    network: RoadNetwork,
    stops: ArcPoints,
    rules: LineRules,
    partial: bool = False,
    need: Mapping[int, int] | None = None,
) -> tuple[pd.DataFrame, int]:
    """Return the vehicle log of timetabled trips and the number of duties.

    One vehicle per trip, or ``need[k]`` vehicles for trip ``k``
    (:func:`vehicles_per_trip`: a trip whose passengers do not fit into one
    vehicle is run by as many as they need, each carrying an even part of
    the load; the extra vehicles are ``trip_id#2``, ...). ``partial``: only
    from the first boarding to the last alighting stop. With a depot in
    ``rules``, each duty (trips chained with at least
    ``rules.min_layover_min`` between them, per level of vehicles) starts and
    ends there.
    """
    depot = rules.depot
    depot_km = depot_legs(network, depot, stops)  # (km depot->stop, s depot->stop, km stop->depot, s stop->depot)
    cols: dict[str, list[Any]] = {c: [] for c in STOP_COLUMNS}

    def add(**kw: Any) -> None:
        for c in STOP_COLUMNS:
            cols[c].append(kw[c])

    n_duties = 0
    for lvl, level_trips in enumerate(_levels(tt, trips, need), start=1):
        duties = blocks(tt, level_trips, 60.0 * rules.min_layover_min, 60.0 * rules.max_layover_min)
        n_duties += len(duties)
        first_of = {d[0] for d in duties}
        last_of = {d[-1] for d in duties}
        for k in sorted(level_trips, key=lambda k: (tt.trips[k].start, k)):
            trip = tt.trips[k]
            n = (need or {}).get(int(k), 1)
            load, wc, nb = (_share(x, n, lvl - 1) for x in loads.leaving(k))
            p0, p1 = 0, len(trip.stops) - 1
            if partial and loads.board_pos[k]:
                p0, p1 = min(loads.board_pos[k]), max(loads.alight_pos[k])
            seq = 0
            base = {"model": model, "seed": seed, "vehicle_id": vehicle_name(trip.trip_id, lvl), "request_id": ""}
            use_depot = depot is not None and depot_km is not None
            # A partial run is where the timetable has its vehicle: it comes from the trip's first stop
            # and goes on to its last (approach_row), unless the duty starts or ends there at the depot.
            approach = p0 > 0 and not (use_depot and k in first_of)
            leave = p1 < len(trip.stops) - 1 and not (use_depot and k in last_of)
            if use_depot and k in first_of:
                s0 = trip.stops[p0]
                t_dep = trip.departure[p0] - depot_km[1][s0]
                add(**base, seq=seq, kind="start", lat=depot[0], lon=depot[1], arrival=t_dep, departure=t_dep,
                    load=0, wheelchair_load=0, onboard_bookings=0, km_from_prev=0.0, empty_km_from_prev=0.0,
                    in_service=False)
                seq += 1
            elif approach:
                seq = approach_row(add, base, tt, trip, seq)
            for p in range(p0, p1 + 1):
                s = trip.stops[p]
                if p == p0 and approach:
                    km = float(stop_km[trip.stops[0], s])
                    empty, in_service = km, False
                elif p == p0:
                    km = float(depot_km[0][s]) if use_depot and k in first_of else 0.0
                    empty, in_service = km, not (use_depot and k in first_of)
                else:
                    km = float(stop_km[trip.stops[p - 1], s])
                    empty = km if load[p - 1] == 0 else 0.0
                    in_service = True
                st = tt.stops[s]
                add(**base, seq=seq, kind="stop", lat=st.lat, lon=st.lon, arrival=trip.arrival[p],
                    departure=trip.departure[p], load=int(load[p]) if p < p1 else 0,
                    wheelchair_load=int(wc[p]) if p < p1 else 0, onboard_bookings=int(nb[p]) if p < p1 else 0,
                    km_from_prev=km, empty_km_from_prev=empty, in_service=in_service)
                seq += 1
            if leave:
                approach_row(add, base, tt, trip, seq, stop_km=stop_km, from_stop=trip.stops[p1])
            elif use_depot and k in last_of:
                s1 = trip.stops[p1]
                km = float(depot_km[2][s1])
                t_arr = trip.arrival[p1] + depot_km[3][s1]
                add(**base, seq=seq, kind="end", lat=depot[0], lon=depot[1], arrival=t_arr, departure=t_arr,
                    load=0, wheelchair_load=0, onboard_bookings=0, km_from_prev=km, empty_km_from_prev=km,
                    in_service=False)
    return pd.DataFrame(cols, columns=list(STOP_COLUMNS)), n_duties


def approach_row(
    add: Callable[..., None],
    base: Mapping[str, Any],
    tt: Timetable,
    trip: Any,
    seq: int,
    *,
    stop_km: np.ndarray | None = None,
    from_stop: int | None = None,
) -> int:
    """Log where a vehicle is at the start (or end) of a trip it runs only in part; return the next ``seq``.

    Outside the depot legs a line's vehicle is where the timetable has it:
    at the trip's first stop at its departure and at its last stop at its
    arrival, ready for its next trip. A partial run (a Rufbus trip from its
    first booked stop to its last, an AST trip) still has to get from the
    first stop to the first stop it serves, and on from the last it serves
    to the trip's end; both are empty running and count in the
    vehicle-hours and vehicle-km (without them a booked trip would cost only
    its passengers' part of the route). Without ``from_stop`` this logs the
    start (the next row's leg is the approach); with it, the end at the
    trip's last stop, reached empty by road from ``from_stop``.
    """
    if from_stop is None:
        st, t, km, kind = tt.stops[trip.stops[0]], trip.departure[0], 0.0, "start"
    else:
        assert stop_km is not None
        last = trip.stops[-1]
        st, t, km, kind = tt.stops[last], trip.arrival[-1], float(stop_km[from_stop, last]), "end"
    add(**base, seq=seq, kind=kind, lat=st.lat, lon=st.lon, arrival=t, departure=t, load=0,
        wheelchair_load=0, onboard_bookings=0, km_from_prev=km, empty_km_from_prev=km, in_service=False)
    return seq + 1


def depot_legs(
    network: RoadNetwork, depot: tuple[float, float] | None, stops: ArcPoints
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Return km and seconds from the depot to every stop and back (None without a depot)."""
    if depot is None:
        return None
    dp = snap_to_arcs(network, np.array([depot[0]]), np.array([depot[1]]))
    km_out, s_out = road_km(network, dp, stops)
    km_back, s_back = road_km(network, stops, dp)
    return km_out[0], s_out[0], km_back[:, 0], s_back[:, 0]
