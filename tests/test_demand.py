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
    single = [x for x, t in zip(b, demand.trips) if t.purpose != "school"]
    # group size close to the documented ~1.15 passengers per booking (MSH_mobil)
    assert 1.08 < np.mean([x.passengers for x in single]) < 1.22
    assert 0 < sum(x.wheelchair for x in single) < 0.06 * len(single)
    # pre-booked the day before, short-notice and immediate bookings all occur
    lead = np.array([x.time - x.booked_at for x in single if x.booked_at is not None])
    assert (np.array([x.booked_at for x in single]) < 0).mean() > 0.2
    assert (lead <= 20 * 60).mean() > 0.05
    # every purpose occurs (the district has a destination for each); returns follow outbound trips
    purposes = {t.purpose for t in demand.trips}
    assert purposes == {p.name for p in params.purposes}
    out = sum(t.leg == "outbound" for t in demand.trips if t.purpose != "school")
    back = sum(t.leg == "return" for t in demand.trips if t.purpose != "school")
    assert 0.6 < back / out < 1.0
    # points lie on the road network (snapped to nodes)
    net = region.network
    node_xy = {(round(float(a), 7), round(float(o), 7)) for a, o in zip(net.lat, net.lon)}
    assert all((x.pickup_lat, x.pickup_lon) in node_xy and (x.dropoff_lat, x.dropoff_lon) in node_xy for x in b)
    hours = np.bincount((times // 3600).astype(int), minlength=24)
    assert hours[6:9].sum() > 10 * hours[0:5].sum()


def test_every_group_travels_for_its_own_purposes(region: DemandRegion, params: DemandParams) -> None:
    demand = generate_demand(region, params.replace(scale=10), 2)
    pairs = {(t.group, t.purpose) for t in demand.trips}
    assert {g.name for g in params.groups} == {t.group for t in demand.trips}
    # the purposes the issue names, by the groups that make them
    for pair in [("pupil", "school"), ("commuter", "work"), ("commuter", "station"), ("senior", "doctor"),
                 ("jobseeker", "jobcenter"), ("refugee", "course"), ("senior", "shopping")]:
        assert pair in pairs, pair
    # nobody makes a trip their group has no rate for
    rates = {g.name: {p for p, r in g.rates if r > 0} | ({"school"} if g.name == "pupil" else set())
             for g in params.groups}
    assert all(p in rates[g] for g, p in pairs)
    # people without a car travel far more often per head than the others
    per_head: dict[str, float] = {}
    residents = sum(z.population for z in region.zones)
    for g in params.groups:
        n = sum(t.group == g.name and t.purpose != "school" for t in demand.trips)
        per_head[g.name] = n / (residents * g.share)
    assert per_head["refugee"] > per_head["senior"] > 3 * per_head["other"]
    assert per_head["jobseeker"] > 1.5 * per_head["commuter"] > per_head["other"]


def test_pupils_ride_to_their_school_at_bell_times(region: DemandRegion, params: DemandParams) -> None:
    from transit.demand import school_bookings
    from transit.util.geo import great_circle_m

    s = params.school
    rows = school_bookings(region, params, np.random.default_rng(4))
    assert rows
    school_nodes = {int(n) for n, d in zip(region.dest_node, region.destinations) if "school" in d.category}
    zone_nodes = {int(n) for n in region.zone_node}
    node_of = {(round(float(region.network.lat[n]), 7), round(float(region.network.lon[n]), 7)): int(n)
               for n in school_nodes | zone_nodes}
    ends = {t for t, _ in s.end_primary + s.end_secondary}
    for b, info in rows:
        assert info.group == "pupil" and info.purpose == "school"
        assert 1 <= b.passengers <= s.max_group and b.booked_at < 0  # pre-booked the day before
        if info.leg == "outbound":
            assert b.time_type == "arrival" and b.time == s.start_s
            assert node_of[(b.pickup_lat, b.pickup_lon)] in zone_nodes
            assert node_of[(b.dropoff_lat, b.dropoff_lon)] in school_nodes
        else:
            assert b.time_type == "departure" and b.time - 600.0 in ends
    # pupils of a village ride to the nearest school of their level (or one at most 5 minutes
    # farther, sharing): their catchment; a pupil within walking distance never rides
    zones = {z.name: z for z in region.zones}
    dests = {d.name: d for d in region.destinations}
    for b, info in rows:
        z, d = zones[info.home_zone], dests[info.destination]
        assert great_circle_m(z.lat, z.lon, d.lat, d.lon) > s.walk_km * 1000.0
        if d.category == "primary_school":
            zi = list(zones).index(z.name)
            prim = [k for k, x in enumerate(region.destinations) if x.category in ("primary_school", "school")]
            best = min(region.zone_to_dest_s[zi, k] for k in prim)
            k_d = next(k for k, x in enumerate(region.destinations) if x.name == d.name)
            assert region.zone_to_dest_s[zi, k_d] <= best + 300.0
    # about as many pupils as the group share, attendance and bus share allow (the rest walk)
    out = sum(b.passengers for b, i in rows if i.leg == "outbound")
    far = sum(z.population for z in region.zones if z.place == "village") * params.group("pupil").share
    assert 0.7 * far * s.attendance * s.bus_share < out < 1.6 * far


def test_day_types_school_days_and_evenings(region: DemandRegion, params: DemandParams) -> None:
    import datetime as dt

    def counts(date: dt.date) -> dict[str, int]:
        d = generate_demand(region, params.replace(scale=10, service_date=date), 8)
        out: dict[str, int] = {}
        for t in d.trips:
            out[t.purpose] = out.get(t.purpose, 0) + 1
        late = sum(b.time >= 19 * 3600 for b in d.bookings)
        out["_evening"] = late
        return out

    tue, sat, sun = counts(dt.date(2025, 3, 4)), counts(dt.date(2025, 3, 8)), counts(dt.date(2025, 3, 9))
    assert tue["school"] > 100 and "school" not in sat and "school" not in sun
    assert sat["work"] < 0.5 * tue["work"] and sat["shopping"] > tue["shopping"]
    assert "shopping" not in sun and "doctor" not in sun and "jobcenter" not in sun
    assert sun["visit"] > tue["visit"]
    # evenings are not empty: late-shift, course and leisure returns and visits
    assert tue["_evening"] > 0.05 * sum(v for k, v in tue.items() if not k.startswith("_"))
    assert sun["_evening"] > 0


def test_zones_csv_gives_group_shares_per_village(region: DemandRegion, params: DemandParams, tmp_path: Path) -> None:
    from transit.demand import zone_group_shares

    path = tmp_path / "zones.csv"
    rows = ["name,lat,lon,population,place,share_senior,share_pupil"]
    for z in region.zones:
        senior = "0.5" if z.place == "village" else ""
        rows.append(f"{z.name},{z.lat},{z.lon},{z.population},{z.place},{senior},")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    zones = read_zones_csv(path)
    village = next(z for z in zones if z.place == "village")
    shares = zone_group_shares(village, params)
    assert shares["senior"] == 0.5 and abs(sum(shares.values()) - 1.0) < 1e-9
    # the others keep their proportions
    d = {g.name: g.share for g in params.groups}
    assert abs(shares["commuter"] / shares["other"] - d["commuter"] / d["other"]) < 1e-9
    older = DemandRegion.build(region.network, zones, region.destinations)
    n_old = sum(t.group == "senior" for t in generate_demand(older, params.replace(scale=5), 1).trips)
    n_def = sum(t.group == "senior" for t in generate_demand(region, params.replace(scale=5), 1).trips)
    assert n_old > 2 * n_def
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lon,population,share_senior,share_pupil,share_aliens\n"
                   "A,51.6,11.5,100,0.7,,0.1\nB,51.6,11.5,100,0.7,0.5,\n", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        read_zones_csv(bad)
    cols = [e.column for e in info.value.problems]
    assert "share_aliens" in cols and any("share_senior" in (c or "") for c in cols)


def test_every_figure_has_a_source_and_the_assumptions_are_listed() -> None:
    from transit.demand import demand_assumptions, demand_figures

    figs = demand_figures()
    assert len(figs) > 40
    assert all(f.source.strip() for f in figs)
    assumed = demand_assumptions()
    assert assumed and all(not f.checked for f in assumed)
    assert any(f.checked for f in figs)  # some figures were checked against their source
    names = {f.name for f in figs}
    assert {"groups.senior.share", "groups.refugee.rates.course", "supply_factor", "school.bus_share"} <= names
    # the defaults are the figures
    p = DemandParams.default()
    by = {f.name: f.value for f in figs}
    assert p.group("senior").share == by["groups.senior.share"]
    assert p.group("refugee").rate("course") == by["groups.refugee.rates.course"]
    assert p.supply_factor == by["supply_factor"]
    assert abs(sum(g.share for g in p.groups) - 1.0) < 1e-9


def test_scale_multiplies_demand(region: DemandRegion, params: DemandParams) -> None:
    assert generate_bookings(region, params.replace(scale=0.0), 1) == []

    def sizes(scale: float) -> tuple[float, float]:
        single, pupils = [], []
        for s in range(4):
            d = generate_demand(region, params.replace(scale=scale), s)
            single.append(sum(t.purpose != "school" for t in d.trips))
            pupils.append(sum(b.passengers for b, t in zip(d.bookings, d.trips) if t.purpose == "school"))
        return float(np.mean(single)), float(np.mean(pupils))

    (n1, p1), (n3, p3) = sizes(1.0), sizes(3.0)
    assert 2.4 < n3 / n1 < 3.6  # individual trips
    assert 2.6 < p3 / p1 < 3.4  # pupils (one booking per village, school and bell: more pupils per booking)


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
        ({"amenity": "school", "isced:level": "1"}, "primary_school"),
        ({"amenity": "school", "name": "Gymnasium Nord"}, "secondary_school"),
        ({"amenity": "college", "name": "Kreisvolkshochschule"}, "course"),
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
        {"scale": 2, "service_date": "2025-06-03", "group_share": {"senior": 0.2},
         "group_rates": {"senior": {"doctor": 0.05}}, "school": {"walk_km": 3, "max_group": 40},
         "school_day": False, "supply_factor": 0.5, "lead_time": {"immediate": 0.5}},
        source="s.toml",
    )
    assert p.scale == 2.0 and p.service_date.isoformat() == "2025-06-03"
    assert p.group("senior").share == 0.2 and p.group("senior").rate("doctor") == 0.05
    assert p.school.walk_km == 3.0 and p.school.max_group == 40 and not p.is_school_day
    assert p.supply_factor == 0.5
    assert p.lead.immediate == 0.5
    with pytest.raises(InputErrors) as info:
        parse_params({"scal": 1, "return_share": 3, "group_share": {"aliens": 0.1},
                      "group_rates": {"senior": {"bowling": 0.1}}}, source="s.toml")
    got = [(e.file, e.column) for e in info.value.problems]
    assert got == [
        ("s.toml", "demand.generator"),
        ("s.toml", "demand.generator.return_share"),
        ("s.toml", "demand.generator.group_share.aliens"),
        ("s.toml", "demand.generator.group_rates.senior.bowling"),
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
