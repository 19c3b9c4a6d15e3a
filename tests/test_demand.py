"""Tests of the demand generator on the bundled default district (fast)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from transit.demand.bookings import read_bookings, read_bookings_file, write_bookings
from transit.demand import (
    DemandParams,
    DemandRegion,
    classify,
    generate_bookings,
    generate_demand,
    gravity_probabilities,
    read_destinations_csv,
    read_zones_csv,
    region_from_osm,
)
from transit.errors import InputErrors
from transit.util.instances import instance_osm


@pytest.fixture(scope="module")
def region() -> DemandRegion:
    """The default district as a demand region."""
    return region_from_osm(instance_osm("default"))


@pytest.fixture(scope="module")
def params() -> DemandParams:
    """The documented default parameters."""
    return DemandParams.default()


def test_round_trip_generator_file_reader(region: DemandRegion, params: DemandParams, tmp_path: Path) -> None:
    bookings = generate_bookings(region, params, np.random.default_rng(3))
    assert len(bookings) > 50
    out = tmp_path / "b.csv"
    write_bookings(bookings, out, service_date=params.service_date)
    back = read_bookings_file(out, network=None)
    assert list(back.bookings) == bookings
    assert back.service_date == params.service_date


def test_same_seed_same_file_other_seed_differs(region: DemandRegion, params: DemandParams, tmp_path: Path) -> None:
    files = []
    for i, seed in enumerate((11, 11, 12)):
        out = tmp_path / f"{i}.csv"
        write_bookings(generate_bookings(region, params, seed), out, service_date=params.service_date)
        files.append(out.read_bytes())
    assert files[0] == files[1]
    assert files[0] != files[2]


def test_bookings_are_valid_and_plausible(region: DemandRegion, params: DemandParams) -> None:
    demand = generate_demand(region, params.replace(scale=10), 5)
    b = demand.bookings
    assert len(b) > 1000
    assert len({x.request_id for x in b}) == len(b)
    times = np.array([x.time for x in b])
    assert (times >= 0).all() and (times < 86_400).all()
    assert all(x.booked_at is not None and x.booked_at <= x.time for x in b)
    assert all((x.pickup_lat, x.pickup_lon) != (x.dropoff_lat, x.dropoff_lon) for x in b)
    # group size close to the documented ~1.15 passengers per booking (MSH_mobil)
    assert 1.08 < np.mean([x.passengers for x in b]) < 1.22
    assert 0 < sum(x.wheelchair for x in b) < 0.06 * len(b)
    # pre-booked the day before, short-notice and immediate bookings all occur
    lead = np.array([x.time - x.booked_at for x in b if x.booked_at is not None])
    assert (np.array([x.booked_at for x in b]) < 0).mean() > 0.2
    assert (lead <= 20 * 60).mean() > 0.05
    # every purpose with destinations in the district occurs; returns follow outbound trips
    purposes = {t.purpose for t in demand.trips}
    assert purposes == {p.name for p in params.purposes}
    assert 0.6 < sum(t.leg == "return" for t in demand.trips) / sum(t.leg == "outbound" for t in demand.trips) < 1.0
    # points lie on the road network (snapped to nodes)
    net = region.network
    node_xy = {(round(float(a), 7), round(float(o), 7)) for a, o in zip(net.lat, net.lon)}
    assert all((x.pickup_lat, x.pickup_lon) in node_xy and (x.dropoff_lat, x.dropoff_lon) in node_xy for x in b)
    # destinations of services are the services: most drop-offs of doctor trips are in towns
    hours = np.bincount((times // 3600).astype(int), minlength=24)
    assert hours[6:9].sum() > 10 * hours[0:5].sum()


def test_scale_multiplies_demand(region: DemandRegion, params: DemandParams) -> None:
    assert generate_bookings(region, params.replace(scale=0.0), 1) == []
    n1 = np.mean([len(generate_bookings(region, params, s)) for s in range(4)])
    n3 = np.mean([len(generate_bookings(region, params.replace(scale=3.0), s)) for s in range(4)])
    assert 2.4 < n3 / n1 < 3.6


def test_gravity_prefers_near_and_attractive() -> None:
    t = np.array([[60.0, 600.0, math.inf], [600.0, 60.0, 60.0]])
    p = gravity_probabilities(t, np.array([1.0, 1.0, 3.0]), 0.1)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert p[0, 0] > p[0, 1] and p[0, 2] == 0.0
    assert p[1, 2] == pytest.approx(3 * p[1, 1])
    assert (gravity_probabilities(np.full((1, 2), math.inf), np.ones(2), 0.1) == 0).all()


@pytest.mark.parametrize(
    ("tags", "category"),
    [
        ({"amenity": "doctors"}, "doctor"),
        ({"healthcare": "doctor"}, "doctor"),
        ({"amenity": "hospital"}, "hospital"),
        ({"amenity": "pharmacy"}, "pharmacy"),
        ({"amenity": "school"}, "school"),
        ({"shop": "supermarket"}, "supermarket"),
        ({"amenity": "townhall"}, "townhall"),
        ({"office": "government", "government": "social_welfare", "name": "Jobcenter X"}, "jobcenter"),
        ({"railway": "station"}, "station"),
        ({"railway": "halt"}, "station"),
        ({"amenity": "cinema"}, "cinema"),
        ({"leisure": "sports_centre"}, "leisure"),
        ({"amenity": "bench"}, None),
        ({"leisure": "pitch"}, None),
    ],
)
def test_classify(tags: dict[str, str], category: str | None) -> None:
    assert classify(tags) == category


def test_zones_and_destinations_csv(tmp_path: Path) -> None:
    z = tmp_path / "z.csv"
    z.write_text("name,lat,lon,population\nA-Dorf,51.6,11.5,300\nB,51.7,11.6,0\n", encoding="utf-8")
    zones = read_zones_csv(z)
    assert [x.name for x in zones] == ["A-Dorf"]
    bad = tmp_path / "zb.csv"
    bad.write_text("name,lat,lon,population\nA,95,11.5,300\n,51.6,11.5,abc\n", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        read_zones_csv(bad)
    got = [(p.row, p.column) for p in info.value.problems]
    assert got == [(2, "lat"), (3, "population"), (3, "name")]
    d = tmp_path / "d.csv"
    d.write_text("name,category,lat,lon\nPraxis,doctor,51.6,11.5\nX,casino,51.6,11.5\n", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        read_destinations_csv(d)
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "category")]
    missing = tmp_path / "m.csv"
    missing.write_text("name,lat,lon\nP,51.6,11.5\n", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        read_destinations_csv(missing)
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "category")]


def test_cli_generate_instance_and_errors(tmp_path: Path) -> None:
    from cli import app

    runner = CliRunner()
    out = tmp_path / "b.csv"
    res = runner.invoke(app, ["demand", "generate", "--instance", "default", "--out", str(out), "--seed", "4"])
    assert res.exit_code == 0, res.output
    assert "bookings" in res.stdout
    assert len(read_bookings(out)) > 50
    before = out.read_bytes()
    res = runner.invoke(app, ["demand", "generate", "--instance", "default", "--out", str(out)])
    assert res.exit_code == 2 and "--force" in res.stderr
    assert out.read_bytes() == before
    zones = tmp_path / "zones.csv"
    zones.write_text("name,lat,lon,population\nA,51.6,11.5,many\n", encoding="utf-8")
    res = runner.invoke(
        app, ["demand", "generate", "--instance", "default", "--out", str(tmp_path / "c.csv"), "--zones", str(zones)]
    )
    assert res.exit_code == 2
    assert f"{zones}:2: population:" in res.stderr
    assert not (tmp_path / "c.csv").exists()
    res = runner.invoke(app, ["demand", "generate", str(tmp_path / "none.osm"), "--out", str(tmp_path / "d.csv")])
    assert res.exit_code == 2 and "none.osm" in res.stderr


def test_parse_params_from_scenario_table() -> None:
    from transit.demand import parse_params

    p = parse_params(
        {"scale": 2, "service_date": "2025-06-03", "purpose_share": {"leisure": 0.1}, "lead_time": {"immediate": 0.5}},
        source="s.toml",
    )
    assert p.scale == 2.0 and p.service_date.isoformat() == "2025-06-03"
    assert {x.name: x.share for x in p.purposes}["leisure"] == 0.1
    assert p.lead.immediate == 0.5
    with pytest.raises(InputErrors) as info:
        parse_params({"scal": 1, "pt_share": 3, "purpose_share": {"bowling": 0.1}}, source="s.toml")
    got = [(e.file, e.column) for e in info.value.problems]
    assert got == [
        ("s.toml", "demand.generator"),
        ("s.toml", "demand.generator.pt_share"),
        ("s.toml", "demand.generator.purpose_share.bowling"),
    ]


def test_cli_trips_out_matches_bookings(tmp_path: Path) -> None:
    import csv

    from cli import app

    out, trips = tmp_path / "b.csv", tmp_path / "t.csv"
    res = CliRunner().invoke(
        app, ["demand", "generate", "--instance", "default", "--out", str(out), "--trips-out", str(trips)]
    )
    assert res.exit_code == 0, res.output
    ids = [b.request_id for b in read_bookings(out)]
    with trips.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["request_id"] for r in rows] == ids
    assert {r["leg"] for r in rows} == {"outbound", "return"}
