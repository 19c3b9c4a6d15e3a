"""Adaptive large neighbourhood search (compiled with numba).

Destroy operators remove ``q`` requests (random, worst, Shaw-related, string
and route removal); repair operators put unassigned requests back (greedy
and regret-2/3/4 insertion, each with or without noise on the insertion
costs). Operators are picked by roulette wheel with adaptive weights
(Ropke & Pisinger 2006). Acceptance is simulated annealing on the objective
plus the rejection penalty, cooled exponentially over an *epoch*; each epoch
restarts from the best solution. Every new best solution is polished by a
relocate local search (each request taken out and put back at its best
place anywhere).

The amount of work is counted in iterations, never in seconds, so the same
seed and budget give the same result on any machine; the Python driver
runs the search in chunks and only checks the clock between them.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from transit.solver.pool import add_solution
from transit.solver.state import (
    _arc,
    best_insert,
    copy_route,
    copy_sol,
    insert_at,
    remove_request,
    rnd_float,
    rnd_int,
    penalty,
    total_cost,
)

__all__ = ["N_DESTROY", "N_REPAIR", "Search", "alns_chunk", "make_search", "polish", "repair"]

N_DESTROY = 5
N_REPAIR = 10  # random order, greedy, regret-2, regret-3, regret-4; each without / with noise
REG_BIG = 1e12

Search = namedtuple(
    "Search",
    [
        "ucost",  # (n, V) insertion cost table of unassigned requests
        "ui",  # (n, V)
        "uj",  # (n, V)
        "ulist",  # (n,) unassigned requests
        "buf",  # (n,) scratch list of requests
        "buf2",  # (n,) scratch
        "gain",  # (n,) scratch
        "vmark",  # (V,) scratch flags per vehicle
        "dw",  # (N_DESTROY,) destroy weights
        "rw",  # (N_REPAIR,) repair weights
        "dscore",
        "rscore",
        "dcount",
        "rcount",
        "rng",  # (1,) uint64 generator state
        "fstats",  # float stats: [T0, best_cost, best_unassigned]
        "istats",  # int stats: [iterations, new_best, accepted, improved]
    ],
)


def make_search(n_requests: int, n_vehicles: int, seed_state: int) -> Search:
    """Return the search scratch and adaptive state."""
    n = max(n_requests, 1)
    rng = np.zeros(1, np.uint64)
    rng[0] = np.uint64(seed_state) | np.uint64(1)
    return Search(
        ucost=np.zeros((n, n_vehicles)),
        ui=np.zeros((n, n_vehicles), np.int64),
        uj=np.zeros((n, n_vehicles), np.int64),
        ulist=np.zeros(n, np.int64),
        buf=np.zeros(n, np.int64),
        buf2=np.zeros(n, np.int64),
        gain=np.zeros(n),
        vmark=np.zeros(max(n_vehicles, 1), np.int64),
        dw=np.ones(N_DESTROY),
        rw=np.ones(N_REPAIR),
        dscore=np.zeros(N_DESTROY),
        rscore=np.zeros(N_REPAIR),
        dcount=np.zeros(N_DESTROY),
        rcount=np.zeros(N_REPAIR),
        rng=rng,
        fstats=np.zeros(4),
        istats=np.zeros(4, np.int64),
    )


# ---------------------------------------------------------------- repair


@njit(cache=True)
def _fill_row(inst, sol, w, cands, S, u, r, noise_amp, max_sched):
    nv = sol.rlen.shape[0]
    for v in range(nv):
        c, i, j = best_insert(inst, sol, r, v, w, cands, max_sched)
        if c < np.inf and noise_amp > 0.0:
            c = max(0.0, c + noise_amp * (2.0 * rnd_float(S.rng) - 1.0))
        S.ucost[u, v] = c
        S.ui[u, v] = i
        S.uj[u, v] = j


@njit(cache=True)
def repair(inst, sol, w, cands, S, k_regret, noise_amp, max_sched, priority_first=True):
    """Insert unassigned requests; return the number inserted.

    ``k_regret`` 0: one by one in random order, each at its cheapest place;
    1: greedy (cheapest insertion over all requests first); k >= 2: regret-k
    insertion. With ``priority_first``, priority requests (higher rejection
    penalty) go in before the others. Requests that fit nowhere stay
    unassigned.
    """
    n = inst.rL.shape[0]
    top = False
    if priority_first:
        for r in range(n):
            if sol.where[r] < 0 and inst.rpen[r] > inst.w_rej:
                top = True
                break
    done = 0
    if top:
        done += _repair_level(inst, sol, w, cands, S, k_regret, noise_amp, max_sched, True)
    return done + _repair_level(inst, sol, w, cands, S, k_regret, noise_amp, max_sched, False)


@njit(cache=True)
def _repair_level(inst, sol, w, cands, S, k_regret, noise_amp, max_sched, only_priority):
    n = inst.rL.shape[0]
    nv = sol.rlen.shape[0]
    nu = 0
    for r in range(n):
        if sol.where[r] < 0 and (not only_priority or inst.rpen[r] > inst.w_rej):
            S.ulist[nu] = r
            nu += 1
    if nu == 0:
        return 0
    # Shuffle so that ties do not always favour low ids.
    for a in range(nu - 1, 0, -1):
        b = rnd_int(S.rng, a + 1)
        t = S.ulist[a]
        S.ulist[a] = S.ulist[b]
        S.ulist[b] = t
    if k_regret == 0:
        inserted = 0
        for u in range(nu):
            r = S.ulist[u]
            bc = np.inf
            bv = -1
            bi = -1
            bj = -1
            for v in range(nv):
                c, i, j = best_insert(inst, sol, r, v, w, cands, max_sched)
                if c < np.inf and noise_amp > 0.0:
                    c = max(0.0, c + noise_amp * (2.0 * rnd_float(S.rng) - 1.0))
                if c < bc:
                    bc = c
                    bv = v
                    bi = i
                    bj = j
            if bv >= 0:
                if insert_at(inst, sol, r, bv, bi, bj, w):
                    inserted += 1
                else:
                    remove_request(inst, sol, r, w)
        return inserted
    for u in range(nu):
        _fill_row(inst, sol, w, cands, S, u, S.ulist[u], noise_amp, max_sched)
    inserted = 0
    while nu > 0:
        pick = -1
        pick_val = -np.inf
        pick_c1 = np.inf
        for u in range(nu):
            c1 = np.inf
            c2 = np.inf
            c3 = np.inf
            c4 = np.inf
            nf = 0
            for v in range(nv):
                c = S.ucost[u, v]
                if c < np.inf:
                    nf += 1
                    if c < c1:
                        c4 = c3
                        c3 = c2
                        c2 = c1
                        c1 = c
                    elif c < c2:
                        c4 = c3
                        c3 = c2
                        c2 = c
                    elif c < c3:
                        c4 = c3
                        c3 = c
                    elif c < c4:
                        c4 = c
            if nf == 0:
                continue
            if k_regret <= 1:
                val = -c1
            else:
                val = 0.0
                if nf < k_regret:
                    val = REG_BIG * (k_regret - nf)
                if k_regret >= 2 and c2 < np.inf:
                    val += c2 - c1
                if k_regret >= 3 and c3 < np.inf:
                    val += c3 - c1
                if k_regret >= 4 and c4 < np.inf:
                    val += c4 - c1
            if val > pick_val or (val == pick_val and c1 < pick_c1):
                pick = u
                pick_val = val
                pick_c1 = c1
        if pick < 0:
            break
        r = S.ulist[pick]
        bv = -1
        bc = np.inf
        for v in range(nv):
            if S.ucost[pick, v] < bc:
                bc = S.ucost[pick, v]
                bv = v
        ok = insert_at(inst, sol, r, bv, S.ui[pick, bv], S.uj[pick, bv], w)
        if not ok:
            # Should not happen (the insertion was checked); undo it.
            remove_request(inst, sol, r, w)
            S.ucost[pick, bv] = np.inf
            continue
        inserted += 1
        nu -= 1
        S.ulist[pick] = S.ulist[nu]
        S.ucost[pick, :] = S.ucost[nu, :]
        S.ui[pick, :] = S.ui[nu, :]
        S.uj[pick, :] = S.uj[nu, :]
        for u in range(nu):
            c, i, j = best_insert(inst, sol, S.ulist[u], bv, w, cands, max_sched)
            if c < np.inf and noise_amp > 0.0:
                c = max(0.0, c + noise_amp * (2.0 * rnd_float(S.rng) - 1.0))
            S.ucost[u, bv] = c
            S.ui[u, bv] = i
            S.uj[u, bv] = j
    return inserted


# ---------------------------------------------------------------- destroy


@njit(cache=True)
def _assigned(inst, sol, S):
    """Fill ``S.buf`` with the assigned requests; return their number."""
    n = inst.rL.shape[0]
    k = 0
    for r in range(n):
        if sol.where[r] >= 0:
            S.buf[k] = r
            k += 1
    return k


@njit(cache=True)
def _removal_gain(inst, sol, r):
    """Arc cost saved by taking request ``r`` out of its route (plus fixed cost if emptied)."""
    v = sol.where[r]
    seq = sol.seq[v]
    m = sol.rlen[v]
    km = inst.vkm[v]
    nloc = inst.nloc
    if sol.rnreq[v] == 1:
        return sol.rcost[v]
    p = 2 * r
    d = 2 * r + 1
    kp = -1
    kd = -1
    for k in range(m):
        if seq[k] == p:
            kp = k
        elif seq[k] == d:
            kd = k
    g = 0.0
    if kp >= 0 and kd == kp + 1:
        a = nloc[seq[kp - 1]]
        b = nloc[seq[kd + 1]]
        g = _arc(inst, km, a, nloc[p]) + _arc(inst, km, nloc[p], nloc[d]) + _arc(inst, km, nloc[d], b) - _arc(inst, km, a, b)
    else:
        if kp >= 0:
            a = nloc[seq[kp - 1]]
            b = nloc[seq[kp + 1]]
            g += _arc(inst, km, a, nloc[p]) + _arc(inst, km, nloc[p], b) - _arc(inst, km, a, b)
        a = nloc[seq[kd - 1]]
        b = nloc[seq[kd + 1]]
        g += _arc(inst, km, a, nloc[d]) + _arc(inst, km, nloc[d], b) - _arc(inst, km, a, b)
    return g


@njit(cache=True)
def destroy_random(inst, sol, w, S, q):
    na = _assigned(inst, sol, S)
    q = min(q, na)
    for h in range(q):
        k = h + rnd_int(S.rng, na - h)
        t = S.buf[h]
        S.buf[h] = S.buf[k]
        S.buf[k] = t
        remove_request(inst, sol, S.buf[h], w)
    return q


@njit(cache=True)
def destroy_worst(inst, sol, w, S, q, power):
    na = _assigned(inst, sol, S)
    q = min(q, na)
    for h in range(na):
        S.gain[h] = -_removal_gain(inst, sol, S.buf[h])
    order = np.argsort(S.gain[:na])
    for h in range(na):
        S.buf2[h] = S.buf[order[h]]
    left = na
    for h in range(q):
        y = rnd_float(S.rng)
        k = int((y**power) * left)
        if k >= left:
            k = left - 1
        r = S.buf2[k]
        for z in range(k, left - 1):
            S.buf2[z] = S.buf2[z + 1]
        left -= 1
        remove_request(inst, sol, r, w)
    return q


@njit(cache=True)
def destroy_shaw(inst, sol, w, S, q, power):
    na = _assigned(inst, sol, S)
    q = min(q, na)
    if q == 0:
        return 0
    n = inst.rL.shape[0]
    r0 = S.buf[rnd_int(S.rng, na)]
    nrem = 0
    S.buf2[nrem] = r0
    nrem += 1
    remove_request(inst, sol, r0, w)
    while nrem < q:
        r = S.buf2[rnd_int(S.rng, nrem)]
        # Count the assigned requests, ordered by relatedness to r.
        y = rnd_float(S.rng)
        left = 0
        for h in range(n):
            x = inst.nearest[r, h]
            if sol.where[x] >= 0:
                left += 1
        if left == 0:
            break
        k = int((y**power) * left)
        if k >= left:
            k = left - 1
        pick = -1
        for h in range(n):
            x = inst.nearest[r, h]
            if sol.where[x] >= 0:
                if k == 0:
                    pick = x
                    break
                k -= 1
        S.buf2[nrem] = pick
        nrem += 1
        remove_request(inst, sol, pick, w)
    return nrem


@njit(cache=True)
def _remove_string(inst, sol, w, v, center, length, S, limit):
    """Remove the requests with a stop among ``length`` consecutive stops of route ``v``."""
    m = sol.rlen[v]
    inner = m - 2
    if inner <= 0:
        return 0
    length = min(length, inner)
    lo = center - rnd_int(S.rng, length)
    if lo < 1:
        lo = 1
    if lo + length > m - 1:
        lo = m - 1 - length
    k = 0
    for h in range(lo, lo + length):
        nd = sol.seq[v, h]
        r = inst.nreq[nd]
        if r >= 0 and k < limit:
            dup = False
            for z in range(k):
                if S.buf2[z] == r:
                    dup = True
            if not dup:
                S.buf2[k] = r
                k += 1
    for z in range(k):
        remove_request(inst, sol, S.buf2[z], w)
    return k


@njit(cache=True)
def destroy_string(inst, sol, w, S, q):
    """SISR-like: strings of consecutive stops in routes near a random seed request."""
    na = _assigned(inst, sol, S)
    q = min(q, na)
    if q == 0:
        return 0
    n = inst.rL.shape[0]
    nv = sol.rlen.shape[0]
    r0 = S.buf[rnd_int(S.rng, na)]
    for v in range(nv):
        S.vmark[v] = 0
    removed = 0
    avg = 2.0 * na / max(1, nv)
    for h in range(n):
        if removed >= q:
            break
        x = r0 if h == 0 else inst.nearest[r0, h - 1]
        if h > 0 and x == r0:
            continue
        v = sol.where[x]
        if v < 0 or S.vmark[v] == 1:
            continue
        S.vmark[v] = 1
        center = 0
        for k in range(sol.rlen[v]):
            if sol.seq[v, k] == 2 * x or sol.seq[v, k] == 2 * x + 1:
                center = k
                break
        lmax = min(2 * (q - removed) + 1, int(avg) + 1)
        length = 1 + rnd_int(S.rng, max(1, lmax))
        removed += _remove_string(inst, sol, w, v, center, length, S, q - removed)
    for v in range(nv):
        S.vmark[v] = 0
    return removed


@njit(cache=True)
def destroy_route(inst, sol, w, S, q):
    """Empty a random used route (and fill up to ``q`` with random removals)."""
    nv = sol.rlen.shape[0]
    n = inst.rL.shape[0]
    used = 0
    for v in range(nv):
        if sol.rnreq[v] > 0:
            used += 1
    if used == 0:
        return 0
    k = rnd_int(S.rng, used)
    vsel = -1
    for v in range(nv):
        if sol.rnreq[v] > 0:
            if k == 0:
                vsel = v
                break
            k -= 1
    removed = 0
    for r in range(n):
        if sol.where[r] == vsel:
            remove_request(inst, sol, r, w)
            removed += 1
    if removed < q:
        removed += destroy_random(inst, sol, w, S, q - removed)
    return removed


# ---------------------------------------------------------------- local search


@njit(cache=True)
def polish(inst, sol, tmp, w, cands, S, max_passes, max_sched):
    """Relocate local search: move requests to their best place while it pays.

    Returns the number of improving moves.
    """
    n = inst.rL.shape[0]
    nv = sol.rlen.shape[0]
    moves = 0
    for _ in range(max_passes):
        improved = False
        na = _assigned(inst, sol, S)
        for a in range(na - 1, 0, -1):
            b = rnd_int(S.rng, a + 1)
            t = S.buf[a]
            S.buf[a] = S.buf[b]
            S.buf[b] = t
        for h in range(na):
            r = S.buf[h]
            v0 = sol.where[r]
            if v0 < 0:
                continue
            before = sol.rcost[v0]
            copy_route(sol, tmp, v0)
            remove_request(inst, sol, r, w)
            gain = before - sol.rcost[v0]
            bc = np.inf
            bv = -1
            bi = -1
            bj = -1
            for v in range(nv):
                c, i, j = best_insert(inst, sol, r, v, w, cands, max_sched)
                if c < bc:
                    bc = c
                    bv = v
                    bi = i
                    bj = j
            if bv >= 0 and bc < gain - 1e-7:
                insert_at(inst, sol, r, bv, bi, bj, w)
                improved = True
                moves += 1
            else:
                copy_route(tmp, sol, v0)
                sol.where[r] = v0
        if not improved:
            break
    return moves


# ---------------------------------------------------------------- main loop


@njit(cache=True)
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


@njit(cache=True)
def _objective(inst, sol):
    c, un = total_cost(inst, sol)
    return c + penalty(inst, sol), c, un


@njit(cache=True)
def alns_chunk(inst, cur, cand, best, tmp, w, cands, S, pool, params, it_from, it_to):
    """Run ALNS iterations ``it_from`` .. ``it_to - 1`` (see module docstring).

    ``params``: [epoch_len, q_min, q_max, t_start (relative), t_end ratio,
    noise (relative to the largest arc cost), segment length, reaction,
    sigma1, sigma2, sigma3, worst power, shaw power, max_sched,
    polish passes].
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
    noise_amp = noise_rel * S.fstats[3]
    fbest, _, _ = _objective(inst, best)
    fcur, _, _ = _objective(inst, cur)
    for it in range(it_from, it_to):
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
        else:
            destroy_route(inst, cand, w, S, q)
        rop = _roulette(S.rw, S.rng)
        k_regret = rop % 5
        amp = noise_amp if rop >= 5 else 0.0
        repair(inst, cand, w, cands, S, k_regret, amp, max_sched, False)
        fcand, _, _ = _objective(inst, cand)
        add_solution(pool, inst, cand, fcand)
        score = 0.0
        if fcand < fbest * (1.0 + params[15]):
            polish(inst, cand, tmp, w, cands, S, passes, max_sched)
            fcand, _, _ = _objective(inst, cand)
        if fcand < fbest - 1e-7:
            copy_sol(cand, best)
            fbest = fcand
            copy_sol(cand, cur)
            fcur = fcand
            score = sig1
            S.istats[1] += 1
            add_solution(pool, inst, cand, fcand)
        elif fcand < fcur - 1e-7:
            copy_sol(cand, cur)
            fcur = fcand
            score = sig2
            S.istats[3] += 1
        elif fcand < np.inf and rnd_float(S.rng) < np.exp(-(fcand - fcur) / T):
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
