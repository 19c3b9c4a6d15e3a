"""Tests of the dial-a-ride solver (:func:`transit.solver.solve`) on tiny named instances.

Every plan the solver returns is checked with the independent checker
(:mod:`transit.darp.checker`). Optimal values of tiny instances come from brute
force: every assignment of requests to vehicles and every order of their
stops, with the feasibility of each order decided by a linear program over
the start-of-service times (independent of the solver's scheduling code).
"""

from __future__ import annotations

import itertools
import logging
import math

import numpy as np
import pytest
from scipy.optimize import linprog

from transit.darp.checker import check, evaluate
from transit.errors import SolverError
from transit.darp.data import (
    OPEN,
    Break,
    ObjectiveWeights,
    Plan,
    Problem,
    Request,
    Route,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
)
from transit.solver import default_iterations, solve

MIN = 60.0
HOUR = 3600.0


def line_matrices(n: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Points 0..n-1 on a line, 1 km and 2 minutes apart (location 0 is the depot)."""
    idx = np.arange(n)
    steps = np.abs(idx[:, None] - idx[None, :]).astype(float)
    return steps * 2 * MIN, steps * 1000.0


def make_problem(requests, vehicles, weights=None, matrices=None) -> Problem:
    t, d = matrices if matrices is not None else line_matrices()
    return Problem(
        requests=tuple(requests),
        vehicles=tuple(vehicles),
        travel_time=t,
        distance=d,
        weights=weights or ObjectiveWeights(travel_time=1.0),
    )


def assert_valid(problem: Problem, plan: Plan) -> None:
    """The checker finds nothing wrong, every request is accounted for, objective agrees."""
    violations = check(problem, plan)
    assert violations == [], "\n".join(str(v) for v in violations)
    assert plan.served_ids | plan.rejected_ids == {r.id for r in problem.requests}
    assert not (plan.served_ids & plan.rejected_ids)
    assert [r.vehicle_id for r in plan.routes] == [v.id for v in problem.vehicles]
    assert all(x.reason for x in plan.rejected)
    expected = evaluate(problem, plan).objective
    assert plan.objective == pytest.approx(expected, rel=1e-9, abs=1e-6)


def route_of(plan: Plan, request_id: str) -> str | None:
    for route in plan.routes:
        if request_id in route.request_ids:
            return route.vehicle_id
    return None


# --------------------------------------------------------------------------
# brute force
# --------------------------------------------------------------------------


def _sequence_feasible(problem: Problem, vehicle: Vehicle, stops: list[tuple[str, Request]]) -> bool:
    """Decide with a linear program whether a vehicle can visit ``stops`` in order."""
    locs = [vehicle.start_depot] + [r.pickup if k == "p" else r.dropoff for k, r in stops] + [vehicle.end_depot]
    m = len(locs)
    service = [0.0] + [r.service_time for _, r in stops] + [0.0]
    load = 0
    for k, r in stops:
        load += r.passengers if k == "p" else -r.passengers
        if load > vehicle.seats:
            return False
    a_ub, b_ub = [], []

    def row(coef: dict[int, float], bound: float) -> None:
        line = np.zeros(m)
        for i, c in coef.items():
            line[i] += c
        a_ub.append(line)
        b_ub.append(bound)

    for i in range(1, m):
        t = float(problem.travel_time[locs[i - 1], locs[i]])
        if not math.isfinite(t):
            return False
        row({i - 1: 1.0, i: -1.0}, -(service[i - 1] + t))  # B[i] >= B[i-1] + s + t
    bounds = [(vehicle.shift.earliest, vehicle.shift.latest)] + [(None, None)] * (m - 2) + [(None, vehicle.shift.latest)]
    pos = {}
    for i, (k, r) in enumerate(stops, start=1):
        w = r.pickup_window if k == "p" else r.dropoff_window
        lo = None if math.isinf(w.earliest) else w.earliest
        hi = None if math.isinf(w.latest) else w.latest
        bounds[i] = (lo, hi)
        if k == "p":
            pos[r.id] = i
        else:
            limit = problem.ride_limit(r)
            if math.isfinite(limit):
                row({i: 1.0, pos[r.id]: -1.0}, limit + r.service_time)
    if vehicle.max_route_duration is not None:
        row({m - 1: 1.0, 0: -1.0}, vehicle.max_route_duration)
    bounds = [(None if lo is None or math.isinf(lo) else lo, None if hi is None or math.isinf(hi) else hi) for lo, hi in bounds]
    res = linprog(np.zeros(m), A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    return res.status == 0


def _orders(requests: list[Request]):
    """Every order of pickups and drop-offs with each pickup before its drop-off."""
    items = [("p", r) for r in requests] + [("d", r) for r in requests]
    for perm in itertools.permutations(items):
        seen = set()
        ok = True
        for k, r in perm:
            if k == "p":
                seen.add(r.id)
            elif r.id not in seen:
                ok = False
                break
        if ok:
            yield list(perm)


def brute_force(problem: Problem) -> tuple[int, float]:
    """Return (fewest rejections, least travel time among plans with that many)."""
    best = (len(problem.requests) + 1, math.inf)
    reqs = list(problem.requests)
    nv = len(problem.vehicles)
    for assign in itertools.product(range(nv + 1), repeat=len(reqs)):
        rejected = sum(1 for a in assign if a == nv)
        if rejected > best[0]:
            continue
        total = 0.0
        for v, veh in enumerate(problem.vehicles):
            mine = [r for r, a in zip(reqs, assign) if a == v]
            if not mine:
                continue
            cheapest = math.inf
            for order in _orders(mine):
                locs = [veh.start_depot] + [r.pickup if k == "p" else r.dropoff for k, r in order] + [veh.end_depot]
                cost = sum(float(problem.travel_time[a, b]) for a, b in zip(locs, locs[1:]))
                if cost < cheapest and _sequence_feasible(problem, veh, order):
                    cheapest = cost
            total += cheapest
        if math.isfinite(total) and (rejected, total) < best:
            best = (rejected, total)
    return best


def random_tiny(seed: int) -> Problem:
    """Three requests, two small vehicles, tight windows, ride limits and a short shift."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 8, size=(7, 2))
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) * 1000.0
    tt = dist / 10.0
    vehicles = [
        Vehicle("a", 0, 0, seats=2, shift=TimeWindow(7.5 * HOUR, 9.5 * HOUR), max_route_duration=1.2 * HOUR),
        Vehicle("b", 0, 0, seats=1, shift=TimeWindow(7.5 * HOUR, 9.5 * HOUR)),
    ]
    requests = []
    for i in range(3):
        p, d = rng.choice(np.arange(1, 7), 2, replace=False)
        t = 8 * HOUR + rng.uniform(0, 20) * MIN
        if rng.random() < 0.5:
            pw, dw = TimeWindow(t, t + 5 * MIN), OPEN
        else:
            arrive = t + tt[p, d]
            pw, dw = OPEN, TimeWindow(arrive, arrive + 5 * MIN)
        requests.append(
            Request(f"r{i}", int(p), int(d), pickup_window=pw, dropoff_window=dw,
                    max_ride_alpha=1.3, max_ride_beta=60.0, service_fixed=30.0)
        )
    return make_problem(requests, vehicles, matrices=(tt, dist))


