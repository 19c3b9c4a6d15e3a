"""Tests of the independent checker: each violation kind is caught, valid plans pass.

The tiny world: five locations on a line, one minute (60 s) and 1 km apart
per step. Request "a" rides 1 -> 3, request "b" (with a wheelchair) 2 -> 4.
``feasible_plan`` is written out by hand, every number worked out below.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from transit.darp.checker import KINDS, Violation, check, evaluate
from transit.darp.data import (
    Break,
    ObjectiveWeights,
    Plan,
    Problem,
    Rejection,
    Request,
    Route,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
)

P, D, B = StopKind.PICKUP, StopKind.DROPOFF, StopKind.BREAK

LINE = np.abs(np.subtract.outer(np.arange(5), np.arange(5))).astype(float)


def S(kind: StopKind, loc: int, arr: float, st: float, dep: float, load: int = 0, wc: int = 0, rid: str | None = None) -> Stop:
    """A stop, briefly."""
    return Stop(kind, loc, arr, st, dep, load, wc, rid)


def start(dep: float = 0.0, loc: int = 0, load: int = 0) -> Stop:
    return Stop(StopKind.START, loc, dep, dep, dep, load, 0)


def end(arr: float, loc: int = 0) -> Stop:
    return Stop(StopKind.END, loc, arr, arr, arr, 0, 0)


def kinds(violations: list[Violation]) -> set[str]:
    return {v.kind for v in violations}


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------

V1 = Vehicle("v1", 0, 0, seats=2, wheelchair=1, shift=TimeWindow(0, 7200), max_route_duration=3600,
             cost_per_hour=36, cost_per_km=2, fixed_cost=50)
V2 = Vehicle("v2", 0, 0, seats=1, wheelchair=1)
REQ_A = Request("a", 1, 3, pickup_window=TimeWindow(0, 1000), dropoff_window=TimeWindow(0, 2000),
                max_ride_time=600, service_fixed=10)
REQ_B = Request("b", 2, 4, wheelchair=1, max_ride_alpha=2.0, service_fixed=20)


def make_problem(requests=(REQ_A, REQ_B), vehicles=(V1, V2), tt=None, **weights) -> Problem:
    return Problem(
        requests=tuple(requests),
        vehicles=tuple(vehicles),
        travel_time=LINE * 60 if tt is None else tt,
        distance=LINE * 1000,
        weights=ObjectiveWeights(**weights) if weights else ObjectiveWeights(),
    )


@pytest.fixture
def problem() -> Problem:
    return make_problem()


# v1: depot 0 -> pick a @1 -> pick b @2 -> drop a @3 -> drop b @4 -> depot 0.
# a: arrive 60, service 10 -> leave 70.  b: arrive 130, service 20 -> leave 150.
# drop a: arrive 210, leave 220 (ride 210 - 70 = 140 <= 600).
# drop b: arrive 280, leave 300 (ride 280 - 150 = 130 <= 2 * 120).
# back at 0: 300 + 4 * 60 = 540.
V1_STOPS = (
    start(0),
    S(P, 1, 60, 60, 70, 1, 0, "a"),
    S(P, 2, 130, 130, 150, 2, 1, "b"),
    S(D, 3, 210, 210, 220, 1, 1, "a"),
    S(D, 4, 280, 280, 300, 0, 0, "b"),
    end(540),
)
# a alone: 0 -> 1 (60..70) -> 3 (190..200) -> 0 (380).
A_ONLY = (start(0), S(P, 1, 60, 60, 70, 1, 0, "a"), S(D, 3, 190, 190, 200, 0, 0, "a"), end(380))


def feasible_plan() -> Plan:
    return Plan(routes=(Route("v1", V1_STOPS), Route("v2", ())))


def a_only_plan(*rejected: Rejection, v1: tuple[Stop, ...] = A_ONLY, v2: tuple[Stop, ...] = ()) -> Plan:
    return Plan(routes=(Route("v1", v1), Route("v2", v2)), rejected=rejected)


def with_stop(plan: Plan, vehicle: str, index: int, **changes) -> Plan:
    """Return the plan with one stop of one route changed."""
    routes = []
    for r in plan.routes:
        if r.vehicle_id == vehicle:
            stops = list(r.stops)
            stops[index] = stops[index].replace(**changes)
            r = r.replace(stops=tuple(stops))
        routes.append(r)
    return plan.replace(routes=tuple(routes))


def vehicle(p: Problem, vid: str, **changes) -> Problem:
    """Return the problem with one vehicle changed."""
    return p.replace(vehicles=tuple(v.replace(**changes) if v.id == vid else v for v in p.vehicles))


def request(p: Problem, rid: str, **changes) -> Problem:
    """Return the problem with one request changed."""
    return p.replace(requests=tuple(r.replace(**changes) if r.id == rid else r for r in p.requests))


# --------------------------------------------------------------------------
# valid plans
# --------------------------------------------------------------------------


def test_hand_built_plan_is_valid(problem):
    assert check(problem, feasible_plan()) == []


def test_serving_one_and_rejecting_the_other_is_valid(problem):
    assert check(problem, a_only_plan(Rejection("b", "no vehicle free"))) == []


def test_unused_vehicle_may_drive_depot_to_depot(problem):
    plan = a_only_plan(Rejection("b", "x"), v2=(start(100), end(100)))
    assert check(problem, plan) == []


def test_waiting_before_and_after_service_is_allowed(problem):
    # Wait at the pickup of a from 60 to 100, and after its service until 120.
    # Drop a at 240: ride = 240 - (100 + 10) = 130.
    stops = (start(0), S(P, 1, 60, 100, 120, 1, 0, "a"), S(D, 3, 240, 240, 250, 0, 0, "a"), end(430))
    assert check(problem, a_only_plan(Rejection("b", "x"), v1=stops)) == []


def test_tolerance_absorbs_rounding(problem):
    plan = with_stop(feasible_plan(), "v1", 3, arrival=210 + 1e-9, start=210 + 1e-9)
    assert check(problem, plan) == []
    assert "travel_time" in kinds(check(problem, plan, tol=1e-12))


def test_violation_names_vehicle_and_request(problem):
    p = request(problem, "a", max_ride_time=100)
    (v,) = check(p, feasible_plan())
    assert (v.kind, v.vehicle_id, v.request_id) == ("ride_time", "v1", "a")
    assert "140" in v.message and "100" in v.message
    assert str(v).startswith("[ride_time] vehicle v1, request a: ")


# --------------------------------------------------------------------------
# one negative case per violation kind
# --------------------------------------------------------------------------
# Each case returns (problem, plan). ``exact`` means the plan breaks nothing
# else, so the checker must report that kind and no other.

Case = Callable[[Problem], tuple[Problem, Plan]]
CASES: list[tuple[str, str, bool, Case]] = []


def case(kind: str, *, exact: bool = True) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES.append((fn.__name__, kind, exact, fn))
        return fn

    return register


@case("missing_route")
def no_route_for_v2(p):
    return p, Plan(routes=(Route("v1", V1_STOPS),))


@case("duplicate_route")
def two_routes_for_v2(p):
    return p, Plan(routes=(Route("v1", V1_STOPS), Route("v2", ()), Route("v2", ())))


@case("unknown_vehicle")
def route_of_ghost_vehicle(p):
    return p, Plan(routes=(Route("v1", V1_STOPS), Route("v2", ()), Route("ghost", ())))


@case("start_end", exact=False)
def route_without_start(p):
    return p, Plan(routes=(Route("v1", V1_STOPS[1:]), Route("v2", ())))


@case("start_end", exact=False)
def route_without_end(p):
    return p, Plan(routes=(Route("v1", V1_STOPS[:-1]), Route("v2", ())))


@case("start_end")
def start_elsewhere(p):
    # v1 starts at 1 (its depot is 0) and picks a up there at once.
    stops = (start(0, loc=1), S(P, 1, 0, 0, 10, 1, 0, "a"), S(D, 3, 130, 130, 140, 0, 0, "a"), end(320))
    return p, a_only_plan(Rejection("b", "x"), v1=stops)


@case("start_end")
def end_elsewhere(p):
    # Home to 4 instead of 0: 200 + 60 = 260.
    stops = A_ONLY[:-1] + (end(260, loc=4),)
    return p, a_only_plan(Rejection("b", "x"), v1=stops)


@case("start_end")
def end_in_the_middle(p):
    stops = A_ONLY[:3] + (end(200, loc=3), end(380))
    return p, a_only_plan(Rejection("b", "x"), v1=stops)


@case("shift")
def leaves_before_the_shift(p):
    return vehicle(p, "v1", shift=TimeWindow(10, 7200)), feasible_plan()


@case("shift")
def back_after_the_shift(p):
    return vehicle(p, "v1", shift=TimeWindow(0, 500)), feasible_plan()


@case("route_duration")
def route_too_long(p):
    return vehicle(p, "v1", max_route_duration=500), feasible_plan()


@case("location", exact=False)
def pickup_at_the_wrong_place(p):
    return p, with_stop(feasible_plan(), "v1", 1, location=2)


@case("location")
def location_outside_the_matrices(p):
    # Arrival times cannot be checked next to an unknown place; only the place is reported.
    return p, with_stop(feasible_plan(), "v1", 3, location=99)


@case("unreachable")
def unreachable_arc(p):
    tt = LINE * 60
    tt[1, 2] = math.inf
    return make_problem(tt=tt), feasible_plan()


@case("travel_time")
def arrives_too_early(p):
    return p, with_stop(feasible_plan(), "v1", 2, arrival=129)


@case("schedule")
def service_before_arrival(p):
    # Start at 50 after arriving at 60; ride of a = 210 - 60 = 150, still fine.
    return p, with_stop(feasible_plan(), "v1", 1, start=50, departure=70)


@case("schedule")
def leaves_before_service_ends(p):
    plan = with_stop(feasible_plan(), "v1", 1, departure=65)
    return p, with_stop(plan, "v1", 2, arrival=125)


@case("schedule")
def time_not_a_number(p):
    return p, with_stop(feasible_plan(), "v1", 3, arrival=math.nan)


@case("missing_request")
def request_forgotten(p):
    return p, a_only_plan()


@case("duplicate_request")
def rejected_twice(p):
    return p, a_only_plan(Rejection("b", "x"), Rejection("b", "y"))


@case("duplicate_request", exact=False)
def served_twice(p):
    v2 = (start(0), S(P, 1, 60, 60, 70, 1, 0, "a"), S(D, 3, 190, 190, 200, 0, 0, "a"), end(380))
    return p, a_only_plan(Rejection("b", "x"), v2=v2)


@case("unknown_request")
def rejects_unknown_id(p):
    return p, feasible_plan().replace(rejected=(Rejection("zzz", "x"),))


@case("unknown_request", exact=False)
def stop_of_unknown_id(p):
    return p, with_stop(feasible_plan(), "v1", 1, request_id="zzz")


@case("unpaired", exact=False)
def picked_up_never_dropped(p):
    v1 = (start(0), S(P, 1, 60, 60, 70, 1, 0, "a"), end(130))
    return p, a_only_plan(Rejection("b", "x"), v1=v1)


@case("same_vehicle", exact=False)
def dropped_by_another_vehicle(p):
    v1 = (start(0), S(P, 1, 60, 60, 70, 1, 0, "a"), end(130))
    v2 = (start(0), S(D, 3, 180, 180, 190, 0, 0, "a"), end(370))
    return p, a_only_plan(Rejection("b", "x"), v1=v1, v2=v2)


@case("precedence", exact=False)
def dropped_before_picked(p):
    v1 = (start(0), S(D, 3, 180, 180, 190, 0, 0, "a"), S(P, 1, 310, 310, 320, 1, 0, "a"), end(380))
    return p, a_only_plan(Rejection("b", "x"), v1=v1)


@case("assigned_vehicle")
def served_by_the_wrong_vehicle(p):
    return request(p, "a", assigned_vehicle="v2"), feasible_plan()


@case("rejected_and_served")
def rejected_yet_served(p):
    return p, feasible_plan().replace(rejected=(Rejection("a", "x"),))


@case("rejection_reason")
def rejection_without_reason(p):
    return p, a_only_plan(Rejection("b", "  "))


@case("pickup_window")
def pickup_too_early(p):
    return request(p, "a", pickup_window=TimeWindow(100, 1000)), feasible_plan()


@case("dropoff_window")
def dropoff_too_late(p):
    return request(p, "a", dropoff_window=TimeWindow(0, 200)), feasible_plan()


@case("ride_time")
def ride_too_long_absolute(p):
    return request(p, "a", max_ride_time=100), feasible_plan()


@case("ride_time")
def ride_too_long_relative(p):
    # b rides 130 s, its direct trip is 120 s: alpha 1 allows 120 s.
    return request(p, "b", max_ride_alpha=1.0), feasible_plan()


@case("capacity_seats")
def too_many_seats(p):
    return vehicle(p, "v1", seats=1), feasible_plan()


@case("capacity_wheelchair")
def too_many_wheelchairs(p):
    return vehicle(p, "v1", wheelchair=0), feasible_plan()


@case("load_mismatch")
def stated_load_wrong(p):
    return p, with_stop(feasible_plan(), "v1", 2, load=1)


@case("load_mismatch")
def stated_wheelchair_load_wrong(p):
    return p, with_stop(feasible_plan(), "v1", 3, wheelchair_load=0)


# ---- requests already on board -------------------------------------------
# c has boarded v1 at time 0 and rides to 3 (arrival 180, ride 180 s).

REQ_C = Request("c", 1, 3, max_ride_time=300, assigned_vehicle="v1", picked_up_at=0.0)
C_ROUTE = (start(0, load=1), S(D, 3, 180, 180, 180, 0, 0, "c"), end(360))


def on_board_problem() -> Problem:
    return make_problem(requests=(REQ_C,))


def test_on_board_request_needs_only_a_dropoff():
    plan = Plan(routes=(Route("v1", C_ROUTE), Route("v2", ())))
    assert check(on_board_problem(), plan) == []
    assert evaluate(on_board_problem(), plan).ride_times == {"c": 180.0}


@case("rejected_on_board")
def on_board_rejected(p):
    return on_board_problem(), Plan(routes=(Route("v1", ()), Route("v2", ())), rejected=(Rejection("c", "x"),))


@case("unpaired", exact=False)
def on_board_picked_up_again(p):
    stops = (start(0, load=1), S(P, 1, 60, 60, 60, 2, 0, "c"), S(D, 3, 180, 180, 180, 1, 0, "c"), end(360))
    return on_board_problem(), Plan(routes=(Route("v1", stops), Route("v2", ())))


@case("ride_time")
def on_board_ride_counts_from_boarding(p):
    prob = make_problem(requests=(REQ_C.replace(max_ride_time=150),))
    return prob, Plan(routes=(Route("v1", C_ROUTE), Route("v2", ())))


@case("load_mismatch")
def on_board_not_counted_at_start(p):
    stops = (start(0, load=0), *C_ROUTE[1:])
    return on_board_problem(), Plan(routes=(Route("v1", stops), Route("v2", ())))


@case("assigned_vehicle")
def on_board_dropped_by_other_vehicle(p):
    v2 = (start(0), S(D, 3, 180, 180, 180, 0, 0, "c"), end(360))
    return on_board_problem(), Plan(routes=(Route("v1", ()), Route("v2", v2)))


# ---- breaks --------------------------------------------------------------
# v1 must rest 300 s at location 3 inside [200, 1000]; it drops a at 3 at
# 190..200, rests 200..500, and is home at 680.

REST = Break(200, 1000, 300, location=3)
BREAK_ROUTE = (*A_ONLY[:3], S(B, 3, 200, 200, 500), end(680))


def break_problem(brk: Break = REST, *more: Break) -> Problem:
    return make_problem(requests=(REQ_A,), vehicles=(V1.replace(breaks=(brk, *more)), V2))


def break_plan(stops: tuple[Stop, ...] = BREAK_ROUTE) -> Plan:
    return Plan(routes=(Route("v1", stops), Route("v2", ())))


def test_break_taken_is_valid():
    assert check(break_problem(), break_plan()) == []


def test_unused_vehicle_needs_no_break():
    p = break_problem()
    plan = Plan(routes=(Route("v1", ()), Route("v2", A_ONLY)))
    assert check(p, plan) == []
    plan = Plan(routes=(Route("v1", (start(0), end(0))), Route("v2", A_ONLY)))
    assert check(p, plan) == []


def test_two_breaks_in_either_order_are_valid():
    # The later-listed break (at 3, within [0, 900]) is taken first, 200..300;
    # then home (300 + 180 = 480), and the other one at the depot 1000..1100.
    home = Break(1000, 3000, 100, location=None)
    early = Break(0, 900, 100, location=3)
    stops = (*A_ONLY[:3], S(B, 3, 200, 200, 300), S(B, 0, 480, 1000, 1100), end(1100))
    assert check(break_problem(home, early), break_plan(stops)) == []
    assert "break" in kinds(check(break_problem(home, early), break_plan((*stops[:4], end(480)))))


@case("break")
def break_not_taken(p):
    return break_problem(), break_plan(A_ONLY)


@case("break")
def break_too_short(p):
    return break_problem(), break_plan((*A_ONLY[:3], S(B, 3, 200, 200, 400), end(580)))


@case("break")
def break_too_early(p):
    return break_problem(REST.replace(earliest_start=250)), break_plan()


@case("break")
def break_ends_too_late(p):
    return break_problem(Break(100, 450, 300, location=3)), break_plan()


@case("break")
def break_at_the_wrong_place(p):
    return break_problem(REST.replace(location=2)), break_plan()


@case("break")
def break_with_passengers_on_board(p):
    # Rest at 3 from 200 to 500 before dropping a there: ride 500 - 70 = 430 <= 600.
    stops = (*A_ONLY[:2], S(B, 3, 190, 200, 500, 1, 0), S(D, 3, 500, 500, 510, 0, 0, "a"), end(690))
    return break_problem(), break_plan(stops)


@case("break")
def break_the_vehicle_does_not_have(p):
    return make_problem(requests=(REQ_A,)), break_plan()


@case("break")
def break_taken_twice(p):
    stops = (*BREAK_ROUTE[:4], S(B, 3, 500, 500, 800), end(980))
    return break_problem(), break_plan(stops)


@pytest.mark.parametrize(("name", "kind", "exact", "build"), CASES, ids=[c[0] for c in CASES])
def test_violation_is_caught(problem, name, kind, exact, build):
    p, plan = build(problem)
    found = check(p, plan)
    assert kind in kinds(found), [str(v) for v in found]
    if exact:
        assert kinds(found) == {kind}, [str(v) for v in found]
    assert all(v.kind in KINDS and v.message for v in found)


def test_every_kind_has_a_negative_case():
    assert {c[1] for c in CASES} == KINDS


# --------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------


def test_evaluate_hand_built_plan(problem):
    cost = evaluate(problem, feasible_plan())
    # Arcs 0-1-2-3-4-0: 1 + 1 + 1 + 1 + 4 steps.
    assert cost.distance == pytest.approx(8000)
    assert cost.travel_time == pytest.approx(480)
    assert cost.route_duration == {"v1": 540, "v2": 0.0}
    assert cost.ride_times == {"a": 140, "b": 130}
    assert cost.ride_time == pytest.approx(270)
    # v1: fixed 50 + 36 / h * 0.15 h + 2 / km * 8 km = 71.4; v2 unused: 0.
    assert cost.route_cost["v1"] == pytest.approx(71.4)
    assert cost.route_cost["v2"] == 0
    assert (cost.served, cost.rejected, cost.vehicles_used) == (2, 0, 1)
    # Default weights: driving seconds only.
    assert cost.objective == pytest.approx(480)


def test_evaluate_weighted_objective():
    p = make_problem(travel_time=1, distance=0.5, ride_time=2, vehicle_cost=10, rejection=1000)
    cost = evaluate(p, feasible_plan())
    assert cost.objective == pytest.approx(480 + 0.5 * 8000 + 2 * 270 + 10 * 71.4)
    # Serving only a (0-1-3-0: 6 km, 360 s, 380 s long, ride 120 s) and rejecting b.
    cost = evaluate(p, a_only_plan(Rejection("b", "x")))
    vehicle_cost = 50 + 36 * 380 / 3600 + 2 * 6
    assert (cost.served, cost.rejected) == (1, 1)
    assert cost.objective == pytest.approx(360 + 0.5 * 6000 + 2 * 120 + 10 * vehicle_cost + 1000)


def test_evaluate_ride_time_counts_passengers():
    p = make_problem(requests=(REQ_A.replace(passengers=2), REQ_B), ride_time=1, travel_time=0)
    plan = with_stop(with_stop(feasible_plan(), "v1", 1, load=2), "v1", 2, load=3)
    assert evaluate(p, plan).ride_time == pytest.approx(2 * 140 + 130)


def test_evaluate_ignores_infinite_term_with_zero_weight():
    tt = LINE * 60
    tt[1, 2] = math.inf
    p = make_problem(tt=tt, travel_time=0, distance=1)
    cost = evaluate(p, feasible_plan())
    assert math.isinf(cost.travel_time)
    assert cost.objective == pytest.approx(8000)
