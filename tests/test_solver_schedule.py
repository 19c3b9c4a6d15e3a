"""Exactness of the solver's route timing, insertion and local-search kernels.

The least and greatest feasible schedules of a stop sequence are compared
with linear programs over the same constraints, the cheapest insertion
found with the screening filters is compared with trying every position,
and the tail exchange is checked on routes where it obviously pays.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import linprog
from solvercase import first_solution

from transit.darp.data import ObjectiveWeights, Problem, Request, TimeWindow, Vehicle
from transit.solver.repair import repair
from transit.solver.compiled import compile_problem
from transit.solver.localsearch import _late, _late_tail, exchange_tails, _tail_latest
from transit.solver.schedule import choose_times, greatest_times, least_times, make_work, prepare, route_eval
from transit.solver.state import _may_pick_up, best_insert, build_inserted, empty_sol, recompute, remove_request

HOUR = 3600.0


def random_problem(seed: int, n: int = 4) -> Problem:
    """Requests with finite windows, ride limits and service times on a random plane."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 6, size=(8, 2))
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) * 1000.0
    tt = dist / 10.0
    reqs = []
    for i in range(n):
        p, d = rng.choice(np.arange(1, 8), 2, replace=False)
        t = 8 * HOUR + rng.uniform(0, 1) * HOUR
        if i % 2:
            # Outbound: a late drop-off window and a tight ride limit push the pickup later.
            pw = TimeWindow(t - HOUR, t + HOUR)
            dw = TimeWindow(t + 30 * 60, t + 60 * 60)
            alpha = float(rng.uniform(1.1, 1.5))
        else:
            pw = TimeWindow(t, t + rng.uniform(20, 90) * 60)
            dw = TimeWindow(t, t + rng.uniform(60, 180) * 60)
            alpha = float(rng.uniform(1.5, 4.0))
        reqs.append(
            Request(
                f"r{i}", int(p), int(d), pickup_window=pw, dropoff_window=dw,
                max_ride_alpha=alpha, max_ride_beta=120.0, service_fixed=float(rng.uniform(0, 90)),
            )
        )
    veh = Vehicle("v", 0, 0, seats=n, shift=TimeWindow(7 * HOUR, 13 * HOUR), max_route_duration=float(rng.uniform(2.5, 5)) * HOUR)
    return Problem(tuple(reqs), (veh,), tt, dist, ObjectiveWeights(travel_time=1.0))


def random_sequence(rng: np.random.Generator, comp) -> np.ndarray:
    """START, a random precedence-respecting order of all stops, END."""
    n = comp.n_requests
    order: list[int] = []
    open_ = list(range(n))
    picked: list[int] = []
    while open_ or picked:
        if open_ and (not picked or rng.random() < 0.5):
            r = open_.pop(int(rng.integers(len(open_))))
            order.append(2 * r)
            picked.append(r)
        else:
            r = picked.pop(int(rng.integers(len(picked))))
            order.append(2 * r + 1)
    inst = comp.inst
    return np.array([inst.vstart[0], *order, inst.vend[0]], np.int64)


