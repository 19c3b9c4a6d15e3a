"""How many residents live within walking reach of a stop: the catchment of a stop network.

A fixed line (or a Rufbus, or a between-stops on-demand service) can only
serve people who can walk to one of its stops. :func:`stop_catchment`
estimates, per village and town, how many residents live within the walk
limit of a stop: homes are sampled the way the demand generator places them
(normally spread around the place's centre, moved to the nearest road:
:func:`transit.demand.generator.home_spread_m`), walks are measured on the
walk graph (roads and footways) when one is given, and each population
group has its own walk limit (:meth:`transit.road.walking.WalkParams.limit_for`:
the elderly walk less). :func:`model_catchment` does the same for the stops of
an operating model. The result explains a fixed line's share of requests
served: a booking whose door lies outside the catchment cannot be served.

The same inputs and ``seed`` give the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from transit.demand.generator import home_spread_m, zone_group_shares
from transit.demand.params import DemandParams
from transit.road.walking import WalkParams, walk_matrix
from transit.util.geo import offset_deg

if TYPE_CHECKING:
    from transit.demand.region import DemandRegion
    from transit.road.travel import RoadNetwork

__all__ = ["CATCHMENT_COLUMNS", "model_catchment", "residents_within", "stop_catchment"]

#: Columns of :func:`stop_catchment`'s table.
CATCHMENT_COLUMNS = ("zone", "place", "population", "residents_within", "share_within", "median_walk_m")


def stop_catchment(
    region: DemandRegion,
    stop_lat: Sequence[float] | np.ndarray,
    stop_lon: Sequence[float] | np.ndarray,
    walk: WalkParams | None = None,
    *,
    walk_network: RoadNetwork | None = None,
    params: DemandParams | None = None,
    samples: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Return per zone the residents within walking reach of a stop.

    Parameters
    ----------
    region
        The demand region (zones, road network, nearest-node lookup).
    stop_lat, stop_lon
        The stops, degrees.
    walk
        Walking parameters (speed, method, limit and the limits of the
        population groups); default :class:`WalkParams`.
    walk_network
        The walk graph (:func:`transit.road.graph.build_walk_graph`); default
        the region's road network.
    params
        Demand parameters: group shares and how homes spread around a
        place's centre; default :meth:`DemandParams.default`.
    samples
        Sampled homes per zone.
    seed
        Seed of the sampling.

    Returns
    -------
    pandas.DataFrame
        :data:`CATCHMENT_COLUMNS`: ``residents_within`` = population x the
        group-weighted share of sampled homes within the group's walk limit
        of a stop; ``median_walk_m`` = median walk to the nearest stop of the
        sampled homes (``inf`` when more than half lie beyond every limit).
    """
    walk = walk if walk is not None else WalkParams()
    params = params if params is not None else DemandParams.default()
    slat = np.asarray(stop_lat, dtype=float)
    slon = np.asarray(stop_lon, dtype=float)
    rng = np.random.default_rng(seed)
    net = region.network
    rows: list[dict[str, Any]] = []
    for z in region.zones:
        spread = home_spread_m(params, z.place, z.population)
        dx, dy = rng.normal(0.0, spread, size=(2, samples))
        lat, lon = offset_deg(z.lat, z.lon, dx, dy)
        nodes, _ = region.locator.nearest(np.asarray(lat), np.asarray(lon))
        hlat, hlon = net.lat[nodes], net.lon[nodes]
        if len(slat):
            limits = np.full(samples, walk.longest_m)
            dist = walk_matrix(hlat, hlon, slat, slon, walk, network=walk_network or net, limits=limits).min(axis=1)
        else:
            dist = np.full(samples, np.inf)
        shares = zone_group_shares(z, params)
        total = sum(shares.values()) or 1.0
        within = sum(s / total * float(np.mean(dist <= walk.limit_for(g))) for g, s in shares.items())
        rows.append(
            {
                "zone": z.name,
                "place": z.place,
                "population": float(z.population),
                "residents_within": float(z.population) * within,
                "share_within": within,
                "median_walk_m": float(np.median(dist)),
            }
        )
    return pd.DataFrame(rows, columns=list(CATCHMENT_COLUMNS))


def residents_within(table: pd.DataFrame) -> tuple[float, float]:
    """Return (residents within reach of a stop, their share of all residents) of a catchment table."""
    pop = float(table["population"].sum())
    inside = float(table["residents_within"].sum())
    return inside, (inside / pop if pop > 0 else float("nan"))


def model_catchment(
    model: Any,
    region: DemandRegion,
    *,
    walk_network: RoadNetwork | None = None,
    params: DemandParams | None = None,
    samples: int = 200,
    seed: int = 0,
) -> pd.DataFrame | None:
    """Return :func:`stop_catchment` of an operating model's stops, or None if it has none.

    Timetabled models (fixed line, Rufbus, AST) use their timetable's stops
    and walking rules; a hybrid its trunk line's. Door-to-door services have
    no stops (None).
    """
    lines = getattr(model, "lines", None)
    rules = getattr(model, "rules", None)
    if lines is None and getattr(model, "trunk", None) is not None:
        lines = model.trunk
        rules = model.options.line
    if lines is None or rules is None:
        return None
    return stop_catchment(
        region, lines.stop_lat, lines.stop_lon, rules.walk,
        walk_network=walk_network, params=params, samples=samples, seed=seed,
    )
