"""Names of places for drivers: street and house number, and the village of a stop.

House numbers come from the OSM addresses (``addr:housenumber`` with
``addr:street`` or ``addr:place``, on nodes and buildings) of the file the
graph was built from (``G.graph["source"]``), when that file is still there:
the nearest address within :data:`ADDRESS_M` of the booking's point. Streets
otherwise come from the ``name`` (or ``ref``) of the road-graph edges at the
stop's node; villages from the OSM ``place`` nodes of the same file. Without
either, a place is named by its coordinates.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from transit.util.geo import M_PER_DEG_LAT

__all__ = ["ADDRESS_M", "Address", "PlaceNamer"]

log = logging.getLogger(__name__)

_VILLAGE_CLASSES = ("city", "town", "village", "suburb", "hamlet", "quarter", "neighbourhood", "isolated_dwelling")
_IN_M = 1200.0
_NEAR_M = 4000.0
ADDRESS_M = 40.0
"""Largest distance from a point to the OSM address used for it, metres."""


@dataclass(frozen=True)
class Address:
    """What a driver reads for a place.

    Parameters
    ----------
    street
        Street name (or the ``addr:place`` of an address without street), or None.
    number
        House number, if OSM has one within :data:`ADDRESS_M`.
    village
        The settlement the point lies in (or near, see ``near``), or None.
    near
        True if the point lies outside ``village``, within 4 km of it.
    """

    street: str | None
    number: str | None
    village: str | None
    near: bool = False

    def text(self, near_word: str = "near {village}") -> str:
        """Return ``"Schulstraße 4, Neudrossenfeld"`` (``near_word`` formats a nearby village)."""
        street = f"{self.street} {self.number}" if self.street and self.number else self.street
        village = near_word.format(village=self.village) if self.village and self.near else self.village
        if street and village and not self.number and (self.street == self.village or (self.village or "").endswith(f" {self.street}")):
            street = None
        return ", ".join(p for p in (street, village) if p)


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):  # a list stored as text
        return [t.strip(" '\"") for t in text[1:-1].split(",") if t.strip(" '\"")]
    return [text] if text and text.lower() != "nan" else []


@dataclass(frozen=True)
class PlaceNamer:
    """Name places for driver manifests.

    Parameters
    ----------
    streets
        Street name per network node index.
    villages
        ``(name, lat, lon)`` of settlements.
    addresses
        ``(lat, lon, street, house number)`` of OSM addresses.
    """

    streets: dict[int, str]
    villages: tuple[tuple[str, float, float], ...] = ()
    addresses: tuple[tuple[float, float, str, str], ...] = ()

    @classmethod
    def from_graph(cls, G: Any, network: Any) -> PlaceNamer:
        """Collect street names from a road graph and villages from its source OSM file."""
        counts: dict[int, Counter[str]] = {}
        for u, v, data in G.edges(data=True):
            names = _names(data.get("name")) or _names(data.get("ref"))
            if not names:
                continue
            for osm in (u, v):
                try:
                    idx = network.node_index(int(osm))
                except KeyError:
                    continue
                counts.setdefault(idx, Counter()).update(names)
        streets = {n: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for n, c in counts.items()}
        villages: list[tuple[str, float, float]] = []
        source = G.graph.get("source")
        if source and Path(str(source)).is_file():
            try:
                from transit.road.osmdata import read_places

                df = read_places(str(source), classes=_VILLAGE_CLASSES)
                villages = [
                    (str(r.name), float(r.lat), float(r.lon))
                    for r in df.itertuples(index=False)
                    if isinstance(r.name, str) and r.name
                ]
            except Exception as exc:  # noqa: BLE001 - names are a nicety; never fail the dispatch
                log.warning("could not read place names from %s: %s", source, exc)
        villages.sort()
        return cls(streets=streets, villages=tuple(villages), addresses=_read_addresses(source))

    def _village(self, lat: float, lon: float) -> tuple[str | None, bool]:
        if not self.villages:
            return None, False
        vl = np.array([[v[1], v[2]] for v in self.villages])
        k = math.cos(math.radians(lat))
        d = M_PER_DEG_LAT * np.hypot(vl[:, 0] - lat, (vl[:, 1] - lon) * k)
        i = int(np.argmin(d))
        if d[i] <= _IN_M:
            return self.villages[i][0], False
        if d[i] <= _NEAR_M:
            return self.villages[i][0], True
        return None, False

    def _house(self, lat: float, lon: float) -> tuple[str, str] | None:
        if not self.addresses:
            return None
        a = np.array([[x[0], x[1]] for x in self.addresses])
        k = math.cos(math.radians(lat))
        d = M_PER_DEG_LAT * np.hypot(a[:, 0] - lat, (a[:, 1] - lon) * k)
        i = int(np.argmin(d))
        if d[i] > ADDRESS_M:
            return None
        return self.addresses[i][2], self.addresses[i][3]

    def address(self, node: int | None, lat: float, lon: float) -> Address:
        """Return the :class:`Address` of a point (house number where OSM has one nearby)."""
        village, near = self._village(lat, lon)
        house = self._house(lat, lon)
        if house is not None:
            return Address(house[0], house[1], village, near)
        street = self.streets.get(int(node)) if node is not None else None
        return Address(street, None, village, near)

    def village(self, lat: float, lon: float) -> str | None:
        """Return ``"Name"`` for a point in a village, ``"near Name"`` close by, or None."""
        name, near = self._village(lat, lon)
        if name is None:
            return None
        return f"near {name}" if near else name

    def name(self, node: int | None, lat: float, lon: float, *, near_word: str = "near {village}") -> str:
        """Return a name like ``"Schulstraße 4, Neudrossenfeld"`` for a stop (coordinates if nothing is known)."""
        text = self.address(node, lat, lon).text(near_word)
        return text or f"{lat:.5f}, {lon:.5f}"


def _read_addresses(source: Any) -> tuple[tuple[float, float, str, str], ...]:
    """Read the OSM addresses (house numbers) of the graph's source file, if it is there."""
    if not source or not Path(str(source)).is_file():
        return ()
    try:
        from transit.road.osmdata import read_features

        df = read_features(str(source), keys=("addr:housenumber",))
    except Exception as exc:  # noqa: BLE001 - addresses are a nicety; never fail the dispatch
        log.warning("could not read addresses from %s: %s", source, exc)
        return ()
    out = []
    for r in df.itertuples(index=False):
        tags = r.tags
        street = tags.get("addr:street") or tags.get("addr:place")
        number = tags.get("addr:housenumber")
        if street and number:
            out.append((float(r.lat), float(r.lon), str(street), str(number)))
    return tuple(sorted(out))
