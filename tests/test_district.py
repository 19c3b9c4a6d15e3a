"""Tests of the synthetic district generator (transit.district)."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from transit.district import DISTRICT_FILE, build_district, load_spec
from transit.errors import OutputExistsError


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A district built with the default spec and seed."""
    return build_district(tmp_path_factory.mktemp("d") / "default")


@pytest.fixture(scope="module")
def graph(district: Path) -> nx.MultiDiGraph:
    """The district's road graph, through the normal network path."""
    from transit.road.graph import build_graph

    return build_graph(district / DISTRICT_FILE)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_builds_through_network_path_and_is_strongly_connected(district: Path, graph: nx.MultiDiGraph) -> None:
    assert graph.number_of_nodes() > 100
    assert nx.is_strongly_connected(graph)
    assert graph.graph["nodes_dropped"] == 0
    highways = set()
    for _u, _v, d in graph.edges(data=True):
        hw = d["highway"]
        highways.update(hw if isinstance(hw, list) else [hw])
        assert d["travel_time"] > 0
    assert {"primary", "tertiary", "residential", "living_street"} <= highways


def test_promised_places_and_services(district: Path) -> None:
    from transit.road.osmdata import read_features, read_places

    spec = load_spec()
    places = read_places(district / DISTRICT_FILE)
    towns = places[places.place == "town"].sort_values("population", ascending=False)
    villages = places[places.place == "village"]
    assert len(towns) == 1 + spec["basic_centres"]["count"]
    assert 14_000 <= towns.population.iloc[0] <= 16_000
    assert ((towns.population.iloc[1:] >= 2000) & (towns.population.iloc[1:] <= 5000)).all()
    assert 20 <= len(villages) <= 40
    assert ((villages.population >= 100) & (villages.population <= 1500)).all()
    assert places.population.notna().all()
    # about 25 x 25 km
    ext_ns = (places.lat.max() - places.lat.min()) * 111.2
    ext_ew = (places.lon.max() - places.lon.min()) * 111.2 * np.cos(np.radians(places.lat.mean()))
    assert 15 < ext_ns < 26 and 15 < ext_ew < 26

    feats = read_features(district / DISTRICT_FILE)
    tags = feats.tags.tolist()

    def count(**kv: str) -> int:
        return sum(all(t.get(k) == v for k, v in kv.items()) for t in tags)

    assert count(railway="station") == 1
    assert count(office="government", government="social_welfare") == 1
    assert count(amenity="hospital") == 1
    assert count(amenity="townhall") == 1 + spec["basic_centres"]["count"]
    assert count(amenity="doctors") >= 6 + 2 * spec["basic_centres"]["count"]
    assert count(amenity="pharmacy") >= 4 and count(shop="supermarket") >= 5
    assert count(amenity="school") >= 4 and count(amenity="cinema") == 1
    jobcenter = [t for t in tags if t.get("name", "").startswith("Jobcenter")]
    assert len(jobcenter) == 1
    # integration and language courses, and schools by level for the pupils' catchments
    from transit.demand.destinations import classify

    cats = [classify(t) for t in tags]
    assert cats.count("course") == 1
    assert cats.count("primary_school") == 1 + spec["basic_centres"]["count"] + 1  # two in the centre
    assert cats.count("secondary_school") == 2


def test_towns_have_footpaths_that_only_walkers_use(district: Path, graph: nx.MultiDiGraph) -> None:
    from transit.road.graph import build_walk_graph

    walk = build_walk_graph(district / DISTRICT_FILE)
    kinds = {d["highway"] if isinstance(d["highway"], str) else d["highway"][0] for _, _, d in walk.edges(data=True)}
    assert "footway" in kinds
    drive = {d["highway"] if isinstance(d["highway"], str) else d["highway"][0] for _, _, d in graph.edges(data=True)}
    assert "footway" not in drive
    # every way is walkable both ways
    assert all(walk.has_edge(v, u) for u, v in walk.edges())


