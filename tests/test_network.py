"""Road graphs from OSM files: filtering, speeds, components, bad input, the CLI."""

from __future__ import annotations

import gzip
import math

import networkx as nx
import osmnx as ox
import pytest
from typer.testing import CliRunner

from cli import app
from osm_fixtures import write_block
from transit.errors import NetworkError
from transit.road.graph import build_graph, load_graph, save_graph, summarize

runner = CliRunner()


@pytest.fixture()
def block_file(tmp_path):
    return write_block(tmp_path / "block.osm")


def _ways_of(G):
    out = set()
    for _, _, d in G.edges(data=True):
        osmid = d["osmid"]
        out.update(osmid if isinstance(osmid, list) else [osmid])
    return out


def test_block_keeps_only_drivable_roads(block_file):
    G = build_graph(block_file)
    ways = _ways_of(G)
    assert {100, 101, 102, 103, 104, 105, 106} <= ways
    # track, private road and service road are gone, and so are the nodes
    # only they reach
    assert not ways & {107, 108, 109}
    assert 10 not in G and 11 not in G
    assert nx.is_strongly_connected(G)


def test_block_speeds_and_travel_times(block_file):
    G = build_graph(block_file)
    for _, _, d in G.edges(data=True):
        assert d["length"] > 0
        assert d["travel_time"] > 0
        # travel time is length / speed, within the millisecond rounding
        assert d["travel_time"] == pytest.approx(3.6 * d["length"] / d["speed_kph"], abs=2e-3)
        assert d["speed_kph"] <= 80.0
    # the living street is driven at walking pace (7 km/h)
    living = [d for _, _, d in G.edges(data=True) if d["osmid"] == 104]
    assert living and all(d["speed_kph"] == pytest.approx(7.0) for d in living)
    # the one-way street 2 -> 5 has no reverse edge
    assert G.has_edge(2, 5) and not G.has_edge(5, 2)


def test_merged_edge_sums_segment_times(block_file):
    """1 is a degree-2 corner: 2->1 (primary, DE:rural) and 1->4 (residential, DE:urban) merge."""
    G = build_graph(block_file)
    d = G.get_edge_data(2, 4)[0]
    lengths = (d["length"] / 2, d["length"] / 2)  # both legs are ~500 m
    expected = lengths[0] / (80 / 3.6) + lengths[1] / (50 / 3.6)
    assert d["travel_time"] == pytest.approx(expected, rel=0.01)


def test_speed_cap_option(block_file):
    G = build_graph(block_file, speed_cap_kmh=40)
    assert max(d["speed_kph"] for _, _, d in G.edges(data=True)) <= 40.0 + 1e-9


def test_largest_strongly_connected_component_is_kept(tmp_path):
    """A one-way dead end (6 -> 10) can be entered but not left: it is dropped."""
    from osm_fixtures import _WAYS

    ways = [w for w in _WAYS if w[0] != 107] + [(107, [6, 10], {"highway": "residential", "oneway": "yes"})]
    G = build_graph(write_block(tmp_path / "x.osm", ways))
    assert nx.is_strongly_connected(G)
    assert 10 not in G
    assert G.graph["components_dropped"] == 1
    assert G.graph["nodes_dropped"] == 1


