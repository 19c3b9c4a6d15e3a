"""What the report's map draws: roads, places, services, bus lines and vehicle routes, as polylines.

Everything here is prepared once from the road network and the logs so that
the plot functions (:mod:`transit.compare.plots`) only draw. Polylines are stored as
``lat``/``lon`` columns with a NaN row between pieces (plotly draws them as one
trace with gaps).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from transit.util.i18n import N_

if TYPE_CHECKING:
    from transit.road.travel import RoadNetwork

__all__ = ["ATTRIBUTION", "RegionMap", "line_paths", "road_lines", "route_paths"]

log = logging.getLogger(__name__)

#: The attribution every map of OSM-derived data carries (translated where the map is drawn).
ATTRIBUTION = N_("© OpenStreetMap contributors")

#: Roads at least this fast (km/h) are drawn as major roads.
_MAJOR_KMH = 70.0


@dataclass(frozen=True)
class RegionMap:
    """The layers of the region map.

    Attributes
    ----------
    roads
        ``cls`` (``major``/``minor``), ``lat``, ``lon``; pieces separated by
        NaN rows.
    places
        ``name, kind (centre/town/village), population, lat, lon``.
    services
        ``name, category, lat, lon`` (the destinations access is measured to).
    lines
        ``line, lat, lon``: each bus line's path, pieces separated by NaN.
    routes
        ``model, vehicle_id, lat, lon``: a sample of vehicle routes of one
        seed, pieces separated by NaN.
    attribution
        Credit for the map data.
    """

    roads: pd.DataFrame
    places: pd.DataFrame
    services: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["name", "category", "lat", "lon"]))
    lines: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "lat", "lon"]))
    routes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["model", "vehicle_id", "lat", "lon"]))
    attribution: str = ATTRIBUTION


def _with_gaps(pieces: Iterable[np.ndarray]) -> np.ndarray:
    out: list[np.ndarray] = []
    gap = np.array([[np.nan, np.nan]])
    for p in pieces:
        if len(p) == 0:
            continue
        out.append(np.asarray(p, dtype=float))
        out.append(gap)
    return np.concatenate(out) if out else np.zeros((0, 2))


def road_lines(network: RoadNetwork) -> pd.DataFrame:
    """Return the road network as polylines (one per two-way road piece), major and minor."""
    rows = []
    seen: set[tuple[int, int]] = set()
    pieces: dict[str, list[np.ndarray]] = {"major": [], "minor": []}
    for i in range(network.n_arcs):
        u, v = int(network.tail[i]), int(network.head[i])
        key = (min(u, v), max(u, v))
        if key in seen:
            continue
        seen.add(key)
        t = float(network.time_ms[i]) / 1000.0
        kmh = 3.6 * float(network.length_m[i]) / t if t > 0 else 0.0
        pieces["major" if kmh >= _MAJOR_KMH else "minor"].append(network.arc_coords(i))
    for cls, ps in pieces.items():
        arr = _with_gaps(ps)
        rows.append(pd.DataFrame({"cls": cls, "lat": arr[:, 0], "lon": arr[:, 1]}))
    return pd.concat(rows, ignore_index=True)


def _nearest_nodes(network: RoadNetwork, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    from transit.demand.region import NodeLocator

    return NodeLocator(network.lat, network.lon).nearest(np.asarray(lat, float), np.asarray(lon, float))[0]


def _road_path(network: RoadNetwork, nodes: Sequence[int]) -> np.ndarray:
    pts = [np.array([[network.lat[nodes[0]], network.lon[nodes[0]]]])]
    for a, b in zip(nodes[:-1], nodes[1:]):
        if a == b:
            continue
        try:
            pts.append(network.path_coords(int(a), int(b))[1:])
        except ValueError:
            pts.append(np.array([[network.lat[b], network.lon[b]]]))
    return np.concatenate(pts)


def line_paths(network: RoadNetwork | None, timetable: object) -> pd.DataFrame:
    """Return each line's path along the roads (through the stops of its longest trip).

    Parameters
    ----------
    network
        The road network (None: straight lines between stops).
    timetable
        A :class:`transit.timetable.lines.Timetable`.
    """
    frames = []
    for line in timetable.lines:  # type: ignore[attr-defined]
        trips = [t for t in timetable.trips if t.line_id == line.line_id]  # type: ignore[attr-defined]
        if not trips:
            continue
        longest = max(trips, key=lambda t: (len(t.stops), t.trip_id))
        lat = np.array([timetable.stops[i].lat for i in longest.stops])  # type: ignore[attr-defined]
        lon = np.array([timetable.stops[i].lon for i in longest.stops])  # type: ignore[attr-defined]
        if network is not None:
            pts = _road_path(network, list(_nearest_nodes(network, lat, lon)))
        else:
            pts = np.column_stack([lat, lon])
        arr = _with_gaps([pts])
        frames.append(pd.DataFrame({"line": line.name or line.line_id, "lat": arr[:, 0], "lon": arr[:, 1]}))
    if not frames:
        return pd.DataFrame(columns=["line", "lat", "lon"])
    return pd.concat(frames, ignore_index=True)


def route_paths(
    network: RoadNetwork | None,
    stops: pd.DataFrame,
    *,
    per_model: int = 3,
    kinds: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return the road paths of a sample of vehicles: the ``per_model`` busiest of each model's first seed.

    Parameters
    ----------
    network
        The road network (None: straight lines between stops).
    stops
        Vehicle logs of the comparison.
    per_model
        Vehicles per model.
    kinds
        Only vehicles of these model names (default all).
    """
    if stops.empty:
        return pd.DataFrame(columns=["model", "vehicle_id", "lat", "lon"])
    frames = []
    for model, g in stops.groupby("model", sort=False):
        if kinds is not None and model not in kinds:
            continue
        first = g[g["seed"] == g["seed"].min()]
        busy = (
            first.assign(_p=first["kind"].eq("pickup"))
            .groupby("vehicle_id", sort=True)["_p"]
            .sum()
            .sort_values(ascending=False, kind="stable")
        )
        for vid in list(busy.index[:per_model]):
            v = first[first["vehicle_id"] == vid].sort_values("seq")
            lat = pd.to_numeric(v["lat"], errors="coerce").to_numpy(float)
            lon = pd.to_numeric(v["lon"], errors="coerce").to_numpy(float)
            ok = np.isfinite(lat) & np.isfinite(lon)
            lat, lon = lat[ok], lon[ok]
            if len(lat) < 2:
                continue
            if network is not None:
                pts = _road_path(network, list(_nearest_nodes(network, lat, lon)))
            else:
                pts = np.column_stack([lat, lon])
            arr = _with_gaps([pts])
            frames.append(pd.DataFrame({"model": model, "vehicle_id": str(vid), "lat": arr[:, 0], "lon": arr[:, 1]}))
    if not frames:
        return pd.DataFrame(columns=["model", "vehicle_id", "lat", "lon"])
    return pd.concat(frames, ignore_index=True)
