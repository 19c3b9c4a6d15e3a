"""The pieces of a re-plan at ``now``: freeze the day, collect what is left, solve, stitch.

:func:`transit.dispatch.update.update_day` (late bookings and events) is
built from them: :func:`freeze_day` / :func:`freeze_route` split each route at
``now`` (:func:`running_route` for a route an event changed),
:func:`residual_requests` collects the requests still to plan,
:func:`insertion_rounds` fits new bookings without breaking a promise, and
:func:`stitch_day` joins the done stops with the re-planned rest.

Rules
-----
Done stops
    A stop whose departure lies before ``now`` is done and stays exactly as
    it was, with its times and loads.
Committed stop
    The first stop not done of a vehicle that has left its depot is the one
    it is at or driving to; it stays as planned (arrival and start of
    service), only its departure may move later. The vehicle continues from
    there: its remaining route is re-planned from that place, no earlier than
    ``now`` and no earlier than the end of service there.
On board
    Passengers picked up at a done or committed stop stay on their vehicle
    (``Request.picked_up_at`` / ``assigned_vehicle``) and are dropped off
    within their ride-time limit.
Promises
    Every request served by the earlier plan keeps the pickup window promised
    then (:meth:`transit.darp.service.ServiceRules.promise`) and, unless the
    caller lets it move (``pins``), its vehicle. A promised request is never
    given up for a new booking: if the solver's plan drops one, the most
    recently booked of the newly accepted bookings are turned away (first
    come, first served) and the day is solved again.
Rejected before
    Bookings the earlier plan rejected stay rejected with their reason (the
    passenger has been told).
Vehicles
    A vehicle that has not left its depot by ``now`` may start later (not
    before ``now``). A vehicle on its way back to its end depot, or already
    there, is done for the day. A vehicle's driver breaks not yet taken are
    still taken (at the end depot) if the vehicle serves anybody that day.
New bookings
    Served (and promised a pickup window) or rejected with a reason; a
    booking whose pickup window has ended by ``now`` is rejected at once.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from transit.demand.bookings import Booking
from transit.errors import SolverError
from transit.dispatch.leadtime import REASON_TOO_LATE
from transit.util.i18n import N_
from transit.darp.data import (
    Break,
    Plan,
    Problem,
    Rejection,
    Request,
    Route,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
)

__all__ = [
    "FrozenDay",
    "FrozenRoute",
    "Residual",
    "assemble_day",
    "freeze_day",
    "freeze_route",
    "insertion_rounds",
    "match_breaks",
    "residual_requests",
    "running_route",
    "split_index",
    "stitch_day",
    "warm_start",
]

log = logging.getLogger(__name__)

REASON_DISPLACED = N_("no room left without breaking pickup times already promised to earlier bookings")
REASON_PASSED = N_("its pickup window has already passed")
REASON_NO_VEHICLE = N_("no vehicle with enough seats and wheelchair places is still in service")

#: The solver's reasons for a rejection (:mod:`transit.solver.reasons`), marked here for translation
#: of ``unserved.csv`` and ``changes.csv``; a reason worded otherwise is shown as it is.
SOLVER_REASONS = (
    N_("the drop-off cannot be reached from the pickup (no road connection)"),
    N_("the maximum ride time is shorter than the direct trip"),
    N_("larger than every vehicle (seats or wheelchair places)"),
    N_("drop-off window cannot be met even by a direct trip"),
    N_("no vehicle may serve it (its assigned vehicle is unavailable)"),
    N_("its pickup and drop-off windows cannot both be met within the maximum ride time"),
    N_("no vehicle is in service at that time"),
    N_("no vehicle can reach the pickup inside its window"),
    N_("no capacity at that time (fleet busy)"),
    N_("no vehicle can serve it within its shift, breaks and maximum route duration"),
)
_MAX_ROUNDS = 6


@dataclass
class FrozenRoute:
    """The part of a vehicle's route fixed at ``now`` and where it goes on from.

    ``status`` is ``"home"`` (not left its depot: everything may change),
    ``"running"`` (``done`` stops, then the ``anchor`` it is at or driving
    to) or ``"finished"`` (on its way back or back, or out of service: keep
    the route ``old`` as it is). A running vehicle without an ``anchor`` (the
    stop it was driving to was cancelled) goes on from ``origin``, the place
    of its last done stop.
    """

    vehicle: Vehicle
    status: str
    done: tuple[Stop, ...] = ()
    anchor: Stop | None = None
    old: tuple[Stop, ...] = ()
    leave_at: float = -math.inf
    on_board: dict[str, float] = field(default_factory=dict)
    served: set[str] = field(default_factory=set)
    pending_breaks: list[Break] = field(default_factory=list)
    rest: tuple[Stop, ...] = ()
    origin: int | None = None

    @property
    def start_location(self) -> int:
        """Where a running vehicle goes on from: its anchor, else its last done stop."""
        if self.anchor is not None:
            return self.anchor.location
        assert self.origin is not None  # noqa: S101
        return self.origin


def _service(problem: Problem, vehicle: Vehicle, stop: Stop, breaks: dict[int, Break]) -> float:
    if stop.kind in (StopKind.PICKUP, StopKind.DROPOFF):
        return problem.request(stop.request_id).service_time  # type: ignore[arg-type]
    if stop.kind == StopKind.BREAK:
        b = breaks.get(id(stop))
        return b.duration if b is not None else 0.0
    return 0.0


def match_breaks(vehicle: Vehicle, stops: Sequence[Stop]) -> tuple[dict[int, Break], list[Break]]:
    """Pair BREAK stops with the vehicle's breaks in time order; return pairs and the unmatched breaks."""
    free = sorted(vehicle.breaks, key=lambda b: (b.earliest_start, b.latest_end))
    taken: dict[int, Break] = {}
    for s in stops:
        if s.kind != StopKind.BREAK:
            continue
        for b in free:
            if b.earliest_start - 1e-6 <= s.start and s.start + b.duration <= b.latest_end + 1e-6:
                taken[id(s)] = b
                free.remove(b)
                break
    return taken, free


