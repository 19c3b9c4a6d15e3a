"""Find the bundled instances (``instances/`` at the repository root).

An instance is a folder with an OSM file (``district.osm.gz`` for the
synthetic default) and optionally a GTFS feed (``gtfs/``) and a README.
"""

from __future__ import annotations

from pathlib import Path

from transit.errors import InputError

__all__ = ["INSTANCES_DIR", "instance_dir", "instance_names", "instance_osm"]

#: The folder that holds the bundled instances.
INSTANCES_DIR = Path(__file__).resolve().parents[1] / "instances"

_OSM_NAMES = ("district.osm.gz", "district.osm", "region.osm.pbf", "region.osm.gz")


def instance_names() -> list[str]:
    """Return the names of the bundled instances (folders with an OSM file)."""
    if not INSTANCES_DIR.is_dir():
        return []
    return sorted(
        p.name for p in INSTANCES_DIR.iterdir() if p.is_dir() and any((p / n).is_file() for n in _OSM_NAMES)
    )


def instance_dir(name: str) -> Path:
    """Return the folder of the bundled instance ``name``.

    Raises
    ------
    InputError
        If there is no such instance (the message lists the known ones).
    """
    path = INSTANCES_DIR / name
    if name not in instance_names():
        known = ", ".join(instance_names()) or "none"
        msg = f"no bundled instance {name!r} (known: {known})"
        raise InputError(msg, column="--instance")
    return path


def instance_osm(name: str) -> Path:
    """Return the OSM file of the bundled instance ``name``."""
    d = instance_dir(name)
    return next(d / n for n in _OSM_NAMES if (d / n).is_file())
