"""Build a dial-a-ride :class:`~transit.darp.data.Problem` from bookings, a fleet and roads.

:func:`build_problem` snaps every booking point and depot to the road network
once, computes **one** travel-time/distance matrix over the distinct network
nodes, and turns bookings into requests (windows, ride limits, service times
from the fleet's :class:`~transit.darp.service.ServiceRules`) and fleet vehicles
into model vehicles (depots, shifts, breaks, costs).

Locations
---------
A *location* is a row of the matrices and stands for one network node; two
points that snap to the same node share a location. :class:`BuiltProblem`
keeps the location table (node index, OSM id, node coordinates, a label) and
the bookings, so stops can be turned back into places and passengers. The
order is: ``base_nodes`` (if given, to keep the indices of an earlier
problem), then the depots in fleet order, then the bookings' pickups and
drop-offs in booking order; each node appears once.

Default objective for a dispatcher
----------------------------------
:data:`DISPATCH_WEIGHTS`: one unit per second a vehicle drives, the service
rules' ``ride_time_weight`` per passenger-second on board (default 4, from
``transit/data/service.toml``: calibrated so that pooling and detours match
rural pilots; a lower weight pools at the passengers' expense), and
10,000,000 per rejected booking. The rejection weight is far above the cost
of a whole vehicle-day (57,600 s for a 16-hour shift), so a booking is
rejected only when no plan the solver finds serves it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from transit.demand.bookings import Booking
from transit.errors import InputError, InputErrors
from transit.darp.fleet import Fleet, VehicleSpec
from transit.darp.data import Break, ObjectiveWeights, Problem, Request, TimeWindow, Vehicle
from transit.util.progress import Progress, report
from transit.road.travel import DEFAULT_MAX_SNAP_M, RoadNetwork

__all__ = [
    "DISPATCH_WEIGHTS",
    "BuiltProblem",
    "Location",
    "build_problem",
    "build_vehicle",
]

log = logging.getLogger(__name__)

DISPATCH_WEIGHTS = ObjectiveWeights(travel_time=1.0, distance=0.0, ride_time=0.25, vehicle_cost=0.0, rejection=1e7)
"""Default objective weights for dispatching (see the module docstring)."""

_MAX_LABEL_ROLES = 3


@dataclass(frozen=True, slots=True)
class Location:
    """One row of the matrices: a road-network node.

    Parameters
    ----------
    index
        Row/column in the problem's matrices.
    node
        Node index in the :class:`~transit.road.travel.RoadNetwork`.
    osm_id
        The node's OpenStreetMap id (stable across graph loads).
    lat, lon
        The node's coordinates (degrees).
    label
        What is there, e.g. ``"depot bus-1; pickup r17"``.
    """

    index: int
    node: int
    osm_id: int
    lat: float
    lon: float
    label: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "index": self.index,
            "node": self.node,
            "osm_id": self.osm_id,
            "lat": self.lat,
            "lon": self.lon,
            "label": self.label,
        }


@dataclass(frozen=True, eq=False)
class BuiltProblem:
    """A problem together with what is needed to map it back to the world.

    Parameters
    ----------
    problem
        The dial-a-ride problem (requests in booking order, vehicles in fleet order).
    locations
        The location table, indexed by matrix index.
    bookings
        The bookings by request id, in booking order.
    fleet
        The fleet the vehicles come from.
    depots
        Per vehicle id, its (start, end) location indices.
    """

    problem: Problem
    locations: tuple[Location, ...]
    bookings: Mapping[str, Booking]
    fleet: Fleet
    depots: Mapping[str, tuple[int, int]]

    @property
    def nodes(self) -> np.ndarray:
        """Network node index of every location."""
        return np.array([loc.node for loc in self.locations], dtype=np.int64)

    def booking_point(self, request_id: str, kind: str) -> tuple[float, float]:
        """Return the (lat, lon) the booking gave for its ``"pickup"`` or ``"dropoff"``."""
        b = self.bookings[request_id]
        if kind == "pickup":
            return (b.pickup_lat, b.pickup_lon)
        if kind == "dropoff":
            return (b.dropoff_lat, b.dropoff_lon)
        msg = f"kind must be 'pickup' or 'dropoff', got {kind!r}"
        raise ValueError(msg)


def build_vehicle(spec: VehicleSpec, *, start_depot: int, end_depot: int) -> Vehicle:
    """Turn a fleet vehicle into a model vehicle at the given depot locations.

    Breaks are taken at the end depot (``Break.location`` None).
    """
    return Vehicle(
        id=spec.id,
        start_depot=start_depot,
        end_depot=end_depot,
        seats=spec.seats,
        wheelchair=spec.wheelchair,
        shift=TimeWindow(spec.shift_start, spec.shift_end),
        breaks=tuple(Break(b.earliest, b.latest, b.duration_min * 60.0) for b in spec.breaks),
        max_route_duration=(
            None if spec.max_route_duration_min is None else spec.max_route_duration_min * 60.0
        ),
        cost_per_hour=spec.cost_per_hour,
        cost_per_km=spec.cost_per_km,
        fixed_cost=spec.fixed_cost,
    )


def _snap_all(
    network: RoadNetwork,
    points: list[tuple[float, float]],
    names: list[tuple[str | None, str]],
    max_snap_m: float,
) -> np.ndarray:
    """Snap points; raise InputErrors naming every point too far from a road."""
    lat = np.array([p[0] for p in points], dtype=np.float64)
    lon = np.array([p[1] for p in points], dtype=np.float64)
    snapped = network.snap_distances(lat, lon)
    far = np.flatnonzero(~(snapped.distance_m <= max_snap_m))
    if len(far):
        problems = []
        for i in far:
            file, what = names[int(i)]
            problems.append(
                InputError(
                    f"{what} at ({lat[i]:.6f}, {lon[i]:.6f}) is {snapped.distance_m[i]:,.0f} m from the "
                    f"nearest road of the network (at most {max_snap_m:,.0f} m allowed)",
                    file=file,
                )
            )
        raise InputErrors(problems)
    return np.asarray(snapped.node, dtype=np.int64)


def build_problem(
    bookings: Sequence[Booking],
    fleet: Fleet,
    network: RoadNetwork,
    *,
    weights: ObjectiveWeights | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    progress: Progress | None = None,
    source: str | None = None,
    base_nodes: Sequence[int] | None = None,
) -> BuiltProblem:
    """Build the dial-a-ride problem of a day's bookings.

    Parameters
    ----------
    bookings
        Validated bookings (see :func:`transit.demand.bookings.read_bookings`);
        request ids must be unique.
    fleet
        The vehicles and the service rules.
    network
        The road network; every point is snapped to its nearest road.
    weights
        Objective weights; default :data:`DISPATCH_WEIGHTS` with the fleet's
        service rules' ``ride_time_weight``.
    max_snap_m
        Largest allowed distance from a point to the nearest road, metres.
    progress
        Progress callback (snapping, matrix, requests).
    source
        Name of the bookings file, for error messages.
    base_nodes
        Network nodes that take the first location indices, in this order
        (to extend an earlier problem without renumbering its locations).

    Returns
    -------
    BuiltProblem
        The problem with its location table.

    Raises
    ------
    InputErrors
        If booking points or depots lie too far from every road (each named
        with its booking id and column, or vehicle id), or request ids repeat.
    ProblemDataError
        If a request fits no vehicle.
    """
    if weights is None:
        weights = DISPATCH_WEIGHTS.replace(ride_time=fleet.service.ride_time_weight)
    ids = [b.request_id for b in bookings]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
        msg = f"duplicate request ids: {', '.join(dup)}"
        raise InputErrors([InputError(msg, file=source, column="request_id")])

    report(progress, 0.0, 1.0, "snapping points to roads")
    loc_nodes, loc_of_point, role_lists = _locations(bookings, fleet, network, max_snap_m, source, base_nodes)
    report(progress, 0.1, 1.0, f"travel times between {len(loc_nodes)} places")
    if len(loc_nodes):
        tt, dist = network.matrix(loc_nodes)
    else:
        tt = dist = np.zeros((0, 0))
    report(progress, 0.9, 1.0, "building requests")

    locations = tuple(
        Location(
            index=i,
            node=int(n),
            osm_id=int(network.osm_ids[n]),
            lat=float(network.lat[n]),
            lon=float(network.lon[n]),
            label=_label(role_lists[i]),
        )
        for i, n in enumerate(loc_nodes)
    )
    vehicles, depots, requests = _vehicles_and_requests(bookings, fleet, loc_of_point, tt, source)
    problem = Problem(
        requests=tuple(requests),
        vehicles=tuple(vehicles),
        travel_time=tt,
        distance=dist,
        weights=weights,
    )
    report(progress, 1.0, 1.0, "problem built")
    log.info(
        "problem: %d requests, %d vehicles, %d locations", len(requests), len(vehicles), len(locations)
    )
    return BuiltProblem(
        problem=problem,
        locations=locations,
        bookings={b.request_id: b for b in bookings},
        fleet=fleet,
        depots=depots,
    )


def _locations(
    bookings: Sequence[Booking],
    fleet: Fleet,
    network: RoadNetwork,
    max_snap_m: float,
    source: str | None,
    base_nodes: Sequence[int] | None,
) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """Snap depots and booking points to roads; return the location nodes, each point's location and the roles.

    Points: per vehicle its depot and end point, then per booking its pickup
    and drop-off. ``base_nodes`` take the first location indices.
    """
    points: list[tuple[float, float]] = []
    names: list[tuple[str | None, str]] = []
    roles: list[str] = []
    fleet_file = fleet.source or None
    for v in fleet.vehicles:
        points.append((v.depot_lat, v.depot_lon))
        names.append((fleet_file, f"vehicle {v.id!r}: depot_lat/depot_lon: depot"))
        roles.append(f"depot {v.id}")
        points.append(v.end_point)
        names.append((fleet_file, f"vehicle {v.id!r}: end_lat/end_lon: end depot"))
        roles.append(f"end depot {v.id}" if v.end_lat is not None else f"depot {v.id}")
    for b in bookings:
        points.append((b.pickup_lat, b.pickup_lon))
        names.append((source, f"booking {b.request_id!r}: pickup_lat/pickup_lon: pickup point"))
        roles.append(f"pickup {b.request_id}")
        points.append((b.dropoff_lat, b.dropoff_lon))
        names.append((source, f"booking {b.request_id!r}: dropoff_lat/dropoff_lon: drop-off point"))
        roles.append(f"drop-off {b.request_id}")
    nodes = _snap_all(network, points, names, max_snap_m) if points else np.zeros(0, np.int64)

    order: dict[int, int] = {}
    for n in () if base_nodes is None else base_nodes:
        order.setdefault(int(n), len(order))
    for n in nodes:
        order.setdefault(int(n), len(order))
    loc_nodes = np.fromiter(order.keys(), dtype=np.int64, count=len(order))
    loc_of_point = np.array([order[int(n)] for n in nodes], dtype=np.int64)
    role_lists: list[list[str]] = [[] for _ in loc_nodes]
    for i, role in enumerate(roles):
        lst = role_lists[loc_of_point[i]]
        if role not in lst:
            lst.append(role)

    return loc_nodes, loc_of_point, role_lists


def _vehicles_and_requests(
    bookings: Sequence[Booking], fleet: Fleet, loc_of_point: np.ndarray, tt: np.ndarray, source: str | None
) -> tuple[list[Vehicle], dict[str, tuple[int, int]], list[Request]]:
    """Return the vehicles, their depots' locations and the requests; raise every booking's problem at once."""
    depots: dict[str, tuple[int, int]] = {}
    vehicles: list[Vehicle] = []
    for k, v in enumerate(fleet.vehicles):
        start, end = int(loc_of_point[2 * k]), int(loc_of_point[2 * k + 1])
        depots[v.id] = (start, end)
        vehicles.append(build_vehicle(v, start_depot=start, end_depot=end))
    off = 2 * len(fleet.vehicles)
    rules = fleet.service
    requests: list[Request] = []
    problems: list[InputError] = []
    for k, b in enumerate(bookings):
        p, d = int(loc_of_point[off + 2 * k]), int(loc_of_point[off + 2 * k + 1])
        if not np.isfinite(tt[p, d]):
            msg = f"booking {b.request_id!r}: the drop-off cannot be reached from the pickup by road"
            problems.append(InputError(msg, file=source))
            continue
        try:
            requests.append(rules.request(b, pickup=p, dropoff=d, direct_s=float(tt[p, d])))
        except InputError as exc:
            problems.append(InputError(f"booking {b.request_id!r}: {exc.message}", file=source))
    if problems:
        raise InputErrors(problems)
    return vehicles, depots, requests


def _label(roles: list[str]) -> str:
    if len(roles) <= _MAX_LABEL_ROLES:
        return "; ".join(roles)
    return "; ".join(roles[:_MAX_LABEL_ROLES]) + f"; +{len(roles) - _MAX_LABEL_ROLES} more"
