"""Walking between doors and stops: defaults, detour factor, road-graph walks, limits."""

from __future__ import annotations

import numpy as np
import pytest

import linecase as lc
from transit.errors import InputError
from transit.road.points import drive_pairs, snap_to_arcs, straight_line_m
from transit.road.walking import WalkParams, parse_walk, walk_matrix


@pytest.fixture(scope="module")
def net():
    return lc.network()


def test_defaults_come_from_the_data_file():
    p = WalkParams()
    assert (p.speed_kmh, p.detour_factor, p.max_walk_m, p.method) == (4.5, 1.3, 600.0, "network")
    assert p.speed_ms == pytest.approx(1.25)
    assert p.time_s(900.0) == pytest.approx(720.0)


def test_detour_method_is_factor_times_straight_line():
    p = WalkParams(method="detour", max_walk_m=10_000)
    a = lc.near("A1")
    b = lc.near("A1", north_m=300, east_m=400)
    d = walk_matrix([a[0]], [a[1]], [b[0]], [b[1]], p)
    assert d[0, 0] == pytest.approx(1.3 * 500, rel=2e-3)
    assert walk_matrix([a[0]], [a[1]], [b[0]], [b[1]], WalkParams(method="detour", max_walk_m=600))[0, 0] == np.inf


def test_network_walk_follows_the_road_and_counts_the_way_to_it(net):
    p = WalkParams(max_walk_m=5000)
    door = lc.near("A2", north_m=100, east_m=300)  # 100 m north of the road, 300 m east of A2
    stop = lc.STOPS["A2"]
    d = walk_matrix([door[0]], [door[1]], [stop[0]], [stop[1]], p, network=net)
    assert d[0, 0] == pytest.approx(400, abs=2)  # 100 m to the road + 300 m along it
    straight = float(straight_line_m(door[0], door[1], stop[0], stop[1]))
    assert d[0, 0] > straight
    # two points on one long road segment are not routed via the segment's ends
    a, b = lc.near("A1", east_m=200), lc.near("A1", east_m=450)
    d2 = walk_matrix([a[0]], [a[1]], [b[0]], [b[1]], p, network=net)
    assert d2[0, 0] == pytest.approx(250, abs=1)


def test_network_walk_around_the_corner_and_limit(net):
    # from 300 m north of the hub (on the N-S road) to 300 m east of it (on the E-W road)
    a = lc.near("HUB", north_m=300)
    b = lc.near("HUB", east_m=300)
    d = walk_matrix([a[0]], [a[1]], [b[0]], [b[1]], WalkParams(max_walk_m=1000), network=net)
    assert d[0, 0] == pytest.approx(600, abs=2)
    assert walk_matrix([a[0]], [a[1]], [b[0]], [b[1]], WalkParams(max_walk_m=500), network=net)[0, 0] == np.inf


def test_walk_matrix_shape_and_many_points(net):
    rng = np.random.default_rng(0)
    lat = lc.LAT0 + rng.normal(0, 0.003, 500)
    lon = 11.55 + rng.normal(0, 0.02, 500)
    stops = np.array([lc.STOPS[s] for s in lc.LINE_A])
    d = walk_matrix(lat, lon, stops[:, 0], stops[:, 1], WalkParams(), network=net)
    assert d.shape == (500, 5)
    fin = np.isfinite(d)
    assert fin.any() and (~fin).any() and (d[fin] <= 600).all()
    s = straight_line_m(lat[:, None], lon[:, None], stops[None, :, 0], stops[None, :, 1])
    assert (d[fin] >= s[fin] - 1e-6).all()


def test_drive_between_points_on_the_same_road(net):
    a = snap_to_arcs(net, *map(np.array, zip(lc.near("A1", east_m=100))))
    b = snap_to_arcs(net, *map(np.array, zip(lc.near("A1", east_m=500))))
    t, m = drive_pairs(net, a, b)
    assert m[0] == pytest.approx(400, abs=1) and t[0] == pytest.approx(40, abs=0.2)


def test_from_mapping_names_bad_keys():
    p = parse_walk({"max_walk_m": 800, "method": "detour"}, source="s.toml", table="walk")
    assert p.max_walk_m == 800 and p.method == "detour"
    with pytest.raises(InputError, match=r"s.toml: walk: unknown key 'speed' \(did you mean 'speed_kmh'\?\)"):
        parse_walk({"speed": 4}, source="s.toml")
    with pytest.raises(InputError, match=r"walk.method: must be one of"):
        parse_walk({"method": "fly"}, source="s.toml")
    with pytest.raises(InputError, match=r"walk.speed_kmh: must be > 0"):
        parse_walk({"speed_kmh": 0}, source="s.toml")
    with pytest.raises(InputError, match="detour factor must be >= 1"):
        WalkParams(detour_factor=0.5)


