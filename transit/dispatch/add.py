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
from collections.abc import Sequence
from dataclasses import dataclass, field

from transit.demand.bookings import Booking
from transit.darp.checker import evaluate
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

__all__ = ["add_bookings", "freeze_route"]

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
    from transit.dispatch.dayplan import DayPlan, rebuild_problem
    from transit.solver import solve

    old_ids = {b.request_id for b in stored.bookings}
    clash = [b.request_id for b in new_bookings if b.request_id in old_ids]
    if clash:
        msg = (
            f"request_id already used in the plan {stored.path}: "
            + ", ".join(repr(c) for c in clash)
        )
        raise InputErrors([InputError(msg, file=source, column="request_id")])
    if stored.now is not None and now < stored.now:
        msg = (
            f"--now {format_clock(now)} is before the plan's last update at "
            f"{format_clock(stored.now)}; the past cannot change"
        )
        raise InputErrors([InputError(msg, column="--now")])

    report(progress, 0, 1, "rebuilding the day")
    built = rebuild_problem(stored, network, extra_bookings=new_bookings, source=source)
    full = built.problem
    old_plan: Plan = stored.plan
    new_ids = [b.request_id for b in new_bookings]
    new_set = set(new_ids)
    rejected_before = {x.request_id: x.reason for x in old_plan.rejected}

    frozen: dict[str, FrozenRoute] = {}
    routes = {r.vehicle_id: r for r in old_plan.routes}
    for v in full.vehicles:
        frozen[v.id] = freeze_route(full, v, routes.get(v.id), now)
    residual_vehicles = {}
    for v in full.vehicles:
        rv = _residual_vehicle(frozen[v.id], now)
        if rv is not None:
            residual_vehicles[v.id] = rv

    done_ids: set[str] = set()
    on_board: dict[str, tuple[str, float]] = {}
    for vid, fr in frozen.items():
        if fr.status == "finished":
            done_ids |= {s.request_id for s in fr.old if s.request_id is not None}
        done_ids |= fr.served
        for rid, t in fr.on_board.items():
            on_board[rid] = (vid, t)
    old_vehicle = {
        s.request_id: r.vehicle_id for r in old_plan.routes for s in r.stops if s.kind == StopKind.PICKUP
    }

    upfront: dict[str, str] = {}
    residual_requests: list[Request] = []
    promised: set[str] = set()
    for r in full.requests:
        if r.id in rejected_before or r.id in done_ids:
            continue
        if r.id in on_board:
            vid, t = on_board[r.id]
            if vid not in residual_vehicles:
                msg = f"internal error: vehicle {vid} carries request {r.id} but can take no more work"
                raise SolverError(msg)
            residual_requests.append(r.replace(picked_up_at=t, assigned_vehicle=vid))
            promised.add(r.id)
            continue
        if r.id in new_set:
            if r.pickup_window.latest < now:
                upfront[r.id] = REASON_PASSED
                continue
            if not any(v.fits(r) for v in residual_vehicles.values()):
                upfront[r.id] = REASON_NO_VEHICLE
                continue
            residual_requests.append(r)
            continue
        # an earlier promise not yet picked up
        promised.add(r.id)
        vid = old_vehicle.get(r.id)
        if pin_vehicles and vid in residual_vehicles:
            residual_requests.append(r.replace(assigned_vehicle=vid))
        else:
            residual_requests.append(r)

    vehicles = tuple(residual_vehicles.values())
    initial = Plan(
        routes=tuple(
            _initial_route(frozen[vid], residual_vehicles[vid]) for vid in residual_vehicles
        )
    )
    order = {b.request_id: _booking_order(b, i) for i, b in enumerate(new_bookings)}
    displaced: dict[str, str] = {}
    plan_r: Plan | None = None
    rounds = 0
    while True:
        requests = tuple(r for r in residual_requests if r.id not in displaced)
        residual = Problem(
            requests=requests,
            vehicles=vehicles,
            travel_time=full.travel_time,
            distance=full.distance,
            weights=full.weights,
        )
        plan_r = solve(
            residual,
            iterations=dispatch_iterations(len(requests)) if iterations is None else iterations,
            time_limit=time_limit,
            seed=seed,
            initial_plan=initial if plan_r is None else plan_r,
            progress=progress,
        )
        broken = promised & plan_r.rejected_ids
        if not broken:
            break
        rounds += 1
        taken_new = sorted((rid for rid in plan_r.served_ids if rid in new_set), key=order.__getitem__)
        log.info(
            "round %d: %d promised requests dropped by the solver (%s); turning away new bookings",
            rounds,
            len(broken),
            ", ".join(sorted(broken)[:5]),
        )
        if not taken_new or rounds > _MAX_ROUNDS:
            taken_new = [rid for rid in new_ids if rid in {r.id for r in requests}]
            if not taken_new:
                msg = "internal error: the earlier promises cannot be kept even without the new bookings"
                raise SolverError(msg)
            for rid in taken_new:
                displaced[rid] = REASON_DISPLACED
            plan_r = None  # start again from the earlier plan
            continue
        for rid in taken_new[-(2 ** (rounds - 1)) :]:
            displaced[rid] = REASON_DISPLACED

    res_routes = {r.vehicle_id: r for r in plan_r.routes}
    new_routes = tuple(_stitch(full, frozen[v.id], res_routes.get(v.id)) for v in full.vehicles)
    rejected = [Rejection(rid, reason) for rid, reason in rejected_before.items()]
    reasons = {x.request_id: x.reason for x in plan_r.rejected}
    reasons.update(upfront)
    reasons.update(displaced)
    rejected += [Rejection(r.id, reasons[r.id]) for r in full.requests if r.id in reasons]
    stats = {
        **{k: v for k, v in plan_r.stats.items()},
        "now": now,
        "frozen_stops": sum(len(fr.done) for fr in frozen.values()),
        "new_bookings": len(new_ids),
        "new_served": sum(1 for rid in new_ids if rid not in reasons),
        "displacement_rounds": rounds,
    }
    plan = Plan(routes=new_routes, rejected=tuple(rejected), objective=math.nan, stats=stats)
    plan = plan.replace(objective=evaluate(full, plan).objective)
    verify(full, plan)
    promises = make_promises(full, plan, built.fleet.service, previous=stored.promises)
    entry = {
        "action": "add",
        "bookings": source,
        "now": now,
        "seed": seed,
        "new": len(new_ids),
        "new_served": stats["new_served"],
        "pin_vehicles": pin_vehicles,
    }
    return DayPlan(
        built=dataclasses.replace(built, problem=full),
        plan=plan,
        promises=promises,
        network_path=network_path,
        service_date=stored.service_date,
        now=now,
        max_snap_m=stored.max_snap_m,
        history=(*stored.history, entry),
        network_size=(network.n_nodes, network.n_arcs),
    )


def _initial_route(fr: FrozenRoute, vehicle: Vehicle) -> Route:
    """The earlier plan's remaining route of a vehicle, as a warm start."""
    if fr.status == "home":
        return Route(vehicle.id, fr.old)
    assert fr.anchor is not None  # noqa: S101
    k = len(fr.done)
    rest = fr.old[k + 1 :]
    start = Stop(StopKind.START, vehicle.start_depot, fr.leave_at, fr.leave_at, fr.leave_at)
    return Route(vehicle.id, (start, *rest))
