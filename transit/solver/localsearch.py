"""Local search on a solution: relocate requests, move breaks, exchange route tails.

Used to polish every new best solution of the search (:func:`polish`):

* relocate: take each request out and put it back at its cheapest place
  anywhere (possibly the same);
* move breaks: put each break at its cheapest feasible place in its route;
* 2-opt* (:func:`exchange_tails`): for two routes, cut each where the
  vehicle is empty and swap the parts after the cuts, when it pays.

With a large fleet (more vehicles than ``near``), a request is tried only in
its own vehicle and the ``near`` vehicles whose routes pass nearest to its
pickup before its window closes (:func:`near_vehicles`), and tails are
exchanged only between routes that are such neighbours of each other
(:func:`near_pairs`): the insertion tests of a pass, its costly part, then
grow with the requests, not with requests times vehicles (finding the near
vehicles is one cheap scan of the routes per request). A fleet of at most
``near`` vehicles is searched in full.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from transit.solver.compiled import BREAK
from transit.solver.schedule import EPS, arc_cost
from transit.solver.destroy import assigned_requests
from transit.solver.state import (
    best_insert,
    cheapest_insert,
    copy_prefix,
    copy_route,
    insert_at,
    recompute,
    remove_request,
    rnd_int,
    route_cost,
)

__all__ = ["exchange_tails", "move_breaks", "near_pairs", "near_vehicles", "polish"]


# With numba's runtime: it allocates, or calls kernels that do (see transit.solver.state).
@njit(cache=True)
def polish(inst, sol, tmp, w, cands, S, max_passes, max_sched, near):
    """Local search: relocate requests, move breaks, exchange tails while it pays.

    ``near`` > 0 and a fleet larger than that: search only near vehicles
    (see the module docstring). Returns the number of improving moves.
    """
    nv = sol.rlen.shape[0]
    limited = 0 < near < nv
    moves = 0
    for _ in range(max_passes):
        improved = False
        if limited:
            cand_v = near_vehicles(inst, sol, near)
            pairs = near_pairs(sol, cand_v)
        else:
            cand_v = np.zeros((0, 0), np.int64)
            pairs = np.ones((nv, nv), np.bool_)
        na = assigned_requests(inst, sol, S)
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
            if limited:
                bc, bv, bi, bj = _near_insert(inst, sol, r, v0, cand_v[r], w, cands, max_sched)
            else:
                bc, bv, bi, bj = cheapest_insert(inst, sol, r, w, cands, max_sched)
            if bv >= 0 and bc < gain - 1e-7:
                insert_at(inst, sol, r, bv, bi, bj, w)
                improved = True
                moves += 1
            else:
                copy_route(tmp, sol, v0)
                sol.where[r] = v0
        for v in range(nv):
            if move_breaks(inst, sol, tmp, v, w):
                improved = True
                moves += 1
        if _exchange_tails(inst, sol, tmp, w, pairs):
            improved = True
            moves += 1
        if not improved:
            break
    return moves


@njit(cache=True, _nrt=False)
def _near_insert(inst, sol, r, v0, near, w, cands, max_sched):
    """Cheapest insertion of request ``r`` into vehicle ``v0`` or one of ``near``: ``(cost, v, i, j)``."""
    bc, bi, bj = best_insert(inst, sol, r, v0, w, cands, max_sched)
    bv = v0 if bi >= 0 else -1
    for v in near:
        if v < 0 or v == v0:
            continue
        c, i, j = best_insert(inst, sol, r, v, w, cands, max_sched)
        if c < bc:
            bc, bv, bi, bj = c, v, i, j
    return bc, bv, bi, bj


# With numba's runtime: it allocates, or calls kernels that do (see transit.solver.state).
@njit(cache=True)
def near_vehicles(inst, sol, k):
    """Return, per request, the ``k`` vehicles whose routes pass nearest to its pickup (-1: none).

    A vehicle's nearness is the least detour (in travel time) of visiting
    the pickup between two consecutive stops of its route, leaving the first
    as early as it can and arriving before the pickup's window closes;
    vehicles that may not serve the request, or have no such place, are not
    listed. Requests on board list none.
    """
    nv = sol.rlen.shape[0]
    n = inst.rL.shape[0]
    out = np.full((n, k), -1, np.int64)
    d = np.empty(nv)
    for r in range(n):
        if inst.ronb[r]:
            continue
        p = 2 * r
        lp = inst.nloc[p]
        latest = inst.nl[p]
        for v in range(nv):
            best = np.inf
            if inst.fits[r, v]:
                for z in range(sol.rlen[v] - 1):
                    here = inst.nloc[sol.seq[v, z]]
                    t = inst.tt[here, lp]
                    if sol.E[v, z] + inst.ns[sol.seq[v, z]] + t <= latest + EPS:
                        there = inst.nloc[sol.seq[v, z + 1]]
                        detour = t + inst.tt[lp, there] - inst.tt[here, there]
                        if detour < best:
                            best = detour
            d[v] = best
        order = np.argsort(d, kind="mergesort")
        for z in range(min(k, nv)):
            v = order[z]
            if d[v] == np.inf:
                break
            out[r, z] = v
    return out


# With numba's runtime: it allocates, or calls kernels that do (see transit.solver.state).
@njit(cache=True)
def near_pairs(sol, cand_v):
    """Return which pairs of routes are neighbours: one is listed for a request of the other
    (:func:`near_vehicles`)."""
    nv = sol.rlen.shape[0]
    pairs = np.zeros((nv, nv), np.bool_)
    for r in range(cand_v.shape[0]):
        a = sol.where[r]
        if a < 0:
            continue
        for z in range(cand_v.shape[1]):
            b = cand_v[r, z]
            if b >= 0:
                pairs[a, b] = True
                pairs[b, a] = True
    return pairs


@njit(cache=True, _nrt=False)
def _break_before(src, dst, v, m, pos, node, k):
    """Write route ``v`` of ``src`` (``m`` stops) into ``dst`` with its stop at
    ``pos`` (the break ``node``) moved before position ``k`` of the remaining stops."""
    h = 0
    for z in range(m):
        if z == pos:
            continue
        if h == k:
            dst.seq[v, h] = node
            h += 1
        dst.seq[v, h] = src.seq[v, z]
        h += 1


@njit(cache=True, _nrt=False)
def move_breaks(inst, sol, tmp, v, w):
    """Move each break of route ``v`` to its cheapest feasible position; True if any moved."""
    if sol.rnreq[v] == 0 or inst.vbrkn[v] == 0:
        return False
    moved = False
    for b in range(inst.vbrkn[v]):
        node = inst.brk[inst.vbrk0[v] + b]
        copy_route(sol, tmp, v)
        m = tmp.rlen[v]
        pos = -1
        for k in range(m):
            if tmp.seq[v, k] == node:
                pos = k
        best = tmp.rcost[v]
        best_k = -1
        for k in range(1, m - 1):
            if k == pos:
                continue
            _break_before(tmp, sol, v, m, pos, node, k)
            if recompute(inst, sol, v, w) and sol.rcost[v] < best - 1e-7:
                best = sol.rcost[v]
                best_k = k
        copy_route(tmp, sol, v)
        if best_k >= 0:
            _break_before(tmp, sol, v, m, pos, node, best_k)
            recompute(inst, sol, v, w)
            moved = True
    return moved


# ---------------------------------------------------------------- main loop


@njit(cache=True, _nrt=False)
def _arcs(inst, seq, m, km):
    """Arc cost of the node sequence ``seq[:m]`` for a vehicle with per-distance cost ``km``."""
    c = 0.0
    nloc = inst.nloc
    costm = inst.cost
    distm = inst.dist
    for k in range(1, m):
        c += arc_cost(costm, distm, km, nloc[seq[k - 1]], nloc[seq[k]])
    return c


@njit(cache=True, _nrt=False)
def _splice(src_a, ka, src_b, kb, mb, end_node, out):
    """Write ``src_a[:ka+1]`` + ``src_b[kb+1:mb-1]`` + ``end_node`` into ``out``; return the length."""
    h = 0
    for z in range(ka + 1):
        out[h] = src_a[z]
        h += 1
    for z in range(kb + 1, mb - 1):
        out[h] = src_b[z]
        h += 1
    out[h] = end_node
    return h + 1


@njit(cache=True, _nrt=False)
def _spliced_pair(inst, src, a, b, ka, kb, ma, mb, w):
    """Routes ``a`` and ``b`` of ``src`` with their tails after cuts ``ka``, ``kb`` swapped.

    The new sequences go to ``w.seq`` (vehicle ``a``) and ``w.seq2`` (``b``);
    returns their lengths.
    """
    na = _splice(src.seq[a], ka, src.seq[b], kb, mb, inst.vend[a], w.seq)
    nb = _splice(src.seq[b], kb, src.seq[a], ka, ma, inst.vend[b], w.seq2)
    return na, nb


@njit(cache=True, _nrt=False)
def _write_pair(sol, a, b, na, nb, w):
    """Make ``w.seq[:na]`` route ``a`` and ``w.seq2[:nb]`` route ``b`` of ``sol`` (no recompute)."""
    copy_prefix(sol.seq[a], w.seq, na)
    sol.rlen[a] = na
    copy_prefix(sol.seq[b], w.seq2, nb)
    sol.rlen[b] = nb


@njit(cache=True, _nrt=False)
def _movable_from(inst, sol, a, b):
    """Return the first cut of route ``a`` whose tail may be driven by vehicle ``b``."""
    m = sol.rlen[a]
    first = 0
    for z in range(1, m - 1):
        nd = sol.seq[a, z]
        r = inst.nreq[nd]
        if inst.nkind[nd] == BREAK or (r >= 0 and inst.fits[r, b] == 0):
            first = z
    return first


@njit(cache=True, _nrt=False)
def _late(inst, sol, a, ka, node):
    """True if route ``a`` leaving position ``ka`` as early as it can still reaches ``node`` after its window.

    A necessary condition of a tail exchange that needs no schedule: the
    least start times up to a cut where the vehicle is empty do not depend on
    what follows it, unless a maximum route duration links the start to the
    end (then nothing is screened).
    """
    if np.isfinite(inst.vmaxdur[a]):
        return False
    here = sol.seq[a, ka]
    arrive = sol.E[a, ka] + inst.ns[here] + inst.tt[inst.nloc[here], inst.nloc[node]]
    return arrive > inst.nl[node] + EPS


@njit(cache=True, _nrt=False)
def _tail_latest(inst, sol, v, H):
    """Write into ``H[v]`` the latest start of each stop of route ``v`` that its own windows and the
    travel to the stops after it allow, ignoring the route's end, ride times and the fleet's shifts.

    A tail that starts at stop ``z`` later than ``H[v, z]`` misses a window
    whatever vehicle drives it, so :func:`_late_tail` may skip it.
    """
    m = sol.rlen[v]
    H[v, m - 1] = np.inf
    for z in range(m - 2, -1, -1):
        nd = sol.seq[v, z]
        nx = sol.seq[v, z + 1]
        H[v, z] = min(inst.nl[nd], H[v, z + 1] - inst.ns[nd] - inst.tt[inst.nloc[nd], inst.nloc[nx]])


@njit(cache=True, _nrt=False)
def _late_tail(inst, sol, a, ka, b, kb, H):
    """True if vehicle ``a`` leaving its cut ``ka`` as early as it can misses a window of route ``b``'s tail after ``kb``.

    :func:`_late` for the tail's first stop, and for the tail as a whole
    the latest start of :func:`_tail_latest` (same condition: no maximum
    route duration of ``a``).
    """
    node = sol.seq[b, kb + 1]
    if _late(inst, sol, a, ka, node):
        return True
    if np.isfinite(inst.vmaxdur[a]) or kb + 1 >= sol.rlen[b] - 1:
        return False
    here = sol.seq[a, ka]
    arrive = max(inst.ne[node], sol.E[a, ka] + inst.ns[here] + inst.tt[inst.nloc[here], inst.nloc[node]])
    return arrive > H[b, kb + 1] + EPS


@njit(cache=True, _nrt=False)
def _any_swap(inst, sol, a, b, from_a, from_b, H):
    """True if some pair of cuts of routes ``a`` and ``b`` (from ``from_a``, ``from_b``) passes the
    screen of :func:`_late_tail` both ways: the pairs the exchange would try at all."""
    ma = sol.rlen[a]
    mb = sol.rlen[b]
    for ka in range(from_a, ma - 1):
        if sol.ld0[a, ka] != 0 or sol.ld1[a, ka] != 0:
            continue
        for kb in range(from_b, mb - 1):
            if sol.ld0[b, kb] != 0 or sol.ld1[b, kb] != 0 or (ka == ma - 2 and kb == mb - 2):
                continue
            if not _late_tail(inst, sol, a, ka, b, kb, H) and not _late_tail(inst, sol, b, kb, a, ka, H):
                return True
    return False


# With numba's runtime: it allocates, or calls kernels that do (see transit.solver.state).
@njit(cache=True)
def exchange_tails(inst, sol, tmp, w):
    """2-opt*: swap route tails cut where the vehicles are empty; True if a swap was made.

    For each pair of routes the best improving swap (by the true route
    costs, after an arc-cost screen) is applied. Tails holding a break or a
    request the other vehicle may not serve are not moved.
    """
    nv = sol.rlen.shape[0]
    return _exchange_tails(inst, sol, tmp, w, np.ones((nv, nv), np.bool_))


# With numba's runtime: it allocates, or calls kernels that do (see transit.solver.state).
@njit(cache=True)
def _exchange_tails(inst, sol, tmp, w, pairs):
    """:func:`exchange_tails` for the pairs of routes ``a < b`` with ``pairs[a, b]``."""
    nv = sol.rlen.shape[0]
    improved = False
    H = np.empty(sol.seq.shape)
    for v in range(nv):
        _tail_latest(inst, sol, v, H)
    for a in range(nv):
        for b in range(a + 1, nv):
            if not pairs[a, b] or (sol.rnreq[a] == 0 and sol.rnreq[b] == 0):
                continue
            ma = sol.rlen[a]
            mb = sol.rlen[b]
            if ma < 2 or mb < 2:
                continue
            from_a = _movable_from(inst, sol, a, b)
            from_b = _movable_from(inst, sol, b, a)
            if not _any_swap(inst, sol, a, b, from_a, from_b, H):
                continue
            kma = inst.vkm[a]
            kmb = inst.vkm[b]
            old_arcs = _arcs(inst, sol.seq[a], ma, kma) + _arcs(inst, sol.seq[b], mb, kmb)
            old_cost = sol.rcost[a] + sol.rcost[b]
            best_gain = 1e-7
            bka = -1
            bkb = -1
            copy_route(sol, tmp, a)
            copy_route(sol, tmp, b)
            for ka in range(from_a, ma - 1):
                if sol.ld0[a, ka] != 0 or sol.ld1[a, ka] != 0:
                    continue
                for kb in range(from_b, mb - 1):
                    if sol.ld0[b, kb] != 0 or sol.ld1[b, kb] != 0:
                        continue
                    if ka == ma - 2 and kb == mb - 2:
                        continue
                    if _late_tail(inst, sol, a, ka, b, kb, H) or _late_tail(inst, sol, b, kb, a, ka, H):
                        continue  # a vehicle cannot drive the other's tail within its windows
                    na, nb = _spliced_pair(inst, tmp, a, b, ka, kb, ma, mb, w)
                    new_arcs = _arcs(inst, w.seq, na, kma) + _arcs(inst, w.seq2, nb, kmb)
                    if inst.sched == 0 and new_arcs > old_arcs - 1e-7 and (na > 2 + inst.vbrkn[a]) and (nb > 2 + inst.vbrkn[b]):
                        continue  # no saving on arcs and no vehicle freed
                    # Evaluate the two new routes where they were spliced (the
                    # schedule arrays of ``sol`` are only needed for the swap made).
                    ca = route_cost(inst, w.seq, na, w, a)
                    if ca < np.inf:
                        gain = old_cost - ca - route_cost(inst, w.seq2, nb, w, b)
                        if gain > best_gain:
                            best_gain = gain
                            bka = ka
                            bkb = kb
            if bka >= 0:
                na, nb = _spliced_pair(inst, tmp, a, b, bka, bkb, ma, mb, w)
                _write_pair(sol, a, b, na, nb, w)
                recompute(inst, sol, a, w)
                recompute(inst, sol, b, w)
                _tail_latest(inst, sol, a, H)
                _tail_latest(inst, sol, b, H)
                for z in range(na):
                    r = inst.nreq[sol.seq[a, z]]
                    if r >= 0:
                        sol.where[r] = a
                for z in range(nb):
                    r = inst.nreq[sol.seq[b, z]]
                    if r >= 0:
                        sol.where[r] = b
                improved = True
    return improved
