"""Check a plan against its problem, independently of the solver.

Everything is recomputed in floating point from the problem's matrices; the
plan's own objective and stated loads are never trusted. This module shares
no code with :mod:`transit.solver`, so a bug there cannot hide itself here.

:func:`check` returns the violations (an empty list means the plan is valid);
:func:`evaluate` recomputes the plan's costs and objective.

The contract a plan must meet
-----------------------------
All comparisons allow an absolute slack of ``tol`` seconds (or units).

Routes
    Every vehicle of the problem has exactly one route (``missing_route``,
    ``duplicate_route``); a route of a vehicle the problem does not know is
    ``unknown_vehicle`` and is otherwise ignored. The order of the routes is
    not checked. A route is either empty (the vehicle stays home) or starts
    with one START stop at the vehicle's start depot and ends with one END
    stop at its end depot, with no START or END in between (``start_end``).
Shift and duration
    START departure >= ``shift.earliest`` and END arrival <= ``shift.latest``
    (``shift``); END arrival - START departure <= ``max_route_duration``
    (``route_duration``).
Schedule
    For consecutive stops, arrival = previous departure + travel time
    between their locations (``travel_time``); an infinite travel time is
    ``unreachable``. At every stop, start >= arrival and departure >= start +
    service time, where the service time is ``request.service_time`` at a
    PICKUP or DROPOFF, the break's duration at a BREAK and 0 at START and
    END (``schedule``; a time that is not a finite number is ``schedule``
    too). Waiting is allowed both before the start of service and after it.
    Location indices must lie inside the matrices and a PICKUP (DROPOFF)
    stop must be at its request's pickup (drop-off) location (``location``).
Requests
    Every request of the problem is either served or listed in
    ``plan.rejected``, never both (``rejected_and_served``) and never neither
    (``missing_request``). Served means one PICKUP and one DROPOFF on the
    same vehicle (``same_vehicle``), pickup first (``precedence``); a second
    PICKUP or DROPOFF, or a second rejection, is ``duplicate_request``, and a
    lone PICKUP or DROPOFF is ``unpaired``. A request with ``picked_up_at``
    is on board its ``assigned_vehicle`` from the start of that vehicle's
    route: it needs exactly one DROPOFF and no PICKUP (``unpaired``), and it
    cannot be rejected (``rejected_on_board``). A request with
    ``assigned_vehicle`` is served by that vehicle only
    (``assigned_vehicle``). Ids the problem does not know, in stops or in
    rejections, are ``unknown_request``; a rejection needs a reason
    (``rejection_reason``).
Windows and ride time
    The pickup's start lies in ``pickup_window`` (``pickup_window``), the
    drop-off's start in ``dropoff_window`` (``dropoff_window``). Ride time =
    drop-off start - (pickup start + service time), or drop-off start -
    ``picked_up_at`` for a request already on board; it must not exceed
    ``problem.ride_limit(request)`` (``ride_time``).
Capacity
    Seats and wheelchair places on board, recomputed from the stops, never
    exceed the vehicle's (``capacity_seats``, ``capacity_wheelchair``); each
    stop's stated ``load`` and ``wheelchair_load`` equal the recomputed
    values after the stop (``load_mismatch``).
Breaks
    A BREAK stop is taken with the vehicle empty, at ``Break.location`` (the
    vehicle's end depot when None), starts no earlier than
    ``earliest_start``, lasts at least ``duration`` before departure and ends
    (start + duration) no later than ``latest_end``. BREAK stops are paired
    with the vehicle's breaks by a maximum matching, so their order does not
    matter. A used route (one serving a request, :attr:`Route.is_used`)
    takes each of its vehicle's breaks exactly once; a vehicle that serves
    nobody needs no break (its driver is not working), but any BREAK stop it
    does have must still be valid. Every failure here is ``break``.

Messages number the stops of a route from 0 (the START stop).

Costs (:func:`evaluate`)
------------------------
Distance and driving time are summed over the arcs between consecutive stops
of every route. A route's duration is END arrival - START departure. The
cost of a vehicle is its ``fixed_cost`` if the route is used, plus
``cost_per_hour`` * duration in hours plus ``cost_per_km`` * distance in km.
Ride time enters the objective as passenger-seconds (ride time times
passengers). The number of rejections is the number of the problem's
requests the plan does not serve (for a valid plan, exactly the rejected
ones). The objective is the weighted sum documented in
:class:`~transit.darp.data.ObjectiveWeights`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from transit.darp.data import Break, Plan, Problem, Request, Route, Stop, StopKind, Vehicle

__all__ = ["KINDS", "PlanCost", "Violation", "check", "evaluate"]

KINDS = frozenset(
    {
        "missing_route",
        "duplicate_route",
        "unknown_vehicle",
        "start_end",
        "shift",
        "route_duration",
        "location",
        "unreachable",
        "travel_time",
        "schedule",
        "missing_request",
        "duplicate_request",
        "unknown_request",
        "unpaired",
        "same_vehicle",
        "precedence",
        "assigned_vehicle",
        "rejected_and_served",
        "rejected_on_board",
        "rejection_reason",
        "pickup_window",
        "dropoff_window",
        "ride_time",
        "capacity_seats",
        "capacity_wheelchair",
        "load_mismatch",
        "break",
    }
)
"""Every violation kind :func:`check` can report."""

_SERVICE_KINDS = (StopKind.PICKUP, StopKind.DROPOFF)


@dataclass(frozen=True, slots=True)
class Violation:
    """One way in which a plan breaks the contract.

    Parameters
    ----------
    kind
        A short stable code, one of :data:`KINDS`.
    message
        What is wrong, in plain words.
    vehicle_id
        The vehicle concerned, if any.
    request_id
        The request concerned, if any.
    """

    kind: str
    message: str
    vehicle_id: str | None = None
    request_id: str | None = None

    def __str__(self) -> str:
        where = []
        if self.vehicle_id is not None:
            where.append(f"vehicle {self.vehicle_id}")
        if self.request_id is not None:
            where.append(f"request {self.request_id}")
        prefix = f"[{self.kind}] " + (", ".join(where) + ": " if where else "")
        return prefix + self.message


@dataclass(frozen=True)
class PlanCost:
    """The costs of a plan, recomputed from the problem's matrices.

    Parameters
    ----------
    objective
        The weighted objective (see :class:`~transit.darp.data.ObjectiveWeights`).
    distance
        Total distance driven by all vehicles (matrix units, metres).
    travel_time
        Total driving time, seconds (waiting and service excluded).
    ride_time
        Passenger-seconds on board: sum over served requests of ride time
        times passengers.
    vehicle_cost
        Total operating cost of the vehicles.
    served
        Number of requests with a drop-off in some route.
    rejected
        Number of the problem's requests that are not served.
    vehicles_used
        Number of routes that serve at least one request.
    route_duration
        Per vehicle id, END arrival - START departure (0 for an empty route).
    route_distance
        Per vehicle id, the distance driven.
    route_cost
        Per vehicle id, its operating cost.
    ride_times
        Per served request id, its ride time in seconds.
    """

    objective: float
    distance: float
    travel_time: float
    ride_time: float
    vehicle_cost: float
    served: int
    rejected: int
    vehicles_used: int
    route_duration: Mapping[str, float] = field(default_factory=dict)
    route_distance: Mapping[str, float] = field(default_factory=dict)
    route_cost: Mapping[str, float] = field(default_factory=dict)
    ride_times: Mapping[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------
# check
# --------------------------------------------------------------------------

_Add = Callable[..., None]  # add(kind, message, request_id=None)


def check(problem: Problem, plan: Plan, *, tol: float = 1e-6) -> list[Violation]:
    """Return every way in which ``plan`` breaks the contract of this module.

    Parameters
    ----------
    problem
        The problem the plan claims to solve.
    plan
        The plan to check.
    tol
        Absolute slack allowed in every comparison of times.

    Returns
    -------
    list of Violation
        Empty if and only if the plan is valid.
    """
    out: list[Violation] = []
    routes = _routes_by_vehicle(problem, plan, out)
    visits: dict[str, list[_Visit]] = {}
    for vehicle in problem.vehicles:
        route = routes.get(vehicle.id)
        if route is not None and route.stops:
            _check_route(problem, vehicle, route, tol, out, visits)
    _check_requests(problem, plan, visits, tol, out)
    return out


@dataclass(frozen=True, slots=True)
class _Visit:
    """Where a PICKUP or DROPOFF of a known request happens."""

    vehicle_id: str
    position: int
    stop: Stop


def _routes_by_vehicle(problem: Problem, plan: Plan, out: list[Violation]) -> dict[str, Route]:
    """Map vehicle id to its route, reporting unknown, missing and repeated routes."""
    known = {v.id for v in problem.vehicles}
    routes: dict[str, Route] = {}
    for route in plan.routes:
        vid = route.vehicle_id
        if vid not in known:
            msg = "the plan has a route for a vehicle the problem does not know"
            out.append(Violation("unknown_vehicle", msg, vehicle_id=vid))
        elif vid in routes:
            msg = "the vehicle has more than one route; only the first is checked"
            out.append(Violation("duplicate_route", msg, vehicle_id=vid))
        else:
            routes[vid] = route
    for vehicle in problem.vehicles:
        if vehicle.id not in routes:
            msg = "the plan has no route for this vehicle (an unused vehicle has an empty route)"
            out.append(Violation("missing_route", msg, vehicle_id=vehicle.id))
    return routes


def _service_time(problem: Problem, stop: Stop) -> float:
    """Return the service time at a PICKUP or DROPOFF (0 elsewhere and for unknown requests)."""
    if stop.kind in _SERVICE_KINDS and stop.request_id is not None:
        try:
            return problem.request(stop.request_id).service_time
        except KeyError:
            return 0.0
    return 0.0


def _check_route(
    problem: Problem,
    vehicle: Vehicle,
    route: Route,
    tol: float,
    out: list[Violation],
    visits: dict[str, list[_Visit]],
) -> None:
    """Check one non-empty route and record where its requests are visited."""

    def add(kind: str, msg: str, request_id: str | None = None) -> None:
        out.append(Violation(kind, msg, vehicle_id=vehicle.id, request_id=request_id))

    _check_shape(vehicle, route.stops, add)
    located = _check_numbers(problem, route.stops, add)
    _check_schedule(problem, route.stops, located, tol, add)
    _check_shift(vehicle, route.stops, tol, add)
    empty = _check_loads(problem, vehicle, route.stops, located, add, visits)
    _check_breaks(vehicle, route, empty, tol, add)


def _check_shape(vehicle: Vehicle, stops: tuple[Stop, ...], add: _Add) -> None:
    """Check START first at the start depot, END last at the end depot, none between."""
    first, last = stops[0], stops[-1]
    if first.kind != StopKind.START:
        add("start_end", f"the route begins with a {first.kind.name} stop, not START")
    elif first.location != vehicle.start_depot:
        msg = f"START is at location {first.location}, not at the start depot {vehicle.start_depot}"
        add("start_end", msg)
    if last.kind != StopKind.END or len(stops) < 2:
        add("start_end", f"the route ends with a {last.kind.name} stop, not END")
    elif last.location != vehicle.end_depot:
        add("start_end", f"END is at location {last.location}, not at the end depot {vehicle.end_depot}")
    for i, stop in enumerate(stops[1:-1], start=1):
        if stop.kind in (StopKind.START, StopKind.END):
            add("start_end", f"stop {i} ({stop.kind.name}) is in the middle of the route")


def _check_numbers(problem: Problem, stops: tuple[Stop, ...], add: _Add) -> list[bool]:
    """Check that times are finite and locations inside the matrices; return which are."""
    n = problem.n_locations
    located = []
    for i, stop in enumerate(stops):
        if not all(math.isfinite(t) for t in (stop.arrival, stop.start, stop.departure)):
            add("schedule", f"stop {i} has a time that is not a finite number", stop.request_id)
        located.append(0 <= stop.location < n)
        if not located[-1]:
            msg = f"stop {i} is at location {stop.location}, outside the matrices (size {n})"
            add("location", msg, stop.request_id)
    return located


def _check_schedule(
    problem: Problem, stops: tuple[Stop, ...], located: list[bool], tol: float, add: _Add
) -> None:
    """Check arrival = previous departure + travel, start >= arrival, departure after service."""
    for i, stop in enumerate(stops):
        rid = stop.request_id
        if i > 0 and located[i] and located[i - 1]:
            prev = stops[i - 1]
            tt = float(problem.travel_time[prev.location, stop.location])
            if math.isinf(tt):
                msg = f"location {stop.location} (stop {i}) cannot be reached from location {prev.location}"
                add("unreachable", msg, rid)
            elif abs(stop.arrival - (prev.departure + tt)) > tol:
                msg = (
                    f"stop {i} arrives at {stop.arrival:.3f} s, but leaving the previous stop at "
                    f"{prev.departure:.3f} s with {tt:.3f} s of travel gives {prev.departure + tt:.3f} s"
                )
                add("travel_time", msg, rid)
        if stop.start < stop.arrival - tol:
            msg = f"stop {i} starts service at {stop.start:.3f} s, before arriving at {stop.arrival:.3f} s"
            add("schedule", msg, rid)
        service = _service_time(problem, stop)
        if stop.departure < stop.start + service - tol:
            msg = (
                f"stop {i} departs at {stop.departure:.3f} s, before its {service:.3f} s of service "
                f"starting at {stop.start:.3f} s are over"
            )
            add("schedule", msg, rid)


def _check_shift(vehicle: Vehicle, stops: tuple[Stop, ...], tol: float, add: _Add) -> None:
    """Check the route against the shift and the maximum route duration."""
    first, last = stops[0], stops[-1]
    shift = vehicle.shift
    if first.kind == StopKind.START and first.departure < shift.earliest - tol:
        msg = (
            f"the route leaves the depot at {first.departure:.3f} s, "
            f"before the shift starts at {shift.earliest:.3f} s"
        )
        add("shift", msg)
    if last.kind == StopKind.END and last.arrival > shift.latest + tol:
        msg = (
            f"the route is back at the depot at {last.arrival:.3f} s, "
            f"after the shift ends at {shift.latest:.3f} s"
        )
        add("shift", msg)
    limit = vehicle.max_route_duration
    if limit is not None and last.arrival - first.departure > limit + tol:
        msg = f"the route lasts {last.arrival - first.departure:.3f} s, more than the maximum {limit:.3f} s"
        add("route_duration", msg)


def _check_loads(
    problem: Problem,
    vehicle: Vehicle,
    stops: tuple[Stop, ...],
    located: list[bool],
    add: _Add,
    visits: dict[str, list[_Visit]],
) -> list[bool]:
    """Recompute the loads, check capacity and stop locations, record visits.

    Returns, per stop, whether the vehicle is empty after it.
    """
    # Passengers already on board this vehicle ride from the start of the route.
    on_board = {r.id: r for r in problem.requests if r.on_board and r.assigned_vehicle == vehicle.id}
    seats = sum(r.passengers for r in on_board.values())
    wheelchairs = sum(r.wheelchair for r in on_board.values())
    empty = []
    for i, stop in enumerate(stops):
        rid = stop.request_id
        if stop.kind in _SERVICE_KINDS and rid is not None:
            try:
                request: Request | None = problem.request(rid)
            except KeyError:
                add("unknown_request", f"stop {i} serves a request the problem does not know", rid)
                request = None
            if request is not None:
                visits.setdefault(rid, []).append(_Visit(vehicle.id, i, stop))
                expected = request.pickup if stop.kind == StopKind.PICKUP else request.dropoff
                if located[i] and stop.location != expected:
                    msg = f"the {stop.kind.name} (stop {i}) is at location {stop.location}, not at {expected}"
                    add("location", msg, rid)
                if stop.kind == StopKind.PICKUP and rid not in on_board and not request.on_board:
                    on_board[rid] = request
                    seats += request.passengers
                    wheelchairs += request.wheelchair
                elif stop.kind == StopKind.DROPOFF and rid in on_board:
                    del on_board[rid]
                    seats -= request.passengers
                    wheelchairs -= request.wheelchair
                # Any other case (a second pickup, a drop-off of someone not on
                # board) is reported by the request checks; the load is left alone.
        if seats > vehicle.seats:
            msg = f"{seats} seats occupied after stop {i}, the vehicle has {vehicle.seats}"
            add("capacity_seats", msg, rid)
        if wheelchairs > vehicle.wheelchair:
            msg = (
                f"{wheelchairs} wheelchair places occupied after stop {i}, "
                f"the vehicle has {vehicle.wheelchair}"
            )
            add("capacity_wheelchair", msg, rid)
        if stop.load != seats or stop.wheelchair_load != wheelchairs:
            msg = (
                f"stop {i} states load {stop.load} seats / {stop.wheelchair_load} wheelchairs, "
                f"the stops give {seats} / {wheelchairs}"
            )
            add("load_mismatch", msg, rid)
        empty.append(seats == 0 and wheelchairs == 0)
    return empty


def _break_failures(vehicle: Vehicle, brk: Break, stop: Stop, tol: float) -> list[str]:
    """Return why ``stop`` cannot be ``brk`` (empty if it can)."""
    why = []
    where = vehicle.end_depot if brk.location is None else brk.location
    if stop.location != where:
        why.append(f"it is at location {stop.location}, not at {where}")
    if stop.start < brk.earliest_start - tol:
        why.append(f"it starts at {stop.start:.3f} s, before {brk.earliest_start:.3f} s")
    if stop.start + brk.duration > brk.latest_end + tol:
        why.append(f"it ends at {stop.start + brk.duration:.3f} s, after {brk.latest_end:.3f} s")
    if stop.departure < stop.start + brk.duration - tol:
        why.append(f"it lasts {stop.departure - stop.start:.3f} s, not {brk.duration:.3f} s")
    return why


def _check_breaks(vehicle: Vehicle, route: Route, empty: list[bool], tol: float, add: _Add) -> None:
    """Pair BREAK stops with the vehicle's breaks and report what does not fit."""
    positions = [i for i, s in enumerate(route.stops) if s.kind == StopKind.BREAK]
    for i in positions:
        if not empty[i]:
            add("break", f"the break at stop {i} is taken with passengers on board")
    breaks = list(vehicle.breaks)
    fits = {
        (i, j): not _break_failures(vehicle, b, route.stops[i], tol)
        for i in positions
        for j, b in enumerate(breaks)
    }
    match = _max_matching(positions, len(breaks), fits)  # break index -> stop position
    taken = set(match.values())
    for i in positions:
        if i in taken:
            continue
        if not breaks:
            add("break", f"stop {i} is a break, but the vehicle has no break to take")
            continue
        # In a maximum matching an unmatched stop fits none of the unmatched breaks.
        reasons = [
            f"break {j + 1}: " + "; ".join(_break_failures(vehicle, b, route.stops[i], tol))
            for j, b in enumerate(breaks)
            if j not in match
        ] or ["every break of the vehicle is already taken at another stop"]
        add("break", f"the break at stop {i} fits none of the vehicle's breaks ({' | '.join(reasons)})")
    if route.is_used:
        for j, b in enumerate(breaks):
            if j not in match:
                msg = (
                    f"break {j + 1} ({b.duration:g} s within [{b.earliest_start:g}, {b.latest_end:g}] s) "
                    "is not taken although the vehicle serves requests"
                )
                add("break", msg)


