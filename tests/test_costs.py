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
    # MSH_mobil with a season ticket (Deutschlandticket): EUR 1 + EUR 0.10 per km (REFERENCES.md)
    assert rates.tariffs["msh_mobil"].season_fare(10.0) == pytest.approx(1.0 + 0.10 * 10)
    # on the bus a Deutschlandticket holder pays nothing extra
    assert rates.tariffs["bus"].season_fare(25.0) == 0.0
    assert 0.0 < rates.season_ticket_share < 1.0
    assert rates.for_kind("buergerbus").volunteer and not rates.for_kind("ondemand").volunteer
    assert not rates.for_kind("fixed_line").dispatch
    # own buses are paid for their duties, a Rufbus/AST contractor per trip run
    assert rates.for_kind("fixed_line").line_costing == "duty"
    assert rates.for_kind("rufbus").line_costing == "per_trip" and rates.for_kind("ast").line_costing == "per_trip"
    assert all(rates.for_kind(k).standby_per_trip == 0.0 for k in rates.kinds)


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
                "kinds": {"ondemand": {"tariff": "nope"}, "rufbus": {"line_costing": "hourly"}},
                "fares": {"season_ticket_share": 1.5},
            },
            source="scenario.toml",
            table="costs",
        )
    text = str(ei.value)
    assert "costs.kinds.rufbus.line_costing" in text
    assert "costs.fares.season_ticket_share" in text
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
    # two duties (the trunk trip, the feeder) with their sign-on/sign-off time
    assert c["cost_staff"] == pytest.approx((1.5 + 2 * rates.sign_on_off_min / 60) * 30)
    assert c["bookings_dispatched"] == 1  # 'a' rode the trunk only: no booking needed; 'c' was not served
    assert c["cost_platform"] == pytest.approx(rates.platform_per_vehicle_day)  # one feeder vehicle
    rufbus = day_costs(trips, stops, "rufbus", rates)
    assert rufbus["bookings_dispatched"] == 2  # a Rufbus trip runs only when booked; 'c' was not served
    assert c["co2_kg"] == pytest.approx(10 * 1.0 + 4 * 0.25)
    bus = rates.tariffs["bus"]
    share = rates.season_ticket_share
    assert c["fare_revenue"] == pytest.approx(2 * ((1 - share) * bus.base + share * bus.season_base))


def test_volunteers_get_an_allowance_not_a_wage():
    rates = parse_costs(
        {"staff": {"volunteer": {"allowance_per_hour": 4.0, "allowance_per_km": 0.1}}}, source="t"
    )
    stops = pd.DataFrame(_stops("B1", "pickup", [0, 20], [0, 7200]), columns=STOP_COLUMNS)
    trips = pd.DataFrame(columns=TRIP_COLUMNS)
    c = day_costs(trips, stops, "buergerbus", rates)
    assert c["cost_staff"] == pytest.approx(2 * 4.0 + 20 * 0.1)  # no sign-on time paid to volunteers



# --------------------------------------------------------------------------- duties and fares


def test_own_buses_are_paid_for_their_duties_a_contractor_per_trip_run():
    rates = default_costs()
    # one timetabled trip of 1 h; the model reports its duty (pull-out to pull-in with layovers): 3 h
    stops = pd.DataFrame(_stops("T1", "stop", [0, 30], [8 * 3600, 9 * 3600]), columns=STOP_COLUMNS)
    trips = pd.DataFrame(columns=TRIP_COLUMNS)
    info = {"duty_hours": 3.0, "vehicle_duties": 1.0, "timetabled_trips": 10.0}
    fixed = day_costs(trips, stops, "fixed_line", rates, info=info)
    assert fixed["paid_hours"] == pytest.approx(3.0)
    bus = rates.vehicle_types["bus_diesel"]
    assert fixed["cost_vehicle"] == pytest.approx(3.0 * bus.cost_per_hour + 30 * bus.cost_per_km)
    assert fixed["cost_staff"] == pytest.approx((3.0 + rates.sign_on_off_min / 60) * rates.wage_per_hour)
    rufbus = day_costs(trips, stops, "rufbus", rates, info=info)
    assert rufbus["paid_hours"] == pytest.approx(1.0)  # per trip run: the duty does not matter
    assert rufbus["cost_standby"] == 0.0
    # a scenario's standby fee is paid for every timetabled trip, run or not
    standby = parse_costs({"kinds": {"rufbus": {"standby_per_trip": 4.0}}}, source="t")
    assert day_costs(trips, stops, "rufbus", standby, info=info)["cost_standby"] == pytest.approx(40.0)
    # without a duty figure, the trips' own hours are paid (never less than the trips)
    assert day_costs(trips, stops, "fixed_line", rates)["paid_hours"] == pytest.approx(1.0)
    assert day_costs(trips, stops, "fixed_line", rates, info={"duty_hours": 0.5})["paid_hours"] == pytest.approx(1.0)


