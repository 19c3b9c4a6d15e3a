"""Polygons of published zones: a service area, the network's hull, circles around stops.

Geometry is built in metres on a local projection (:func:`transit.util.geo.project_m`)
and written as GeoJSON (``[lon, lat]``, exterior rings counter-clockwise,
coordinates to 6 decimals). Circles are written as polygons that contain
the circle (their edges touch it from outside), so a point within the radius
is always inside the published zone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from transit.util.geo import offset_deg, project_m

__all__ = ["circles_zone", "hull_zone", "polygon_geometry", "zone_feature"]

#: Corners of a polygon drawn for a circle.
_CIRCLE_CORNERS = 48
#: Extra margin (m) added to zones, so rounding to 6 decimals (about 0.1 m) never shrinks them below the figure.
_MARGIN_M = 1.0


def _to_deg(geom: Any, lat0: float, lon0: float) -> Any:
    import shapely

    def back(xy: np.ndarray) -> np.ndarray:
        out = np.empty_like(xy)
        for k, (x, y) in enumerate(xy):
            la, lo = offset_deg(lat0, lon0, float(x), float(y))
            out[k] = (lo, la)
        return out

    return shapely.transform(geom, back)


def _geojson(geom: Any) -> dict[str, Any]:
    from shapely.geometry import mapping
    from shapely.geometry.polygon import orient

    if geom.geom_type == "Polygon":
        geom = orient(geom, sign=1.0)
    else:
        from shapely.geometry import MultiPolygon

        geom = MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    m = mapping(geom)

    def rnd(coords: Any) -> Any:
        if isinstance(coords[0], (int, float)):
            return [round(float(coords[0]), 6), round(float(coords[1]), 6)]
        return [rnd(c) for c in coords]

    return {"type": m["type"], "coordinates": rnd(m["coordinates"])}


def polygon_geometry(corners: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """Return the GeoJSON Polygon of ``(lat, lon)`` corners (a service area as given)."""
    from shapely.geometry import Polygon

    return _geojson(Polygon([(lon, lat) for lat, lon in corners]))


def hull_zone(lat: np.ndarray, lon: np.ndarray, margin_m: float) -> dict[str, Any]:
    """Return the convex hull of the points grown by ``margin_m``, as GeoJSON."""
    import shapely

    lat0, lon0 = float(np.mean(lat)), float(np.mean(lon))
    x, y = project_m(lat, lon, lat0, lon0)
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([x, y])))
    return _geojson(_to_deg(hull.buffer(margin_m + _MARGIN_M, quad_segs=8), lat0, lon0))


def circles_zone(lat: np.ndarray, lon: np.ndarray, radius_m: float) -> dict[str, Any]:
    """Return the union of circles of ``radius_m`` around the points, as GeoJSON (containing every circle)."""
    import shapely

    lat0, lon0 = float(np.mean(lat)), float(np.mean(lon))
    x, y = project_m(lat, lon, lat0, lon0)
    r = radius_m / math.cos(math.pi / _CIRCLE_CORNERS) + _MARGIN_M
    angles = np.linspace(0.0, 2.0 * math.pi, _CIRCLE_CORNERS, endpoint=False)
    polys = [shapely.Polygon(np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)]))
             for cx, cy in zip(x.tolist(), y.tolist())]
    return _geojson(_to_deg(shapely.union_all(polys), lat0, lon0))


def zone_feature(zone_id: str, name: str, geometry: dict[str, Any], description: str = "") -> dict[str, Any]:
    """Return a ``locations.geojson`` feature."""
    props: dict[str, Any] = {"stop_name": name}
    if description:
        props["stop_desc"] = description
    return {"type": "Feature", "id": zone_id, "properties": props, "geometry": geometry}
