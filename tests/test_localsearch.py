"""The local search: near vehicles on a large fleet, their pairs, polish limited to them, and the
tail exchange's memo of pairs of routes with no improving exchange."""

from __future__ import annotations

import numpy as np
import pytest
from darpcase import pr_like_text
from solvercase import first_solution

from transit.darp.checker import check
from transit.darp.cordeau import read_cordeau
from transit.solver import SearchSettings, solve
from transit.solver.localsearch import _exchange_tails, _pair_key, near_pairs, near_vehicles, polish, route_hash
from transit.solver.search import memo_slots
from transit.solver.state import (
    best_insert,
    cheapest_insert,
    copy_sol,
    empty_sol,
    insert_at,
    recompute,
    remove_request,
    total_cost,
)


def _problem(tmp_path, vehicles=9, requests=96, seed=3):
    path = tmp_path / "case.txt"
    path.write_text(pr_like_text(vehicles, requests, wide=True, seed=seed), encoding="utf-8")
    return read_cordeau(path).problem


def _detour(inst, sol, r, v):
    """The nearness of near_vehicles, written out: least feasible-in-time detour to the pickup."""
    p = 2 * r
    best = np.inf
    if not inst.fits[r, v]:
        return best
    for z in range(int(sol.rlen[v]) - 1):
        a, b = sol.seq[v, z], sol.seq[v, z + 1]
        t = inst.tt[inst.nloc[a], inst.nloc[p]]
        if sol.E[v, z] + inst.ns[a] + t <= inst.nl[p] + 1e-9:
            best = min(best, t + inst.tt[inst.nloc[p], inst.nloc[b]] - inst.tt[inst.nloc[a], inst.nloc[b]])
    return best


def test_near_vehicles_are_those_with_the_least_detour_to_the_pickup(tmp_path):
    comp, sol, _, _, _ = first_solution(_problem(tmp_path), 7)
    inst, nv = comp.inst, comp.n_vehicles
    k = 3
    near = near_vehicles(inst, sol, k)
    assert near.shape == (comp.n_requests, k)
    for r in range(comp.n_requests):
        d = np.array([_detour(inst, sol, r, v) for v in range(nv)])
        want = [v for v in np.argsort(d, kind="stable")[:k] if np.isfinite(d[v])]
        assert near[r, : len(want)].tolist() == want
        assert (near[r, len(want):] == -1).all()
    pairs = near_pairs(sol, near)
    assert (pairs == pairs.T).all()
    assert 0 < pairs.sum() < nv * nv


def test_cheapest_insert_is_the_least_best_insert_over_the_vehicles(tmp_path):
    comp, sol, w, cands, _ = first_solution(_problem(tmp_path), 7)
    inst, nv = comp.inst, comp.n_vehicles
    taken = [r for r in range(comp.n_requests) if sol.where[r] >= 0][::4]
    for r in taken:
        remove_request(inst, sol, r, w)
    fitted = 0
    for r in taken:
        per_vehicle = [best_insert(inst, sol, r, v, w, cands, 3) for v in range(nv)]
        costs = [c for c, _, _ in per_vehicle]
        c, v, i, j = cheapest_insert(inst, sol, r, w, cands, 3)
        if np.isfinite(min(costs)):
            fitted += 1
            want = int(np.argmin(costs))  # the first of equal costs
            assert (v, i, j) == (want, per_vehicle[want][1], per_vehicle[want][2])
            assert c == costs[want]
        else:
            assert (v, i, j) == (-1, -1, -1) and c == np.inf
    assert fitted > 0


@pytest.mark.parametrize("near", [0, 3])
def test_polish_keeps_the_plan_feasible_and_never_worse(tmp_path, near):
    comp, sol, w, cands, search = first_solution(_problem(tmp_path), 7)
    inst, n, nv = comp.inst, comp.n_requests, comp.n_vehicles
    before, rejected = total_cost(inst, sol)
    tmp = empty_sol(n, nv, comp.max_len)
    moves = polish(inst, sol, tmp, w, cands, search, 3, 3, near)
    after, rejected_after = total_cost(inst, sol)
    assert moves > 0
    assert after < before and rejected_after == rejected
    for v in range(nv):
        assert recompute(inst, sol, v, w)
        for z in range(1, int(sol.rlen[v]) - 1):
            r = inst.nreq[sol.seq[v, z]]
            assert r < 0 or sol.where[r] == v


def test_a_fleet_searched_near_vehicles_only_still_gets_a_checked_plan(tmp_path):
    problem = _problem(tmp_path, vehicles=11, requests=120, seed=5)
    plan = solve(problem, iterations=150, seed=0, settings=SearchSettings(polish_vehicles=4))
    assert check(problem, plan) == []
    assert plan.rejected == ()


