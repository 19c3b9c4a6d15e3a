"""Operating model 2: timetabled Rufbus and its AST variant (Anruf-Sammeltaxi).

The lines and timetable are those of a fixed line, but a trip runs only if it
is booked in time: at least the lead time before its departure from the
passenger's stop (:class:`~transit.opmodels.linerules.RufbusRules`; the
scenario's ``lead_time_min``, else the feed's GTFS-Flex booking rule, else
the default of 120 min).

Bookings are decided one by one in the order they were made (``booked_at``;
a booking without ``booked_at`` counts as made in time, before all others;
ties in file order). Each booking takes the best journey, as on a fixed line
(:mod:`transit.opmodels.journeys`), among those whose every trip either
already runs for an earlier booking or can still be triggered by this one.
**A booking made too late to trigger a trip may still ride it if it already
runs** (for an earlier booking); a trip triggered only by later bookings
does not help it, because the operator answers at booking time. A trip is
run by a minibus or taxi of ``capacity`` seats (``transit/data/line_service.toml``),
or by up to ``vehicles_per_trip`` of them when one is full (each a vehicle
of its own in the log, ``trip_id#2``, and paid per trip run); a trip whose
vehicles are full between the passenger's stops cannot be taken. An AST
trip is one taxi's door tour.
A booking that finds nothing is rejected with the reason of its best journey
("booked 40 min before the 09:05 bus; it runs only if booked 120 min
ahead", "the 09:05 bus is full (8 seats)", or a timetable reason as on a
fixed line).

Only trips that run count: Rufbus trips drive their whole timetabled route
(or, with ``partial_run``, only from the first to the last booked stop; the
vehicle comes there from the depot, or without a depot empty from the trip's
first stop, where the timetable has it: :func:`journeys.approach_row`).

AST: the same, but the last leg ends at the passenger's door. The door
must lie within ``door_radius_m`` (straight line) of a stop of the trip after
the boarding stop (and, when the lines come from a GTFS-Flex feed with door
zones, inside one of them: ``Timetable.door_zones``); that stop fixes the order of deliveries, and the journey
is chosen with the direct drive from that stop to the door (plus
``door_dwell_s``). The vehicle then drives only what is needed: the stops
where someone boards (or changes), on the timetable, and after each stop's
position the doors of the passengers assigned to it, in nearest-neighbour
order on the road graph; a stop visited late departs late, and the trip
log records the real boarding and arrival times (a door tour can make an
arrival booking a few minutes late: its ``wait_s`` is then negative). The
door legs appear as ``dropoff`` rows and their kilometres are vehicle-km.

``info``: ``timetabled_trips``, ``trips_run``, ``share_run``,
``rejected_lead_time``, ``rejected_full``, ``late_riders`` (bookings too late
to trigger their trip that rode because it ran anyway), ``lead_time_min``
(NaN when it varies by trip), ``capacity`` (seats per vehicle), for a
Rufbus ``vehicle_duties``, ``duty_hours`` (the trips run chained into
duties, as a fixed line's) and ``extra_vehicles`` (second vehicles), and
for AST ``door_km``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from transit.opmodels import journeys as lw
from transit.opmodels.base import DayContext, ModelRun
from transit.opmodels.fixed_line import candidate_rows, record_journey, timetable_info
from transit.opmodels.linerules import LineRules, RufbusRules
from transit.util.progress import Progress, report
from transit.road.points import drive_matrix, snap_to_arcs, straight_line_m
from transit.sim.columns import STOP_COLUMNS

if TYPE_CHECKING:
    from transit.demand.bookings import Booking
    from transit.timetable.lines import Timetable

__all__ = ["RufbusModel"]

log = logging.getLogger(__name__)


class RufbusModel:
    """Timetabled Rufbus (``kind="rufbus"``) or AST (``kind="ast"``, when ``rufbus.ast``).

    Parameters
    ----------
    name
        The model's name in the scenario.
    lines
        The timetable (:func:`transit.timetable.lines.load_timetable`).
    rules
        Walking, waiting and transfer rules as for a fixed line.
    rufbus
        Lead time, capacity, AST door delivery (default: ``RufbusRules()``;
        for AST use ``RufbusRules.ast_defaults()``).
    """

    def __init__(
        self, name: str, lines: Timetable, rules: LineRules | None = None, rufbus: RufbusRules | None = None
    ) -> None:
        self.name = name
        self.lines = lines
        self.rules = rules if rules is not None else LineRules()
        self.rufbus = rufbus if rufbus is not None else RufbusRules()
        self.kind = "ast" if self.rufbus.ast else "rufbus"

    # ------------------------------------------------------------------ lead time
    def lead_s(self, trip: int, departure: float) -> float:
        """Return the notice (s) a booking needs for ``trip`` departing at ``departure``."""
        if self.rufbus.lead_time_min is not None:
            return 60.0 * self.rufbus.lead_time_min
        rule = self.lines.trips[trip].booking_rule
        if rule is not None:
            return departure - rule.deadline(departure)
        return 60.0 * self.rufbus.default_lead_time_min

    # ------------------------------------------------------------------------ run
    def run(
        self,
        bookings: Sequence[Booking],
        ctx: DayContext,
        *,
        seed: int,
        rng: np.random.Generator,
        progress: Progress | None = None,
    ) -> ModelRun:
        """Serve the day in booking order; only booked trips run."""
        del rng  # deterministic
        tt, rules, net, rb = self.lines, self.rules, ctx.network, self.rufbus
        what = "taxi" if rb.ast else "bus"
        stops, prep, conn, loads = lw.start_day(
            bookings, tt, net, rules, ctx.date, walk_network=ctx.walk_network, groups=ctx.groups(bookings)
        )
        running = np.zeros(len(tt.trips), dtype=bool)
        door_s = self._door_times(prep, net) if rb.ast else None
        rows: list[dict[str, Any]] = [
            lw.trip_row(self.name, seed, b, ctx.labels, prep.direct_s[n], prep.direct_m[n])
            for n, b in enumerate(bookings)
        ]
        order = sorted(range(len(bookings)), key=lambda n: (_booked(bookings[n]), n))
        chosen: dict[int, np.ndarray] = {}
        counts = {"lead": 0, "full": 0, "late_riders": 0}
        for done, n in enumerate(order):
            b = bookings[n]
            cands, reason = self._candidates(prep, conn, n, b, door_s)
            if len(cands) == 0:
                rows[n]["reason"] = reason
                continue
            ranked, reason = lw.rank(cands, b, rules, what=what)
            if len(ranked) == 0:
                rows[n]["reason"] = reason
                continue
            pick, reason, kind, late = self._first_feasible(cands, ranked, b, loads, running, what)
            if pick is None:
                rows[n]["reason"] = reason
                counts[kind] += 1
                continue
            counts["late_riders"] += int(late)
            c = cands[pick]
            record_journey(rows[n], b, c, tt, loads)
            running[int(c[lw.T1])] = True
            if c[lw.NTR] > 0:
                running[int(c[lw.T2])] = True
            chosen[n] = c
            if progress is not None and (done + 1) % 200 == 0:
                report(progress, done + 1, len(bookings), f"{self.kind}: bookings")
        report(progress, len(bookings), len(bookings), f"{self.kind}: bookings")
        run_trips = [int(k) for k in np.flatnonzero(running)]
        stop_km, stop_s = lw.road_km(net, stops, stops)
        info: dict[str, float] = {}
        if rb.ast:
            vlog, door_km = self._ast_log(seed, prep, chosen, rows, run_trips, stop_km, stop_s, net)
            info["door_km"] = door_km
        else:
            need = lw.vehicles_per_trip(loads, run_trips, rb.capacity)
            vlog, duties = lw.timetable_rows(
                self.name, seed, tt, run_trips, loads, stop_km, network=net, stops=stops, rules=rules,
                partial=rb.partial_run, need=need,
            )
            info["vehicle_duties"] = float(duties)
            info["duty_hours"] = lw.duty_hours(vlog, tt, run_trips, 60.0 * rules.min_layover_min, need,
                                                60.0 * rules.max_layover_min)
            info["extra_vehicles"] = float(sum(n - 1 for n in need.values()))
        info["capacity"] = float(rb.capacity) if rb.capacity is not None else math.inf
        base = timetable_info(tt, run_trips, stop_km, 0)
        n_tt = len(tt.trips)
        info.update(
            timetabled_trips=float(n_tt),
            trips_run=float(len(run_trips)),
            share_run=len(run_trips) / n_tt if n_tt else math.nan,
            rejected_lead_time=float(counts["lead"]),
            rejected_full=float(counts["full"]),
            late_riders=float(counts["late_riders"]),
            lead_time_min=self._uniform_lead(),
            timetable_vehicle_km=base["timetable_vehicle_km"],
            timetable_vehicle_hours=base["timetable_vehicle_hours"],
        )
        return ModelRun(model=self.name, kind=self.kind, trips=lw.trips_frame(rows), stops=vlog, info=info)

    def _uniform_lead(self) -> float:
        if self.rufbus.lead_time_min is not None:
            return float(self.rufbus.lead_time_min)
        leads = {self.lead_s(k, t.start) for k, t in enumerate(self.lines.trips)}
        return leads.pop() / 60.0 if len(leads) == 1 else math.nan

    # ------------------------------------------------------------------ choice
    def _door_times(self, prep: lw.Prepared, net: Any) -> np.ndarray:
        """AST: seconds from each stop to each drop-off door (inf beyond the door radius), (N, S)."""
        rb = self.rufbus
        _, t = lw.road_km(net, prep.stops, prep.drop)
        straight = straight_line_m(
            prep.drop.lat[:, None], prep.drop.lon[:, None], prep.stops.lat[None, :], prep.stops.lon[None, :]
        )
        out = t.T + rb.door_dwell_s
        out[straight > rb.door_radius_m] = np.inf
        out[~self.lines.in_door_zones(prep.drop.lat, prep.drop.lon), :] = np.inf  # a feed's door zones
        return out

    def _candidates(
        self, prep: lw.Prepared, conn: lw.Connections, n: int, b: Booking, door_s: np.ndarray | None
    ) -> tuple[np.ndarray, str]:
        rules = self.rules
        reason = lw.no_stop_reason(prep, n, rules)
        if reason:
            return np.zeros((0, 16)), reason
        if door_s is None:
            egress = lw.no_egress_reason(prep, n)
            if egress:
                return np.zeros((0, 16)), egress
            cands = candidate_rows(prep, conn, n, rules)
            link = lw.no_link_reason(rules)
        else:
            egr_s = door_s[n]
            if not np.isfinite(egr_s).any():
                return np.zeros((0, 16)), (
                    f"drop-off more than {self.rufbus.door_radius_m / 1000:.1f} km from every stop of the taxi lines"
                )
            acc = prep.access_m[n]
            origins = lw.near_stops(acc, prep.stop_lines)
            dests = lw.near_stops(egr_s, prep.stop_lines, per_line=3)
            cands = lw.candidates(
                conn, origins, dests, acc, np.zeros_like(egr_s), rules.walk.time_s(acc), egr_s
            )
            link = lw.no_link_reason(rules, "taxi line")
        return cands, (link if len(cands) == 0 else "")

    def _first_feasible(
        self,
        cands: np.ndarray,
        ranked: np.ndarray,
        b: Booking,
        loads: lw.Loads,
        running: np.ndarray,
        what: str,
    ) -> tuple[int | None, str, str, bool]:
        """Return the best candidate whose trips run or can be triggered and have room."""
        first_reason, first_kind = "", "lead"
        booked = _booked(b)
        cap = self.rufbus.trip_capacity
        tt = self.lines
        for k in ranked:
            c = cands[k]
            legs = [(int(c[lw.T1]), int(c[lw.I1]), int(c[lw.J1]))]
            if c[lw.NTR] > 0:
                legs.append((int(c[lw.T2]), int(c[lw.I2]), int(c[lw.J2])))
            problem, kind, late = "", "", False
            for trip, i, j in legs:
                dep = tt.trips[trip].departure[i]
                lead = self.lead_s(trip, dep)
                if booked > dep - lead + 1e-6:
                    if running[trip]:
                        late = True
                    else:
                        stop = tt.stops[tt.trips[trip].stops[i]]
                        ahead = max(0.0, dep - booked)
                        problem = (
                            f"booked {ahead / 60:.0f} min before the {lw.hhmm(dep)} {what} from "
                            f"{stop.name or stop.stop_id}; it runs only if booked {lead / 60:.0f} min ahead"
                        )
                        kind = "lead"
                        break
                if cap is not None and loads.max_load(trip, i, j) + b.passengers > cap:
                    problem = f"the {lw.hhmm(dep)} {what} is full ({self._seats_text()})"
                    kind = "full"
                    break
            if not problem:
                return int(k), "", "", late
            if not first_reason:
                first_reason, first_kind = problem, kind
        return None, first_reason, first_kind, False

    def _seats_text(self) -> str:
        rb = self.rufbus
        if rb.vehicles_per_trip == 1:
            return f"{rb.capacity} seats"
        return f"{rb.vehicles_per_trip} vehicles of {rb.capacity} seats"

    # ------------------------------------------------------------------ AST log
    def _ast_log(
        self,
        seed: int,
        prep: lw.Prepared,
        chosen: dict[int, np.ndarray],
        rows: list[dict[str, Any]],
        run_trips: list[int],
        stop_km: np.ndarray,
        stop_s: np.ndarray,
        net: Any,
    ) -> tuple[pd.DataFrame, float]:
        """Drive each AST trip: timetabled stops where someone boards, then doors in NN order."""
        tt, rb = self.lines, self.rufbus
        bookings = prep.bookings
        boards, stop_offs, doors = _ast_positions(chosen, run_trips)
        board_at: dict[tuple[int, int], float] = {}
        door_at: dict[int, float] = {}
        cols: dict[str, list[Any]] = {c: [] for c in STOP_COLUMNS}
        door_km = 0.0
        depot = self.rules.depot
        depot_km = lw.depot_legs(net, depot, prep.stops) if depot is not None else None
        for k in sorted(run_trips, key=lambda k: (tt.trips[k].start, k)):
            trip = tt.trips[k]
            door_pts, where, mats = _door_matrices(net, prep, doors[k])

            def leg(a: tuple[str, int], b: tuple[str, int]) -> tuple[float, float]:
                return _ast_leg(a, b, (stop_km, stop_s), *mats)

            positions = sorted(set(boards[k]) | set(stop_offs[k]) | set(doors[k]))
            cur: tuple[str, int] | None = None
            t = trip.departure[positions[0]]
            load = wc = nb = 0
            base = {"model": self.name, "seed": seed, "vehicle_id": trip.trip_id}

            def add(**kw: Any) -> None:
                for c in STOP_COLUMNS:
                    cols[c].append(kw[c])

            seq, first_km, first_in = _ast_start(add, base, trip, positions[0], tt, depot, depot_km, stop_km)
            for p in positions:
                if p in boards[k] or p in stop_offs[k]:
                    s = trip.stops[p]
                    here = ("s", s)
                    if cur is None:
                        km, arrival, in_service = first_km, trip.arrival[p], first_in
                    else:
                        km, secs = leg(cur, here)
                        arrival = t + secs
                        in_service = True
                    departure = max(arrival, trip.departure[p])
                    empty = km if load == 0 else 0.0
                    for n in stop_offs[k].get(p, []):
                        b = bookings[n]
                        load, wc, nb = load - b.passengers, wc - b.wheelchair, nb - 1
                    for n in boards[k].get(p, []):
                        b = bookings[n]
                        load, wc, nb = load + b.passengers, wc + b.wheelchair, nb + 1
                        board_at[(n, k)] = departure
                    st = tt.stops[s]
                    add(**base, seq=seq, kind="stop", request_id="", lat=st.lat, lon=st.lon, arrival=arrival,
                        departure=departure, load=load, wheelchair_load=wc, onboard_bookings=nb,
                        km_from_prev=km, empty_km_from_prev=empty, in_service=in_service)
                    seq += 1
                    cur, t = here, departure
                todo = list(doors[k].get(p, []))
                while todo:
                    assert cur is not None
                    costs = [leg(cur, ("d", where[n]))[1] for n in todo]
                    nxt = todo.pop(int(np.argmin(costs)))
                    km, secs = leg(cur, ("d", where[nxt]))
                    arrival = t + secs
                    b = bookings[nxt]
                    load, wc, nb = load - b.passengers, wc - b.wheelchair, nb - 1
                    door_at[nxt] = arrival
                    add(**base, seq=seq, kind="dropoff", request_id=b.request_id, lat=b.dropoff_lat,
                        lon=b.dropoff_lon, arrival=arrival, departure=arrival + rb.door_dwell_s, load=load,
                        wheelchair_load=wc, onboard_bookings=nb, km_from_prev=km, empty_km_from_prev=0.0,
                        in_service=True)
                    door_km += km
                    seq += 1
                    cur, t = ("d", where[nxt]), arrival + rb.door_dwell_s
            if depot is not None and depot_km is not None and cur is not None:
                km, secs = _back_to_depot(net, depot, depot_km, door_pts, cur)
                add(**base, seq=seq, kind="end", request_id="", lat=depot[0], lon=depot[1], arrival=t + secs,
                    departure=t + secs, load=0, wheelchair_load=0, onboard_bookings=0, km_from_prev=km,
                    empty_km_from_prev=km, in_service=False)
        _fill_ast_trips(chosen, bookings, rows, board_at, door_at)
        return pd.DataFrame(cols, columns=list(STOP_COLUMNS)), door_km


def _ast_start(
    add: Any,
    base: Mapping[str, Any],
    trip: Any,
    p0: int,
    tt: Timetable,
    depot: tuple[float, float] | None,
    depot_km: tuple[np.ndarray, ...] | None,
    stop_km: np.ndarray,
) -> tuple[int, float, bool]:
    """Log where an AST trip's taxi starts; return the next ``seq``, the km to the first stop and its leg's in_service.

    From the depot when the model has one; without a depot from the trip's
    first stop (:func:`transit.opmodels.journeys.approach_row`), unless the
    first booked stop is that stop.
    """
    s0 = trip.stops[p0]
    if depot is not None and depot_km is not None:
        t0 = trip.departure[p0] - depot_km[1][s0]
        add(**base, seq=0, kind="start", request_id="", lat=depot[0], lon=depot[1], arrival=t0,
            departure=t0, load=0, wheelchair_load=0, onboard_bookings=0, km_from_prev=0.0,
            empty_km_from_prev=0.0, in_service=False)
        return 1, float(depot_km[0][s0]), False
    if p0 > 0:
        return lw.approach_row(add, {**base, "request_id": ""}, tt, trip, 0), float(stop_km[trip.stops[0], s0]), False
    return 0, 0.0, True


def _booked(b: Booking) -> float:
    """Booking time, with unknown booking times first (made in time)."""
    return -math.inf if b.booked_at is None else float(b.booked_at)


def _ast_positions(
    chosen: Mapping[int, np.ndarray], run_trips: Sequence[int]
) -> tuple[dict[int, dict[int, list[int]]], dict[int, dict[int, list[int]]], dict[int, dict[int, list[int]]]]:
    """Return per AST trip the boardings and alightings at stops and the door deliveries (position -> bookings)."""
    boards: dict[int, dict[int, list[int]]] = {k: {} for k in run_trips}
    stop_offs: dict[int, dict[int, list[int]]] = {k: {} for k in run_trips}
    doors: dict[int, dict[int, list[int]]] = {k: {} for k in run_trips}
    for n, c in chosen.items():
        legs = [(int(c[lw.T1]), int(c[lw.I1]), int(c[lw.J1]))]
        if c[lw.NTR] > 0:
            legs.append((int(c[lw.T2]), int(c[lw.I2]), int(c[lw.J2])))
        for li, (trip, i, j) in enumerate(legs):
            boards[trip].setdefault(i, []).append(n)
            target = doors if li == len(legs) - 1 else stop_offs
            target[trip].setdefault(j, []).append(n)
    return boards, stop_offs, doors


def _door_matrices(net: Any, prep: lw.Prepared, doors: Mapping[int, list[int]]) -> tuple[Any, dict[int, int], Any]:
    """Return an AST trip's door points, each booking's door index, and the drive tables that involve doors.

    The tables are ``((km_sd, s_sd), (km_ds, s_ds), (km_dd, s_dd))``: stop to
    door, door to stop and door to door (metres, seconds); None without doors.
    """
    door_ns = sorted({n for lst in doors.values() for n in lst})
    door_pts = prep.drop.take(np.asarray(door_ns, dtype=np.int64))
    s_sd, km_sd = drive_matrix(net, prep.stops, door_pts) if door_ns else (None, None)
    s_dd, km_dd = drive_matrix(net, door_pts, door_pts) if door_ns else (None, None)
    s_ds, km_ds = drive_matrix(net, door_pts, prep.stops) if door_ns else (None, None)
    where = {n: i for i, n in enumerate(door_ns)}
    return door_pts, where, ((km_sd, s_sd), (km_ds, s_ds), (km_dd, s_dd))


def _ast_leg(a: tuple[str, int], b: tuple[str, int], ss: tuple[Any, Any], sd: tuple[Any, Any],
             ds: tuple[Any, Any], dd: tuple[Any, Any]) -> tuple[float, float]:
    """Return (km, seconds) between two points of an AST trip: ``("s", stop)`` or ``("d", door)``.

    ``ss`` holds stop-to-stop (km, s); ``sd``, ``ds`` and ``dd`` stop-to-door,
    door-to-stop and door-to-door (metres, s).
    """
    if a[0] == "s" and b[0] == "s":
        return float(ss[0][a[1], b[1]]), float(ss[1][a[1], b[1]])
    table = sd if a[0] == "s" else ds if b[0] == "s" else dd
    return float(table[0][a[1], b[1]]) / 1000.0, float(table[1][a[1], b[1]])


def _back_to_depot(net: Any, depot: tuple[float, float], depot_km: Any, door_pts: Any,
                   cur: tuple[str, int]) -> tuple[float, float]:
    """Return (km, seconds) from an AST trip's last point (a stop or a door) back to the depot."""
    if cur[0] == "s":
        return float(depot_km[2][cur[1]]), float(depot_km[3][cur[1]])
    dp = snap_to_arcs(net, np.array([depot[0]]), np.array([depot[1]]))
    kmm, ss = lw.road_km(net, door_pts.take(np.array([cur[1]])), dp)
    return float(kmm[0, 0]), float(ss[0, 0])


def _fill_ast_trips(chosen: Mapping[int, np.ndarray], bookings: Sequence[Any], rows: list[dict[str, Any]],
                    board_at: Mapping[tuple[int, int], float], door_at: Mapping[int, float]) -> None:
    """Write the real boarding and door times of the AST's served bookings into their trip-log rows."""
    for n, c in chosen.items():
        b = bookings[n]
        t1 = int(c[lw.T1])
        board = board_at.get((n, t1), float(c[lw.DEP]))
        alight = door_at.get(n, float(c[lw.ARR]) + float(c[lw.WE_S]))
        vehicle = rows[n]["vehicle_id"]
        lw.fill_served(rows[n], b, vehicle, int(c[lw.NTR]), board, alight,
                       float(c[lw.WA_M]), 0.0, float(c[lw.WA_S]), 0.0)