def running_route(
    problem: Problem,
    vehicle: Vehicle,
    done: Sequence[Stop],
    anchor: Stop | None,
    *,
    now: float,
    old: Sequence[Stop],
    rest: Sequence[Stop],
    hold: float = 0.0,
) -> FrozenRoute:
    """Return the :class:`FrozenRoute` of a running vehicle from its committed stops.

    Parameters
    ----------
    problem
        The day's problem (service times of the requests).
    vehicle
        The vehicle.
    done
        Stops done (kept exactly).
    anchor
        The stop it is at or driving to (None: it goes on from its last done stop).
    now
        The update time: the vehicle leaves no earlier.
    old
        The route before the update.
    rest
        The planned stops after the anchor (a warm start for the re-plan).
    hold
        Extra seconds the vehicle is held before it can leave (a delay).
    """
    committed = (*done, anchor) if anchor is not None else tuple(done)
    taken, pending = match_breaks(vehicle, committed)
    picked: dict[str, float] = {}
    dropped: set[str] = set()
    for s in committed:
        if s.kind == StopKind.PICKUP:
            picked[s.request_id] = s.start + problem.request(s.request_id).service_time  # type: ignore[index]
        elif s.kind == StopKind.DROPOFF:
            dropped.add(s.request_id)  # type: ignore[arg-type]
    if anchor is not None:
        leave = max(now, anchor.start + _service(problem, vehicle, anchor, taken)) + hold
    else:
        leave = max(now, done[-1].departure) + hold
    return FrozenRoute(
        vehicle,
        "running",
        done=tuple(done),
        anchor=anchor,
        old=tuple(old),
        leave_at=leave,
        on_board={r: t for r, t in picked.items() if r not in dropped},
        served=set(picked) & dropped,
        pending_breaks=pending,
        rest=tuple(rest),
        origin=done[-1].location if anchor is None else None,
    )


def split_index(stops: Sequence[Stop], now: float) -> int:
    """Return the index of the first stop not done at ``now`` (departure at or after it)."""
    k = 0
    while k < len(stops) and stops[k].departure < now:
        k += 1
    return k


