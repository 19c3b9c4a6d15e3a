"""Bus lines of the synthetic district and their timetable as GTFS tables.

Radial lines start at the railway station of the middle-order centre and run
out through the villages on their road to a terminal (a basic centre or a
village beyond it). Stops are placed as a real network has them: at every
place the line passes and, inside towns, along the route every
``stop_spacing_m`` or so, so that the towns are covered. A town line loops
through the middle-order centre's streets (``town_lines``), and school lines
(``school_lines``) reach the villages no other line serves, on school days
only, as school transport does. Running times come from the district's own
roads (the same speed rules the road graph uses, times ``bus_speed_factor``,
plus a dwell per stop). Trips: weekday service every ``headway_min``,
school-day extras (service ``SCHOOL``), Saturday service where a Saturday
headway is given.
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
        if hw is None or not rules.is_drivable(w.tags):
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


def _radial_routes(d: District, spec: Mapping[str, Any]) -> list[list[int]]:
    """Place routes of the radial lines: one per basic centre (extended to the farthest
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
    return routes


def _school_routes(d: District, served: set[int], max_lines: int) -> list[list[int]]:
    """Place routes of school lines: from the centre to the farthest village no line serves,
    until every village is served (or ``max_lines`` are planned)."""
    dist, prev = _tree_paths(d)
    routes: list[list[int]] = []
    served = set(served)
    while len(routes) < max_lines:
        rest = [v for v in range(len(d.places)) if v not in served and d.places[v].kind == "village"]
        if not rest:
            break
        term = max(rest, key=lambda v: (dist[v], -v))
        routes.append(_path_to(prev, term))
        served |= set(routes[-1])
    return routes


def _street_names(d: District) -> dict[int, str]:
    """Name of a street through each node (the first named drivable way)."""
    names: dict[int, str] = {}
    for w in d.ways:
        name = w.tags.get("name")
        if name and w.tags.get("highway") not in (None, "footway", "path"):
            for u in w.nodes:
                names.setdefault(u, name)
    return names


class _Stops:
    """Stop ids and names, one stop per road node, named ``"Place, Street"``."""

    def __init__(self, d: District) -> None:
        self.d = d
        self.ids: dict[int, str] = {}
        self.names: dict[int, str] = {}
        self.used: set[str] = set()
        self.streets = _street_names(d)

    def get(self, node: int, name: str | None = None) -> tuple[str, str, int]:
        sid = self.ids.setdefault(node, f"S{len(self.ids) + 1:03d}")
        if node not in self.names:
            base = name or self._name(node)
            label, k = base, 2
            while label in self.used:
                label, k = f"{base} {k}", k + 1
            self.names[node] = label
            self.used.add(label)
        return sid, self.names[node], node

    def _name(self, node: int) -> str:
        x, y = self.d.nodes[node - 1]
        town = min(self.d.places, key=lambda p: math.hypot(p.x - x, p.y - y))
        return f"{town.name}, {self.streets.get(node, 'Dorfstraße')}"


def _town_nodes(d: District) -> set[int]:
    """The street-grid nodes of the towns (centre and basic centres)."""
    return {n for p in d.places if p.kind != "village" for n in p.grid.values()}


def _with_town_stops(d: District, g: sp.csr_matrix, main: list[int], spacing_km: float) -> list[int]:
    """Return the stop nodes of a route through ``main``: the main stops, and inside towns
    a stop every ``spacing_km`` or so along the road between them."""
    out = [main[0]]
    towns = _town_nodes(d)
    for a, b in zip(main, main[1:]):
        _, pred = dijkstra(g, directed=True, indices=a, return_predecessors=True)
        path = [b]
        while path[-1] != a and pred[path[-1]] >= 0:
            path.append(int(pred[path[-1]]))
        path = path[::-1]
        last = d.nodes[a - 1]
        end = d.nodes[b - 1]
        for node in path[1:-1]:
            x, y = d.nodes[node - 1]
            if node not in towns or node in out or node in main:
                continue
            if math.hypot(x - last[0], y - last[1]) >= spacing_km and math.hypot(x - end[0], y - end[1]) >= spacing_km / 2:
                out.append(node)
                last = (x, y)
        out.append(b)
    return out


def _running_times(g: sp.csr_matrix, nodes: list[int], cfg: Mapping[str, Any]) -> list[float]:
    times = dijkstra(g, directed=True, indices=nodes)
    run = [0.0]
    for a, b in zip(range(len(nodes)), range(1, len(nodes))):
        leg = times[a, nodes[b]] / cfg["bus_speed_factor"]
        run.append(run[-1] + leg + cfg["dwell_s"])
    return run


def _ring(centre: Place, ring: int) -> list[int]:
    """Grid nodes around the square ring ``ring`` of the centre's street grid, in order."""
    r = ring
    cells = [(i, -r) for i in range(-r, r + 1)] + [(r, j) for j in range(-r + 1, r + 1)]
    cells += [(i, r) for i in range(r - 1, -r - 1, -1)] + [(-r, j) for j in range(r - 1, -r, -1)]
    return [centre.grid[c] for c in cells if c in centre.grid]


def plan_lines(d: District, spec: Mapping[str, Any]) -> list[BusLine]:
    """Choose the line routes and their stops: radial lines, town lines and school lines."""
    cfg = spec["lines"]
    g = _road_graph(d)
    station_poi = next(d.pois[k] for k in d.places[0].services if d.pois[k].tags.get("railway") == "station")
    station_node = _nearest_node(d, station_poi)
    centre = d.places[0]
    stops = _Stops(d)
    spacing = float(cfg.get("stop_spacing_m", 1e9)) / 1000.0
    lines = []

    def add(short: str, long_name: str, main: list[tuple[int, str | None]], line_spec: Mapping[str, Any]) -> None:
        named = dict(main)
        nodes = _with_town_stops(d, g, [n for n, _ in main], spacing)
        st = [stops.get(n, named.get(n)) for n in nodes]
        lines.append(BusLine(short, long_name, st, _running_times(g, nodes, cfg), line_spec))

    radial = _radial_routes(d, spec)
    for k, route in enumerate(radial):
        main = [(station_node, f"{centre.name}, Bahnhof"), (centre.node, f"{centre.name}, Markt")]
        for idx in route[1:]:
            p: Place = d.places[idx]
            main.append((p.node, f"{p.name}, {'Markt' if p.kind == 'basic' else 'Mitte'}"))
        add(cfg["lines"][k]["short_name"], f"{centre.name} - {d.places[route[-1]].name}", main, cfg["lines"][k])
    for town_spec in cfg.get("town_lines", []):
        ring = _ring(centre, int(town_spec["ring"]))
        start = min(range(len(ring)), key=lambda i: math.dist(d.nodes[ring[i] - 1], d.nodes[station_node - 1]))
        ring = ring[start:] + ring[:start]
        main = [(station_node, f"{centre.name}, Bahnhof")] + [(n, None) for n in ring[:: int(town_spec.get("every", 2))]]
        add(town_spec["short_name"], f"{centre.name} Stadtlinie", main, town_spec)
    school = cfg.get("school_lines")
    if school:
        served = {k for r in radial for k in r}
        for k, route in enumerate(_school_routes(d, served, int(school["max_lines"]))):
            main = [(station_node, f"{centre.name}, Bahnhof"), (centre.node, f"{centre.name}, Markt")]
            for idx in route[1:]:
                p = d.places[idx]
                main.append((p.node, f"{p.name}, {'Markt' if p.kind == 'basic' else 'Mitte'}"))
            short = f"{school['first_number'] + k}"
            add(short, f"{centre.name} - {d.places[route[-1]].name} (Schulbus)", main, {**school, "short_name": short})
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
        if line.spec.get("headway_min"):
            first, last = parse_clock(line.spec["first"]), parse_clock(line.spec["last"])
            head = line.spec["headway_min"] * 60
            t = first
            while t <= last:
                deps_out.append(("WD", t))
                deps_in.append(("WD", _minute(t + total + layover)))
                t += head
            deps_in.append(("WD", _minute(first - total - 5 * 60)))
        if line.spec.get("school", True):
            school_arr = parse_clock(cfg["school_arrival"])
            deps_in.append(("SCHOOL", _minute(school_arr - total - 5 * 60)))
            for r in cfg["school_returns"]:
                deps_out.append(("SCHOOL", parse_clock(r)))
            if cfg.get("school_morning_out"):
                deps_out.append(("SCHOOL", parse_clock(cfg["school_morning_out"])))
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
