"""Operating model 3: on-demand service, door to door or between stops.

A fleet of minibuses (:class:`transit.darp.fleet.Fleet`: depots, shifts, seats,
wheelchair places, breaks) serves bookings inside a service area:

- **door to door** (kind ``ondemand``): the vehicle comes to the booking's
  pickup point and takes the passengers to their drop-off point;
- **between stops** (kind ``ondemand_stops``): passengers walk to the
  nearest stop (existing bus stops and/or virtual stops: given points, road
  junctions, or a grid) within the walking limit
  (:class:`transit.road.walking.WalkParams`) and from the stop nearest their
  destination. A departure booking's pickup window starts when the
  passenger reaches the stop; an arrival booking must reach the stop early
  enough to walk to the door by the requested time.

Before the day is simulated, bookings the service cannot take at all are
rejected with the reason: ``outside the service area``, ``larger than every
vehicle`` (seats or wheelchair places), ``no stop within N m`` of the pickup
or drop-off, ``pickup and drop-off share the same stop``, or a point too far
from every road. The rest go through the simulated service day
(:func:`transit.sim.simulate_day`: cut-off planning of pre-booked requests,
immediate decisions with promised windows, rolling re-optimisation, the
independent checker on the executed day).

Constructor options (:class:`OnDemandOptions`, a scenario's ``[[models]]``
table through :func:`parse_ondemand_options`): see the class.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from transit.util.geo import M_PER_DEG_LAT
from transit.demand.bookings import Booking
from transit.errors import InputError
from transit.darp.fleet import Fleet
from transit.opmodels.base import DayContext, ModelRun
from transit.opmodels.flexrules import FLEX_KEYS, clip_fleet, flex_refusal, flex_service, parse_flex
from transit.darp.build import build_problem
from transit.util.progress import Progress, report
from transit.darp.service import ServiceRules, parse_service
from transit.sim.day import SimSettings, simulate_day
from transit.solver import parse_search_settings
from transit.sim.columns import TripLabel
from transit.sim.logs import Walk, trip_log, vehicle_log
from transit.util.tomltable import build, check_keys, describe, get_bool, get_int, get_number, get_text, join
from transit.road.travel import DEFAULT_MAX_SNAP_M, RoadNetwork
from transit.road.walking import WalkParams, parse_walk, walk_matrix

__all__ = [
    "SCHOOL_REASON",
    "OnDemandModel",
    "OnDemandOptions",
    "ServiceArea",
    "StopPoints",
    "direct_trips",
    "parse_ondemand_options",
    "parse_sim_settings",
    "service_stops",
]

log = logging.getLogger(__name__)

VIRTUAL_STOPS = ("none", "junctions", "grid")
SCHOOL_TRIPS = ("reject", "serve")
#: Why an on-demand service does not take a pupil's school trip (``school_trips = "reject"``).
SCHOOL_REASON = "school transport: pupils ride the timetabled school buses"
SIM_KEYS = tuple(f.name for f in dataclasses.fields(SimSettings))


# --------------------------------------------------------------------------- area and stops


@dataclass(frozen=True)
class ServiceArea:
    """A polygon (lat, lon corners, in order) inside which the service runs.

    Parameters
    ----------
    corners
        At least three ``(lat, lon)`` pairs; the ring closes by itself.
    name
        Label for messages.
    """

    corners: tuple[tuple[float, float], ...]
    name: str = "service area"

    def __post_init__(self) -> None:
        object.__setattr__(self, "corners", tuple((float(a), float(b)) for a, b in self.corners))
        if len(self.corners) < 3:
            msg = f"{self.name}: a polygon needs at least 3 corners, got {len(self.corners)}"
            raise InputError(msg, column="area")
        for lat, lon in self.corners:
            if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
                msg = f"{self.name}: invalid corner ({lat}, {lon})"
                raise InputError(msg, column="area")

    def contains(self, lat: Any, lon: Any) -> np.ndarray:
        """Return for each point whether it lies inside (or on the edge of) the area."""
        import shapely

        poly = shapely.Polygon([(lon_, lat_) for lat_, lon_ in self.corners])
        pts = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(shapely.covers(poly, pts), dtype=bool)


@dataclass(frozen=True)
class StopPoints:
    """The stops of a between-stops service: points where vehicles pick up and drop off."""

    lat: np.ndarray
    lon: np.ndarray

    def __post_init__(self) -> None:
        lat = np.asarray(self.lat, dtype=float).ravel()
        lon = np.asarray(self.lon, dtype=float).ravel()
        if lat.shape != lon.shape or lat.size == 0:
            msg = "stops need as many latitudes as longitudes, and at least one stop"
            raise InputError(msg, column="stops")
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lon", lon)

    def __len__(self) -> int:
        return int(self.lat.size)

    @classmethod
    def junctions(cls, network: RoadNetwork) -> StopPoints:
        """Return virtual stops at the road junctions (nodes with 3 or more neighbours)."""
        nb: dict[int, set[int]] = {}
        for u, v in zip(network.tail.tolist(), network.head.tolist()):
            nb.setdefault(u, set()).add(v)
            nb.setdefault(v, set()).add(u)
        nodes = np.array(sorted(n for n, s in nb.items() if len(s) >= 3), dtype=np.int64)
        if nodes.size == 0:
            nodes = np.arange(network.n_nodes)
        return cls(network.lat[nodes], network.lon[nodes])

    @classmethod
    def grid(cls, network: RoadNetwork, spacing_m: float) -> StopPoints:
        """Return virtual stops on a square grid, each moved to its nearest road node (deduplicated)."""
        if not spacing_m > 0:
            msg = f"grid spacing must be > 0 m, got {spacing_m}"
            raise InputError(msg, column="grid_spacing_m")
        lat0 = float(np.mean(network.lat))
        dlat = spacing_m / M_PER_DEG_LAT
        dlon = dlat / max(math.cos(math.radians(lat0)), 1e-6)
        lats = np.arange(network.lat.min(), network.lat.max() + dlat, dlat)
        lons = np.arange(network.lon.min(), network.lon.max() + dlon, dlon)
        glat, glon = (a.ravel() for a in np.meshgrid(lats, lons, indexing="ij"))
        snapped = network.snap_distances(glat, glon)
        keep = snapped.distance_m <= spacing_m / 2
        nodes = np.unique(snapped.node[keep])
        return cls(network.lat[nodes], network.lon[nodes])

    def plus(self, other: StopPoints | None) -> StopPoints:
        """Return these stops and ``other``'s."""
        if other is None:
            return self
        return StopPoints(np.concatenate([self.lat, other.lat]), np.concatenate([self.lon, other.lon]))


# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class OnDemandOptions:
    """How an on-demand service is run (everything but the fleet).

    Parameters
    ----------
    area
        Service area; None: the whole network.
    stop_based
        Between stops (True) or door to door (False).
    stops
        Stop points (e.g. the existing bus stops); used when ``stop_based``.
    virtual_stops
        Extra virtual stops: ``"none"``, ``"junctions"`` (every road
        junction) or ``"grid"`` (every ``grid_spacing_m``, moved onto the
        roads). With ``stop_based`` and no ``stops``, ``"junctions"`` is used.
    grid_spacing_m
        Spacing of the grid of virtual stops.
    walk
        Walking speed, detour and limit (between stops).
    service
        Service rules; None: the day's (``DayContext.service``) if given,
        else the fleet's.
    sim
        Cut-off, rolling horizon and work budgets of the simulated day.
    flex, flex_routes
        A GTFS-Flex feed (:class:`transit.timetable.flex.FlexFeed`) whose
        zones, windows and booking rules decide which bookings the service
        takes, and the routes of it to keep (:mod:`transit.opmodels.flexrules`).
    school_trips
        ``"reject"`` (default): pupils' school trips (purpose ``school`` in
        the day's labels) are left to the school buses, which German
        districts run whatever the operating form of the other service
        (about 70% of the regional operator's trips are school traffic;
        on-demand pilots report that the school peak suits them poorly,
        REFERENCES.md); ``"serve"``: the service takes them too.
    """

    area: ServiceArea | None = None
    stop_based: bool = False
    stops: StopPoints | None = None
    virtual_stops: str = "none"
    grid_spacing_m: float = 400.0
    walk: WalkParams = field(default_factory=WalkParams)
    service: ServiceRules | None = None
    sim: SimSettings = field(default_factory=SimSettings)
    flex: Any = None
    flex_routes: tuple[str, ...] | None = None
    school_trips: str = "reject"

    KEYS = (
        "area", "stop_based", "stops", "virtual_stops", "grid_spacing_m", "walk", "service", "sim", "school_trips",
        *FLEX_KEYS,
    )

    def __post_init__(self) -> None:
        if self.virtual_stops not in VIRTUAL_STOPS:
            msg = f"must be one of {', '.join(VIRTUAL_STOPS)}, got {self.virtual_stops!r}"
            raise InputError(msg, column="virtual_stops")
        if self.school_trips not in SCHOOL_TRIPS:
            msg = f"must be one of {', '.join(SCHOOL_TRIPS)}, got {self.school_trips!r}"
            raise InputError(msg, column="school_trips")

    def leaves_to_school_buses(self, label: TripLabel | None) -> bool:
        """Return whether a booking with this label is a school trip the service leaves to the school buses."""
        from transit.demand import is_school_trip

        return self.school_trips == "reject" and label is not None and is_school_trip(label.purpose)


