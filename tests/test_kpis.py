"""KPIs on a tiny trip log and vehicle log computed by hand."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from transit.evaluate.costs import parse_costs
from transit.evaluate.kpis import KPI_COLUMNS, kpi_frame, kpis, rejection_table
from transit.opmodels.base import ModelRun
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS

KM_PER_DEG_LAT = 2 * math.pi * 6371.0088 / 360


def _trip(**kw):
    row = {c: np.nan for c in TRIP_COLUMNS}
    row.update(model="drt", seed=7, home_zone="", purpose="", reason="", vehicle_id="", transfers=0)
    row.update(walk_access_m=0.0, walk_egress_m=0.0, walk_s=0.0)
    row.update(kw)
    return row


@pytest.fixture
def two_riders_one_bus() -> ModelRun:
    """A (1 pax, departure) and B (2 pax, arrival) share a bus; C is rejected."""
    trips = pd.DataFrame(
        [
            _trip(request_id="A", passengers=1, wheelchair=0, pickup_lat=51.0, pickup_lon=11.0,
                  dropoff_lat=51.09, dropoff_lon=11.0, time_type="departure", requested_time=29000,
                  status="served", vehicle_id="bus", board_time=29400, alight_time=30600,
                  wait_s=400, in_vehicle_s=1200, door_to_door_s=1600, direct_s=800, direct_m=10000),
            _trip(request_id="B", passengers=2, wheelchair=0, pickup_lat=51.0, pickup_lon=11.0,
                  dropoff_lat=51.045, dropoff_lon=11.0, time_type="arrival", requested_time=31500,
                  status="served", vehicle_id="bus", board_time=30000, alight_time=31200,
                  wait_s=300, in_vehicle_s=1200, door_to_door_s=1200, direct_s=600, direct_m=8000),
            _trip(request_id="C", passengers=1, wheelchair=0, pickup_lat=52.0, pickup_lon=11.0,
                  dropoff_lat=52.1, dropoff_lon=11.0, time_type="departure", requested_time=30000,
                  status="rejected", reason="outside the service area", direct_s=900, direct_m=12000),
        ],
        columns=TRIP_COLUMNS,
    )
    rows = [
        # kind, request, arrival, departure, load, onboard, km, empty_km, in_service
        ("start", "", 28800, 28800, 0, 0, 0.0, 0.0, False),
        ("pickup", "A", 29400, 29460, 1, 1, 5.0, 5.0, False),
        ("pickup", "B", 30000, 30060, 3, 2, 4.0, 0.0, True),
        ("dropoff", "A", 30600, 30660, 2, 1, 6.0, 0.0, True),
        ("dropoff", "B", 31200, 31260, 0, 0, 5.0, 0.0, True),
        ("end", "", 31800, 32400, 0, 0, 5.0, 5.0, False),
    ]
    stops = pd.DataFrame(
        [
            dict(model="drt", seed=7, vehicle_id="bus", seq=k, kind=kind, request_id=r, lat=51.0, lon=11.0,
                 arrival=a, departure=d, load=ld, wheelchair_load=0, onboard_bookings=ob,
                 km_from_prev=km, empty_km_from_prev=ekm, in_service=ins)
            for k, (kind, r, a, d, ld, ob, km, ekm, ins) in enumerate(rows)
        ],
        columns=STOP_COLUMNS,
    )
    return ModelRun(model="drt", kind="ondemand", trips=trips, stops=stops, info={"fleet": 1.0})


@pytest.fixture
def rates():
    """Round cost rates, independent of the bundled defaults."""
    return parse_costs(
        {
            "vehicle_types": {"minibus_diesel": {"cost_per_hour": 10.0, "cost_per_km": 0.5, "kg_co2e_per_km": 0.3}},
            "staff": {"driver": {"wage_per_hour": 30.0, "sign_on_off_min": 12.0}},
            "dispatch": {"cost_per_booking": 2.0, "platform_per_vehicle_day": 5.0},
            "fares": {"season_ticket_share": 0.25},
            "tariffs": {"msh_mobil": {"base": 3.0, "per_km": 0.4, "season_base": 1.0, "season_per_km": 0.1}},
            "kinds": {"ondemand": {"vehicle_type": "minibus_diesel", "tariff": "msh_mobil", "staff": "driver",
                                    "dispatch": True}},
        },
        source="test",
    )


def test_service_and_time_kpis(two_riders_one_bus, rates):
    k = kpis(two_riders_one_bus, rates)
    assert list(k)[: len(KPI_COLUMNS)] == list(KPI_COLUMNS)
    assert (k["model"], k["kind"], k["seed"]) == ("drt", "ondemand", 7)
    assert (k["requests"], k["served"], k["rejected"]) == (3, 2, 1)
    assert k["served_passengers"] == 3 and k["passengers_requested"] == 4
    assert k["rejected_share"] == pytest.approx(1 / 3)
    assert k["rejection_reasons"] == "outside the service area: 1"
    assert k["wait_mean_min"] == pytest.approx(350 / 60)
    assert k["wait_p90_min"] == pytest.approx(390 / 60)  # 300 + 0.9 * 100 s
    assert k["in_vehicle_mean_min"] == pytest.approx(20.0)
    assert k["door_to_door_mean_min"] == pytest.approx(1400 / 60)
    assert k["car_time_ratio"] == pytest.approx((1600 / 800 + 1200 / 600) / 2)
    assert k["detour_factor"] == pytest.approx((1200 / 800 + 1200 / 600) / 2)
    assert k["walk_mean_m"] == 0.0
    assert k["passengers_per_booking"] == pytest.approx(1.5)
    assert k["info_fleet"] == 1.0


def test_rejections_are_counted_by_kind_not_by_each_bookings_details(two_riders_one_bus, rates):
    late = [
        _trip(request_id=f"L{k}", passengers=1, status="rejected",
              reason=f"booked {m} min before the {dep} bus from A1; it runs only if booked 60 min ahead")
        for k, (m, dep) in enumerate([(30, "08:00"), (45, "10:00")])
    ]
    run = dataclasses.replace(two_riders_one_bus, trips=pd.concat([two_riders_one_bus.trips, pd.DataFrame(late)],
                                                                   ignore_index=True))
    k = kpis(run, rates)
    assert k["rejected"] == 3
    assert k["rejection_reasons"] == "booked with less notice than the bus needs: 2; outside the service area: 1"


def test_vehicle_and_pooling_kpis(two_riders_one_bus, rates):
    k = kpis(two_riders_one_bus, rates)
    assert k["vehicles"] == 1
    assert k["vehicle_km"] == pytest.approx(25.0)
    assert k["empty_km_share"] == pytest.approx(10 / 25)
    assert k["deadhead_km"] == pytest.approx(10.0)
    assert k["vehicle_hours"] == pytest.approx(1.0)
    assert k["vehicle_hours_productive"] == pytest.approx(0.5)
    assert k["passengers_per_vehicle_hour"] == pytest.approx(3.0)
    assert k["boardings_per_vehicle_hour"] == pytest.approx(3.0)  # nobody changed
    # legs: 4 km x 1 + 6 km x 3 + 5 km x 2 passengers; only the 6 km leg had two bookings on board
    assert k["passenger_km"] == pytest.approx(32.0)
    assert k["occupancy"] == pytest.approx(32 / 25)
    assert k["pooling_rate"] == pytest.approx(18 / 32)
    assert k["shared_trip_share"] == pytest.approx(1.0)
    assert k["passenger_km_direct"] == pytest.approx(1 * 10 + 2 * 8)


@pytest.mark.parametrize("first", ["pickup", "dropoff"])
def test_a_hand_over_at_one_stop_is_not_a_shared_ride(two_riders_one_bus, rates, first):
    """A rides to the stop where B gets on; A gets off there, so they never ride together.

    The solver may log the two events of that stop in either order (no
    driving between them); the KPIs must not depend on it.
    """
    # kind, request, driven to this row (0/1), bookings on board after it
    if first == "pickup":
        events = [("pickup", "B", 1, 2), ("dropoff", "A", 0, 1)]
    else:
        events = [("dropoff", "A", 1, 0), ("pickup", "B", 0, 1)]
    stops = two_riders_one_bus.stops.copy()
    rows = [("start", "", 0.0, 0), ("pickup", "A", 5.0, 1)]
    rows += [(kind, r, 6.0 * km, ob) for kind, r, km, ob in events]
    rows += [("dropoff", "B", 5.0, 0), ("end", "", 5.0, 0)]
    for col, vals in zip(["kind", "request_id", "km_from_prev", "onboard_bookings"], zip(*rows)):
        stops[col] = list(vals)
    stops["load"] = [0, 1, 3 if first == "pickup" else 0, 2, 0, 0]
    run = dataclasses.replace(two_riders_one_bus, stops=stops)
    k = kpis(run, rates)
    assert k["shared_trip_share"] == 0.0
    assert k["pooling_rate"] == 0.0  # no km driven with two bookings on board either
    # The same stops with B picked up one km before A gets off: both shared.
    stops.loc[stops["request_id"].eq("A") & stops["kind"].eq("dropoff"), "km_from_prev"] = 1.0
    assert kpis(dataclasses.replace(run, stops=stops), rates)["shared_trip_share"] == (1.0 if first == "pickup" else 0.0)


def test_a_passenger_who_changes_boards_two_buses(two_riders_one_bus, rates):
    trips = two_riders_one_bus.trips.copy()
    trips.loc[trips["request_id"] == "B", "transfers"] = 1  # the 2 passengers of B change once
    k = kpis(dataclasses.replace(two_riders_one_bus, trips=trips), rates)
    assert k["passengers_per_vehicle_hour"] == pytest.approx(3.0)  # journeys: 1 + 2 passengers in 1 hour
    assert k["boardings_per_vehicle_hour"] == pytest.approx(1 + 2 * 2)


def test_cost_kpis(two_riders_one_bus, rates):
    k = kpis(two_riders_one_bus, rates)
    assert k["cost_vehicle"] == pytest.approx(1 * 10.0 + 25 * 0.5)
    assert k["cost_staff"] == pytest.approx((1.0 + 12 / 60) * 30.0)  # the shift plus sign-on/sign-off
    assert k["paid_hours"] == pytest.approx(1.0)
    assert k["cost_dispatch"] == pytest.approx(2 * 2.0)  # the rejected booking costs nothing
    assert k["cost_platform"] == pytest.approx(5.0) and k["cost_standby"] == 0.0
    total = 22.5 + 36 + 4 + 5
    assert k["cost_total"] == pytest.approx(total)
    assert k["cost_per_vehicle_km"] == pytest.approx(total / 25)

    def expected(km):  # a quarter of the riders hold a season ticket
        return 0.75 * (3 + 0.4 * km) + 0.25 * (1 + 0.1 * km)

    fare = 1 * expected(0.09 * KM_PER_DEG_LAT) + 2 * expected(0.045 * KM_PER_DEG_LAT)
    assert k["fare_revenue"] == pytest.approx(fare, rel=1e-6)
    assert k["subsidy"] == pytest.approx(total - fare, rel=1e-6)
    assert k["subsidy_per_passenger"] == pytest.approx((total - fare) / 3, rel=1e-6)
    assert k["subsidy_per_pkm"] == pytest.approx((total - fare) / 26, rel=1e-6)
    assert k["cost_recovery"] == pytest.approx(fare / total, rel=1e-6)
    assert k["co2_kg"] == pytest.approx(25 * 0.3)
    assert k["co2_per_pkm_g"] == pytest.approx(7500 / 26)


def test_nothing_served_gives_nan_not_errors(two_riders_one_bus, rates):
    trips = two_riders_one_bus.trips.assign(status="rejected", reason="no vehicle")
    run = ModelRun("drt", "ondemand", trips, two_riders_one_bus.stops.iloc[0:0])
    k = kpis(run, rates)
    assert k["served"] == 0 and k["rejected_share"] == 1.0
    assert math.isnan(k["wait_mean_min"]) and math.isnan(k["passengers_per_booking"])
    assert k["vehicle_km"] == 0 and math.isnan(k["occupancy"])
    assert k["rejection_reasons"] == "no vehicle: 3"


def test_frame_and_rejection_table(two_riders_one_bus, rates):
    df = kpi_frame([two_riders_one_bus, (two_riders_one_bus, 8)], rates)
    assert list(df.columns[: len(KPI_COLUMNS)]) == list(KPI_COLUMNS)
    assert df["seed"].tolist() == [7, 8]
    rt = rejection_table([two_riders_one_bus])
    assert rt[["model", "reason", "count"]].values.tolist() == [["drt", "outside the service area", 1]]
