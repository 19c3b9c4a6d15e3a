"""Find the bundled instances (``instances/`` at the repository root).

An instance is a folder with an OSM file (``district.osm.gz`` for the
synthetic default) and optionally a GTFS feed (``gtfs/``) and a README, or a
folder with an ``instance.toml`` whose ``osm`` key points to an OSM file
elsewhere (relative to the folder), as the instances of the real extracts in
``../shared/data/osm/`` do.
"""

from __future__ import annotations

from pathlib import Path

from transit.errors import InputError
from transit.util.tomltable import read_toml

__all__ = ["INSTANCES_DIR", "instance_dir", "instance_names", "instance_osm"]

#: The folder that holds the bundled instances.
INSTANCES_DIR = Path(__file__).resolve().parents[2] / "instances"

_OSM_NAMES = ("district.osm.gz", "district.osm", "region.osm.pbf", "region.osm.gz")


def _pointer(folder: Path) -> Path | None:
    """The OSM file an ``instance.toml`` points to, or None."""
    toml = folder / "instance.toml"
    if not toml.is_file():
        return None
    osm = read_toml(toml, what="instance file").get("osm")
    if not isinstance(osm, str) or not osm:
        msg = "needs a key osm = \"path/to/file.osm.pbf\""
        raise InputError(msg, file=str(toml), column="osm")
    return (folder / osm).resolve()


def _osm_of(folder: Path) -> Path | None:
    for n in _OSM_NAMES:
        if (folder / n).is_file():
            return folder / n
    return _pointer(folder)


def instance_names() -> list[str]:
    """Return the names of the bundled instances (folders with or pointing to an OSM file)."""
    if not INSTANCES_DIR.is_dir():
        return []
    return sorted(p.name for p in INSTANCES_DIR.iterdir() if p.is_dir() and _osm_of(p) is not None)


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
    """Return the OSM file of the bundled instance ``name``.

    Raises
    ------
    InputError
        If there is no such instance or the file it points to is missing.
    """
    d = instance_dir(name)
    osm = _osm_of(d)
    if osm is None or not osm.is_file():
        msg = (
            f"instance {name!r} points to {osm}, which does not exist "
            "(the shared data folder must sit beside the repository as ../shared)"
        )
        raise InputError(msg, column="--instance")
    return osm