def parse_ondemand_options(data: Mapping[str, Any], *, source: str | None = None, table: str = "", extra: tuple[str, ...] = ()
) -> OnDemandOptions:
    """Build from a scenario's model table (keys as the parameters).

    ``area`` is a list of ``[lat, lon]`` corners; ``stops`` a list of
    ``[lat, lon]`` points; ``walk``, ``service`` and ``sim`` are tables
    (:class:`~transit.road.walking.WalkParams`,
    :class:`~transit.darp.service.ServiceRules`, :class:`SimSettings`).

    Raises
    ------
    InputError
        Naming ``source`` and the key.
    """
    check_keys(data, OnDemandOptions.KEYS + extra, source=source, table=table)
    values: dict[str, Any] = {}
    if "area" in data:
        values["area"] = ServiceArea(_points(data["area"], source=source, column=join(table, "area")))
    if "stops" in data:
        pts = _points(data["stops"], source=source, column=join(table, "stops"), minimum=1)
        values["stops"] = StopPoints(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
    if "stop_based" in data:
        values["stop_based"] = get_bool(data, "stop_based", None, source=source, table=table)
    vs = get_text(data, "virtual_stops", None, source=source, table=table, choices=VIRTUAL_STOPS)
    if vs is not None:
        values["virtual_stops"] = vs
    st = get_text(data, "school_trips", None, source=source, table=table, choices=SCHOOL_TRIPS)
    if st is not None:
        values["school_trips"] = st
    gs = get_number(data, "grid_spacing_m", None, source=source, table=table, positive=True)
    if gs is not None:
        values["grid_spacing_m"] = gs
    if "walk" in data:
        values["walk"] = parse_walk(data["walk"], source=source, table=join(table, "walk"))
    if "service" in data:
        try:
            values["service"] = parse_service(data["service"], source=source or "", table=join(table, "service"))
        except InputError as exc:
            problems = getattr(exc, "problems", None) or [exc]
            first = problems[0]
            raise InputError(first.message, file=source, column=first.column) from None
    if "sim" in data:
        values["sim"] = parse_sim_settings(data["sim"], source=source, table=join(table, "sim"))
    values["flex"], values["flex_routes"] = parse_flex(data, source=source, table=table)
    return build(OnDemandOptions, values, source=source, table=table)


def parse_sim_settings(data: Any, *, source: str | None = None, table: str = "sim") -> SimSettings:
    """Build :class:`~transit.sim.SimSettings` from a table (keys as its fields; ``cutoff`` in seconds).

    Raises
    ------
    InputError
        Naming the key.
    """
    check_keys(data, SIM_KEYS, source=source, table=table)
    values: dict[str, Any] = {}
    for key in SIM_KEYS:
        if key not in data:
            continue
        if key == "check":
            values[key] = get_bool(data, key, None, source=source, table=table)
        elif key == "search":
            values[key] = parse_search_settings(data[key], source=source, table=join(table, key))
        elif key in ("cutoff_iterations", "cutoff_solve_max", "reopt_iterations", "reopt_group_vehicles",
                     "schedule_candidates"):
            values[key] = get_int(data, key, None, source=source, table=table, lo=0, whole_floats=True)
        else:
            values[key] = get_number(data, key, None, source=source, table=table, minimum=None if key == "cutoff" else 0.0)
    return SimSettings(**values)


def _points(value: Any, *, source: str | None, column: str, minimum: int = 3) -> list[tuple[float, float]]:
    ok = isinstance(value, list) and len(value) >= minimum
    pts: list[tuple[float, float]] = []
    if ok:
        for p in value:
            if (
                isinstance(p, list)
                and len(p) == 2
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in p)
            ):
                pts.append((float(p[0]), float(p[1])))
            else:
                ok = False
                break
    if not ok:
        msg = f"must be a list of at least {minimum} [lat, lon] pairs, got {describe(value)}"
        raise InputError(msg, file=source, column=column)
    return pts