def _max_matching(left: list[int], n_right: int, fits: dict[tuple[int, int], bool]) -> dict[int, int]:
    """Return a maximum matching right -> left of a small bipartite graph (augmenting paths)."""
    match: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in range(n_right):
            if fits[(i, j)] and j not in seen:
                seen.add(j)
                if j not in match or augment(match[j], seen):
                    match[j] = i
                    return True
        return False

    for i in left:
        augment(i, set())
    return match


def _check_requests(
    problem: Problem,
    plan: Plan,
    visits: dict[str, list[_Visit]],
    tol: float,
    out: list[Violation],
) -> None:
    """Check that every request is served once or rejected, with its windows and ride time."""
    rejected: dict[str, int] = {}
    for rejection in plan.rejected:
        rid = rejection.request_id
        try:
            problem.request(rid)
        except KeyError:
            msg = "the plan rejects a request the problem does not know"
            out.append(Violation("unknown_request", msg, request_id=rid))
            continue
        rejected[rid] = rejected.get(rid, 0) + 1
        if not isinstance(rejection.reason, str) or not rejection.reason.strip():
            msg = "the request is rejected without a reason"
            out.append(Violation("rejection_reason", msg, request_id=rid))
    for request in problem.requests:
        _check_request(problem, request, rejected.get(request.id, 0), visits.get(request.id, []), tol, out)


