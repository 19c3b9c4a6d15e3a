"""The Cordeau & Laporte (2003) pr set: read, solved feasibly; large-problem safeguards of the solver."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from darpcase import PR_SIZES, pr_like_text, write_pr_like

from transit.darp.benchmark import bench_row
from transit.darp.checker import check
from transit.darp.cordeau import read_cordeau
from transit.errors import SolverError
from transit.solver import SearchSettings, solve
from transit.solver import compiled as compiled_mod
from transit.solver.compiled import compile_problem
from transit.solver.solve import NOT_REACHED


def _pr_files(shared_dir):
    return sorted((shared_dir / "benchmarks" / "darp-pr" / "instances").glob("pr*.txt"))


@pytest.mark.slow
def test_every_shared_pr_instance_is_solved_feasibly(shared_dir):
    files = _pr_files(shared_dir)
    assert len(files) == 10
    for path in files:
        inst = read_cordeau(path)
        plan = solve(inst.problem, iterations=60, seed=0)
        assert check(inst.problem, plan) == [], path.name
        assert plan.rejected == (), path.name


@pytest.mark.parametrize("name", sorted(PR_SIZES))
def test_held_out_sized_pr_instances_read_and_solve_feasibly(tmp_path, name):
    # The ten held-out instances' sizes, made the way the set was (tests/darpcase.py).
    inst = read_cordeau(write_pr_like(tmp_path, name, seed=1))
    vehicles, requests = PR_SIZES[name]
    assert (inst.K, inst.n, len(inst.problem.requests)) == (vehicles, requests, requests)
    assert inst.end_depot == 0  # routes end at the depot line 0: no end-depot line in this layout
    plan = solve(inst.problem, iterations=30, seed=0)
    assert check(inst.problem, plan) == []
    assert all(r.reason for r in plan.rejected)
    assert len(plan.rejected) <= requests // 20
    assert len(plan.served_ids) + len(plan.rejected) == requests


def _large(folder: Path, requests: int, vehicles: int, seed: int = 0):
    path = folder / f"big{requests}.txt"
    path.write_text(pr_like_text(vehicles, requests, wide=True, seed=seed), encoding="utf-8")
    return read_cordeau(path)


def test_large_problems_keep_a_sparse_top_k_relatedness_table(monkeypatch, tmp_path):
    inst = _large(tmp_path, 1200, 60)
    sparse = compile_problem(inst.problem).inst.nearest
    k = compiled_mod.RELATED_NEIGHBOURS + 1
    assert sparse.shape == (1200, k)
    assert np.array_equal(sparse[:, 0], np.arange(1200))  # each request first, then its neighbours
    # The same k first neighbours as the full (dense) ordering.
    monkeypatch.setattr(compiled_mod, "RELATED_DENSE_MAX", 10_000)
    dense = compile_problem(inst.problem).inst.nearest
    assert dense.shape == (1200, 1200)
    assert np.array_equal(dense[:, :k], sparse)


def test_small_problems_keep_every_neighbour(tmp_path):
    inst = _large(tmp_path, 40, 3)
    nearest = compile_problem(inst.problem).inst.nearest
    assert nearest.shape == (40, 40)
    assert all(sorted(row) == list(range(40)) for row in nearest.tolist())


def test_search_with_sparse_relatedness_stays_feasible(tmp_path):
    inst = _large(tmp_path, 1100, 70, seed=3)
    plan = solve(inst.problem, iterations=40, seed=0)
    assert check(inst.problem, plan) == []
    assert all(r.reason for r in plan.rejected)


def test_time_limit_caps_the_construction_and_rejects_the_rest_with_a_reason(tmp_path):
    inst = _large(tmp_path, 1200, 60)
    # A limit shorter than compiling the problem: the chunked construction stops at once.
    plan = solve(inst.problem, time_limit=0.001, seed=0)
    assert plan.stats.stop_reason == "time limit (construction)"
    assert plan.stats.time_limit_reached
    assert check(inst.problem, plan) == []
    assert len(plan.rejected) == 1200
    assert {r.reason for r in plan.rejected} == {NOT_REACHED}


def test_search_until_time_stops_on_the_stated_convergence_rule(shared_dir):
    inst = read_cordeau(shared_dir / "benchmarks" / "darp" / "instances" / "a2-16.txt")
    settings = SearchSettings(converge_per_request=5, converge_factor=1.0)
    plan = solve(inst.problem, time_limit=120.0, search_until="time", settings=settings, seed=0)
    stats = plan.stats
    assert stats.stop_reason == "converged"
    assert not stats.time_limit_reached
    quiet = stats.iterations - stats.last_improvement
    assert quiet >= max(5 * 16, stats.last_improvement)
    assert settings.converged(stats.iterations, stats.last_improvement, 16)
    assert check(inst.problem, plan) == []


def test_two_searches_side_by_side_share_their_best_and_a_budget_run_stays_one(shared_dir):
    inst = read_cordeau(shared_dir / "benchmarks" / "darp" / "instances" / "a2-16.txt")
    settings = SearchSettings(converge_per_request=5, converge_factor=1.0)
    plan = solve(inst.problem, time_limit=120.0, search_until="time", settings=settings, seed=0, workers=2)
    assert plan.stats.stop_reason == "converged"
    assert check(inst.problem, plan) == [] and plan.rejected == ()
    assert plan.stats.iterations % 2 == 0 and plan.stats.iterations > 0  # both searches ran every chunk
    assert settings.converged(plan.stats.iterations // 2, plan.stats.last_improvement // 2, 16)
    assert plan.objective <= plan.stats.first_solution_cost
    assert bench_row(inst, plan, 0.0, 294.25)["gap_pct"] < 1.0  # within 1% of the proven optimum, converged early
    one = solve(inst.problem, iterations=200, seed=3)
    two = solve(inst.problem, iterations=200, seed=3, workers=2)  # a budget: one search, reproducible
    assert [r.stops for r in one.routes] == [r.stops for r in two.routes] and one.stats.iterations == 200


def test_convergence_rule():
    s = SearchSettings(converge_per_request=100, converge_factor=2.0)
    assert not s.converged(done=1500, last_improvement=600, n_requests=10)  # quiet 900 < 2 * 600
    assert s.converged(done=1800, last_improvement=600, n_requests=10)
    assert not s.converged(done=999, last_improvement=0, n_requests=10)  # quiet 999 < 100 * 10
    assert s.converged(done=1000, last_improvement=0, n_requests=10)


def test_budget_without_time_limit_is_reproducible(shared_dir):
    inst = read_cordeau(shared_dir / "benchmarks" / "darp-pr" / "instances" / "pr01.txt")
    a = solve(inst.problem, iterations=300, seed=4)
    b = solve(inst.problem, iterations=300, seed=4)
    assert a.stats.stop_reason == b.stats.stop_reason == "budget"
    assert a.objective == b.objective
    assert [r.stops for r in a.routes] == [r.stops for r in b.routes]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"search_until": "time"}, "needs a time_limit"), ({"search_until": "never"}, "unknown search_until")],
)
def test_bad_search_until_is_a_solver_error(tmp_path, kwargs, words):
    inst = _large(tmp_path, 10, 2)
    with pytest.raises(SolverError, match=words):
        solve(inst.problem, **kwargs)
