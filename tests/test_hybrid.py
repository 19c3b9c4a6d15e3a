"""Hybrid: a trunk line with on-demand feeders and timed transfers at the hub."""

from __future__ import annotations

import numpy as np
import pytest

from simcase import H, booking, context, fleet, grid_network, latlon
from transit.darp.checker import check
from transit.errors import InputError
from transit.timetable.lines import Line, LineStop, Timetable, TimetableTrip
from transit.opmodels.fixed_line import FixedLineModel
from transit.opmodels.hybrid import HybridModel, HybridOptions, parse_hybrid_options
from transit.opmodels.linerules import LineRules
from transit.opmodels.ondemand import OnDemandModel, OnDemandOptions, ServiceArea
from transit.sim import SimSettings
from transit.road.walking import WalkParams

FAST = SimSettings(reopt_interval_min=20, cutoff_iterations=20, reopt_iterations=10)
RIDE = 360.0  # the trunk takes 6 minutes from the hub (0,3) to the centre (0,0)


@pytest.fixture(scope="module")
def net():
    return grid_network()


@pytest.fixture(scope="module")
def trunk() -> Timetable:
    c, h = latlon(0, 0), latlon(0, 3)
    return Timetable(
        stops=(LineStop("C", "Centre", *c), LineStop("H", "Hub", *h)),
        lines=(Line("L1", "1"),),
        trips=(
            TimetableTrip("T1", "L1", (1, 0), (8 * H, 8 * H + RIDE), (8 * H, 8 * H + RIDE)),
            TimetableTrip("T2", "L1", (0, 1), (17 * H, 17 * H + RIDE), (17 * H, 17 * H + RIDE)),
        ),
    )


def _rules():
    return LineRules(walk=WalkParams(max_walk_m=300.0, method="detour"), max_wait_min=60)


VILLAGES = ServiceArea((latlon(1.5, -0.5), latlon(1.5, 3.5), latlon(3.5, 3.5), latlon(3.5, -0.5)))


def test_feeders_meet_the_trunk(net, trunk):
    feeder = OnDemandOptions(area=VILLAGES, sim=FAST)  # feeders serve the villages in rows 2 and 3
    opts = HybridOptions(hubs=("Hub",), transfer_min=3.0, line=_rules(), feeder=feeder)
    model = HybridModel("hyb", trunk, fleet(1, depot=(3, 3)), opts)
    bookings = [
        booking("out", (3, 3), (0, 0), 7.4),  # village -> feeder -> hub -> trunk T1 (08:00) -> centre
        booking("in", (0, 0), (3, 3), 16.95),  # centre -> trunk T2 (17:00) -> hub -> feeder -> village
        booking("trunk", (0, 0), (0, 3), 16.95),  # both doors at the line: the trunk alone
        booking("local", (2, 0), (3, 2), 12.0),  # both doors in the feeder zone: door to door
        booking("late", (3, 3), (0, 0), 8.5, booked_at=8.4),  # after the last trip towards the centre
        booking("away", (1, 1), (1, 2), 10.0),  # outside the villages and beyond walking reach of the line
    ]
    run = model.run(bookings, context(net), seed=0, rng=np.random.default_rng(0))
    t = run.trips.set_index("request_id")
    assert t["status"].to_dict() == {"out": "served", "in": "served", "trunk": "served", "local": "served",
                                     "late": "rejected", "away": "rejected"}
    assert t.loc["away", "reason"] == "outside the feeder area and beyond walking reach of the trunk line"
    assert "no trunk connection" in t.loc["late", "reason"]
    out = t.loc["out"]
    assert out["vehicle_id"] == "v1+T1" and out["transfers"] == 1
    assert out["alight_time"] == pytest.approx(8 * H + RIDE)
    stops = run.stops
    drop = stops[(stops["request_id"] == "out") & (stops["kind"] == "dropoff")].iloc[0]
    assert drop["arrival"] <= 8 * H - 180 + 1e-6  # at the hub 3 minutes before the trunk leaves
    # a timed transfer: asked for 07:24, picked up so as to wait at home, not for half an hour at the hub
    assert 8 * H - drop["arrival"] <= 180 + 20 * 60 + 1e-6  # the transfer time and at most the pickup window
    assert out["board_time"] > 7.4 * H + 60  # later than asked: the wait is at home
    assert (drop["lat"], drop["lon"]) == pytest.approx(latlon(0, 3), abs=1e-6)
    inn = t.loc["in"]
    assert inn["vehicle_id"] == "T2+v1" and inn["transfers"] == 1
    pick = stops[(stops["request_id"] == "in") & (stops["kind"] == "pickup")].iloc[0]
    assert pick["departure"] >= 17 * H + RIDE + 180 - 1e-6  # picked up after the trunk arrived (+3 min)
    assert t.loc["trunk", "vehicle_id"] == "T2" and t.loc["trunk", "transfers"] == 0
    assert t.loc["local", "vehicle_id"] == "v1"
    # The trunk carried 'out' on T1 and 'in' + 'trunk' on T2.
    trunk_rows = stops[stops["kind"] == "stop"].set_index(["vehicle_id", "seq"])
    assert trunk_rows["load"].max() == 2
    assert set(stops.loc[stops["kind"] == "stop", "vehicle_id"]) == {"T1", "T2"}
    assert run.info["bookings_outbound"] == 2 and run.info["bookings_inbound"] == 1
    assert run.info["bookings_local"] == 1 and run.info["bookings_trunk_only"] == 1
    assert check(run.day.problem, run.day.plan) == []


