"""Geodesy in one place: the Earth's radius, metres per degree, great-circle distances.

Distances between points given in degrees are great-circle (haversine)
distances on a sphere of the mean Earth radius; small local offsets use the
equirectangular approximation, exact enough within a district.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["EARTH_RADIUS_M", "M_PER_DEG_LAT", "great_circle_m", "m_per_deg_lon", "offset_deg", "project_m"]

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8

#: Metres per degree of latitude (rounded mean; used for local offsets and k-d trees).
M_PER_DEG_LAT = 111_195.0


def great_circle_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Return great-circle distances in metres (haversine; NumPy inputs broadcast).

    Scalars give a float, arrays an array.
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin((p2 - p1) / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    d = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


def m_per_deg_lon(lat: Any) -> Any:
    """Return metres per degree of longitude at latitude ``lat`` (degrees)."""
    return M_PER_DEG_LAT * np.cos(np.radians(lat))


def offset_deg(lat: float, lon: float, dx_m: float, dy_m: float) -> tuple[float, float]:
    """Return the point ``dx_m`` metres east and ``dy_m`` metres north of (lat, lon)."""
    return lat + dy_m / M_PER_DEG_LAT, lon + dx_m / (M_PER_DEG_LAT * math.cos(math.radians(lat)))


def project_m(lat: Any, lon: Any, lat0: float, lon0: float) -> tuple[np.ndarray, np.ndarray]:
    """Project degrees to metres east and north of (lat0, lon0) (equirectangular, Earth radius)."""
    x = np.radians(np.asarray(lon, dtype=np.float64) - lon0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    y = np.radians(np.asarray(lat, dtype=np.float64) - lat0) * EARTH_RADIUS_M
    return x, y
