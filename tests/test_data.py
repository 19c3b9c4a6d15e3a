"""The frozen plan data: solver statistics are typed and survive a JSON round trip."""

from __future__ import annotations

import json
import math

import pytest

from transit.darp.data import Plan, SolverStats
from transit.errors import ProblemDataError


def test_solver_stats_round_trip_through_json():
    stats = SolverStats(
        strategy="regret insertion + ALNS",
        seed=3,
        iterations=120,
        iteration_budget=200,
        seconds=1.5,
        destroy_weights=(0.5, 1.25),
    )
    plan = Plan(routes=(), stats=stats)
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again.stats == stats


def test_clock_fields_left_out_on_request_and_unknown_values_dropped():
    d = SolverStats(iterations=5, seconds=2.0, setup_seconds=0.1).to_dict(clock=False)
    assert d["iterations"] == 5
    assert not {"seconds", "setup_seconds", "first_solution_seconds", "search_seconds"} & set(d)
    assert "first_solution_cost" not in d  # unknown (NaN) values are not written
    assert math.isnan(SolverStats.from_dict(d).seconds)


def test_from_dict_ignores_unknown_keys_and_names_a_bad_value():
    assert SolverStats.from_dict({"iterations": 7, "new_bookings": 3}).iterations == 7
    with pytest.raises(ProblemDataError, match="iterations"):
        SolverStats.from_dict({"iterations": "many"})
    with pytest.raises(ProblemDataError, match="time_limit_reached"):
        SolverStats.from_dict({"time_limit_reached": 1})


def test_plan_refuses_untyped_stats():
    with pytest.raises(ProblemDataError, match="SolverStats"):
        Plan(routes=(), stats={"iterations": 1})  # type: ignore[arg-type]
