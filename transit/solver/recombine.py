"""Recombine pooled routes by set partitioning (see :mod:`transit.solver.pool`)."""

from __future__ import annotations

import logging
import time

import numpy as np

from transit.solver.compiled import Compiled
from transit.solver.ortools_adapter import choose_routes
from transit.solver.pool import add_solution, columns, load_columns
from transit.solver.repair import repair
from transit.solver.state import copy_sol, penalty, total_cost

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
    chosen = choose_routes(served, cost, col_class, class_size, n, pens, wall_limit=wall, accept_incumbent=timed)
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
    repair(inst, tmp, work, cands, search, 2, 0.0, settings.schedule_candidates)
    f_new = objective_value(inst, tmp)
    if f_new < f_best - 1e-7:
        copy_sol(tmp, best)
        copy_sol(tmp, cur)
        add_solution(pool, inst, best, f_new)
        return True
    return False
