"""Times of a stop sequence: exact feasibility and the schedule of a route.

All timing constraints of one route are *difference constraints* on the
start-of-service times ``B[k]`` of its stops: travel
(``B[k] >= B[k-1] + s[k-1] + t``), windows (``e[k] <= B[k] <= l[k]``), ride
time (``B[q] - B[p] - s[p] <= L``) and route duration
(``B[end] - B[0] <= T``). Their feasible set is a lattice, so the least
solution (every stop as early as possible) exists whenever any solution
does. :func:`least_times` computes it as the least fixed point: a forward
pass with waiting, then pickups pushed later where a ride-time limit is
exceeded (and the departure pushed later where the route lasts too long),
repeated until nothing moves. :func:`greatest_times` is the mirror image.
Both are exact, O(route length) per round, and a handful of rounds is the
rule.

:func:`choose_times` picks the schedule the plan shows: feasible, and among
feasible schedules one that waits before boarding rather than with
passengers on board, and leaves the depot as late as it usefully can.

Everything here is compiled with numba and works on per-position arrays
filled by :func:`prepare` from a node sequence (see
:mod:`transit.solver.compiled`).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from transit.solver.compiled import BREAK, DROP, PICK

__all__ = [
    "EPS",
    "Work",
    "arc_cost",
    "choose_times",
    "greatest_times",
    "least_times",
    "make_work",
    "prepare",
    "route_eval",
]

EPS = 1e-9
"""Slack (seconds) allowed in comparisons against rounding noise."""

Work = namedtuple(
    "Work",
    ["loc", "e", "l", "s", "pp", "L", "B", "G", "e2", "l2", "ld0", "ld1", "pos", "seq", "seq2"],
)
"""Scratch arrays for one route evaluation (see :func:`make_work`)."""


def make_work(max_len: int, n_requests: int) -> Work:
    """Return scratch arrays for routes of up to ``max_len`` stops."""
    m = max_len + 4
    return Work(
        loc=np.zeros(m, np.int64),
        e=np.zeros(m),
        l=np.zeros(m),
        s=np.zeros(m),
        pp=np.zeros(m, np.int64),
        L=np.zeros(m),
        B=np.zeros(m),
        G=np.zeros(m),
        e2=np.zeros(m),
        l2=np.zeros(m),
        ld0=np.zeros(m, np.int64),
        ld1=np.zeros(m, np.int64),
        pos=np.zeros(max(n_requests, 1), np.int64),
        seq=np.zeros(m, np.int64),
        seq2=np.zeros(m, np.int64),
    )


@njit(cache=True, _nrt=False)
def prepare(inst, seq, m, w):
    """Fill the per-position arrays of ``w`` for the first ``m`` nodes of ``seq``.

    Also computes the loads after each stop. Returns False if a capacity or
    an empty-vehicle break condition is broken, or a drop-off precedes its
    pickup.
    """
    # The arrays are taken out of the tuples once, before the loops: numba's
    # reference counting of accesses through a tuple made the repair of 20
    # requests about 15% slower (benchmarks/RESULTS.md, 2026-12-07).
    nkind = inst.nkind
    nreq = inst.nreq
    nq0 = inst.nq0
    nq1 = inst.nq1
    ronb = inst.ronb
    nloc = inst.nloc
    ne = inst.ne
    nl = inst.nl
    ns = inst.ns
    rL = inst.rL
    w_loc = w.loc
    w_e = w.e
    w_l = w.l
    w_s = w.s
    w_pp = w.pp
    w_L = w.L
    w_pos = w.pos
    w_ld0 = w.ld0
    w_ld1 = w.ld1
    v = inst.nveh[seq[0]]
    cap0 = inst.vcap0[v]
    cap1 = inst.vcap1[v]
    q0 = 0
    q1 = 0
    # Requests on board from the start of the route.
    for k in range(m):
        nd = seq[k]
        if nkind[nd] == DROP and ronb[nreq[nd]] == 1:
            q0 -= nq0[nd]
            q1 -= nq1[nd]
    ok = q0 <= cap0 and q1 <= cap1
    for k in range(m):
        nd = seq[k]
        w_loc[k] = nloc[nd]
        w_e[k] = ne[nd]
        w_l[k] = nl[nd]
        w_s[k] = ns[nd]
        w_pp[k] = -1
        w_L[k] = np.inf
        kind = nkind[nd]
        if kind == PICK:
            w_pos[nreq[nd]] = k
        elif kind == DROP:
            r = nreq[nd]
            if ronb[r] == 0:
                p = w_pos[r]
                if p < 0 or p >= k or seq[p] != nd - 1:
                    ok = False
                elif rL[r] < np.inf:
                    w_pp[k] = p
                    w_L[k] = rL[r]
        if k > 0:
            q0 += nq0[nd]
            q1 += nq1[nd]
        if q0 > cap0 or q1 > cap1:
            ok = False
        if kind == BREAK and (q0 != 0 or q1 != 0):
            ok = False
        w_ld0[k] = q0
        w_ld1[k] = q1
    return ok


@njit(cache=True, _nrt=False)
def least_times(tt, m, loc, e, l, s, pp, L, maxdur, B):
    """Compute the least feasible start times into ``B``; False if none exist."""
    for k in range(m):
        B[k] = e[k]
    if B[0] > l[0] + EPS:
        return False
    start = 1
    rounds = 0
    while True:
        for k in range(start, m):
            t = tt[loc[k - 1], loc[k]]
            if t == np.inf:
                return False
            x = B[k - 1] + s[k - 1] + t
            if x > B[k]:
                B[k] = x
            if B[k] > l[k] + EPS:
                return False
        lowest = m
        for k in range(1, m):
            p = pp[k]
            if p >= 0:
                need = B[k] - s[p] - L[k]
                if need > B[p] + EPS:
                    B[p] = need
                    if need > l[p] + EPS:
                        return False
                    if p < lowest:
                        lowest = p
        need = B[m - 1] - maxdur
        if need > B[0] + EPS:
            B[0] = need
            if need > l[0] + EPS:
                return False
            lowest = 0
        if lowest == m:
            return True
        start = lowest + 1
        rounds += 1
        if rounds > m + 2:
            return False


@njit(cache=True, _nrt=False)
def greatest_times(tt, m, loc, e, l, s, pp, L, maxdur, G):
    """Compute the greatest feasible start times into ``G``; False if none exist."""
    for k in range(m):
        G[k] = l[k]
    if G[m - 1] < e[m - 1] - EPS:
        return False
    end = m - 2
    rounds = 0
    while True:
        for k in range(end, -1, -1):
            t = tt[loc[k], loc[k + 1]]
            if t == np.inf:
                return False
            y = G[k + 1] - s[k] - t
            if y < G[k]:
                G[k] = y
            if G[k] < e[k] - EPS:
                return False
        highest = -1
        for k in range(1, m):
            p = pp[k]
            if p >= 0:
                cap = G[p] + s[p] + L[k]
                if cap < G[k] - EPS:
                    G[k] = cap
                    if cap < e[k] - EPS:
                        return False
                    if k > highest:
                        highest = k
        cap = G[0] + maxdur
        if cap < G[m - 1] - EPS:
            G[m - 1] = cap
            if cap < e[m - 1] - EPS:
                return False
            highest = m - 1
        if highest < 0:
            return True
        end = highest - 1
        rounds += 1
        if rounds > m + 2:
            return False


@njit(cache=True, _nrt=False)
def choose_times(tt, m, w, maxdur):
    """Choose the schedule of a prepared, feasible route into ``w.B``.

    Start from the least schedule and walk the stops in order, fixing each.
    Where the vehicle arrives empty (and at its start, unless passengers are
    already on board there), service is delayed
    by the waiting that would otherwise happen further on with passengers
    on board (at the depot: also before the first stop), but never beyond
    the latest time that keeps the rest feasible. Returns False if the
    route is infeasible.
    """
    w_G = w.G
    w_L = w.L
    w_e = w.e
    w_l = w.l
    w_ld0 = w.ld0
    w_ld1 = w.ld1
    w_loc = w.loc
    w_pp = w.pp
    w_s = w.s
    e2 = w.e2
    l2 = w.l2
    B = w.B
    for k in range(m):
        e2[k] = w_e[k]
        l2[k] = w_l[k]
    if not least_times(tt, m, w_loc, e2, l2, w_s, w_pp, w_L, maxdur, B):
        return False
    # Where the vehicle arrives empty, no ride-time limit links the stops
    # before with those after, so fixing earlier stops (within their feasible
    # ranges) leaves the latest feasible times of later stops unchanged; only
    # the depot departure matters (route duration). One greatest schedule
    # computed after fixing the departure therefore serves every later stop.
    have_g = False
    for k in range(m - 1):
        # At the start node the vehicle is empty unless passengers are on board
        # (a vehicle under way in a simulated day): then it leaves at once.
        if k == 0:
            empty = w_ld0[0] == 0 and w_ld1[0] == 0
        else:
            empty = w_ld0[k - 1] == 0 and w_ld1[k - 1] == 0
        if empty:
            wait = 0.0
            for j in range(k + 1, m):
                arr = B[j - 1] + w_s[j - 1] + tt[w_loc[j - 1], w_loc[j]]
                arrives_empty = w_ld0[j - 1] == 0 and w_ld1[j - 1] == 0
                if arrives_empty and k > 0:
                    break
                if B[j] > arr:
                    wait += B[j] - arr
                if arrives_empty:
                    break
            if wait > EPS:
                if not have_g:
                    have_g = greatest_times(tt, m, w_loc, e2, l2, w_s, w_pp, w_L, maxdur, w_G)
                if have_g:
                    target = B[k] + wait
                    if w_G[k] < target:
                        target = w_G[k]
                    if target > B[k]:
                        e2[k] = target
                        l2[k] = target
                        if not least_times(tt, m, w_loc, e2, l2, w_s, w_pp, w_L, maxdur, B):
                            # Cannot happen in exact arithmetic; keep the earlier time.
                            e2[k] = w_e[k]
                            l2[k] = w_l[k]
                            least_times(tt, m, w_loc, e2, l2, w_s, w_pp, w_L, maxdur, B)
        e2[k] = B[k]
        l2[k] = B[k]
        if k == 0:
            have_g = False
    # Leave the depot just in time for the first stop if nobody is on board.
    if m > 1 and w_ld0[0] == 0 and w_ld1[0] == 0:
        late = B[1] - w_s[0] - tt[w_loc[0], w_loc[1]]
        if late > w_l[0]:
            late = w_l[0]
        if late > B[0]:
            B[0] = late
    return True


@njit(cache=True, inline="always", _nrt=False)
def arc_cost(cost, dist, km, a, b):
    """Arc cost between locations ``a`` and ``b`` for a vehicle with per-distance cost ``km``.

    Takes the cost and distance matrices, not the whole compiled problem:
    numba counts a reference in and out of every array of the tuple it is
    handed, which costs far more than the look-up itself.
    """
    c = cost[a, b]
    if km != 0.0:
        c += km * dist[a, b]
    return c


@njit(cache=True, _nrt=False)
def route_eval(inst, seq, m, w, with_schedule):
    """Evaluate a complete route ``seq[:m]`` (START ... END) of its vehicle.

    Returns ``(feasible, arc_cost, schedule_cost, n_requests)``. The arc
    cost includes the vehicle's per-km cost; the schedule cost (ride time
    and hourly cost, computed from :func:`choose_times`) only when
    ``with_schedule``. Fixed costs are left to the caller.
    """
    v = inst.nveh[seq[0]]
    if not prepare(inst, seq, m, w):
        return False, np.inf, 0.0, 0
    arc = 0.0
    km = inst.vkm[v]
    nreq = 0
    loc = w.loc
    cost = inst.cost
    dist = inst.dist
    nkind = inst.nkind
    for k in range(1, m):
        arc += arc_cost(cost, dist, km, loc[k - 1], loc[k])
        if nkind[seq[k]] == DROP:
            nreq += 1
    maxdur = inst.vmaxdur[v]
    if not least_times(inst.tt, m, w.loc, w.e, w.l, w.s, w.pp, w.L, maxdur, w.B):
        return False, arc, 0.0, nreq
    sched = 0.0
    if with_schedule and nreq > 0:
        choose_times(inst.tt, m, w, maxdur)
        sched = schedule_cost(inst, seq, m, w, v)
    return True, arc, sched, nreq


@njit(cache=True, _nrt=False)
def schedule_cost(inst, seq, m, w, v):
    """Ride-time and hourly cost of the schedule in ``w.B``."""
    B = w.B
    c = inst.vhour[v] * (B[m - 1] - B[0])
    if inst.w_ride > 0.0:
        ride = 0.0
        nkind = inst.nkind
        nreq = inst.nreq
        ronb = inst.ronb
        rpass = inst.rpass
        rboard = inst.rboard
        pos = w.pos
        s = w.s
        for k in range(1, m):
            nd = seq[k]
            if nkind[nd] == DROP:
                r = nreq[nd]
                if ronb[r] == 1:
                    ride += rpass[r] * (B[k] - rboard[r])
                else:
                    p = pos[r]
                    ride += rpass[r] * (B[k] - B[p] - s[p])
        c += inst.w_ride * ride
    return c
