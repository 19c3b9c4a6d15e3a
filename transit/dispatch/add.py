"""Fit late bookings into a running plan without breaking promises.

:func:`add_bookings` takes a stored day (``plan.json``), new bookings and the
time ``now``, and returns the whole day's new plan (the part already driven
included), checked by the independent checker against the whole day's problem.

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
    then (:meth:`transit.darp.service.ServiceRules.promise`). It may move to
    another vehicle (drivers get new manifests anyway, and the freedom helps
    to fit the new bookings) unless ``pin_vehicles`` is set. A promised
    request is never given up for a new booking: if the solver's plan drops
    one, the most recently booked of the newly accepted bookings are turned
    away (first come, first served) and the day is solved again.
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

import dataclasses
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from transit.demand.bookings import Booking
from transit.dispatch.dayplan import AddStats, DayPlan, rebuild_problem
from transit.errors import InputError, InputErrors, SolverError
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
from transit.util.progress import Progress, report
from transit.util.timeparse import format_clock
from transit.road.travel import RoadNetwork

__all__ = [
    "FrozenDay",
    "Residual",
    "add_bookings",
    "freeze_day",
    "freeze_route",
    "insertion_rounds",
    "residual_requests",
    "stitch_day",
]

log = logging.getLogger(__name__)

REASON_DISPLACED = "no room left without breaking pickup times already promised to earlier bookings"
REASON_PASSED = "its pickup window has already passed"
REASON_NO_VEHICLE = "no vehicle with enough seats and wheelchair places is still in service"
_MAX_ROUNDS = 6


@dataclass
class FrozenRoute:
    """The part of a vehicle's route fixed at ``now`` and where it goes on from.

    ``status`` is ``"home"`` (not left its depot: everything may change),
    ``"running"`` (``done`` stops, then the ``anchor`` it is at or driving
    to) or ``"finished"`` (on its way back or back: keep the whole route).
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


def _service(problem: Problem, vehicle: Vehicle, stop: Stop, breaks: dict[int, Break]) -> float:
    if stop.kind in (StopKind.PICKUP, StopKind.DROPOFF):
        return problem.request(stop.request_id).service_time  # type: ignore[arg-type]
    if stop.kind == StopKind.BREAK:
        b = breaks.get(id(stop))
        return b.duration if b is not None else 0.0
    return 0.0


def _match_breaks(vehicle: Vehicle, stops: Sequence[Stop]) -> tuple[dict[int, Break], list[Break]]:
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


def freeze_route(problem: Problem, vehicle: Vehicle, route: Route | None, now: float) -> FrozenRoute:
    """Split a vehicle's planned route at ``now`` (see the module docstring)."""
    stops = tuple(route.stops) if route is not None else ()
    if not stops:
        return FrozenRoute(vehicle, "home", pending_breaks=list(vehicle.breaks))
    k = 0
    while k < len(stops) and stops[k].departure < now:
        k += 1
    if k == 0:
        return FrozenRoute(vehicle, "home", old=stops, pending_breaks=list(vehicle.breaks))
    if k == len(stops) or stops[k].kind == StopKind.END:
        return FrozenRoute(vehicle, "finished", done=stops, old=stops)
    committed = stops[: k + 1]
    anchor = stops[k]
    taken, pending = _match_breaks(vehicle, committed)
    picked: dict[str, float] = {}
    dropped: set[str] = set()
    for s in committed:
        if s.kind == StopKind.PICKUP:
            picked[s.request_id] = s.start + problem.request(s.request_id).service_time  # type: ignore[index]
        elif s.kind == StopKind.DROPOFF:
            dropped.add(s.request_id)  # type: ignore[arg-type]
    leave = max(now, anchor.start + _service(problem, vehicle, anchor, taken))
    return FrozenRoute(
        vehicle,
        "running",
        done=stops[:k],
        anchor=anchor,
        old=stops,
        leave_at=leave,
        on_board={r: t for r, t in picked.items() if r not in dropped},
        served=set(picked) & dropped,
        pending_breaks=pending,
    )


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
    assert fr.anchor is not None  # noqa: S101
    hi = v.shift.latest
    if v.max_route_duration is not None:
        hi = min(hi, fr.old[0].departure + v.max_route_duration)
    lo = fr.leave_at
    if lo > hi:
        return None
    breaks = _clip_breaks(fr.pending_breaks, lo, hi)
    if breaks is None:
        return None
    return v.replace(
        start_depot=fr.anchor.location,
        shift=TimeWindow(lo, hi),
        breaks=tuple(breaks),
        max_route_duration=None,
    )


