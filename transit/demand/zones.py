"""Zones: the villages and towns where trips start, with their residents.

Zones come from OSM ``place`` nodes (with ``population`` where tagged, else a
default per place class from ``data/place_population.toml``) or from a CSV the
planner supplies (columns ``name, lat, lon, population`` and optionally
``place`` and ``share_<group>``: the share of the residents in a population
group, e.g. ``share_senior``, overriding the defaults of
``data/population_groups.toml`` for that place).
"""

from __future__ import annotations

import logging
import math
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from transit.demand.csvrows import number_in, read_rows
from transit.errors import InputError, InputErrors
from transit.util.limits import check_limit

__all__ = ["Zone", "check_residents", "default_population", "read_zones_csv", "zones_from_osm", "zones_from_places"]

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
    group_shares
        ``(group, share of the residents)`` pairs given for this place; groups
        not named keep the default shares (scaled to fill the rest).
    """

    name: str
    place: str
    population: float
    lat: float
    lon: float
    population_tagged: bool = True
    group_shares: tuple[tuple[str, float], ...] = ()


@lru_cache(maxsize=1)
def default_population() -> dict[str, float]:
    """Return the default residents per OSM place class (``data/place_population.toml``)."""
    text = resources.files("transit.data").joinpath("place_population.toml").read_text(encoding="utf-8")
    return {k: float(v) for k, v in tomllib.loads(text)["default_population"].items()}


def zones_from_places(places: object, *, classes: tuple[str, ...] | None = None) -> list[Zone]:
    """Turn a place table (``transit.road.osmdata.read_places``) into zones.

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
    from transit.road.osmdata import read_places

    zones = zones_from_places(read_places(path))
    check_residents(zones, file=str(path), column="population")
    untagged = sum(not z.population_tagged for z in zones)
    if untagged:
        log.info("%s: %d of %d places have no population tag; using class defaults", path, untagged, len(zones))
    return zones


def _group_shares(
    r: dict[str, str], *, file: str, line: int, problems: list[InputError]
) -> tuple[tuple[str, float], ...]:
    from transit.demand.params import DemandParams

    known = [g.name for g in DemandParams.default().groups]
    out: list[tuple[str, float]] = []
    for col, value in r.items():
        if not col.startswith("share_") or value == "":
            continue
        name = col[len("share_"):]
        if name not in known:
            problems.append(InputError(f"unknown population group {name!r} (known: {', '.join(known)})",
                                       file=file, row=line, column=col))
            continue
        v = number_in(r, col, 0.0, 1.0, file=file, line=line, problems=problems)
        if v is not None:
            out.append((name, v))
    if sum(v for _, v in out) > 1.0 + 1e-9:
        problems.append(InputError("the group shares of this place sum to more than 1", file=file, row=line,
                                   column=",".join(f"share_{n}" for n, _ in out)))
    return tuple(out)


def read_zones_csv(path: str | os.PathLike[str]) -> list[Zone]:
    """Read zones from a CSV with ``name, lat, lon, population`` (``place`` and ``share_<group>`` optional).

    A ``share_<group>`` column gives that population group's share of the
    residents (in [0, 1]; an empty cell keeps the default); the shares given
    for one place must not sum to more than 1.

    Raises
    ------
    InputErrors
        Listing every bad row (file, line, column).
    """
    file = str(path)
    problems: list[InputError] = []
    zones: list[Zone] = []
    for line, r in read_rows(path, ("name", "lat", "lon", "population")):
        lat = number_in(r, "lat", -90, 90, file=file, line=line, problems=problems)
        lon = number_in(r, "lon", -180, 180, file=file, line=line, problems=problems)
        pop = number_in(r, "population", 0, math.inf, file=file, line=line, problems=problems)
        if not r["name"]:
            problems.append(InputError("missing value", file=file, row=line, column="name"))
        shares = _group_shares(r, file=file, line=line, problems=problems)
        if lat is not None and lon is not None and pop is not None and r["name"] and pop > 0:
            zones.append(Zone(r["name"], r.get("place") or "village", pop, lat, lon, True, shares))
    if problems:
        raise InputErrors(problems)
    if not zones:
        raise InputErrors([InputError("no zones with residents in the file", file=file)])
    check_residents(zones, file=file, column="population")
    return zones


def check_residents(zones: list[Zone], *, file: str | None = None, column: str | None = None) -> None:
    """Refuse zones whose residents add up to more than the ``residents`` limit.

    Raises
    ------
    InputErrors
        Naming the limit (see :mod:`transit.util.limits`).
    """
    try:
        check_limit("residents", math.fsum(z.population for z in zones), file=file, column=column)
    except InputError as exc:
        raise InputErrors([exc]) from None