# --------------------------------------------------------------------------- helpers


def direct_trips(network: RoadNetwork, bookings: Sequence[Booking]) -> dict[str, tuple[float, float]]:
    """Return a car's direct ``(seconds, metres)`` between each booking's two doors."""
    if not bookings:
        return {}
    lat = np.array([b.pickup_lat for b in bookings] + [b.dropoff_lat for b in bookings])
    lon = np.array([b.pickup_lon for b in bookings] + [b.dropoff_lon for b in bookings])
    nodes = network.snap_distances(lat, lon).node
    n = len(bookings)
    src, si = np.unique(nodes[:n], return_inverse=True)
    dst, di = np.unique(nodes[n:], return_inverse=True)
    t, m = network.matrix(src, dst)
    return {b.request_id: (float(t[si[k], di[k]]), float(m[si[k], di[k]])) for k, b in enumerate(bookings)}


def rules_for(service: ServiceRules | None, ctx: DayContext, fleet: Fleet) -> ServiceRules:
    """Return the service rules a model uses: its own, else the day's, else the fleet's."""
    if service is not None:
        return service
    if isinstance(ctx.service, ServiceRules):
        return ctx.service
    return fleet.service


def _with_flex(
    options: OnDemandOptions, ctx: DayContext, rules: ServiceRules, pre_reject: Callable[[Booking], str] | None,
    fleet: Fleet,
) -> tuple[OnDemandOptions, Callable[[Booking], str] | None, Fleet]:
    """With a GTFS-Flex feed: the day's stops from its stop groups, its refusals after ``pre_reject``, and
    the shifts cut to its windows (:mod:`transit.opmodels.flexrules`)."""
    flex = flex_service(options, ctx.date)
    if flex is None:
        return options, pre_reject, fleet
    if options.stop_based and options.stops is None:
        options = dataclasses.replace(options, stops=StopPoints(*flex.stop_points()))
    near = options.walk.max_walk_m

    def check(b: Booking) -> str:
        first = pre_reject(b) if pre_reject is not None else ""
        return first or flex_refusal(flex, b, window_s=rules.pickup_window_s, near_m=near)

    return options, check, clip_fleet(fleet, flex)


def _pre_rejections(
    bookings: Sequence[Booking],
    ctx: DayContext,
    fleet: Fleet,
    options: OnDemandOptions,
    pre_reject: Callable[[Booking], str] | None,
) -> dict[str, str]:
    """Return the bookings the service cannot take at all, with the reason (see the module docstring)."""
    net = ctx.network
    reasons: dict[str, str] = {}
    max_seats = max(v.seats for v in fleet.vehicles)
    max_wc = max(v.wheelchair for v in fleet.vehicles)
    lat = np.array([b.pickup_lat for b in bookings] + [b.dropoff_lat for b in bookings], dtype=float)
    lon = np.array([b.pickup_lon for b in bookings] + [b.dropoff_lon for b in bookings], dtype=float)
    n = len(bookings)
    inside = options.area.contains(lat, lon) if options.area is not None and n else np.ones(2 * n, bool)
    snap = net.snap_distances(lat, lon).distance_m if n else np.zeros(0)
    for k, b in enumerate(bookings):
        reason = ""
        if not (inside[k] and inside[n + k]):
            reason = "outside the service area"
        elif options.leaves_to_school_buses(ctx.labels.get(b.request_id)):
            reason = SCHOOL_REASON
        elif b.passengers > max_seats or b.wheelchair > max_wc:
            reason = "larger than every vehicle (seats or wheelchair places)"
        elif max(snap[k], snap[n + k]) > DEFAULT_MAX_SNAP_M:
            reason = f"more than {DEFAULT_MAX_SNAP_M:.0f} m from the nearest road"
        elif pre_reject is not None:
            reason = pre_reject(b)
        if reason:
            reasons[b.request_id] = reason
    return reasons


