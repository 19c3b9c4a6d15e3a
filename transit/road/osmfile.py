"""Read OSM files with pyosmium: check them, and cut them down to drivable or walkable ways.

osmnx builds graph edges out of every way of an XML file (rivers, buildings,
power lines), which is about ten times slower than needed and wrong. So the
road graph is built from a file that holds only the drivable ways and their
nodes, and the walk graph from one that holds the walkable ways (roads and
footways, paths, steps, tracks: :func:`is_walkable`), written here.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import osmium

from transit.errors import NetworkError
from transit.road.rules import RoadRules

__all__ = [
    "OSM_SUFFIXES",
    "FilterStats",
    "check_osm_path",
    "is_synthetic",
    "is_walkable",
    "osmium_file",
    "reading",
    "write_drivable",
    "write_walkable",
]

log = logging.getLogger(__name__)

#: File name endings the network builder accepts.
OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf", ".xml", ".osm.xml")


@dataclass(frozen=True)
class FilterStats:
    """What the drivable-road filter kept."""

    ways_total: int
    ways_kept: int


def check_osm_path(path: str | Path) -> Path:
    """Return ``path`` as a Path if it names an existing file with an OSM suffix.

    Raises
    ------
    NetworkError
        If the file is missing, a folder, or not named like an OSM file.
    """
    p = Path(path)
    if not p.exists():
        msg = f"{p}: file not found"
        raise NetworkError(msg)
    if not p.is_file():
        msg = f"{p}: not a file"
        raise NetworkError(msg)
    name = p.name.lower()
    if not any(name.endswith(s) for s in OSM_SUFFIXES):
        msg = (
            f"{p}: not an OSM file name (expected one of "
            f"{', '.join(OSM_SUFFIXES)})"
        )
        raise NetworkError(msg)
    return p


def osmium_file(path: Path) -> osmium.io.File:
    """Return the pyosmium file of ``path`` (``.xml`` read as OSM XML)."""
    name = path.name.lower()
    if name.endswith(".xml"):
        return osmium.io.File(str(path), "osm")
    return osmium.io.File(str(path))


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn what pyosmium raises while reading ``path`` into a :class:`NetworkError` naming it."""
    try:
        yield
    except NetworkError:
        raise
    except osmium.InvalidLocationError as exc:
        msg = f"{path}: a node has an invalid coordinate ({exc}); latitudes lie in -90..90, longitudes in -180..180"
        raise NetworkError(msg) from exc
    except (RuntimeError, ValueError, OSError) as exc:
        msg = f"{path}: not a readable OSM file ({exc})"
        raise NetworkError(msg) from exc


@lru_cache(maxsize=1)
def _walk_ways() -> tuple[frozenset[str], frozenset[str]]:
    text = resources.files("transit.data").joinpath("walking.toml").read_text(encoding="utf-8")
    ways = tomllib.loads(text)["ways"]
    return frozenset(ways["highways"]), frozenset(ways["denied"])


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Return whether people may walk on a way with these tags (``data/walking.toml``, ``[ways]``).

    ``foot`` decides over ``access``; ``motorroad=yes`` (Kraftfahrstrasse)
    excludes a road.
    """
    highways, denied = _walk_ways()
    if tags.get("highway") not in highways or tags.get("motorroad") == "yes":
        return False
    for key in ("foot", "access"):
        value = tags.get(key)
        if value is not None:
            return value.split(";")[0].strip().lower() not in denied
    return True


def write_drivable(src: str | Path, dst: str | Path, rules: RoadRules) -> FilterStats:
    """Write the drivable ways of ``src`` and the nodes they use to ``dst`` (OSM XML).

    Parameters
    ----------
    src
        An OSM file (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``).
    dst
        Output path; must end in ``.osm`` (plain XML, which osmnx reads).
    rules
        Which ways count as drivable.

    Raises
    ------
    NetworkError
        If ``src`` is not a readable OSM file.
    """
    return _write_ways(src, dst, rules.is_drivable, "drivable")


def write_walkable(src: str | Path, dst: str | Path) -> FilterStats:
    """Write the walkable ways of ``src`` (:func:`is_walkable`) and their nodes to ``dst`` (OSM XML).

    Raises
    ------
    NetworkError
        If ``src`` is not a readable OSM file.
    """
    return _write_ways(src, dst, is_walkable, "walkable")


def _write_ways(src: str | Path, dst: str | Path, keep: Callable[[Mapping[str, str]], bool], what: str) -> FilterStats:
    src_path = check_osm_path(src)
    dst_path = Path(dst)
    total = 0
    kept = 0
    with reading(src_path), osmium.BackReferenceWriter(
        osmium.io.File(str(dst_path), "osm"),
        ref_src=osmium_file(src_path),
        overwrite=True,
        remove_tags=True,
    ) as writer:
        processor = osmium.FileProcessor(osmium_file(src_path), osmium.osm.WAY)
        for way in processor.with_filter(osmium.filter.KeyFilter("highway")):
            total += 1
            tags = dict(way.tags)
            if keep(tags) and len(way.nodes) >= 2:
                writer.add_way(way)
                kept += 1
    log.info("%s: kept %d of %d highway ways (%s)", src_path.name, kept, total, what)
    return FilterStats(ways_total=total, ways_kept=kept)


#: ``generator`` header of OSM files the project makes itself (no OSM data inside).
SYNTHETIC_GENERATOR_PREFIX = "transit district"


def is_synthetic(path: str | Path) -> bool:
    """Return whether an OSM file was made by the project's district generator.

    Such files hold no OpenStreetMap data, so they need no OSM attribution.
    """
    p = check_osm_path(path)
    with reading(p):
        reader = osmium.io.Reader(osmium_file(p), osmium.osm.osm_entity_bits.NOTHING)
        try:
            generator = reader.header().get("generator", "")
        finally:
            reader.close()
    return generator.startswith(SYNTHETIC_GENERATOR_PREFIX)