def _complete_by_hand(problem: Problem, fr: FrozenRoute) -> Route:
    """Send a running vehicle with nobody left to serve to its breaks and its end depot."""
    v = fr.vehicle
    assert fr.anchor is not None  # noqa: S101
    tt = problem.travel_time
    d = fr.leave_at
    loc = fr.anchor.location
    stops = [*fr.done, fr.anchor.replace(departure=d)]
    for b in sorted(fr.pending_breaks, key=lambda b: b.earliest_start):
        where = v.end_depot if b.location is None else b.location
        arrival = d + float(tt[loc, where])
        start = max(arrival, b.earliest_start)
        stops.append(Stop(StopKind.BREAK, where, arrival, start, start + b.duration))
        d, loc = start + b.duration, where
    arrival = d + float(tt[loc, v.end_depot])
    stops.append(Stop(StopKind.END, v.end_depot, arrival, arrival, arrival))
    return Route(v.id, tuple(stops))


def _stitch(problem: Problem, fr: FrozenRoute, residual: Route | None) -> Route:
    v = fr.vehicle
    if fr.status == "finished":
        return Route(v.id, fr.old)
    if fr.status == "home":
        return residual if residual is not None else Route(v.id, ())
    if residual is None or not residual.stops:
        return _complete_by_hand(problem, fr)
    first = residual.stops[0]
    assert fr.anchor is not None and first.kind == StopKind.START  # noqa: S101
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
    old_plan: Plan,
    new_ids: set[str],
    *,
    now: float,
    pin_vehicles: bool,
) -> Residual:
    """Return the requests to re-plan: on board, promised earlier, and new ones that may fit."""
    rejected_before = {x.request_id for x in old_plan.rejected}
    old_vehicle = {
        s.request_id: r.vehicle_id for r in old_plan.routes for s in r.stops if s.kind == StopKind.PICKUP
    }
    out = Residual([], set(), {})
    for r in full.requests:
        if r.id in rejected_before or r.id in day.done:
            continue
        if r.id in day.on_board:
            vid, t = day.on_board[r.id]
            if vid not in day.vehicles:
                msg = f"internal error: vehicle {vid} carries request {r.id} but can take no more work"
                raise SolverError(msg)
            out.requests.append(r.replace(picked_up_at=t, assigned_vehicle=vid))
            out.promised.add(r.id)
        elif r.id in new_ids:
            if r.pickup_window.latest < now:
                out.upfront[r.id] = REASON_PASSED
            elif not any(v.fits(r) for v in day.vehicles.values()):
                out.upfront[r.id] = REASON_NO_VEHICLE
            else:
                out.requests.append(r)
        else:  # an earlier promise not yet picked up
            out.promised.add(r.id)
            vid = old_vehicle.get(r.id)
            out.requests.append(r.replace(assigned_vehicle=vid) if pin_vehicles and vid in day.vehicles else r)
    return out


def insertion_rounds(
    full: Problem,
    day: FrozenDay,
    residual: Residual,
    new_bookings: Sequence[Booking],
    *,
    solve_residual: Callable[[Problem, Plan], Plan],
) -> tuple[Plan, dict[str, str], int]:
    """Solve the residual problem, turning away new bookings until every promise is kept.

    New bookings are turned away last booked first (first come, first served),
    doubling their number each round; after :data:`_MAX_ROUNDS` every new
    booking is turned away and the day solved from the earlier plan.

    Returns
    -------
    plan, displaced, rounds
        The residual plan, the new bookings turned away (with the reason), and
        the number of extra rounds.
    """
    vehicles = tuple(day.vehicles.values())
    initial = Plan(routes=tuple(_initial_route(day.routes[vid], v) for vid, v in day.vehicles.items()))
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