def serve_on_demand(
    *,
    name: str,
    kind: str,
    bookings: Sequence[Booking],
    ctx: DayContext,
    fleet: Fleet,
    rules: ServiceRules,
    options: OnDemandOptions,
    seed: int,
    pre_reject: Callable[[Booking], str] | None = None,
    progress: Progress | None = None,
) -> ModelRun:
    """Run an on-demand day and write its logs (shared by on-demand and Bürgerbus).

    The simulated day is kept as the run's ``day``.

    ``pre_reject(booking)`` may return a reason to reject a booking before
    the day is simulated (e.g. outside service hours); "" keeps it.
    """
    net = ctx.network
    options, pre_reject, fleet = _with_flex(options, ctx, rules, pre_reject, fleet)
    reasons = _pre_rejections(bookings, ctx, fleet, options, pre_reject)
    walks: dict[str, Walk] = {}
    n = len(bookings)
    candidates = [b for b in bookings if b.request_id not in reasons]
    sim_bookings = candidates
    if options.stop_based and candidates:
        sim_bookings = _to_stops(candidates, options, ctx, reasons, walks)
    direct = direct_trips(net, bookings)
    ride = direct_trips(net, sim_bookings) if options.stop_based else direct
    keep = []
    for b in sim_bookings:
        d_s = ride[b.request_id][0]
        if not math.isfinite(d_s):
            reasons[b.request_id] = "the drop-off cannot be reached from the pickup by road"
        elif rules.max_ride_min is not None and d_s > rules.max_ride_min * 60.0:
            reasons[b.request_id] = f"the direct trip is longer than the maximum ride time ({rules.max_ride_min:g} min)"
        else:
            keep.append(b)
    sim_bookings = keep
    report(progress, 0, max(1, n), f"{name}: simulating the day")
    promises: dict[str, tuple[float, float]] = {}
    # Even without bookings the fleet is on duty (and costs its shifts): always simulate.
    bp = build_problem(sim_bookings, dataclasses.replace(fleet, service=rules), net)
    result = simulate_day(
        bp.problem,
        [b.booked_at for b in sim_bookings],
        rules,
        settings=options.sim,
        seed=seed,
        progress=progress,
    )
    for rid, d in result.decisions.items():
        if d.accepted and d.promise is not None:
            promises[rid] = (d.promise.earliest, d.promise.latest)
        elif not d.accepted:
            reasons[rid] = d.reason
    lat_loc = np.array([loc.lat for loc in bp.locations])
    lon_loc = np.array([loc.lon for loc in bp.locations])
    stops = vehicle_log(
        result.plan, model=name, seed=seed, lat=lat_loc, lon=lon_loc, distance=bp.problem.distance
    )
    trips = trip_log(
        bookings,
        result.plan,
        model=name,
        seed=seed,
        promises=promises,
        reasons=reasons,
        direct=direct,
        walks=walks,
        labels=ctx.labels,
    )
    info = {
        "fleet_vehicles": float(len(fleet.vehicles)),
        "prebooked": float(result.stats.prebooked),
        "live_bookings": float(result.stats.live_bookings),
        "reoptimisations": float(result.stats.reoptimisations),
    }
    report(progress, max(1, n), max(1, n), f"{name}: day done")
    return ModelRun(model=name, kind=kind, trips=trips, stops=stops, info=info, day=result)


