"""Timetabled lines as GTFS: stops, routes, trips, stop_times and shapes from the road geometry.

Ids are kept as the timetable has them (stop, line and trip ids), so a feed
read back gives the same timetable. Each distinct stop sequence gets one
shape: the fastest road path between consecutive stops
(:meth:`transit.road.travel.RoadNetwork.path_coords`), with the distance
travelled in kilometres, which ``stop_times.shape_dist_traveled`` also gives
at each stop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from transit.publish.feed import FeedTables
from transit.util.geo import great_circle_m
from transit.util.timeparse import format_clock

if TYPE_CHECKING:
    from transit.road.travel import RoadNetwork
    from transit.timetable.lines import Timetable

__all__ = ["BUS", "timetable_tables"]

log = logging.getLogger(__name__)

#: ``route_type`` of a bus.
BUS = 3


def _shape(network: RoadNetwork, stops: list[tuple[float, float]], nodes: list[int]) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Return the polyline from stop to stop along the roads, the km at each point and at each stop.

    The line passes through each stop's own position, then follows the
    fastest road path from the stop's nearest road node to the next stop's.
    """
    pts: list[np.ndarray] = []
    at_stop: list[int] = []
    n = 0
    for k, (stop, u) in enumerate(zip(stops, nodes)):
        pts.append(np.array([stop]))
        at_stop.append(n)
        n += 1
        if k + 1 < len(nodes):
            v = nodes[k + 1]
            try:
                road = network.path_coords(u, v) if u != v else np.zeros((0, 2))
            except ValueError:
                road = np.zeros((0, 2))
            pts.append(road)
            n += len(road)
    line = np.concatenate(pts)
    step = great_circle_m(line[:-1, 0], line[:-1, 1], line[1:, 0], line[1:, 1]) if len(line) > 1 else np.zeros(0)
    km = np.concatenate([[0.0], np.cumsum(step)]) / 1000.0
    return line, km, [float(km[i]) for i in at_stop]


def _shapes(
    tt: Timetable, network: RoadNetwork | None, out: FeedTables, prefix: str
) -> dict[tuple[int, ...], tuple[str, list[float]]]:
    """Write one shape per stop sequence; return its id and the km at each stop, by sequence."""
    if network is None:
        return {}
    snapped = network.snap_distances(tt.stop_lat, tt.stop_lon).node
    shapes: dict[tuple[int, ...], tuple[str, list[float]]] = {}
    for trip in tt.trips:
        if trip.stops in shapes:
            continue
        sid = f"{prefix}shape-{len(shapes) + 1:03d}"
        coords = [(tt.stops[i].lat, tt.stops[i].lon) for i in trip.stops]
        line, km, at = _shape(network, coords, [int(snapped[i]) for i in trip.stops])
        last = -1.0
        seq = 0
        for (la, lo), d in zip(line.tolist(), km.tolist()):
            if seq and round(d, 4) <= last:  # a repeated point: distances along a shape must grow
                continue
            seq += 1
            last = round(d, 4)
            out.add("shapes.txt", {"shape_id": sid, "shape_pt_lat": round(la, 6), "shape_pt_lon": round(lo, 6),
                                   "shape_pt_sequence": seq, "shape_dist_traveled": round(d, 4)})
        shapes[trip.stops] = (sid, at)
    return shapes


def timetable_tables(
    tt: Timetable,
    *,
    agency_id: str,
    service_id: str,
    network: RoadNetwork | None = None,
    booking_rule: Callable[[int], str] | None = None,
    route_desc: Mapping[str, str] | None = None,
    prefix: str = "",
) -> FeedTables:
    """Return stops, routes, trips, stop_times (and shapes) of a timetable.

    Parameters
    ----------
    tt
        The timetable of the modelled day.
    agency_id, service_id
        The agency and the calendar entry every trip uses.
    network
        Road network for the shapes (None: no shapes).
    booking_rule
        For a Rufbus or AST: the booking rule id of trip ``k`` (index into
        ``tt.trips``); its stops then get ``pickup_type`` and
        ``drop_off_type`` 2 (book with the agency) and the rule.
    route_desc
        Text per line id for ``route_desc``.
    prefix
        Prefix of shape ids (keeps ids unique when feeds are merged).
    """
    out = FeedTables()
    for s in tt.stops:
        out.add("stops.txt", {"stop_id": s.stop_id, "stop_name": s.name or s.stop_id,
                              "stop_lat": float(s.lat), "stop_lon": float(s.lon), "location_type": 0})
    for ln in tt.lines:
        out.add("routes.txt", {"route_id": ln.line_id, "agency_id": agency_id, "route_short_name": ln.name,
                               "route_long_name": ln.long_name,
                               "route_desc": (route_desc or {}).get(ln.line_id, ""), "route_type": BUS})
    shapes = _shapes(tt, network, out, prefix)
    for k, trip in enumerate(tt.trips):
        shape = shapes.get(trip.stops)
        out.add("trips.txt", {"route_id": trip.line_id, "service_id": service_id, "trip_id": trip.trip_id,
                              "trip_headsign": trip.headsign, "shape_id": shape[0] if shape else ""})
        rule = booking_rule(k) if booking_rule is not None else ""
        for seq, (i, a, d) in enumerate(zip(trip.stops, trip.arrival, trip.departure), start=1):
            row = {"trip_id": trip.trip_id, "arrival_time": format_clock(a), "departure_time": format_clock(d),
                   "stop_id": tt.stops[i].stop_id, "stop_sequence": seq, "timepoint": 1}
            if shape:
                row["shape_dist_traveled"] = round(shape[1][seq - 1], 4)
            if rule:
                row.update(pickup_type=2, drop_off_type=2, pickup_booking_rule_id=rule, drop_off_booking_rule_id=rule)
            out.add("stop_times.txt", row)
    return out