def freeze_route(problem: Problem, vehicle: Vehicle, route: Route | None, now: float) -> FrozenRoute:
    """Split a vehicle's planned route at ``now`` (see the module docstring)."""
    stops = tuple(route.stops) if route is not None else ()
    if not stops:
        return FrozenRoute(vehicle, "home", pending_breaks=list(vehicle.breaks))
    k = split_index(stops, now)
    if k == 0:
        return FrozenRoute(vehicle, "home", old=stops, pending_breaks=list(vehicle.breaks), rest=stops)
    if k == len(stops) or stops[k].kind == StopKind.END:
        return FrozenRoute(vehicle, "finished", done=stops, old=stops)
    return running_route(problem, vehicle, stops[:k], stops[k], now=now, old=stops, rest=stops[k + 1 :])


def _clip_breaks(breaks: Sequence[Break], lo: float, hi: float) -> list[Break] | None:
    out = []
    for b in breaks:
        e, lend = max(b.earliest_start, lo), min(b.latest_end, hi)
        if lend - e < b.duration - 1e-9:
            return None
        out.append(b.replace(earliest_start=e, latest_end=lend))
    return out


def _residual_vehicle(fr: FrozenRoute, now: float) -> Vehicle | None:
    """Return the vehicle of the re-planning problem, or None if it can take no more work."""
    v = fr.vehicle
    if fr.status == "finished":
        return None
    if fr.status == "home":
        lo = max(v.shift.earliest, now)
        if lo >= v.shift.latest:
            return None
        breaks = _clip_breaks(v.breaks, lo, v.shift.latest)
        if breaks is None:
            return None
        return v.replace(shift=TimeWindow(lo, v.shift.latest), breaks=tuple(breaks))
    hi = v.shift.latest
    if v.max_route_duration is not None:
        hi = min(hi, fr.done[0].departure + v.max_route_duration)
    lo = fr.leave_at
    if lo > hi:
        return None
    breaks = _clip_breaks(fr.pending_breaks, lo, hi)
    if breaks is None:
        return None
    return v.replace(
        start_depot=fr.start_location,
        shift=TimeWindow(lo, hi),
        breaks=tuple(breaks),
        max_route_duration=None,
    )


def _complete_by_hand(problem: Problem, fr: FrozenRoute) -> Route:
    """Send a running vehicle with nobody left to serve to its breaks and its end depot."""
    v = fr.vehicle
    tt = problem.travel_time
    d = fr.leave_at
    loc = fr.start_location
    stops = [*fr.done, fr.anchor.replace(departure=d)] if fr.anchor is not None else list(fr.done)
    for b in sorted(fr.pending_breaks, key=lambda b: b.earliest_start):
        where = v.end_depot if b.location is None else b.location
        arrival = d + float(tt[loc, where])
        start = max(arrival, b.earliest_start)
        stops.append(Stop(StopKind.BREAK, where, arrival, start, start + b.duration))
        d, loc = start + b.duration, where
    stops.append(_end_stop(problem, v, loc, d))
    return Route(v.id, _rearrive(problem, stops, len(fr.done)))


def _end_stop(problem: Problem, v: Vehicle, loc: int, d: float) -> Stop:
    arrival = d + float(problem.travel_time[loc, v.end_depot])
    return Stop(StopKind.END, v.end_depot, arrival, arrival, arrival)


def _rearrive(problem: Problem, stops: Sequence[Stop], k: int) -> tuple[Stop, ...]:
    """Make the arrival of stop ``k`` follow from the departure of stop ``k - 1``.

    Used where a vehicle goes on from its last done stop (its anchor was
    dropped): it waits there in the plan, so the next arrival is earlier than
    the solver assumed and the difference is waiting before service.
    """
    stops = list(stops)
    if 0 < k < len(stops):
        prev, nxt = stops[k - 1], stops[k]
        arrival = prev.departure + float(problem.travel_time[prev.location, nxt.location])
        if nxt.kind == StopKind.END:
            stops[k] = nxt.replace(arrival=arrival, start=arrival, departure=arrival)
        else:
            stops[k] = nxt.replace(arrival=min(arrival, nxt.start))
    return tuple(stops)


