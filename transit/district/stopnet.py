"""A synthetic road network through the stops of a GTFS feed, for feeds with no OSM extract at hand.

When a feed's area has no OpenStreetMap extract (offline, say), its service
can still run on a network whose bus stops sit exactly where the feed puts
them. :func:`stop_network` builds one, deterministically:

- **places**: stops are grouped by the part of their name before the first
  comma (``"Tantow, Bahnhof"`` -> Tantow), as German stop names are; a
  place's centre is the mean of its stops. A place with at least
  :data:`TOWN_STOPS` stop positions is a town, else a village; no
  population is written (zones then take the class defaults of
  ``transit/data/place_population.toml``);
- **stops**: stops of a place within :data:`SAME_STOP_M` of each other
  (the platforms of one stop) are one position, a road node; each is
  joined to its place's centre by a residential street;
- **roads**: the places are joined by the edges of their Gabriel graph
  (two places are linked when no third lies in the circle over them as
  diameter), which contains the minimum spanning tree, so every stop can
  reach every other; links touching a town are secondary roads, the others
  tertiary, all two-way, drawn straight;
- **services** (so the demand generator has destinations): a doctor, a
  supermarket, a school and a town hall beside each town's centre, a
  Jobcenter in the town with the most stops, a station at each stop whose
  name says ``Bahnhof``.

Everything but the stop positions and names is made up: say "synthetic
network" wherever it is shown. The result is OSM XML
(:func:`transit.district.osmxml.district_osm_xml`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from transit.district.layout import KM_PER_DEG_LAT, District, Poi, Way
from transit.district.osmxml import district_osm_xml
from transit.errors import InputError
from transit.util.geo import great_circle_m, project_m

__all__ = ["SAME_STOP_M", "TOWN_STOPS", "StopPoint", "build_stop_instance", "stop_network", "stops_of_feed"]

log = logging.getLogger(__name__)

#: Stops of one place closer than this are one stop position (its platforms).
SAME_STOP_M = 150.0
#: A place with at least this many stop positions is a town.
TOWN_STOPS = 6


@dataclass(frozen=True)
class StopPoint:
    """A stop: its name and position."""

    name: str
    lat: float
    lon: float


def stops_of_feed(path: str) -> list[StopPoint]:
    """Return the stops (location type 0 or empty, with coordinates) of a GTFS feed."""
    from transit.timetable.gtfs import read_gtfs

    feed = read_gtfs(path)
    st = feed.stops
    ltype = st["location_type"] if "location_type" in st.columns else None
    out = []
    for k in range(len(st)):
        if ltype is not None and ltype.iat[k] not in ("", "0"):
            continue
        la, lo = float(st["lat"].iat[k]), float(st["lon"].iat[k])
        if np.isfinite(la) and np.isfinite(lo):
            out.append(StopPoint(str(st["stop_name"].iat[k]) or str(st["stop_id"].iat[k]), la, lo))
    if not out:
        msg = "the feed has no stops with coordinates"
        raise InputError(msg, file=str(path))
    return out


def _place_name(stop: str) -> str:
    return stop.split(",")[0].strip() or stop


def _positions(stops: Sequence[StopPoint]) -> dict[str, list[tuple[str, float, float]]]:
    """Per place: its stop positions (name, lat, lon), platforms merged, in a stable order."""
    by_place: dict[str, list[StopPoint]] = {}
    for s in sorted(stops, key=lambda s: (s.name, s.lat, s.lon)):
        by_place.setdefault(_place_name(s.name), []).append(s)
    out: dict[str, list[tuple[str, float, float]]] = {}
    for place, members in sorted(by_place.items()):
        groups: list[list[StopPoint]] = []
        for s in members:
            for g in groups:
                if great_circle_m(g[0].lat, g[0].lon, s.lat, s.lon) <= SAME_STOP_M:
                    g.append(s)
                    break
            else:
                groups.append([s])
        out[place] = [(g[0].name, float(np.mean([s.lat for s in g])), float(np.mean([s.lon for s in g])))
                      for g in groups]
    return out


def _gabriel(x: np.ndarray, y: np.ndarray) -> list[tuple[int, int]]:
    """Edges of the Gabriel graph of the points."""
    n = len(x)
    edges = []
    for i in range(n):
        for j in range(i + 1, n):
            mx, my = (x[i] + x[j]) / 2.0, (y[i] + y[j]) / 2.0
            r2 = ((x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2) / 4.0
            d2 = (x - mx) ** 2 + (y - my) ** 2
            d2[[i, j]] = np.inf
            if not np.any(d2 < r2 - 1e-9):
                edges.append((i, j))
    return edges


def stop_network(stops: Sequence[StopPoint]) -> str:
    """Return OSM XML of a synthetic road network through ``stops`` (see the module notes)."""
    places = _positions(stops)
    names = list(places)
    plat = np.array([np.mean([p[1] for p in places[n]]) for n in names])
    plon = np.array([np.mean([p[2] for p in places[n]]) for n in names])
    lat0, lon0 = float(np.mean(plat)), float(np.mean(plon))

    def km(lat: float, lon: float) -> tuple[float, float]:
        # The inverse of transit.district.layout.to_latlon, so positions come back to within 1e-7 degrees.
        x = (lon - lon0) * KM_PER_DEG_LAT * math.cos(math.radians(lat0))
        return round(x, 6), round((lat - lat0) * KM_PER_DEG_LAT, 6)

    nodes: list[tuple[float, float]] = []
    ways: list[Way] = []
    pois: list[Poi] = []
    town = {n: len(places[n]) >= TOWN_STOPS for n in names}
    centre: dict[str, int] = {}
    for n, la, lo in zip(names, plat.tolist(), plon.tolist()):
        nodes.append(km(la, lo))
        centre[n] = len(nodes)
        cx, cy = nodes[-1]
        pois.append(Poi(cx, cy, {"place": "town" if town[n] else "village", "name": n}))
        for stop, sla, slo in places[n]:
            xy = km(sla, slo)
            if xy != nodes[centre[n] - 1]:
                nodes.append(xy)
                ways.append(Way([centre[n], len(nodes)], {"highway": "residential", "name": f"{n}, Zufahrt"}))
            pois.append(Poi(xy[0], xy[1], {"highway": "bus_stop", "name": stop}))
            if "bahnhof" in stop.lower():
                pois.append(Poi(xy[0] + 0.05, xy[1], {"railway": "station", "name": f"{n} Bahnhof"}))
        if town[n]:
            for k, tags in enumerate(({"amenity": "doctors"}, {"shop": "supermarket"}, {"amenity": "school"},
                                      {"amenity": "townhall"})):
                pois.append(Poi(cx + 0.08 * (k + 1), cy + 0.05, {**tags, "name": f"{n} ({tags[next(iter(tags))]})"}))
    biggest = max(names, key=lambda n: (len(places[n]), n))
    cx, cy = nodes[centre[biggest] - 1]
    pois.append(Poi(cx, cy - 0.1, {"office": "employment_agency", "name": f"Jobcenter {biggest}"}))
    x, y = project_m(plat, plon, lat0, lon0)
    for i, j in _gabriel(x, y):
        cls = "secondary" if town[names[i]] or town[names[j]] else "tertiary"
        ways.append(Way([centre[names[i]], centre[names[j]]], {"highway": cls}))
    log.info("synthetic network: %d places, %d road nodes, %d ways", len(names), len(nodes), len(ways))
    d = District(origin_lat=lat0, origin_lon=lon0, nodes=nodes, ways=ways, pois=pois, places=[], links=[])
    return district_osm_xml(d)


def build_stop_instance(feed: str, out: str, *, force: bool = False) -> None:
    """Write an instance folder: ``district.osm.gz`` through the feed's stops and a README.

    The README names the feed and says what is synthetic.
    """
    from pathlib import Path

    from transit.district.osmxml import gzip_bytes
    from transit.util.atomic import output_dir

    stops = stops_of_feed(feed)
    xml = stop_network(stops)
    places = _positions(stops)
    towns = sorted(n for n, p in places.items() if len(p) >= TOWN_STOPS)
    readme = f"""# A synthetic road network through the stops of a GTFS feed