# Seeds where the construction alone is not optimal or some request cannot be served.
HARD_TINY = (3, 11, 17, 23, 25, 30)


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------


def test_two_requests_one_vehicle_is_optimal():
    reqs = [
        Request("a", pickup=1, dropoff=3, pickup_window=TimeWindow(0, HOUR)),
        Request("b", pickup=2, dropoff=4, pickup_window=TimeWindow(0, HOUR)),
    ]
    p = make_problem(reqs, [Vehicle("v", start_depot=0, end_depot=0, seats=4)])
    plan = solve(p, iterations=50)
    assert_valid(p, plan)
    assert plan.served_ids == {"a", "b"}
    # 0 -> 1 -> 2 -> 3 -> 4 -> 0: eight steps of two minutes.
    assert evaluate(p, plan).travel_time == pytest.approx(8 * 2 * MIN)


@pytest.mark.parametrize("seed", HARD_TINY)
def test_tiny_instances_reach_the_enumerated_optimum(seed):
    p = random_tiny(seed)
    rejected, optimum = brute_force(p)
    plan = solve(p, iterations=300, seed=seed)
    assert_valid(p, plan)
    assert len(plan.rejected) == rejected
    if rejected < len(p.requests):
        assert evaluate(p, plan).travel_time == pytest.approx(optimum, rel=1e-9)