def lp_bounds(comp, seq: np.ndarray, sense: float) -> np.ndarray | None:
    """Solve min (sense=1) or max (sense=-1) of the sum of start times by LP; None if infeasible."""
    inst = comp.inst
    m = len(seq)
    a_ub, b_ub = [], []
    for k in range(1, m):
        row = np.zeros(m)
        row[k - 1], row[k] = 1.0, -1.0
        a_ub.append(row)
        b_ub.append(-(inst.ns[seq[k - 1]] + inst.tt[inst.nloc[seq[k - 1]], inst.nloc[seq[k]]]))
    pos = {}
    for k, nd in enumerate(seq):
        r = inst.nreq[nd]
        if r < 0:
            continue
        if nd % 2 == 0:
            pos[r] = k
        elif math.isfinite(inst.rL[r]):
            row = np.zeros(m)
            row[k], row[pos[r]] = 1.0, -1.0
            a_ub.append(row)
            b_ub.append(inst.rL[r] + inst.ns[seq[pos[r]]])
    row = np.zeros(m)
    row[m - 1], row[0] = 1.0, -1.0
    a_ub.append(row)
    b_ub.append(inst.vmaxdur[0])
    bounds = [(float(inst.ne[nd]), float(min(inst.nl[nd], 1e7))) for nd in seq]
    res = linprog(sense * np.ones(m), A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    return res.x if res.status == 0 else None


@pytest.mark.parametrize("seed", range(8))
def test_least_and_greatest_times_match_linear_programs(seed):
    comp = compile_problem(random_problem(seed, n=3))
    inst = comp.inst
    w = make_work(comp.max_len, comp.n_requests)
    rng = np.random.default_rng(100 + seed)
    n_feasible = 0
    n_infeasible = 0
    for _ in range(40):
        seq = random_sequence(rng, comp)
        m = len(seq)
        assert prepare(inst, seq, m, w)
        feasible = least_times(inst.tt, m, w.loc, w.e, w.l, w.s, w.pp, w.L, inst.vmaxdur[0], w.B)
        low = lp_bounds(comp, seq, 1.0)
        assert feasible == (low is not None)
        if not feasible:
            n_infeasible += 1
            continue
        n_feasible += 1
        np.testing.assert_allclose(w.B[:m], low, atol=1e-5)
        assert greatest_times(inst.tt, m, w.loc, w.e, w.l, w.s, w.pp, w.L, inst.vmaxdur[0], w.G)
        high = lp_bounds(comp, seq, -1.0)
        np.testing.assert_allclose(np.minimum(w.G[:m], 1e7), high, atol=1e-5)
        # The schedule shown in plans is one of the feasible ones.
        assert choose_times(inst.tt, m, w, inst.vmaxdur[0])
        b = w.B[:m]
        assert np.all(b >= low - 1e-6) and np.all(b <= high + 1e-6)
        for k in range(1, m):
            assert b[k] >= b[k - 1] + w.s[k - 1] + inst.tt[w.loc[k - 1], w.loc[k]] - 1e-6
        for k in range(m):
            if w.pp[k] >= 0:
                assert b[k] - b[w.pp[k]] - w.s[w.pp[k]] <= w.L[k] + 1e-6
        assert b[m - 1] - b[0] <= inst.vmaxdur[0] + 1e-6
    assert n_feasible > 0 and n_infeasible > 0  # the test must see both kinds


@pytest.mark.parametrize("seed", range(4))
def test_best_insertion_equals_trying_every_position(seed):
    problem = random_problem(seed, n=9)
    problem = problem.replace(vehicles=problem.vehicles + (problem.vehicles[0].replace(id="w", seats=2),))
    comp, sol, w, cands, search = first_solution(problem, 1234 + seed)
    inst, n, nv = comp.inst, comp.n_requests, comp.n_vehicles
    rng = np.random.default_rng(seed)
    compared = 0
    for _ in range(6):
        for r in rng.choice(n, 3, replace=False):
            remove_request(inst, sol, int(r), w)
        for r in range(n):
            if sol.where[r] >= 0:
                continue
            for v in range(nv):
                cost, _, _ = best_insert(inst, sol, r, v, w, cands, 3)
                best = _every_position(inst, sol, r, v, w)
                assert cost == pytest.approx(best, abs=1e-6) or (math.isinf(cost) and math.isinf(best))
                compared += 1
        repair(inst, sol, w, cands, search, 2, 0.0, 3)
    assert compared > 0


def _every_position(inst, sol, r: int, v: int, w) -> float:
    """Return the least arc-cost increase of inserting request ``r`` into route ``v``, trying every position pair."""
    m = sol.rlen[v]
    best = math.inf
    buf = np.zeros(m + 4, np.int64)
    for i in range(1, m):
        for j in range(i, m):
            m2 = build_inserted(inst, sol.seq[v], m, r, i, j, buf)
            ok, arc, _, _ = route_eval(inst, buf, m2, w, False)
            if ok:
                extra = inst.vfix[v] + sol.rarc[v] if sol.rnreq[v] == 0 else 0.0
                best = min(best, arc - sol.rarc[v] + extra)
    return best


def _narrow_windows_problem(seed: int) -> Problem:
    """Thirty requests in two hours with 10-minute pickup windows, three vehicles (many cannot reach a pickup)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 6, size=(8, 2))
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) * 1000.0
    reqs = []
    for i in range(30):
        p, d = rng.choice(np.arange(1, 8), 2, replace=False)
        t = 7.5 * HOUR + rng.uniform(0, 2) * HOUR
        reqs.append(Request(f"r{i}", int(p), int(d), pickup_window=TimeWindow(t, t + 600.0),
                            dropoff_window=TimeWindow(t, t + 3600.0), max_ride_alpha=2.0, max_ride_beta=300.0,
                            service_fixed=30.0))
    veh = Vehicle("v", 0, 0, seats=4, shift=TimeWindow(7 * HOUR, 13 * HOUR))
    vehicles = (veh, veh.replace(id="w", start_depot=3, end_depot=3), veh.replace(id="x", start_depot=6, end_depot=6))
    return Problem(tuple(reqs), vehicles, dist / 10.0, dist, ObjectiveWeights(travel_time=1.0))


@pytest.mark.parametrize("seed", range(4))
def test_the_pickup_screen_only_skips_vehicles_without_a_feasible_insertion(seed):
    # `_may_pick_up` rejects a vehicle before `best_insert` does any bookkeeping; it must never
    # reject one where some pair of positions is feasible by the exact schedule (requests taken out,
    # and planned ones tried in the other vehicles).
    problem = _narrow_windows_problem(seed)
    comp, sol, w, _, _ = first_solution(problem, 77 + seed)
    inst, n, nv = comp.inst, comp.n_requests, comp.n_vehicles
    rng = np.random.default_rng(seed)
    for r in rng.choice(n, 4, replace=False):
        remove_request(inst, sol, int(r), w)
    screened = passed = 0
    for r in range(n):
        for v in range(nv):
            if v == sol.where[r]:
                continue
            if _may_pick_up(inst, sol, r, v):
                passed += 1
            else:
                assert math.isinf(_every_position(inst, sol, r, v, w)), (seed, r, v)
                screened += 1
    assert screened > 0 and passed > 0


def test_exchange_tails_swaps_the_ends_of_two_routes():
    # Points 0..5 on a line; vehicle "west" lives at 0, "east" at 5. Each route first
    # serves a trip near home, then one near the other depot: swapping the second
    # halves (cut where both vehicles are empty) saves driving.
    idx = np.arange(6)
    tt = np.abs(idx[:, None] - idx[None, :]) * 120.0
    open_day = TimeWindow(7 * HOUR, 12 * HOUR)
    reqs = (
        Request("w1", 1, 2, pickup_window=open_day),
        Request("e1", 4, 5, pickup_window=open_day),
        Request("e2", 4, 3, pickup_window=open_day),
        Request("w2", 1, 0, pickup_window=open_day),
    )
    vehs = (Vehicle("west", 0, 0, seats=1), Vehicle("east", 5, 5, seats=1))
    comp = compile_problem(Problem(reqs, vehs, tt, tt.copy(), ObjectiveWeights(travel_time=1.0)))
    inst = comp.inst
    w = make_work(comp.max_len, comp.n_requests)
    sol = empty_sol(comp.n_requests, 2, comp.max_len)
    routes = {0: [0, 1], 1: [2, 3]}  # request indices per vehicle, in order
    for v, rs in routes.items():
        nodes = [inst.vstart[v]] + [x for r in rs for x in (2 * r, 2 * r + 1)] + [inst.vend[v]]
        sol.seq[v, : len(nodes)] = nodes
        sol.rlen[v] = len(nodes)
        for r in rs:
            sol.where[r] = v
        assert recompute(inst, sol, v, w)
    before = sol.rcost.sum()
    tmp = empty_sol(comp.n_requests, 2, comp.max_len)
    assert exchange_tails(inst, sol, tmp, w)
    assert sol.rcost.sum() < before - 1.0
    assert sorted(inst.nreq[sol.seq[0, 1 : sol.rlen[0] - 1]].tolist()) == [0, 0, 3, 3]  # w1 and w2 in the west
    assert list(sol.where[:4]) == [0, 1, 1, 0]
    for v in range(2):
        assert recompute(inst, sol, v, w)


def test_the_tail_exchange_screen_only_skips_infeasible_routes():
    # `_late` skips a tail exchange without a schedule when the vehicle, leaving its cut as early as
    # it can, reaches the other route's next stop after that stop's window. Check it against the
    # exact schedule of every exchanged route on random plans (no maximum route duration).
    # `_late_tail` adds the latest start of the whole tail (`_tail_latest`); checked the same way, and
    # it must skip more exchanges than `_late` alone.
    skipped = kept = skipped_tail = 0
    for seed in range(8):
        s, k, st = _screen_against_schedules(seed)
        skipped += s
        kept += k
        skipped_tail += st
    assert skipped > 0 and kept > 0
    assert skipped_tail > skipped


def _screen_against_schedules(seed: int) -> tuple[int, int, int]:
    """Check `_late` and `_late_tail` on every tail exchange of a random plan; return (skipped, kept,
    skipped by `_late_tail`) exchanges."""
    problem = random_problem(seed, n=10)
    veh = problem.vehicles[0].replace(max_route_duration=None, seats=3)
    problem = problem.replace(vehicles=(veh, veh.replace(id="w", start_depot=3, end_depot=3),
                                        veh.replace(id="x", start_depot=6, end_depot=6)))
    comp, sol, w, _, _ = first_solution(problem, 99 + seed)
    inst, n, nv = comp.inst, comp.n_requests, comp.n_vehicles
    trial = empty_sol(n, nv, comp.max_len)
    H = np.empty(sol.seq.shape)
    for v in range(nv):
        _tail_latest(inst, sol, v, H)
    skipped = kept = skipped_tail = 0
    for a in range(nv):
        for b in range(nv):
            ma, mb = int(sol.rlen[a]), int(sol.rlen[b])
            if a == b or ma < 3 or mb < 3:
                continue
            for ka in range(ma - 2):
                if sol.ld0[a, ka] or sol.ld1[a, ka]:
                    continue
                for kb in range(mb - 2):
                    if sol.ld0[b, kb] or sol.ld1[b, kb]:
                        continue
                    # Route a up to its cut, then route b's tail (b's own route is not needed here).
                    nodes = [*sol.seq[a, : ka + 1], *sol.seq[b, kb + 1 : mb - 1], inst.vend[a]]
                    trial.seq[a, : len(nodes)] = nodes
                    trial.rlen[a] = len(nodes)
                    feasible = recompute(inst, trial, a, w)
                    if _late(inst, sol, a, ka, sol.seq[b, kb + 1]):
                        assert not feasible, (seed, a, ka, b, kb)
                        skipped += 1
                    else:
                        kept += 1
                    if _late_tail(inst, sol, a, ka, b, kb, H):
                        assert not feasible, ("tail", seed, a, ka, b, kb)
                        skipped_tail += 1
    return skipped, kept, skipped_tail
