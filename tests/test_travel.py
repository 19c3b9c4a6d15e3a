"""RoadNetwork: snapping, matrices against networkx, paths."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from osm_fixtures import write_block
from transit.errors import InputError, SnapError
from transit.road.graph import build_graph
from transit.road.travel import RoadNetwork


@pytest.fixture(scope="module")
def block(tmp_path_factory):
    G = build_graph(write_block(tmp_path_factory.mktemp("osm") / "block.osm"))
    return G, RoadNetwork.from_graph(G)


def test_nodes_sorted_and_coordinates(block):
    G, net = block
    assert list(net.osm_ids) == sorted(G.nodes)
    i = net.node_index(5)
    assert net.lat[i] == pytest.approx(51.6545) and net.lon[i] == pytest.approx(11.5072)


def test_snap_on_a_road_and_the_nearer_end(block):
    _, net = block
    # a point 40 m north of the living street 4-5, a quarter of the way from 4 to 5
    lat = 51.6545 + 40 / 111_200
    lon = 11.5000 + 0.25 * 0.0072
    s = net.snap([lat], [lon])
    assert s.distance_m[0] == pytest.approx(40, abs=2)
    assert net.osm_ids[s.node[0]] == 4
    assert s.node_offset_m[0] == pytest.approx(0.25 * 497, rel=0.05)


def test_snap_too_far_names_the_point(block):
    _, net = block
    with pytest.raises(SnapError, match=r"booking 'b2'.*from the nearest road \(limit 500 m\)"):
        net.snap([51.6545, 51.70], [11.5072, 11.5072], labels=["booking 'b1'", "booking 'b2'"])
    # without the limit, the distance is reported
    s = net.snap_distances([51.70], [11.5072])
    assert s.distance_m[0] > 4000


def test_snap_invalid_coordinates(block):
    _, net = block
    with pytest.raises(InputError, match="invalid coordinates"):
        net.snap([95.0], [11.5])
    with pytest.raises(InputError, match="invalid coordinates"):
        net.snap([float("nan")], [11.5])


def test_matrix_matches_networkx_on_block(block):
    G, net = block
    nodes = np.arange(net.n_nodes)
    t, d = net.matrix(nodes)
    for i, u in enumerate(net.osm_ids):
        lengths = nx.single_source_dijkstra_path_length(G, int(u), weight="travel_time")
        for j, v in enumerate(net.osm_ids):
            assert t[i, j] == pytest.approx(lengths[int(v)], abs=1e-3)
    assert np.all(np.diag(t) == 0) and np.all(np.diag(d) == 0)
    # the one-way street makes the matrix asymmetric
    i2, i5 = net.node_index(2), net.node_index(5)
    assert t[i2, i5] < t[i5, i2]


def test_matrix_rejects_bad_indices(block):
    _, net = block
    with pytest.raises(ValueError, match="node indices"):
        net.matrix([0, net.n_nodes])


def test_path_follows_fastest_route(block):
    G, net = block
    s, t = net.node_index(2), net.node_index(8)
    path = net.path(s, t)
    expected = nx.shortest_path(G, 2, 8, weight="travel_time")
    assert [int(net.osm_ids[i]) for i in path] == expected
    tt, dd = net.matrix([s], [t])
    total = sum(min(d["travel_time"] for d in G.get_edge_data(int(net.osm_ids[a]), int(net.osm_ids[b])).values()) for a, b in zip(path[:-1], path[1:]))
    assert tt[0, 0] == pytest.approx(total, abs=1e-3)
    coords = net.path_coords(s, t)
    assert coords.shape[1] == 2 and len(coords) >= len(path)
    assert coords[0] == pytest.approx([net.lat[s], net.lon[s]])
    assert coords[-1] == pytest.approx([net.lat[t], net.lon[t]])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["north-bayreuth.osm.gz", "liechtenstein-latest.osm.pbf"])
def test_matrix_matches_networkx_on_real_data(shared_dir, name):
    G = build_graph(shared_dir / "data" / "osm" / name)
    net = RoadNetwork.from_graph(G)
    rng = np.random.default_rng(7)
    pts = rng.choice(net.n_nodes, size=40, replace=False)
    t, d = net.matrix(pts)
    H = nx.DiGraph()
    for u, v, data in G.edges(data=True):
        w = (round(data["travel_time"] * 1000), data["length"])
        if not H.has_edge(u, v) or w < H[u][v]["w"]:
            H.add_edge(u, v, w=w, t=w[0], length=w[1])
    for i, s in enumerate(pts):
        dist = nx.single_source_dijkstra_path_length(H, int(net.osm_ids[s]), weight="t")
        for j, q in enumerate(pts):
            assert t[i, j] * 1000 == pytest.approx(dist[int(net.osm_ids[q])], abs=1e-6)
    # distances are lengths of real paths: at least the straight line, at most a detour
    assert np.all(d[~np.eye(len(pts), dtype=bool)] > 0)
    for i, j in [(0, 1), (2, 3), (5, 9)]:
        path = net.path(pts[i], pts[j])
        length = sum(net.length_m[net._arc_of[(a, b)]] for a, b in zip(path[:-1], path[1:]))
        time_ms = sum(net.time_ms[net._arc_of[(a, b)]] for a, b in zip(path[:-1], path[1:]))
        assert time_ms == pytest.approx(t[i, j] * 1000, abs=1e-6)
        # the matrix distance is the shortest among fastest paths
        assert d[i, j] <= length + 1e-6