def test_unreachable_pickup_is_rejected_with_reason():
    # Vehicle starts at 08:00 at the depot; the pickup 5 steps away closes at 08:05.
    reqs = [Request("far", pickup=5, dropoff=4, pickup_window=TimeWindow(8 * HOUR, 8 * HOUR + 5 * MIN))]
    veh = [Vehicle("v", 0, 0, seats=2, shift=TimeWindow(8 * HOUR, 12 * HOUR))]
    p = make_problem(reqs, veh)
    plan = solve(p, iterations=20)
    assert_valid(p, plan)
    assert [(x.request_id, x.reason) for x in plan.rejected] == [
        ("far", "no vehicle can reach the pickup inside its window")
    ]


def test_impossible_dropoff_window_is_rejected_with_reason():
    # Picking up at 08:00 at location 1, the drop-off at 5 (8 minutes away) must start by 08:05.
    reqs = [
        Request(
            "late",
            pickup=1,
            dropoff=5,
            pickup_window=TimeWindow(8 * HOUR, 8 * HOUR + 10 * MIN),
            dropoff_window=TimeWindow(0, 8 * HOUR + 5 * MIN),
        )
    ]
    p = make_problem(reqs, [Vehicle("v", 0, 0, seats=2)])
    plan = solve(p, iterations=20)
    assert_valid(p, plan)
    assert plan.rejected[0].reason == "drop-off window cannot be met even by a direct trip"


def test_no_vehicle_in_service_is_rejected_with_reason():
    reqs = [Request("evening", pickup=1, dropoff=2, pickup_window=TimeWindow(20 * HOUR, 20 * HOUR + 10 * MIN))]
    veh = [Vehicle("v", 0, 0, seats=2, shift=TimeWindow(8 * HOUR, 12 * HOUR))]
    p = make_problem(reqs, veh)
    plan = solve(p, iterations=20)
    assert_valid(p, plan)
    assert plan.rejected[0].reason == "no vehicle is in service at that time"


def test_fleet_busy_rejects_one_of_two_simultaneous_trips():
    # One seat; two trips in opposite directions at the same time cannot both be served.
    t = 8 * HOUR
    reqs = [
        Request("east", pickup=1, dropoff=5, pickup_window=TimeWindow(t, t + 2 * MIN), max_ride_time=10 * MIN),
        Request("west", pickup=5, dropoff=1, pickup_window=TimeWindow(t, t + 2 * MIN), max_ride_time=10 * MIN),
    ]
    veh = [Vehicle("v", 0, 0, seats=1)]
    p = make_problem(reqs, veh)
    plan = solve(p, iterations=100)
    assert_valid(p, plan)
    assert len(plan.served_ids) == 1
    assert plan.rejected[0].reason == "no capacity at that time (fleet busy)"


def test_wheelchair_places_are_a_second_capacity():
    # Two wheelchair users travelling the same way at the same time, one wheelchair place:
    # they cannot ride together, so the single vehicle serves them one after the other.
    t = 8 * HOUR
    reqs = [
        Request("w1", pickup=1, dropoff=4, wheelchair=1, pickup_window=TimeWindow(t, t + 60 * MIN)),
        Request("w2", pickup=2, dropoff=3, wheelchair=1, pickup_window=TimeWindow(t, t + 60 * MIN)),
    ]
    veh = [Vehicle("v", 0, 0, seats=8, wheelchair=1)]
    p = make_problem(reqs, veh)
    plan = solve(p, iterations=100)
    assert_valid(p, plan)
    assert plan.served_ids == {"w1", "w2"}
    assert max(s.wheelchair_load for s in plan.routes[0].stops) == 1
    # Nested 0-1-2-3-4-0 (8 steps) would need two places; the best legal tour is
    # 0-1-4-2-3-0 (10 steps).
    assert evaluate(p, plan).travel_time == pytest.approx(10 * 2 * MIN)


