"""The solver on published Cordeau (2006) dial-a-ride instances (short budgets)."""

from __future__ import annotations

import csv

import pytest

from transit.darp.checker import check, evaluate
from transit.darp.cordeau import read_cordeau
from transit.solver import solve


def _bks(shared_dir) -> dict[str, float]:
    with open(shared_dir / "benchmarks" / "darp" / "bks.csv", newline="") as f:
        return {row["instance"]: float(row["bks_cost"]) for row in csv.DictReader(f)}


@pytest.mark.parametrize(("name", "iterations", "max_gap_pct"), [("a2-16", 500, 2.0), ("a4-24", 500, 2.0), ("a6-72", 300, None)])
def test_cordeau_instance_is_solved_feasibly(shared_dir, name, iterations, max_gap_pct):
    inst = read_cordeau(shared_dir / "benchmarks" / "darp" / "instances" / f"{name}.txt")
    plan = solve(inst.problem, iterations=iterations, seed=0)
    assert check(inst.problem, plan) == []
    assert plan.rejected == ()
    cost = evaluate(inst.problem, plan).distance
    bks = _bks(shared_dir)[name]
    assert cost >= bks - 0.005  # never below the proven optimum
    if max_gap_pct is not None:
        assert 100.0 * (cost - bks) / bks <= max_gap_pct


def test_cordeau_search_improves_on_the_first_solution(shared_dir):
    inst = read_cordeau(shared_dir / "benchmarks" / "darp" / "instances" / "a4-40.txt")
    first = solve(inst.problem, iterations=0)
    better = solve(inst.problem, iterations=400)
    assert check(inst.problem, better) == []
    assert evaluate(inst.problem, better).distance < evaluate(inst.problem, first).distance
