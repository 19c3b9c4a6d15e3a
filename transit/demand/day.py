"""One day of generated demand for the region of an OSM file, ready to write.

The pipeline behind ``transit demand generate``: road graph (built or loaded),
zones and destinations (from OSM or CSV files), then the seeded generator.
"""

from __future__ import annotations

import os
from pathlib import Path

from transit.demand.generator import GeneratedDemand, generate_demand
from transit.demand.params import DemandParams
from transit.demand.region import DemandRegion, region_from_osm
from transit.errors import InputError
from transit.util.progress import Progress, stage

__all__ = ["demand_day"]


def demand_day(
    osm_file: str | os.PathLike[str],
    params: DemandParams,
    seed: int,
    *,
    network_file: str | os.PathLike[str] | None = None,
    zones_csv: str | os.PathLike[str] | None = None,
    destinations_csv: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> tuple[DemandRegion, GeneratedDemand]:
    """Generate a day of bookings for the region of an OSM file.

    Parameters
    ----------
    osm_file
        The OSM file of the region.
    params
        Demand parameters (trip rates, scale, service day, ...).
    seed
        Seed of the generator; the same seed gives the same day.
    network_file
        A GraphML road graph already built from ``osm_file`` (default: build it).
    zones_csv, destinations_csv
        Use these instead of the OSM place nodes and service tags.
    progress
        Progress: preparing the region, then generating the bookings.

    Raises
    ------
    InputError
        If the OSM file is missing or no booking could be generated.
    """
    if not Path(osm_file).is_file():
        msg = "file not found"
        raise InputError(msg, file=str(osm_file))
    net = None
    if network_file is not None:
        from transit.road.travel import RoadNetwork

        net = RoadNetwork.load(network_file)
    region = region_from_osm(
        osm_file, network=net, zones_csv=zones_csv, destinations_csv=destinations_csv,
        progress=stage(progress, 0.0, 0.5, "preparing region"),
    )
    demand = generate_demand(region, params, seed, progress=stage(progress, 0.5, 1.0, "generating bookings"))
    if not demand.bookings:
        msg = "no bookings generated (no reachable destinations, or --scale too small)"
        raise InputError(msg, column="--scale")
    return region, demand