def test_assigned_vehicle_is_respected():
    reqs = [Request("mine", pickup=1, dropoff=2, assigned_vehicle="far", pickup_window=TimeWindow(0, 10 * HOUR))]
    veh = [Vehicle("near", 1, 1, seats=2), Vehicle("far", 5, 5, seats=2)]
    p = make_problem(reqs, veh)
    plan = solve(p, iterations=30)
    assert_valid(p, plan)
    assert route_of(plan, "mine") == "far"
    assert plan.route("near").stops == ()


def test_unreachable_arc_is_avoided():
    tt, dist = line_matrices()
    tt[1, 2] = tt[2, 1] = np.inf
    dist[1, 2] = dist[2, 1] = np.inf
    reqs = [
        Request("a", pickup=1, dropoff=3, pickup_window=TimeWindow(0, HOUR)),
        Request("b", pickup=2, dropoff=3, pickup_window=TimeWindow(0, HOUR)),
    ]
    p = make_problem(reqs, [Vehicle("v", 0, 0, seats=4)], matrices=(tt, dist))
    plan = solve(p, iterations=50)
    assert_valid(p, plan)
    assert plan.served_ids == {"a", "b"}


def test_request_already_on_board_is_dropped_off_within_its_ride_limit():
    t = 9 * HOUR
    reqs = [
        Request("aboard", pickup=3, dropoff=5, assigned_vehicle="v", picked_up_at=t, max_ride_time=10 * MIN),
        Request("new", pickup=4, dropoff=1, pickup_window=TimeWindow(t, t + 30 * MIN)),
    ]
    veh = [Vehicle("v", start_depot=3, end_depot=0, seats=1, shift=TimeWindow(t, 12 * HOUR))]
    p = make_problem(reqs, veh)
    plan = solve(p, iterations=50)
    assert_valid(p, plan)
    stops = plan.routes[0].stops
    assert stops[0].kind == StopKind.START and stops[0].load == 1
    assert [s.request_id for s in stops if s.kind == StopKind.PICKUP] == ["new"]
    drop = next(s for s in stops if s.request_id == "aboard")
    assert drop.start - t <= 10 * MIN + 1e-6
    assert plan.served_ids == {"aboard", "new"}


def test_break_is_taken_empty_inside_its_window():
    reqs = [
        Request("morning", pickup=1, dropoff=5, pickup_window=TimeWindow(8 * HOUR, 8 * HOUR + 10 * MIN)),
        Request("noon", pickup=5, dropoff=1, pickup_window=TimeWindow(12 * HOUR, 12 * HOUR + 10 * MIN)),
    ]
    brk = Break(earliest_start=9 * HOUR, latest_end=11 * HOUR, duration=45 * MIN, location=3)
    veh = [Vehicle("v", 0, 0, seats=2, shift=TimeWindow(7 * HOUR, 14 * HOUR), breaks=(brk,))]
    p = make_problem(reqs, veh)
    plan = solve(p, iterations=50)
    assert_valid(p, plan)
    breaks = [s for s in plan.routes[0].stops if s.kind == StopKind.BREAK]
    assert len(breaks) == 1
    b = breaks[0]
    assert b.location == 3 and b.load == 0
    assert 9 * HOUR <= b.start and b.start + 45 * MIN <= 11 * HOUR


def test_unused_vehicle_takes_no_break_and_has_an_empty_route():
    brk = Break(9 * HOUR, 11 * HOUR, 30 * MIN)
    veh = [Vehicle("idle", 0, 0, seats=2, breaks=(brk,))]
    p = make_problem([], veh)
    plan = solve(p, iterations=10)
    assert_valid(p, plan)
    assert plan.routes[0].stops == ()


def test_waiting_happens_before_boarding_not_on_board():
    # The drop-off may not start before 10:00; the trip takes 6 minutes. The
    # passenger should board at 09:54 (after the vehicle waited), not wait on board.
    reqs = [
        Request(
            "a",
            pickup=1,
            dropoff=4,
            pickup_window=TimeWindow(8 * HOUR, 11 * HOUR),
            dropoff_window=TimeWindow(10 * HOUR, 11 * HOUR),
        )
    ]
    veh = [Vehicle("v", 0, 0, seats=2, shift=TimeWindow(8 * HOUR, 12 * HOUR))]
    p = make_problem(reqs, veh, weights=ObjectiveWeights(travel_time=1.0, ride_time=0.1))
    plan = solve(p, iterations=20)
    assert_valid(p, plan)
    assert evaluate(p, plan).ride_times["a"] == pytest.approx(6 * MIN)
    start = plan.routes[0].stops[0]
    assert start.departure == pytest.approx(10 * HOUR - 8 * MIN)  # leaves just in time


