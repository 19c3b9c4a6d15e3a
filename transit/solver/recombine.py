"""Recombine pooled routes by set partitioning (see :mod:`transit.solver.pool`)."""

from __future__ import annotations

import logging
import time

import numpy as np

from transit.solver.compiled import Compiled
from transit.solver.ortools_adapter import choose_routes
from transit.solver.pool import add_solution, columns, load_columns
from transit.solver.repair import repair
from transit.solver.state import copy_sol, penalty, remove_request, route_cost, total_cost

__all__ = ["objective_value", "recombine"]

log = logging.getLogger(__name__)


def objective_value(inst, sol) -> float:
    """Return routing cost plus rejection penalties of a solution."""
    c, _ = total_cost(inst, sol)
    return float(c + penalty(inst, sol))


def recombine(
    comp: Compiled, pool, classes, best, cur, tmp, work, cands, search, settings, wall: float, *, timed: bool = False
) -> bool:
    """Choose the best combination of pooled routes; adopt it if it beats ``best``.

    With ``settings.recombine_cover`` the routes may overlap (set covering);
    a request served twice stays in the route that saves least without it
    and leaves the others (:func:`_serve_once`).

    ``wall`` caps the set-partitioning solve; with ``timed`` (a search under
    a clock) a solve the cap ends still offers the best combination it found.
    """
    inst = comp.inst
    n, nv = comp.n_requests, comp.n_vehicles
    f_best = objective_value(inst, best)
    index, served, cost, veh = columns(
        comp, pool, f_best * (1.0 + settings.recombine_within) + 1e-9, settings.recombine_max_columns
    )
    if not served:
        return False
    col_class = classes[veh]
    class_size = np.bincount(classes, minlength=int(classes.max()) + 1)
    t_sp = time.perf_counter()
    # Any penalty above the cost of every set of routes keeps "serve the most"
    # first; smaller numbers keep the model well scaled.
    base = min(float(inst.w_rej), nv * float(cost.max()) * 1.01 + 1.0)
    pens = inst.rpen / float(inst.w_rej) * base
    cover = bool(settings.recombine_cover)
    chosen = choose_routes(served, cost, col_class, class_size, n, pens, wall_limit=wall, accept_incumbent=timed,
                           cover=cover)
    log.debug("recombine: %d columns, %.3f s", len(served), time.perf_counter() - t_sp)
    if not chosen:
        return False
    free = {int(c): [v for v in range(nv) if classes[v] == c] for c in set(classes.tolist())}
    cols: list[int] = []
    vehs: list[int] = []
    rest = []
    for k in chosen:
        v = int(veh[k])
        if v in free[int(col_class[k])]:
            free[int(col_class[k])].remove(v)
            cols.append(k)
            vehs.append(v)
        else:
            rest.append(k)
    for k in rest:
        cols.append(k)
        vehs.append(free[int(col_class[k])].pop(0))
    if not load_columns(pool, inst, tmp, index[np.array(cols, np.int64)], np.array(vehs, np.int64), work):
        return False
    if cover:
        _serve_once(inst, tmp, work, [served[k] for k in cols], vehs)
    repair(inst, tmp, work, cands, search, 2, 0.0, settings.schedule_candidates)
    f_new = objective_value(inst, tmp)
    if f_new < f_best - 1e-7:
        copy_sol(tmp, best)
        copy_sol(tmp, cur)
        add_solution(pool, inst, best, f_new)
        return True
    return False


def _serve_once(inst, sol, work, served: list[np.ndarray], vehs: list[int]) -> None:
    """Leave each request in one route of a set cover: the one that saves least without it.

    ``served[h]`` are the requests of the route loaded into vehicle
    ``vehs[h]`` (:func:`transit.solver.pool.load_columns`, which left
    ``sol.where`` at the last of them).
    """
    routes: dict[int, list[int]] = {}
    for reqs, v in zip(served, vehs):
        for r in reqs.tolist():
            routes.setdefault(r, []).append(v)
    for r, vs in routes.items():
        if len(vs) < 2:
            continue
        p, d = 2 * r, 2 * r + 1
        saving = []
        for v in vs:
            seq = sol.seq[v, : sol.rlen[v]]
            rest = seq[(seq != p) & (seq != d)].copy()
            saving.append(float(sol.rcost[v]) - float(route_cost(inst, rest, len(rest), work, v)))
        keep = vs[int(np.argmin(saving))]
        for v in vs:
            if v != keep:
                sol.where[r] = v
                remove_request(inst, sol, r, work)
        sol.where[r] = keep
