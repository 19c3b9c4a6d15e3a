"""Repair operators: put unassigned requests back into the routes.

Random-order insertion (each request at its cheapest place), greedy
insertion (the cheapest insertion over all requests first) and regret-k
insertion (the request that would lose most by waiting first), optionally
with noise on the insertion costs (Ropke & Pisinger 2006).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from transit.solver.state import best_insert, copy_prefix, insert_at, remove_request, rnd_float, rnd_int

__all__ = ["repair"]

REG_BIG = 1e12
"""Regret bonus per missing option: requests with fewer feasible routes go first."""


@njit(cache=True, _nrt=False)
def _fill_row(inst, sol, w, cands, S, u, r, noise_amp, max_sched, skip_known):
    nv = sol.rlen.shape[0]
    for v in range(nv):
        if skip_known and S.rold[r] == 1 and S.vtouched[v] == 0:
            S.ucost[u, v] = np.inf
            S.ui[u, v] = -1
            S.uj[u, v] = -1
            continue
        c, i, j = best_insert(inst, sol, r, v, w, cands, max_sched)
        if c < np.inf and noise_amp > 0.0:
            c = max(0.0, c + noise_amp * (2.0 * rnd_float(S.rng) - 1.0))
        S.ucost[u, v] = c
        S.ui[u, v] = i
        S.uj[u, v] = j


@njit(cache=True, _nrt=False)
def repair(inst, sol, w, cands, S, k_regret, noise_amp, max_sched, priority_first=True, skip_known=False):
    """Insert unassigned requests; return the number inserted.

    ``k_regret`` 0: one by one in random order, each at its cheapest place;
    1: greedy (cheapest insertion over all requests first); k >= 2: regret-k
    insertion. With ``priority_first``, priority requests (higher rejection
    penalty) go in before the others. Requests that fit nowhere stay
    unassigned.

    Adding stops to a route never makes another insertion feasible (travel
    times obey the triangle inequality), so a request found not to fit a
    route is not tried there again after further insertions. With
    ``skip_known``, requests flagged in ``S.rold`` (they fitted nowhere
    before the destroy step) are only tried in routes flagged in
    ``S.vtouched`` (changed by it).
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
        done += _repair_level(inst, sol, w, cands, S, k_regret, noise_amp, max_sched, True, skip_known)
    return done + _repair_level(inst, sol, w, cands, S, k_regret, noise_amp, max_sched, False, skip_known)


@njit(cache=True, _nrt=False)
def _repair_level(inst, sol, w, cands, S, k_regret, noise_amp, max_sched, only_priority, skip_known):
    n = inst.rL.shape[0]
    nv = sol.rlen.shape[0]
    nu = 0
    for r in range(n):
        if sol.where[r] < 0 and S.rallow[r] == 1 and (not only_priority or inst.rpen[r] > inst.w_rej):
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
                if skip_known and S.rold[r] == 1 and S.vtouched[v] == 0:
                    continue
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
        _fill_row(inst, sol, w, cands, S, u, S.ulist[u], noise_amp, max_sched, skip_known)
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
        copy_prefix(S.ucost[pick], S.ucost[nu], nv)
        copy_prefix(S.ui[pick], S.ui[nu], nv)
        copy_prefix(S.uj[pick], S.uj[nu], nv)
        for u in range(nu):
            if S.ucost[u, bv] == np.inf:
                continue  # did not fit before; fits even less with one more request
            c, i, j = best_insert(inst, sol, S.ulist[u], bv, w, cands, max_sched)
            if c < np.inf and noise_amp > 0.0:
                c = max(0.0, c + noise_amp * (2.0 * rnd_float(S.rng) - 1.0))
            S.ucost[u, bv] = c
            S.ui[u, bv] = i
            S.uj[u, bv] = j
    return inserted


# ---------------------------------------------------------------- destroy