def test_warm_start_keeps_served_requests_and_adds_new_ones():
    t = 8 * HOUR
    base = [
        Request(f"r{i}", pickup=1 + i % 5, dropoff=5 - i % 5 if 5 - i % 5 != 1 + i % 5 else 0,
                pickup_window=TimeWindow(t + 20 * MIN * i, t + 20 * MIN * i + 10 * MIN), max_ride_time=30 * MIN)
        for i in range(6)
    ]
    veh = [Vehicle("v1", 0, 0, seats=2), Vehicle("v2", 0, 0, seats=2)]
    p1 = make_problem(base, veh)
    plan1 = solve(p1, iterations=200)
    assert_valid(p1, plan1)
    assert plan1.served_ids == {r.id for r in base}
    late = [
        Request(f"late{i}", pickup=2 + i, dropoff=4 - i if 4 - i != 2 + i else 0,
                pickup_window=TimeWindow(t + 35 * MIN * i, t + 35 * MIN * i + 15 * MIN), max_ride_time=30 * MIN)
        for i in range(3)
    ]
    # One old request is cancelled: it disappears from the warm-started plan.
    p2 = make_problem([r for r in base if r.id != "r3"] + late, veh)
    plan2 = solve(p2, iterations=200, initial_plan=plan1)
    assert_valid(p2, plan2)
    assert plan1.served_ids - {"r3"} <= plan2.served_ids
    assert "r3" not in plan2.served_ids | plan2.rejected_ids
    assert {r.id for r in late} <= plan2.served_ids | plan2.rejected_ids


def test_warm_start_with_zero_iterations_keeps_the_routes():
    reqs = [Request(f"r{i}", pickup=i + 1, dropoff=5 - i, pickup_window=TimeWindow(0, 3 * HOUR)) for i in range(2)]
    p = make_problem(reqs, [Vehicle("v", 0, 0, seats=3)])
    plan = solve(p, iterations=100)
    again = solve(p, iterations=0, initial_plan=plan)
    assert_valid(p, again)
    assert [s.request_id for s in again.routes[0].stops] == [s.request_id for s in plan.routes[0].stops]


def test_same_seed_same_plan_and_budget_controls_the_search():
    p = random_tiny(3)
    a = solve(p, iterations=150, seed=7)
    b = solve(p, iterations=150, seed=7)
    assert a.routes == b.routes and a.rejected == b.rejected
    assert a.stats.iterations == 150


def test_default_budget_grows_with_problem_size():
    small = make_problem([Request("a", 1, 2)], [Vehicle("v", 0, 0, seats=1)])
    many = make_problem([Request(f"r{i}", 1, 2) for i in range(120)], [Vehicle("v", 0, 0, seats=1)])
    assert default_iterations(many) > default_iterations(small) >= 1000


def test_time_limit_cuts_the_search_with_a_warning(caplog):
    p = random_tiny(1)
    with caplog.at_level(logging.WARNING, logger="transit.solver"):
        plan = solve(p, iterations=10**9, time_limit=0.3)
    assert_valid(p, plan)
    assert plan.stats.time_limit_reached is True
    assert any("time limit" in rec.message for rec in caplog.records)


def test_no_vehicles_rejects_everything():
    p = make_problem([Request("a", 1, 2)], [])
    plan = solve(p, iterations=10)
    assert plan.routes == ()
    assert [x.request_id for x in plan.rejected] == ["a"]


def test_ortools_strategy_gives_a_valid_plan_with_breaks():
    reqs = [
        Request("morning", pickup=1, dropoff=5, pickup_window=TimeWindow(8 * HOUR, 8 * HOUR + 10 * MIN)),
        Request("noon", pickup=5, dropoff=1, pickup_window=TimeWindow(12 * HOUR, 12 * HOUR + 10 * MIN)),
    ]
    brk = Break(earliest_start=9 * HOUR, latest_end=11 * HOUR, duration=45 * MIN, location=3)
    veh = [Vehicle("v", 0, 0, seats=2, shift=TimeWindow(7 * HOUR, 14 * HOUR), breaks=(brk,))]
    p = make_problem(reqs, veh)
    plan = solve(p, strategy="ortools", time_limit=0.5)
    assert_valid(p, plan)
    assert plan.served_ids == {"morning", "noon"}


