"""School transport is the same in every model: the school buses are a common base, models compete on the rest.

Issue 12 (fix 12c): a comparison in which some models carried the pupils' group bookings and others
rejected them was dominated by school traffic. These tests fail if two models treat the same school
trip differently, in cost or in the served share they are compared on, and if any vehicle carries
more passengers than it holds.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from transit.compare.run import run_comparison
from transit.compare.scenario import load_scenario
from transit.compare.school import partial_networks, school_trip_ids, split_school, with_school, without_trips
from transit.demand.bookings import Booking
from transit.evaluate.kpis import with_base
from transit.sim.columns import TripLabel
from transit.util.instances import instance_dir

FAIR = """
[scenario]
name = "School trips alike in every model"
seeds = 2

[region]
instance = "default"

[demand.generator]
scale = 0.5

[access]
enabled = false

[precision]
enabled = false

[sensitivity]
enabled = false

[school]
depot = [51.5915402, 11.5129492]

[[models]]
name = "Linienbus"
kind = "fixed_line"

[[models]]
name = "Rufbus"
kind = "rufbus"

[[models]]
name = "Leaves pupils"
kind = "ondemand"
school_trips = "reject"

[models.fleet]
[[models.fleet.vehicle]]
id = "a"
count = 2
depot_lat = 51.5915402
depot_lon = 11.5129492
seats = 8
shift_start = "06:00"
shift_end = "20:00"

[[models]]
name = "Takes pupils"
kind = "ondemand"
school_trips = "serve"

[models.fleet]
[[models.fleet.vehicle]]
id = "a"
count = 2
depot_lat = 51.5915402
depot_lon = 11.5129492
seats = 8
shift_start = "06:00"
shift_end = "20:00"
"""


def _booking(rid: str, pax: int = 1) -> Booking:
    return Booking(rid, 51.6, 11.5, 51.62, 11.52, 8 * 3600.0, "departure", pax, 0, None)


def test_split_takes_the_pupils_school_trips_apart() -> None:
    bookings = [_booking("a"), _booking("b", 30), _booking("c"), _booking("d", 12)]
    labels = {"a": ("V", "shopping", "senior"), "b": TripLabel("V", "school", "pupil"),
              "d": ("W", "school", "pupil")}
    everyday, school = split_school(bookings, labels)
    assert [b.request_id for b in everyday] == ["a", "c"]  # "c" has no label: an everyday trip
    assert [b.request_id for b in school] == ["b", "d"]


def test_with_base_adds_the_same_base_to_every_model() -> None:
    kpis = pd.DataFrame({"model": ["A", "B", "A", "B"], "seed": [1, 1, 2, 2],
                         "served_passengers": [10.0, 40.0, 20.0, 0.0], "cost_total": [100.0, 400.0, 100.0, 50.0],
                         "subsidy": [90.0, 360.0, 80.0, 50.0], "vehicle_hours": [5.0, 10.0, 5.0, 2.0]})
    base = pd.DataFrame({"seed": [1, 2], "served_passengers": [90.0, 80.0], "cost_total": [900.0, 500.0],
                         "subsidy": [300.0, 200.0], "vehicle_hours": [20.0, 18.0]})
    out = with_base(kpis, base).set_index(["model", "seed"])
    assert out.loc[("A", 1), "cost_per_passenger_with_school"] == pytest.approx(1000 / 100)
    assert out.loc[("B", 1), "subsidy_per_passenger_with_school"] == pytest.approx(660 / 130)
    assert out.loc[("B", 2), "passengers_per_vehicle_hour_with_school"] == pytest.approx(80 / 20)
    assert with_base(kpis, None) is kpis
    # A region without school traffic: its base has no requests, so the network figures are not defined.
    none = base.assign(requests=0, served_passengers=0.0, cost_total=0.0, subsidy=0.0, vehicle_hours=0.0)
    empty = with_base(kpis, none)
    assert empty[["cost_per_passenger_with_school", "subsidy_per_passenger_with_school",
                  "passengers_per_vehicle_hour_with_school"]].isna().all().all()
    assert empty["cost_total"].tolist() == kpis["cost_total"].tolist()


def test_line_models_with_part_of_the_network_have_no_network_figures() -> None:
    """Two lines, or a sketch alone, plus the whole district's school buses are no network: n/a, not a low figure."""
    from transit.compare.run import load_world
    from transit.timetable.lines import load_timetable

    examples = Path(__file__).resolve().parents[1] / "instances" / "examples"
    world = load_world(load_scenario(examples / "ast.toml"))
    assert world.partial_networks() == {"Lines 402+403", "AST 402+403"}
    sc = load_scenario(instance_dir("default") / "scenario.toml")
    network = without_trips(load_timetable(sc.school.lines, date=sc.date), school_trip_ids(sc.school, sc.date))
    with_sketch = load_timetable(examples / "lines.toml", date=sc.date, network=world.network)  # [base]: the feed
    models = {"all": network, "two": network.restrict(["402", "403"]), "with sketch": with_sketch,
              "sketch alone": with_sketch.restrict(["405", "401E"])}
    assert partial_networks(models, network) == {"two", "sketch alone"}
    assert partial_networks(models, None) == frozenset()  # no school buses' feed: nothing to compare with
    kpis = pd.DataFrame({"model": ["Lines 402+403", "Whole"], "seed": [1, 1], "served_passengers": [10.0, 40.0],
                         "cost_total": [100.0, 400.0], "subsidy": [90.0, 360.0], "vehicle_hours": [5.0, 10.0]})
    base = pd.DataFrame({"seed": [1], "requests": [80], "served_passengers": [90.0], "cost_total": [900.0],
                         "subsidy": [300.0], "vehicle_hours": [20.0]})
    out = with_school(kpis, base, partial={"Lines 402+403"}).set_index("model")
    assert out.loc["Lines 402+403", ["cost_per_passenger_with_school", "subsidy_per_passenger_with_school",
                                     "passengers_per_vehicle_hour_with_school"]].isna().all()
    assert out.loc["Whole", "subsidy_per_passenger_with_school"] == pytest.approx(660 / 130)
    assert out.loc["Lines 402+403", "subsidy"] == 90.0  # the model's own figures stay