def add_bookings(
    stored,
    new_bookings: Sequence[Booking],
    network: RoadNetwork,
    *,
    now: float,
    network_path: str,
    iterations: int | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    pin_vehicles: bool = False,
    source: str | None = None,
    progress: Progress | None = None,
):
    """Insert late bookings into a stored day; return the new checked :class:`DayPlan`.

    The day is frozen at ``now`` (:func:`freeze_day`), the requests still to
    plan collected (:func:`residual_requests`), solved without breaking a
    promise (:func:`insertion_rounds`) and joined with the done stops
    (:func:`stitch_day`); the whole day's plan is then checked.

    Parameters
    ----------
    stored
        The day as read by :func:`transit.dispatch.dayplan.read_plan_json`.
    new_bookings
        Validated new bookings; their ids must not repeat earlier ones.
    network
        The road network the day was planned on.
    now
        Current time, seconds since midnight of the service day.
    network_path
        Recorded in the result.
    iterations, time_limit, seed
        Solver budget (None: :func:`transit.dispatch.planning.dispatch_iterations`
        of the requests still to plan), safety cap and seed (see
        :func:`transit.solver.solve`).
    pin_vehicles
        Keep every promised request on the vehicle that had it.
    source
        Name of the new bookings file, for messages.
    progress
        Progress of the search.

    Raises
    ------
    InputErrors
        If new ids clash with the day's, or ``now`` is before the last update.
    PlanCheckError
        If the resulting plan fails the independent check.
    """
    from transit.dispatch.planning import dispatch_iterations, make_promises, verify
    from transit.solver import solve

    _check_new(stored, new_bookings, now, source)
    report(progress, 0, 1, "rebuilding the day")
    built = rebuild_problem(stored, network, extra_bookings=new_bookings, source=source)
    full = built.problem
    old_plan: Plan = stored.plan
    new_ids = [b.request_id for b in new_bookings]
    day = freeze_day(full, old_plan, now)
    residual = residual_requests(full, day, old_plan, set(new_ids), now=now, pin_vehicles=pin_vehicles)

    def solve_residual(problem: Problem, initial: Plan) -> Plan:
        budget = dispatch_iterations(len(problem.requests)) if iterations is None else iterations
        return solve(
            problem, iterations=budget, time_limit=time_limit, seed=seed, initial_plan=initial, progress=progress
        )

    plan_r, displaced, rounds = insertion_rounds(full, day, residual, new_bookings, solve_residual=solve_residual)
    reasons = {x.request_id: x.reason for x in plan_r.rejected}
    reasons.update(residual.upfront)
    reasons.update(displaced)
    rejected = [*old_plan.rejected, *(Rejection(r.id, reasons[r.id]) for r in full.requests if r.id in reasons)]
    plan = stitch_day(full, day, plan_r, rejected)
    cost = verify(full, plan)
    plan = plan.replace(objective=cost.objective)
    added = AddStats(
        now=now,
        frozen_stops=day.frozen_stops,
        new_bookings=len(new_ids),
        new_served=sum(1 for rid in new_ids if rid not in reasons),
        displacement_rounds=rounds,
    )
    entry = {
        "action": "add",
        "bookings": source,
        "now": now,
        "seed": seed,
        "new": added.new_bookings,
        "new_served": added.new_served,
        "displacement_rounds": rounds,
        "pin_vehicles": pin_vehicles,
    }
    return DayPlan(
        built=dataclasses.replace(built, problem=full),
        plan=plan,
        promises=make_promises(full, plan, built.fleet.service, previous=stored.promises),
        network_path=network_path,
        cost=cost,
        service_date=stored.service_date,
        now=now,
        max_snap_m=stored.max_snap_m,
        history=(*stored.history, entry),
        network_size=(network.n_nodes, network.n_arcs),
        added=added,
    )


def _check_new(stored, new_bookings: Sequence[Booking], now: float, source: str | None) -> None:
    """Refuse new ids that repeat the day's, and a ``now`` before the last update."""
    old_ids = {b.request_id for b in stored.bookings}
    clash = [b.request_id for b in new_bookings if b.request_id in old_ids]
    if clash:
        msg = f"request_id already used in the plan {stored.path}: " + ", ".join(repr(c) for c in clash)
        raise InputErrors([InputError(msg, file=source, column="request_id")])
    if stored.now is not None and now < stored.now:
        msg = (
            f"--now {format_clock(now)} is before the plan's last update at "
            f"{format_clock(stored.now)}; the past cannot change"
        )
        raise InputErrors([InputError(msg, column="--now")])


def _initial_route(fr: FrozenRoute, vehicle: Vehicle) -> Route:
    """The earlier plan's remaining route of a vehicle, as a warm start."""
    if fr.status == "home":
        return Route(vehicle.id, fr.old)
    assert fr.anchor is not None  # noqa: S101
    k = len(fr.done)
    rest = fr.old[k + 1 :]
    start = Stop(StopKind.START, vehicle.start_depot, fr.leave_at, fr.leave_at, fr.leave_at)
    return Route(vehicle.id, (start, *rest))
