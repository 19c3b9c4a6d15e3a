"""Which OSM ways a minibus may drive, and at what speed.

The numbers live in ``transit/data/roads.toml`` (with their sources); this
module only interprets them. It knows nothing about graphs.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["RoadRules", "default_rules", "parse_maxspeed"]

_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.IGNORECASE)
_MPH = 1.609344
_KNOT = 1.852

#: Marker for "no speed limit" (``maxspeed=none``).
NO_LIMIT = math.inf


def parse_maxspeed(value: str | None, implicit: Mapping[str, float]) -> float | None:
    """Parse an OSM ``maxspeed`` value to km/h.

    Parameters
    ----------
    value
        The tag value, e.g. ``"50"``, ``"30 mph"``, ``"DE:rural"``,
        ``"none"`` or ``"50;30"`` (several values: the lowest counts).
    implicit
        Implicit zone values (``"DE:rural" -> 100``); ``inf`` means no limit.

    Returns
    -------
    float or None
        The limit in km/h, ``inf`` for no limit, None if the value is missing
        or not understood (then the class default applies).
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        parsed = [parse_maxspeed(v, implicit) for v in value]
        known = [p for p in parsed if p is not None]
        return min(known) if known else None
    text = str(value).strip()
    if not text:
        return None
    if ";" in text or "|" in text:
        return parse_maxspeed(re.split(r"[;|]", text), implicit)
    if text in implicit:
        return implicit[text]
    lowered = text.lower()
    if lowered in implicit:
        return implicit[lowered]
    m = _NUMBER.match(text)
    if not m:
        return None
    speed = float(m.group(1).replace(",", "."))
    unit = (m.group(2) or "").lower()
    if unit == "mph":
        speed *= _MPH
    elif unit == "knots":
        speed *= _KNOT
    return speed if speed > 0 else None


@dataclass(frozen=True)
class RoadRules:
    """Rules for drivable ways and edge speeds (see ``data/roads.toml``).

    Parameters
    ----------
    allowed_highways
        ``highway`` values a minibus may drive.
    access_precedence
        Access tags, most specific first; the first present decides.
    access_allowed, access_denied
        Values of those tags that allow or forbid driving.
    default_speed_kmh
        Speed per highway class where no usable ``maxspeed`` is tagged.
    implicit_maxspeed_kmh
        Implicit zone values such as ``DE:rural``; ``inf`` = no limit.
    speed_cap_kmh
        Vehicle speed cap applied to every edge.
    """

    allowed_highways: frozenset[str]
    access_precedence: tuple[str, ...]
    access_allowed: frozenset[str]
    access_denied: frozenset[str]
    default_speed_kmh: Mapping[str, float]
    implicit_maxspeed_kmh: Mapping[str, float]
    speed_cap_kmh: float

    def with_cap(self, speed_cap_kmh: float | None) -> RoadRules:
        """Return the rules with another vehicle speed cap (None keeps this one)."""
        if speed_cap_kmh is None:
            return self
        if not (speed_cap_kmh > 0 and math.isfinite(speed_cap_kmh)):
            msg = f"speed cap must be a positive number of km/h, got {speed_cap_kmh}"
            raise ValueError(msg)
        return RoadRules(
            self.allowed_highways,
            self.access_precedence,
            self.access_allowed,
            self.access_denied,
            self.default_speed_kmh,
            self.implicit_maxspeed_kmh,
            float(speed_cap_kmh),
        )

    def is_drivable(self, tags: Mapping[str, str]) -> bool:
        """Return whether a way with these tags is a road a minibus may drive."""
        if tags.get("highway") not in self.allowed_highways:
            return False
        if tags.get("area") == "yes":
            return False
        for key in self.access_precedence:
            value = tags.get(key)
            if value is None:
                continue
            value = value.split(";")[0].strip().lower()
            if value in self.access_allowed:
                # bus=yes / psv=yes open a bus gate; a bare "yes" on a general key
                # is the same as no tag.
                return True
            if value in self.access_denied:
                return False
        return True

    def speed_kmh(self, highway: str | list[str] | None, maxspeed: str | list[str] | None) -> float:
        """Return the driving speed of an edge in km/h.

        The tagged ``maxspeed`` if understood (``none`` falls back to the class
        default), else the class default, capped by the vehicle speed cap.
        """
        if isinstance(highway, (list, tuple)):
            candidates = [self.default_speed_kmh.get(h) for h in highway]
            known = [c for c in candidates if c is not None]
            default = min(known) if known else self.default_speed_kmh["road"]
        else:
            default = self.default_speed_kmh.get(highway or "road", self.default_speed_kmh["road"])
        limit = parse_maxspeed(maxspeed, self.implicit_maxspeed_kmh)
        speed = default if limit is None or math.isinf(limit) else limit
        return float(min(speed, self.speed_cap_kmh))


def _load_rules(text: str) -> RoadRules:
    data = tomllib.loads(text)
    implicit: dict[str, float] = {}
    for key, value in data["implicit_maxspeed_kmh"].items():
        implicit[key] = NO_LIMIT if value == "none" else float(value)
    return RoadRules(
        allowed_highways=frozenset(data["highway"]["allowed"]),
        access_precedence=tuple(data["access"]["precedence"]),
        access_allowed=frozenset(data["access"]["allowed_values"]),
        access_denied=frozenset(data["access"]["denied_values"]),
        default_speed_kmh={k: float(v) for k, v in data["default_speed_kmh"].items()},
        implicit_maxspeed_kmh=implicit,
        speed_cap_kmh=float(data["vehicle"]["speed_cap_kmh"]),
    )


@lru_cache(maxsize=1)
def default_rules() -> RoadRules:
    """Return the rules shipped in ``transit/data/roads.toml``."""
    text = resources.files("transit").joinpath("data/roads.toml").read_text(encoding="utf-8")
    return _load_rules(text)
