"""The route pool's column selection for set-partitioning recombination."""

from __future__ import annotations

from test_solver_schedule import random_problem

from transit.solver.compiled import compile_problem
from transit.solver.pool import columns, make_pool, vehicle_classes


def _pool_with_routes(qualities: list[float], costs: list[float]):
    """A pool whose k-th route serves request ``k % n`` alone, met in a solution of ``qualities[k]``."""
    comp = compile_problem(random_problem(3, n=4))
    pool = make_pool(comp, vehicle_classes(comp), seed=0)
    inst = comp.inst
    for k, (q, c) in enumerate(zip(qualities, costs, strict=True)):
        r = k % comp.n_requests
        seq = [inst.vstart[0], 2 * r, 2 * r + 1, inst.vend[0]]
        pool.pseq[k, : len(seq)] = seq
        pool.plen[k] = len(seq)
        pool.pcost[k] = c
        pool.pqual[k] = q
    pool.count[0] = len(qualities)
    return comp, pool


def test_columns_filter_by_quality_and_report_the_served_requests() -> None:
    comp, pool = _pool_with_routes([10.0, 12.0, 30.0, 11.0, 10.0], [5.0, 4.0, 3.0, 2.0, 1.0])
    index, served, cost, veh = columns(comp, pool, 12.0)
    assert index.tolist() == [0, 1, 3, 4]
    assert [s.tolist() for s in served] == [[0], [1], [3], [0]]
    assert cost.tolist() == [5.0, 4.0, 2.0, 1.0]
    assert veh.tolist() == [0, 0, 0, 0]


def test_column_cap_keeps_the_routes_of_the_best_solutions_in_pool_order() -> None:
    comp, pool = _pool_with_routes([13.0, 12.0, 10.0, 11.0, 10.0, 12.0], [1.0, 9.0, 5.0, 2.0, 4.0, 3.0])
    index, served, cost, _ = columns(comp, pool, 20.0, max_columns=4)
    # qualities 10, 10, 11 first, then the cheaper of the two routes of quality 12
    assert index.tolist() == [2, 3, 4, 5]
    assert cost.tolist() == [5.0, 2.0, 4.0, 3.0]
    assert len(served) == 4
    # no cap, or a cap above the count, changes nothing
    assert columns(comp, pool, 20.0, max_columns=6)[0].tolist() == list(range(6))
    assert columns(comp, pool, 20.0)[0].tolist() == list(range(6))


def test_merged_pool_holds_the_routes_of_both_with_the_better_quality() -> None:
    from transit.solver.pool import add_solution, find_route, merge_pool
    from transit.solver.solve import _construct, _start

    comp = compile_problem(random_problem(3, n=4))
    run = _start(comp, seed=0)
    assert _construct(run, 3, None)
    inst, sol = comp.inst, run.cur
    used = [v for v in range(comp.n_vehicles) if sol.rnreq[v] > 0]
    assert used
    met = make_pool(comp, vehicle_classes(comp), seed=0)
    add_solution(met, inst, sol, 10.0)
    empty = make_pool(comp, vehicle_classes(comp), seed=0)
    assert merge_pool(empty, met) == len(used)  # every route is new there
    assert empty.count[0] == met.count[0] == len(used)
    assert all(find_route(empty, inst, sol, v) >= 0 for v in used)
    better = make_pool(comp, vehicle_classes(comp), seed=0)
    add_solution(better, inst, sol, 8.0)  # the same routes, met in a better solution
    assert merge_pool(met, better) == len(used) and met.count[0] == len(used)
    assert sorted(met.pqual[: met.count[0]].tolist()) == [8.0] * len(used)
    assert merge_pool(met, better) == 0  # nothing new the second time


def _hard_set_partitioning(seed: int = 1):
    """120 requests, 3,000 random routes of 3-8 requests: CBC proved no optimum in 38 s (AMD VM, 2026-12-07)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = 120
    served = [np.sort(rng.choice(n, size=int(rng.integers(3, 9)), replace=False)) for _ in range(3000)]
    cost = np.array([10.0 * len(s) + rng.uniform(0.0, 30.0) for s in served])
    return served, cost, np.zeros(len(served), np.int64), np.array([25]), n


def test_a_capped_set_partitioning_offers_its_best_routes_only_when_asked() -> None:
    from transit.solver.ortools_adapter import choose_routes

    served, cost, col_class, class_size, n = _hard_set_partitioning()
    # Cut by its cap: no proven optimum, so nothing (a cut-off answer depends on the machine)...
    assert choose_routes(served, cost, col_class, class_size, n, 1000.0, wall_limit=4.0) is None
    # ...unless the caller searches under a clock and takes the best found so far.
    chosen = choose_routes(served, cost, col_class, class_size, n, 1000.0, wall_limit=4.0, accept_incumbent=True)
    assert chosen is not None and 0 < len(chosen) <= 25
    covered = [int(r) for k in chosen for r in served[k]]
    assert len(covered) == len(set(covered))  # every request at most once
    assert float(cost[chosen].sum()) + 1000.0 * (n - len(covered)) < 1000.0 * n  # better than serving none


def test_recombination_cap_under_a_clock() -> None:
    import time

    from transit.solver.solve import RECOMBINE_CAP_MIN, RECOMBINE_CAP_SHARE, _recombine_wall

    now = time.perf_counter()
    assert _recombine_wall(None, now, False) == 30.0  # a budget run: the solve must prove its optimum
    # A time limit as a safety cap only: what is left of it.
    assert 99.0 < _recombine_wall(now + 100.0, now, False) <= 100.0
    # Searching until the limit: a share of the search time...
    assert _recombine_wall(now + 100.0, now, True) == RECOMBINE_CAP_SHARE * 100.0
    # ...at least the minimum, never past the deadline, and never nothing.
    assert _recombine_wall(now + 10.0, now, True) == max(RECOMBINE_CAP_MIN, RECOMBINE_CAP_SHARE * 10.0)
    assert _recombine_wall(now + 0.5, now - 59.5, True) <= 0.5
    assert _recombine_wall(now - 1.0, now - 61.0, True) == 0.05
