"""Radial bus lines of the synthetic district and their timetable as GTFS tables.

Each line starts at the railway station of the middle-order centre and runs
out through the villages on its road to a terminal (a basic centre or a
village beyond it); running times come from the district's own roads (the
same speed rules the road graph uses, times ``bus_speed_factor``, plus a dwell
per stop). Trips: weekday service every ``headway_min``, school-day extras
(service ``SCHOOL``), Saturday service where a Saturday headway is given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from transit.district.layout import District, Place, Poi
from transit.util.timeparse import format_clock, parse_clock

__all__ = ["BusLine", "GtfsTables", "plan_lines", "timetable"]


@dataclass
class BusLine:
    """A line: its name and its stops (outbound order) with running times."""

    short_name: str
    long_name: str
    stops: list[tuple[str, str, int]]  # (stop id, stop name, road node id)
    run_s: list[float]  # seconds from the first stop, per stop (outbound)
    spec: Mapping[str, Any]


@dataclass
class GtfsTables:
    """GTFS files as (header, rows)."""

    tables: dict[str, tuple[list[str], list[list[str]]]]


def _road_graph(d: District) -> sp.csr_matrix:
    """Return the district's roads as a sparse graph of travel times (s), indexed by node id."""
    from transit.road.rules import default_rules

    rules = default_rules()
    n = len(d.nodes) + 1
    rows, cols, data = [], [], []
    for w in d.ways:
        hw = w.tags.get("highway")
        if hw is None:
            continue
        speed = rules.speed_kmh(hw, w.tags.get("maxspeed"))
        for u, v in zip(w.nodes, w.nodes[1:]):
            (x0, y0), (x1, y1) = d.nodes[u - 1], d.nodes[v - 1]
            t = math.hypot(x1 - x0, y1 - y0) / speed * 3600.0
            rows += [u, v]
            cols += [v, u]
            data += [t, t]
    return sp.csr_matrix((data, (rows, cols)), shape=(n, n))


def _place_links(d: District) -> dict[int, list[int]]:
    adj: dict[int, list[int]] = {i: [] for i in range(len(d.places))}
    for i, j, _c in d.links:
        adj[i].append(j)
        adj[j].append(i)
    return adj


def _tree_paths(d: District) -> tuple[dict[int, float], dict[int, int]]:
    """Shortest (Euclidean) paths on the place graph from the centre (index 0)."""
    import heapq

    adj = _place_links(d)
    dist = {0: 0.0}
    prev: dict[int, int] = {}
    heap = [(0.0, 0)]
    while heap:
        du, u = heapq.heappop(heap)
        if du > dist[u]:
            continue
        for w in sorted(adj[u]):
            nd = du + math.hypot(d.places[u].x - d.places[w].x, d.places[u].y - d.places[w].y)
            if nd < dist.get(w, math.inf) - 1e-12:
                dist[w] = nd
                prev[w] = u
                heapq.heappush(heap, (nd, w))
    return dist, prev


def _path_to(prev: Mapping[int, int], t: int) -> list[int]:
    path = [t]
    while path[-1] != 0:
        path.append(prev[path[-1]])
    return path[::-1]


def plan_lines(d: District, spec: Mapping[str, Any]) -> list[BusLine]:
    """Choose the line routes: one per basic centre (extended to the farthest
    village behind it), then one to the farthest village no line passes."""
    dist, prev = _tree_paths(d)
    basics = [k for k, p in enumerate(d.places) if p.kind == "basic"]
    routes: list[list[int]] = []
    for b in basics:
        behind = [v for v in range(len(d.places)) if d.places[v].kind == "village" and b in _path_to(prev, v)]
        term = max(behind, key=lambda v: (dist[v], -v)) if behind else b
        routes.append(_path_to(prev, term))
    n_lines = len(spec["lines"]["lines"])
    served = {k for r in routes for k in r}
    while len(routes) < n_lines:
        rest = [v for v in range(len(d.places)) if v not in served and d.places[v].kind == "village"]
        if not rest:
            break
        term = max(rest, key=lambda v: (dist[v], -v))
        routes.append(_path_to(prev, term))
        served |= set(routes[-1])

    g = _road_graph(d)
    station_poi = next(d.pois[k] for k in d.places[0].services if d.pois[k].tags.get("railway") == "station")
    station_node = _nearest_node(d, station_poi)
    centre = d.places[0]
    stop_ids: dict[int, str] = {}

    def stop(node: int, name: str) -> tuple[str, str, int]:
        sid = stop_ids.setdefault(node, f"S{len(stop_ids) + 1:03d}")
        return sid, name, node

    cfg = spec["lines"]
    lines = []
    for k, route in enumerate(routes):
        stops = [stop(station_node, f"{centre.name}, Bahnhof"), stop(centre.node, f"{centre.name}, Markt")]
        for idx in route[1:]:
            p: Place = d.places[idx]
            label = "Markt" if p.kind == "basic" else "Mitte"
            stops.append(stop(p.node, f"{p.name}, {label}"))
        nodes = [s[2] for s in stops]
        times = dijkstra(g, directed=True, indices=nodes)
        run = [0.0]
        for a, b in zip(range(len(nodes)), range(1, len(nodes))):
            leg = times[a, nodes[b]] / cfg["bus_speed_factor"]
            run.append(run[-1] + leg + cfg["dwell_s"])
        last = d.places[route[-1]].name
        lines.append(
            BusLine(
                cfg["lines"][k]["short_name"],
                f"{centre.name} - {last}",
                stops,
                run,
                cfg["lines"][k],
            )
        )
    return lines


