"""Turn a :class:`~transit.darp.data.Problem` into flat arrays for the compiled search.

Every stop the search can place is a *node*. Request ``r`` owns the pickup
node ``2 r`` and the drop-off node ``2 r + 1`` (the pickup node of a request
already on board is never placed). Then come the break nodes of all
vehicles, then per vehicle ``v`` its start node and its end node. Each node
has a location, a time window on the start of service, a service time, a
load change in two dimensions (seats, wheelchair places) and a kind.

Windows are tightened here once, the classic way (Cordeau 2006): a drop-off
cannot start before ``pickup earliest + service + direct time`` nor a pickup
after ``drop-off latest - ride limit - service`` and so on. The tightening
only removes times no feasible schedule can use.

Open window starts (``-inf``) become the start of the horizon (midnight, or
the earliest finite time of the problem when that is earlier) so that times
stay finite; open ends stay ``inf``.
"""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass, replace

import numpy as np

from transit.darp.data import Problem

__all__ = [
    "relatedness_seconds",
    "with_relatedness",
    "BREAK",
    "PRIORITY_FACTOR",
    "DROP",
    "END",
    "Inst",
    "PICK",
    "START",
    "Compiled",
    "compile_problem",
]

PICK, DROP, BREAK, START, END = 0, 1, 2, 3, 4

Inst = namedtuple(
    "Inst",
    [
        "tt",  # (L, L) travel time, inf = unreachable
        "dist",  # (L, L) distance
        "cost",  # (L, L) arc cost shared by all vehicles (weights * tt / dist)
        "nloc",  # (N,) location of the node
        "ne",  # (N,) earliest start of service
        "nl",  # (N,) latest start of service
        "ns",  # (N,) service time
        "nq0",  # (N,) seat change
        "nq1",  # (N,) wheelchair change
        "nreq",  # (N,) request of the node or -1
        "nkind",  # (N,) PICK / DROP / BREAK / START / END
        "nveh",  # (N,) vehicle owning a break / depot node, -1 otherwise
        "rL",  # (n,) ride limit (inf if none)
        "ronb",  # (n,) 1 if already on board (drop-off only)
        "rpass",  # (n,) passengers (weight of the ride time)
        "rboard",  # (n,) picked_up_at for requests on board, else nan
        "fits",  # (n, V) 1 if vehicle v may serve request r
        "vcap0",  # (V,) seats
        "vcap1",  # (V,) wheelchair places
        "vstart",  # (V,) start node
        "vend",  # (V,) end node
        "vmaxdur",  # (V,) maximum route duration (inf if none)
        "vkm",  # (V,) extra cost per distance unit (vehicle cost per km)
        "vfix",  # (V,) fixed cost of a used vehicle (weighted)
        "vhour",  # (V,) cost per second of route duration (weighted)
        "vbrk0",  # (V,) index into brk of the vehicle's first break node
        "vbrkn",  # (V,) number of break nodes of the vehicle
        "brk",  # (B,) break nodes
        "w_ride",  # () weight per passenger-second on board
        "w_rej",  # () weight per rejected request
        "rpen",  # (n,) penalty of leaving the request unassigned (priority requests pay more)
        "sched",  # () 1 if the objective depends on the schedule (ride / hours)
        "nearest",  # (n, k) the request, then its k - 1 most related by place and window (for removal)
        "rscale",  # (2,) scales of relatedness: [largest pickup-pair + drop-off-pair travel time, time span]
    ],
)
"""The problem as arrays for the compiled code (see module docstring)."""


@dataclass(frozen=True)
class Compiled:
    """A problem with its compiled arrays and the maps back to ids.

    Parameters
    ----------
    problem
        The original problem.
    inst
        The arrays (an :data:`Inst`).
    n_requests, n_vehicles, n_nodes
        Sizes.
    max_len
        Upper bound on the number of nodes in one route.
    """

    problem: Problem
    inst: Inst
    n_requests: int
    n_vehicles: int
    n_nodes: int
    max_len: int

    def pickup_node(self, r: int) -> int:
        """Return the pickup node of request index ``r``."""
        return 2 * r

    def dropoff_node(self, r: int) -> int:
        """Return the drop-off node of request index ``r``."""
        return 2 * r + 1


def _horizon_start(problem: Problem) -> float:
    """Return the finite time that replaces open window starts."""
    finite = [0.0]
    for r in problem.requests:
        for w in (r.pickup_window, r.dropoff_window):
            if math.isfinite(w.earliest):
                finite.append(w.earliest)
        if r.picked_up_at is not None:
            finite.append(r.picked_up_at)
    for v in problem.vehicles:
        if math.isfinite(v.shift.earliest):
            finite.append(v.shift.earliest)
        finite.extend(b.earliest_start for b in v.breaks)
    return min(finite)


