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
