"""Access per village: a hand-made region, hand-made probe results, known answers."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from compare_fakes import TaxiModel

from transit.evaluate.access import (
    ACCESS_COLUMNS,
    access_from_probes,
    access_region,
    access_table,
    probe_plan,
    run_probes,
    served_shares,
)
from transit.demand import Destination, Zone
from transit.errors import InputError
from transit.opmodels.base import DayContext
from transit.sim.columns import TRIP_COLUMNS


@pytest.fixture
def three_places():
    """A town and two villages; two doctors, a Jobcenter in town, no station."""
    zones = (
        Zone("Stadt", "town", 10000, 51.60, 11.50),
        Zone("Adorf", "village", 300, 51.65, 11.50),
        Zone("Bedorf", "village", 200, 51.55, 11.50),
    )
    dests = (
        Destination("Praxis Adorf", "doctor", 51.651, 11.501),
        Destination("Praxis Stadt", "doctor", 51.601, 11.501),
        Destination("Jobcenter Stadt", "jobcenter", 51.602, 11.502),
        Destination("Apotheke", "pharmacy", 51.603, 11.503),
    )
    # car seconds from each zone to each destination
    t = np.array(
        [
            [700.0, 60.0, 90.0, 100.0],
            [60.0, 650.0, 660.0, 670.0],  # Adorf: its own doctor is nearest
            [1300.0, 600.0, 610.0, 620.0],  # Bedorf: the town's doctor is nearer
        ]
    )
    return SimpleNamespace(zones=zones, destinations=dests, zone_to_dest_s=t)


def test_region_picks_centre_villages_and_nearest_destinations(three_places) -> None:
    reg = access_region(three_places)
    assert reg.centre == "Stadt"
    assert list(reg.villages["name"]) == ["Adorf", "Bedorf"]
    t = reg.targets.set_index(["village", "target"])
    assert t.loc[("Adorf", "doctor"), "name"] == "Praxis Adorf"
    assert t.loc[("Bedorf", "doctor"), "name"] == "Praxis Stadt"
    assert t.loc[("Bedorf", "jobcenter"), "name"] == "Jobcenter Stadt"
    assert t.loc[("Adorf", "centre"), "lat"] == pytest.approx(51.60)
    assert ("Adorf", "station") not in t.index  # no station in the region
    # an explicit centre, and a wrong one
    assert access_region(three_places, centre="Adorf").centre == "Adorf"
    with pytest.raises(InputError, match="Nirgendwo"):
        access_region(three_places, centre="Nirgendwo")


def test_probe_plan_counts_and_batches(three_places) -> None:
    reg = access_region(three_places)
    plan = probe_plan(reg, first_hour=6, last_hour=8)
    # per village: centre, doctor, jobcenter outbound (3 hours each) + 3 return probes
    assert len(plan) == 2 * (3 * 3 + 3)
    assert plan["probe_id"].is_unique
    assert set(plan["batch"]) == {"Adorf", "Bedorf"}
    back = plan[plan["direction"] == "back"]
    assert (back["origin_lat"] == 51.60).all()
    assert sorted(plan["time"].unique()) == [6 * 3600.0, 7 * 3600.0, 8 * 3600.0]


def _probe_trip(pid: str, served: bool, *, t: float, board: float | None = None, d2d: float | None = None) -> dict:
    row = {c: math.nan for c in TRIP_COLUMNS}
    row.update(request_id=pid, status="served" if served else "rejected", requested_time=t)
    if served:
        row.update(board_time=board, wait_s=board - t, door_to_door_s=d2d)
    return row


def test_access_figures_from_hand_made_probe_results(three_places) -> None:
    reg = access_region(three_places)
    plan = probe_plan(reg, first_hour=6, last_hour=8, targets=("centre", "doctor"))
    h = 3600.0
    rows = [
        # Adorf -> centre: 6:00 rejected; 7:00 boards 7:10, 30 min door to door; 8:00 boards 9:30 (too long a wait)
        _probe_trip("probe-000-centre-06", False, t=6 * h),
        _probe_trip("probe-000-centre-07", True, t=7 * h, board=7 * h + 600, d2d=1800),
        _probe_trip("probe-000-centre-08", True, t=8 * h, board=9.5 * h, d2d=7200),
        # Adorf -> doctor: 20 and 40 minutes door to door
        _probe_trip("probe-000-doctor-06", True, t=6 * h, board=6 * h + 300, d2d=1200),
        _probe_trip("probe-000-doctor-07", True, t=7 * h, board=7 * h + 300, d2d=2400),
        _probe_trip("probe-000-doctor-08", False, t=8 * h),
        # centre -> Adorf: 6:00 boards 6:05, 7:00 rejected, 8:00 boards 8:20
        _probe_trip("probe-000-back-06", True, t=6 * h, board=6 * h + 300, d2d=1500),
        _probe_trip("probe-000-back-07", False, t=7 * h),
        _probe_trip("probe-000-back-08", True, t=8 * h, board=8 * h + 1200, d2d=2400),
    ]
    # Bedorf: everything rejected
    rows += [_probe_trip(pid, False, t=0.0) for pid in plan["probe_id"] if pid.startswith("probe-001")]
    trips = pd.DataFrame(rows, columns=list(TRIP_COLUMNS))
    acc = access_from_probes(plan, trips, max_wait_min=60, targets=("centre", "doctor")).set_index("village")
    a = acc.loc["Adorf"]
    assert a["d2d_centre_min"] == pytest.approx(30.0)
    assert a["d2d_doctor_min"] == pytest.approx(30.0)  # median of 20 and 40
    assert a["earliest_arrival_centre_s"] == pytest.approx(7.5 * h)
    assert a["earliest_arrival_centre"] == "07:30"
    assert a["latest_return_s"] == pytest.approx(8 * h + 1200)
    assert a["latest_return"] == "08:20"
    assert a["hours_to_centre"] == 1
    assert a["hours_from_centre"] == 2
    b = acc.loc["Bedorf"]
    assert b["hours_to_centre"] == 0 and math.isnan(b["d2d_centre_min"]) and b["latest_return"] == ""


def test_served_share_pools_seeds_per_home_village() -> None:
    trips = pd.DataFrame(
        {
            "model": ["m"] * 5 + ["n"],
            "seed": [1, 1, 2, 2, 2, 1],
            "request_id": ["a", "b", "a", "b", "c", "a"],
            "home_zone": ["Adorf", "Adorf", "Adorf", "Bedorf", "", "Adorf"],
            "status": ["served", "rejected", "served", "served", "served", "rejected"],
        }
    )
    s = served_shares(trips).set_index(["model", "village"])
    assert s.loc[("m", "Adorf"), "requests"] == 3
    assert s.loc[("m", "Adorf"), "served"] == 2
    assert s.loc[("m", "Adorf"), "served_share"] == pytest.approx(2 / 3)
    assert s.loc[("m", "Bedorf"), "served_share"] == 1.0
    assert s.loc[("n", "Adorf"), "served_share"] == 0.0
    assert len(s) == 3  # the booking without a home zone is left out


def test_probes_through_a_model_run_batch_by_batch(three_places) -> None:
    reg = access_region(three_places)
    plan = probe_plan(reg, first_hour=5, last_hour=23)
    calls: list[int] = []
    model = TaxiModel("taxi", start_h=6.0, end_h=20.0, wait_min=10.0, calls=calls)
    ctx = DayContext(network=None, service=None)
    trips = run_probes(model, ctx, plan)
    assert calls == [4 * 19, 4 * 19]  # one day per village: 3 targets and the way back, 19 hours
    acc = access_from_probes(plan, trips).set_index("village")
    # the taxi runs 6:00-20:00 (last probe 19:00): 14 hours, 10 min wait
    assert acc.loc["Adorf", "hours_to_centre"] == 14
    assert acc.loc["Adorf", "latest_return_s"] == pytest.approx(19 * 3600 + 600)
    assert acc.loc["Adorf", "d2d_centre_min"] > 10.0
    table = access_table(reg, ["taxi", "none"], trips=None, probed={"taxi": acc.reset_index()})
    assert tuple(table.columns) == ACCESS_COLUMNS
    assert len(table) == 4
    none = table[table["model"] == "none"]
    assert none["hours_to_centre"].isna().all() and (none["requests"] == 0).all()


def test_ondemand_availability_follows_shifts_area_and_window(repo_dir) -> None:
    from transit.demand.bookings import Booking
    from transit.darp.fleet import parse_fleet
    from transit.road.graph import build_graph
    from transit.opmodels.ondemand import OnDemandModel, OnDemandOptions, ServiceArea
    from transit.evaluate.probes import probe_trips
    from transit.darp.service import ServiceRules
    from transit.road.travel import RoadNetwork

    net = RoadNetwork.from_graph(build_graph(repo_dir / "instances" / "default" / "district.osm.gz"))
    depot = (51.5915402, 11.5129492)  # Sangerhain, Bahnhof
    fleet = parse_fleet({"vehicle": [{"id": "v", "depot_lat": depot[0], "depot_lon": depot[1], "seats": 4,
                                      "shift_start": "08:00", "shift_end": "10:00"}]}, source="test")
    area = ServiceArea(((51.55, 11.45), (51.70, 11.45), (51.70, 11.70), (51.55, 11.70)))
    model = OnDemandModel("drt", fleet, OnDemandOptions(area=area))
    rules = ServiceRules(pickup_window_min=15)
    ctx = DayContext(network=net, service=rules)
    home, centre = (51.6378602, 11.6200444), (51.5974136, 11.5080119)  # Wipperau -> Sangerhain, Markt
    h = 3600.0
    probes = [
        Booking("early", *home, *centre, time=7 * h),  # before the shift: no vehicle in the window
        Booking("first", *home, *centre, time=8 * h),  # the vehicle needs the drive from the depot
        Booking("mid", *home, *centre, time=9 * h),  # free vehicle: no wait
        Booking("late", *home, *centre, time=9.9 * h),  # cannot finish before 10:00
        Booking("away", 51.50, 11.47, *centre, time=9 * h),  # outside the area
        Booking("big", *home, *centre, time=9 * h, passengers=5),  # more than 4 seats
    ]
    t = probe_trips(model, probes, ctx).set_index("request_id")
    nodes = net.snap_distances([depot[0], home[0], centre[0]], [depot[1], home[1], centre[1]]).node
    tt, _ = net.matrix(nodes, nodes)
    to_home, direct = tt[0, 1], tt[1, 2]
    assert to_home < 15 * 60  # the depot is within the pickup window's reach
    s = rules.service_time_s(1)
    assert t.loc["early", "status"] == "rejected"
    assert t.loc["first", "status"] == "served"
    assert t.loc["first", "wait_s"] == pytest.approx(to_home)
    assert t.loc["first", "door_to_door_s"] == pytest.approx(to_home + s + direct)
    assert t.loc["mid", "wait_s"] == 0.0
    assert t.loc["mid", "door_to_door_s"] == pytest.approx(s + direct)
    assert t.loc["late", "status"] == "rejected"
    assert t.loc["away", "reason"] == "outside the service area"
    assert t.loc["big", "status"] == "rejected"


def test_places_with_the_same_name_are_told_apart(three_places) -> None:
    zones = (*three_places.zones, Zone("Adorf", "village", 120, 51.70, 11.40))
    t = np.vstack([three_places.zone_to_dest_s, [[900.0, 800.0, 800.0, 800.0]]])
    reg = access_region(SimpleNamespace(zones=zones, destinations=three_places.destinations, zone_to_dest_s=t))
    assert list(reg.villages["name"]) == ["Adorf", "Bedorf", "Adorf (2)"]
    plan = probe_plan(reg, first_hour=6, last_hour=6)
    assert plan.groupby("village").size().to_dict() == {"Adorf": 4, "Adorf (2)": 4, "Bedorf": 4}
    assert plan[plan.village == "Adorf (2)"]["origin_lat"].iloc[0] == 51.70


def test_fixed_line_probes_in_one_run_equal_batch_by_batch(repo_dir) -> None:
    """The fast path (all probes in one run) answers exactly as days of one village and direction."""
    from transit.demand import DemandRegion, destinations_from_osm, zones_from_osm
    from transit.timetable.lines import load_timetable
    from transit.road.graph import build_graph
    from transit.opmodels.fixed_line import FixedLineModel
    from transit.road.travel import RoadNetwork

    osm = repo_dir / "instances" / "default" / "district.osm.gz"
    net = RoadNetwork.from_graph(build_graph(osm))
    region = DemandRegion.build(net, zones_from_osm(osm), destinations_from_osm(osm))
    reg = access_region(region)
    plan = probe_plan(reg, first_hour=6, last_hour=20)
    plan = plan[plan["village"].isin(list(reg.villages["name"][:8]))]
    model = FixedLineModel("line", load_timetable(repo_dir / "instances" / "default" / "gtfs"))
    ctx = DayContext(network=net, service=None)
    fast = access_from_probes(plan, run_probes(model, ctx, plan))
    from transit.evaluate.access import probe_bookings

    slow_trips = pd.concat(
        [model.run(bs, ctx, seed=0, rng=np.random.default_rng(0)).trips for bs in probe_bookings(plan).values()]
    )
    slow = access_from_probes(plan, slow_trips)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["hours_to_centre"].max() > 0  # some villages lie on a line
