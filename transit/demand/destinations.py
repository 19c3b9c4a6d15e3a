"""Destinations: services of general interest that trips go to.

From OSM tags (:func:`classify`) or a CSV with ``name, category, lat, lon``
and optionally ``weight``. Categories: doctor, hospital, pharmacy, school
(any level), primary_school, secondary_school, supermarket, townhall,
jobcenter, course (adult education: integration and language courses),
station, library, cinema, leisure.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from transit.demand.csvrows import number_in, read_rows
from transit.errors import InputError, InputErrors

__all__ = ["CATEGORIES", "Destination", "classify", "destinations_from_osm", "read_destinations_csv"]

#: Destination categories the generator knows.
CATEGORIES = (
    "doctor",
    "hospital",
    "pharmacy",
    "school",
    "primary_school",
    "secondary_school",
    "supermarket",
    "townhall",
    "jobcenter",
    "course",
    "station",
    "library",
    "cinema",
    "leisure",
)

_LEISURE = {"sports_centre", "swimming_pool", "fitness_centre", "stadium", "ice_rink", "water_park"}
_CULTURE = {"cinema", "theatre", "arts_centre", "community_centre"}


@dataclass(frozen=True, slots=True)
class Destination:
    """A place people travel to.

    Parameters
    ----------
    name
        Name (may be empty for unnamed OSM features).
    category
        One of :data:`CATEGORIES`.
    lat, lon
        Position, degrees.
    weight
        Attractiveness relative to others of its category (default 1).
    """

    name: str
    category: str
    lat: float
    lon: float
    weight: float = 1.0


def classify(tags: Mapping[str, str]) -> str | None:
    """Return the destination category of an OSM feature's tags, or None."""
    amenity = tags.get("amenity")
    name = tags.get("name", "")
    if tags.get("office") == "employment_agency" or (
        tags.get("office") == "government" and tags.get("government") == "social_welfare"
    ) or name.startswith("Jobcenter"):
        return "jobcenter"
    if tags.get("railway") in ("station", "halt"):
        return "station"
    if amenity == "hospital" or tags.get("healthcare") == "hospital":
        return "hospital"
    if amenity in ("doctors", "clinic") or tags.get("healthcare") in ("doctor", "clinic"):
        return "doctor"
    if amenity == "pharmacy" or tags.get("healthcare") == "pharmacy":
        return "pharmacy"
    if amenity == "school":
        return _school_level(tags)
    if amenity in ("college", "language_school") or name.startswith(("Volkshochschule", "Kreisvolkshochschule")):
        return "course"
    if tags.get("shop") in ("supermarket", "convenience", "general"):
        return "supermarket"
    if amenity == "townhall" or tags.get("office") == "government":
        return "townhall"
    if amenity == "library":
        return "library"
    if amenity in _CULTURE:
        return "cinema"
    if tags.get("leisure") in _LEISURE:
        return "leisure"
    return None


_PRIMARY_NAMES = ("Grundschule",)
_SECONDARY_NAMES = ("Gymnasium", "Sekundarschule", "Gesamtschule", "Oberschule", "Realschule", "Gemeinschaftsschule")


def _school_level(tags: Mapping[str, str]) -> str:
    """``primary_school``, ``secondary_school`` or ``school`` (level unknown or both) from ISCED tags or the name."""
    levels = {x.strip() for x in tags.get("isced:level", "").replace(",", ";").split(";") if x.strip()}
    name = tags.get("name", "")
    primary = "1" in levels or any(n in name for n in _PRIMARY_NAMES)
    secondary = bool(levels & {"2", "3"}) or any(n in name for n in _SECONDARY_NAMES)
    if primary and not secondary:
        return "primary_school"
    if secondary and not primary:
        return "secondary_school"
    return "school"


_WEIGHTS = {"hospital": 3.0}


def destinations_from_osm(path: str | os.PathLike[str]) -> list[Destination]:
    """Read the destinations of an OSM file (nodes and ways with service tags)."""
    from transit.road.osmdata import read_features

    out = []
    for row in read_features(path).itertuples(index=False):
        cat = classify(row.tags)
        if cat is None:
            continue
        out.append(Destination(str(row.name or ""), cat, float(row.lat), float(row.lon), _WEIGHTS.get(cat, 1.0)))
    return out


def read_destinations_csv(path: str | os.PathLike[str]) -> list[Destination]:
    """Read destinations from a CSV with ``name, category, lat, lon`` (``weight`` optional).

    Raises
    ------
    InputErrors
        Listing every bad row (file, line, column).
    """
    file = str(path)
    problems: list[InputError] = []
    out: list[Destination] = []
    for line, r in read_rows(path, ("name", "category", "lat", "lon")):
        ok = True
        cat = r["category"].lower()
        if cat not in CATEGORIES:
            problems.append(
                InputError(f"{r['category']!r} is not one of {', '.join(CATEGORIES)}", file=file, row=line, column="category")
            )
            ok = False
        lat = number_in(r, "lat", -90, 90, file=file, line=line, problems=problems)
        lon = number_in(r, "lon", -180, 180, file=file, line=line, problems=problems)
        weight = 1.0
        if r.get("weight"):
            try:
                weight = float(r["weight"])
                if not weight > 0 or math.isinf(weight):
                    raise ValueError
            except ValueError:
                problems.append(InputError(f"{r['weight']!r} is not a positive number", file=file, row=line, column="weight"))
                ok = False
        if ok and lat is not None and lon is not None:
            out.append(Destination(r["name"], cat, lat, lon, weight))
    if problems:
        raise InputErrors(problems)
    if not out:
        raise InputErrors([InputError("no destinations in the file", file=file)])
    return out
