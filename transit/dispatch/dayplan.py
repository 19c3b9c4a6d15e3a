"""The state of a dispatched day (``plan.json``): enough to continue the day.

A :class:`DayPlan` is a checked plan together with everything it was made
from: the bookings, the fleet and service rules, the location table, the
road-network file, the objective weights, and the pickup windows promised to
passengers. :func:`write_plan_json` and :func:`read_plan_json` store and
restore it; :func:`rebuild_problem` recomputes the problem from a stored day
and a road network (the matrices are not stored: they follow from the graph).

``plan.json`` layout (version 2; version 1, without the event keys, is read too)::

    {
      "format": "transit-dispatch-plan", "version": 2,
      "service_date": "2026-11-25" | null,
      "now": null | seconds (the time of the last late-booking update),
      "network": {"path": "...graphml", "n_nodes": 620, "n_arcs": 1400},
      "max_snap_m": 500.0,
      "weights": {"travel_time": 1.0, ...},
      "fleet": {"service": {...}, "vehicle": [...]},     # fleet TOML as JSON
      "bookings": [{"request_id": ..., "pickup_lat": ..., ...}],
      "locations": [{"index", "node", "osm_id", "lat", "lon", "label"}],
      "promises": {"r1": [earliest, latest], ...},        # seconds
      "plan": {"routes": [...], "rejected": [...], "objective": ..., "stats": {...}},
      "status": {"r3": {"state": "cancelled" | "noshow", "at": seconds, "note": ""}},
      "overrides": {"r5": {"pickup_window": [a, b], ...}},  # transit.dispatch.state.Override
      "legs": {"r17~2": "r17"},                            # second legs after a breakdown
      "vehicles_out": {"bus-1": {"from": s, "until": s | null, "note": "", "run": "bus-1~2" | null}},
      "history": [{"action": "plan" | "add" | "update", "now": ..., "changes": [...], ...}]
    }

Times are seconds since midnight of the service day. ``bookings`` hold the
passengers' optional ``name``, ``phone`` and ``notes`` so that later updates
can print the driver manifests again; the file is the dispatcher's working
state, not something to publish. The history keeps what every command did,
with the changes each update made (:class:`~transit.dispatch.changes.Change`),
so the day's broken promises can be traced back.

:func:`read_plan_json` validates the file like any input
(:mod:`transit.dispatch.planread`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from transit.util.atomic import atomic_write_text
from transit.demand.bookings import Booking
from transit.errors import ProblemDataError, NetworkError
from transit.darp.fleet import Fleet
from transit.darp.data import ObjectiveWeights, Plan, Problem, TimeWindow
from transit.darp.build import BuiltProblem, Location, build_problem
from transit.dispatch.changes import Change
from transit.dispatch.planread import FORMAT, parse_plan_file
from transit.dispatch.state import Override, RequestStatus, apply_overrides
from transit.road.travel import RoadNetwork

if TYPE_CHECKING:
    from transit.darp.checker import PlanCost

__all__ = [
    "FORMAT",
    "VERSION",
    "AddStats",
    "DayPlan",
    "StoredDay",
    "apply_promises",
    "read_plan_json",
    "rebuild_problem",
    "write_plan_json",
]

VERSION = 2

@dataclass(frozen=True)
class AddStats:
    """What one ``dispatch add`` did.

    Parameters
    ----------
    now
        The time of the update, seconds since midnight.
    frozen_stops
        Stops already done at ``now`` (kept as they were).
    new_bookings, new_served
        New bookings given and how many of them are served.
    displacement_rounds
        Times the solver was run again after turning away new bookings that
        would have broken an earlier promise.
    events
        Events applied.
    broken_promises
        Promises the update had to break (``changes.csv`` lists them).
    relax_rounds
        Extra solver runs made to keep promises after events.
    """

    now: float
    frozen_stops: int
    new_bookings: int
    new_served: int
    displacement_rounds: int
    events: int = 0
    broken_promises: int = 0
    relax_rounds: int = 0


@dataclass(frozen=True, eq=False)
class DayPlan:
    """A checked plan of a service day and what it was made from.

    Parameters
    ----------
    built
        The problem (with promised pickup windows applied) and its location table.
    plan
        The plan; it passed :func:`transit.darp.checker.check` against ``built.problem``.
    promises
        Pickup window promised to each served request.
    network_path
        The road-network GraphML file.
    cost
        The plan's costs as the independent checker computed them when it
        accepted the plan.
    service_date
        The service day, if known.
    now
        Time of the last late-booking update (None for a plan made at the
        cut-off, before the day started).
    max_snap_m
        Snapping limit used for the bookings.
    history
        What was done to reach this plan (one dict per command).
    network_size
        ``(nodes, arcs)`` of the road network, a fingerprint.
    added
        What the last update did, when this plan came from one.
    status
        Bookings cancelled or not shown up.
    overrides
        How the day's problem differs from the bookings (events).
    legs
        Leg id -> booking id.
    vehicles_out
        Vehicles taken out of service, with ``from``, ``until``, ``note`` and
        ``run`` (the id of its second run).
    changes
        What the last update changed, booking by booking.
    """

    built: BuiltProblem
    plan: Plan
    promises: Mapping[str, TimeWindow]
    network_path: str
    cost: PlanCost
    service_date: dt.date | None = None
    now: float | None = None
    max_snap_m: float = 500.0
    history: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    network_size: tuple[int, int] = (0, 0)
    added: AddStats | None = None
    status: Mapping[str, RequestStatus] = field(default_factory=dict)
    overrides: Mapping[str, Override] = field(default_factory=dict)
    legs: Mapping[str, str] = field(default_factory=dict)
    vehicles_out: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()

    @property
    def problem(self) -> Problem:
        """The problem the plan solves."""
        return self.built.problem

    @property
    def fleet(self) -> Fleet:
        """The fleet and service rules."""
        return self.built.fleet

    @property
    def bookings(self) -> list[Booking]:
        """Every booking of the day, in booking order."""
        return list(self.built.bookings.values())


def apply_promises(problem: Problem, promises: Mapping[str, TimeWindow]) -> Problem:
    """Return ``problem`` with each promised request's pickup window narrowed to its promise.

    Raises
    ------
    ProblemDataError
        If a promise names an unknown request or does not overlap the
        request's own pickup window.
    """
    if not promises:
        return problem
    requests = []
    for r in problem.requests:
        p = promises.get(r.id)
        if p is None:
            requests.append(r)
            continue
        lo = max(p.earliest, r.pickup_window.earliest)
        hi = min(p.latest, r.pickup_window.latest)
        if hi < lo:
            msg = f"request {r.id!r}: the promised pickup window does not overlap its booking window"
            raise ProblemDataError(msg)
        requests.append(r.replace(pickup_window=TimeWindow(lo, hi)))
    unknown = sorted(set(promises) - {r.id for r in problem.requests})
    if unknown:
        msg = f"promises name unknown requests: {', '.join(unknown)}"
        raise ProblemDataError(msg)
    return problem.replace(requests=tuple(requests))


# --------------------------------------------------------------------------- writing


def _booking_dict(b: Booking) -> dict[str, Any]:
    return dataclasses.asdict(b)


def plan_dict(day: DayPlan) -> dict[str, Any]:
    """Return the JSON-ready content of ``plan.json``."""
    plan = day.plan.to_dict()
    plan["stats"] = day.plan.stats.to_dict(clock=False)  # equal inputs give equal files
    return {
        "format": FORMAT,
        "version": VERSION,
        "service_date": None if day.service_date is None else day.service_date.isoformat(),
        "now": day.now,
        "network": {
            "path": day.network_path,
            "n_nodes": day.network_size[0],
            "n_arcs": day.network_size[1],
        },
        "max_snap_m": day.max_snap_m,
        "weights": dataclasses.asdict(day.problem.weights),
        "fleet": day.fleet.to_dict(),
        "fleet_source": day.fleet.source,
        "bookings": [_booking_dict(b) for b in day.bookings],
        "locations": [loc.to_dict() for loc in day.built.locations],
        "promises": {rid: [w.earliest, w.latest] for rid, w in day.promises.items()},
        "plan": plan,
        "status": {rid: st.to_dict() for rid, st in day.status.items()},
        "overrides": {rid: o.to_dict() for rid, o in day.overrides.items()},
        "legs": dict(day.legs),
        "vehicles_out": {vid: dict(v) for vid, v in day.vehicles_out.items()},
        "history": [dict(h) for h in day.history],
    }


def write_plan_json(day: DayPlan, path: str | os.PathLike[str]) -> None:
    """Write ``plan.json`` atomically (stable key order, so equal days give equal files)."""
    text = json.dumps(plan_dict(day), indent=1, ensure_ascii=False, allow_nan=False)
    atomic_write_text(path, text + "\n")


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class StoredDay:
    """The content of a ``plan.json`` before the road network is loaded."""

    path: str
    service_date: dt.date | None
    now: float | None
    network_path: str
    max_snap_m: float
    weights: ObjectiveWeights
    fleet: Fleet
    bookings: tuple[Booking, ...]
    locations: tuple[Location, ...]
    promises: Mapping[str, TimeWindow]
    plan: Plan
    history: tuple[Mapping[str, Any], ...]
    status: Mapping[str, RequestStatus] = field(default_factory=dict)
    overrides: Mapping[str, Override] = field(default_factory=dict)
    legs: Mapping[str, str] = field(default_factory=dict)
    vehicles_out: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def read_plan_json(path: str | os.PathLike[str]) -> StoredDay:
    """Read a ``plan.json`` written by ``transit dispatch``, validated like any input.

    Raises
    ------
    InputErrors
        If the file is missing, not JSON, or not a valid dispatch plan, naming
        the JSON path of every value that is wrong
        (:func:`transit.dispatch.planread.parse_plan_file`).
    """
    return StoredDay(**parse_plan_file(path))


def rebuild_problem(
    stored: StoredDay,
    network: RoadNetwork,
    *,
    extra_bookings: Sequence[Booking] = (),
    source: str | None = None,
    check_stops: bool = True,
) -> BuiltProblem:
    """Recompute the day's problem (plus ``extra_bookings``) with the stored locations first.

    The stored locations keep their indices, so the stored plan's stops stay
    valid; the overrides of events and the promised pickup windows are
    applied. With ``check_stops`` every stop of the stored plan must lie
    where its request is.

    Raises
    ------
    NetworkError
        If the network is not the one the plan was made with (its nodes differ).
    InputErrors
        If an extra booking cannot be snapped.
    """
    for loc in stored.locations:
        if not (0 <= loc.node < network.n_nodes) or int(network.osm_ids[loc.node]) != loc.osm_id:
            msg = (
                f"the road network does not match the one {stored.path} was planned with "
                f"(node {loc.node} should be OSM node {loc.osm_id})"
            )
            raise NetworkError(msg)
    built = build_problem(
        [*stored.bookings, *extra_bookings],
        stored.fleet,
        network,
        weights=stored.weights,
        max_snap_m=stored.max_snap_m,
        source=source,
        base_nodes=[loc.node for loc in stored.locations],
    )
    problem = apply_overrides(built.problem, built.locations, stored.overrides)
    # Every stored booking and depot must land where it did when the plan was made.
    n_old = len(stored.locations)
    old_req = {b.request_id for b in stored.bookings} if check_stops else set()
    for route in stored.plan.routes:
        for stop in route.stops:
            if stop.request_id in old_req:
                r = problem.request(stop.request_id)
                want = r.pickup if stop.kind == "pickup" else r.dropoff
                if stop.kind in ("pickup", "dropoff") and want != stop.location:
                    msg = (
                        f"the road network does not match the one {stored.path} was planned with "
                        f"(booking {stop.request_id!r} snaps elsewhere)"
                    )
                    raise NetworkError(msg)
    if any(i >= n_old for pair in built.depots.values() for i in pair):
        msg = f"the road network does not match the one {stored.path} was planned with (depots moved)"
        raise NetworkError(msg)
    problem = apply_promises(problem, stored.promises)
    return dataclasses.replace(built, problem=problem)


def finite_or_none(x: float) -> float | None:
    """Return ``x`` or None if it is not finite (for JSON)."""
    return x if math.isfinite(x) else None
