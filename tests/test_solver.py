"""Tests of the dial-a-ride solver (transit.solver.solve) on tiny named instances."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from transit.checker import check, evaluate
from transit.model import (
    Break,
    ObjectiveWeights,
    Plan,
    Problem,
    Request,
    StopKind,
    TimeWindow,
    Vehicle,
)
from transit.solver import solve

# A line of 6 points 0..5, one kilometre (and two minutes) apart; location 0 is the depot.
N_LOC = 6


def line_matrices(n: int = N_LOC) -> tuple[np.ndarray, np.ndarray]:
    """Travel time (120 s per step) and distance (1000 m per step) along a line."""
    idx = np.arange(n)
    steps = np.abs(idx[:, None] - idx[None, :]).astype(float)
    return steps * 120.0, steps * 1000.0


def problem_of(requests, vehicles, weights=None, tt=None, dist=None) -> Problem:
    t, d = line_matrices()
    return Problem(
        requests=tuple(requests),
        vehicles=tuple(vehicles),
        travel_time=t if tt is None else tt,
        distance=d if dist is None else dist,
        weights=weights or ObjectiveWeights(travel_time=1.0),
    )


def assert_valid(problem: Problem, plan: Plan) -> None:
    """The independent checker finds nothing wrong and every request is accounted for."""
    violations = check(problem, plan)
    assert violations == [], "\n".join(str(v) for v in violations)
    assert plan.served_ids | plan.rejected_ids == {r.id for r in problem.requests}
    assert not (plan.served_ids & plan.rejected_ids)
    assert [r.vehicle_id for r in plan.routes] == [v.id for v in problem.vehicles]
    assert math.isclose(plan.objective, evaluate(problem, plan).objective, rel_tol=1e-9, abs_tol=1e-6)


def test_two_requests_one_vehicle_is_valid_and_served():
    reqs = [
        Request("a", pickup=1, dropoff=3, pickup_window=TimeWindow(0, 3600)),
        Request("b", pickup=2, dropoff=4, pickup_window=TimeWindow(0, 3600)),
    ]
    veh = [Vehicle("v", start_depot=0, end_depot=0, seats=4)]
    p = problem_of(reqs, veh)
    plan = solve(p, iterations=50)
    assert_valid(p, plan)
    assert plan.served_ids == {"a", "b"}
    # 0 -> 1 -> 2 -> 3 -> 4 -> 0 is optimal: 8 steps of 120 s.
    assert evaluate(p, plan).travel_time == pytest.approx(8 * 120.0)
