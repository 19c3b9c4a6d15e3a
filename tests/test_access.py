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
    served_by_group,
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


# --------------------------------------------------------------------------- access that respects capacity


def _log(vehicle: str, rows: list[tuple[str, tuple[int, int], float, float, int]]) -> list[dict]:
    """Vehicle-log rows ``(kind, junction, arrival h, departure h, load when leaving)`` on the simcase grid."""
    from simcase import H, latlon

    out = []
    for seq, (kind, ij, arr, dep, load) in enumerate(rows):
        lat, lon = latlon(*ij)
        out.append(dict(model="drt", seed=1, vehicle_id=vehicle, seq=seq, kind=kind, request_id="",
                        lat=lat, lon=lon, arrival=arr * H, departure=dep * H, load=load, wheelchair_load=0,
                        onboard_bookings=int(load > 0), km_from_prev=1.0, empty_km_from_prev=0.0,
                        in_service=True))
    return out


def test_spare_capacity_follows_the_simulated_day() -> None:
    """A probe fits only where a vehicle of the day is empty long enough; free vehicles fit it anyway."""
    from simcase import H, booking, context, fleet, grid_network

    from transit.evaluate.probes import NO_SPARE_VEHICLE, ondemand_availability, ondemand_spare_capacity
    from transit.opmodels.ondemand import OnDemandOptions
    from transit.sim.columns import STOP_COLUMNS

    net = grid_network()
    ctx = context(net)
    opts = OnDemandOptions()
    # v1 is busy (a passenger on board) from 8:00 to 11:00 and drives back and forth; empty before and after
    busy = _log("v1", [("start", (0, 0), 6.0, 7.9, 0), ("pickup", (0, 1), 8.0, 8.0, 1),
                       ("dropoff", (3, 3), 11.0, 11.0, 0), ("end", (0, 0), 11.2, 22.0, 0)])
    probes = [booking(f"p{h}", (1, 0), (2, 2), h) for h in (7.0, 9.0, 10.0, 12.0)]
    one = fleet(1)
    day = ondemand_spare_capacity("drt", one, opts, probes, ctx, pd.DataFrame(busy, columns=STOP_COLUMNS))
    status = dict(zip(day["request_id"], day["status"]))
    assert status == {"p7.0": "served", "p9.0": "rejected", "p10.0": "rejected", "p12.0": "served"}
    assert set(day.loc[day["status"] == "rejected", "reason"]) == {NO_SPARE_VEHICLE}
    # with the vehicles free, every probe is served (what the service offers)
    free = ondemand_availability("drt", one, opts, probes, ctx)
    assert (free["status"] == "served").all()
    # a second vehicle that the day left empty takes the 9:00 and 10:00 probes
    two = fleet(2)
    idle = _log("v2", [("start", (0, 0), 6.0, 22.0, 0), ("end", (0, 0), 22.0, 22.0, 0)])
    both = pd.DataFrame(busy + idle, columns=STOP_COLUMNS)
    day2 = ondemand_spare_capacity("drt", two, opts, probes, ctx, both)
    assert (day2["status"] == "served").all()
    assert set(day2.loc[day2["request_id"].isin(["p9.0", "p10.0"]), "vehicle_id"]) == {"v2"}
    # a gap too short for the detour does not count: v1 empty 7:00-7:05 between two stops far apart
    tight = _log("v1", [("start", (0, 0), 6.0, 6.0, 1), ("dropoff", (3, 3), 7.0, 7.0, 0),
                        ("pickup", (3, 0), 7.1, 7.1, 1), ("dropoff", (0, 3), 21.0, 21.0, 0),
                        ("end", (0, 0), 21.2, 22.0, 0)])
    day3 = ondemand_spare_capacity("drt", one, opts, [booking("q", (1, 0), (2, 2), 7.0)], ctx,
                                   pd.DataFrame(tight, columns=STOP_COLUMNS))
    assert day3["status"].tolist() == ["rejected"]