def _two_route_swap_case():
    """Two routes whose second halves should be swapped (as in test_solver_schedule)."""
    from transit.darp.data import ObjectiveWeights, Problem, Request, TimeWindow, Vehicle
    from transit.solver.compiled import compile_problem
    from transit.solver.schedule import make_work

    idx = np.arange(6)
    tt = np.abs(idx[:, None] - idx[None, :]) * 120.0
    day = TimeWindow(7 * 3600.0, 12 * 3600.0)
    reqs = (
        Request("w1", 1, 2, pickup_window=day),
        Request("e1", 4, 5, pickup_window=day),
        Request("e2", 4, 3, pickup_window=day),
        Request("w2", 1, 0, pickup_window=day),
    )
    vehs = (Vehicle("west", 0, 0, seats=1), Vehicle("east", 5, 5, seats=1))
    comp = compile_problem(Problem(reqs, vehs, tt, tt.copy(), ObjectiveWeights(travel_time=1.0)))
    inst = comp.inst
    w = make_work(comp.max_len, comp.n_requests)
    sol = empty_sol(comp.n_requests, 2, comp.max_len)
    for v, rs in {0: [0, 1], 1: [2, 3]}.items():
        nodes = [inst.vstart[v]] + [x for r in rs for x in (2 * r, 2 * r + 1)] + [inst.vend[v]]
        sol.seq[v, : len(nodes)] = nodes
        sol.rlen[v] = len(nodes)
        for r in rs:
            sol.where[r] = v
        assert recompute(inst, sol, v, w)
    return comp, sol, w


def test_a_remembered_pair_of_routes_is_not_evaluated_again():
    comp, sol, w = _two_route_swap_case()
    inst = comp.inst
    tmp = empty_sol(comp.n_requests, 2, comp.max_len)
    pairs = np.ones((2, 2), np.bool_)
    vhash = np.array([route_hash(sol, 0), route_hash(sol, 1)], np.uint64)
    memo = np.zeros(1024, np.uint64)
    key = _pair_key(vhash, 0, 1)
    memo[key & np.uint64(1023)] = key
    # The pair is in the memo as having no improving exchange: it is skipped, nothing changes.
    before = sol.seq.copy()
    assert not _exchange_tails(inst, sol, tmp, w, pairs, memo, np.zeros(2, np.uint64))
    assert (sol.seq == before).all()
    # Without it the swap is found (and the new pair of routes has a different key).
    assert _exchange_tails(inst, sol, tmp, w, pairs, np.zeros(1024, np.uint64), np.zeros(2, np.uint64))
    assert (sol.seq != before).any()
    assert _pair_key(np.array([route_hash(sol, 0), route_hash(sol, 1)], np.uint64), 0, 1) != key


def test_the_tail_exchange_memo_makes_the_same_swaps(tmp_path):
    # Repeated exchanges on a changing plan, with the memo carried from one to the next and
    # without it: the same routes after every step, and the memo does get used.
    comp, sol, w, cands, search = first_solution(_problem(tmp_path, vehicles=9, requests=96, seed=4), 3)
    inst, n, nv = comp.inst, comp.n_requests, comp.n_vehicles
    twin = empty_sol(n, nv, comp.max_len)
    copy_sol(sol, twin)
    tmp = empty_sol(n, nv, comp.max_len)
    pairs = np.ones((nv, nv), np.bool_)
    memo = np.zeros(memo_slots(nv), np.uint64)
    rng = np.random.default_rng(11)
    for step in range(12):
        a = _exchange_tails(inst, sol, tmp, w, pairs, memo, search.vhash)
        b = _exchange_tails(inst, twin, tmp, w, pairs, np.zeros(0, np.uint64), search.vhash)
        assert a == b
        assert (sol.rlen == twin.rlen).all() and (sol.seq == twin.seq).all() and (sol.where == twin.where).all()
        moved = [int(r) for r in rng.choice(n, 4, replace=False) if sol.where[r] >= 0]
        for r in moved:  # move a few requests elsewhere, the same in both
            remove_request(inst, sol, r, w)
            remove_request(inst, twin, r, w)
        for r in moved:
            _, v1, i1, j1 = cheapest_insert(inst, sol, r, w, cands, 3)
            if v1 >= 0:
                insert_at(inst, sol, r, v1, i1, j1, w)
                insert_at(inst, twin, r, v1, i1, j1, w)
    assert (memo != 0).sum() > nv  # pairs were remembered