def _stitch(problem: Problem, fr: FrozenRoute, residual: Route | None) -> Route:
    v = fr.vehicle
    if fr.status == "finished":
        return Route(v.id, fr.old)
    if fr.status == "home":
        return residual if residual is not None else Route(v.id, ())
    if residual is None or not residual.stops:
        return _complete_by_hand(problem, fr)
    first = residual.stops[0]
    assert first.kind == StopKind.START  # noqa: S101
    if fr.anchor is None:
        return Route(v.id, _rearrive(problem, (*fr.done, *residual.stops[1:]), len(fr.done)))
    anchor = fr.anchor.replace(departure=first.departure)
    return Route(v.id, (*fr.done, anchor, *residual.stops[1:]))


def _booking_order(b: Booking, i: int) -> tuple[float, int]:
    return (b.booked_at if b.booked_at is not None else math.inf, i)


@dataclass
class FrozenDay:
    """Every vehicle's route split at ``now``, and what that fixes about the requests.

    Parameters
    ----------
    routes
        Per vehicle id, its :class:`FrozenRoute`.
    vehicles
        Per vehicle id, the vehicle of the re-planning problem (from where and
        when it is free); vehicles that can take no more work are left out.
    done
        Requests dropped off by ``now``, or on a vehicle that has finished its day.
    on_board
        Per request on board at ``now``: its vehicle and the time it boarded.
    """

    routes: dict[str, FrozenRoute]
    vehicles: dict[str, Vehicle]
    done: set[str]
    on_board: dict[str, tuple[str, float]]

    @property
    def frozen_stops(self) -> int:
        """Number of stops done at ``now``."""
        return sum(len(fr.done) for fr in self.routes.values())


def freeze_day(problem: Problem, plan: Plan, now: float) -> FrozenDay:
    """Split every vehicle's route of ``plan`` at ``now`` (see the module docstring)."""
    routes = {r.vehicle_id: r for r in plan.routes}
    frozen = {v.id: freeze_route(problem, v, routes.get(v.id), now) for v in problem.vehicles}
    return assemble_day(problem, frozen, now)


def assemble_day(problem: Problem, frozen: dict[str, FrozenRoute], now: float) -> FrozenDay:
    """Collect the frozen routes of every vehicle into a :class:`FrozenDay`."""
    vehicles: dict[str, Vehicle] = {}
    for v in problem.vehicles:
        rv = _residual_vehicle(frozen[v.id], now)
        if rv is not None:
            vehicles[v.id] = rv
    done: set[str] = set()
    on_board: dict[str, tuple[str, float]] = {}
    for vid, fr in frozen.items():
        if fr.status == "finished":
            done |= {s.request_id for s in fr.old if s.request_id is not None}
        done |= fr.served
        for rid, t in fr.on_board.items():
            on_board[rid] = (vid, t)
    return FrozenDay(frozen, vehicles, done, on_board)


@dataclass
class Residual:
    """The requests still to plan at ``now``.

    Parameters
    ----------
    requests
        Requests of the re-planning problem (passengers on board with their
        vehicle and boarding time; earlier promises; new bookings that may still fit).
    promised
        Ids of requests whose earlier promise must be kept.
    upfront
        New bookings rejected before solving, with the reason.
    """

    requests: list[Request]
    promised: set[str]
    upfront: dict[str, str]


def residual_requests(
    full: Problem,
    day: FrozenDay,
    new_ids: set[str],
    *,
    now: float,
    rejected: set[str],
    pins: dict[str, str],
    too_late: set[str] = frozenset(),
) -> Residual:
    """Return the requests to re-plan: on board, promised earlier, and new ones that may fit.

    Parameters
    ----------
    full
        The whole day's problem.
    day
        The day frozen at ``now``.
    new_ids
        New bookings (served if they fit, else turned away).
    now
        The update time.
    rejected
        Requests that stay rejected (rejected earlier, or cancelled).
    pins
        Promised requests that keep their vehicle: request id -> vehicle id
        (ignored for a vehicle that can take no more work).
    too_late
        New bookings made too late to be served (turned away at once).
    """
    out = Residual([], set(), {})
    for r in full.requests:
        if r.id in rejected or r.id in day.done:
            continue
        if r.id in day.on_board:
            vid, t = day.on_board[r.id]
            if vid not in day.vehicles:
                msg = f"internal error: vehicle {vid} carries request {r.id} but can take no more work"
                raise SolverError(msg)
            out.requests.append(r.replace(picked_up_at=t, assigned_vehicle=vid))
            out.promised.add(r.id)
        elif r.id in new_ids:
            if r.id in too_late:
                out.upfront[r.id] = REASON_TOO_LATE
            elif r.pickup_window.latest < now:
                out.upfront[r.id] = REASON_PASSED
            elif not any(v.fits(r) for v in day.vehicles.values()):
                out.upfront[r.id] = REASON_NO_VEHICLE
            else:
                out.requests.append(r)
        else:  # an earlier promise not yet picked up
            out.promised.add(r.id)
            vid = pins.get(r.id)
            out.requests.append(r.replace(assigned_vehicle=vid) if vid in day.vehicles else r)
    return out