PRIORITY_FACTOR = 1000.0
"""How much more a priority request (a promise already made) costs to reject."""


def compile_problem(problem: Problem, *, priority: frozenset[str] = frozenset(), relatedness: bool = True) -> Compiled:
    """Return the arrays of ``problem`` for the compiled search.

    Parameters
    ----------
    problem
        The problem to compile.
    priority
        Ids of requests already promised (e.g. served by a warm-start plan):
        the search rejects one of them only if nothing else helps. Requests
        with an assigned vehicle or on board are always priority.
    relatedness
        Compute ``related`` and ``nearest`` (n x n, for the search's
        removals); without it they are empty (n x 0), for users that only
        insert (:class:`transit.solver.insert.LivePlan`).

    Returns
    -------
    Compiled
        The arrays and sizes.
    """
    n, nv = len(problem.requests), len(problem.vehicles)
    nb = sum(len(v.breaks) for v in problem.vehicles)
    nn = 2 * n + nb + 2 * nv
    t0 = _horizon_start(problem)
    w = problem.weights
    tt = np.ascontiguousarray(problem.travel_time, dtype=np.float64)
    dist = np.ascontiguousarray(problem.distance, dtype=np.float64)
    nodes = {
        "nloc": np.zeros(nn, np.int64),
        "ne": np.full(nn, t0, np.float64),
        "nl": np.full(nn, np.inf, np.float64),
        "ns": np.zeros(nn, np.float64),
        "nq0": np.zeros(nn, np.int64),
        "nq1": np.zeros(nn, np.int64),
        "nreq": np.full(nn, -1, np.int64),
        "nkind": np.zeros(nn, np.int64),
        "nveh": np.full(nn, -1, np.int64),
    }
    reqs = _request_nodes(problem, nodes, t0, priority)
    brks = _break_nodes(problem, nodes, 2 * n)
    vehs = _vehicle_nodes(problem, nodes, t0, 2 * n + nb)
    sched = 1 if (w.ride_time > 0 or np.any(vehs["vhour"] > 0)) else 0
    if relatedness:
        nearest, rscale = _relatedness(tt, nodes["nloc"], nodes["ne"], nodes["nl"], n)
    else:
        nearest, rscale = np.zeros((n, 0), np.int64), np.ones(2)
    inst = Inst(
        tt=tt,
        dist=dist,
        cost=_cost_matrix(problem, tt, dist),
        **nodes,
        **reqs,
        **vehs,
        **brks,
        w_ride=float(w.ride_time),
        w_rej=float(w.rejection),
        sched=sched,
        nearest=nearest,
        rscale=rscale,
    )
    max_len = 2 * n + int(brks["vbrkn"].max(initial=0)) + 2
    return Compiled(problem, inst, n, nv, nn, max_len)


