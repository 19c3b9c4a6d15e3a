"""Turn node sequences of the search into a :class:`~transit.darp.data.Plan`.

The times are recomputed here in floating point from the problem's
matrices with :func:`transit.solver.schedule.choose_times`, so the plan is
consistent: arrival = previous departure + travel time, start of service
inside the window, departure = start + service time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence

import numpy as np

from transit.darp.data import Plan, Rejection, Route, SolverStats, Stop, StopKind
from transit.solver.compiled import BREAK, DROP, END, PICK, START, Compiled
from transit.solver.schedule import Work, choose_times, prepare

__all__ = ["build_plan", "route_from_sequence"]

log = logging.getLogger(__name__)

_KIND = {PICK: StopKind.PICKUP, DROP: StopKind.DROPOFF, BREAK: StopKind.BREAK, START: StopKind.START, END: StopKind.END}


def _relaxed_times(comp: Compiled, seq: np.ndarray, m: int) -> np.ndarray:
    """Earliest times ignoring upper bounds (only for a route that cannot be feasible)."""
    inst = comp.inst
    b = np.zeros(m)
    b[0] = inst.ne[seq[0]]
    for k in range(1, m):
        a, c = inst.nloc[seq[k - 1]], inst.nloc[seq[k]]
        t = inst.tt[a, c]
        if not math.isfinite(t):
            t = 0.0
        b[k] = max(inst.ne[seq[k]], b[k - 1] + inst.ns[seq[k - 1]] + t)
    return b


def route_from_sequence(comp: Compiled, v: int, seq: np.ndarray, m: int, work: Work) -> tuple[Route, bool]:
    """Return the route of vehicle ``v`` visiting ``seq[:m]`` and whether it is feasible."""
    problem = comp.problem
    inst = comp.inst
    veh = problem.vehicles[v]
    if not any(inst.nkind[seq[k]] in (PICK, DROP) for k in range(m)):
        return Route(veh.id, ()), True
    seq = np.ascontiguousarray(seq[:m], dtype=np.int64)
    ok = bool(prepare(inst, seq, m, work))
    if ok:
        ok = bool(choose_times(inst.tt, m, work, float(inst.vmaxdur[v])))
    if ok:
        times = work.B[:m].copy()
    else:
        log.warning("route of vehicle %s cannot be scheduled feasibly; showing earliest times", veh.id)
        times = _relaxed_times(comp, seq, m)
    stops = []
    dep_prev = 0.0
    loc_prev = -1
    for k in range(m):
        nd = int(seq[k])
        kind = int(inst.nkind[nd])
        loc = int(inst.nloc[nd])
        start = float(times[k])
        if k == 0:
            arrival = start
        else:
            arrival = dep_prev + float(problem.travel_time[loc_prev, loc])
            start = max(start, arrival)
        service = float(inst.ns[nd]) if kind in (PICK, DROP, BREAK) else 0.0
        departure = start + service
        r = int(inst.nreq[nd])
        stops.append(
            Stop(
                kind=_KIND[kind],
                location=loc,
                arrival=arrival,
                start=start,
                departure=departure,
                load=int(work.ld0[k]),
                wheelchair_load=int(work.ld1[k]),
                request_id=problem.requests[r].id if r >= 0 else None,
            )
        )
        dep_prev = departure
        loc_prev = loc
    return Route(veh.id, tuple(stops)), ok


def plan_objective(comp: Compiled, routes: Sequence[Route], n_rejected: int) -> float:
    """Return the objective of routes plus rejections (see ``ObjectiveWeights``)."""
    problem = comp.problem
    w = problem.weights
    tt = problem.travel_time
    dist = problem.distance
    total = w.rejection * n_rejected
    pickup_end: dict[str, float] = {}
    for veh, route in zip(problem.vehicles, routes, strict=True):
        stops = route.stops
        if not stops:
            continue
        drive = sum(float(tt[a.location, b.location]) for a, b in zip(stops, stops[1:]))
        metres = sum(float(dist[a.location, b.location]) for a, b in zip(stops, stops[1:]))
        if w.travel_time:
            total += w.travel_time * drive
        if w.distance:
            total += w.distance * metres
        if w.vehicle_cost:
            hours = (stops[-1].arrival - stops[0].departure) / 3600.0
            total += w.vehicle_cost * (
                veh.fixed_cost + veh.cost_per_hour * hours + veh.cost_per_km * metres / 1000.0
            )
        if w.ride_time:
            for s in stops:
                if s.kind == StopKind.PICKUP:
                    pickup_end[s.request_id] = s.start + problem.request(s.request_id).service_time
            for s in stops:
                if s.kind == StopKind.DROPOFF:
                    req = problem.request(s.request_id)
                    boarded = req.picked_up_at if req.on_board else pickup_end[s.request_id]
                    total += w.ride_time * req.passengers * (s.start - boarded)
    return float(total)


def build_plan(
    comp: Compiled,
    seqs: Sequence[np.ndarray],
    lens: Sequence[int],
    rejections: Mapping[int, str],
    work: Work,
    stats: SolverStats | None = None,
) -> Plan:
    """Return the plan of the given routes (one per vehicle) and rejected requests."""
    routes = []
    feasible = True
    for v in range(comp.n_vehicles):
        route, ok = route_from_sequence(comp, v, seqs[v], int(lens[v]), work)
        feasible &= ok
        routes.append(route)
    rejected = tuple(
        Rejection(comp.problem.requests[r].id, reason) for r, reason in sorted(rejections.items())
    )
    objective = plan_objective(comp, routes, len(rejected))
    stats = stats or SolverStats()
    if not feasible:
        stats = stats.replace(infeasible_routes=True)
    return Plan(routes=tuple(routes), rejected=rejected, objective=objective, stats=stats)
