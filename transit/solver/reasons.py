"""Explain in plain words why a request could not be served."""

from __future__ import annotations

import math

import numpy as np

from transit.solver.compiled import Compiled
from transit.solver.schedule import EPS, Work
from transit.solver.state import best_insert

__all__ = ["rejection_reason"]


def rejection_reason(comp: Compiled, r: int, empty, work: Work, cands) -> str:
    """Return why request index ``r`` is not in the plan.

    Parameters
    ----------
    comp
        The compiled problem.
    r
        The request index.
    empty
        A solution with every route empty (to test the request alone).
    work, cands
        Scratch arrays.
    """
    problem = comp.problem
    inst = comp.inst
    req = problem.requests[r]
    s = req.service_time
    direct = problem.direct_time(req)
    if not math.isfinite(direct):
        return "the drop-off cannot be reached from the pickup (no road connection)"
    limit = problem.ride_limit(req)
    if direct > limit + EPS:
        return "the maximum ride time is shorter than the direct trip"
    if not req.on_board:
        if req.pickup_window.earliest + s + direct > req.dropoff_window.latest + EPS:
            return "drop-off window cannot be met even by a direct trip"
    if not any(veh.fits(req) for veh in problem.vehicles):
        return "larger than every vehicle (seats or wheelchair places)"
    candidates = [v for v in range(comp.n_vehicles) if inst.fits[r, v]]
    if not candidates:
        return "no vehicle may serve it (its assigned vehicle is unavailable)"
    p, d = 2 * r, 2 * r + 1
    latest_p = float(inst.nl[p])
    earliest_d = float(inst.ne[d])
    if inst.ne[p] > inst.nl[p] + EPS or inst.ne[d] > inst.nl[d] + EPS:
        return "its pickup and drop-off windows cannot both be met within the maximum ride time"
    in_service = []
    for v in candidates:
        veh = problem.vehicles[v]
        if veh.shift.earliest <= latest_p + EPS and veh.shift.latest >= earliest_d - EPS:
            in_service.append(v)
    if not in_service:
        return "no vehicle is in service at that time"
    reach = []
    for v in in_service:
        veh = problem.vehicles[v]
        t = float(problem.travel_time[veh.start_depot, req.pickup])
        if req.on_board or (math.isfinite(t) and veh.shift.earliest + t <= latest_p + EPS):
            reach.append(v)
    if not reach:
        return "no vehicle can reach the pickup inside its window"
    for v in reach:
        c, _, _ = best_insert(inst, empty, r, v, work, cands, 1)
        if c < np.inf:
            return "no capacity at that time (fleet busy)"
    return "no vehicle can serve it within its shift, breaks and maximum route duration"