def test_ortools_strategy_matches_the_enumerated_optimum_on_a_tiny_instance():
    p = random_tiny(HARD_TINY[0])
    rejected, optimum = brute_force(p)
    plan = solve(p, strategy="ortools", time_limit=1.0)
    assert_valid(p, plan)
    assert len(plan.rejected) == rejected
    # OR-Tools rounds times up to 0.1 s, so it may miss an optimum that is tight to the second.
    assert evaluate(p, plan).travel_time >= optimum - 1e-6


def test_unknown_strategy_is_an_error():
    p = make_problem([Request("a", 1, 2)], [Vehicle("v", 0, 0, seats=1)])
    with pytest.raises(SolverError, match="unknown strategy"):
        solve(p, strategy="magic")


def test_search_moves_a_badly_placed_break():
    # A warm start takes the break after the last trip, which means driving back
    # to location 5; between the two trips the vehicle is at location 5 anyway.
    reqs = [
        Request("out", pickup=1, dropoff=5, pickup_window=TimeWindow(9.5 * HOUR, 9.5 * HOUR + 10 * MIN)),
        Request("back", pickup=5, dropoff=1, pickup_window=TimeWindow(11 * HOUR, 11 * HOUR + 10 * MIN)),
    ]
    brk = Break(earliest_start=10 * HOUR, latest_end=12 * HOUR, duration=30 * MIN, location=5)
    veh = [Vehicle("v", 0, 0, seats=2, shift=TimeWindow(7 * HOUR, 14 * HOUR), breaks=(brk,))]
    p = make_problem(reqs, veh)
    order = [
        (StopKind.START, 0, None),
        (StopKind.PICKUP, 1, "out"),
        (StopKind.DROPOFF, 5, "out"),
        (StopKind.PICKUP, 5, "back"),
        (StopKind.DROPOFF, 1, "back"),
        (StopKind.BREAK, 5, None),
        (StopKind.END, 0, None),
    ]
    stops = tuple(Stop(kind, loc, 0.0, 0.0, 0.0, request_id=rid) for kind, loc, rid in order)
    warm = Plan(routes=(Route("v", stops),))
    kept = solve(p, iterations=0, initial_plan=warm)
    assert_valid(p, kept)
    assert evaluate(p, kept).travel_time == pytest.approx(18 * 2 * MIN)
    better = solve(p, iterations=1, initial_plan=warm)
    assert_valid(p, better)
    assert evaluate(p, better).travel_time == pytest.approx(10 * 2 * MIN)
    kinds = [s.kind for s in better.routes[0].stops]
    assert kinds.index(StopKind.BREAK) == 3  # between the two trips


def test_progress_is_reported_up_to_the_budget():
    p = random_tiny(HARD_TINY[1])
    calls = []
    solve(p, iterations=120, progress=lambda done, total, msg="": calls.append((done, total, msg)))
    assert calls and calls[-1][:2] == (120, 120)
    assert all(total == 120 for _, total, _ in calls)
    assert [d for d, _, _ in calls] == sorted(d for d, _, _ in calls)
    assert "best objective" in calls[-1][2]


def test_search_settings_from_toml(tmp_path):
    from transit.errors import InputError
    from transit.solver.settings import SearchSettings, read_search_settings

    path = tmp_path / "search.toml"
    path.write_text("[search]\nepoch = 800\nnoise = 0.05\nrestart_from_best = false\n", encoding="utf-8")
    s = read_search_settings(path)
    assert s == SearchSettings(epoch=800, noise=0.05, restart_from_best=False)
    path.write_text("epoch = 800\nnoyse = 0.05\n", encoding="utf-8")
    with pytest.raises(InputError, match="noyse"):
        read_search_settings(path)
    path.write_text("epoch = 1.5\n", encoding="utf-8")
    with pytest.raises(InputError, match="epoch"):
        read_search_settings(path)
