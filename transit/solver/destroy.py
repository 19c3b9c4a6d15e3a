"""Destroy operators: take ``q`` requests out of their routes.

Random, worst (largest saving, randomised), Shaw (related by place and
time windows, Ropke & Pisinger 2006), Shaw by the solution's times (place
and the times the stops are served now: with wide windows these say more
than the windows), time slice (the requests served closest in time to a
seed request, over all routes), string (consecutive stops in routes near a
seed request, after Christiaens & Vanden Berghe's SISR) and route removal.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from transit.solver.schedule import arc_cost
from transit.solver.state import remove_request, rnd_float, rnd_int

__all__ = [
    "assigned_requests",
    "destroy_random",
    "destroy_route",
    "destroy_shaw",
    "destroy_shaw_times",
    "destroy_string",
    "destroy_time_slice",
    "destroy_worst",
    "request_times",
]


@njit(cache=True, _nrt=False)
def assigned_requests(inst, sol, S):
    """Fill ``S.buf`` with the assigned requests; return their number."""
    n = inst.rL.shape[0]
    k = 0
    for r in range(n):
        if sol.where[r] >= 0:
            S.buf[k] = r
            k += 1
    return k


@njit(cache=True, inline="always", _nrt=False)
def _detour(costm, distm, km, a, x, b):
    """Arc cost added by a stop at location ``x`` between locations ``a`` and ``b``."""
    return arc_cost(costm, distm, km, a, x) + arc_cost(costm, distm, km, x, b) - arc_cost(costm, distm, km, a, b)


@njit(cache=True, _nrt=False)
def _removal_gain(inst, sol, r):
    """Arc cost saved by taking request ``r`` out of its route (plus fixed cost if emptied)."""
    v = sol.where[r]
    seq = sol.seq[v]
    m = sol.rlen[v]
    km = inst.vkm[v]
    nloc = inst.nloc
    costm = inst.cost
    distm = inst.dist
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
        lp = nloc[p]
        ld = nloc[d]
        g = (arc_cost(costm, distm, km, a, lp) + arc_cost(costm, distm, km, lp, ld)
             + arc_cost(costm, distm, km, ld, b) - arc_cost(costm, distm, km, a, b))
    else:
        if kp >= 0:
            a = nloc[seq[kp - 1]]
            b = nloc[seq[kp + 1]]
            g += _detour(costm, distm, km, a, nloc[p], b)
        a = nloc[seq[kd - 1]]
        b = nloc[seq[kd + 1]]
        g += _detour(costm, distm, km, a, nloc[d], b)
    return g


@njit(cache=True, _nrt=False)
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


# With numba's runtime: it allocates, or calls kernels that do (see transit.solver.state).
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


@njit(cache=True, _nrt=False)
def destroy_shaw(inst, sol, w, S, q, power):
    """Remove requests related by place and windows (``inst.nearest``) to already removed ones.

    With a sparse neighbour table (large problems) a removed request whose
    neighbours are all out already hands over to a random assigned request.
    """
    na = assigned_requests(inst, sol, S)
    q = min(q, na)
    if q == 0:
        return 0
    kn = inst.nearest.shape[1]
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
        for h in range(kn):
            x = inst.nearest[r, h]
            if sol.where[x] >= 0:
                left += 1
        pick = -1
        if left == 0:
            pick = _random_assigned(sol, S, na)
            if pick < 0:
                break
        else:
            k = int((y**power) * left)
            if k >= left:
                k = left - 1
            for h in range(kn):
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


@njit(cache=True, _nrt=False)
def _random_assigned(sol, S, na):
    """Return a random request of ``S.buf[:na]`` still assigned (-1 if none is)."""
    start = rnd_int(S.rng, na)
    for h in range(na):
        x = S.buf[(start + h) % na]
        if sol.where[x] >= 0:
            return x
    return -1


@njit(cache=True, _nrt=False)
def request_times(inst, sol, S):
    """Fill ``S.rtp`` / ``S.rtd`` with the earliest service start of each assigned request's stops.

    A request already on board (no pickup node) gets its drop-off time for both.
    """
    for v in range(sol.rlen.shape[0]):
        for k in range(sol.rlen[v]):
            nd = sol.seq[v, k]
            r = inst.nreq[nd]
            if r >= 0:
                if nd == 2 * r:
                    S.rtp[r] = sol.E[v, k]
                else:
                    S.rtd[r] = sol.E[v, k]
                    if inst.ronb[r] == 1:
                        S.rtp[r] = sol.E[v, k]


@njit(cache=True, _nrt=False)
def _pick_related(S, left, power):
    """Return the index in ``S.buf2[:left]`` (sorted by ``S.gain``) chosen with a bias to the front."""
    y = rnd_float(S.rng)
    k = int((y**power) * left)
    if k >= left:
        k = left - 1
    return k


@njit(cache=True, _nrt=False)
def _remove_by_key(inst, sol, w, S, q, power, r0, space_weight):
    """Remove ``r0`` and ``q - 1`` more requests close to already removed ones.

    Closeness of request ``x`` to a removed request ``r``: ``space_weight``
    times the normalised travel times between the pickups and between the
    drop-offs, plus the normalised differences of their pickup and drop-off
    times in the solution (``S.rtp`` / ``S.rtd``, filled before).
    """
    na = assigned_requests(inst, sol, S)
    q = min(q, na)
    if q == 0:
        return 0
    tt = inst.tt
    nloc = inst.nloc
    s_scale = inst.rscale[0]
    t_scale = inst.rscale[1]
    nrem = 1
    S.ulist[0] = r0
    remove_request(inst, sol, r0, w)
    while nrem < q:
        r = S.ulist[rnd_int(S.rng, nrem)]
        pr = nloc[2 * r]
        dr = nloc[2 * r + 1]
        left = 0
        for x in range(inst.rL.shape[0]):
            if sol.where[x] >= 0:
                space = tt[pr, nloc[2 * x]] + tt[dr, nloc[2 * x + 1]]
                if space == np.inf:
                    space = 2.0 * s_scale
                S.gain[left] = space_weight * space / s_scale + (
                    abs(S.rtp[x] - S.rtp[r]) + abs(S.rtd[x] - S.rtd[r])
                ) / t_scale
                S.buf2[left] = x
                left += 1
        if left == 0:
            break
        k = _pick_related(S, left, power)
        # The k-th smallest key: partial selection sort up to k.
        for a in range(k + 1):
            m = a
            for b in range(a + 1, left):
                if S.gain[b] < S.gain[m]:
                    m = b
            if m != a:
                g = S.gain[a]
                S.gain[a] = S.gain[m]
                S.gain[m] = g
                t = S.buf2[a]
                S.buf2[a] = S.buf2[m]
                S.buf2[m] = t
        pick = S.buf2[k]
        S.ulist[nrem] = pick
        nrem += 1
        remove_request(inst, sol, pick, w)
    return nrem


@njit(cache=True, _nrt=False)
def destroy_shaw_times(inst, sol, w, S, q, power):
    """Shaw removal with the times of the current solution instead of the windows."""
    na = assigned_requests(inst, sol, S)
    if na == 0 or q == 0:
        return 0
    request_times(inst, sol, S)
    r0 = S.buf[rnd_int(S.rng, na)]
    return _remove_by_key(inst, sol, w, S, q, power, r0, 1.0)


@njit(cache=True, _nrt=False)
def destroy_time_slice(inst, sol, w, S, q, power):
    """Remove the requests served closest in time to a random one, over all routes.

    With many vehicles working the same hours, this frees a slice of the day
    in every route at once, so the repair can re-deal it between vehicles.
    """
    na = assigned_requests(inst, sol, S)
    if na == 0 or q == 0:
        return 0
    request_times(inst, sol, S)
    r0 = S.buf[rnd_int(S.rng, na)]
    return _remove_by_key(inst, sol, w, S, q, power, r0, 0.0)


@njit(cache=True, _nrt=False)
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


@njit(cache=True, _nrt=False)
def destroy_string(inst, sol, w, S, q):
    """SISR-like: strings of consecutive stops in routes near a random seed request."""
    na = assigned_requests(inst, sol, S)
    q = min(q, na)
    if q == 0:
        return 0
    nv = sol.rlen.shape[0]
    r0 = S.buf[rnd_int(S.rng, na)]
    for v in range(nv):
        S.vmark[v] = 0
    removed = 0
    avg = 2.0 * na / max(1, nv)
    for h in range(inst.nearest.shape[1] + 1):
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


@njit(cache=True, _nrt=False)
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
