"""The solution the compiled search works on, and its basic moves.

A solution (:data:`Sol`) stores per vehicle the node sequence of its route
(START, stops, breaks, END; see :mod:`transit.solver.compiled`), and for
every position the least and greatest feasible start times and the loads
after the stop. These make the insertion test cheap: a candidate position
is first screened with O(1) necessary conditions derived from them, and
only the cheapest survivors get the exact check of the whole new sequence
(:func:`transit.solver.schedule.least_times`).

A route without requests keeps its break nodes but counts as unused: it
costs nothing and is shown as an empty route.

The solver's kernels run without numba's reference counting
(``@njit(..., _nrt=False)``): they allocate nothing and only borrow the
arrays they are handed, which the Python driver keeps alive. With it, each
call of a kernel counted a reference in and out of every array of its
argument tuples (the problem alone has 34), about a hundred atomic
operations per insertion test, and 17-20% of the search's samples
(``benchmarks/RESULTS.md``, "Kernels without numba's runtime"). Without
the runtime a kernel cannot allocate, so slices are copied by loops
(:func:`copy_prefix`), the insertion test sorts its candidates with
numba's own quicksort on preallocated arrays (:func:`_sort_by_cost`), and
it cannot call a kernel that needs the runtime
(numba then fails to compile the callee). The few kernels
that allocate keep the runtime, and so do their callers:
:func:`transit.solver.destroy.destroy_worst` (a sort), the local search's
``polish``, ``near_vehicles``, ``near_pairs`` and ``exchange_tails``, and
:func:`transit.solver.alns.alns_chunk`, which calls them once per
iteration at most. ``_nrt`` is an option of numba's own (its tests use it),
not a documented one: a numba without it fails at import, not silently.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from numba.misc.quicksort import SMALL_QUICKSORT as _SMALL_SORT
from numba.misc.quicksort import make_jit_quicksort
from numba.np.numpy_support import lt_floats

from transit.solver.compiled import BREAK
from transit.solver.schedule import EPS, arc_cost, greatest_times, least_times, prepare, route_eval

_QUICKSORT = make_jit_quicksort(lt=lt_floats, is_argsort=True, is_np_array=True)
_qs_partition = _QUICKSORT.partition
_qs_insertion_sort = _QUICKSORT.insertion_sort
_SORT_STACK = 100
"""Depth of the quicksort's stack (numba's ``MAX_STACK``; the larger part is pushed, so log2 of the length suffices)."""

__all__ = [
    "Sol",
    "best_insert",
    "build_inserted",
    "cheapest_insert",
    "copy_prefix",
    "copy_route",
    "copy_sol",
    "empty_sol",
    "init_route",
    "insert_at",
    "make_cands",
    "penalty",
    "recompute",
    "remove_request",
    "rnd_float",
    "rnd_int",
    "route_cost",
    "total_cost",
]

Sol = namedtuple(
    "Sol",
    ["seq", "rlen", "E", "G", "ld0", "ld1", "rarc", "rsched", "rcost", "rnreq", "where"],
)
"""A solution: routes as node sequences plus per-position bounds and loads."""

Cands = namedtuple("Cands", ["cost", "i", "j", "order", "stack"])
"""Scratch arrays for the candidate positions of one insertion."""


def empty_sol(n_requests: int, n_vehicles: int, max_len: int):
    """Return an all-zero solution of the given sizes (routes not yet set up)."""
    m = max_len + 4
    return Sol(
        seq=np.zeros((n_vehicles, m), np.int64),
        rlen=np.zeros(n_vehicles, np.int64),
        E=np.zeros((n_vehicles, m)),
        G=np.zeros((n_vehicles, m)),
        ld0=np.zeros((n_vehicles, m), np.int64),
        ld1=np.zeros((n_vehicles, m), np.int64),
        rarc=np.zeros(n_vehicles),
        rsched=np.zeros(n_vehicles),
        rcost=np.zeros(n_vehicles),
        rnreq=np.zeros(n_vehicles, np.int64),
        where=np.full(max(n_requests, 1), -1, np.int64),
    )


def make_cands(max_len: int) -> Cands:
    """Return candidate scratch arrays for routes of up to ``max_len`` stops."""
    size = min((max_len + 2) * (max_len + 3) // 2 + 8, 500_000)
    return Cands(
        cost=np.zeros(size),
        i=np.zeros(size, np.int64),
        j=np.zeros(size, np.int64),
        order=np.zeros(size, np.int64),
        stack=np.zeros((_SORT_STACK, 2), np.int64),
    )


# ---------------------------------------------------------------- random


@njit(cache=True, _nrt=False)
def rnd_u64(st):
    """Return the next 64-bit number of the xorshift64* generator in ``st[0]``."""
    x = st[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    st[0] = x
    return x * np.uint64(0x2545F4914F6CDD1D)


@njit(cache=True, _nrt=False)
def rnd_float(st):
    """Return a uniform float in [0, 1)."""
    return float(rnd_u64(st) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, _nrt=False)
def rnd_int(st, n):
    """Return a uniform integer in [0, n)."""
    k = int(rnd_float(st) * n)
    if k >= n:
        k = n - 1
    return k


# ---------------------------------------------------------------- routes


@njit(cache=True, inline="always", _nrt=False)
def copy_prefix(dst, src, n):
    """Copy ``src[:n]`` into ``dst[:n]`` (1-d; a loop, as slice assignment needs numba's runtime)."""
    for k in range(n):
        dst[k] = src[k]


@njit(cache=True, inline="always", _nrt=False)
def _copy_2d(dst, src):
    """Copy the 2-d array ``src`` into ``dst`` (same shape)."""
    for a in range(src.shape[0]):
        for b in range(src.shape[1]):
            dst[a, b] = src[a, b]


@njit(cache=True, _nrt=False)
def copy_sol(src, dst):
    """Copy solution ``src`` into ``dst`` (same sizes)."""
    _copy_2d(dst.seq, src.seq)
    _copy_2d(dst.E, src.E)
    _copy_2d(dst.G, src.G)
    _copy_2d(dst.ld0, src.ld0)
    _copy_2d(dst.ld1, src.ld1)
    nv = src.rlen.shape[0]
    copy_prefix(dst.rlen, src.rlen, nv)
    copy_prefix(dst.rarc, src.rarc, nv)
    copy_prefix(dst.rsched, src.rsched, nv)
    copy_prefix(dst.rcost, src.rcost, nv)
    copy_prefix(dst.rnreq, src.rnreq, nv)
    copy_prefix(dst.where, src.where, src.where.shape[0])


@njit(cache=True, _nrt=False)
def copy_route(src, dst, v):
    """Copy route ``v`` of ``src`` into ``dst``."""
    m = src.rlen[v]
    copy_prefix(dst.seq[v], src.seq[v], m)
    dst.rlen[v] = m
    copy_prefix(dst.E[v], src.E[v], m)
    copy_prefix(dst.G[v], src.G[v], m)
    copy_prefix(dst.ld0[v], src.ld0[v], m)
    copy_prefix(dst.ld1[v], src.ld1[v], m)
    dst.rarc[v] = src.rarc[v]
    dst.rsched[v] = src.rsched[v]
    dst.rcost[v] = src.rcost[v]
    dst.rnreq[v] = src.rnreq[v]


@njit(cache=True, _nrt=False)
def _route_total(inst, v, ok, arc, sched, nreq):
    """A route's cost from :func:`route_eval`'s parts: ``inf`` if infeasible, 0 if unused."""
    if not ok:
        return np.inf
    return arc + sched + inst.vfix[v] if nreq > 0 else 0.0


@njit(cache=True, _nrt=False)
def route_cost(inst, seq, m, w, v):
    """Return the cost of vehicle ``v`` driving ``seq[:m]``, as :func:`recompute` sets it, without
    changing a solution (``inf``: infeasible)."""
    ok, arc, sched, nreq = route_eval(inst, seq, m, w, inst.sched == 1)
    return _route_total(inst, v, ok, arc, sched, nreq)


@njit(cache=True, _nrt=False)
def recompute(inst, sol, v, w):
    """Recompute bounds, loads and cost of route ``v``; return its feasibility."""
    m = sol.rlen[v]
    seq = sol.seq[v]
    ok, arc, sched, nreq = route_eval(inst, seq, m, w, inst.sched == 1)
    sol.rarc[v] = arc
    sol.rsched[v] = sched
    sol.rnreq[v] = nreq
    sol.rcost[v] = _route_total(inst, v, ok, arc, sched, nreq)
    if not ok:
        return False
    # least_times left the least schedule in w.B unless choose_times ran.
    least_times(inst.tt, m, w.loc, w.e, w.l, w.s, w.pp, w.L, inst.vmaxdur[v], w.B)
    greatest_times(inst.tt, m, w.loc, w.e, w.l, w.s, w.pp, w.L, inst.vmaxdur[v], w.G)
    for k in range(m):
        sol.E[v, k] = w.B[k]
        sol.G[v, k] = w.G[k]
        sol.ld0[v, k] = w.ld0[k]
        sol.ld1[v, k] = w.ld1[k]
    return True


@njit(cache=True, _nrt=False)
def init_route(inst, sol, v, w):
    """Set route ``v`` to START, its breaks, END (no requests)."""
    seq = sol.seq[v]
    seq[0] = inst.vstart[v]
    m = 1
    for b in range(inst.vbrkn[v]):
        seq[m] = inst.brk[inst.vbrk0[v] + b]
        m += 1
    seq[m] = inst.vend[v]
    sol.rlen[v] = m + 1
    return recompute(inst, sol, v, w)


@njit(cache=True, _nrt=False)
def total_cost(inst, sol):
    """Return (routing cost, number of unassigned requests) of ``sol``."""
    c = 0.0
    for v in range(sol.rlen.shape[0]):
        c += sol.rcost[v]
    un = 0
    n = inst.rL.shape[0]
    for r in range(n):
        if sol.where[r] < 0:
            un += 1
    return c, un


@njit(cache=True, _nrt=False)
def penalty(inst, sol):
    """Return the summed rejection penalties of the unassigned requests."""
    c = 0.0
    for r in range(inst.rpen.shape[0]):
        if sol.where[r] < 0:
            c += inst.rpen[r]
    return c


@njit(cache=True, _nrt=False)
def remove_request(inst, sol, r, w):
    """Take request ``r`` out of its route (no-op if unassigned); return the route."""
    v = sol.where[r]
    if v < 0:
        return -1
    seq = sol.seq[v]
    m = sol.rlen[v]
    p = 2 * r
    d = 2 * r + 1
    k2 = 0
    for k in range(m):
        nd = seq[k]
        if nd != p and nd != d:
            seq[k2] = nd
            k2 += 1
    sol.rlen[v] = k2
    sol.where[r] = -1
    recompute(inst, sol, v, w)
    return v


@njit(cache=True, _nrt=False)
def build_inserted(inst, seq, m, r, i, j, out):
    """Write ``seq[:m]`` with request ``r`` inserted into ``out``; return the new length.

    The pickup goes before position ``i`` and the drop-off before position
    ``j`` (``j >= i``; with ``j == i`` the drop-off directly follows the
    pickup). A request on board only has its drop-off inserted (before ``j``).
    """
    p = 2 * r
    d = 2 * r + 1
    onb = inst.ronb[r] == 1
    k2 = 0
    for k in range(m):
        if not onb and k == i:
            out[k2] = p
            k2 += 1
        if k == j:
            out[k2] = d
            k2 += 1
        out[k2] = seq[k]
        k2 += 1
    return k2


@njit(cache=True, _nrt=False)
def insert_at(inst, sol, r, v, i, j, w):
    """Insert request ``r`` into route ``v`` at positions ``i``, ``j``; return feasibility."""
    m = sol.rlen[v]
    m2 = build_inserted(inst, sol.seq[v], m, r, i, j, w.seq2)
    copy_prefix(sol.seq[v], w.seq2, m2)
    sol.rlen[v] = m2
    sol.where[r] = v
    return recompute(inst, sol, v, w)


@njit(cache=True, _nrt=False)
def cheapest_insert(inst, sol, r, w, cands, max_sched):
    """Return the cheapest feasible insertion of request ``r`` over all vehicles.

    Returns ``(delta_cost, v, i, j)`` (:func:`best_insert` per vehicle, ties
    to the lower vehicle index); ``v = -1`` and ``delta_cost = inf`` if it
    fits nowhere. One compiled call instead of one per vehicle.
    """
    best = np.inf
    bv = -1
    bi = -1
    bj = -1
    for v in range(sol.rlen.shape[0]):
        c, i, j = best_insert(inst, sol, r, v, w, cands, max_sched)
        if c < best:
            best = c
            bv = v
            bi = i
            bj = j
    return best, bv, bi, bj


@njit(cache=True, _nrt=False)
def _may_pick_up(inst, sol, r, v):
    """False if no position of route ``v`` passes the first tests :func:`best_insert` makes of a pickup.

    Those tests (the vehicle reaches the pickup before its window closes
    and then the next stop, directly or via the drop-off, before that
    stop's latest start) are necessary for any insertion, so a False here
    means :func:`best_insert` finds none. Most vehicles of a large fleet
    fail them; this screen rejects them in a few tens of nanoseconds,
    without the candidate bookkeeping.
    """
    p = 2 * r
    d = p + 1
    lp = inst.nloc[p]
    ldd = inst.nloc[d]
    sp = inst.ns[p]
    ep_l = inst.nl[p]
    need = inst.ne[p] + sp
    E = sol.E[v]
    G = sol.G[v]
    seq = sol.seq[v]
    for i in range(1, sol.rlen[v]):
        if E[i - 1] > ep_l + EPS:
            return False
        if G[i] + EPS < need:
            continue
        a = seq[i - 1]
        arrive = E[i - 1] + inst.ns[a] + inst.tt[inst.nloc[a], lp]
        if arrive > ep_l + EPS:
            continue
        ep = max(inst.ne[p], arrive)
        lb = inst.nloc[seq[i]]
        if max(E[i], ep + sp + inst.tt[lp, lb]) <= G[i] + EPS:
            return True
        ed = max(inst.ne[d], ep + sp + inst.tt[lp, ldd])
        if ed <= inst.nl[d] + EPS and ed + sp + inst.tt[ldd, lb] <= G[i] + EPS:
            return True
    return False


@njit(cache=True, inline="always", _nrt=False)
def _insertion_candidates(inst, sol, r, v, cands):
    """Write the positions of route ``v`` where request ``r`` may go into ``cands``; return how many.

    Each candidate ``(i, j)`` passes the O(1) necessary conditions of the
    stored bounds (windows, loads, ride limit, breaks); its cost is the
    change of the arc cost. Shared by :func:`_insert_by_arcs` and
    :func:`_insert_by_schedule`, and inlined into both.
    """
    seq = sol.seq[v]
    m = sol.rlen[v]
    E = sol.E[v]
    G = sol.G[v]
    ld0 = sol.ld0[v]
    ld1 = sol.ld1[v]
    tt = inst.tt
    nloc = inst.nloc
    ns = inst.ns
    p = 2 * r
    d = 2 * r + 1
    q0 = -inst.nq0[d]
    q1 = -inst.nq1[d]
    cap0 = inst.vcap0[v]
    cap1 = inst.vcap1[v]
    lp = nloc[p]
    ldd = nloc[d]
    sp = ns[p]
    L = inst.rL[r]
    km = inst.vkm[v]
    costm = inst.cost
    distm = inst.dist
    nkind = inst.nkind
    ep_e = inst.ne[p]
    ep_l = inst.nl[p]
    ed_e = inst.ne[d]
    ed_l = inst.nl[d]
    cc = cands.cost
    ci = cands.i
    cj = cands.j
    cap = cc.shape[0]
    nc = 0
    if inst.ronb[r] == 1:
        for j in range(1, m):
            k = j - 1
            nk = seq[k]
            if ld0[k] + q0 > cap0 or ld1[k] + q1 > cap1 or nkind[nk] == BREAK:
                break
            if E[k] > ed_l + EPS:
                break
            la = nloc[nk]
            t1 = tt[la, ldd]
            if t1 == np.inf:
                continue
            ed = max(ed_e, E[k] + ns[nk] + t1)
            if ed > ed_l + EPS:
                continue
            lb = nloc[seq[j]]
            t2 = tt[ldd, lb]
            if t2 == np.inf or ed + sp + t2 > G[j] + EPS:
                continue
            if nc < cap:
                cc[nc] = arc_cost(costm, distm, km, la, ldd) + arc_cost(costm, distm, km, ldd, lb) - arc_cost(costm, distm, km, la, lb)
                ci[nc] = j
                cj[nc] = j
                nc += 1
    else:
        # The pickup goes before a stop that can still start after the
        # pickup's earliest end of service (G is non-decreasing): skip the
        # positions before the first such stop by bisection.
        lo = 1
        hi = m - 1
        need = ep_e + sp
        while lo < hi:
            mid = (lo + hi) // 2
            if G[mid] + EPS < need:
                lo = mid + 1
            else:
                hi = mid
        for i in range(lo, m):
            a = seq[i - 1]
            b = seq[i]
            if ld0[i - 1] + q0 > cap0 or ld1[i - 1] + q1 > cap1:
                continue
            if E[i - 1] > ep_l + EPS:
                break
            la = nloc[a]
            lb = nloc[b]
            t_ap = tt[la, lp]
            if t_ap == np.inf:
                continue
            ep = max(ep_e, E[i - 1] + ns[a] + t_ap)
            if ep > ep_l + EPS:
                continue
            c_ab = arc_cost(costm, distm, km, la, lb)
            c_ap = arc_cost(costm, distm, km, la, lp)
            # Drop-off right after the pickup.
            t_pd = tt[lp, ldd]
            if t_pd < np.inf:
                ed = max(ed_e, ep + sp + t_pd)
                t_db = tt[ldd, lb]
                if ed <= ed_l + EPS and t_db < np.inf and ed + sp + t_db <= G[i] + EPS:
                    if nc < cap:
                        cc[nc] = (c_ap + arc_cost(costm, distm, km, lp, ldd)
                                  + arc_cost(costm, distm, km, ldd, lb) - c_ab)
                        ci[nc] = i
                        cj[nc] = i
                        nc += 1
            t_pb = tt[lp, lb]
            if t_pb == np.inf:
                continue
            Ek = max(E[i], ep + sp + t_pb)
            if Ek > G[i] + EPS:
                continue
            if nkind[b] == BREAK:
                continue
            gp = min(ep_l, G[i] - sp - t_pb)
            dp = c_ap + arc_cost(costm, distm, km, lp, lb) - c_ab
            for j in range(i + 1, m):
                k = j - 1
                nk = seq[k]
                if k > i:
                    x = Ek + ns[seq[k - 1]] + tt[nloc[seq[k - 1]], nloc[nk]]
                    Ek = max(E[k], x)
                    if Ek > G[k] + EPS:
                        break
                if nkind[nk] == BREAK or ld0[k] + q0 > cap0 or ld1[k] + q1 > cap1:
                    break
                if Ek > ed_l + EPS or Ek - gp - sp > L + EPS:
                    break
                lk = nloc[nk]
                t1 = tt[lk, ldd]
                if t1 == np.inf:
                    continue
                ed = max(ed_e, Ek + ns[nk] + t1)
                if ed > ed_l + EPS or ed - gp - sp > L + EPS:
                    continue
                lb2 = nloc[seq[j]]
                t2 = tt[ldd, lb2]
                if t2 == np.inf or ed + sp + t2 > G[j] + EPS:
                    continue
                if nc < cap:
                    cc[nc] = (dp + arc_cost(costm, distm, km, lk, ldd) + arc_cost(costm, distm, km, ldd, lb2)
                              - arc_cost(costm, distm, km, lk, lb2))
                    ci[nc] = i
                    cj[nc] = j
                    nc += 1
    return nc


@njit(cache=True, inline="always", _nrt=False)
def _next_candidate(cands, nc, tried, pos):
    """Take the untried candidate of least cost: return ``(k, i, j, pos)``, ``k = -1`` if none is left.

    ``k`` indexes ``cands`` (now marked tried), ``(i, j)`` are its
    positions and ``pos`` the next position in the sorted order. The first
    three come by selection (usually one suffices); then the candidates
    are sorted once, in place (:func:`_sort_by_cost`).
    """
    cc = cands.cost
    ci = cands.i
    order = cands.order
    k = -1
    if tried < 3:
        cbest = np.inf
        for h in range(nc):
            if ci[h] >= 0 and cc[h] < cbest:
                cbest = cc[h]
                k = h
    else:
        if tried == 3:
            _sort_by_cost(cc, order, nc, cands.stack)
        while pos < nc and k < 0:
            if ci[order[pos]] >= 0:
                k = order[pos]
            pos += 1
    if k < 0:
        return -1, -1, -1, pos
    i = ci[k]
    ci[k] = -1
    return k, i, cands.j[k], pos


@njit(cache=True, inline="always", _nrt=False)
def _screened_candidates(inst, sol, r, v, cands):
    """Write the candidates of request ``r`` in route ``v`` into ``cands``; return ``(count, extra)``.

    ``count`` is 0 when the vehicle may not serve the request or no
    position passes the first tests of a pickup (:func:`_may_pick_up`).
    ``extra`` is the vehicle's fixed cost plus the arcs of its route when
    it serves no request yet (0 otherwise).
    """
    if inst.fits[r, v] == 0 or (inst.ronb[r] == 0 and not _may_pick_up(inst, sol, r, v)):
        return 0, 0.0
    nc = _insertion_candidates(inst, sol, r, v, cands)
    extra = 0.0
    if sol.rnreq[v] == 0:
        extra = inst.vfix[v] + sol.rarc[v]
    return nc, extra


@njit(cache=True, _nrt=False)
def _sort_by_cost(cc, order, nc, stack):
    """Write into ``order[:nc]`` the indices of ``cc[:nc]`` by increasing cost, as ``np.argsort`` does.

    numba's ``np.argsort`` allocates its result and its stack, which a
    kernel without the runtime may not; this runs the same quicksort (its
    partition and insertion steps, taken from numba) on ``order`` and the
    preallocated ``stack``, so that candidates of equal cost come in the
    same order as before and the plans stay the same.
    """
    for h in range(nc):
        order[h] = h
    if nc < 2:
        return
    stack[0, 0] = 0
    stack[0, 1] = nc - 1
    n = 1
    while n > 0:
        n -= 1
        low = stack[n, 0]
        high = stack[n, 1]
        while high - low >= _SMALL_SORT:
            i = _qs_partition(cc, order, low, high)
            # Push the larger part; go on with the smaller.
            if high - i > i - low:
                if high > i:
                    stack[n, 0] = i + 1
                    stack[n, 1] = high
                    n += 1
                high = i - 1
            else:
                if i > low:
                    stack[n, 0] = low
                    stack[n, 1] = i - 1
                    n += 1
                low = i + 1
        _qs_insertion_sort(cc, order, low, high)


@njit(cache=True, inline="always", _nrt=False)
def best_insert(inst, sol, r, v, w, cands, max_sched):
    """Return the cheapest feasible insertion of request ``r`` into route ``v``.

    Returns ``(delta_cost, i, j)``; ``delta_cost`` is ``inf`` (and ``i = -1``)
    if no feasible insertion exists. The delta includes the vehicle's fixed
    cost when the route was unused, and the change in schedule cost when the
    objective depends on the schedule (then the ``max_sched`` cheapest
    feasible candidates by arc cost are evaluated in full).

    Inlined into its callers, it only picks the case: the first feasible
    candidate by arc cost (:func:`_insert_by_arcs`) when the objective is
    the arc cost, else the best of ``max_sched`` feasible candidates by the
    full schedule (:func:`_insert_by_schedule`). The solver's most frequent
    call: some hundreds per iteration of the search.
    """
    if inst.sched == 1:
        return _insert_by_schedule(inst, sol, r, v, w, cands, max_sched)
    return _insert_by_arcs(inst, sol, r, v, w, cands)


@njit(cache=True, _nrt=False)
def _insert_by_arcs(inst, sol, r, v, w, cands):
    """:func:`best_insert` when the objective is the arc cost: the first feasible candidate by cost."""
    nc, extra = _screened_candidates(inst, sol, r, v, cands)
    if nc == 0:
        return np.inf, -1, -1
    m = sol.rlen[v]
    seq = sol.seq[v]
    pos = 0
    for tried in range(nc):
        k, i, j, pos = _next_candidate(cands, nc, tried, pos)
        if k < 0:
            break
        m2 = build_inserted(inst, seq, m, r, i, j, w.seq)
        if not prepare(inst, w.seq, m2, w):
            continue
        if least_times(inst.tt, m2, w.loc, w.e, w.l, w.s, w.pp, w.L, inst.vmaxdur[v], w.B):
            return cands.cost[k] + extra, i, j
    return np.inf, -1, -1


@njit(cache=True, _nrt=False)
def _insert_by_schedule(inst, sol, r, v, w, cands, max_sched):
    """:func:`best_insert` when the objective depends on the schedule: the best of ``max_sched`` feasible candidates."""
    nc, extra = _screened_candidates(inst, sol, r, v, cands)
    if nc == 0:
        return np.inf, -1, -1
    m = sol.rlen[v]
    seq = sol.seq[v]
    best = np.inf
    bi = -1
    bj = -1
    n_feas = 0
    pos = 0
    for tried in range(nc):
        k, i, j, pos = _next_candidate(cands, nc, tried, pos)
        if k < 0:
            break
        if cands.cost[k] + extra >= best:
            # Candidates come by increasing arc cost; this assumes inserting
            # a request does not lower the schedule cost (it rarely does).
            break
        m2 = build_inserted(inst, seq, m, r, i, j, w.seq)
        ok, arc, sc, nrq = route_eval(inst, w.seq, m2, w, True)
        if ok:
            delta = arc + sc + inst.vfix[v] - sol.rcost[v]
            if delta < best:
                best = delta
                bi = i
                bj = j
            n_feas += 1
            if n_feas >= max_sched:
                break
    return best, bi, bj
