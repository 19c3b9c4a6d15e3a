"""Names of places for drivers: the street and the village of a stop.

Streets come from the ``name`` (or ``ref``) of the road-graph edges at the
stop's node; villages from the OSM ``place`` nodes of the file the graph was
built from (``G.graph["source"]``), when that file is still there. Without
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

__all__ = ["PlaceNamer"]

log = logging.getLogger(__name__)

_VILLAGE_CLASSES = ("city", "town", "village", "suburb", "hamlet", "quarter", "neighbourhood", "isolated_dwelling")
_IN_M = 1200.0
_NEAR_M = 4000.0


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
    """

    streets: dict[int, str]
    villages: tuple[tuple[str, float, float], ...] = ()

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
        return cls(streets=streets, villages=tuple(villages))

    def village(self, lat: float, lon: float) -> str | None:
        """Return ``"Name"`` for a point in a village, ``"near Name"`` close by, or None."""
        if not self.villages:
            return None
        vl = np.array([[v[1], v[2]] for v in self.villages])
        k = math.cos(math.radians(lat))
        d = M_PER_DEG_LAT * np.hypot(vl[:, 0] - lat, (vl[:, 1] - lon) * k)
        i = int(np.argmin(d))
        if d[i] <= _IN_M:
            return self.villages[i][0]
        if d[i] <= _NEAR_M:
            return f"near {self.villages[i][0]}"
        return None

    def name(self, node: int | None, lat: float, lon: float) -> str:
        """Return a name like ``"Schulstraße, Neudrossenfeld"`` for a stop."""
        street = self.streets.get(int(node)) if node is not None else None
        village = self.village(lat, lon)
        if street and village and (street == village or village.endswith(f" {street}")):
            street = None
        parts = [p for p in (street, village) if p]
        if not parts:
            return f"{lat:.5f}, {lon:.5f}"
        return ", ".join(parts)
