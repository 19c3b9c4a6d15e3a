"""On-demand models (door to door, between stops) on a tiny grid of villages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simcase import H, booking, context, fleet, grid_network, latlon
from transit.darp.checker import check
from transit.errors import InputError
from transit.opmodels.ondemand import OnDemandModel, OnDemandOptions, ServiceArea, StopPoints, parse_ondemand_options, parse_sim_settings
from transit.sim import SimSettings
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS
from transit.road.walking import WalkParams

FAST = SimSettings(reopt_interval_min=20, cutoff_iterations=20, reopt_iterations=10)


@pytest.fixture(scope="module")
def net():
    return grid_network()


def _run(model, bookings, net, seed=1):
    return model.run(bookings, context(net), seed=seed, rng=np.random.default_rng(0))


def _conserved(run, bookings):
    t = run.trips
    assert list(t.columns) == list(TRIP_COLUMNS) and list(run.stops.columns) == list(STOP_COLUMNS)
    assert t["request_id"].tolist() == [b.request_id for b in bookings]
    assert set(t["status"]) <= {"served", "rejected"}
    rej = t[t["status"] == "rejected"]
    assert (rej["reason"].str.len() > 0).all()
    served = set(t.loc[t["status"] == "served", "request_id"])
    stops = run.stops
    assert set(stops.loc[stops["kind"] == "pickup", "request_id"]) == served
    assert set(stops.loc[stops["kind"] == "dropoff", "request_id"]) == served


def test_door_to_door_area_and_size(net):
    area = ServiceArea((latlon(-0.5, -0.5), latlon(-0.5, 2.5), latlon(2.5, 2.5), latlon(2.5, -0.5)))
    bookings = [
        booking("in", (0, 1), (2, 2), 8.0),
        booking("out", (0, 1), (3, 3), 8.0),  # drop-off outside the area
        booking("big", (1, 1), (2, 0), 9.0, passengers=5),
        booking("live", (2, 0), (0, 2), 10.0, booked_at=9.5),
    ]
    model = OnDemandModel("drt", fleet(1), OnDemandOptions(area=area, sim=FAST))
    run = _run(model, bookings, net)
    _conserved(run, bookings)
    assert check(run.day.problem, run.day.plan) == []
    t = run.trips.set_index("request_id")
    assert t.loc["in", "status"] == "served" and t.loc["live", "status"] == "served"
    assert t.loc["out", "reason"] == "outside the service area"
    assert t.loc["big", "reason"].startswith("larger than every vehicle")
    row = t.loc["in"]
    assert row["walk_s"] == 0 and row["transfers"] == 0
    assert row["direct_s"] == pytest.approx(3 * 120.0) and row["direct_m"] == pytest.approx(3000.0)
    assert row["in_vehicle_s"] == pytest.approx(row["alight_time"] - row["board_time"])
    assert row["wait_s"] == pytest.approx(row["board_time"] - 8 * H)
    assert row["door_to_door_s"] == pytest.approx(row["alight_time"] - 8 * H)
    assert row["promised_earliest"] <= row["board_time"] <= row["promised_latest"]
    assert 0 <= row["wait_s"] <= 15 * 60 + 1e-6
    v = run.stops
    assert v["kind"].iloc[0] == "start" and v["kind"].iloc[-1] == "end"
    # km of the route add up to the road distances; nobody on board on the way out of the depot
    assert v["km_from_prev"].sum() > 0 and not bool(v["in_service"].iloc[1])
    assert run.info["fleet_vehicles"] == 1.0


def test_ride_time_cap_shorter_than_the_trip(net):
    b = [booking("long", (0, 0), (3, 3), 9.0), booking("short", (0, 0), (0, 1), 9.0)]
    model = OnDemandModel("drt", fleet(1), OnDemandOptions(sim=FAST))
    run = model.run(b, context(net, max_ride_min=5), seed=0, rng=np.random.default_rng(0))
    t = run.trips.set_index("request_id")
    assert t.loc["long", "reason"] == "the direct trip is longer than the maximum ride time (5 min)"
    assert t.loc["short", "status"] == "served"


def test_arrival_booking_is_on_time(net):
    b = [booking("arr", (0, 0), (3, 3), 9.0, time_type="arrival")]
    run = _run(OnDemandModel("drt", fleet(1), OnDemandOptions(sim=FAST)), b, net)
    row = run.trips.iloc[0]
    assert row["status"] == "served"
    assert 9 * H - 15 * 60 - 1e-6 <= row["alight_time"] <= 9 * H + 1e-6
    assert row["wait_s"] == pytest.approx(9 * H - row["alight_time"])


def test_between_stops_walks_to_the_nearest_stop(net):
    stops = StopPoints(np.array([latlon(0, 0)[0], latlon(3, 3)[0]]), np.array([latlon(0, 0)[1], latlon(3, 3)[1]]))
    walk = WalkParams(max_walk_m=1100.0, method="detour", detour_factor=1.0)
    opts = OnDemandOptions(stop_based=True, stops=stops, walk=walk, sim=FAST)
    bookings = [
        booking("near", (0, 1), (3, 2), 8.0),  # 1 km walk to (0,0), 1 km from (3,3)
        booking("far", (1, 2), (3, 3), 8.0),  # nearest stop more than 1.1 km away
        booking("same", (0, 0), (0, 1), 8.0),  # both ends nearest to the same stop
    ]
    model = OnDemandModel("stops", fleet(1), opts)
    assert model.kind == "ondemand_stops"
    run = _run(model, bookings, net)
    _conserved(run, bookings)
    assert check(run.day.problem, run.day.plan) == []
    t = run.trips.set_index("request_id")
    near = t.loc["near"]
    assert near["status"] == "served"
    assert near["walk_access_m"] == pytest.approx(1000.0, rel=0.02)
    assert near["walk_egress_m"] == pytest.approx(1000.0, rel=0.02)
    assert near["walk_s"] == pytest.approx((near["walk_access_m"] + near["walk_egress_m"]) / walk.speed_ms)
    walk_in = near["walk_access_m"] / walk.speed_ms
    assert near["board_time"] >= 8 * H + walk_in - 1e-6  # cannot board before reaching the stop
    assert near["door_to_door_s"] == pytest.approx(near["alight_time"] + near["walk_egress_m"] / walk.speed_ms - 8 * H)
    assert t.loc["far", "reason"] == "no stop within 1100 m of the pickup"
    assert "same stop" in t.loc["same", "reason"]
    # the vehicle stops at the stops, not at the doors
    pick = run.stops[run.stops["request_id"] == "near"].iloc[0]
    assert (pick["lat"], pick["lon"]) == pytest.approx(latlon(0, 0), abs=1e-6)


def test_same_seed_identical_logs(net):
    rng = np.random.default_rng(7)
    bookings = []
    for k in range(24):
        a = tuple(int(x) for x in rng.integers(0, 4, 2))
        b = tuple(int(x) for x in rng.integers(0, 4, 2))
        if a == b:
            continue
        t = float(rng.uniform(7, 18))
        bookings.append(booking(f"r{k}", a, b, t, booked_at=None if k % 2 else t - 0.5))
    model = OnDemandModel("drt", fleet(2), OnDemandOptions(sim=FAST))
    r1 = _run(model, bookings, net, seed=3)
    r2 = _run(OnDemandModel("drt", fleet(2), OnDemandOptions(sim=FAST)), bookings, net, seed=3)
    pd.testing.assert_frame_equal(r1.trips, r2.trips)
    pd.testing.assert_frame_equal(r1.stops, r2.stops)
    _conserved(r1, bookings)


def test_options_from_a_scenario_table():
    opts = parse_ondemand_options(
        {
            "area": [[50.0, 11.0], [50.0, 11.1], [50.1, 11.1]],
            "stop_based": True,
            "virtual_stops": "grid",
            "grid_spacing_m": 500,
            "walk": {"max_walk_m": 400},
            "service": {"pickup_window_min": 10},
            "sim": {"reopt_interval_min": 30, "reopt_iterations": 50},
        },
        source="s.toml",
        table="models[2]",
    )
    assert opts.stop_based and opts.virtual_stops == "grid" and opts.walk.max_walk_m == 400
    assert opts.service.pickup_window_min == 10 and opts.sim.reopt_iterations == 50
    with pytest.raises(InputError, match=r"models\[2\]: unknown key 'are'"):
        parse_ondemand_options({"are": []}, source="s.toml", table="models[2]")
    with pytest.raises(InputError, match="area"):
        parse_ondemand_options({"area": [[50.0, 11.0]]}, source="s.toml", table="m")
    with pytest.raises(InputError, match="sim.reopt_iterations"):
        parse_sim_settings({"reopt_iterations": 1.5}, table="sim")


def test_sim_settings_take_whole_group_sizes_and_the_search_table():
    sim = parse_sim_settings({"reopt_group_vehicles": 25, "search": {"polish_vehicles": 10}}, table="sim")
    assert sim.reopt_group_vehicles == 25 and isinstance(sim.reopt_group_vehicles, int)
    assert sim.search.polish_vehicles == 10 and sim.search.polish_passes == 3
    with pytest.raises(InputError, match=r"s.toml: sim.reopt_group_vehicles: must be a whole number"):
        parse_sim_settings({"reopt_group_vehicles": 2.5}, source="s.toml", table="sim")
    with pytest.raises(InputError, match=r"sim.search: must be a table"):
        parse_sim_settings({"search": 3}, table="sim")
    with pytest.raises(InputError, match=r"sim.search: unknown key 'polish_vehicle'"):
        parse_sim_settings({"search": {"polish_vehicle": 3}}, table="sim")


def test_a_day_without_bookings(net):
    """Nobody books: the buses are still on duty all shift (and cost), but drive nowhere."""
    run = _run(OnDemandModel("drt", fleet(2), OnDemandOptions(sim=FAST)), [], net)
    assert run.trips.empty and list(run.trips.columns) == list(TRIP_COLUMNS)
    assert list(run.stops.columns) == list(STOP_COLUMNS)
    assert run.stops["kind"].tolist() == ["start", "end", "start", "end"]
    assert run.stops["km_from_prev"].sum() == 0
    assert run.stops.groupby("vehicle_id")["departure"].max().tolist() == [22 * H, 22 * H]


def test_a_vehicle_with_a_passenger_on_board_does_not_wait(net):
    """Once someone is on board the vehicle drives on, even when its next job is much later.

    (The schedule used to delay the departure up to the passenger's ride limit.)"""
    model = OnDemandModel("d", fleet(1), OnDemandOptions(sim=FAST))
    first = booking("a", (0, 0), (0, 1), 8.0, booked_at=7.0)   # 120 s direct
    later = booking("b", (0, 1), (3, 3), 9.0, booked_at=7.0)  # far later: slack after the drop-off
    run = _run(model, [first, later], net)
    a = run.trips.set_index("request_id").loc["a"]
    assert a.status == "served"
    # boarding (1 min + 0.5 min per passenger) plus the 120-s drive, not 1.5 x 120 s + 5 min
    assert a.in_vehicle_s <= a.direct_s + 90.0 + 1.0


def test_school_trips_are_left_to_the_school_buses_unless_the_service_takes_them(net):
    from dataclasses import replace

    from transit.opmodels.ondemand import SCHOOL_REASON
    from transit.sim.columns import TripLabel

    b = [booking("p", (0, 0), (0, 2), 7.5, booked_at=-10.0), booking("s", (0, 0), (0, 2), 9.0, booked_at=-10.0)]
    labels = {"p": TripLabel("Dorf", "school", "pupil"), "s": TripLabel("Dorf", "shopping", "senior")}
    ctx = replace(context(net), labels=labels)
    t = OnDemandModel("d", fleet(1), OnDemandOptions(sim=FAST)).run(b, ctx, seed=1, rng=np.random.default_rng(0))
    trips = t.trips.set_index("request_id")
    assert trips.loc["p", "reason"] == SCHOOL_REASON and trips.loc["s", "status"] == "served"
    both = OnDemandModel("d", fleet(1), OnDemandOptions(sim=FAST, school_trips="serve"))
    t2 = both.run(b, ctx, seed=1, rng=np.random.default_rng(0)).trips.set_index("request_id")
    assert (t2["status"] == "served").all()
    with pytest.raises(InputError, match="school_trips"):
        parse_ondemand_options({"school_trips": "sometimes"}, source="s.toml", table="models[0]")
