"""A vehicle taken out of service: where it stands, who is on board, its last route, its fleet entry.

Breakdown (the outage starts at or before ``now``)
    The route is cut at the start of the outage: stops left before it stay;
    the passengers on board leave the vehicle where it stands and continue
    on another vehicle (a second leg of their booking, ``r17~2``, from that
    place to their destination, asked for from ``now`` on); then the vehicle
    goes (is towed) to its end depot. In the day's problem the first leg of
    such a booking ends where the vehicle stands (its drop-off moves there,
    without window or ride limit). The vehicle's driver breaks not yet taken
    are dropped, and its shift is stretched if the tow arrives after its end.
Planned withdrawal (the outage starts after ``now``)
    The vehicle works until the start of the outage and is back at its
    depot by then (its shift ends there). Passengers on board at ``now`` are
    still delivered: if that takes longer, the shift is stretched to when
    the vehicle can be back after dropping them in the planned order, and
    driver breaks that can no longer be taken are dropped
    (:func:`fit_withdrawal`).
Back in service (``until``)
    A second run of the vehicle, ``bus-1~2``, from its depot at ``until`` to
    the end of its shift, with the driver breaks that still fit.

The place where a broken-down vehicle stands is the event's ``lat``/``lon``
when given, else the stop it is at (if it has reached it) or the stop it
left last.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from transit.darp.build import BuiltProblem, build_vehicle
from transit.darp.data import Problem, Stop, StopKind
from transit.darp.fleet import BreakSpec, Fleet, VehicleSpec
from transit.demand.bookings import Booking
from transit.dispatch.add import FrozenRoute
from transit.dispatch.events import Event
from transit.dispatch.state import Override, leg_id
from transit.road.travel import RoadNetwork

__all__ = ["Outage", "fit_withdrawal", "outage_route", "patch_vehicle", "plan_outage", "second_run", "withdraw"]

_MIN = 60.0

log = logging.getLogger(__name__)


@dataclass
class Outage:
    """A breakdown of one vehicle (see the module docstring).

    Parameters
    ----------
    event
        The ``vehicle_out`` event.
    done
        The stops kept (left before the outage).
    on_board
        Requests on board at the outage, in boarding order.
    node, lat, lon
        Where the vehicle stands: network node and coordinates.
    legs
        The second legs of the passengers on board (whose destination is elsewhere).
    overrides
        The first legs' changes (drop-off where the vehicle stands).
    """

    event: Event
    done: tuple[Stop, ...]
    on_board: list[str]
    node: int
    lat: float
    lon: float
    legs: dict[str, Booking] = field(default_factory=dict)
    overrides: dict[str, Override] = field(default_factory=dict)


def plan_outage(
    built: BuiltProblem,
    stops: Sequence[Stop],
    event: Event,
    network: RoadNetwork,
    *,
    now: float,
    legs_of: dict[str, str],
) -> Outage:
    """Work out a breakdown on the day as it was (``built``: the problem before the update).

    Parameters
    ----------
    built
        The day's problem before the update, with its locations and bookings.
    stops
        The vehicle's route before the update.
    event
        The ``vehicle_out`` event (its ``time`` is at or before ``now``).
    network
        The road network (to place ``lat``/``lon``).
    now
        The update time (legs are asked for from then on).
    legs_of
        Leg id -> booking id of the day (to number new legs).
    """
    problem = built.problem
    start = float(event.time)  # type: ignore[arg-type]
    stops = tuple(stops)
    k = 0
    while k < len(stops) and stops[k].departure < start:
        k += 1
    done = list(stops[:k])
    here = None
    if 0 < k < len(stops) and stops[k].kind != StopKind.END and stops[k].arrival <= start:
        a = stops[k]
        service = problem.request(a.request_id).service_time if a.request_id is not None else 0.0
        here = a.location
        if a.kind in (StopKind.PICKUP, StopKind.DROPOFF) and a.start + service <= start:
            done.append(a.replace(departure=a.start + service))  # served before the breakdown
    picked: list[str] = []
    dropped: set[str] = set()
    for s in done:
        if s.kind == StopKind.PICKUP:
            picked.append(s.request_id)  # type: ignore[arg-type]
        elif s.kind == StopKind.DROPOFF:
            dropped.add(s.request_id)  # type: ignore[arg-type]
    on_board = [r for r in picked if r not in dropped]
    if event.lat is not None and event.lon is not None:
        node = int(network.snap_distances([event.lat], [event.lon]).node[0])
        lat, lon = float(event.lat), float(event.lon)
    else:
        if here is None:
            here = done[-1].location if done else built.depots[str(event.vehicle_id)][0]
        loc = built.locations[here]
        node, lat, lon = loc.node, loc.lat, loc.lon
    out = Outage(event, tuple(done), on_board, node, lat, lon)
    for rid in on_board:
        r = problem.request(rid)
        if built.locations[r.dropoff].node == node:
            out.overrides[rid] = Override(dropoff_window=_open(), no_ride_limit=True)
            continue
        base = legs_of.get(rid, rid)
        number = 2 + sum(1 for b in legs_of.values() if b == base)
        b = built.bookings[rid]
        leg = dataclasses.replace(
            b,
            request_id=leg_id(base, number),
            pickup_lat=lat,
            pickup_lon=lon,
            time=max(now, start),
            time_type="departure",
            booked_at=None,
        )
        out.legs[leg.request_id] = leg
        legs_of = {**legs_of, leg.request_id: base}
        out.overrides[rid] = Override(dropoff_window=_open(), dropoff_node=node, no_ride_limit=True)
    return out


def _open():  # noqa: ANN202
    from transit.darp.data import TimeWindow

    return TimeWindow()


def outage_route(problem: Problem, vehicle_id: str, outage: Outage, here: int) -> tuple[Stop, ...]:
    """Return the vehicle's last route: done stops, the passengers leaving at ``here``, the tow home.

    ``problem`` is the day's problem after the update (first legs end at
    ``here``, the location index of where the vehicle stands).
    """
    v = problem.vehicle(vehicle_id)
    tt = problem.travel_time
    stops = list(outage.done)
    start = float(outage.event.time)  # type: ignore[arg-type]
    if not stops:
        return ()
    t, loc = stops[-1].departure, stops[-1].location
    load, wc = stops[-1].load, stops[-1].wheelchair_load
    for k, rid in enumerate(outage.on_board):
        r = problem.request(rid)
        arrival = t + float(tt[loc, here]) if k == 0 else t
        begin = max(arrival, start) if k == 0 else arrival
        load, wc = load - r.passengers, wc - r.wheelchair
        stops.append(Stop(StopKind.DROPOFF, here, arrival, begin, begin + r.service_time, load, wc, rid))
        t, loc = begin + r.service_time, here
    arrival = t + float(tt[loc, v.end_depot])
    stops.append(Stop(StopKind.END, v.end_depot, arrival, arrival, arrival))
    return tuple(stops)


def patch_vehicle(built: BuiltProblem, vehicle_id: str, route: Sequence[Stop]) -> BuiltProblem:
    """Fit a broken-down vehicle's fleet entry to its last route; return the problem with it.

    Breaks not taken are dropped, the shift is stretched to the tow's
    arrival and a route-duration cap that no longer holds is lifted.
    """
    fleet = built.fleet
    spec = fleet.vehicle(vehicle_id)
    taken = []
    for s in route:
        if s.kind == StopKind.BREAK:
            for b in spec.breaks:
                if b.earliest - 1e-6 <= s.start and s.start + b.duration_min * _MIN <= b.latest + 1e-6 and b not in taken:
                    taken.append(b)
                    break
    end = float(math.ceil(route[-1].arrival)) if route else spec.shift_end
    mrd = spec.max_route_duration_min
    if route and mrd is not None and route[-1].arrival - route[0].departure > mrd * _MIN:
        mrd = None
    new = dataclasses.replace(spec, breaks=tuple(taken), shift_end=max(spec.shift_end, end), max_route_duration_min=mrd)
    return _replace_spec(built, new)


def fit_withdrawal(built: BuiltProblem, vehicle_id: str, fr: FrozenRoute) -> BuiltProblem:
    """Fit the fleet entry of a vehicle withdrawn later to what it is committed to at ``now``.

    ``fr`` is the vehicle's route frozen at ``now`` (with the withdrawal's
    shorter shift). Returns ``built`` itself when the vehicle can deliver
    everybody on board, take its pending breaks (at its end depot) and be
    back by the end of its shift; else the problem with the shift
    stretched to when it can, the breaks that no longer fit dropped and a
    route-duration cap that no longer holds lifted (see the module
    docstring).
    """
    if fr.status != "running":
        return built
    problem = built.problem
    v, tt = fr.vehicle, problem.travel_time
    t, loc = fr.leave_at, fr.start_location
    for s in fr.rest:
        if s.kind == StopKind.DROPOFF and s.request_id in fr.on_board:
            r = problem.request(s.request_id)
            t = max(t + float(tt[loc, s.location]), r.dropoff_window.earliest) + r.service_time
            loc = s.location
    t += float(tt[loc, v.end_depot])
    spec = built.fleet.vehicle(vehicle_id)
    pending = [(b.earliest_start, b.latest_end, b.duration) for b in fr.pending_breaks]
    breaks = []
    for b in sorted(spec.breaks, key=lambda b: (b.earliest, b.latest)):
        key = (b.earliest, b.latest, b.duration_min * _MIN)
        if key not in pending:
            breaks.append(b)  # taken before now
            continue
        pending.remove(key)
        begin = max(t, b.earliest)
        if begin + b.duration_min * _MIN <= b.latest + 1e-6:
            breaks.append(b)
            t = begin + b.duration_min * _MIN
    end = max(spec.shift_end, float(math.ceil(t - 1e-6)))
    mrd = spec.max_route_duration_min
    if mrd is not None and fr.done and end - fr.done[0].departure > mrd * _MIN:
        mrd = None
    if end == spec.shift_end and len(breaks) == len(spec.breaks) and mrd == spec.max_route_duration_min:
        return built
    log.info("%s is withdrawn at %.0f s but delivers its passengers until %.0f s", vehicle_id, spec.shift_end, end)
    return _replace_spec(built, dataclasses.replace(spec, shift_end=end, breaks=tuple(breaks), max_route_duration_min=mrd))


def _replace_spec(built: BuiltProblem, spec: VehicleSpec) -> BuiltProblem:
    fleet = built.fleet
    specs = tuple(spec if v.id == spec.id else v for v in fleet.vehicles)
    start, end = built.depots[spec.id]
    vehicle = build_vehicle(spec, start_depot=start, end_depot=end)
    vehicles = tuple(vehicle if v.id == spec.id else v for v in built.problem.vehicles)
    return dataclasses.replace(
        built, fleet=dataclasses.replace(fleet, vehicles=specs), problem=built.problem.replace(vehicles=vehicles)
    )


def _fit_breaks(breaks: Sequence[BreakSpec], lo: float, hi: float) -> tuple[BreakSpec, ...]:
    out = []
    for b in breaks:
        e, l_ = max(b.earliest, lo), min(b.latest, hi)
        if l_ - e >= b.duration_min * _MIN:
            out.append(BreakSpec(e, l_, b.duration_min))
    return tuple(out)


def withdraw(fleet: Fleet, vehicle_id: str, start: float) -> Fleet:
    """Return ``fleet`` with the vehicle's shift ending at ``start`` (a planned withdrawal)."""
    specs = []
    for v in fleet.vehicles:
        if v.id == vehicle_id and start < v.shift_end:
            end = max(start, v.shift_start + 1.0)
            v = dataclasses.replace(v, shift_end=end, breaks=_fit_breaks(v.breaks, v.shift_start, end))
        specs.append(v)
    return dataclasses.replace(fleet, vehicles=tuple(specs))


def second_run(fleet: Fleet, vehicle_id: str, until: float, *, original: VehicleSpec) -> tuple[Fleet, str | None]:
    """Add the vehicle's second run from its depot at ``until`` to its original shift end.

    Returns the fleet and the id of the run (None if the shift is over by ``until``).
    """
    if until >= original.shift_end:
        return fleet, None
    ids = {v.id for v in fleet.vehicles}
    n = 2
    while f"{vehicle_id}~{n}" in ids:
        n += 1
    run = dataclasses.replace(
        original,
        id=f"{vehicle_id}~{n}",
        shift_start=float(until),
        breaks=_fit_breaks(original.breaks, until, original.shift_end),
        max_route_duration_min=original.max_route_duration_min,
    )
    return dataclasses.replace(fleet, vehicles=(*fleet.vehicles, run)), run.id
