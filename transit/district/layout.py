"""Lay out a synthetic rural district: places, roads, streets and services.

Work happens in a local plane (x east, y north, kilometres) around the
district's origin; :func:`to_latlon` maps it to degrees. The result is a
plain in-memory :class:`District` (nodes, ways, tagged points) that
:mod:`transit.district.osmxml` writes as OSM XML.

The road network is built so that it is strongly connected: every way is
two-way and every street hangs off a place's road junction, and the links
between places form a connected graph (the Gabriel graph of the places, which
contains their Euclidean minimum spanning tree).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from transit.util.geo import M_PER_DEG_LAT

__all__ = ["District", "Place", "Poi", "Way", "lay_out", "to_latlon"]

KM_PER_DEG_LAT = M_PER_DEG_LAT / 1000.0


@dataclass
class Place:
    """A settlement: a town (``kind`` ``"centre"`` or ``"basic"``) or a village."""

    name: str
    kind: str
    population: int
    x: float
    y: float
    radius_km: float
    node: int = -1  # the junction node at the place's centre
    grid: dict[tuple[int, int], int] = field(default_factory=dict)
    services: list[int] = field(default_factory=list)  # Poi indices

    @property
    def osm_place(self) -> str:
        """The OSM ``place`` value."""
        return "town" if self.kind in ("centre", "basic") else "village"


@dataclass
class Way:
    """An OSM way: node ids in order and tags."""

    nodes: list[int]
    tags: dict[str, str]


@dataclass
class Poi:
    """A tagged stand-alone OSM node (place, service, bus stop)."""

    x: float
    y: float
    tags: dict[str, str]


@dataclass
class District:
    """The laid-out district in the local plane (km)."""

    origin_lat: float
    origin_lon: float
    nodes: list[tuple[float, float]]  # index = node id - 1
    ways: list[Way]
    pois: list[Poi]
    places: list[Place]
    links: list[tuple[int, int, str]]  # (place index, place index, road class)
    rail: list[tuple[float, float]] = field(default_factory=list)

    def latlon(self, x: float, y: float) -> tuple[float, float]:
        """Return degrees for a point of the local plane."""
        return to_latlon(self.origin_lat, self.origin_lon, x, y)


def to_latlon(lat0: float, lon0: float, x: float, y: float) -> tuple[float, float]:
    """Map local km (x east, y north) around (lat0, lon0) to rounded degrees."""
    lat = lat0 + y / KM_PER_DEG_LAT
    lon = lon0 + x / (KM_PER_DEG_LAT * math.cos(math.radians(lat0)))
    return round(lat, 7), round(lon, 7)


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[tuple[float, float]] = []
        self.ways: list[Way] = []
        self.pois: list[Poi] = []

    def node(self, x: float, y: float) -> int:
        self.nodes.append((round(x, 5), round(y, 5)))
        return len(self.nodes)

    def way(self, nodes: list[int], tags: dict[str, str]) -> None:
        if len(nodes) >= 2:
            self.ways.append(Way(nodes, tags))

    def poi(self, x: float, y: float, tags: dict[str, str]) -> int:
        self.pois.append(Poi(round(x, 5), round(y, 5), tags))
        return len(self.pois) - 1


def _round10(x: float) -> int:
    return int(round(x / 10.0)) * 10


def _names(spec: Mapping[str, Any], rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    pre, stems, suf = spec["prefixes"], spec["stems"], spec["suffixes"]
    while len(out) < n:
        p = pre[int(rng.integers(len(pre)))]
        s = stems[int(rng.integers(len(stems)))]
        e = suf[int(rng.integers(len(suf)))]
        if p in ("Alt", "Neu"):
            name = f"{p}{s.lower()}{e}"
        elif p:
            name = f"{p} {s}{e}"
        else:
            name = f"{s}{e}"
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def _place_towns(spec: Mapping[str, Any], rng: np.random.Generator) -> list[Place]:
    c = spec["centre"]
    jitter = rng.uniform(-1.0, 1.0, size=2)
    centre = Place(
        c["name"], "centre", _round10(rng.uniform(*c["population"])), float(jitter[0]), float(jitter[1]),
        float(c["radius_km"]),
    )
    b = spec["basic_centres"]
    start = rng.uniform(0, 2 * math.pi)
    places = [centre]
    for i in range(int(b["count"])):
        ang = start + 2 * math.pi * i / b["count"] + rng.uniform(-0.3, 0.3)
        dist = rng.uniform(*b["distance_km"])
        places.append(
            Place(
                b["names"][i],
                "basic",
                _round10(rng.uniform(*b["population"])),
                centre.x + dist * math.cos(ang),
                centre.y + dist * math.sin(ang),
                float(b["radius_km"]),
            )
        )
    # the largest basic centre first (line 401 goes there)
    places[1:] = sorted(places[1:], key=lambda p: -p.population)
    return places


def _place_villages(spec: Mapping[str, Any], rng: np.random.Generator, towns: list[Place]) -> list[Place]:
    v = spec["villages"]
    half = spec["size_km"] / 2.0 - 0.8
    lo, hi = math.log(v["population"][0]), math.log(v["population"][1])
    names = _names(v, rng, int(v["count"]), {p.name for p in towns})
    out: list[Place] = []
    tries = 0
    while len(out) < v["count"]:
        tries += 1
        if tries > 200_000:
            msg = "could not place the villages; lower their count or spacing"
            raise RuntimeError(msg)
        x, y = rng.uniform(-half, half, size=2)
        if any(math.hypot(x - t.x, y - t.y) < v["min_town_distance_km"] + t.radius_km * 0.5 for t in towns):
            continue
        if any(math.hypot(x - p.x, y - p.y) < v["min_spacing_km"] for p in out):
            continue
        pop = max(v["population"][0], min(v["population"][1], _round10(math.exp(rng.uniform(lo, hi)))))
        radius = 0.25 + 0.2 * math.sqrt(pop / 1000.0)
        out.append(Place(names[len(out)], "village", int(pop), float(x), float(y), radius))
    return out


def _gabriel_links(places: Sequence[Place], max_km: float) -> list[tuple[int, int]]:
    """Return the Gabriel-graph edges (i < j), long ones dropped unless needed."""
    pts = np.array([(p.x, p.y) for p in places])
    n = len(pts)
    edges: list[tuple[float, int, int]] = []
    for i in range(n):
        for j in range(i + 1, n):
            mid = (pts[i] + pts[j]) / 2.0
            r2 = float(((pts[i] - pts[j]) ** 2).sum()) / 4.0
            d2 = ((pts - mid) ** 2).sum(axis=1)
            d2[[i, j]] = np.inf
            if (d2 >= r2 - 1e-12).all():
                edges.append((math.sqrt(4 * r2), i, j))
    edges.sort()
    # Kruskal: the minimum spanning tree is part of the Gabriel graph.
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    keep: list[tuple[int, int]] = []
    for length, i, j in edges:
        ri, rj = find(i), find(j)
        in_tree = ri != rj
        if in_tree:
            parent[ri] = rj
        if in_tree or length <= max_km:
            keep.append((i, j))
    return sorted(keep)


def _shortest_place_path(n: int, links: list[tuple[int, int]], length: Mapping[tuple[int, int], float],
                         s: int, t: int) -> list[int]:
    import heapq

    adj: dict[int, list[int]] = {i: [] for i in range(n)}
    for i, j in links:
        adj[i].append(j)
        adj[j].append(i)
    dist = {s: 0.0}
    prev: dict[int, int] = {}
    heap = [(0.0, s)]
    while heap:
        d, u = heapq.heappop(heap)
        if u == t:
            break
        if d > dist.get(u, math.inf):
            continue
        for w in adj[u]:
            nd = d + length[(min(u, w), max(u, w))]
            if nd < dist.get(w, math.inf) - 1e-12:
                dist[w] = nd
                prev[w] = u
                heapq.heappush(heap, (nd, w))
    path = [t]
    while path[-1] != s:
        path.append(prev[path[-1]])
    return path[::-1]


def _classify_links(
    places: list[Place], links: list[tuple[int, int]], fed_start: int
) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    """Return the road class and the road number (``ref``) of every link."""
    length = {(i, j): math.hypot(places[i].x - places[j].x, places[i].y - places[j].y) for i, j in links}
    cls: dict[tuple[int, int], str] = {}
    ref: dict[tuple[int, int], str] = {}
    for i, j in links:
        big = max(places[i].population, places[j].population)
        town = places[i].kind != "village" or places[j].kind != "village"
        cls[(i, j)] = "tertiary" if big >= 500 or town else "unclassified"
    towns = [k for k, p in enumerate(places) if p.kind == "basic"]
    # state roads between the basic centres, federal roads from the centre to each
    for a in range(len(towns)):
        for b in range(a + 1, len(towns)):
            path = _shortest_place_path(len(places), links, length, towns[a], towns[b])
            for u, w in zip(path, path[1:]):
                cls[(min(u, w), max(u, w))] = "secondary"
    for k, t in enumerate(towns):
        path = _shortest_place_path(len(places), links, length, 0, t)
        for u, w in zip(path, path[1:]):
            key = (min(u, w), max(u, w))
            if cls[key] != "primary":
                cls[key] = "primary"
                ref[key] = f"B {fed_start + k}"
    counters = {"secondary": 100, "tertiary": 2100}
    for key in links:
        c = cls[key]
        if c in counters:
            counters[c] += 1
            ref[key] = f"{'L' if c == 'secondary' else 'K'} {counters[c]}"
    return cls, ref


def _grid(b: _Builder, p: Place, spacing_km: float, half: int, spec: Mapping[str, Any],
          rng: np.random.Generator) -> None:
    """Lay a street grid centred on a town; the centre node is the junction."""
    angle = rng.uniform(0, math.pi / 2)
    ca, sa = math.cos(angle), math.sin(angle)
    for i in range(-half, half + 1):
        for j in range(-half, half + 1):
            dx = spacing_km * (i + rng.uniform(-0.12, 0.12)) if (i, j) != (0, 0) else 0.0
            dy = spacing_km * (j + rng.uniform(-0.12, 0.12)) if (i, j) != (0, 0) else 0.0
            p.grid[(i, j)] = b.node(p.x + ca * dx - sa * dy, p.y + sa * dx + ca * dy)
    p.node = p.grid[(0, 0)]
    names = spec["villages"]["street_names"]
    urban = spec["roads"]["urban_maxspeed"]
    k = 0
    for i in range(-half, half + 1):
        for along in (True, False):
            seq = [p.grid[(i, j)] if along else p.grid[(j, i)] for j in range(-half, half + 1)]
            main = i == 0
            tags = {"highway": "tertiary" if main else "residential", "name": f"{names[k % len(names)]}"}
            if not main and abs(i) == half and rng.random() < 0.5:
                tags["maxspeed"] = "30"
                tags["zone:maxspeed"] = "DE:30"
            else:
                tags["maxspeed"] = urban
            k += 1
            b.way(seq, tags)


def _village_streets(b: _Builder, p: Place, spec: Mapping[str, Any], rng: np.random.Generator,
                     living: bool) -> None:
    v = spec["villages"]
    p.node = b.node(p.x, p.y)
    n_streets = 1 + min(3, p.population // 400)
    names = list(v["street_names"])
    start = rng.uniform(0, 2 * math.pi)
    spacing = v["street_spacing_m"] / 1000.0
    for s in range(n_streets):
        ang = start + 2 * math.pi * s / n_streets + rng.uniform(-0.4, 0.4)
        n_seg = int(rng.integers(2, 4))
        seq = [p.node]
        x, y = p.x, p.y
        for _ in range(n_seg):
            ang += rng.uniform(-0.35, 0.35)
            x += spacing * math.cos(ang)
            y += spacing * math.sin(ang)
            seq.append(b.node(x, y))
        is_living = living and s == n_streets - 1
        tags = {
            "highway": "living_street" if is_living else "residential",
            "name": names[(s + int(rng.integers(len(names)))) % len(names)],
        }
        if not is_living:
            tags["maxspeed"] = spec["roads"]["urban_maxspeed"]
        b.way(seq, tags)


def _link_road(b: _Builder, a: Place, c: Place, cls: str, ref: str | None, spec: Mapping[str, Any],
               rng: np.random.Generator) -> None:
    """Build the road from place ``a`` to ``c``; inside built-up areas 50 km/h."""
    r = spec["roads"]
    start = _exit_node(b, a, c)
    end = _exit_node(b, c, a)
    (x0, y0), (x1, y1) = b.nodes[start - 1], b.nodes[end - 1]
    length = math.hypot(x1 - x0, y1 - y0)
    n_mid = max(1, int(length * 1000 // r["node_spacing_m"]))
    bend = rng.uniform(-1, 1) * min(r["max_bend_m"] / 1000.0, 0.08 * length)
    nx_, ny_ = -(y1 - y0) / max(length, 1e-9), (x1 - x0) / max(length, 1e-9)
    seq = [start]
    inside = [True]
    for k in range(1, n_mid + 1):
        t = k / (n_mid + 1)
        off = bend * math.sin(math.pi * t) + rng.uniform(-0.015, 0.015)
        x = x0 + t * (x1 - x0) + off * nx_
        y = y0 + t * (y1 - y0) + off * ny_
        seq.append(b.node(x, y))
        inside.append(math.hypot(x - a.x, y - a.y) < a.radius_km or math.hypot(x - c.x, y - c.y) < c.radius_km)
    seq.append(end)
    inside.append(True)
    rural = {"primary": r["federal_maxspeed"], "secondary": r["state_maxspeed"], "tertiary": r["district_maxspeed"]}
    # split into runs of inside / outside built-up areas
    run = [seq[0]]
    run_inside = inside[1] if len(inside) > 1 else True
    for k in range(1, len(seq)):
        run.append(seq[k])
        nxt_inside = inside[k + 1] if k + 1 < len(seq) else None
        if nxt_inside is None or nxt_inside != run_inside:
            tags = {"highway": cls}
            if ref:
                tags["ref"] = ref
            if run_inside:
                tags["maxspeed"] = r["urban_maxspeed"]
            elif cls in rural:
                tags["maxspeed"] = rural[cls]
            b.way(run, tags)
            run = [seq[k]]
            if nxt_inside is not None:
                run_inside = nxt_inside


def _exit_node(b: _Builder, p: Place, towards: Place) -> int:
    """The node a road to ``towards`` leaves ``p`` from (a town's grid edge)."""
    if not p.grid:
        return p.node
    best, best_d = p.node, math.inf
    for node in p.grid.values():
        x, y = b.nodes[node - 1]
        d = math.hypot(x - towards.x, y - towards.y)
        if d < best_d:
            best, best_d = node, d
    return best


def _services(b: _Builder, p: Place, entries: Sequence[Mapping[str, Any]], rng: np.random.Generator) -> None:
    cells = sorted(p.grid)  # deterministic order
    inner = [c for c in cells if max(abs(c[0]), abs(c[1])) <= max(1, max(abs(q) for q, _ in cells) - 1)]
    edge = [c for c in cells if max(abs(c[0]), abs(c[1])) == max(abs(q) for q, _ in cells)]
    for e in entries:
        for i in range(1, int(e["count"]) + 1):
            pool = edge if e.get("at") == "edge" else inner
            cell = pool[int(rng.integers(len(pool)))]
            x, y = b.nodes[p.grid[cell] - 1]
            ang = rng.uniform(0, 2 * math.pi)
            tags = dict(t.split("=", 1) for t in e["tags"])
            tags["name"] = e["name"].format(town=p.name, i=i)
            p.services.append(b.poi(x + 0.025 * math.cos(ang), y + 0.025 * math.sin(ang), tags))


def lay_out(spec: Mapping[str, Any], rng: np.random.Generator) -> District:
    """Lay out the district described by ``spec`` (see ``data/district_default.toml``).

    The same spec and the same generator state give the same district.
    """
    towns = _place_towns(spec, rng)
    villages = _place_villages(spec, rng, towns)
    places = towns + villages
    b = _Builder()
    living_share = spec["villages"]["living_street_share"]
    for p in places:
        if p.kind == "centre":
            _grid(b, p, spec["centre"]["grid_spacing_m"] / 1000.0, spec["centre"]["grid_half"], spec, rng)
        elif p.kind == "basic":
            bc = spec["basic_centres"]
            _grid(b, p, bc["grid_spacing_m"] / 1000.0, bc["grid_half"], spec, rng)
        else:
            _village_streets(b, p, spec, rng, living=bool(rng.random() < living_share))
    links = _gabriel_links(places, spec["roads"]["max_edge_km"])
    cls, refs = _classify_links(places, links, int(spec["roads"]["federal_ref_start"]))
    for i, j in links:
        _link_road(b, places[i], places[j], cls[(i, j)], refs.get((i, j)), spec, rng)
    _services(b, towns[0], spec["centre"]["services"], rng)
    for p in towns[1:]:
        _services(b, p, spec["basic_centres"]["services"], rng)
    for p in places:
        b.poi(p.x, p.y, {"place": p.osm_place, "name": p.name, "population": str(p.population)})
    lat0, lon0 = float(spec["origin_lat"]), float(spec["origin_lon"])
    district = District(lat0, lon0, b.nodes, b.ways, b.pois, places,
                        [(i, j, cls[(i, j)]) for i, j in links])
    _railway(district, b, rng)
    later = np.random.default_rng(int(rng.integers(2**62)))
    _services(b, towns[0], spec["centre"].get("later_services", []), later)
    share = float(spec["roads"].get("footpath_share", 0.0))
    for p in towns:
        _footpaths(b, p, share, later)
    district.ways, district.pois = b.ways, b.pois
    return district


def _footpaths(b: _Builder, p: Place, share: float, rng: np.random.Generator) -> None:
    """Add footways across a share of the blocks of a town's grid (a diagonal per block)."""
    cells = sorted(p.grid)
    for i, j in cells:
        if (i + 1, j + 1) not in p.grid or (i + 1, j) not in p.grid:
            continue
        if rng.random() >= share:
            continue
        a, c = ((i, j), (i + 1, j + 1)) if rng.random() < 0.5 else ((i + 1, j), (i, j + 1))
        if c not in p.grid:
            continue
        b.way([p.grid[a], p.grid[c]], {"highway": "footway", "name": "Fußweg"})


def _railway(d: District, b: _Builder, rng: np.random.Generator) -> None:
    """Draw a railway line through the centre's station (not drivable; scenery)."""
    station = next(
        d.pois[k] for k in d.places[0].services if d.pois[k].tags.get("railway") == "station"
    )
    half = 12.5
    ang = math.atan2(station.y - d.places[0].y, station.x - d.places[0].x)
    dx, dy = math.cos(ang), math.sin(ang)
    pts = [(station.x - dx * 30, station.y - dy * 30), (station.x, station.y), (station.x + dx * 30, station.y + dy * 30)]
    clipped = [(max(-half, min(half, x)), max(-half, min(half, y))) for x, y in pts]
    ids = [b.node(x, y) for x, y in clipped]
    b.way(ids, {"railway": "rail", "name": "Bahnstrecke (synthetisch)"})
    d.rail = clipped
