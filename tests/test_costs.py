"""Cost rates: defaults, overrides, errors, and costing a day."""

from __future__ import annotations

import pandas as pd
import pytest

from transit.evaluate.costs import day_costs, default_costs, load_costs, parse_costs
from transit.errors import InputError, InputErrors
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS


def test_defaults_cover_every_model_kind():
    rates = default_costs()
    for kind in ("fixed_line", "rufbus", "ast", "ondemand", "ondemand_stops", "hybrid", "buergerbus"):
        kc = rates.for_kind(kind)
        assert kc.vehicle_type.kg_co2e_per_km > 0
    assert rates.tariffs["msh_mobil"].fare(10.0) == pytest.approx(3.0 + 0.40 * 10)
    assert rates.for_kind("buergerbus").volunteer and not rates.for_kind("ondemand").volunteer
    assert not rates.for_kind("fixed_line").dispatch


def test_override_changes_only_given_keys(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[staff.driver]\nwage_per_hour = 40\n[vehicle_types.bus_diesel]\nkg_co2e_per_km = 0.9\n")
    rates = load_costs(p)
    base = default_costs()
    assert rates.wage_per_hour == 40.0
    assert rates.vehicle_types["bus_diesel"].kg_co2e_per_km == 0.9
    assert rates.vehicle_types["bus_diesel"].cost_per_km == base.vehicle_types["bus_diesel"].cost_per_km
    assert rates.dispatch_per_booking == base.dispatch_per_booking


def test_bad_values_are_all_reported_with_their_keys():
    with pytest.raises(InputErrors) as ei:
        parse_costs(
            {
                "staf": {},
                "dispatch": {"cost_per_booking": -1},
                "kinds": {"ondemand": {"tariff": "nope"}},
            },
            source="scenario.toml",
            table="costs",
        )
    text = str(ei.value)
    assert "'staf'" in text and "did you mean 'staff'" in text
    assert "costs.dispatch.cost_per_booking" in text
    assert "costs.kinds.ondemand.tariff" in text and "'nope'" in text
    assert all(e.file == "scenario.toml" for e in ei.value.problems)


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(InputError, match="no cost rates for model kind 'taxi'"):
        default_costs().for_kind("taxi")


def _stops(vid, kind, kms, times):
    return [
        dict(model="m", seed=1, vehicle_id=vid, seq=k, kind=kind, request_id="", lat=0.0, lon=0.0,
             arrival=t, departure=t, load=0, wheelchair_load=0, onboard_bookings=0, km_from_prev=km,
             empty_km_from_prev=km, in_service=True)
        for k, (km, t) in enumerate(zip(kms, times))
    ]


def test_timetabled_trips_use_line_vehicle_and_no_dispatch():
    rates = parse_costs(
        {
            "vehicle_types": {
                "bus_diesel": {"cost_per_hour": 20.0, "cost_per_km": 2.0, "kg_co2e_per_km": 1.0},
                "minibus_diesel": {"cost_per_hour": 5.0, "cost_per_km": 0.5, "kg_co2e_per_km": 0.25},
            },
            "staff": {"driver": {"wage_per_hour": 30.0}},
            "dispatch": {"cost_per_booking": 1.0},
            "kinds": {"hybrid": {"vehicle_type": "minibus_diesel", "line_vehicle_type": "bus_diesel"}},
        },
        source="t",
    )
    # T1 is a timetabled trip with deadhead rows from and to a depot; F1 a feeder minibus.
    t1 = _stops("T1", "stop", [0, 0, 10, 0], [0, 0, 1800, 1800])
    t1[0]["kind"], t1[-1]["kind"] = "start", "end"
    stops = pd.DataFrame(t1 + _stops("F1", "pickup", [0, 4], [0, 3600]), columns=STOP_COLUMNS)
    base = {c: None for c in TRIP_COLUMNS}
    trips = pd.DataFrame(
        [
            {**base, "request_id": "a", "status": "served", "vehicle_id": "T1", "passengers": 1,
             "pickup_lat": 0.0, "pickup_lon": 0.0, "dropoff_lat": 0.0, "dropoff_lon": 0.0},
            {**base, "request_id": "b", "status": "served", "vehicle_id": "F1+T1", "passengers": 1,
             "pickup_lat": 0.0, "pickup_lon": 0.0, "dropoff_lat": 0.0, "dropoff_lon": 0.0},
            {**base, "request_id": "c", "status": "rejected", "vehicle_id": "", "passengers": 1,
             "pickup_lat": 0.0, "pickup_lon": 0.0, "dropoff_lat": 0.0, "dropoff_lon": 0.0},
        ],
        columns=TRIP_COLUMNS,
    )
    c = day_costs(trips, stops, "hybrid", rates)
    assert c["cost_vehicle"] == pytest.approx(0.5 * 20 + 10 * 2.0 + 1 * 5 + 4 * 0.5)
    assert c["cost_staff"] == pytest.approx(1.5 * 30)
    assert c["bookings_dispatched"] == 2  # 'a' rode the trunk only: no booking needed
    rufbus = day_costs(trips, stops, "rufbus", rates)
    assert rufbus["bookings_dispatched"] == 3  # a Rufbus trip runs only when booked
    assert c["co2_kg"] == pytest.approx(10 * 1.0 + 4 * 0.25)
    assert c["fare_revenue"] == pytest.approx(2 * rates.tariffs["bus_flat"].base)


def test_volunteers_get_an_allowance_not_a_wage():
    rates = parse_costs(
        {"staff": {"volunteer": {"allowance_per_hour": 4.0, "allowance_per_km": 0.1}}}, source="t"
    )
    stops = pd.DataFrame(_stops("B1", "pickup", [0, 20], [0, 7200]), columns=STOP_COLUMNS)
    trips = pd.DataFrame(columns=TRIP_COLUMNS)
    c = day_costs(trips, stops, "buergerbus", rates)
    assert c["cost_staff"] == pytest.approx(2 * 4.0 + 20 * 0.1)
