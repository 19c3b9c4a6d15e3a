"""A pool of good routes met during the search, for recombination.

Every route of an accepted solution is stored, keyed by its vehicle class
and the set of requests it serves (a Zobrist hash); for a key only the
cheapest sequence is kept. A set-partitioning model over the pool
(:func:`transit.solver.ortools_adapter.choose_routes`) then picks the best
combination of routes, which often beats every single solution the search
has seen.

Vehicles are in the same class when they are interchangeable: same depots,
capacities, shift, breaks, route duration, costs and the same requests
allowed. A route of one vehicle can then be driven by another of its class
(its depot and break nodes are renamed).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from transit.solver.compiled import BREAK, DROP, END, START, Compiled
from transit.solver.state import copy_prefix, recompute

__all__ = ["Pool", "add_solution", "columns", "find_route", "load_columns", "make_pool", "merge_pool", "vehicle_classes"]

Pool = namedtuple("Pool", ["pseq", "plen", "pveh", "pcost", "pqual", "phash", "htab", "count", "zkey", "ckey"])
"""Route pool arrays (see module docstring)."""


def vehicle_classes(comp: Compiled) -> np.ndarray:
    """Return the class index of every vehicle (interchangeable vehicles share one)."""
    problem = comp.problem
    inst = comp.inst
    keys: dict[tuple, int] = {}
    out = np.zeros(comp.n_vehicles, np.int64)
    for v, veh in enumerate(problem.vehicles):
        key = (
            veh.start_depot,
            veh.end_depot,
            veh.seats,
            veh.wheelchair,
            veh.shift,
            tuple(sorted((b.earliest_start, b.latest_end, b.duration, b.location) for b in veh.breaks)),
            veh.max_route_duration,
            veh.cost_per_hour,
            veh.cost_per_km,
            veh.fixed_cost,
            inst.fits[:, v].tobytes(),
        )
        out[v] = keys.setdefault(key, len(keys))
    return out


def make_pool(comp: Compiled, classes: np.ndarray, seed: int, *, max_bytes: int = 40_000_000) -> Pool:
    """Return an empty pool sized to at most ``max_bytes`` of sequences."""
    width = comp.max_len + 4
    size = int(max(1000, min(100_000, max_bytes // (4 * width))))
    table = 1
    while table < 2 * size:
        table *= 2
    rng = np.random.default_rng(seed)
    zkey = rng.integers(1, 2**63 - 1, size=max(comp.n_requests, 1), dtype=np.int64).astype(np.uint64)
    class_keys = rng.integers(1, 2**63 - 1, size=int(classes.max(initial=0)) + 1, dtype=np.int64).astype(np.uint64)
    return Pool(
        pseq=np.zeros((size, width), np.int32),
        plen=np.zeros(size, np.int64),
        pveh=np.zeros(size, np.int64),
        pcost=np.zeros(size),
        pqual=np.zeros(size),
        phash=np.zeros(size, np.uint64),
        htab=np.full(table, -1, np.int64),
        count=np.zeros(1, np.int64),
        zkey=zkey,
        ckey=class_keys[classes] if comp.n_vehicles else np.zeros(0, np.uint64),
    )


@njit(cache=True, _nrt=False)
def _put(pool, h, seq, m, veh, cost, quality):
    """Store the route ``seq[:m]`` of hash ``h`` unless an equal or cheaper one serves the same requests.

    The pool keeps per route the best ``quality`` (objective of a solution
    it was met in). Returns 1 if the pool gained or improved a route, else 0.
    """
    mask = pool.htab.shape[0] - 1
    idx = np.int64(h & np.uint64(mask))
    while pool.htab[idx] >= 0:
        k = pool.htab[idx]
        if pool.phash[k] == h:
            changed = 0
            if quality < pool.pqual[k]:
                pool.pqual[k] = quality
                changed = 1
            if cost < pool.pcost[k] - 1e-9:
                copy_prefix(pool.pseq[k], seq, m)
                pool.plen[k] = m
                pool.pveh[k] = veh
                pool.pcost[k] = cost
                changed = 1
            return changed
        idx = np.int64((idx + 1) & mask)
    k = pool.count[0]
    if k >= pool.plen.shape[0]:
        return 0
    pool.count[0] = k + 1
    pool.htab[idx] = k
    pool.phash[k] = h
    copy_prefix(pool.pseq[k], seq, m)
    pool.plen[k] = m
    pool.pveh[k] = veh
    pool.pcost[k] = cost
    pool.pqual[k] = quality
    return 1


@njit(cache=True, _nrt=False)
def add_route(pool, inst, sol, v, quality):
    """Store route ``v`` of ``sol`` unless an equal or cheaper one serves the same requests.

    ``quality`` is the objective of the solution the route belongs to; the
    pool keeps the best such value per route.
    """
    if sol.rnreq[v] == 0 or not sol.rcost[v] < np.inf:
        return
    m = sol.rlen[v]
    h = pool.ckey[v]
    for k in range(m):
        nd = sol.seq[v, k]
        if inst.nkind[nd] == DROP:
            h ^= pool.zkey[inst.nreq[nd]]
    _put(pool, h, sol.seq[v], m, v, sol.rcost[v], quality)


@njit(cache=True, _nrt=False)
def merge_pool(dst, src):
    """Store every route of pool ``src`` in ``dst`` as :func:`add_route` would (both pools made with the same seed).

    Returns the number of routes ``dst`` gained or improved.
    """
    changed = 0
    for s in range(src.count[0]):
        changed += _put(dst, src.phash[s], src.pseq[s], src.plen[s], src.pveh[s], src.pcost[s], src.pqual[s])
    return changed


@njit(cache=True, _nrt=False)
def add_solution(pool, inst, sol, quality):
    """Store every used route of ``sol`` (whose objective is ``quality``)."""
    for v in range(sol.rlen.shape[0]):
        add_route(pool, inst, sol, v, quality)


def columns(
    comp: Compiled, pool: Pool, max_quality: float = np.inf, max_columns: int | None = None
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]:
    """Return (index, requests served, cost, vehicle) of the pooled routes.

    Only routes met in a solution of objective <= ``max_quality`` are returned;
    with ``max_columns``, at most that many: those met in the best solutions
    (ties: the cheaper route first, then the older), in pool order, so the
    routes of the best solution are among them.
    """
    inst = comp.inst
    count = int(pool.count[0])
    index = np.flatnonzero(pool.pqual[:count] <= max_quality)
    if max_columns is not None and len(index) > max_columns:
        keep = np.lexsort((index, pool.pcost[index], pool.pqual[index]))[:max_columns]
        index = np.sort(index[keep])
    served = []
    for k in index:
        seq = pool.pseq[k, : pool.plen[k]]
        drops = seq[inst.nkind[seq] == DROP]
        served.append(inst.nreq[drops].astype(np.int64))
    return index, served, pool.pcost[index].copy(), pool.pveh[index].copy()


@njit(cache=True, _nrt=False)
def find_route(pool, inst, sol, v):
    """Return the pool index of route ``v`` of ``sol`` (same requests), or -1."""
    if sol.rnreq[v] == 0:
        return -1
    h = pool.ckey[v]
    for k in range(sol.rlen[v]):
        nd = sol.seq[v, k]
        if inst.nkind[nd] == DROP:
            h ^= pool.zkey[inst.nreq[nd]]
    mask = pool.htab.shape[0] - 1
    idx = np.int64(h & np.uint64(mask))
    while pool.htab[idx] >= 0:
        k = pool.htab[idx]
        if pool.phash[k] == h:
            return k
        idx = np.int64((idx + 1) & mask)
    return -1


@njit(cache=True, _nrt=False)
def load_columns(pool, inst, sol, cols, vehs, w):
    """Make ``sol`` the routes ``cols`` (pool indices) driven by vehicles ``vehs``.

    Depot and break nodes are renamed from the vehicle that found the route
    to the one that drives it (both of the same class). Vehicles not named
    get an empty route. Returns False if a route turned out infeasible.
    """
    nv = sol.rlen.shape[0]
    n = sol.where.shape[0]
    for r in range(n):
        sol.where[r] = -1
    for v in range(nv):
        seq = sol.seq[v]
        seq[0] = inst.vstart[v]
        m = 1
        for b in range(inst.vbrkn[v]):
            seq[m] = inst.brk[inst.vbrk0[v] + b]
            m += 1
        seq[m] = inst.vend[v]
        sol.rlen[v] = m + 1
    ok = True
    for h in range(cols.shape[0]):
        k = cols[h]
        v = vehs[h]
        u = pool.pveh[k]
        m = pool.plen[k]
        for z in range(m):
            nd = pool.pseq[k, z]
            kind = inst.nkind[nd]
            if kind == START:
                nd = inst.vstart[v]
            elif kind == END:
                nd = inst.vend[v]
            elif kind == BREAK:
                nd = inst.brk[inst.vbrk0[v]] + (nd - inst.brk[inst.vbrk0[u]])
            else:
                sol.where[inst.nreq[nd]] = v
            sol.seq[v, z] = nd
        sol.rlen[v] = m
    for v in range(nv):
        if not recompute(inst, sol, v, w):
            ok = False
    return ok