def test_graphml_round_trip_reads_with_osmnx(block_file, tmp_path):
    G = build_graph(block_file)
    out = tmp_path / "g.graphml"
    save_graph(G, out)
    H = ox.load_graphml(out)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert all("travel_time" in d and "length" in d for _, _, d in H.edges(data=True))
    assert load_graph(out).number_of_edges() == G.number_of_edges()


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: p / "missing.osm", "not found"),
        (lambda p: (p / "notes.txt").write_text("hello") and p / "notes.txt", "not an OSM file name"),
        (lambda p: (p / "garbage.osm").write_text("this is not xml") and p / "garbage.osm", "not a readable OSM file"),
        (lambda p: (p / "bin.osm.pbf").write_bytes(b"\x00\x01\x02garbage" * 50) and p / "bin.osm.pbf", "not a readable OSM file"),
        (lambda p: write_block(p / "paths.osm", [(1, [1, 2, 3], {"highway": "footway"})]), "no drivable roads"),
        (lambda p: (p / "empty.osm").write_text('<?xml version="1.0"?><osm version="0.6"></osm>') and p / "empty.osm", "no drivable roads"),
    ],
)
def test_bad_input_raises_network_error(tmp_path, make, match):
    path = make(tmp_path)
    with pytest.raises(NetworkError, match=match):
        build_graph(path)


def test_bad_graphml(tmp_path):
    with pytest.raises(NetworkError, match="not found"):
        load_graph(tmp_path / "nope.graphml")
    bad = tmp_path / "bad.graphml"
    bad.write_text("<graphml>nonsense")
    with pytest.raises(NetworkError, match="GraphML"):
        load_graph(bad)


def test_exactly_one_source():
    with pytest.raises(NetworkError, match="exactly one"):
        build_graph()
    with pytest.raises(NetworkError, match="bounding box"):
        build_graph(bbox=(52.0, 11.0, 51.0, 12.0))


