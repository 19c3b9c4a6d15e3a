"""A demand region: road network, zones and destinations, snapped and timed once.

Build it once (:func:`region_from_osm` or :meth:`DemandRegion.build`) and draw
many seeds from it with :func:`transit.demand.generator.generate_bookings`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from transit.util.geo import M_PER_DEG_LAT, m_per_deg_lon
from transit.demand.destinations import Destination, destinations_from_osm, read_destinations_csv
from transit.demand.zones import Zone, read_zones_csv, zones_from_osm
from transit.errors import InputError
from transit.util.progress import Progress, report

if TYPE_CHECKING:
    from transit.road.travel import RoadNetwork

__all__ = ["DemandRegion", "NodeLocator", "region_from_osm"]

log = logging.getLogger(__name__)

#: Zones and destinations farther than this from every road node are left out.
MAX_ZONE_SNAP_M = 2_000.0


class NodeLocator:
    """Nearest road node of points (a k-d tree over the network's nodes, in metres)."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray) -> None:
        self.lat0 = float(np.mean(lat)) if len(lat) else 0.0
        self._kx = m_per_deg_lon(self.lat0)
        self._tree = cKDTree(np.column_stack([np.asarray(lon) * self._kx, np.asarray(lat) * M_PER_DEG_LAT]))

    def xy(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Project degrees to the locator's metres."""
        return np.column_stack([np.asarray(lon, dtype=float) * self._kx, np.asarray(lat, dtype=float) * M_PER_DEG_LAT])

    def nearest(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (node index, distance in metres) of the nearest node of each point."""
        d, i = self._tree.query(self.xy(np.atleast_1d(lat), np.atleast_1d(lon)))
        return np.asarray(i, dtype=np.int64), np.asarray(d, dtype=float)


@dataclass(frozen=True, eq=False)
class DemandRegion:
    """Network, zones and destinations with their nodes and travel times.

    Attributes
    ----------
    network
        The road network.
    zones
        Zones that lie near the network.
    destinations
        Destinations that lie near the network.
    zone_node, dest_node
        Nearest network node of each zone centre and destination.
    zone_to_dest_s, zone_to_zone_s
        Travel times (s) from zone centres to destinations and to zone centres.
    locator
        Nearest-node lookup used to place trip ends on the roads.
    """

    network: RoadNetwork
    zones: tuple[Zone, ...]
    destinations: tuple[Destination, ...]
    zone_node: np.ndarray
    dest_node: np.ndarray
    zone_to_dest_s: np.ndarray
    zone_to_zone_s: np.ndarray
    locator: NodeLocator

    @classmethod
    def build(
        cls,
        network: RoadNetwork,
        zones: Sequence[Zone],
        destinations: Sequence[Destination],
        *,
        progress: Progress | None = None,
    ) -> DemandRegion:
        """Snap zones and destinations to the network and compute their travel times.

        Raises
        ------
        InputError
            If no zone lies within 2 km of the road network.
        """
        locator = NodeLocator(network.lat, network.lon)
        report(progress, 0, 3, "snapping zones and destinations")
        zn, zd = locator.nearest(np.array([z.lat for z in zones]), np.array([z.lon for z in zones]))
        keep_z = zd <= MAX_ZONE_SNAP_M
        if not keep_z.any():
            msg = "no zone (village or town) lies within 2 km of the road network"
            raise InputError(msg)
        if (~keep_z).any():
            log.warning("%d zones lie more than 2 km from the roads and are left out", int((~keep_z).sum()))
        zones_k = tuple(z for z, k in zip(zones, keep_z) if k)
        if destinations:
            dn, dd = locator.nearest(np.array([d.lat for d in destinations]), np.array([d.lon for d in destinations]))
            keep_d = dd <= MAX_ZONE_SNAP_M
        else:
            dn, keep_d = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        dests_k = tuple(d for d, k in zip(destinations, keep_d) if k)
        zone_node = zn[keep_z]
        dest_node = dn[keep_d] if len(dn) else dn
        report(progress, 1, 3, "travel times between zones and destinations")
        targets = np.concatenate([zone_node, dest_node]).astype(np.int64)
        t, _ = network.matrix(zone_node, targets)
        report(progress, 3, 3, "region ready")
        nz = len(zone_node)
        for a in (zone_node, dest_node):
            a.flags.writeable = False
        return cls(network, zones_k, dests_k, zone_node, dest_node, t[:, nz:], t[:, :nz], locator)

    def categories(self) -> dict[str, int]:
        """Count destinations per category."""
        out: dict[str, int] = {}
        for d in self.destinations:
            out[d.category] = out.get(d.category, 0) + 1
        return out


def region_from_osm(
    osm_path: str | os.PathLike[str],
    *,
    network: RoadNetwork | None = None,
    zones_csv: str | os.PathLike[str] | None = None,
    destinations_csv: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> DemandRegion:
    """Build a demand region from an OSM file (roads, places and services).

    Parameters
    ----------
    osm_path
        The OSM file.
    network
        A road network already built from it (default: build it now).
    zones_csv, destinations_csv
        Use these instead of the OSM place nodes / service tags.
    progress
        Progress callback.
    """
    if network is None:
        from transit.road.graph import build_graph
        from transit.road.travel import RoadNetwork

        report(progress, 0, 4, "building the road graph")
        network = RoadNetwork.from_graph(build_graph(osm_path))
    report(progress, 1, 4, "reading places and services")
    zones = read_zones_csv(zones_csv) if zones_csv is not None else zones_from_osm(osm_path)
    dests = read_destinations_csv(destinations_csv) if destinations_csv is not None else destinations_from_osm(osm_path)
    if not zones:
        msg = f"{osm_path}: no villages or towns (place nodes) found; give a zones CSV with --zones"
        raise InputError(msg)
    report(progress, 2, 4, "snapping and timing")
    region = DemandRegion.build(network, zones, dests)
    report(progress, 4, 4, f"{len(region.zones)} zones, {len(region.destinations)} destinations")
    return region
