"""The state of a dispatched day (``plan.json``): enough to continue the day.

A :class:`DayPlan` is a checked plan together with everything it was made
from: the bookings, the fleet and service rules, the location table, the
road-network file, the objective weights, and the pickup windows promised to
passengers. :func:`write_plan_json` and :func:`read_plan_json` store and
restore it; :func:`rebuild_problem` recomputes the problem from a stored day
and a road network (the matrices are not stored: they follow from the graph).

``plan.json`` layout (version 1)::

    {
      "format": "transit-dispatch-plan", "version": 1,
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
      "history": [{"action": "plan" | "add", ...}]
    }

Times are seconds since midnight of the service day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transit.util.atomic import atomic_write_text
from transit.demand.bookings import Booking
from transit.errors import InputError, InputErrors, ProblemDataError, NetworkError
from transit.darp.fleet import Fleet, parse_fleet
from transit.darp.data import ObjectiveWeights, Plan, Problem, TimeWindow
from transit.darp.build import BuiltProblem, Location, build_problem
from transit.road.travel import RoadNetwork

if TYPE_CHECKING:
    from transit.darp.checker import PlanCost

__all__ = [
    "FORMAT",
    "VERSION",
    "AddStats",
    "DayPlan",
    "apply_promises",
    "read_plan_json",
    "rebuild_problem",
    "write_plan_json",
]

FORMAT = "transit-dispatch-plan"
VERSION = 1

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
    """

    now: float
    frozen_stops: int
    new_bookings: int
    new_served: int
    displacement_rounds: int


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
        What the last ``dispatch add`` did, when this plan came from one.
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
        "history": [dict(h) for h in day.history],
    }


def write_plan_json(day: DayPlan, path: str | os.PathLike[str]) -> None:
    """Write ``plan.json`` atomically (stable key order, so equal days give equal files)."""
    text = json.dumps(plan_dict(day), indent=1, ensure_ascii=False, allow_nan=False)
    atomic_write_text(path, text + "\n")


# --------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str | None, message: str) -> InputErrors:
        return InputErrors([InputError(message, file=self.file, column=key)])

    def get(self, d: Mapping[str, Any], key: str, types: type | tuple[type, ...], *, where: str = "") -> Any:
        full = f"{where}{key}"
        if key not in d:
            raise self.fail(full, "missing; is this a plan.json written by 'transit dispatch'?")
        value = d[key]
        if not isinstance(value, types) or isinstance(value, bool) and bool not in _as_tuple(types):
            raise self.fail(full, f"has the wrong type ({type(value).__name__})")
        return value


def _as_tuple(t: type | tuple[type, ...]) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


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


def read_plan_json(path: str | os.PathLike[str]) -> StoredDay:
    """Read a ``plan.json`` written by ``transit dispatch``.

    Raises
    ------
    InputErrors
        If the file is missing, not JSON, or not a dispatch plan (naming
        the key that is wrong).
    """
    file = str(path)
    rd = _Reader(file)
    p = Path(path)
    if not p.is_file():
        raise rd.fail(None, "plan file not found" if not p.exists() else "is a folder, not a plan.json")
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise rd.fail(None, f"not a JSON file ({exc})") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise rd.fail("format", f"not a dispatch plan (expected \"format\": \"{FORMAT}\")")
    if d.get("version") != VERSION:
        raise rd.fail("version", f"unsupported version {d.get('version')!r} (this program reads {VERSION})")
    try:
        date_text = d.get("service_date")
        service_date = None if date_text is None else dt.date.fromisoformat(date_text)
    except (TypeError, ValueError):
        raise rd.fail("service_date", f"{d.get('service_date')!r} is not a date") from None
    now = d.get("now")
    if now is not None and (isinstance(now, bool) or not isinstance(now, (int, float))):
        raise rd.fail("now", "must be a number of seconds or null")
    net = rd.get(d, "network", dict)
    network_path = rd.get(net, "path", str, where="network.")
    max_snap = float(rd.get(d, "max_snap_m", (int, float)))
    try:
        weights = ObjectiveWeights(**rd.get(d, "weights", dict))
        fleet = parse_fleet(rd.get(d, "fleet", dict), source=file, table="fleet")
        fleet = dataclasses.replace(fleet, source=str(d.get("fleet_source") or file))
        bookings = tuple(Booking(**b) for b in rd.get(d, "bookings", list))
        locations = tuple(Location(**x) for x in rd.get(d, "locations", list))
        promises = {
            str(k): TimeWindow(float(v[0]), float(v[1])) for k, v in rd.get(d, "promises", dict).items()
        }
        plan = Plan.from_dict(rd.get(d, "plan", dict))
    except InputErrors:
        raise
    except (TypeError, ValueError, KeyError, IndexError, ProblemDataError) as exc:
        raise rd.fail(None, f"not a valid dispatch plan ({type(exc).__name__}: {exc})") from None
    for i, loc in enumerate(locations):
        if loc.index != i:
            raise rd.fail("locations", f"location {i} has index {loc.index}")
    history = tuple(h for h in d.get("history", []) if isinstance(h, dict))
    return StoredDay(
        path=file,
        service_date=service_date,
        now=None if now is None else float(now),
        network_path=network_path,
        max_snap_m=max_snap,
        weights=weights,
        fleet=fleet,
        bookings=bookings,
        locations=locations,
        promises=promises,
        plan=plan,
        history=history,
    )


def rebuild_problem(
    stored: StoredDay,
    network: RoadNetwork,
    *,
    extra_bookings: Sequence[Booking] = (),
    source: str | None = None,
) -> BuiltProblem:
    """Recompute the day's problem (plus ``extra_bookings``) with the stored locations first.

    The stored locations keep their indices, so the stored plan's stops stay
    valid; the promised pickup windows are applied.

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
    # Every stored booking and depot must land where it did when the plan was made.
    n_old = len(stored.locations)
    old_req = {b.request_id for b in stored.bookings}
    for route in stored.plan.routes:
        for stop in route.stops:
            if stop.request_id in old_req:
                r = built.problem.request(stop.request_id)
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
    problem = apply_promises(built.problem, stored.promises)
    return dataclasses.replace(built, problem=problem)


def finite_or_none(x: float) -> float | None:
    """Return ``x`` or None if it is not finite (for JSON)."""
    return x if math.isfinite(x) else None