def service_stops(options: OnDemandOptions, net: RoadNetwork) -> StopPoints:
    """Return the stops a between-stops service uses.

    The given stops plus the virtual ones (road junctions also when no stops
    are given); of those, the ones inside the service area if any are.
    """
    stops = options.stops
    if options.virtual_stops == "junctions" or (stops is None and options.virtual_stops == "none"):
        stops = StopPoints.junctions(net).plus(stops)
    elif options.virtual_stops == "grid":
        stops = StopPoints.grid(net, options.grid_spacing_m).plus(stops)
    assert stops is not None
    if options.area is not None:
        keep = options.area.contains(stops.lat, stops.lon)
        if keep.any():
            stops = StopPoints(stops.lat[keep], stops.lon[keep])
    return stops


def _to_stops(
    bookings: Sequence[Booking],
    options: OnDemandOptions,
    ctx: DayContext,
    reasons: dict[str, str],
    walks: dict[str, Walk],
) -> list[Booking]:
    """Move each booking to its nearest stops (or reject it); return the moved bookings.

    Walks are measured on the walk graph, limited by each traveller's group walk limit.
    """
    stops = service_stops(options, ctx.network)
    wp = options.walk
    plat = np.array([b.pickup_lat for b in bookings])
    plon = np.array([b.pickup_lon for b in bookings])
    dlat = np.array([b.dropoff_lat for b in bookings])
    dlon = np.array([b.dropoff_lon for b in bookings])
    limits = wp.limits(ctx.groups(bookings), len(bookings))
    acc = walk_matrix(plat, plon, stops.lat, stops.lon, wp, network=ctx.walker, limits=limits)
    egr = walk_matrix(dlat, dlon, stops.lat, stops.lon, wp, network=ctx.walker, limits=limits)
    out: list[Booking] = []
    for k, b in enumerate(bookings):
        i = int(np.argmin(acc[k]))
        j = int(np.argmin(egr[k]))
        if not math.isfinite(acc[k, i]):
            reasons[b.request_id] = f"no stop within {limits[k]:.0f} m of the pickup"
            continue
        if not math.isfinite(egr[k, j]):
            reasons[b.request_id] = f"no stop within {limits[k]:.0f} m of the drop-off"
            continue
        if i == j:
            reasons[b.request_id] = "pickup and drop-off share the same stop (a walk, not a ride)"
            continue
        a_m, e_m = float(acc[k, i]), float(egr[k, j])
        a_s, e_s = float(wp.time_s(a_m)), float(wp.time_s(e_m))
        walks[b.request_id] = Walk(a_m, e_m, a_s, e_s)
        t = b.time - e_s if b.time_type == "arrival" else b.time + a_s
        out.append(
            dataclasses.replace(
                b,
                pickup_lat=float(stops.lat[i]),
                pickup_lon=float(stops.lon[i]),
                dropoff_lat=float(stops.lat[j]),
                dropoff_lon=float(stops.lon[j]),
                time=t,
            )
        )
    return out


# --------------------------------------------------------------------------- the model


class OnDemandModel:
    """On-demand minibuses in a service area, door to door or between stops.

    Parameters
    ----------
    name
        The model's name in the scenario.
    fleet
        Vehicles (depots, shifts, seats, wheelchair places, breaks).
    options
        Area, stops, walking, service rules and simulation settings
        (defaults: door to door in the whole network).
    """

    def __init__(self, name: str, fleet: Fleet, options: OnDemandOptions | None = None) -> None:
        self.name = name
        self.fleet = fleet
        self.options = options if options is not None else OnDemandOptions()
        self.kind = "ondemand_stops" if self.options.stop_based else "ondemand"

    def run(
        self,
        bookings: Sequence[Booking],
        ctx: DayContext,
        *,
        seed: int,
        rng: np.random.Generator,
        progress: Progress | None = None,
    ) -> ModelRun:
        """Serve the day: every booking ends up served or rejected with a reason.

        The simulated day (decisions, statistics) is the run's :attr:`~transit.opmodels.base.ModelRun.day`.
        """
        del rng  # the day is deterministic given the seed (solver work budgets)
        return serve_on_demand(
            name=self.name,
            kind=self.kind,
            bookings=bookings,
            ctx=ctx,
            fleet=self.fleet,
            rules=rules_for(self.options.service, ctx, self.fleet),
            options=self.options,
            seed=seed,
            progress=progress,
        )
