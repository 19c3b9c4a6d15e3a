"""Read named places and points of interest from an OSM file (pyosmium).

Villages and towns are ``place`` nodes; services (doctors, schools, the
station, ...) are nodes or ways with tags such as ``amenity``, ``shop`` or
``railway``. Ways are reduced to the mean of their node locations.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from pathlib import Path

import osmium
import pandas as pd

from transit.road.osmfile import check_osm_path, osmium_file, reading

__all__ = ["DEFAULT_FEATURE_KEYS", "PLACE_CLASSES", "read_features", "read_places"]

log = logging.getLogger(__name__)

#: ``place`` values that are settlements people live in.
PLACE_CLASSES = ("city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood", "isolated_dwelling")

#: Tag keys that mark services of general interest.
DEFAULT_FEATURE_KEYS = (
    "amenity",
    "shop",
    "railway",
    "public_transport",
    "office",
    "leisure",
    "healthcare",
    "tourism",
)


def _parse_population(value: str | None) -> float:
    if not value:
        return math.nan
    text = value.replace(".", "").replace(",", "").replace(" ", "").split(";")[0]
    try:
        pop = float(text)
    except ValueError:
        return math.nan
    return pop if pop >= 0 else math.nan


def read_places(path: str | Path, *, classes: Iterable[str] = PLACE_CLASSES) -> pd.DataFrame:
    """Return the named settlement nodes of an OSM file.

    Returns
    -------
    pandas.DataFrame
        Columns ``osm_id, name, place, population, lat, lon``; population is
        NaN where untagged. Sorted by OSM id.

    Raises
    ------
    NetworkError
        If the file is missing or not an OSM file.
    """
    p = check_osm_path(path)
    wanted = set(classes)
    rows = []
    with reading(p):
        processor = osmium.FileProcessor(osmium_file(p), osmium.osm.NODE).with_filter(
            osmium.filter.KeyFilter("place")
        )
        for node in processor:
            tags = node.tags
            place = tags.get("place")
            name = tags.get("name")
            if place not in wanted or not name or not node.location.valid():
                continue
            rows.append(
                {
                    "osm_id": int(node.id),
                    "name": name,
                    "place": place,
                    "population": _parse_population(tags.get("population")),
                    "lat": float(node.location.lat),
                    "lon": float(node.location.lon),
                }
            )
    df = pd.DataFrame(rows, columns=["osm_id", "name", "place", "population", "lat", "lon"])
    return df.sort_values("osm_id", kind="stable").reset_index(drop=True)


def read_features(path: str | Path, keys: Iterable[str] = DEFAULT_FEATURE_KEYS) -> pd.DataFrame:
    """Return nodes and ways of an OSM file that carry one of ``keys``.

    Returns
    -------
    pandas.DataFrame
        Columns ``osm_type`` ("node"/"way"), ``osm_id, lat, lon, name, tags``
        (a dict of all tags). A way's position is the mean of its node
        locations. Sorted by type and id.

    Raises
    ------
    NetworkError
        If the file is missing or not an OSM file.
    """
    p = check_osm_path(path)
    keys = tuple(keys)
    rows = []
    with reading(p):
        processor = (
            osmium.FileProcessor(osmium_file(p), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter(*keys))
        )
        for obj in processor:
            tags = dict(obj.tags)
            if obj.is_node():
                if not obj.location.valid():
                    continue
                lat, lon = float(obj.location.lat), float(obj.location.lon)
                kind = "node"
            else:
                locs = [n.location for n in obj.nodes if n.location.valid()]
                if not locs:
                    continue
                lat = sum(loc.lat for loc in locs) / len(locs)
                lon = sum(loc.lon for loc in locs) / len(locs)
                kind = "way"
            rows.append(
                {
                    "osm_type": kind,
                    "osm_id": int(obj.id),
                    "lat": lat,
                    "lon": lon,
                    "name": tags.get("name", ""),
                    "tags": tags,
                }
            )
    df = pd.DataFrame(rows, columns=["osm_type", "osm_id", "lat", "lon", "name", "tags"])
    return df.sort_values(["osm_type", "osm_id"], kind="stable").reset_index(drop=True)
