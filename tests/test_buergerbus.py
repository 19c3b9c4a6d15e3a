"""Bürgerbus: volunteer duties, service hours, at most 8 seats, allowance instead of wage."""

from __future__ import annotations

import numpy as np
import pytest

from simcase import H, booking, context, fleet, grid_network
from transit.darp.checker import check
from transit.evaluate.costs import parse_costs
from transit.errors import InputError
from transit.evaluate.kpis import kpis
from transit.opmodels.buergerbus import BuergerbusModel, BuergerbusOptions, Duty, parse_buergerbus_options
from transit.opmodels.ondemand import OnDemandOptions
from transit.sim import SimSettings

FAST = OnDemandOptions(sim=SimSettings(reopt_interval_min=20, cutoff_iterations=20, reopt_iterations=10))


@pytest.fixture(scope="module")
def net():
    return grid_network()


def test_roster_and_service_hours(net):
    opts = BuergerbusOptions(roster=(Duty("v1", 8 * H, 12 * H),), service_hours=(8 * H, 18 * H), ondemand=FAST)
    model = BuergerbusModel("bb", fleet(1, seats=8), opts)
    bookings = [
        booking("morning", (0, 1), (2, 3), 9.0),
        booking("evening", (0, 1), (2, 3), 19.0),  # after the service hours
        booking("afternoon", (1, 1), (3, 0), 14.0),  # inside the hours, but no volunteer on duty
    ]
    run = model.run(bookings, context(net), seed=0, rng=np.random.default_rng(0))
    assert check(run.day.problem, run.day.plan) == []
    t = run.trips.set_index("request_id")
    assert t.loc["morning", "status"] == "served" and t.loc["morning", "vehicle_id"] == "v1@08:00"
    assert t.loc["evening", "reason"] == "outside the Bürgerbus service hours (08:00-18:00)"
    assert t.loc["afternoon", "reason"] == "no vehicle is in service at that time"
    assert run.kind == "buergerbus"
    assert run.info["duties"] == 1 and run.info["driver_hours_rostered"] == 4.0
    # the bus is on duty exactly during the volunteer's duty
    v = run.stops
    assert v["arrival"].iloc[0] == 8 * H and v["departure"].iloc[-1] == 12 * H
    rates = parse_costs(
        {"staff": {"volunteer": {"allowance_per_hour": 5.0, "allowance_per_km": 0.0}}}, source="t"
    )
    k = kpis(run, rates)
    assert k["vehicle_hours"] == pytest.approx(4.0)
    assert k["cost_staff"] == pytest.approx(4 * 5.0)  # allowance, no wage
    assert k["passengers_per_vehicle_hour"] == pytest.approx(1 / 4.0)


def test_two_duties_on_one_bus_are_two_vehicles(net):
    opts = BuergerbusOptions(roster=(Duty("v1", 13 * H, 17 * H), Duty("v1", 8 * H, 12 * H)), ondemand=FAST)
    model = BuergerbusModel("bb", fleet(1, seats=6), opts)
    assert [v.id for v in model.fleet.vehicles] == ["v1@08:00", "v1@13:00"]
    run = model.run([booking("a", (0, 0), (3, 3), 15.0)], context(net), seed=0, rng=np.random.default_rng(0))
    assert run.trips["vehicle_id"].tolist() == ["v1@13:00"]


def test_rules_of_a_buergerbus():
    with pytest.raises(InputError, match="at most 8"):
        BuergerbusModel("bb", fleet(1, seats=9))
    with pytest.raises(InputError, match="overlap"):
        BuergerbusModel("bb", fleet(1), BuergerbusOptions(roster=(Duty("v1", 8 * H, 12 * H), Duty("v1", 11 * H, 14 * H))))
    with pytest.raises(InputError, match="not in the fleet"):
        BuergerbusModel("bb", fleet(1), BuergerbusOptions(roster=(Duty("x", 8 * H, 12 * H),)))
    with pytest.raises(InputError, match="before it starts"):
        Duty("v1", 12 * H, 8 * H)


def test_options_from_a_scenario_table():
    opts = parse_buergerbus_options(
        {
            "roster": [{"vehicle": "bb-1", "start": "08:00", "end": "12:30"}],
            "service_hours": ["07:30", "19:00"],
            "stop_based": True,
        },
        source="s.toml",
        table="models[3]",
    )
    assert opts.roster == (Duty("bb-1", 8 * H, 12.5 * H),)
    assert opts.service_hours == (7.5 * H, 19 * H) and opts.ondemand.stop_based
    with pytest.raises(InputError, match=r"models\[3\]\.roster\[1\]"):
        parse_buergerbus_options({"roster": [{"vehicle": "bb-1", "start": "08:00"}]}, source="s", table="models[3]")
    with pytest.raises(InputError, match="service_hours"):
        parse_buergerbus_options({"service_hours": ["18:00", "08:00"]}, source="s", table="models[3]")
