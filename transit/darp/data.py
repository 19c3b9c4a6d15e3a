"""The frozen data model of a dial-a-ride problem and its plan.

Everything here is immutable and validated on construction; change an object
with :meth:`replace`, which returns a validated copy. The solver, the checker,
the simulation and the exports all speak these types; none of them is tied to
OR-Tools.

Units
-----
Times are seconds since midnight of the service day (floats; values past
86,400 are after midnight). Distances are metres. Locations are indices into
the problem's travel-time and distance matrices; mapping them to graph nodes
or coordinates is the caller's business.

Ride time of a request is measured the way Cordeau (2006) does: from the end
of service at the pickup (boarding done) to the start of service at the
drop-off.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from transit.errors import ProblemDataError

__all__ = [
    "OPEN",
    "Break",
    "ObjectiveWeights",
    "Plan",
    "Problem",
    "Rejection",
    "Request",
    "Route",
    "SolverStats",
    "Stop",
    "StopKind",
    "TimeWindow",
    "Vehicle",
]


def _check_finite(name: str, value: float, *, allow_inf: bool = False) -> None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"{name} must be a number, got {value!r}"
        raise ProblemDataError(msg)
    if math.isnan(value) or (not allow_inf and math.isinf(value)):
        msg = f"{name} must be a finite number, got {value!r}"
        raise ProblemDataError(msg)


def _check_count(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        msg = f"{name} must be an integer, got {value!r}"
        raise ProblemDataError(msg)
    if value < minimum:
        msg = f"{name} must be >= {minimum}, got {value}"
        raise ProblemDataError(msg)


class _Replaceable:
    """Mixin giving frozen dataclasses a validated ``replace``."""

    def replace(self, **changes: Any) -> Any:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True, slots=True)
class TimeWindow(_Replaceable):
    """A closed interval of allowed times; either end may be open (infinite).

    Parameters
    ----------
    earliest
        Earliest allowed time in seconds, ``-inf`` if open.
    latest
        Latest allowed time in seconds, ``inf`` if open.
    """

    earliest: float = -math.inf
    latest: float = math.inf

    def __post_init__(self) -> None:
        _check_finite("window start", self.earliest, allow_inf=True)
        _check_finite("window end", self.latest, allow_inf=True)
        if self.earliest == math.inf or self.latest == -math.inf:
            msg = f"window [{self.earliest}, {self.latest}] is empty"
            raise ProblemDataError(msg)
        if self.latest < self.earliest:
            msg = (
                f"time window ends ({self.latest:g} s) before it starts "
                f"({self.earliest:g} s)"
            )
            raise ProblemDataError(msg)

    @property
    def is_open(self) -> bool:
        """Whether both ends are open."""
        return self.earliest == -math.inf and self.latest == math.inf

    def contains(self, t: float, tol: float = 0.0) -> bool:
        """Return whether ``t`` lies in the window, with tolerance ``tol``."""
        return self.earliest - tol <= t <= self.latest + tol


OPEN = TimeWindow()


@dataclass(frozen=True, slots=True)
class Request(_Replaceable):
    """One booking: a group travelling from a pickup to a drop-off location.

    Parameters
    ----------
    id
        Unique identifier (the booking's ``request_id``).
    pickup, dropoff
        Location indices into the problem's matrices.
    passengers
        Seats needed (>= 1).
    wheelchair
        Wheelchair places needed (>= 0), in addition to the seats.
    pickup_window
        Allowed start of service at the pickup.
    dropoff_window
        Allowed start of service at the drop-off.
    max_ride_time
        Absolute maximum ride time in seconds, or None.
    max_ride_alpha, max_ride_beta
        Relative maximum ride time ``alpha * direct + beta`` (seconds), used
        when ``max_ride_alpha`` is set. With both limits set the smaller holds.
    service_fixed
        Dwell time at each of the two stops, seconds.
    service_per_passenger
        Boarding (and alighting) time per seat, seconds.
    service_per_wheelchair
        Extra boarding (and alighting) time per wheelchair place, seconds.
    assigned_vehicle
        If set, only this vehicle may serve the request (a promise already made).
    picked_up_at
        If set, the passengers are already on board ``assigned_vehicle``: boarding
        ended at this time, only the drop-off remains, and the ride-time limit
        counts from here. The pickup location is then informational.
    """

    id: str
    pickup: int
    dropoff: int
    passengers: int = 1
    wheelchair: int = 0
    pickup_window: TimeWindow = OPEN
    dropoff_window: TimeWindow = OPEN
    max_ride_time: float | None = None
    max_ride_alpha: float | None = None
    max_ride_beta: float = 0.0
    service_fixed: float = 0.0
    service_per_passenger: float = 0.0
    service_per_wheelchair: float = 0.0
    assigned_vehicle: str | None = None
    picked_up_at: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            msg = f"request id must be a non-empty string, got {self.id!r}"
            raise ProblemDataError(msg)
        where = f"request {self.id!r}"
        _check_count(f"{where}: pickup location", self.pickup, 0)
        _check_count(f"{where}: drop-off location", self.dropoff, 0)
        _check_count(f"{where}: passengers", self.passengers, 1)
        _check_count(f"{where}: wheelchair places", self.wheelchair, 0)
        for name in ("pickup_window", "dropoff_window"):
            if not isinstance(getattr(self, name), TimeWindow):
                msg = f"{where}: {name} must be a TimeWindow"
                raise ProblemDataError(msg)
        if self.max_ride_time is not None:
            _check_finite(f"{where}: max_ride_time", self.max_ride_time)
            if self.max_ride_time < 0:
                msg = f"{where}: max_ride_time must be >= 0, got {self.max_ride_time}"
                raise ProblemDataError(msg)
        if self.max_ride_alpha is not None:
            _check_finite(f"{where}: max_ride_alpha", self.max_ride_alpha)
            if self.max_ride_alpha < 1:
                msg = f"{where}: max_ride_alpha must be >= 1, got {self.max_ride_alpha}"
                raise ProblemDataError(msg)
        _check_finite(f"{where}: max_ride_beta", self.max_ride_beta)
        if self.max_ride_beta < 0:
            msg = f"{where}: max_ride_beta must be >= 0, got {self.max_ride_beta}"
            raise ProblemDataError(msg)
        for name in ("service_fixed", "service_per_passenger", "service_per_wheelchair"):
            value = getattr(self, name)
            _check_finite(f"{where}: {name}", value)
            if value < 0:
                msg = f"{where}: {name} must be >= 0, got {value}"
                raise ProblemDataError(msg)
        if self.picked_up_at is not None:
            _check_finite(f"{where}: picked_up_at", self.picked_up_at)
            if self.assigned_vehicle is None:
                msg = f"{where}: a request on board (picked_up_at) needs assigned_vehicle"
                raise ProblemDataError(msg)

    @property
    def service_time(self) -> float:
        """Service (dwell plus boarding) time at the pickup and at the drop-off."""
        return (
            self.service_fixed
            + self.service_per_passenger * self.passengers
            + self.service_per_wheelchair * self.wheelchair
        )

    @property
    def on_board(self) -> bool:
        """Whether the passengers are already on board their assigned vehicle."""
        return self.picked_up_at is not None


@dataclass(frozen=True, slots=True)
class Break(_Replaceable):
    """A driver's break: ``duration`` seconds inside ``[earliest_start, latest_end]``.

    The vehicle is empty during the break and stands at ``location`` (the
    vehicle's end depot when None).
    """

    earliest_start: float
    latest_end: float
    duration: float
    location: int | None = None

    def __post_init__(self) -> None:
        _check_finite("break earliest_start", self.earliest_start)
        _check_finite("break latest_end", self.latest_end)
        _check_finite("break duration", self.duration)
        if self.duration <= 0:
            msg = f"break duration must be > 0, got {self.duration}"
            raise ProblemDataError(msg)
        if self.latest_end - self.earliest_start < self.duration:
            msg = (
                f"break window [{self.earliest_start:g}, {self.latest_end:g}] is shorter "
                f"than its duration {self.duration:g}"
            )
            raise ProblemDataError(msg)
        if self.location is not None:
            _check_count("break location", self.location, 0)


@dataclass(frozen=True, slots=True)
class Vehicle(_Replaceable):
    """A vehicle with its shift, capacity and cost rates.

    Parameters
    ----------
    id
        Unique identifier.
    start_depot, end_depot
        Location indices where the route starts and ends.
    seats
        Seats for passengers (>= 1).
    wheelchair
        Wheelchair places (>= 0).
    shift
        The route may leave ``start_depot`` no earlier than ``shift.earliest``
        and must be back at ``end_depot`` by ``shift.latest``.
    breaks
        Driver breaks to take during the shift.
    max_route_duration
        Upper bound on (end at depot - start at depot), seconds, or None.
    cost_per_hour, cost_per_km
        Operating cost rates (currency units).
    fixed_cost
        Cost of using the vehicle at all on this day.
    """

    id: str
    start_depot: int
    end_depot: int
    seats: int
    wheelchair: int = 0
    shift: TimeWindow = OPEN
    breaks: tuple[Break, ...] = ()
    max_route_duration: float | None = None
    cost_per_hour: float = 0.0
    cost_per_km: float = 0.0
    fixed_cost: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            msg = f"vehicle id must be a non-empty string, got {self.id!r}"
            raise ProblemDataError(msg)
        where = f"vehicle {self.id!r}"
        _check_count(f"{where}: start depot", self.start_depot, 0)
        _check_count(f"{where}: end depot", self.end_depot, 0)
        _check_count(f"{where}: seats", self.seats, 1)
        _check_count(f"{where}: wheelchair places", self.wheelchair, 0)
        if not isinstance(self.shift, TimeWindow):
            msg = f"{where}: shift must be a TimeWindow"
            raise ProblemDataError(msg)
        object.__setattr__(self, "breaks", tuple(self.breaks))
        for b in self.breaks:
            if not isinstance(b, Break):
                msg = f"{where}: breaks must be Break objects"
                raise ProblemDataError(msg)
            if b.earliest_start < self.shift.earliest or b.latest_end > self.shift.latest:
                msg = f"{where}: a break window lies outside the shift"
                raise ProblemDataError(msg)
        if self.max_route_duration is not None:
            _check_finite(f"{where}: max_route_duration", self.max_route_duration)
            if self.max_route_duration <= 0:
                msg = f"{where}: max_route_duration must be > 0"
                raise ProblemDataError(msg)
        for name in ("cost_per_hour", "cost_per_km", "fixed_cost"):
            value = getattr(self, name)
            _check_finite(f"{where}: {name}", value)
            if value < 0:
                msg = f"{where}: {name} must be >= 0, got {value}"
                raise ProblemDataError(msg)

    def fits(self, request: Request) -> bool:
        """Return whether the request fits into the empty vehicle."""
        return request.passengers <= self.seats and request.wheelchair <= self.wheelchair


@dataclass(frozen=True, slots=True)
class ObjectiveWeights(_Replaceable):
    """Weights of the objective the solver minimises.

    objective = travel_time * (seconds driven) + distance * (metres driven)
              + ride_time * (passenger-seconds on board)
              + vehicle_cost * (each used vehicle's fixed cost + cost_per_hour
                                * route hours + cost_per_km * km)
              + rejection * (number of rejected requests)

    ``rejection`` must dominate: rejecting a request is only ever the answer
    when no plan serves it.
    """

    travel_time: float = 1.0
    distance: float = 0.0
    ride_time: float = 0.0
    vehicle_cost: float = 0.0
    rejection: float = 1e7

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            _check_finite(f"weight {f.name}", value)
            if value < 0:
                msg = f"weight {f.name} must be >= 0, got {value}"
                raise ProblemDataError(msg)
        if self.rejection <= 0:
            msg = "weight rejection must be > 0"
            raise ProblemDataError(msg)


def _readonly_matrix(name: str, m: Any) -> np.ndarray:
    arr = np.asarray(m, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        msg = f"{name} matrix must be square, got shape {arr.shape}"
        raise ProblemDataError(msg)
    if np.isnan(arr).any():
        msg = f"{name} matrix contains NaN"
        raise ProblemDataError(msg)
    if (arr < 0).any():
        msg = f"{name} matrix contains negative entries"
        raise ProblemDataError(msg)
    if arr.flags.writeable:
        # A private read-only copy; an array that is already read-only (for
        # example the matrix of another Problem) is shared as it is.
        arr = arr.copy()
        arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Problem(_Replaceable):
    """A dial-a-ride problem: requests, vehicles, matrices and weights.

    The matrices are copied into read-only float64 arrays; ``inf`` marks an
    unreachable pair.

    Raises
    ------
    ProblemDataError
        If ids repeat, a location index is outside the matrices, or an
        assignment names an unknown vehicle or one too small for it.

    Notes
    -----
    A request larger than every vehicle (a group booking of a school class)
    is a valid request that cannot be served: the solver rejects it with
    the reason "larger than every vehicle (seats or wheelchair places)".
    """

    requests: tuple[Request, ...]
    vehicles: tuple[Vehicle, ...]
    travel_time: np.ndarray
    distance: np.ndarray
    weights: ObjectiveWeights = field(default_factory=ObjectiveWeights)

    def __post_init__(self) -> None:
        object.__setattr__(self, "requests", tuple(self.requests))
        object.__setattr__(self, "vehicles", tuple(self.vehicles))
        tt = _readonly_matrix("travel_time", self.travel_time)
        dist = _readonly_matrix("distance", self.distance)
        if tt.shape != dist.shape:
            msg = f"travel_time {tt.shape} and distance {dist.shape} matrices differ in shape"
            raise ProblemDataError(msg)
        object.__setattr__(self, "travel_time", tt)
        object.__setattr__(self, "distance", dist)
        if not isinstance(self.weights, ObjectiveWeights):
            msg = "weights must be ObjectiveWeights"
            raise ProblemDataError(msg)
        n = tt.shape[0]
        vehicles: dict[str, Vehicle] = {}
        for v in self.vehicles:
            if not isinstance(v, Vehicle):
                msg = f"vehicles must be Vehicle objects, got {type(v).__name__}"
                raise ProblemDataError(msg)
            if v.id in vehicles:
                msg = f"vehicle id {v.id!r} appears twice"
                raise ProblemDataError(msg)
            vehicles[v.id] = v
            locs = [v.start_depot, v.end_depot] + [b.location for b in v.breaks if b.location is not None]
            for loc in locs:
                if loc >= n:
                    msg = f"vehicle {v.id!r}: location {loc} outside the matrices (size {n})"
                    raise ProblemDataError(msg)
        requests: dict[str, Request] = {}
        for r in self.requests:
            if not isinstance(r, Request):
                msg = f"requests must be Request objects, got {type(r).__name__}"
                raise ProblemDataError(msg)
            if r.id in requests:
                msg = f"request id {r.id!r} appears twice"
                raise ProblemDataError(msg)
            requests[r.id] = r
            for loc in (r.pickup, r.dropoff):
                if loc >= n:
                    msg = f"request {r.id!r}: location {loc} outside the matrices (size {n})"
                    raise ProblemDataError(msg)
            if r.assigned_vehicle is not None:
                v = vehicles.get(r.assigned_vehicle)
                if v is None:
                    msg = f"request {r.id!r}: assigned to unknown vehicle {r.assigned_vehicle!r}"
                    raise ProblemDataError(msg)
                if not v.fits(r):
                    msg = f"request {r.id!r}: does not fit its assigned vehicle {v.id!r}"
                    raise ProblemDataError(msg)
        object.__setattr__(self, "_requests_by_id", requests)
        object.__setattr__(self, "_vehicles_by_id", vehicles)

    @property
    def n_locations(self) -> int:
        """Number of locations (rows of the matrices)."""
        return int(self.travel_time.shape[0])

    def request(self, request_id: str) -> Request:
        """Return the request with this id (KeyError if unknown)."""
        return self._requests_by_id[request_id]  # type: ignore[attr-defined]

    def vehicle(self, vehicle_id: str) -> Vehicle:
        """Return the vehicle with this id (KeyError if unknown)."""
        return self._vehicles_by_id[vehicle_id]  # type: ignore[attr-defined]

    def direct_time(self, request: Request) -> float:
        """Travel time of the direct trip from pickup to drop-off, seconds."""
        return float(self.travel_time[request.pickup, request.dropoff])

    def direct_distance(self, request: Request) -> float:
        """Length of the direct trip from pickup to drop-off, metres."""
        return float(self.distance[request.pickup, request.dropoff])

    def ride_limit(self, request: Request) -> float:
        """Maximum ride time of a request in seconds (``inf`` if unlimited)."""
        limit = math.inf
        if request.max_ride_time is not None:
            limit = request.max_ride_time
        if request.max_ride_alpha is not None:
            limit = min(
                limit,
                request.max_ride_alpha * self.direct_time(request) + request.max_ride_beta,
            )
        return limit


class StopKind(StrEnum):
    """What happens at a stop of a route."""

    START = "start"
    PICKUP = "pickup"
    DROPOFF = "dropoff"
    BREAK = "break"
    END = "end"


@dataclass(frozen=True, slots=True)
class Stop(_Replaceable):
    """One stop of a route with its times and the load after it.

    ``arrival`` is when the vehicle gets there, ``start`` when service begins
    (after any waiting), ``departure`` when it leaves. ``load`` and
    ``wheelchair_load`` are the seats and wheelchair places occupied when
    the vehicle leaves.
    """

    kind: StopKind
    location: int
    arrival: float
    start: float
    departure: float
    load: int = 0
    wheelchair_load: int = 0
    request_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", StopKind(self.kind))
        if self.kind in (StopKind.PICKUP, StopKind.DROPOFF) and not self.request_id:
            msg = f"a {self.kind} stop needs a request_id"
            raise ProblemDataError(msg)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "kind": str(self.kind),
            "location": int(self.location),
            "arrival": float(self.arrival),
            "start": float(self.start),
            "departure": float(self.departure),
            "load": int(self.load),
            "wheelchair_load": int(self.wheelchair_load),
            "request_id": self.request_id,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Stop:
        """Inverse of :meth:`to_dict`."""
        return cls(
            kind=StopKind(d["kind"]),
            location=int(d["location"]),
            arrival=float(d["arrival"]),
            start=float(d["start"]),
            departure=float(d["departure"]),
            load=int(d.get("load", 0)),
            wheelchair_load=int(d.get("wheelchair_load", 0)),
            request_id=d.get("request_id"),
        )


@dataclass(frozen=True, slots=True)
class Route(_Replaceable):
    """The stops of one vehicle, in order; empty if the vehicle stays home."""

    vehicle_id: str
    stops: tuple[Stop, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "stops", tuple(self.stops))

    @property
    def request_ids(self) -> tuple[str, ...]:
        """Ids of the requests picked up or dropped off, in visiting order, once each."""
        seen: dict[str, None] = {}
        for s in self.stops:
            if s.request_id is not None and s.kind in (StopKind.PICKUP, StopKind.DROPOFF):
                seen.setdefault(s.request_id, None)
        return tuple(seen)

    @property
    def is_used(self) -> bool:
        """Whether the route serves any request."""
        return any(s.kind in (StopKind.PICKUP, StopKind.DROPOFF) for s in self.stops)


@dataclass(frozen=True, slots=True)
class Rejection(_Replaceable):
    """A request the plan does not serve, with the reason in plain words."""

    request_id: str
    reason: str


@dataclass(frozen=True)
class SolverStats(_Replaceable):
    """How the solver made a plan (figures only; they never change what a plan means).

    Every field has a neutral default, so a plan read from a file or put
    together by hand carries empty statistics.

    Parameters
    ----------
    strategy
        The search that made the plan (e.g. ``"regret insertion + ALNS"``).
    seed
        The solver's seed, if any.
    iterations, iteration_budget
        Search iterations done and the work budget they were allowed.
    time_limit_reached
        Whether the wall-clock cap ended the search (results may then differ between runs).
    stop_reason
        Why the search stopped, in plain words (empty when not stated).
    last_improvement
        The iteration that found the best solution's objective (0: none after the start).
    seconds, setup_seconds, first_solution_seconds, search_seconds
        Wall-clock times (left out of written files, which must not depend on the machine).
    first_solution_cost, first_solution_rejected
        Objective and rejected requests of the first (construction) solution.
    new_best, recombined, route_pool
        Improvements found, successful set-partitioning recombinations, and routes in the pool.
    destroy_weights, repair_weights
        Final adaptive weights of the destroy and repair operators.
    infeasible_routes
        Whether a route failed the solver's own feasibility test (never expected).
    """

    strategy: str = ""
    seed: int | None = None
    iterations: int = 0
    iteration_budget: int = 0
    time_limit_reached: bool = False
    stop_reason: str = ""
    last_improvement: int = 0
    seconds: float = math.nan
    setup_seconds: float = math.nan
    first_solution_seconds: float = math.nan
    search_seconds: float = math.nan
    first_solution_cost: float = math.nan
    first_solution_rejected: int = 0
    new_best: int = 0
    recombined: int = 0
    route_pool: int = 0
    destroy_weights: tuple[float, ...] = ()
    repair_weights: tuple[float, ...] = ()
    infeasible_routes: bool = False

    #: Fields that measure wall-clock time (machine-dependent).
    CLOCK_FIELDS = ("seconds", "setup_seconds", "first_solution_seconds", "search_seconds")

    def to_dict(self, *, clock: bool = True) -> dict[str, Any]:
        """Return a JSON-ready dict; ``clock=False`` leaves out the wall-clock times and unknown values."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not clock and f.name in self.CLOCK_FIELDS:
                continue
            if isinstance(value, float) and math.isnan(value):
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SolverStats:
        """Inverse of :meth:`to_dict` (keys it does not know are ignored).

        Raises
        ------
        ProblemDataError
            If a known key holds a value of the wrong kind.
        """
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in d:
                continue
            value = d[f.name]
            default = f.default
            try:
                if isinstance(default, tuple):
                    value = tuple(float(x) for x in value)
                elif isinstance(default, bool):
                    if not isinstance(value, bool):
                        raise TypeError
                elif isinstance(default, float):
                    value = math.nan if value is None else float(value)
                elif isinstance(default, int) or f.name == "seed":
                    if value is not None and (isinstance(value, bool) or int(value) != value):
                        raise TypeError
                    value = None if value is None else int(value)
                elif not isinstance(value, str):
                    raise TypeError
            except (TypeError, ValueError):
                msg = f"solver statistic {f.name!r} has a value of the wrong kind: {value!r}"
                raise ProblemDataError(msg) from None
            changes[f.name] = value
        return cls(**changes)


@dataclass(frozen=True)
class Plan(_Replaceable):
    """The solver's answer: one route per vehicle and the rejected requests.

    Parameters
    ----------
    routes
        One route per vehicle of the problem, in the problem's vehicle order.
    rejected
        Requests not served, each with a reason.
    objective
        The objective value the solver computed (the checker recomputes it).
    stats
        How the solver made the plan (:class:`SolverStats`).
    """

    routes: tuple[Route, ...]
    rejected: tuple[Rejection, ...] = ()
    objective: float = math.nan
    stats: SolverStats = field(default_factory=SolverStats)

    def __post_init__(self) -> None:
        object.__setattr__(self, "routes", tuple(self.routes))
        object.__setattr__(self, "rejected", tuple(self.rejected))
        if not isinstance(self.stats, SolverStats):
            msg = f"Plan.stats must be SolverStats, got {type(self.stats).__name__}"
            raise ProblemDataError(msg)

    def route(self, vehicle_id: str) -> Route:
        """Return the route of a vehicle (KeyError if none)."""
        for r in self.routes:
            if r.vehicle_id == vehicle_id:
                return r
        raise KeyError(vehicle_id)

    @property
    def served_ids(self) -> frozenset[str]:
        """Ids of requests with a drop-off in some route."""
        return frozenset(
            s.request_id
            for r in self.routes
            for s in r.stops
            if s.kind == StopKind.DROPOFF and s.request_id is not None
        )

    @property
    def rejected_ids(self) -> frozenset[str]:
        """Ids of rejected requests."""
        return frozenset(r.request_id for r in self.rejected)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (see :meth:`from_dict`)."""
        return {
            "routes": [
                {"vehicle_id": r.vehicle_id, "stops": [s.to_dict() for s in r.stops]}
                for r in self.routes
            ],
            "rejected": [
                {"request_id": x.request_id, "reason": x.reason} for x in self.rejected
            ],
            "objective": None if math.isnan(self.objective) else float(self.objective),
            "stats": self.stats.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Plan:
        """Inverse of :meth:`to_dict`."""
        objective = d.get("objective")
        return cls(
            routes=tuple(
                Route(r["vehicle_id"], tuple(Stop.from_dict(s) for s in r["stops"]))
                for r in d["routes"]
            ),
            rejected=tuple(Rejection(x["request_id"], x["reason"]) for x in d.get("rejected", ())),
            objective=math.nan if objective is None else float(objective),
            stats=SolverStats.from_dict(d.get("stats") or {}),
        )