def test_the_report_says_why_a_partial_network_has_no_network_figure() -> None:
    from transit.compare.school import school_sentences
    from transit.util.i18n import use_lang

    school = pd.DataFrame({"seed": [1], "requests": [80], "passengers_requested": [90.0], "served_passengers": [90.0],
                           "cost_total": [900.0], "cost_per_passenger": [10.0], "subsidy_per_passenger": [3.3],
                           "rejection_reasons": [""]})
    kpis = pd.DataFrame({"model": ["Lines 402+403", "Whole"], "seed": [1, 1],
                         "cost_per_passenger_with_school": [np.nan, 7.5]})
    words = " ".join(school_sentences(school, kpis, None))
    assert "n/a for Lines 402+403: they run only some of the lines" in words
    assert "Whole" not in words.split("n/a for")[1]
    with use_lang("de"):
        assert "k. A. für Lines 402+403: sie fahren nur einen Teil der Linien" in " ".join(
            school_sentences(school, kpis, None))
    whole = kpis.assign(cost_per_passenger_with_school=[8.0, 7.5])
    assert "n/a for" not in " ".join(school_sentences(school, whole, None))


def test_the_default_instance_names_its_school_buses() -> None:
    sc = load_scenario(instance_dir("default") / "scenario.toml")
    ids = school_trip_ids(sc.school, sc.date)
    trips = pd.read_csv(instance_dir("default") / "gtfs" / "trips.txt")
    assert ids == frozenset(trips.loc[trips["service_id"] == "SCHOOL", "trip_id"])
    assert len(ids) == 70