def test_cli_build_and_info(block_file, tmp_path):
    out = tmp_path / "out" / "g.graphml"
    result = runner.invoke(app, ["network", "build", str(block_file), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert "nodes: 5" in result.output
    assert "villages: 1: Testdorf" in result.output
    assert "OpenStreetMap contributors" in result.output
    info = runner.invoke(app, ["network", "info", str(out)])
    assert info.exit_code == 0 and "edges: 15" in info.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.osm"], "file not found"),
        (["notes.txt"], "not an OSM file name"),
        (["garbage.osm"], "not a readable OSM file"),
        (["paths.osm"], "no drivable roads"),
        ([], "exactly one"),
        (["--bbox", "1,2,3"], "four numbers"),
        (["block.osm", "--speed-cap", "-5"], "--speed-cap"),
    ],
)
def test_cli_bad_input_exit_2_without_traceback(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "garbage.osm").write_text("this is not xml")
    write_block(tmp_path / "paths.osm", [(1, [1, 2, 3], {"highway": "footway"})])
    write_block(tmp_path / "block.osm")
    result = runner.invoke(app, ["network", "build", *args, "--out", "g.graphml"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "g.graphml").exists()


def test_cli_place_without_network_is_a_clear_error(tmp_path, monkeypatch):
    """Offline, resolving a place fails with one line and exit code 2."""
    import transit.road.graph as network

    def refuse(*args, **kwargs):
        raise ConnectionError("Failed to resolve 'nominatim.openstreetmap.org'")

    monkeypatch.setattr(network.ox, "graph_from_place", refuse)
    result = runner.invoke(
        app, ["network", "build", "--place", "Hettstedt, Germany", "--out", str(tmp_path / "g.graphml"), "--cache-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "Hettstedt" in result.output and "no network" in result.output


def test_unresolvable_place_is_a_clear_error(monkeypatch):
    import transit.road.graph as network

    def nothing(*args, **kwargs):
        raise ValueError("Nominatim could not geocode query 'Nowhere123'")

    monkeypatch.setattr(network.ox, "graph_from_place", nothing)
    with pytest.raises(NetworkError, match="could not be resolved"):
        build_graph(place="Nowhere123")


def test_gzip_xml_source(tmp_path, block_file):
    gz = tmp_path / "block.osm.gz"
    gz.write_bytes(gzip.compress(block_file.read_bytes()))
    assert build_graph(gz).number_of_nodes() == build_graph(block_file).number_of_nodes()


# --------------------------------------------------------------- real data
# SOURCE.md figures (osmnx drive rules, largest SCC): north-bayreuth 622 nodes,
# ~349 km of directed edges; Liechtenstein 1,836 nodes, ~689 km. Our allow-list is
# slightly stricter than osmnx's deny-list, so allow a few percent less.
REAL = [
    ("north-bayreuth.osm.gz", 622, 349.0, (49.968, 11.468, 50.060, 11.610)),
    ("liechtenstein-latest.osm.pbf", 1836, 689.0, (47.052, 9.477, 47.255, 9.612)),
]


@pytest.fixture(scope="module")
def real_graphs(shared_dir):
    return {name: build_graph(shared_dir / "data" / "osm" / name) for name, *_ in REAL}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "scc_nodes", "directed_km", "bbox"), REAL)
def test_real_extract_sizes(real_graphs, name, scc_nodes, directed_km, bbox):
    G = real_graphs[name]
    s = summarize(G)
    assert 0.95 * scc_nodes <= s.nodes <= scc_nodes
    assert 0.95 * directed_km <= s.directed_km <= directed_km * 1.01
    assert nx.is_strongly_connected(G)
    south, west, north, east = bbox
    assert s.bbox[0] == pytest.approx(south, abs=0.01) and s.bbox[2] == pytest.approx(north, abs=0.01)
    assert s.bbox[1] == pytest.approx(west, abs=0.01) and s.bbox[3] == pytest.approx(east, abs=0.01)
    speeds = [d["speed_kph"] for _, _, d in G.edges(data=True)]
    assert min(speeds) >= 4 and max(speeds) <= 80.0 + 1e-9
    assert all(math.isfinite(d["travel_time"]) and d["travel_time"] > 0 for _, _, d in G.edges(data=True))


@pytest.mark.slow
def test_real_villages_within_sane_travel_time(real_graphs, shared_dir):
    """Neudrossenfeld to Harsdorf: ~6 km apart; by road 5-15 minutes."""
    from transit.road.osmdata import read_places

    G = real_graphs["north-bayreuth.osm.gz"]
    places = read_places(shared_dir / "data" / "osm" / "north-bayreuth.osm.gz").set_index("name")
    ids = {}
    for name in ("Neudrossenfeld", "Harsdorf"):
        lat, lon = places.loc[name, ["lat", "lon"]]
        ids[name] = min(G.nodes, key=lambda n: (G.nodes[n]["y"] - lat) ** 2 + ((G.nodes[n]["x"] - lon) * 0.64) ** 2)
    t = nx.shortest_path_length(G, ids["Neudrossenfeld"], ids["Harsdorf"], weight="travel_time")
    assert 5 * 60 <= t <= 15 * 60
    # and every village is reachable from Neudrossenfeld within 20 minutes (SOURCE.md: max 11.2 min)
    lengths = nx.single_source_dijkstra_path_length(G, ids["Neudrossenfeld"], weight="travel_time")
    assert max(lengths.values()) < 20 * 60


@pytest.mark.slow
@pytest.mark.parametrize("name", [r[0] for r in REAL])
def test_real_extract_through_cli(shared_dir, tmp_path, name):
    out = tmp_path / "g.graphml"
    result = runner.invoke(app, ["network", "build", str(shared_dir / "data" / "osm" / name), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "villages:" in result.output
    G = ox.load_graphml(out)
    assert nx.is_strongly_connected(G)


def test_synthetic_district_needs_no_osm_attribution(repo_dir, tmp_path):
    """The bundled district is made by the project: it holds no OSM data."""
    G = build_graph(repo_dir / "instances" / "default" / "district.osm.gz")
    assert "synthetic" in G.graph["attribution"]
    save_graph(G, tmp_path / "d.graphml")
    assert "synthetic" in summarize(load_graph(tmp_path / "d.graphml")).lines()[-1]


def test_real_osm_keeps_attribution(block_file):
    assert summarize(build_graph(block_file)).lines()[-1] == "map data: © OpenStreetMap contributors (ODbL)"
