"""Drivable road graphs from OpenStreetMap: the only module that imports osmnx.

``build_graph`` turns an OSM file, a place name or a bounding box into a
directed graph of the roads a minibus may drive, keeps its largest strongly
connected component, and puts ``speed_kph``, ``length`` (metres) and
``travel_time`` (seconds, rounded to whole milliseconds) on every edge.
``build_walk_graph`` makes the graph people walk on: roads in both
directions and footways, paths, steps and tracks (kept apart from the drive
graph, which must hold only what a minibus may drive).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import osmnx as ox

from transit.util.atomic import atomic_path, scratch_dir
from transit.errors import NetworkError
from transit.road.osmfile import check_osm_path, is_synthetic, write_drivable, write_walkable
from transit.util.progress import Progress, report
from transit.road.rules import RoadRules, default_rules

__all__ = [
    "NetworkSummary",
    "build_graph",
    "build_walk_graph",
    "load_graph",
    "save_graph",
    "summarize",
]

log = logging.getLogger(__name__)

#: Way tags osmnx keeps on edges (speeds and access need more than its defaults).
_WAY_TAGS = [
    "highway",
    "maxspeed",
    "maxspeed:forward",
    "maxspeed:backward",
    "oneway",
    "junction",
    "name",
    "ref",
    "access",
    "motor_vehicle",
    "motorcar",
    "bus",
    "psv",
    "lanes",
    "bridge",
    "tunnel",
]


@dataclass(frozen=True)
class NetworkSummary:
    """One screen about a road graph."""

    nodes: int
    edges: int
    road_km: float
    directed_km: float
    bbox: tuple[float, float, float, float]  # (south, west, north, east)
    components_dropped: int
    nodes_dropped: int
    places: dict[str, list[str]] = field(default_factory=dict)
    attribution: str = "© OpenStreetMap contributors (ODbL)"

    def lines(self) -> list[str]:
        """Return the summary as lines of text."""
        s, w, n, e = self.bbox
        out = [
            f"nodes: {self.nodes:,}",
            f"edges: {self.edges:,} (directed)",
            f"roads: {self.road_km:,.1f} km ({self.directed_km:,.1f} km of directed edges)",
            f"bounding box: lat {s:.4f}..{n:.4f}, lon {w:.4f}..{e:.4f}",
            f"components dropped: {self.components_dropped} ({self.nodes_dropped} nodes)",
        ]
        for place in ("city", "town", "village"):
            names = self.places.get(place, [])
            if names:
                shown = ", ".join(names[:12]) + (f", ... ({len(names)} in all)" if len(names) > 12 else "")
                out.append(f"{place}s: {len(names)}: {shown}")
        hamlets = len(self.places.get("hamlet", []))
        if hamlets:
            out.append(f"hamlets: {hamlets}")
        out.append(f"map data: {self.attribution}")
        return out


@contextlib.contextmanager
def _osmnx_settings(cache_dir: Path | None) -> Iterator[None]:
    """Temporarily set the osmnx settings this module needs, then restore them."""
    saved = {
        "useful_tags_way": list(ox.settings.useful_tags_way),
        "use_cache": ox.settings.use_cache,
        "cache_folder": ox.settings.cache_folder,
        "log_console": ox.settings.log_console,
    }
    ox.settings.useful_tags_way = list(_WAY_TAGS)
    ox.settings.log_console = False
    if cache_dir is not None:
        ox.settings.use_cache = True
        ox.settings.cache_folder = str(cache_dir)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(ox.settings, key, value)


def _overpass_filter(rules: RoadRules) -> str:
    highways = "|".join(sorted(rules.allowed_highways))
    denied = "|".join(sorted(rules.access_denied))
    return (
        f'["highway"~"^({highways})$"]["area"!~"yes"]'
        f'["access"!~"^({denied})$"]["motor_vehicle"!~"^({denied})$"]["motorcar"!~"^({denied})$"]'
    )


def _graph_from_file(path: Path, rules: RoadRules, progress: Progress | None) -> nx.MultiDiGraph:
    with scratch_dir("osm") as tmp:
        filtered = Path(tmp) / "drivable.osm"
        report(progress, 0.05, 1.0, "filtering drivable roads")
        stats = write_drivable(path, filtered, rules)
        if stats.ways_kept == 0:
            msg = f"{path}: no drivable roads in this file ({stats.ways_total} highway ways, none a minibus may drive)"
            raise NetworkError(msg)
        report(progress, 0.4, 1.0, f"building graph from {stats.ways_kept:,} roads")
        try:
            return ox.graph_from_xml(filtered, simplify=False, retain_all=True)
        except (ValueError, KeyError) as exc:
            msg = f"{path}: could not build a road graph ({exc})"
            raise NetworkError(msg) from exc


def _graph_from_query(
    place: str | None,
    bbox: tuple[float, float, float, float] | None,
    rules: RoadRules,
    progress: Progress | None,
) -> nx.MultiDiGraph:
    custom = _overpass_filter(rules)
    report(progress, 0.1, 1.0, "downloading from OpenStreetMap")
    try:
        if place is not None:
            return ox.graph_from_place(place, network_type="drive", custom_filter=custom, simplify=False, retain_all=True)
        assert bbox is not None
        south, west, north, east = bbox
        return ox.graph_from_bbox((west, south, east, north), network_type="drive", custom_filter=custom, simplify=True, retain_all=True)
    except Exception as exc:  # osmnx raises many kinds (HTTP, geocoding, empty response)
        what = f"place {place!r}" if place is not None else f"bounding box {bbox}"
        name = type(exc).__name__
        if "Connection" in name or "Timeout" in name or "HTTP" in name or "Resolve" in str(exc):
            msg = f"{what}: cannot reach OpenStreetMap services (no network?): {exc}"
        else:
            msg = f"{what}: could not be resolved to a road network: {exc}"
        raise NetworkError(msg) from exc


def _add_speeds(G: nx.MultiDiGraph, rules: RoadRules) -> None:
    """Put speed_kph and travel_time (seconds) on every edge of an unsimplified graph."""
    for u, v, data in G.edges(data=True):
        maxspeed = data.get("maxspeed")
        # Per-direction limits: osmnx keeps the way's tags on both directions; a
        # forward edge follows the way's node order unless the edge was reversed.
        if data.get("reversed") in (True, "True") and data.get("maxspeed:backward"):
            maxspeed = data["maxspeed:backward"]
        elif data.get("reversed") in (False, "False") and data.get("maxspeed:forward"):
            maxspeed = data["maxspeed:forward"]
        speed = rules.speed_kmh(data.get("highway"), maxspeed)
        length = float(data.get("length", 0.0))
        data["length"] = length
        data["speed_kph"] = speed
        data["travel_time"] = length / (speed / 3.6)


def _simplify(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Merge chains of degree-2 nodes, summing lengths and travel times.

    Speeds are computed on the raw OSM segments first, so a merged edge made of
    a village street and a country road gets the sum of both travel times, not
    a speed averaged over tags. Travel times are rounded to whole milliseconds.
    """
    G = ox.simplify_graph(G, edge_attr_aggs={"length": sum, "travel_time": sum})
    for _, _, data in G.edges(data=True):
        seconds = float(data["travel_time"])
        length = float(data["length"])
        data["speed_kph"] = 3.6 * length / seconds if seconds > 0 else 0.0
        data["travel_time"] = round(seconds, 3)
        data["length"] = round(length, 3)
        for key, value in data.items():
            if isinstance(value, list):
                # osmnx keeps the distinct values of a merged edge in set order, which varies
                # between runs; sorted, the same input gives byte-identical files.
                data[key] = _sorted_values(value)
    return G


