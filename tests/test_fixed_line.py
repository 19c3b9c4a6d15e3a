"""Fixed-line model: hand-made cases with known answers, conservation, determinism, logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import linecase as lc
from transit.timetable.lines import load_timetable
from transit.road.graph import build_graph
from transit.opmodels.base import DayContext
from transit.opmodels.fixed_line import FixedLineModel
from transit.errors import InputError
from transit.opmodels.linerules import LineRules
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS
from transit.road.travel import RoadNetwork
from transit.road.walking import WalkParams
from transit.evaluate.reasons import reason_kind


@pytest.fixture(scope="module")
def net():
    return lc.network()


def run(net, tt, bookings, rules=None, seed=0):
    ctx = DayContext(network=net, service=None)
    return FixedLineModel("fixed", tt, rules).run(bookings, ctx, seed=seed, rng=np.random.default_rng(seed))


def one(run_, rid):
    return run_.trips.set_index("request_id").loc[rid]


def test_direct_trip_served_with_walk_wait_and_ride(net):
    tt = lc.timetable(["08:00"], [])
    b = lc.booking("r", lc.near("A1", north_m=100), lc.near("A4", north_m=50), "07:55")
    r = one(run(net, tt, [b]), "r")
    assert r.status == "served" and r.reason == "" and r.vehicle_id == "A-1" and r.transfers == 0
    assert r.board_time == lc.hm("08:00") and r.alight_time == lc.hm("08:15")
    assert r.walk_access_m == pytest.approx(100, abs=1) and r.walk_egress_m == pytest.approx(50, abs=1)
    speed = WalkParams().speed_ms
    assert r.walk_s == pytest.approx(150 / speed, rel=0.01)
    # left the door 100 m before 08:00 at walking speed: wait = that minus 07:55
    assert r.wait_s == pytest.approx(300 - 100 / speed, abs=1)
    assert r.in_vehicle_s == 15 * 60
    assert r.door_to_door_s == pytest.approx(lc.hm("08:15") + 50 / speed - lc.hm("07:55"), abs=1)
    assert np.isnan(r.promised_earliest)
    assert r.direct_m == pytest.approx(lc.M_PER_DEG_LON * 0.08, rel=0.01)  # 0.08 deg of lon along the road


def test_one_trip_arrives_too_late_so_unserved(net):
    tt = lc.timetable(["08:00"], [])
    b = lc.booking("late", lc.near("A1"), lc.near("A5"), "08:10", time_type="arrival")
    r = one(run(net, tt, [b]), "late")
    assert r.status == "rejected"
    assert r.reason == "no bus arrives in time: the first gets there at 08:20 (requested arrival 08:10)"
    assert reason_kind(r.reason) == "no bus arrives by the requested time"


def test_arrival_booking_takes_the_latest_bus_in_time(net):
    tt = lc.timetable(["06:00", "07:00", "08:00"], [])
    b = lc.booking("arr", lc.near("A1"), lc.near("A4"), "08:00", time_type="arrival")
    r = one(run(net, tt, [b]), "arr")
    assert r.vehicle_id == "A-2" and r.alight_time == lc.hm("07:15")
    assert r.wait_s == pytest.approx(45 * 60)
    early = one(run(net, tt, [b], LineRules(max_early_min=30)), "arr")
    assert early.status == "rejected"
    assert early.reason == "the last bus arriving in time gets there 45 min before the requested time (limit 30 min)"


def test_departure_too_long_before_next_bus_and_after_last_bus(net):
    tt = lc.timetable(["08:00"], [])
    early = lc.booking("early", lc.near("A1"), lc.near("A4"), "06:25")
    late = lc.booking("late", lc.near("A1"), lc.near("A4"), "19:30")
    res = run(net, tt, [early, late])
    assert one(res, "early").reason == "next bus 95 min after the requested time (limit 60 min)"
    assert one(res, "late").reason == "last bus left at 08:00 (requested 19:30)"
    assert [reason_kind(one(res, r).reason) for r in ("early", "late")] == [
        "the next bus leaves too long after the requested time", "the last bus had left before the requested time"]
    ok = run(net, tt, [early], LineRules(max_wait_min=120))
    assert one(ok, "early").status == "served"


def test_max_walk_rejections_name_the_side(net):
    tt = lc.timetable(["08:00"], [])
    far_pick = lc.booking("fp", lc.near("A1", north_m=1500), lc.near("A4"), "07:50")
    far_drop = lc.booking("fd", lc.near("A1"), lc.near("A4", north_m=1500), "07:50")
    res = run(net, tt, [far_pick, far_drop])
    assert one(res, "fp").reason == "no stop within 600 m of the pickup"
    assert one(res, "fd").reason == "no stop within 600 m of the drop-off"
    assert [reason_kind(one(res, r).reason) for r in ("fp", "fd")] == [
        "no stop within walking distance of the pickup", "no stop within walking distance of the drop-off"]
    # a longer walk allowed: served if the walk (20 min at 4.5 km/h) fits before the bus
    rules = LineRules(walk=WalkParams(max_walk_m=2000))
    assert one(run(net, tt, [far_pick], rules), "fp").reason == (
        "the last bus leaves at 08:00: too soon to walk 20 min to its stop from the requested 07:50"
    )
    in_time = lc.booking("fp", lc.near("A1", north_m=1500), lc.near("A4"), "07:30")
    r = one(run(net, tt, [in_time], rules), "fp")
    assert r.status == "served" and r.walk_access_m == pytest.approx(1500, abs=1)


def test_one_transfer_at_the_hub_respects_min_transfer_time(net):
    # A reaches HUB at 08:10; B leaves HUB at 08:12 (B-1, too tight) and 08:20 (B-2)
    tt = lc.timetable(["08:00"], ["08:07", "08:15"])
    b = lc.booking("x", lc.near("A1"), lc.near("B4"), "07:55")
    r = one(run(net, tt, [b]), "x")
    assert r.status == "served" and r.transfers == 1 and r.vehicle_id == "A-1+B-2"
    assert r.board_time == lc.hm("08:00") and r.alight_time == lc.hm("08:30")
    no_change = one(run(net, tt, [b], LineRules(max_transfers=0)), "x")
    assert no_change.reason == (
        "no bus line links a stop near the pickup with a stop near the drop-off (without changing)"
    )
    tight = one(run(net, tt, [b], LineRules(min_transfer_min=1)), "x")
    assert tight.vehicle_id == "A-1+B-1" and tight.alight_time == lc.hm("08:22")


def test_a_change_with_a_long_wait_is_no_connection(net):
    # A reaches HUB at 08:10; the next B leaves HUB at 09:12, an hour later
    tt = lc.timetable(["08:00"], ["09:07"])
    b = lc.booking("x", lc.near("A1"), lc.near("B4"), "07:55")
    r = one(run(net, tt, [b]), "x")  # the default: at most 30 min at the change stop
    assert r.status == "rejected"
    assert r.reason == "no bus line links a stop near the pickup with a stop near the drop-off (with at most one change)"
    patient = one(run(net, tt, [b], LineRules(max_transfer_wait_min=90)), "x")
    assert patient.status == "served" and patient.vehicle_id == "A-1+B-1" and patient.transfers == 1
    assert patient.in_vehicle_s == lc.hm("09:22") - lc.hm("08:00")  # the hour at the hub counts as riding time
    with pytest.raises(InputError, match="at least min_transfer_min"):
        LineRules(min_transfer_min=10, max_transfer_wait_min=5)


def test_loads_and_km_in_the_vehicle_log(net):
    tt = lc.timetable(["08:00", "09:00"], ["08:00"])
    bookings = [
        lc.booking("a", lc.near("A1"), lc.near("A4"), "07:58", passengers=2),
        lc.booking("b", lc.near("A2"), lc.near("A5"), "08:00"),
    ]
    res = run(net, tt, bookings)
    v = res.stops
    assert list(v.columns) == list(STOP_COLUMNS)
    # every timetabled trip runs, one vehicle per trip
    assert set(v.vehicle_id) == {"A-1", "A-2", "B-1"}
    a1 = v[v.vehicle_id == "A-1"].sort_values("seq")
    assert list(a1.kind) == ["stop"] * 5
    assert list(a1.load) == [2, 3, 3, 1, 0]
    assert list(a1.onboard_bookings) == [1, 2, 2, 1, 0]
    km_per_deg = lc.M_PER_DEG_LON / 1000.0
    assert a1.km_from_prev.tolist() == pytest.approx(
        [0, 0.02 * km_per_deg, 0.03 * km_per_deg, 0.03 * km_per_deg, 0.02 * km_per_deg], rel=1e-3
    )
    assert a1.empty_km_from_prev.sum() == 0
    empty_trip = v[v.vehicle_id == "A-2"]
    assert empty_trip.km_from_prev.sum() == pytest.approx(empty_trip.empty_km_from_prev.sum())
    assert empty_trip.km_from_prev.sum() == pytest.approx(0.1 * km_per_deg, rel=1e-3)
    assert res.info["timetabled_trips"] == 3 and res.info["trips_run"] == 3
    assert res.info["timetable_vehicle_hours"] == pytest.approx(3 * 20 / 60 - 5 / 60)


def test_depot_deadhead_at_start_and_end_of_each_duty(net):
    tt = lc.timetable(["08:00"], [])
    depot = lc.near("A1", east_m=-0.0)  # at A1
    rules = LineRules(depot=(lc.STOPS["A2"][0], lc.STOPS["A2"][1]))
    v = run(net, tt, [], rules).stops.sort_values("seq")
    assert list(v.kind) == ["start", "stop", "stop", "stop", "stop", "stop", "end"]
    assert not v.iloc[1].in_service and v.iloc[2].in_service and not v.iloc[-1].in_service
    km = lc.M_PER_DEG_LON * 0.02 / 1000
    assert v.iloc[1].km_from_prev == pytest.approx(km, rel=1e-3)  # depot (A2) -> A1
    assert v.iloc[-1].km_from_prev == pytest.approx(km * 4, rel=1e-3)  # A5 -> depot (A2)
    assert v.iloc[0].departure == pytest.approx(lc.hm("08:00") - km * 1000 / 10)
    del depot


def test_conservation_and_determinism_on_the_default_district(repo_dir):
    net = RoadNetwork.from_graph(build_graph(repo_dir / "instances" / "default" / "district.osm.gz"))
    tt = load_timetable(repo_dir / "instances" / "default" / "gtfs")
    bookings = lc.random_bookings(tt, 400, seed=3)
    a = run(net, tt, bookings, seed=7)
    b = run(net, tt, bookings, seed=7)
    assert list(a.trips.columns) == list(TRIP_COLUMNS)
    assert len(a.trips) == 400 and a.trips.request_id.is_unique
    assert set(a.trips.request_id) == {x.request_id for x in bookings}
    assert set(a.trips.status) <= {"served", "rejected"}
    served = a.trips[a.trips.status == "served"]
    rejected = a.trips[a.trips.status == "rejected"]
    assert len(served) + len(rejected) == 400 and len(served) > 0 and len(rejected) > 0
    assert (rejected.reason != "").all() and (served.reason == "").all()
    assert (served.wait_s >= -1e-6).all() and (served.wait_s <= 3600 + 1e-6).all()
    assert (served.walk_access_m <= 600 + 1e-6).all() and (served.walk_egress_m <= 600 + 1e-6).all()
    pd.testing.assert_frame_equal(a.trips, b.trips)
    pd.testing.assert_frame_equal(a.stops, b.stops)
    # the load on each trip's legs adds up to the served passengers' boardings
    boardings = 0
    for _, g in a.stops.groupby("vehicle_id"):
        load = g.sort_values("seq").load.to_numpy()
        boardings += int(np.clip(np.diff(np.r_[0, load]), 0, None).sum())
    legs = served.passengers * (1 + served.transfers)
    assert boardings <= legs.sum()  # a trip's boardings net of alightings at the same stop
    assert a.info["trips_run"] == len(tt.trips) == a.stops.vehicle_id.nunique()


def test_lines_outside_the_road_graph_are_an_input_error(net, shared_dir):
    import datetime as dt

    from transit.errors import InputError

    tt = load_timetable(shared_dir / "data/gtfs/vvs-bus-752/vvs-bus-751-only.gtfs.zip", date=dt.date(2020, 6, 15))
    b = lc.booking("r", lc.near("A1"), lc.near("A4"), "07:55")
    with pytest.raises(InputError, match="from the road graph.*the lines do not lie in this region"):
        run(net, tt, [b])


def test_a_full_bus_gets_a_reinforcement_bus_and_nobody_rides_beyond_the_places(net):
    tt = lc.timetable(["08:00"], [])
    groups = [lc.booking(f"g{k}", lc.near("A1"), lc.near("A4"), "07:55", passengers=3) for k in range(3)]
    res = run(net, tt, groups, LineRules(capacity=4))
    assert (res.trips["status"] == "served").all()  # a bus line carries everyone: it sends more buses
    loads = res.stops.groupby("vehicle_id")["load"].max()
    assert sorted(loads.index) == ["A-1", "A-1#2", "A-1#3"]  # 9 passengers, 4 places a bus
    assert (loads <= 4).all() and loads.sum() == 9
    assert res.info["extra_vehicles"] == 2 and res.info["vehicle_duties"] == 3
    one_bus = run(net, tt, groups, LineRules(capacity=None))
    assert res.info["duty_hours"] == pytest.approx(3 * one_bus.info["duty_hours"])


def test_a_long_wait_splits_the_duty(net):
    from transit.timetable.lines import Line, LineStop, Timetable, TimetableTrip

    names = sorted(lc.STOPS)
    idx = {n: i for i, n in enumerate(names)}
    out = tuple(idx[x] for x in lc.LINE_A)
    back = tuple(reversed(out))

    def trip(tid, seq, start):
        times = tuple(lc.hm(start) + 300.0 * p for p in range(len(seq)))
        return TimetableTrip(tid, "A", seq, times, times)

    # out 06:00-06:20, back 06:30-06:50 (a 10-minute turn), back out at 09:00 (a wait of more than 2 hours)
    tt = Timetable(tuple(LineStop(n, n, *lc.STOPS[n]) for n in names), (Line("A", "A"),),
                   (trip("out1", out, "06:00"), trip("in1", back, "06:30"), trip("out2", out, "09:00")))
    whole = run(net, tt, [], LineRules(max_layover_min=600.0))
    split = run(net, tt, [], LineRules(max_layover_min=90.0))
    assert whole.info["vehicle_duties"] == 1 and split.info["vehicle_duties"] == 2
    assert whole.info["duty_hours"] == pytest.approx((lc.hm("09:20") - lc.hm("06:00")) / 3600)
    # the break between 06:50 and 09:00 is not paid
    assert split.info["duty_hours"] == pytest.approx((lc.hm("06:50") - lc.hm("06:00") + 20 * 60) / 3600)