def _check_request(
    problem: Problem,
    request: Request,
    times_rejected: int,
    visits: list[_Visit],
    tol: float,
    out: list[Violation],
) -> None:
    """Check how one request is served (or rejected)."""

    def add(kind: str, msg: str, vehicle_id: str | None = None) -> None:
        out.append(Violation(kind, msg, vehicle_id=vehicle_id, request_id=request.id))

    assigned = request.assigned_vehicle
    pickups = [v for v in visits if v.stop.kind == StopKind.PICKUP]
    dropoffs = [v for v in visits if v.stop.kind == StopKind.DROPOFF]
    if times_rejected > 1:
        add("duplicate_request", f"the request is rejected {times_rejected} times")
    if times_rejected:
        if request.on_board:
            msg = f"the passengers are on board vehicle {assigned} already and cannot be rejected"
            add("rejected_on_board", msg)
        if visits:
            msg = "the request is rejected but also has stops in a route"
            add("rejected_and_served", msg, visits[0].vehicle_id)
        return
    if not visits:
        add("missing_request", "the request is neither served nor rejected")
        return
    if len(pickups) > 1 or len(dropoffs) > 1:
        msg = f"the request has {len(pickups)} pickups and {len(dropoffs)} drop-offs; it must be served once"
        add("duplicate_request", msg)
        return
    wrong = [v.vehicle_id for v in visits if assigned is not None and v.vehicle_id != assigned]
    if wrong:
        add("assigned_vehicle", f"served by vehicle {wrong[0]}, but assigned to vehicle {assigned}", wrong[0])

    if request.on_board:
        if pickups:
            msg = "the passengers are already on board; the request must have a drop-off only"
            add("unpaired", msg, pickups[0].vehicle_id)
            return
        drop = dropoffs[0]
        assert request.picked_up_at is not None
        boarded = request.picked_up_at
    else:
        if not pickups or not dropoffs:
            which = "picked up but never dropped off" if pickups else "dropped off but never picked up"
            add("unpaired", f"the request is {which}", visits[0].vehicle_id)
            return
        pick, drop = pickups[0], dropoffs[0]
        if pick.vehicle_id != drop.vehicle_id:
            msg = f"picked up by vehicle {pick.vehicle_id} but dropped off by vehicle {drop.vehicle_id}"
            add("same_vehicle", msg)
            return
        if pick.position > drop.position:
            msg = f"dropped off at stop {drop.position} before being picked up at stop {pick.position}"
            add("precedence", msg, drop.vehicle_id)
            return
        window = request.pickup_window
        if not window.contains(pick.stop.start, tol):
            msg = (
                f"pickup starts at {pick.stop.start:.3f} s, outside its window "
                f"[{window.earliest:.3f}, {window.latest:.3f}] s"
            )
            add("pickup_window", msg, pick.vehicle_id)
        boarded = pick.stop.start + request.service_time

    window = request.dropoff_window
    if not window.contains(drop.stop.start, tol):
        msg = (
            f"drop-off starts at {drop.stop.start:.3f} s, outside its window "
            f"[{window.earliest:.3f}, {window.latest:.3f}] s"
        )
        add("dropoff_window", msg, drop.vehicle_id)
    ride = drop.stop.start - boarded
    limit = problem.ride_limit(request)
    if ride > limit + tol:
        add("ride_time", f"ride time {ride:.3f} s exceeds the limit {limit:.3f} s", drop.vehicle_id)