def test_gtfs_feed(district: Path, graph: nx.MultiDiGraph) -> None:
    from transit.util.timeparse import parse_clock

    g = district / "gtfs"
    for name in ("agency", "stops", "routes", "trips", "stop_times", "calendar"):
        assert (g / f"{name}.txt").is_file()
    routes = _read(g / "routes.txt")
    # four radial lines, a town line and school lines (school days only) to the other villages
    names = [r["route_long_name"] for r in routes]
    assert sum("Schulbus" not in n and "Stadtlinie" not in n for n in names) == 4
    assert sum("Stadtlinie" in n for n in names) == 1
    assert sum("Schulbus" in n for n in names) >= 4
    stops = _read(g / "stops.txt")
    # stops as a real network has them: the centre is covered by many stops, every place has one
    spec = load_spec()
    assert sum(s["stop_name"].startswith(spec["centre"]["name"] + ",") for s in stops) >= 12
    from transit.road.osmdata import read_places

    places = set(read_places(district / DISTRICT_FILE).name)
    with_stop = {s["stop_name"].split(",")[0] for s in stops}
    assert len(places - with_stop) <= 2
    import shapely
    from shapely.geometry import LineString

    kx = 111_195.0 * np.cos(np.radians(51.6))
    lines = []
    for u, v, d in graph.edges(data=True):
        pts = list(d["geometry"].coords) if "geometry" in d else [
            (graph.nodes[u]["x"], graph.nodes[u]["y"]), (graph.nodes[v]["x"], graph.nodes[v]["y"])
        ]
        lines.append(LineString([(x * kx, y * 111_195.0) for x, y in pts]))
    tree = shapely.STRtree(lines)
    for st in stops:
        pt = shapely.Point(float(st["stop_lon"]) * kx, float(st["stop_lat"]) * 111_195.0)
        nearest = lines[int(tree.nearest(pt))]
        assert nearest.distance(pt) < 5.0, st  # stops lie on the roads
    trips = {t["trip_id"]: t for t in _read(g / "trips.txt")}
    services = {t["service_id"] for t in trips.values()}
    assert {"WD", "SCHOOL"} <= services
    times: dict[str, list[float]] = {}
    for st in _read(g / "stop_times.txt"):
        times.setdefault(st["trip_id"], []).append(parse_clock(st["departure_time"]))
    assert set(times) == set(trips)
    for tt in times.values():
        assert tt == sorted(tt) and tt[-1] > tt[0]
    # weekday headways of 1-2 hours on every line that runs on weekdays, outbound; school lines
    # run on school days only
    for r in routes:
        deps = sorted(
            times[tid][0]
            for tid, t in trips.items()
            if t["route_id"] == r["route_id"] and t["service_id"] == "WD" and t["direction_id"] == "0"
        )
        if "Schulbus" in r["route_long_name"]:
            assert deps == []
            assert {t["service_id"] for t in trips.values() if t["route_id"] == r["route_id"]} == {"SCHOOL"}
            continue
        gaps = np.diff(deps) / 60
        assert len(deps) >= 5 and gaps.min() >= 60 and gaps.max() <= 120


def test_same_seed_same_bytes_other_seed_differs(district: Path, tmp_path: Path) -> None:
    again = build_district(tmp_path / "again")
    for f in sorted(p.relative_to(district) for p in district.rglob("*") if p.is_file()):
        assert (again / f).read_bytes() == (district / f).read_bytes(), f
    other = build_district(tmp_path / "other", seed=7)
    assert (other / DISTRICT_FILE).read_bytes() != (district / DISTRICT_FILE).read_bytes()


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "x"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(OutputExistsError):
        build_district(out)
    assert (out / "keep.txt").read_text() == "mine"


def test_force_rebuild_keeps_files_it_does_not_make(tmp_path: Path) -> None:
    out = build_district(tmp_path / "inst")
    (out / "scenario.toml").write_text("[scenario]\n")
    (out / "README.md").write_text("edited")
    build_district(out, force=True)
    assert (out / "scenario.toml").read_text() == "[scenario]\n"
    assert (out / "README.md").read_text() != "edited"