def _nearest_node(d: District, poi: Poi) -> int:
    best, best_d = 1, math.inf
    for node in d.places[0].grid.values():
        x, y = d.nodes[node - 1]
        dd = math.hypot(x - poi.x, y - poi.y)
        if dd < best_d:
            best, best_d = node, dd
    return best


def _minute(t: float) -> int:
    return int(round(t / 60.0)) * 60


def timetable(d: District, lines: list[BusLine], spec: Mapping[str, Any]) -> GtfsTables:
    """Return the GTFS tables (agency, stops, routes, trips, stop_times, calendar)."""
    cfg = spec["lines"]
    agency = (["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
              [["KVS", cfg["agency_name"], cfg["agency_url"], cfg["timezone"], "de"]])
    stops_rows: dict[str, list[str]] = {}
    for line in lines:
        for sid, name, node in line.stops:
            lat, lon = d.latlon(*d.nodes[node - 1])
            stops_rows.setdefault(sid, [sid, name, f"{lat:.7f}", f"{lon:.7f}"])
    stops = (["stop_id", "stop_name", "stop_lat", "stop_lon"], [stops_rows[k] for k in sorted(stops_rows)])
    routes = (["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"],
              [[f"L{ln.short_name}", "KVS", ln.short_name, ln.long_name, "3"] for ln in lines])
    trips_rows: list[list[str]] = []
    st_rows: list[list[str]] = []
    layover = 10 * 60
    for line in lines:
        total = line.run_s[-1]
        deps_out: list[tuple[str, float]] = []
        deps_in: list[tuple[str, float]] = []
        first, last, head = parse_clock(line.spec["first"]), parse_clock(line.spec["last"]), line.spec["headway_min"] * 60
        t = first
        while t <= last:
            deps_out.append(("WD", t))
            deps_in.append(("WD", _minute(t + total + layover)))
            t += head
        deps_in.append(("WD", _minute(first - total - 5 * 60)))
        school_arr = parse_clock(cfg["school_arrival"])
        deps_in.append(("SCHOOL", _minute(school_arr - total - 5 * 60)))
        for r in cfg["school_returns"]:
            deps_out.append(("SCHOOL", parse_clock(r)))
        sat = line.spec.get("saturday_headway_min")
        if sat:
            t = parse_clock("08:00")
            while t <= parse_clock("14:00"):
                deps_out.append(("SA", t))
                deps_in.append(("SA", _minute(t + total + layover)))
                t += sat * 60
        n = 0
        for direction, deps in ((0, deps_out), (1, deps_in)):
            order = line.stops if direction == 0 else line.stops[::-1]
            offs = line.run_s if direction == 0 else [total - x for x in line.run_s[::-1]]
            head_sign = order[-1][1]
            for service, dep in sorted(deps, key=lambda x: (x[1], x[0])):
                n += 1
                trip_id = f"{line.short_name}-{'out' if direction == 0 else 'in'}-{n:03d}"
                trips_rows.append([f"L{line.short_name}", service, trip_id, head_sign, str(direction)])
                for seq, ((sid, _name, _node), off) in enumerate(zip(order, offs), start=1):
                    arr = _minute(dep + off)
                    st_rows.append([trip_id, format_clock(arr), format_clock(arr), sid, str(seq)])
    trips = (["route_id", "service_id", "trip_id", "trip_headsign", "direction_id"], trips_rows)
    stop_times = (["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"], st_rows)
    cal_head = ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                "start_date", "end_date"]
    sd, ed = cfg["start_date"], cfg["end_date"]
    calendar = (cal_head, [
        ["WD", "1", "1", "1", "1", "1", "0", "0", sd, ed],
        ["SCHOOL", "1", "1", "1", "1", "1", "0", "0", sd, ed],
        ["SA", "0", "0", "0", "0", "0", "1", "0", sd, ed],
    ])
    return GtfsTables({
        "agency.txt": agency,
        "stops.txt": stops,
        "routes.txt": routes,
        "trips.txt": trips,
        "stop_times.txt": stop_times,
        "calendar.txt": calendar,
    })