def _cost_matrix(problem: Problem, tt: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """Return the arc cost shared by all vehicles (weighted travel time and distance; inf where unreachable)."""
    w = problem.weights
    with np.errstate(invalid="ignore"):
        cost = np.zeros_like(tt)
        if w.travel_time:
            cost = cost + w.travel_time * tt
        if w.distance:
            cost = cost + w.distance * dist
    return np.where(np.isinf(tt), np.inf, np.nan_to_num(cost, nan=np.inf))


def _request_nodes(
    problem: Problem, nodes: dict[str, np.ndarray], t0: float, priority: frozenset[str]
) -> dict[str, np.ndarray]:
    """Fill the pickup and drop-off nodes (windows tightened); return the per-request arrays."""
    reqs, vehs = problem.requests, problem.vehicles
    n, nv = len(reqs), len(vehs)
    nloc, ne, nl, ns = nodes["nloc"], nodes["ne"], nodes["nl"], nodes["ns"]
    w = problem.weights
    rL = np.full(n, np.inf, np.float64)
    ronb = np.zeros(n, np.int64)
    rpass = np.zeros(n, np.float64)
    rboard = np.full(n, np.nan, np.float64)
    rpen = np.full(n, float(w.rejection), np.float64)
    fits = np.zeros((n, nv), np.int64)
    for r, req in enumerate(reqs):
        p, d = 2 * r, 2 * r + 1
        s = req.service_time
        L = problem.ride_limit(req)
        direct = problem.direct_time(req)
        rL[r] = L
        rpass[r] = req.passengers
        if req.id in priority or req.assigned_vehicle is not None or req.on_board:
            rpen[r] *= PRIORITY_FACTOR
        for node, kind, loc, win, sign in (
            (p, PICK, req.pickup, req.pickup_window, 1),
            (d, DROP, req.dropoff, req.dropoff_window, -1),
        ):
            nloc[node] = loc
            nodes["nkind"][node] = kind
            nodes["nreq"][node] = r
            ns[node] = s
            nodes["nq0"][node] = sign * req.passengers
            nodes["nq1"][node] = sign * req.wheelchair
            ne[node] = max(t0, win.earliest)
            nl[node] = win.latest
        if req.on_board:
            ronb[r] = 1
            rboard[r] = req.picked_up_at
            ne[d] = max(ne[d], req.picked_up_at)
            nl[d] = min(nl[d], req.picked_up_at + L)
            ne[p] = nl[p] = req.picked_up_at - s
        else:
            # Tighten the windows from each other (Cordeau 2006).
            if math.isfinite(direct):
                ne[d] = max(ne[d], ne[p] + s + direct)
                nl[p] = min(nl[p], nl[d] - s - direct)
            if math.isfinite(L):
                ne[p] = max(ne[p], ne[d] - s - L)
                nl[d] = min(nl[d], nl[p] + s + L)
        for k, veh in enumerate(vehs):
            ok = veh.fits(req) and (req.assigned_vehicle is None or req.assigned_vehicle == veh.id)
            fits[r, k] = 1 if ok else 0
    return {"rL": rL, "ronb": ronb, "rpass": rpass, "rboard": rboard, "rpen": rpen, "fits": fits}


def _break_nodes(problem: Problem, nodes: dict[str, np.ndarray], first: int) -> dict[str, np.ndarray]:
    """Fill the break nodes (numbered from ``first``); return the per-vehicle break index arrays."""
    vehs = problem.vehicles
    nb = sum(len(v.breaks) for v in vehs)
    brk = np.zeros(nb, np.int64)
    vbrk0 = np.zeros(len(vehs), np.int64)
    vbrkn = np.zeros(len(vehs), np.int64)
    node = first
    for k, veh in enumerate(vehs):
        vbrk0[k] = node - first
        vbrkn[k] = len(veh.breaks)
        for b in sorted(veh.breaks, key=lambda b: (b.earliest_start, b.latest_end)):
            brk[node - first] = node
            nodes["nloc"][node] = veh.end_depot if b.location is None else b.location
            nodes["nkind"][node] = BREAK
            nodes["nveh"][node] = k
            nodes["ne"][node] = b.earliest_start
            nodes["nl"][node] = b.latest_end - b.duration
            nodes["ns"][node] = b.duration
            node += 1
    return {"vbrk0": vbrk0, "vbrkn": vbrkn, "brk": brk}


def _vehicle_nodes(problem: Problem, nodes: dict[str, np.ndarray], t0: float, first: int) -> dict[str, np.ndarray]:
    """Fill the start and end nodes (numbered from ``first``); return the per-vehicle arrays."""
    vehs = problem.vehicles
    nv = len(vehs)
    w = problem.weights
    out = {
        "vstart": np.zeros(nv, np.int64),
        "vend": np.zeros(nv, np.int64),
        "vmaxdur": np.full(nv, np.inf, np.float64),
        "vcap0": np.zeros(nv, np.int64),
        "vcap1": np.zeros(nv, np.int64),
        "vkm": np.zeros(nv, np.float64),
        "vfix": np.zeros(nv, np.float64),
        "vhour": np.zeros(nv, np.float64),
    }
    node = first
    for k, veh in enumerate(vehs):
        out["vstart"][k], out["vend"][k] = node, node + 1
        for nd, kind, loc in ((node, START, veh.start_depot), (node + 1, END, veh.end_depot)):
            nodes["nloc"][nd] = loc
            nodes["nkind"][nd] = kind
            nodes["nveh"][nd] = k
            nodes["ne"][nd] = max(t0, veh.shift.earliest)
            nodes["nl"][nd] = veh.shift.latest
        node += 2
        if veh.max_route_duration is not None:
            out["vmaxdur"][k] = veh.max_route_duration
        out["vcap0"][k], out["vcap1"][k] = veh.seats, veh.wheelchair
        out["vkm"][k] = w.vehicle_cost * veh.cost_per_km / 1000.0
        out["vfix"][k] = w.vehicle_cost * veh.fixed_cost
        out["vhour"][k] = w.vehicle_cost * veh.cost_per_hour / 3600.0
    return out


RELATED_SECONDS_PER_PAIR = 6e-8
"""Rough cost of the relatedness table per pair of requests (measured on the 2-core development VM:
1.6 s at 5,000 requests, 5.7 s at 10,000); :func:`transit.solver.solve` skips a search that a
time limit would leave no time for after the table."""


def relatedness_seconds(n_requests: int) -> float:
    """Return the rough time the relatedness table of ``n_requests`` takes (:data:`RELATED_SECONDS_PER_PAIR`)."""
    return RELATED_SECONDS_PER_PAIR * float(n_requests) ** 2


def with_relatedness(comp: Compiled) -> Compiled:
    """Return ``comp`` with its relatedness table, if it was compiled without (``relatedness=False``).

    The table only serves the search's removals, and on a large problem it
    takes seconds: :func:`transit.solver.solve` builds the first solution
    before it, so that a time limit reached meanwhile still leaves a plan.
    The arrays are the same ones (``comp``'s solutions stay valid).
    """
    inst = comp.inst
    if comp.n_requests == 0 or inst.nearest.shape[1] > 0:
        return comp
    nearest, rscale = _relatedness(inst.tt, inst.nloc, inst.ne, inst.nl, comp.n_requests)
    return replace(comp, inst=inst._replace(nearest=nearest, rscale=rscale))


RELATED_DENSE_MAX = 1000
"""Up to this many requests every request keeps all others ordered by relatedness."""

RELATED_NEIGHBOURS = 100
"""With more requests, each keeps only its this many most related (a sparse top-k table)."""

_BLOCK = 256
"""Rows of the relatedness table computed at once (bounds the memory to ``_BLOCK * n``)."""


def _relatedness(tt: np.ndarray, nloc: np.ndarray, ne: np.ndarray, nl: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return each request's neighbours by Shaw relatedness and the two scales.

    Relatedness (smaller = more related) adds the travel times between the two
    pickups and between the two drop-offs (normalised by their largest finite
    value) and the differences of the window midpoints (normalised likewise).
    Row ``r`` of the neighbour table starts with ``r`` itself, then the others
    by increasing relatedness: all of them up to :data:`RELATED_DENSE_MAX`
    requests, else the :data:`RELATED_NEIGHBOURS` most related (computed in
    blocks of rows, so neither time nor memory is a dense ``n x n`` table at
    once). The scales (the two normalisers) also serve relatedness by the
    times of a solution (:func:`transit.solver.destroy.destroy_shaw_times`).
    """
    if n == 0:
        return np.zeros((0, 1), np.int64), np.ones(2)
    p = nloc[0 : 2 * n : 2]
    d = nloc[1 : 2 * n : 2]
    tp = _window_mid(ne[0 : 2 * n : 2], nl[0 : 2 * n : 2])
    td = _window_mid(ne[1 : 2 * n : 2], nl[1 : 2 * n : 2])
    blocks = [np.arange(a, min(n, a + _BLOCK)) for a in range(0, n, _BLOCK)]
    scale, tscale = 0.0, 0.0
    for rows in blocks:
        space, timed = _related_block(tt, p, d, tp, td, rows)
        finite = space[np.isfinite(space)]
        if finite.size:
            scale = max(scale, float(finite.max()))
        tscale = max(tscale, float(timed.max()))
    scale = scale if scale > 0 else 1.0
    tscale = tscale if tscale > 0 else 1.0
    k = n if n <= RELATED_DENSE_MAX else RELATED_NEIGHBOURS + 1
    nearest = np.zeros((n, k), np.int64)
    for rows in blocks:
        space, timed = _related_block(tt, p, d, tp, td, rows)
        rel = np.where(np.isfinite(space), space / scale, 2.0) + timed / tscale
        rel[np.arange(rows.size), rows] = -1.0
        if k < n:
            part = np.argpartition(rel, k - 1, axis=1)[:, :k]
            # Ties broken by the index, as a stable sort of the whole row would.
            part.sort(axis=1)
            sub = np.take_along_axis(rel, part, axis=1)
            nearest[rows] = np.take_along_axis(part, np.argsort(sub, axis=1, kind="stable"), axis=1)
        else:
            nearest[rows] = np.argsort(rel, axis=1, kind="stable")
    return np.ascontiguousarray(nearest), np.array([scale, tscale])


def _window_mid(e: np.ndarray, l: np.ndarray) -> np.ndarray:
    """Return the middle of each window (its start where it is open-ended)."""
    return 0.5 * (e + np.where(np.isfinite(l), l, e))


def _related_block(
    tt: np.ndarray, p: np.ndarray, d: np.ndarray, tp: np.ndarray, td: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the place part (travel times, both directions' minimum) and the time part of ``rows``."""
    with np.errstate(invalid="ignore"):
        fwd = tt[np.ix_(p[rows], p)] + tt[np.ix_(d[rows], d)]
        back = (tt[np.ix_(p, p[rows])] + tt[np.ix_(d, d[rows])]).T
        space = np.minimum(fwd, back)
    timed = np.abs(tp[rows, None] - tp[None, :]) + np.abs(td[rows, None] - td[None, :])
    return space, timed