def _check_coordinates(G: nx.MultiDiGraph, where: object) -> None:
    """Refuse nodes whose coordinates are not on Earth (a typo such as 951.6 in the file)."""
    for node, data in G.nodes(data=True):
        lat, lon = float(data.get("y", math.nan)), float(data.get("x", math.nan))
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            msg = f"{where}: node {node} has an invalid coordinate (lat {lat:g}, lon {lon:g})"
            raise NetworkError(msg)


def _sorted_values(values: list[object]) -> list[object]:
    try:
        return sorted(values)  # type: ignore[type-var]
    except TypeError:
        return sorted(values, key=repr)


def build_graph(
    source: str | Path | None = None,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    speed_cap_kmh: float | None = None,
    rules: RoadRules | None = None,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> nx.MultiDiGraph:
    """Build the drivable road graph of an OSM file, a place or a bounding box.

    Parameters
    ----------
    source
        An OSM file (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``).
    place
        A place name that Nominatim resolves (needs a network), e.g.
        ``"Hettstedt, Germany"``.
    bbox
        ``(south, west, north, east)`` in degrees (needs a network).
    speed_cap_kmh
        Vehicle speed cap; default from ``data/roads.toml``.
    rules
        Road rules; default :func:`transit.road.rules.default_rules`.
    cache_dir
        Where downloads are cached (osmnx's cache, keyed by query hash).
    progress
        Progress callback.

    Returns
    -------
    networkx.MultiDiGraph
        Largest strongly connected component, with ``length`` (m),
        ``speed_kph`` and ``travel_time`` (s) on every edge. The graph
        attribute ``components_dropped`` / ``nodes_dropped`` records what the
        component step removed.

    Raises
    ------
    NetworkError
        Missing or unreadable file, no drivable roads, unresolvable place.
    """
    given = [x is not None for x in (source, place, bbox)]
    if sum(given) != 1:
        msg = "give exactly one of an OSM file, --place or --bbox"
        raise NetworkError(msg)
    rules = (rules or default_rules()).with_cap(speed_cap_kmh)
    if bbox is not None:
        south, west, north, east = bbox
        if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
            msg = f"bounding box {bbox}: expected south < north in [-90, 90] and west < east in [-180, 180]"
            raise NetworkError(msg)
    cache = Path(cache_dir) if cache_dir is not None else None
    with _osmnx_settings(cache):
        if source is not None:
            path = check_osm_path(source)
            G = _graph_from_file(path, rules, progress)
        else:
            G = _graph_from_query(place, bbox, rules, progress)
    if G.number_of_nodes() == 0 or G.number_of_edges() == 0:
        msg = f"{source or place or bbox}: no drivable roads"
        raise NetworkError(msg)
    _check_coordinates(G, source or place or bbox)
    _add_speeds(G, rules)
    report(progress, 0.7, 1.0, "simplifying")
    G = _simplify(G)
    report(progress, 0.8, 1.0, "keeping the largest strongly connected component")
    components = list(nx.strongly_connected_components(G))
    if not components:  # osmnx's simplification leaves nothing of a lone ring road
        msg = f"{source or place or bbox}: no drivable roads connect to each other"
        raise NetworkError(msg)
    largest = max(components, key=len)
    dropped_nodes = G.number_of_nodes() - len(largest)
    G = G.subgraph(largest).copy()
    if G.number_of_edges() == 0:
        msg = f"{source or place or bbox}: no drivable roads connect to each other"
        raise NetworkError(msg)
    G.graph.pop("created_date", None)  # the same input gives the same file
    G.graph["components_dropped"] = len(components) - 1
    G.graph["nodes_dropped"] = dropped_nodes
    G.graph["speed_cap_kmh"] = rules.speed_cap_kmh
    G.graph["source"] = str(source or place or bbox)
    synthetic = source is not None and is_synthetic(source)
    G.graph["attribution"] = "synthetic data (no OpenStreetMap data)" if synthetic else "© OpenStreetMap contributors (ODbL)"
    report(progress, 1.0, 1.0, "done")
    return G


#: Walking speed put on walk-graph edges (km/h); walking times are computed from lengths
#: with the walking parameters anyway (transit.road.walking).
_WALK_SPEED_KMH = 4.5


def build_walk_graph(source: str | Path, *, progress: Progress | None = None) -> nx.MultiDiGraph:
    """Build the graph people walk on from an OSM file.

    Every walkable way (:func:`transit.road.osmfile.is_walkable`: roads but
    motorways, and footways, paths, pedestrian areas, steps, tracks) in both
    directions, all connected parts kept (a footpath network may touch the
    roads nowhere in a small extract), chains of degree-2 nodes merged.
    ``length`` (m), ``speed_kph`` and ``travel_time`` (s, at walking pace)
    on every edge.

    Raises
    ------
    NetworkError
        Missing or unreadable file, or no walkable ways in it.
    """
    path = check_osm_path(source)
    with _osmnx_settings(None), scratch_dir("osm-walk") as tmp:
        filtered = Path(tmp) / "walkable.osm"
        report(progress, 0.1, 1.0, "filtering walkable ways")
        stats = write_walkable(path, filtered)
        if stats.ways_kept == 0:
            msg = f"{path}: no walkable ways in this file ({stats.ways_total} highway ways)"
            raise NetworkError(msg)
        report(progress, 0.4, 1.0, f"building the walk graph from {stats.ways_kept:,} ways")
        try:
            G = ox.graph_from_xml(filtered, bidirectional=True, simplify=False, retain_all=True)
        except (ValueError, KeyError) as exc:
            msg = f"{path}: could not build a walk graph ({exc})"
            raise NetworkError(msg) from exc
    for _, _, data in G.edges(data=True):
        length = float(data.get("length", 0.0))
        data["length"] = length
        data["speed_kph"] = _WALK_SPEED_KMH
        data["travel_time"] = length / (_WALK_SPEED_KMH / 3.6)
    report(progress, 0.8, 1.0, "simplifying")
    G = _simplify(G)
    G.graph["source"] = str(source)
    G.graph["ways_walkable"] = stats.ways_kept
    report(progress, 1.0, 1.0, "done")
    return G


def save_graph(G: nx.MultiDiGraph, path: str | Path) -> None:
    """Write ``G`` as GraphML (readable by ``osmnx.load_graphml``), atomically."""
    with atomic_path(path) as tmp:
        ox.save_graphml(G, tmp)


def load_graph(path: str | Path) -> nx.MultiDiGraph:
    """Read a GraphML road graph written by :func:`save_graph`.

    Raises
    ------
    NetworkError
        If the file is missing, not GraphML, or lacks travel times or lengths.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"{p}: road graph file not found"
        raise NetworkError(msg)
    try:
        G = ox.load_graphml(p)
    except Exception as exc:  # XML and conversion errors of many kinds
        msg = f"{p}: not a road graph in GraphML ({type(exc).__name__}: {exc})"
        raise NetworkError(msg) from exc
    if G.number_of_nodes() == 0 or G.number_of_edges() == 0:
        msg = f"{p}: the road graph is empty"
        raise NetworkError(msg)
    for u, v, data in G.edges(data=True):
        for key in ("travel_time", "length"):
            value = data.get(key)
            if value is None or not math.isfinite(float(value)) or float(value) < 0:
                msg = f"{p}: edge {u}->{v} has no valid {key}; build the graph with 'transit network build'"
                raise NetworkError(msg)
        break
    missing = [1 for _, _, d in G.edges(data=True) if "travel_time" not in d or "length" not in d]
    if missing:
        msg = f"{p}: {len(missing)} edges lack travel_time or length; build the graph with 'transit network build'"
        raise NetworkError(msg)
    for node, data in G.nodes(data=True):
        if "x" not in data or "y" not in data:
            msg = f"{p}: node {node} has no coordinates"
            raise NetworkError(msg)
    return G


def _edge_key(u: int, v: int) -> tuple[int, int]:
    return (u, v) if u <= v else (v, u)


def summarize(G: nx.MultiDiGraph, *, places: dict[str, list[str]] | None = None) -> NetworkSummary:
    """Return the one-screen summary of a road graph.

    ``road_km`` counts a two-way street once; ``directed_km`` twice.
    """
    directed = 0.0
    undirected: dict[tuple[int, int, float], float] = {}
    for u, v, data in G.edges(data=True):
        length = float(data["length"])
        directed += length
        undirected[(*_edge_key(u, v), round(length, 1))] = length
    ys = [float(d["y"]) for _, d in G.nodes(data=True)]
    xs = [float(d["x"]) for _, d in G.nodes(data=True)]
    return NetworkSummary(
        nodes=G.number_of_nodes(),
        edges=G.number_of_edges(),
        road_km=sum(undirected.values()) / 1000.0,
        directed_km=directed / 1000.0,
        bbox=(min(ys), min(xs), max(ys), max(xs)),
        components_dropped=int(G.graph.get("components_dropped", 0)),
        nodes_dropped=int(G.graph.get("nodes_dropped", 0)),
        places=places or {},
        attribution=str(G.graph.get("attribution", "© OpenStreetMap contributors (ODbL)")),
    )

