"""Service rules: windows, ride limits, service times, promises, parsing."""

from __future__ import annotations

import math

import pytest

from transit.demand.bookings import Booking
from transit.errors import InputError, InputErrors
from transit.darp.data import TimeWindow
from transit.darp.service import ServiceRules, parse_service

ISSUE_EXAMPLE = {
    "pickup_window_min": 15,
    "max_ride_alpha": 1.5,
    "max_ride_beta_min": 15,
    "dwell_min": 1,
    "boarding_min_per_passenger": 0.5,
}


@pytest.fixture
def rules() -> ServiceRules:
    return parse_service(ISSUE_EXAMPLE, source="FLEET.toml")


def test_issue_example_parses_to_seconds(rules: ServiceRules) -> None:
    assert rules.pickup_window_s == 900.0
    assert rules.service_time_s(1) == 60 + 30
    assert rules.service_time_s(3, 1) == 60 + 3 * 30 + rules.wheelchair_boarding_min * 60
    assert rules.ride_limit_s(600.0) == 1.5 * 600 + 900


def test_departure_booking_windows(rules: ServiceRules) -> None:
    t, direct, s = 8 * 3600.0, 600.0, 90.0
    pickup, dropoff = rules.windows(t, "departure", direct_s=direct, service_s=s)
    assert pickup == TimeWindow(t, t + 900)
    # earliest drop-off: picked up at once and driven direct
    assert dropoff.earliest == t + s + direct
    # latest drop-off: picked up last minute and riding the longest allowed
    assert dropoff.latest == t + 900 + s + rules.ride_limit_s(direct)


def test_arrival_booking_windows(rules: ServiceRules) -> None:
    t, direct, s = 9 * 3600.0, 600.0, 90.0
    pickup, dropoff = rules.windows(t, "arrival", direct_s=direct, service_s=s)
    assert dropoff == TimeWindow(t - 900, t)
    assert pickup.latest == t - s - direct
    assert pickup.earliest == t - 900 - s - rules.ride_limit_s(direct)
    # the pickup window is tightened: far narrower than "any time before"
    assert pickup.latest - pickup.earliest == 900 + rules.ride_limit_s(direct) - direct


def test_absolute_ride_cap_wins_when_smaller() -> None:
    rules = ServiceRules(max_ride_min=20, max_ride_beta_min=15)
    assert rules.ride_limit_s(600.0) == 1200.0  # 1.5*600+900 = 1800 > 1200
    assert rules.ride_limit_s(60.0) == 1.5 * 60 + 900  # 990 < 1200
    with pytest.raises(InputError, match="shorter than the direct trip"):
        rules.windows(0.0, "departure", direct_s=1500.0, service_s=0.0)


def test_unknown_time_type(rules: ServiceRules) -> None:
    with pytest.raises(InputError, match="'later' is not"):
        rules.windows(0.0, "later", direct_s=10.0, service_s=0.0)


def test_request_from_booking(rules: ServiceRules) -> None:
    b = Booking("r1", 50.0, 11.0, 50.1, 11.1, 7 * 3600.0, "departure", 2, 1)
    r = rules.request(b, pickup=3, dropoff=5, direct_s=400.0)
    assert (r.id, r.pickup, r.dropoff, r.passengers, r.wheelchair) == ("r1", 3, 5, 2, 1)
    assert r.pickup_window == TimeWindow(7 * 3600.0, 7 * 3600.0 + 900)
    assert r.service_time == rules.service_time_s(2, 1)
    assert r.max_ride_alpha == 1.5 and r.max_ride_beta == 900.0 and r.max_ride_time is None
    assert r.dropoff_window.earliest == 7 * 3600.0 + r.service_time + 400.0


def test_promise_is_clipped_to_the_booking_window(rules: ServiceRules) -> None:
    w = TimeWindow(1000.0, 1900.0)
    assert rules.promise(1500.0, w) == TimeWindow(1200.0, 1800.0)
    assert rules.promise(1050.0, w) == TimeWindow(1000.0, 1350.0)
    assert rules.promise(1900.0, w) == TimeWindow(1600.0, 1900.0)


@pytest.mark.parametrize(
    ("data", "where", "what"),
    [
        ({"pickup_window_min": "15"}, "service.pickup_window_min", "must be a number, got the text '15'"),
        ({"max_ride_alpha": 0.5}, "service.max_ride_alpha", "must be >= 1"),
        ({"dwell_min": -1}, "service.dwell_min", "must be >= 0"),
        ({"dwell_min": True}, "service.dwell_min", "must be a number"),
        ({"max_ride_min": 0}, "service.max_ride_min", "must be > 0"),
        ({"pickup_windw_min": 15}, "service", "unknown key 'pickup_windw_min' (did you mean 'pickup_window_min'?)"),
    ],
)
def test_parse_service_errors_name_file_table_and_key(data: dict, where: str, what: str) -> None:
    with pytest.raises(InputErrors) as info:
        parse_service(data, source="FLEET.toml")
    text = str(info.value)
    assert text.startswith(f"FLEET.toml: {where}: ")
    assert what in text


def test_parse_service_reports_every_problem() -> None:
    with pytest.raises(InputErrors) as info:
        parse_service({"a": 1, "dwell_min": "x", "b": 2}, source="s.toml", table="models.drt.service")
    assert len(info.value.problems) == 3
    assert all(str(p).startswith("s.toml: models.drt.service") for p in info.value.problems)


def test_round_trip_through_dict(rules: ServiceRules) -> None:
    assert parse_service(rules.to_dict(), source="x") == rules
    capped = ServiceRules(max_ride_min=45)
    assert parse_service(capped.to_dict(), source="x") == capped


def test_values_become_floats_and_defaults_are_finite() -> None:
    r = ServiceRules(pickup_window_min=10)
    assert isinstance(r.pickup_window_min, float)
    d = ServiceRules()
    assert all(math.isfinite(v) for k, v in d.to_dict().items())


def test_defaults_are_the_documented_operator_rules() -> None:
    """Defaults come from data/service.toml: 1.5 x direct + 5 min (not + 15), passengers weighed."""
    import tomllib
    from importlib import resources

    data = tomllib.loads(resources.files("transit.data").joinpath("service.toml").read_text(encoding="utf-8"))
    d = ServiceRules()
    assert d.to_dict() == {k: float(v) for k, v in data.items()}
    assert d.max_ride_beta_min <= 7  # "a few minutes" (MATSim DRT studies: 7 min including the wait)
    # a 10-minute trip may take at most 20 minutes: twice the direct time, not 3
    assert d.ride_limit_s(600.0) == 1200.0


def test_ride_time_weight_reaches_the_dispatch_objective() -> None:
    from simcase import fleet, grid_network

    from transit.darp.build import DISPATCH_WEIGHTS, build_problem

    net = grid_network()
    for w in (0.25, 2.0):
        bp = build_problem([], fleet(ride_time_weight=w), net)
        assert bp.problem.weights == DISPATCH_WEIGHTS.replace(ride_time=w)
