"""Adaptive large neighbourhood search (compiled with numba).

Destroy operators remove ``q`` requests (random, worst, Shaw-related by
windows or by the solution's times, time slice, string and route removal); repair operators put unassigned requests back (greedy
and regret-2/3/4 insertion, each with or without noise on the insertion
costs). Operators are picked by roulette wheel with adaptive weights
(Ropke & Pisinger 2006). Acceptance is simulated annealing on the objective
plus the rejection penalty, cooled exponentially over an *epoch*; each epoch
restarts from the best solution. Every new best solution is polished by a
local search: each request taken out and put back at its best place
anywhere, each break moved to its best place in its route.

The amount of work is counted in iterations, never in seconds, so the same
seed and budget give the same result on any machine; the Python driver
runs the search in chunks and only checks the clock between them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from transit.solver.destroy import (
    destroy_random,
    destroy_route,
    destroy_shaw,
    destroy_shaw_times,
    destroy_string,
    destroy_time_slice,
    destroy_worst,
)
from transit.solver.localsearch import polish
from transit.solver.pool import add_solution
from transit.solver.repair import repair
from transit.solver.search import N_DESTROY, N_REPAIR
from transit.solver.state import (
    copy_sol,
    penalty,
    rnd_float,
    rnd_int,
    total_cost,
)

__all__ = ["alns_chunk"]


@njit(cache=True, _nrt=False)
def _roulette(weights, st):
    tot = 0.0
    for k in range(weights.shape[0]):
        tot += weights[k]
    x = rnd_float(st) * tot
    for k in range(weights.shape[0]):
        x -= weights[k]
        if x < 0.0:
            return k
    return weights.shape[0] - 1


@njit(cache=True, _nrt=False)
def _objective(inst, sol):
    c, un = total_cost(inst, sol)
    return c + penalty(inst, sol), c, un


# With numba's runtime: it allocates, or calls kernels that do (see transit.solver.state).
@njit(cache=True, nogil=True)
def alns_chunk(inst, cur, cand, best, tmp, w, cands, S, pool, params, it_from, it_to):
    """Run ALNS iterations ``it_from`` .. ``it_to - 1`` (see module docstring).

    ``params``: [epoch_len, q_min, q_max, t_start (relative), t_end ratio,
    noise (relative to the largest arc cost), segment length, reaction,
    sigma1, sigma2, sigma3, worst power, shaw power, max_sched,
    polish passes, polish within, restart from best (0/1), record-to-record
    acceptance (0/1), time fraction used (< 0: cool by iterations in
    epochs; else the temperature follows the fraction of the time used),
    polish vehicles].
    """
    epoch_len = int(params[0])
    q_min = int(params[1])
    q_max = int(params[2])
    t_rel = params[3]
    t_end = params[4]
    noise_rel = params[5]
    seg = int(params[6])
    react = params[7]
    sig1 = params[8]
    sig2 = params[9]
    sig3 = params[10]
    pw_worst = params[11]
    pw_shaw = params[12]
    max_sched = int(params[13])
    passes = int(params[14])
    near = int(params[19])
    noise_amp = noise_rel * S.fstats[3]
    fbest, _, _ = _objective(inst, best)
    fcur, _, _ = _objective(inst, cur)
    by_time = params[18] >= 0.0
    for it in range(it_from, it_to):
        if by_time:
            # One annealing run over the time limit: params[18] is the
            # fraction of the time used when this chunk started.
            if it == 0:
                copy_sol(best, cur)
                fcur = fbest
                _, cb, _ = _objective(inst, best)
                S.fstats[0] = t_rel * cb / np.log(2.0) + 1e-12
            T = S.fstats[0] * t_end ** min(1.0, params[18])
        else:
            e_pos = it % epoch_len
            if e_pos == 0:
                if params[16] > 0.0 or it == 0:
                    copy_sol(best, cur)
                    fcur = fbest
                _, cb, _ = _objective(inst, best)
                S.fstats[0] = t_rel * cb / np.log(2.0) + 1e-12
            T = S.fstats[0] * t_end ** (e_pos / epoch_len)
        copy_sol(cur, cand)
        q = q_min + rnd_int(S.rng, q_max - q_min + 1)
        dop = _roulette(S.dw, S.rng)
        if dop == 0:
            destroy_random(inst, cand, w, S, q)
        elif dop == 1:
            destroy_worst(inst, cand, w, S, q, pw_worst)
        elif dop == 2:
            destroy_shaw(inst, cand, w, S, q, pw_shaw)
        elif dop == 3:
            destroy_string(inst, cand, w, S, q)
        elif dop == 4:
            destroy_route(inst, cand, w, S, q)
        elif dop == 5:
            destroy_shaw_times(inst, cand, w, S, q, pw_shaw)
        else:
            destroy_time_slice(inst, cand, w, S, q, pw_shaw)
        for v in range(cand.rlen.shape[0]):
            S.vtouched[v] = 1 if cand.rlen[v] != cur.rlen[v] else 0
        for r in range(cand.where.shape[0]):
            S.rold[r] = 1 if cur.where[r] < 0 else 0
        rop = _roulette(S.rw, S.rng)
        k_regret = rop % 5
        amp = noise_amp if rop >= 5 else 0.0
        repair(inst, cand, w, cands, S, k_regret, amp, max_sched, False, True)
        fcand, _, _ = _objective(inst, cand)
        add_solution(pool, inst, cand, fcand)
        score = 0.0
        if fcand < fbest * (1.0 + params[15]):
            polish(inst, cand, tmp, w, cands, S, passes, max_sched, near)
            fcand, _, _ = _objective(inst, cand)
        if fcand < fbest - 1e-7:
            copy_sol(cand, best)
            fbest = fcand
            copy_sol(cand, cur)
            fcur = fcand
            score = sig1
            S.istats[1] += 1
            S.istats[4] = it + 1
            add_solution(pool, inst, cand, fcand)
        elif fcand < fcur - 1e-7:
            copy_sol(cand, cur)
            fcur = fcand
            score = sig2
            S.istats[3] += 1
        elif fcand < np.inf and params[17] > 0.0 and fcand < fbest + T * np.log(2.0) and fcand != fcur:
            # Record-to-record travel: anything within the threshold of the best.
            copy_sol(cand, cur)
            fcur = fcand
            score = sig3
            S.istats[2] += 1
        elif fcand < np.inf and params[17] == 0.0 and rnd_float(S.rng) < np.exp(-(fcand - fcur) / T):
            if abs(fcand - fcur) > 1e-7:
                score = sig3
            copy_sol(cand, cur)
            fcur = fcand
            S.istats[2] += 1
        S.dscore[dop] += score
        S.dcount[dop] += 1.0
        S.rscore[rop] += score
        S.rcount[rop] += 1.0
        if (it + 1) % seg == 0:
            for k in range(N_DESTROY):
                if S.dcount[k] > 0:
                    S.dw[k] = (1.0 - react) * S.dw[k] + react * S.dscore[k] / S.dcount[k]
                    if S.dw[k] < 0.05:
                        S.dw[k] = 0.05
                S.dscore[k] = 0.0
                S.dcount[k] = 0.0
            for k in range(N_REPAIR):
                if S.rcount[k] > 0:
                    S.rw[k] = (1.0 - react) * S.rw[k] + react * S.rscore[k] / S.rcount[k]
                    if S.rw[k] < 0.05:
                        S.rw[k] = 0.05
                S.rscore[k] = 0.0
                S.rcount[k] = 0.0
        S.istats[0] += 1
    S.fstats[1] = fbest
    return fbest