# --------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------


def evaluate(problem: Problem, plan: Plan) -> PlanCost:
    """Recompute the costs and the objective of ``plan`` from the matrices.

    Works on any plan, valid or not (run :func:`check` to know which): arcs
    with a location outside the matrices are skipped, routes of unknown
    vehicles are ignored, and only the first route of a vehicle counts.

    Parameters
    ----------
    problem
        The problem the plan claims to solve.
    plan
        The plan to evaluate.

    Returns
    -------
    PlanCost
        Distances, times, costs and the weighted objective.
    """
    n = problem.n_locations
    known = {v.id: v for v in problem.vehicles}
    seen: set[str] = set()
    route_duration: dict[str, float] = {}
    route_distance: dict[str, float] = {}
    route_cost: dict[str, float] = {}
    total_time = 0.0
    used = 0
    pickup_end: dict[str, float] = {}
    dropoff_start: dict[str, float] = {}
    for route in plan.routes:
        vehicle = known.get(route.vehicle_id)
        if vehicle is None or vehicle.id in seen:
            continue
        seen.add(vehicle.id)
        stops = route.stops
        dist = 0.0
        for prev, stop in zip(stops, stops[1:]):
            if 0 <= prev.location < n and 0 <= stop.location < n:
                dist += float(problem.distance[prev.location, stop.location])
                total_time += float(problem.travel_time[prev.location, stop.location])
        duration = stops[-1].arrival - stops[0].departure if len(stops) >= 2 else 0.0
        cost = vehicle.cost_per_hour * duration / 3600.0 + vehicle.cost_per_km * dist / 1000.0
        if route.is_used:
            used += 1
            cost += vehicle.fixed_cost
        route_duration[vehicle.id] = duration
        route_distance[vehicle.id] = dist
        route_cost[vehicle.id] = cost
        for stop in stops:
            if stop.kind == StopKind.PICKUP and stop.request_id not in pickup_end:
                pickup_end[stop.request_id] = stop.start + _service_time(problem, stop)  # type: ignore[index]
            elif stop.kind == StopKind.DROPOFF and stop.request_id not in dropoff_start:
                dropoff_start[stop.request_id] = stop.start  # type: ignore[index]

    ride_times: dict[str, float] = {}
    passenger_seconds = 0.0
    for request in problem.requests:
        if request.id not in dropoff_start:
            continue
        boarded = request.picked_up_at if request.on_board else pickup_end.get(request.id)
        if boarded is None:
            continue
        ride = dropoff_start[request.id] - boarded
        ride_times[request.id] = ride
        passenger_seconds += ride * request.passengers

    served = sum(1 for r in problem.requests if r.id in dropoff_start)
    rejected = len(problem.requests) - served
    distance = sum(route_distance.values())
    vehicle_cost = sum(route_cost.values())
    w = problem.weights
    terms = (
        (w.travel_time, total_time),
        (w.distance, distance),
        (w.ride_time, passenger_seconds),
        (w.vehicle_cost, vehicle_cost),
        (w.rejection, float(rejected)),
    )
    # A zero weight ignores its term even if the term is infinite (unreachable arcs).
    objective = sum(weight * value for weight, value in terms if weight != 0)
    return PlanCost(
        objective=objective,
        distance=distance,
        travel_time=total_time,
        ride_time=passenger_seconds,
        vehicle_cost=vehicle_cost,
        served=served,
        rejected=rejected,
        vehicles_used=used,
        route_duration=route_duration,
        route_distance=route_distance,
        route_cost=route_cost,
        ride_times=ride_times,
    )