def insertion_rounds(
    full: Problem,
    day: FrozenDay,
    residual: Residual,
    new_bookings: Sequence[Booking],
    *,
    solve_residual: Callable[[Problem, Plan], Plan],
    initial: Plan | None = None,
) -> tuple[Plan, dict[str, str], int]:
    """Solve the residual problem, turning away new bookings until every promise is kept.

    New bookings are turned away last booked first (first come, first served),
    doubling their number each round; after :data:`_MAX_ROUNDS` every new
    booking is turned away and the day solved from ``initial`` (default: the
    earlier plan's remaining routes), which must keep every promise.

    Returns
    -------
    plan, displaced, rounds
        The residual plan, the new bookings turned away (with the reason), and
        the number of extra rounds.
    """
    vehicles = tuple(day.vehicles.values())
    if initial is None:
        initial = warm_start(day)
    order = {b.request_id: _booking_order(b, i) for i, b in enumerate(new_bookings)}
    new_ids = [b.request_id for b in new_bookings]
    displaced: dict[str, str] = {}
    plan: Plan | None = None
    rounds = 0
    while True:
        requests = tuple(r for r in residual.requests if r.id not in displaced)
        problem = Problem(
            requests=requests,
            vehicles=vehicles,
            travel_time=full.travel_time,
            distance=full.distance,
            weights=full.weights,
        )
        plan = solve_residual(problem, initial if plan is None else plan)
        broken = residual.promised & plan.rejected_ids
        if not broken:
            return plan, displaced, rounds
        rounds += 1
        taken_new = sorted((rid for rid in plan.served_ids if rid in order), key=order.__getitem__)
        log.info(
            "round %d: %d promised requests dropped by the solver (%s); turning away new bookings",
            rounds,
            len(broken),
            ", ".join(sorted(broken)[:5]),
        )
        if not taken_new or rounds > _MAX_ROUNDS:
            in_problem = {r.id for r in requests}
            taken_new = [rid for rid in new_ids if rid in in_problem]
            if not taken_new:
                msg = "internal error: the earlier promises cannot be kept even without the new bookings"
                raise SolverError(msg)
            for rid in taken_new:
                displaced[rid] = REASON_DISPLACED
            plan = None  # start again from the earlier plan
            continue
        for rid in taken_new[-(2 ** (rounds - 1)) :]:
            displaced[rid] = REASON_DISPLACED


def stitch_day(full: Problem, day: FrozenDay, residual_plan: Plan, rejected: Sequence[Rejection]) -> Plan:
    """Join each vehicle's done stops with its re-planned rest into the whole day's plan."""
    res_routes = {r.vehicle_id: r for r in residual_plan.routes}
    routes = tuple(_stitch(full, day.routes[v.id], res_routes.get(v.id)) for v in full.vehicles)
    return Plan(routes=routes, rejected=tuple(rejected), stats=residual_plan.stats)


def warm_start(day: FrozenDay) -> Plan:
    """Return the earlier plan's remaining routes as a plan of the re-planning problem."""
    return Plan(routes=tuple(_initial_route(day.routes[vid], v) for vid, v in day.vehicles.items()))


def _initial_route(fr: FrozenRoute, vehicle: Vehicle) -> Route:
    """The earlier plan's remaining route of a vehicle, as a warm start."""
    if fr.status == "home":
        return Route(vehicle.id, fr.rest)
    start = Stop(StopKind.START, vehicle.start_depot, fr.leave_at, fr.leave_at, fr.leave_at)
    return Route(vehicle.id, (start, *fr.rest))
