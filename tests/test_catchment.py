"""Residents within walking reach of a stop (transit.evaluate.catchment) on the default district."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from transit.demand import DemandParams, region_from_osm
from transit.evaluate.catchment import CATCHMENT_COLUMNS, model_catchment, residents_within, stop_catchment
from transit.road.graph import build_walk_graph
from transit.road.travel import RoadNetwork
from transit.road.walking import WalkParams
from transit.timetable.gtfs import read_gtfs
from transit.timetable.lines import timetable_from_gtfs
from transit.util.instances import instance_dir, instance_osm


@pytest.fixture(scope="module")
def region():
    return region_from_osm(instance_osm("default"))


@pytest.fixture(scope="module")
def walk_net():
    return RoadNetwork.from_graph(build_walk_graph(instance_osm("default")))


@pytest.fixture(scope="module")
def lines():
    return timetable_from_gtfs(read_gtfs(instance_dir("default") / "gtfs"))


def test_the_stops_cover_the_towns(region, walk_net, lines) -> None:
    table = stop_catchment(region, lines.stop_lat, lines.stop_lon, walk_network=walk_net, samples=150)
    assert list(table.columns) == list(CATCHMENT_COLUMNS)
    assert len(table) == len(region.zones)
    assert ((table.share_within >= 0) & (table.share_within <= 1)).all()
    assert np.allclose(table.residents_within, table.population * table.share_within)
    inside, share = residents_within(table)
    assert share > 0.85 and inside == pytest.approx(table.residents_within.sum())
    # the towns get stops that cover them (issue 12: the centre of 14,350 residents had 2 stops)
    towns = table[table.place == "town"]
    assert (towns.share_within > 0.7).all()
    assert towns.share_within.iloc[0] > 0.95
    # same inputs and seed, same table
    again = stop_catchment(region, lines.stop_lat, lines.stop_lon, walk_network=walk_net, samples=150)
    assert again.equals(table)


def test_catchment_follows_walk_limits_groups_and_stops(region, walk_net, lines) -> None:
    args = (region, lines.stop_lat, lines.stop_lon)
    wide = stop_catchment(*args, WalkParams(max_walk_m=1000, max_walk_m_group=()), walk_network=walk_net, samples=100)
    narrow = stop_catchment(*args, WalkParams(max_walk_m=300, max_walk_m_group=()), walk_network=walk_net, samples=100)
    assert (wide.share_within >= narrow.share_within - 1e-12).all()
    assert residents_within(wide)[0] > residents_within(narrow)[0]
    # a place of only elderly (400 m) is covered less than the same place of only commuters (600 m)
    p = DemandParams.default()
    only = {
        g: p.replace(groups=tuple(dataclasses.replace(x, share=float(x.name == g)) for x in p.groups))
        for g in ("senior", "commuter")
    }
    old = stop_catchment(*args, walk_network=walk_net, params=only["senior"], samples=100)
    young = stop_catchment(*args, walk_network=walk_net, params=only["commuter"], samples=100)
    assert residents_within(old)[0] < residents_within(young)[0]
    # no stops: nobody within reach
    none = stop_catchment(region, [], [], walk_network=walk_net, samples=20)
    assert (none.residents_within == 0).all()
    # footpaths bring people nearer to their stops than the roads alone
    roads = stop_catchment(*args, walk_network=None, samples=100)
    paths = stop_catchment(*args, walk_network=walk_net, samples=100)
    assert residents_within(paths)[0] >= residents_within(roads)[0]


def test_model_catchment_of_line_models_and_none_for_door_to_door(region, walk_net, lines) -> None:
    from transit.opmodels.fixed_line import FixedLineModel
    from transit.opmodels.ondemand import OnDemandModel
    from transit.darp.fleet import VehicleSpec, fleet_from_specs

    table = model_catchment(FixedLineModel("f", lines), region, walk_network=walk_net, samples=50)
    assert table is not None and residents_within(table)[1] > 0.8
    fleet = fleet_from_specs([VehicleSpec(id="v", depot_lat=51.59, depot_lon=11.51, seats=8,
                                          shift_start=6 * 3600.0, shift_end=20 * 3600.0)])
    assert model_catchment(OnDemandModel("d", fleet), region) is None
