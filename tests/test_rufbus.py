"""Timetabled Rufbus and AST: trips run only when booked in time; door delivery."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import linecase as lc
from transit.timetable.gtfs import BookingRule
from transit.opmodels.base import DayContext
from transit.opmodels.fixed_line import FixedLineModel
from transit.opmodels.linerules import LineRules, RufbusRules, parse_line_rules, parse_rufbus_rules
from transit.opmodels.rufbus import RufbusModel
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS
from transit.evaluate.reasons import reason_kind


@pytest.fixture(scope="module")
def net():
    return lc.network()


def run(net, tt, bookings, rufbus=None, rules=None, seed=0):
    ctx = DayContext(network=net, service=None)
    model = RufbusModel("rb", tt, rules, rufbus)
    return model.run(bookings, ctx, seed=seed, rng=np.random.default_rng(seed))


def one(res, rid):
    return res.trips.set_index("request_id").loc[rid]


def test_trip_not_booked_in_time_does_not_run(net):
    tt = lc.timetable(["08:00", "10:00"], [])
    b = lc.booking("r", lc.near("A1"), lc.near("A4"), "07:55", booked_at="07:30")
    res = run(net, tt, [b], RufbusRules(lead_time_min=60))
    r = one(res, "r")
    assert r.status == "rejected"
    assert r.reason == "booked 30 min before the 08:00 bus from A1; it runs only if booked 60 min ahead"
    assert reason_kind(r.reason) == "booked with less notice than the bus needs"  # counted as one kind
    assert res.info["trips_run"] == 0 and res.info["share_run"] == 0.0
    assert res.info["timetabled_trips"] == 2 and res.info["rejected_lead_time"] == 1
    assert len(res.stops) == 0 and list(res.stops.columns) == list(STOP_COLUMNS)


def test_booked_in_time_runs_and_share_run(net):
    tt = lc.timetable(["08:00", "10:00", "12:00"], ["09:00"])
    b = lc.booking("r", lc.near("A1"), lc.near("A4"), "07:55", booked_at="06:30")
    res = run(net, tt, [b], RufbusRules(lead_time_min=60))
    assert one(res, "r").vehicle_id == "A-1"
    assert res.info["trips_run"] == 1 and res.info["share_run"] == pytest.approx(1 / 4)
    assert set(res.stops.vehicle_id) == {"A-1"}  # only trips that run have vehicle-km
    assert res.info["lead_time_min"] == 60


def test_late_booking_rides_a_trip_that_runs_anyway_but_cannot_trigger_one(net):
    tt = lc.timetable(["08:00"], [])
    early = lc.booking("early", lc.near("A1"), lc.near("A4"), "07:55", booked_at="05:00")
    late = lc.booking("late", lc.near("A2"), lc.near("A5"), "08:00", booked_at="07:50")
    res = run(net, tt, [late, early], RufbusRules(lead_time_min=60))
    assert one(res, "late").status == "served" and one(res, "early").status == "served"
    assert res.info["late_riders"] == 1
    alone = run(net, tt, [late], RufbusRules(lead_time_min=60))
    assert one(alone, "late").status == "rejected" and alone.info["trips_run"] == 0


def test_booking_order_not_file_order_decides(net):
    # A-1 leaves A1 at 08:00 and A2 at 08:05; lead time 10 min.
    tt = lc.timetable(["08:00"], [])
    # listed first, booked second (07:52, 8 min before its 08:00 boarding): cannot trigger
    rider = lc.booking("rider", lc.near("A1"), lc.near("A4"), "07:55", booked_at="07:52")
    # listed second, booked first (07:50, 15 min before its 08:05 boarding): triggers the trip
    trigger = lc.booking("trigger", lc.near("A2"), lc.near("A5"), "08:00", booked_at="07:50")
    res = run(net, tt, [rider, trigger], RufbusRules(lead_time_min=10))
    assert one(res, "trigger").status == "served"
    assert one(res, "rider").status == "served" and res.info["late_riders"] == 1
    # a longer lead time: neither can trigger it
    res = run(net, tt, [rider, trigger], RufbusRules(lead_time_min=20))
    assert one(res, "trigger").reason.startswith("booked 15 min before the 08:05 bus from A2")
    assert one(res, "rider").reason.startswith("booked 8 min before the 08:00 bus from A1")


def test_lead_time_from_the_feed_booking_rule(net):
    tt = lc.timetable(["08:00"], [])
    rule = BookingRule("r60", 1, prior_notice_min=60)
    tt = dataclasses.replace(tt, trips=tuple(dataclasses.replace(t, booking_rule=rule) for t in tt.trips))
    b45 = lc.booking("b45", lc.near("A1"), lc.near("A4"), "07:55", booked_at="07:15")
    res = run(net, tt, [b45])  # no lead time in the scenario: the feed's 60 min
    assert "it runs only if booked 60 min ahead" in one(res, "b45").reason
    assert res.info["lead_time_min"] == 60
    default = run(net, lc.timetable(["08:00"], []), [b45])  # no rule anywhere: default 120
    assert "booked 120 min ahead" in one(default, "b45").reason
    override = run(net, tt, [b45], RufbusRules(lead_time_min=30))
    assert one(override, "b45").status == "served"


def test_capacity_full_trip(net):
    tt = lc.timetable(["08:00"], [])
    a = lc.booking("a", lc.near("A1"), lc.near("A4"), "07:55", booked_at="05:00", passengers=2)
    b = lc.booking("b", lc.near("A2"), lc.near("A5"), "08:00", booked_at="05:10")
    c = lc.booking("c", lc.near("A4"), lc.near("A5"), "08:10", booked_at="05:20", passengers=2)
    res = run(net, tt, [a, b, c], RufbusRules(capacity=2, vehicles_per_trip=1))
    assert one(res, "a").status == "served"
    assert one(res, "b").reason == "the 08:05 bus is full (2 seats)"
    assert reason_kind(one(res, "b").reason) == "the bus is full"
    assert one(res, "c").status == "served"  # a got off at A4 before c boards
    assert res.info["rejected_full"] == 1


def test_a_second_vehicle_runs_when_the_first_is_full_and_is_paid(net):
    from transit.evaluate.costs import day_costs, default_costs

    tt = lc.timetable(["08:00"], [])
    a = lc.booking("a", lc.near("A1"), lc.near("A4"), "07:55", booked_at="05:00", passengers=2)
    b = lc.booking("b", lc.near("A2"), lc.near("A5"), "08:00", booked_at="05:10")
    c = lc.booking("c", lc.near("A2"), lc.near("A5"), "08:00", booked_at="05:20", passengers=2)
    res = run(net, tt, [a, b, c], RufbusRules(capacity=2, vehicles_per_trip=2))
    assert [one(res, r).status for r in "abc"] == ["served", "served", "rejected"]
    assert one(res, "c").reason == "the 08:05 bus is full (2 vehicles of 2 seats)"
    assert reason_kind(one(res, "c").reason) == "the bus is full"
    assert res.info["extra_vehicles"] == 1
    loads = res.stops.groupby("vehicle_id")["load"].max()
    assert sorted(loads.index) == ["A-1", "A-1#2"] and (loads <= 2).all()
    # the second vehicle is paid like the first: the trip costs twice one vehicle's run
    one_vehicle = run(net, tt, [a], RufbusRules(capacity=2, vehicles_per_trip=2))
    rates = default_costs()
    two = day_costs(res.trips, res.stops, "rufbus", rates, info=res.info)
    single = day_costs(one_vehicle.trips, one_vehicle.stops, "rufbus", rates, info=one_vehicle.info)
    assert two["cost_vehicle"] == pytest.approx(2 * single["cost_vehicle"])


def test_partial_run_serves_the_booked_part_and_keeps_to_the_timetable(net):
    tt = lc.timetable(["08:00"], [])
    b = lc.booking("b", lc.near("A2"), lc.near("A4"), "08:00", booked_at="05:00")
    whole = run(net, tt, [b], RufbusRules(lead_time_min=60)).stops
    part = run(net, tt, [b], RufbusRules(lead_time_min=60, partial_run=True)).stops
    # Without a depot the vehicle is where the timetable has it: it comes empty from the trip's first
    # stop A1 (08:00) to A2, serves A2-A4 and goes on empty to A5 for its next trip.
    assert len(whole) == 5 and part["kind"].tolist() == ["start", "stop", "stop", "stop", "end"]
    km = lc.M_PER_DEG_LON / 1000.0
    assert whole.km_from_prev.sum() == pytest.approx(0.10 * km, rel=1e-3)
    assert part.km_from_prev.sum() == pytest.approx(0.10 * km, rel=1e-3)  # a straight line: no shorter way
    assert part.empty_km_from_prev.sum() == pytest.approx(0.04 * km, rel=1e-3)
    assert part["in_service"].tolist() == [False, False, True, True, False]
    assert part["arrival"].iloc[0] == whole["departure"].iloc[0]
    assert part["arrival"].iloc[-1] == whole["arrival"].iloc[-1]
    # With a depot the duty (here one trip) starts and ends there: the booked part only, by road.
    depot = lc.near("A2")
    parted = run(net, tt, [b], RufbusRules(lead_time_min=60, partial_run=True), LineRules(depot=depot)).stops
    assert parted["kind"].tolist() == ["start", "stop", "stop", "stop", "end"]
    assert parted.iloc[1:4]["lon"].tolist() == whole.iloc[1:4]["lon"].tolist()


def test_ast_delivers_to_the_door_beyond_walking_distance(net):
    tt = lc.timetable(["08:00"], [])
    door = lc.near("A4", north_m=1500)  # 1.5 km north of the road: too far to walk
    b = lc.booking("d", lc.near("A1"), door, "07:55", booked_at="05:00")
    fixed = FixedLineModel("fixed", tt).run([b], DayContext(network=net, service=None), seed=0,
                                             rng=np.random.default_rng(0))
    assert one(fixed, "d").reason == "no stop within 600 m of the drop-off"
    rb = RufbusRules.ast_defaults(lead_time_min=60)
    res = run(net, tt, [b], rb)
    assert res.kind == "ast"
    r = one(res, "d")
    assert r.status == "served" and r.walk_egress_m == 0 and r.board_time == lc.hm("08:00")
    v = res.stops.sort_values("seq")
    # A1 (boarding), then straight to the door: the road graph has no road north of A4,
    # so the taxi drives A1 -> A4 along the road; the door is 1.5 km off the road
    assert list(v.kind) == ["stop", "dropoff"]
    assert v.iloc[1].request_id == "d"
    km = lc.M_PER_DEG_LON * 0.08 / 1000.0
    assert v.iloc[1].km_from_prev == pytest.approx(km, rel=1e-3)
    assert res.info["door_km"] == pytest.approx(km, rel=1e-3)
    assert r.alight_time == pytest.approx(v.iloc[1].arrival)
    assert r.alight_time == pytest.approx(lc.hm("08:00") + km * 1000 / 10.0)


def test_ast_taxi_without_a_depot_comes_empty_from_the_trips_first_stop(net):
    tt = lc.timetable(["08:00"], [])
    b = lc.booking("d", lc.near("A2"), lc.near("A5", north_m=200), "08:00", booked_at="05:00")
    res = run(net, tt, [b], RufbusRules.ast_defaults(lead_time_min=60))
    assert one(res, "d").status == "served"
    v = res.stops.sort_values("seq")
    assert list(v.kind) == ["start", "stop", "dropoff"]
    assert v.iloc[0].arrival == lc.hm("08:00")  # at A1 when the trip leaves there
    approach = lc.M_PER_DEG_LON * 0.02 / 1000.0  # A1 -> A2, empty
    assert v.iloc[1].km_from_prev == pytest.approx(approach, rel=1e-3)
    assert v.iloc[1].empty_km_from_prev == pytest.approx(approach, rel=1e-3)
    assert not v.iloc[1].in_service and v.iloc[2].in_service


def test_ast_nearest_neighbour_door_order_and_radius(net):
    tt = lc.timetable(["08:00"], [])
    far = lc.booking("far", lc.near("A1"), lc.near("A5", north_m=200), "07:55", booked_at="05:00")
    mid = lc.booking("mid", lc.near("A1"), lc.near("A4", north_m=200), "07:55", booked_at="05:00")
    out = lc.booking("out", lc.near("A1"), lc.near("A4", north_m=9000), "07:55", booked_at="05:00")
    res = run(net, tt, [far, mid, out], RufbusRules.ast_defaults(lead_time_min=60))
    drops = res.stops[res.stops.kind == "dropoff"].sort_values("seq")
    assert list(drops.request_id) == ["mid", "far"]
    assert one(res, "out").reason == "drop-off more than 3.0 km from every stop of the taxi lines"
    assert list(drops.load) == [1, 0]


def test_conservation_and_determinism(net):
    tt = lc.timetable(["06:00", "08:00", "10:00", "14:00", "17:00"], ["07:00", "09:00", "16:00"])
    bookings = lc.random_bookings(tt, 300, seed=11)
    for rb in (RufbusRules(lead_time_min=90), RufbusRules.ast_defaults(lead_time_min=90)):
        a = run(net, tt, bookings, rb, seed=2)
        b = run(net, tt, bookings, rb, seed=2)
        pd.testing.assert_frame_equal(a.trips, b.trips)
        pd.testing.assert_frame_equal(a.stops, b.stops)
        assert list(a.trips.columns) == list(TRIP_COLUMNS)
        assert len(a.trips) == 300 and set(a.trips.request_id) == {x.request_id for x in bookings}
        assert (a.trips.status == "served").sum() + (a.trips.status == "rejected").sum() == 300
        run_ids = set(a.stops.vehicle_id)
        assert a.info["trips_run"] == len(run_ids)
        assert a.info["share_run"] == pytest.approx(len(run_ids) / len(tt.trips))
        # every served booking rides only trips that ran
        for vid in a.trips.loc[a.trips.status == "served", "vehicle_id"]:
            assert set(vid.split("+")) <= run_ids
        if rb.ast:
            assert (a.trips.loc[a.trips.status == "served", "walk_egress_m"] == 0).all()
            assert (a.stops.load <= 8).all()


def test_rules_from_mapping_reject_unknown_keys():
    from transit.errors import InputError

    r = parse_rufbus_rules({"lead_time_min": 90, "capacity": 4}, ast=True, source="s.toml", table="m")
    assert r.ast and r.capacity == 4 and r.lead_time_min == 90
    with pytest.raises(InputError, match=r"s.toml: m: unknown key 'lead_time' \(did you mean"):
        parse_rufbus_rules({"lead_time": 90}, ast=False, source="s.toml", table="m")
    with pytest.raises(InputError, match=r"m.walk: unknown key 'max_walk'"):
        parse_line_rules({"walk": {"max_walk": 3}}, source="s.toml", table="m")
    with pytest.raises(InputError, match=r"m.depot: must be \[lat, lon\]"):
        parse_line_rules({"depot": [1]}, source="s.toml", table="m")