# --------------------------------------------------------------------------- groups, footpaths
def test_group_walk_limits_come_from_the_data_file_and_limit_each_walker(net):
    p = WalkParams()
    assert p.limit_for("senior") == 400.0 and p.limit_for("pupil") == 1000.0
    assert p.limit_for("commuter") == p.limit_for("") == p.limit_for(None) == 600.0
    assert p.longest_m == 1000.0
    door = lc.near("A2", north_m=100, east_m=400)  # a 500 m walk to A2
    stop = lc.STOPS["A2"]
    lat = np.array([door[0]] * 3)
    lon = np.array([door[1]] * 3)
    d = walk_matrix(lat, lon, [stop[0]], [stop[1]], p, network=net, limits=p.limits(["senior", "commuter", "pupil"], 3))
    assert d[0, 0] == np.inf  # the elderly walk at most 400 m
    assert d[1, 0] == pytest.approx(500, abs=2) and d[2, 0] == pytest.approx(500, abs=2)
    with pytest.raises(ValueError, match="one per point"):
        walk_matrix(lat, lon, [stop[0]], [stop[1]], p, network=net, limits=np.ones(2))
    q = parse_walk({"max_walk_m_group": {"senior": 300}}, source="s.toml", table="walk")
    assert q.limit_for("senior") == 300 and q.limit_for("pupil") == q.max_walk_m  # the table replaces the defaults
    with pytest.raises(InputError) as info:
        parse_walk({"max_walk_m_group": 400}, source="s.toml", table="walk")
    assert info.value.column == "walk.max_walk_m_group"


def test_fixed_line_walk_limit_per_group(net):
    from transit.opmodels.base import DayContext
    from transit.opmodels.fixed_line import FixedLineModel
    from transit.sim.columns import TripLabel

    tt = lc.timetable(["08:00"], [])
    door = lc.near("A1", north_m=500)  # 500 m from the stop
    bookings = [lc.booking(r, door, lc.near("A4", north_m=50), "07:50") for r in ("old", "young")]
    labels = {"old": TripLabel("Dorf", "doctor", "senior"), "young": TripLabel("Dorf", "work", "commuter")}
    ctx = DayContext(network=net, service=None, labels=labels)
    trips = FixedLineModel("f", tt).run(bookings, ctx, seed=0, rng=np.random.default_rng(0)).trips.set_index("request_id")
    assert trips.loc["young", "status"] == "served"
    assert trips.loc["old", "status"] == "rejected"
    assert trips.loc["old", "reason"] == "no stop within 400 m of the pickup"
    assert trips.loc["old", "group"] == "senior"


def test_walks_use_footpaths_the_drive_graph_leaves_out(tmp_path):
    from osm_fixtures import _WAYS, write_block

    from transit.road.graph import build_graph, build_walk_graph
    from transit.road.osmfile import is_walkable
    from transit.road.travel import RoadNetwork

    ways = [*_WAYS,
            (200, [1, 5], {"highway": "footway"}),             # a short cut across the block
            (201, [3, 5], {"highway": "footway", "foot": "no"}),
            (202, [7, 5], {"highway": "motorway"})]
    osm = write_block(tmp_path / "block.osm", ways)
    drive = RoadNetwork.from_graph(build_graph(osm))
    walk = RoadNetwork.from_graph(build_walk_graph(osm))
    a = (51.6500, 11.5000)  # node 1
    b = (51.6545, 11.5072)  # node 5
    p = WalkParams(max_walk_m=900.0)
    on_roads = walk_matrix([a[0]], [a[1]], [b[0]], [b[1]], p, network=drive)[0, 0]
    on_paths = walk_matrix([a[0]], [a[1]], [b[0]], [b[1]], p, network=walk)[0, 0]
    straight = float(straight_line_m(a[0], a[1], b[0], b[1]))
    assert on_roads == np.inf  # 1 km round the block
    assert on_paths == pytest.approx(straight, rel=0.01)  # straight across on the footway
    assert not is_walkable({"highway": "footway", "foot": "no"})
    assert not is_walkable({"highway": "motorway"}) and not is_walkable({"highway": "primary", "motorroad": "yes"})
    assert is_walkable({"highway": "track"}) and is_walkable({"highway": "residential", "access": "no", "foot": "yes"})
    # from node 3 to 5 the foot=no path is not taken: the walk goes round by the roads
    c = (51.6500, 11.5144)
    assert walk_matrix([c[0]], [c[1]], [b[0]], [b[1]], WalkParams(max_walk_m=2000), network=walk)[0, 0] > 900
