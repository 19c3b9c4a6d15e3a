"""Zones: the villages and towns where trips start, with their residents.

Zones come from OSM ``place`` nodes (with ``population`` where tagged, else a
default per place class from ``data/place_population.toml``) or from a CSV the
planner supplies (columns ``name, lat, lon, population`` and optionally
``place``).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from transit.errors import InputError, InputErrors

__all__ = ["Zone", "default_population", "read_zones_csv", "zones_from_osm", "zones_from_places"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Zone:
    """A settlement whose residents make trips.

    Parameters
    ----------
    name
        Name of the place.
    place
        OSM place class (``town``, ``village``, ``hamlet``, ...).
    population
        Residents (> 0).
    lat, lon
        The place's centre, degrees.
    population_tagged
        Whether the population came from the data (False: a class default).
    """

    name: str
    place: str
    population: float
    lat: float
    lon: float
    population_tagged: bool = True


@lru_cache(maxsize=1)
def default_population() -> dict[str, float]:
    """Return the default residents per OSM place class (``data/place_population.toml``)."""
    text = resources.files("transit.data").joinpath("place_population.toml").read_text(encoding="utf-8")
    return {k: float(v) for k, v in tomllib.loads(text)["default_population"].items()}


def zones_from_places(places: object, *, classes: tuple[str, ...] | None = None) -> list[Zone]:
    """Turn a place table (``transit.osmdata.read_places``) into zones.

    Parameters
    ----------
    places
        DataFrame with ``name, place, population, lat, lon``.
    classes
        Place classes to keep; default every class with a default population
        except ``city`` (a city is not a rural zone) and the parts of towns
        (``suburb``, ``quarter``, ``neighbourhood``), which would count
        residents twice.
    """
    defaults = default_population()
    keep = classes or ("town", "village", "hamlet", "isolated_dwelling")
    zones = []
    for row in places.itertuples(index=False):  # type: ignore[attr-defined]
        if row.place not in keep:
            continue
        pop = float(row.population)
        tagged = not math.isnan(pop)
        if not tagged:
            pop = defaults.get(row.place, 0.0)
        if pop <= 0:
            continue
        zones.append(Zone(str(row.name), str(row.place), pop, float(row.lat), float(row.lon), tagged))
    return zones


def zones_from_osm(path: str | os.PathLike[str]) -> list[Zone]:
    """Read the zones of an OSM file (its ``place`` nodes)."""
    from transit.osmdata import read_places

    zones = zones_from_places(read_places(path))
    untagged = sum(not z.population_tagged for z in zones)
    if untagged:
        log.info("%s: %d of %d places have no population tag; using class defaults", path, untagged, len(zones))
    return zones


def read_zones_csv(path: str | os.PathLike[str]) -> list[Zone]:
    """Read zones from a CSV with ``name, lat, lon, population`` (``place`` optional).

    Raises
    ------
    InputErrors
        Listing every bad row (file, line, column).
    """
    from transit.bookings import decode_text

    file = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputErrors([InputError("file not found", file=file)])
    try:
        text, _enc = decode_text(p.read_bytes(), file=file)
    except InputError as exc:
        raise InputErrors([exc]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    missing = [c for c in ("name", "lat", "lon", "population") if c not in fields]
    if missing:
        raise InputErrors(
            [InputError("required column is missing from the header", file=file, row=1, column=c) for c in missing]
        )
    problems: list[InputError] = []
    zones: list[Zone] = []
    for rec in reader:
        line = reader.line_num
        r = {(k or "").strip().lower(): (v or "").strip() for k, v in rec.items()}
        vals: dict[str, float] = {}
        for col, lo, hi in (("lat", -90, 90), ("lon", -180, 180), ("population", 0, math.inf)):
            try:
                v = float(r[col])
                if not (lo <= v <= hi) or math.isnan(v):
                    raise ValueError
                vals[col] = v
            except ValueError:
                problems.append(InputError(f"{r[col]!r} is not a number in [{lo}, {hi}]", file=file, row=line, column=col))
        if not r["name"]:
            problems.append(InputError("missing value", file=file, row=line, column="name"))
        if len(vals) == 3 and r["name"] and vals["population"] > 0:
            zones.append(Zone(r["name"], r.get("place") or "village", vals["population"], vals["lat"], vals["lon"]))
    if problems:
        raise InputErrors(problems)
    if not zones:
        raise InputErrors([InputError("no zones with residents in the file", file=file)])
    return zones
