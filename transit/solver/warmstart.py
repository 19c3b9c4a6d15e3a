"""Seed the search with the routes of an existing plan (warm start).

The routes are kept as they are, except that stops of requests the problem
no longer has are dropped, a pickup is dropped for a request now on board,
a request whose pickup and drop-off are not both on the route (or that may
no longer use this vehicle) is taken out, and the vehicle's breaks are
matched in time order (missing ones are added where they fit best). If a
route has become infeasible (times moved on), requests are taken out from
its end until it is feasible again; the search then tries to put them back.
"""

from __future__ import annotations

import logging

import numpy as np

from transit.darp.data import Plan, StopKind
from transit.solver.compiled import Compiled
from transit.solver.schedule import Work
from transit.solver.state import init_route, recompute

__all__ = ["apply_initial_plan"]

log = logging.getLogger(__name__)


def _set_route(comp: Compiled, sol, v: int, nodes: list[int], work: Work) -> bool:
    inst = comp.inst
    seq = [int(inst.vstart[v]), *nodes, int(inst.vend[v])]
    sol.seq[v, : len(seq)] = seq
    sol.rlen[v] = len(seq)
    return bool(recompute(inst, sol, v, work))


def _place_missing_breaks(comp: Compiled, sol, v: int, nodes: list[int], missing: list[int], work: Work) -> list[int]:
    """Insert each missing break node at the cheapest position that stays feasible."""
    for b in missing:
        best_nodes = None
        best_cost = np.inf
        for k in range(len(nodes) + 1):
            trial = nodes[:k] + [b] + nodes[k:]
            if _set_route(comp, sol, v, trial, work) and sol.rarc[v] < best_cost:
                best_cost = float(sol.rarc[v])
                best_nodes = trial
        nodes = best_nodes if best_nodes is not None else nodes + [b]
    return nodes


def apply_initial_plan(comp: Compiled, sol, plan: Plan, work: Work) -> int:
    """Load the routes of ``plan`` into ``sol``; return the number of requests kept."""
    problem = comp.problem
    inst = comp.inst
    req_index = {r.id: k for k, r in enumerate(problem.requests)}
    veh_index = {v.id: k for k, v in enumerate(problem.vehicles)}
    taken: set[int] = set()
    kept = 0
    for route in plan.routes:
        v = veh_index.get(route.vehicle_id)
        if v is None or not route.stops:
            continue
        if any(sol.where[r] == v for r in range(comp.n_requests)):
            continue  # a second route for the same vehicle: ignore it
        items: list[tuple[str, int]] = []
        picked: set[int] = set()
        dropped: set[int] = set()
        for stop in route.stops:
            if stop.kind in (StopKind.PICKUP, StopKind.DROPOFF):
                r = req_index.get(stop.request_id or "")
                if r is None or r in taken or not inst.fits[r, v]:
                    continue
                if stop.kind == StopKind.PICKUP:
                    if inst.ronb[r] or r in picked:
                        continue
                    picked.add(r)
                    items.append(("p", r))
                else:
                    if r in dropped or (not inst.ronb[r] and r not in picked):
                        continue
                    dropped.add(r)
                    items.append(("d", r))
            elif stop.kind == StopKind.BREAK:
                items.append(("b", -1))
        keep = {r for r in dropped if inst.ronb[r] or r in picked}
        breaks = [int(inst.brk[inst.vbrk0[v] + b]) for b in range(int(inst.vbrkn[v]))]
        nodes: list[int] = []
        used_breaks = 0
        for kind, r in items:
            if kind == "b":
                if used_breaks < len(breaks):
                    nodes.append(breaks[used_breaks])
                    used_breaks += 1
            elif r in keep:
                nodes.append(2 * r if kind == "p" else 2 * r + 1)
        nodes = _place_missing_breaks(comp, sol, v, nodes, breaks[used_breaks:], work)
        order = [r for kind, r in items if kind == "d" and r in keep]
        while True:
            if _set_route(comp, sol, v, nodes, work):
                break
            if not order:
                # Only breaks left and still infeasible: start from the plain route.
                init_route(inst, sol, v, work)
                break
            r = order.pop()
            log.info("warm start: request %s no longer fits its route; re-planning it", problem.requests[r].id)
            nodes = [x for x in nodes if x not in (2 * r, 2 * r + 1)]
        for r in order:
            sol.where[r] = v
            taken.add(r)
            kept += 1
        recompute(inst, sol, v, work)
    return kept