@pytest.fixture(scope="module")
def fair(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("school")
    p = folder / "fair.toml"
    p.write_text(textwrap.dedent(FAIR), encoding="utf-8")
    sc = load_scenario(p)
    return sc, run_comparison(sc)


@pytest.mark.slow
def test_every_model_is_compared_on_the_same_everyday_trips(fair) -> None:
    from transit.compare.run import _World, load_region
    from transit.demand import generate_demand

    sc, comp = fair
    world = _World(sc, load_region(sc))
    for seed in comp.seeds:
        demand = generate_demand(world.region, sc.demand.params, np.random.default_rng(seed))
        school = {t.request_id for t in demand.trips if t.purpose == "school"}
        everyday = {b.request_id for b in demand.bookings} - school
        assert school and everyday
        t = comp.trips[comp.trips["seed"] == seed]
        for model, g in t.groupby("model"):
            # the same everyday trips for every model, no pupil's school trip among them
            assert set(g["request_id"].astype(str)) == everyday, model
            assert not (g["purpose"] == "school").any()
        row = comp.school[comp.school["seed"] == seed].iloc[0]
        assert row["requests"] == len(school)  # every school trip rides the school buses, once
    k = comp.kpis.set_index(["model", "seed"])
    # a model that would carry the pupils and one that would leave them to the school buses now agree on
    # everything: neither is charged or credited for school trips
    cols = ["requests", "served", "served_share", "served_passengers", "cost_total", "fare_revenue", "subsidy",
            "cost_per_passenger", "vehicle_km"]
    a = k.loc["Leaves pupils", cols].reset_index(drop=True)
    b = k.loc["Takes pupils", cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    # every model's figures with the school buses add the same base (the school buses' cost and pupils)
    s = comp.school.set_index("seed")
    for (model, seed), r in k.iterrows():
        expect = (r["cost_total"] + s.loc[seed, "cost_total"]) / (r["served_passengers"]
                                                                  + s.loc[seed, "served_passengers"])
        assert r["cost_per_passenger_with_school"] == pytest.approx(expect), model


@pytest.mark.slow
def test_line_models_leave_the_school_buses_trips_to_the_base(fair) -> None:
    sc, comp = fair
    ids = school_trip_ids(sc.school, sc.date)
    for model in ("Linienbus", "Rufbus"):
        vehicles = set(comp.stops.loc[comp.stops["model"] == model, "vehicle_id"].astype(str).str.split("#").str[0])
        assert vehicles and not vehicles & ids, model
    # the school buses run only school-day trips
    assert comp.school["info_timetabled_trips"].eq(len(ids)).all()


@pytest.mark.slow
def test_no_vehicle_carries_more_than_it_holds() -> None:
    """The default comparison on one day: every model's vehicles and the school buses, loads against places."""
    from transit.compare import run as R
    from transit.compare.school import run_school, split_school
    from transit.sim.columns import TripLabel as Label

    sc = load_scenario(instance_dir("default") / "scenario.toml")
    comp = run_comparison(sc, seeds=[1], access=False, sensitivity=False)
    k = comp.kpis.set_index("model")
    checked = 0
    for m in sc.models:
        stops = comp.stops[comp.stops["model"] == m.name]
        timetabled = stops.groupby("vehicle_id")["kind"].apply(lambda x: (x == "stop").any())
        peak = stops.groupby("vehicle_id")["load"].max()
        seats = max((v.seats for v in m.fleet.vehicles), default=0) if m.fleet is not None else 0
        line_cap = k.loc[m.name].get("info_capacity", np.nan)
        if m.kind == "hybrid":
            line_cap = k.loc[m.name]["info_trunk_capacity"]
        for vid, load in peak.items():
            cap = line_cap if timetabled[vid] else seats
            assert np.isfinite(cap) and load <= cap, (m.name, vid, load, cap)
            checked += 1
    assert checked > 100
    assert k.loc["Rufbus", "info_capacity"] == 8 and k.loc["AST", "info_capacity"] == 8
    # the school buses: groups of up to 60 pupils meet on the morning trips; reinforcement buses carry them
    school = comp.school.iloc[0]
    assert school["info_extra_vehicles"] > 0
    world = R._World(sc, R.load_region(sc))
    R._WORLD = world
    try:
        from transit.demand import generate_demand

        demand = generate_demand(world.region, sc.demand.params, np.random.default_rng(1))
        lab = {t.request_id: (t.home_zone, t.purpose, t.group) for t in demand.trips}
        _, pupils = split_school(demand.bookings, lab)
        ctx = world.context({r: Label(*v) for r, v in lab.items()})
        _, _, stops = run_school(world.school()[1], sc.school, pupils, ctx, sc.costs, 1)
    finally:
        R._WORLD = None
    per_bus = stops.groupby("vehicle_id")["load"].max()
    assert (per_bus <= school["info_capacity"]).all()
    # without the reinforcement buses some trips would carry far more than a bus holds
    per_trip = stops.assign(trip=stops["vehicle_id"].astype(str).str.split("#").str[0],
                            at=stops["arrival"].round(0)).groupby(["trip", "at"])["load"].sum()
    assert per_trip.max() > school["info_capacity"]


def test_school_trips_read_from_another_feed_are_left_to_the_school_buses() -> None:
    """An exported copy of the lines carries the school trips under their ids: same id and times = same trip."""
    import dataclasses

    from transit.compare.school import copies_of, without_trips
    from transit.timetable.lines import load_timetable

    sc = load_scenario(instance_dir("default") / "scenario.toml")
    ids = school_trip_ids(sc.school, sc.date)
    tt = load_timetable(instance_dir("default") / "gtfs", date=sc.date)
    school = without_trips(tt, ids, keep=True)
    assert copies_of(tt, school) == ids
    moved = sorted(ids)[0]  # the same id at other times is another trip
    other = dataclasses.replace(tt, trips=tuple(
        dataclasses.replace(t, departure=tuple(x + 600 for x in t.departure), arrival=tuple(x + 600 for x in t.arrival))
        if t.trip_id == moved else t for t in tt.trips))
    assert copies_of(other, school) == ids - {moved}
    assert copies_of(without_trips(tt, ids), school) == frozenset()