def test_fixed_line_reports_its_duties_layovers_included():
    import linecase as lc
    import numpy as np

    from transit.opmodels.base import DayContext
    from transit.opmodels.fixed_line import FixedLineModel
    from transit.timetable.lines import Timetable, TimetableTrip

    tt = lc.timetable(["08:00"], [])
    out = tt.trips[0]  # A1 -> A5, 08:00-08:20
    back_times = tuple(lc.hm("09:00") + 300.0 * p for p in range(len(out.stops)))
    back = TimetableTrip("A-back", "A", tuple(reversed(out.stops)), back_times, back_times)
    tt = Timetable(tt.stops, tt.lines, (out, back))
    run = FixedLineModel("line", tt).run([], DayContext(network=lc.network(), service=None), seed=1,
                                         rng=np.random.default_rng(1))
    assert run.info["vehicle_duties"] == 1  # the return trip leaves where the first ended, 40 min later
    assert run.info["duty_hours"] == pytest.approx(80 / 60)  # 08:00-09:20, the layover paid
    assert run.info["timetable_vehicle_hours"] == pytest.approx(40 / 60)
    c = day_costs(run.trips, run.stops, "fixed_line", default_costs(), info=run.info)
    assert c["paid_hours"] == pytest.approx(80 / 60)


# --------------------------------------------------------------------------- costing parity


def _day(kind_rows: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A day with a timetabled trip T1 and an on-demand vehicle F1 serving two bookings."""
    t1 = _stops("T1", "stop", [0, 12, 8], [7 * 3600, 7.3 * 3600, 7.6 * 3600])
    f1 = _stops("F1", kind_rows, [0, 5, 6, 3], [6 * 3600, 6.5 * 3600, 7 * 3600, 8 * 3600])
    f1[0]["kind"], f1[-1]["kind"] = "start", "end"
    stops = pd.DataFrame(t1 + f1, columns=STOP_COLUMNS)
    base = {c: None for c in TRIP_COLUMNS}
    trips = pd.DataFrame(
        [
            {**base, "request_id": "a", "status": "served", "vehicle_id": "T1", "passengers": 2,
             "pickup_lat": 51.5, "pickup_lon": 11.5, "dropoff_lat": 51.6, "dropoff_lon": 11.5},
            {**base, "request_id": "b", "status": "served", "vehicle_id": "F1", "passengers": 1,
             "pickup_lat": 51.5, "pickup_lon": 11.5, "dropoff_lat": 51.5, "dropoff_lon": 11.6},
        ],
        columns=TRIP_COLUMNS,
    )
    return trips, stops


def _with_rejected(trips: pd.DataFrame, n: int) -> pd.DataFrame:
    base = {c: None for c in TRIP_COLUMNS}
    extra = [
        {**base, "request_id": f"x{k}", "status": "rejected", "reason": "no vehicle", "vehicle_id": "",
         "passengers": 1 + k % 3, "pickup_lat": 51.0 + 0.01 * k, "pickup_lon": 11.0,
         "dropoff_lat": 52.0, "dropoff_lon": 12.0 - 0.01 * k}
        for k in range(n)
    ]
    return pd.concat([trips, pd.DataFrame(extra, columns=TRIP_COLUMNS)], ignore_index=True)


@pytest.mark.parametrize("kind", sorted(default_costs().kinds))
def test_no_model_is_charged_for_requests_it_did_not_serve(kind):
    rates = parse_costs({"kinds": {k: {"standby_per_trip": 2.0} for k in ("rufbus", "ast")}}, source="t")
    trips, stops = _day("pickup")
    info = {"duty_hours": 2.0, "vehicle_duties": 1.0, "timetabled_trips": 5.0}
    served_only = day_costs(trips, stops, kind, rates, info=info)
    with_rejected = day_costs(_with_rejected(trips, 40), stops, kind, rates, info=info)
    for key, value in served_only.items():
        assert with_rejected[key] == pytest.approx(value), f"{kind}: {key} counts bookings it did not serve"
    # ... while a booking it did serve is paid for (dispatch) and pays its fare
    more = pd.concat([trips, trips.iloc[[1]].assign(request_id="c")], ignore_index=True)
    served_more = day_costs(more, stops, kind, rates, info=info)
    assert served_more["fare_revenue"] > served_only["fare_revenue"]
    if rates.for_kind(kind).dispatch:
        assert served_more["cost_dispatch"] == pytest.approx(served_only["cost_dispatch"] + rates.dispatch_per_booking)


def test_real_runs_cost_the_same_with_unservable_bookings():
    """Fixed line and Rufbus runs: bookings nobody can serve change neither the vehicles nor any cost."""
    import linecase as lc
    import numpy as np

    from transit.opmodels.base import DayContext
    from transit.opmodels.fixed_line import FixedLineModel
    from transit.opmodels.rufbus import RufbusModel

    net = lc.network()
    tt = lc.timetable(["07:00", "09:00", "13:00"], ["08:00", "16:00"])
    ctx = DayContext(network=net, service=None)
    good = [lc.booking("g1", lc.near("A1"), lc.near("A4"), "06:55", booked_at="05:00"),
            lc.booking("g2", lc.near("B1"), lc.near("B4"), "15:55", booked_at="05:00")]
    # 3 km north of every stop: no stop within walking reach
    bad = [lc.booking(f"u{k}", lc.near("A2", north_m=3000), lc.near("B4", north_m=3000), f"{8 + k}:00",
                      booked_at="05:00") for k in range(6)]
    rates = default_costs()
    for kind, model in (("fixed_line", FixedLineModel("line", tt)), ("rufbus", RufbusModel("rb", tt))):
        a = model.run(good, ctx, seed=1, rng=np.random.default_rng(1))
        b = model.run(good + bad, ctx, seed=1, rng=np.random.default_rng(1))
        assert (b.trips["status"] == "rejected").sum() == len(bad)
        ca = day_costs(a.trips, a.stops, kind, rates, info=a.info)
        cb = day_costs(b.trips, b.stops, kind, rates, info=b.info)
        assert ca == pytest.approx(cb), kind
        assert ca["fare_revenue"] > 0
