"""``routes.geojson``: the day's routes on the roads, and their stops.

A GeoJSON FeatureCollection (RFC 7946: WGS84, ``[lon, lat]`` order) with

* one ``LineString`` per vehicle that serves anybody, following the fastest
  roads between its stops (:meth:`transit.road.travel.RoadNetwork.path_coords`),
  with properties ``feature: "route"``, ``vehicle_id``, ``km``, ``requests``,
  ``leaves``, ``returns``;
* one ``Point`` per stop with ``feature: "stop"``, ``vehicle_id``, ``seq``,
  ``kind``, ``request_id``, ``arrival``, ``departure``, ``load``,
  ``wheelchair_load``, ``place``.

Every feature carries ``attribution: "© OpenStreetMap contributors"`` (the
road data's licence, ODbL), and so does the collection.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from transit.dispatch.places import PlaceNamer
from transit.dispatch.tables import stop_infos
from transit.darp.data import StopKind
from transit.util.timeparse import format_clock
from transit.road.travel import RoadNetwork

__all__ = ["ATTRIBUTION", "routes_geojson"]

ATTRIBUTION = "© OpenStreetMap contributors"


def _pos(lat: float, lon: float) -> list[float]:
    return [round(float(lon), 6), round(float(lat), 6)]


def routes_geojson(day, network: RoadNetwork, namer: PlaceNamer | None = None) -> dict[str, Any]:
    """Return the GeoJSON FeatureCollection of the day's routes and stops."""
    features: list[dict[str, Any]] = []
    stops_features: list[dict[str, Any]] = []
    km = {}
    for route in day.plan.routes:
        stops = route.stops
        km[route.vehicle_id] = sum(
            float(day.problem.distance[a.location, b.location]) for a, b in zip(stops, stops[1:])
        ) / 1000.0
    for route, infos in zip(day.plan.routes, stop_infos(day)):
        if not infos:
            continue
        if route.is_used:
            coords: list[list[float]] = []
            for a, b in zip(infos, infos[1:]):
                if a.node == b.node:
                    continue
                path = network.path_coords(a.node, b.node)
                pts = [_pos(lat, lon) for lat, lon in np.asarray(path)]
                if coords and pts and coords[-1] == pts[0]:
                    pts = pts[1:]
                coords.extend(pts)
            if len(coords) < 2:
                first = _pos(infos[0].lat, infos[0].lon)
                coords = [first, first]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": coords},
                    "properties": {
                        "feature": "route",
                        "vehicle_id": route.vehicle_id,
                        "km": round(km[route.vehicle_id], 3),
                        "requests": len(route.request_ids),
                        "leaves": format_clock(route.stops[0].departure),
                        "returns": format_clock(route.stops[-1].arrival),
                        "attribution": ATTRIBUTION,
                    },
                }
            )
        for info in infos:
            s = info.stop
            stops_features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": _pos(info.lat, info.lon)},
                    "properties": {
                        "feature": "stop",
                        "vehicle_id": info.vehicle_id,
                        "seq": info.seq,
                        "kind": str(s.kind),
                        "request_id": s.request_id if s.kind in (StopKind.PICKUP, StopKind.DROPOFF) else None,
                        "arrival": format_clock(s.arrival),
                        "departure": format_clock(s.departure),
                        "load": s.load,
                        "wheelchair_load": s.wheelchair_load,
                        "place": namer.name(info.node, info.lat, info.lon) if namer else None,
                        "attribution": ATTRIBUTION,
                    },
                }
            )
    return {
        "type": "FeatureCollection",
        "attribution": ATTRIBUTION,
        "features": features + stops_features,
    }


def routes_geojson_text(day, network: RoadNetwork, namer: PlaceNamer | None = None) -> str:
    """Return ``routes.geojson`` as text."""
    return json.dumps(routes_geojson(day, network, namer), ensure_ascii=False, separators=(",", ":")) + "\n"