def test_one_bus_and_four_buses_differ_in_access_on_the_day() -> None:
    """The issue-12 case: the offer (free vehicles) is the same for 1 and 4 buses, the day's access is not."""
    from simcase import booking, context, fleet, grid_network

    from transit.evaluate.probes import probe_trips, spare_capacity_trips
    from transit.opmodels.ondemand import OnDemandModel, OnDemandOptions
    from transit.sim import SimSettings

    net = grid_network()
    ctx = context(net)
    fast = SimSettings(reopt_interval_min=20, cutoff_iterations=20, reopt_iterations=10)
    rng = np.random.default_rng(3)
    pts = [(int(i), int(j)) for i, j in rng.integers(0, 4, size=(120, 2))]
    demand = [booking(f"r{k}", pts[k], pts[-k - 1], 7.0 + 10.0 * k / 120) for k in range(120)
              if pts[k] != pts[-k - 1]]  # about 100 trips from 7:00 to 17:00: too many for one bus
    probes = [booking(f"p{h}", (0, 0), (3, 3), float(h)) for h in range(7, 19)]
    hours = {}
    for n in (1, 4):
        model = OnDemandModel("drt", fleet(n), OnDemandOptions(sim=fast))
        run = model.run(demand, ctx, seed=1, rng=np.random.default_rng(1))
        offered = probe_trips(model, probes, ctx)
        on_day = spare_capacity_trips(model, probes, ctx, run.stops)
        served = (run.trips["status"] == "served").mean()
        hours[n] = ((offered["status"] == "served").sum(), (on_day["status"] == "served").sum(), served)
    assert hours[1][0] == hours[4][0] == len(probes)  # the offer ignores how busy the buses are
    assert hours[1][2] < hours[4][2]  # four buses serve more of the demand ...
    assert hours[1][1] < hours[4][1]  # ... and leave more room for one more traveller


def test_empty_cells_say_why(three_places) -> None:
    reg = access_region(three_places)
    plan = probe_plan(reg, first_hour=6, last_hour=7, targets=("centre", "doctor", "jobcenter"))
    h = 3600.0
    rows = []
    for pid in plan["probe_id"]:
        if pid.startswith("probe-000-centre"):  # Adorf -> centre: buses, but only 2 h after the hour
            rows.append(_probe_trip(pid, True, t=6 * h, board=8 * h, d2d=9000))
        elif pid.startswith("probe-000-jobcenter"):
            rows.append({**_probe_trip(pid, False, t=6 * h), "reason": "no stop within 600 m of the drop-off"})
        elif pid.startswith("probe-001-centre"):
            rows.append({**_probe_trip(pid, False, t=6 * h), "reason": "next bus 95 min after the requested time"})
        else:
            rows.append(_probe_trip(pid, False, t=6 * h))
    trips = pd.DataFrame(rows, columns=list(TRIP_COLUMNS))
    acc = access_from_probes(plan, trips, max_wait_min=60, targets=("centre", "doctor", "jobcenter"))
    a = acc.set_index("village")
    assert a.loc["Adorf", "why_centre"].startswith("not reachable: every trip leaves more than 60 min")
    assert a.loc["Adorf", "why_jobcenter"] == "no service: no stop within 600 m of the drop-off"
    assert a.loc["Bedorf", "why_centre"] == "not reachable: next bus 95 min after the requested time"
    # Adorf's own doctor is 100 m from its centre point: walkable, not "unreachable"
    walk = reg.targets.set_index(["village", "target"]).loc[("Adorf", "doctor"), "walk_m"]
    assert 0 < walk < 600
    assert a.loc["Adorf", "why_doctor"] == f"walkable ({walk:.0f} m)"
    assert (acc["why_centre"] != "").all() and math.isnan(a.loc["Adorf", "d2d_centre_min"])


def test_served_by_group_and_purpose_and_per_day() -> None:
    trips = pd.DataFrame(
        {
            "model": ["m"] * 6,
            "seed": [1, 1, 1, 2, 2, 2],
            "request_id": list("abcdef"),
            "home_zone": ["Adorf"] * 5 + [""],
            "purpose": ["work", "work", "doctor", "work", "", "work"],
            "group": ["commuters", "commuters", "no car", "commuters", "no car", "x"],
            "status": ["served", "rejected", "served", "served", "rejected", "served"],
        }
    )
    g = served_by_group(trips).set_index(["group", "purpose"])
    assert g.loc[("commuters", "work"), "requests"] == 3 and g.loc[("commuters", "work"), "served"] == 2
    assert g.loc[("no car", "unknown"), "served_share"] == 0.0
    assert len(g) == 3  # the trip without a home zone is left out
    s = served_shares(trips).set_index("village")
    assert s.loc["Adorf", "served_per_day"] == pytest.approx(3 / 2)  # 3 served over 2 days
    assert set(served_by_group(trips.drop(columns="group"))["group"]) == {"all"}
