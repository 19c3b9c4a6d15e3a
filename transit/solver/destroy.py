"""Destroy operators: take ``q`` requests out of their routes.

Random, worst (largest saving, randomised), Shaw (related by place and
time, Ropke & Pisinger 2006), string (consecutive stops in routes near a
seed request, after Christiaens & Vanden Berghe's SISR) and route removal.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from transit.solver.state import arc_cost, remove_request, rnd_float, rnd_int

__all__ = ["assigned_requests", "destroy_random", "destroy_route", "destroy_shaw", "destroy_string", "destroy_worst"]


@njit(cache=True)
def assigned_requests(inst, sol, S):
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
        g = arc_cost(inst, km, a, nloc[p]) + arc_cost(inst, km, nloc[p], nloc[d]) + arc_cost(inst, km, nloc[d], b) - arc_cost(inst, km, a, b)
    else:
        if kp >= 0:
            a = nloc[seq[kp - 1]]
            b = nloc[seq[kp + 1]]
            g += arc_cost(inst, km, a, nloc[p]) + arc_cost(inst, km, nloc[p], b) - arc_cost(inst, km, a, b)
        a = nloc[seq[kd - 1]]
        b = nloc[seq[kd + 1]]
        g += arc_cost(inst, km, a, nloc[d]) + arc_cost(inst, km, nloc[d], b) - arc_cost(inst, km, a, b)
    return g


@njit(cache=True)
def destroy_random(inst, sol, w, S, q):
    na = assigned_requests(inst, sol, S)
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
    na = assigned_requests(inst, sol, S)
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
    na = assigned_requests(inst, sol, S)
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
    na = assigned_requests(inst, sol, S)
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