def test_no_trunk_connection_falls_back_to_the_feeder(net, trunk):
    """Without a feeder area the feeders may drive anywhere: no trunk at 08:30 means door to door."""
    opts = HybridOptions(hubs=("Hub",), line=_rules(), feeder=OnDemandOptions(sim=FAST))
    model = HybridModel("hyb", trunk, fleet(1, depot=(3, 3)), opts)
    b = [booking("late", (3, 3), (0, 0), 8.5, booked_at=8.4), booking("out", (3, 3), (0, 0), 7.4)]
    run = model.run(b, context(net), seed=0, rng=np.random.default_rng(0))
    t = run.trips.set_index("request_id")
    assert t.loc["late", "status"] == "served" and t.loc["late", "vehicle_id"] == "v1"
    assert t.loc["late", "transfers"] == 0
    assert t.loc["out", "vehicle_id"] == "v1+T1"
    assert run.info["bookings_local"] == 1 and run.info["bookings_outbound"] == 1
    trunk_load = run.stops[run.stops["kind"] == "stop"]
    assert set(trunk_load.loc[trunk_load["load"] > 0, "vehicle_id"]) == {"T1"}  # only 'out' rode the trunk


def test_line_too_late_served_on_demand(net, trunk):
    """The trunk's only trip to the hub leaves at 17:00: a 12:00 trip is not served by the line but on demand."""
    b = [booking("noon", (0, 0), (0, 3), 12.0)]
    line = FixedLineModel("line", trunk, _rules()).run(b, context(net), seed=0, rng=np.random.default_rng(0))
    assert line.trips["status"].tolist() == ["rejected"]
    drt = OnDemandModel("drt", fleet(1), OnDemandOptions(sim=FAST)).run(b, context(net), seed=0,
                                                                       rng=np.random.default_rng(0))
    assert drt.trips["status"].tolist() == ["served"]


def test_options_and_hubs(trunk):
    opts = parse_hybrid_options(
        {"hubs": ["H"], "transfer_min": 5, "line": {"max_wait_min": 30}, "feeder": {"sim": {"reopt_iterations": 5}}},
        source="s.toml", table="models[4]",
    )
    assert opts.hubs == ("H",) and opts.transfer_min == 5 and opts.line.max_wait_min == 30
    assert opts.feeder.sim.reopt_iterations == 5
    with pytest.raises(InputError, match=r"models\[4\]\.feeder: unknown key 'zone'"):
        parse_hybrid_options({"feeder": {"zone": 1}}, source="s.toml", table="models[4]")
    with pytest.raises(InputError, match="not a stop of the trunk"):
        HybridModel("h", trunk, fleet(1), HybridOptions(hubs=("Nowhere",)))


def test_labels_reach_rejected_rows_and_school_trips_stay_on_school_buses(net, trunk):
    from dataclasses import replace

    from transit.opmodels.ondemand import SCHOOL_REASON
    from transit.sim.columns import TripLabel

    feeder = OnDemandOptions(area=VILLAGES, sim=FAST)
    opts = HybridOptions(hubs=("Hub",), transfer_min=3.0, line=_rules(), feeder=feeder)
    model = HybridModel("hyb", trunk, fleet(1, depot=(3, 3)), opts)
    bookings = [booking("away", (1, 1), (1, 2), 10.0), booking("pupil", (3, 3), (0, 0), 7.4)]
    labels = {"away": TripLabel("Dorf", "doctor", "senior"), "pupil": TripLabel("Dorf", "school", "pupil")}
    ctx = replace(context(net), labels=labels)
    t = model.run(bookings, ctx, seed=0, rng=np.random.default_rng(0)).trips.set_index("request_id")
    assert (t["status"] == "rejected").all()
    assert t.loc["away", "group"] == "senior" and t.loc["away", "home_zone"] == "Dorf"
    assert t.loc["pupil", "purpose"] == "school" and SCHOOL_REASON in t.loc["pupil", "reason"]
