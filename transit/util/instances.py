"""Find the bundled instances.

Where they are looked for, in this order (:func:`instances_dir`):

1. the folder named by the environment variable ``TRANSIT_INSTANCES``;
2. ``instances/`` of the source checkout the package runs from (a clone, or
   an editable install ``pip install -e .``);
3. the copy a regular install carries as package data (the package
   ``transit_instances``, see ``setup.py``).

An instance is a folder with an OSM file (``district.osm.gz`` for the
synthetic default) and optionally a GTFS feed (``gtfs/``) and a README, or a
folder with an ``instance.toml`` whose ``osm`` key points to an OSM file
elsewhere (relative to the folder), as the instances of the real extracts in
``../shared/data/osm/`` do.
"""

from __future__ import annotations

import os
import importlib.util
from pathlib import Path

from transit.errors import InputError
from transit.util.tomltable import read_toml

__all__ = ["ENV_VAR", "instance_dir", "instance_names", "instance_osm", "instances_dir"]

#: Environment variable naming a folder of instances to use instead of the bundled ones.
ENV_VAR = "TRANSIT_INSTANCES"

_CHECKOUT = Path(__file__).resolve().parents[2] / "instances"


def instances_dir() -> Path:
    """Return the folder that holds the instances (see the module docstring).

    Raises
    ------
    InputError
        If ``TRANSIT_INSTANCES`` names no folder.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if not path.is_dir():
            msg = f"{ENV_VAR}={env} is not a folder"
            raise InputError(msg, column=ENV_VAR)
        return path
    if _CHECKOUT.is_dir():
        return _CHECKOUT
    spec = importlib.util.find_spec("transit_instances")
    if spec is None or not spec.submodule_search_locations:
        return _CHECKOUT
    return Path(next(iter(spec.submodule_search_locations)))

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
    root = instances_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and _osm_of(p) is not None)


def instance_dir(name: str) -> Path:
    """Return the folder of the bundled instance ``name``.

    Raises
    ------
    InputError
        If there is no such instance (the message lists the known ones).
    """
    path = instances_dir() / name
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
