"""The local search on a large fleet: near vehicles, their pairs, and polish limited to them."""

from __future__ import annotations

import numpy as np
import pytest
from darpcase import pr_like_text
from solvercase import first_solution

from transit.darp.checker import check
from transit.darp.cordeau import read_cordeau
from transit.solver import SearchSettings, solve
from transit.solver.localsearch import near_pairs, near_vehicles, polish
from transit.solver.state import best_insert, cheapest_insert, empty_sol, recompute, remove_request, total_cost


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