Made by `transit instance build-from-stops {feed} --out {Path(out).as_posix()}`
(`transit/district/stopnet.py`); rebuild it with the same command.

**Synthetic network.** No OpenStreetMap extract of this area is available offline, so the
roads are made up: the bus stops sit at the feed's coordinates ({len(stops)} stops, merged into
{sum(len(p) for p in places.values())} stop positions), grouped into {len(places)} places by the
part of their names before the first comma; each stop is joined to its place's centre by a
street, and the places by the straight roads of their Gabriel graph (secondary roads at the
towns, tertiary roads elsewhere). Towns (at least {TOWN_STOPS} stop positions):
{", ".join(towns)}. Services (a doctor, a supermarket, a school and a town hall at each town, a
Jobcenter in {max(places, key=lambda n: (len(places[n]), n))}, stations at stops named Bahnhof)
are made up too, and the places carry no population (the class defaults apply). Distances and
travel times are therefore rough: roads are straight, so trips are shorter than on the real
roads. The stop names and positions come from the feed (stop data: DELFI e.V., via the feed's
publisher); the feed itself is not copied here and is read from its folder at run time.
"""
    with output_dir(out, force=force) as tmp:
        (tmp / "district.osm.gz").write_bytes(gzip_bytes(xml.encode("utf-8")))
        (tmp / "README.md").write_text(readme, encoding="utf-8")
