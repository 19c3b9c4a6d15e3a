"""Everything that touches OR-Tools (the only module of the project that imports it).

Two services:

* :func:`choose_routes` solves the set-partitioning model over a pool of
  routes with the MIP solver CBC (single thread, solved to optimality, so
  the answer does not depend on the machine's speed).
* :func:`routing_solve` solves a problem with the OR-Tools routing library
  alone (pickup-and-delivery model with time windows, two capacity
  dimensions, ride-time limits, route durations and breaks). The main
  solver does not need it; it is a reference to compare against and a
  fallback strategy (``solve(..., strategy="ortools")``).

Integer scaling for the routing model: times are multiplied by
``TIME_SCALE`` and travel plus service times rounded *up*, windows rounded
inwards, so every integer-feasible plan is feasible in floating point; the
final schedule is recomputed in floats by the caller.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.linear_solver import pywraplp

from transit.solver.compiled import BREAK, DROP, END, PICK, START, Compiled


__all__ = ["TIME_SCALE", "choose_routes", "routing_solve"]

log = logging.getLogger(__name__)

TIME_SCALE = 10.0
"""Integer time units per second in the routing model (0.1 s)."""


def choose_routes(
    served: Sequence[np.ndarray],
    cost: np.ndarray,
    column_class: np.ndarray,
    class_size: np.ndarray,
    n_requests: int,
    rejection: float | np.ndarray,
    *,
    wall_limit: float = 10.0,
    accept_incumbent: bool = False,
) -> list[int] | None:
    """Pick routes that serve each request at most once at the least total cost.

    A set-partitioning model solved with CBC (single thread, deterministic):
    one binary per column, each request served by exactly one chosen column
    or left unserved at the price ``rejection``, and at most
    ``class_size[c]`` columns of vehicle class ``c``.

    Parameters
    ----------
    served
        Per column, the request indices it serves.
    cost
        Per column, its cost.
    column_class
        Per column, its vehicle class.
    class_size
        Per class, the number of vehicles.
    n_requests
        Number of requests (rows).
    rejection
        Cost of leaving a request unserved (one value, or one per request).
    wall_limit
        Wall-clock cap in seconds (the model normally solves to optimality
        well before).
    accept_incumbent
        When the cap ends the solve, return the best set of routes found so
        far instead of None. For searches under a clock, whose result depends
        on the machine's speed anyway.

    Returns
    -------
    list of int or None
        The chosen columns, or None if no optimal solution was proven in time
        (without ``accept_incumbent``: a cut-off answer would depend on the
        machine's speed) or none was found.
    """
    ncol = len(served)
    if ncol == 0:
        return None
    solver = pywraplp.Solver.CreateSolver("CBC")
    if solver is None:  # pragma: no cover - CBC ships with OR-Tools
        return None
    solver.SetNumThreads(1)
    solver.SetTimeLimit(max(1, int(wall_limit * 1000)))
    x = [solver.BoolVar(f"x{k}") for k in range(ncol)]
    rows = [solver.RowConstraint(1.0, 1.0, f"r{r}") for r in range(n_requests)]
    objective = solver.Objective()
    pen = np.broadcast_to(np.asarray(rejection, dtype=np.float64), (n_requests,))
    for r in range(n_requests):
        u = solver.BoolVar(f"u{r}")
        rows[r].SetCoefficient(u, 1.0)
        objective.SetCoefficient(u, float(pen[r]))
    for k, reqs in enumerate(served):
        objective.SetCoefficient(x[k], float(cost[k]))
        for r in reqs:
            rows[int(r)].SetCoefficient(x[k], 1.0)
    for c in range(len(class_size)):
        members = [k for k in range(ncol) if column_class[k] == c]
        if len(members) > class_size[c]:
            row = solver.RowConstraint(0.0, float(class_size[c]), f"c{c}")
            for k in members:
                row.SetCoefficient(x[k], 1.0)
    objective.SetMinimization()
    status = solver.Solve()
    if status == pywraplp.Solver.FEASIBLE and accept_incumbent:
        log.debug("route recombination: the time cap ended it; best set of routes found so far taken")
    elif status != pywraplp.Solver.OPTIMAL:
        log.debug("route recombination: no optimum proven (status %s)", status)
        return None
    return [k for k in range(ncol) if x[k].solution_value() > 0.5]


# ---------------------------------------------------------------------------
# Routing model (OR-Tools alone)
# ---------------------------------------------------------------------------

TIME_SCALE = 10.0
"""Integer time units per second in the routing model (0.1 s)."""

_BIG = 10**13


def _up(x: float) -> int:
    """Scale a duration to integer units, rounding up."""
    return int(math.ceil(x * TIME_SCALE - 1e-9))


def _down(x: float) -> int:
    """Scale a time to integer units, rounding down."""
    return int(math.floor(x * TIME_SCALE + 1e-9))


def _allow(routing, vehicles: list[int], index: int) -> None:
    """Restrict a node to some vehicles (or none performing it: -1)."""
    routing.VehicleVar(index).SetValues([-1, *vehicles])


def routing_solve(
    comp: Compiled,
    *,
    time_limit: float,
    solution_limit: int | None = None,
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION",
) -> list[list[int]]:
    """Solve with the OR-Tools routing library; return each vehicle's node sequence.

    The model: pickup-and-delivery pairs (same vehicle, pickup first), each
    request optional (``AddDisjunction([p, d], penalty, 2)``), a time
    dimension from transit matrices (``RegisterTransitMatrix``; travel plus
    service time rounded up) with the windows rounded inwards, ride-time
    limits as node precedences (``AddNodePrecedence(d, p, -limit)``, which
    the search's filters see), maximum route durations, two capacity
    dimensions (seats, wheelchair places; vehicles with passengers on board
    start loaded), allowed vehicles, fixed and per-km costs. Breaks are
    nodes of their vehicle that must be visited with the vehicle empty.
    Ride-time costs are not modelled.

    Parameters
    ----------
    comp
        The compiled problem (windows already tightened).
    time_limit
        Search time limit in seconds.
    solution_limit
        Optional limit on the number of solutions (a machine-independent
        budget).
    first_solution
        Name of an OR-Tools first-solution strategy.

    Returns
    -------
    list of list of int
        Per vehicle, the node sequence (START ... END, in the node ids of
        :mod:`transit.solver.compiled`). Requests left out are absent.
    """
    inst = comp.inst
    nv = comp.n_vehicles
    nodes, starts, ends, index_of = _node_list(comp)
    loc = inst.nloc[nodes]
    kind = inst.nkind[nodes]
    manager = pywrapcp.RoutingIndexManager(len(nodes), nv, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    top, cost_scale = _add_costs(comp, routing, loc)
    tdim = _add_time(comp, manager, routing, nodes, kind, loc, cost_scale)
    _add_capacities(comp, manager, routing, nodes, kind)
    _add_requests(comp, manager, routing, tdim, nodes, kind, index_of, top, cost_scale)
    return _run(comp, manager, routing, nodes, time_limit, solution_limit, first_solution)


def _node_list(comp: Compiled) -> tuple[list[int], list[int], list[int], dict[int, int]]:
    """Return the model's nodes (compiled node ids), the start and end indices and each node's index."""
    inst = comp.inst
    n, nv = comp.n_requests, comp.n_vehicles
    nodes: list[int] = [x for r in range(n) for x in ((2 * r + 1,) if inst.ronb[r] else (2 * r, 2 * r + 1))]
    nodes += [int(b) for b in inst.brk]
    first_depot = len(nodes)
    for v in range(nv):
        nodes += [int(inst.vstart[v]), int(inst.vend[v])]
    starts = [first_depot + 2 * v for v in range(nv)]
    ends = [first_depot + 2 * v + 1 for v in range(nv)]
    return nodes, starts, ends, {x: k for k, x in enumerate(nodes)}


def _add_costs(comp: Compiled, routing, loc: np.ndarray) -> tuple[float, float]:
    """Set arc and fixed costs; return the largest arc cost and the cost scale."""
    inst = comp.inst
    nv = comp.n_vehicles
    finite = np.isfinite(inst.tt[np.ix_(loc, loc)])
    arc = inst.cost[np.ix_(loc, loc)]
    dist = inst.dist[np.ix_(loc, loc)]
    top = 1.0
    for v in range(nv):
        c = arc + float(inst.vkm[v]) * np.where(np.isfinite(dist), dist, 0.0)
        top = max(top, float(np.max(c[np.isfinite(c)], initial=1.0)))
    cost_scale = 1e6 / top
    matrices: dict[float, int] = {}
    for v in range(nv):
        km = float(inst.vkm[v])
        if km not in matrices:
            c = arc + km * np.where(np.isfinite(dist), dist, 0.0)
            ci = np.where(np.isfinite(c) & finite, np.rint(c * cost_scale), _BIG).astype(np.int64)
            matrices[km] = routing.RegisterTransitMatrix(ci.tolist())
        routing.SetArcCostEvaluatorOfVehicle(matrices[km], v)
        if inst.vfix[v] > 0:
            routing.SetFixedCostOfVehicle(int(round(float(inst.vfix[v]) * cost_scale)), v)

    return top, cost_scale


def _add_time(comp: Compiled, manager, routing, nodes: list[int], kind: np.ndarray, loc: np.ndarray, cost_scale: float):
    """Add the time dimension (travel plus service, windows, route durations); return it."""
    inst = comp.inst
    nv = comp.n_vehicles
    service = np.array([_up(float(inst.ns[x])) if kind[k] in (PICK, DROP, BREAK) else 0 for k, x in enumerate(nodes)], np.int64)
    tt = inst.tt[np.ix_(loc, loc)]
    finite = np.isfinite(tt)
    travel = np.ceil(np.where(finite, tt, 0.0) * TIME_SCALE - 1e-9).astype(np.int64)
    transit = np.where(finite, travel + service[:, None], _BIG)
    np.fill_diagonal(transit, service)
    t_cb = routing.RegisterTransitMatrix(transit.tolist())
    finite_times = [float(x) for x in np.concatenate([inst.ne, inst.nl]) if math.isfinite(x)]
    horizon = _down(max(finite_times, default=0.0) + 2 * 86400.0)
    routing.AddDimension(t_cb, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    for k, x in enumerate(nodes):
        lo = max(0, _up(float(inst.ne[x])))
        hi = horizon if not math.isfinite(inst.nl[x]) else _down(float(inst.nl[x]))
        if hi < lo:
            hi = lo  # an impossible window: the disjunction will leave the request out
        if kind[k] == START:
            tdim.CumulVar(routing.Start(int(inst.nveh[x]))).SetRange(lo, hi)
        elif kind[k] == END:
            tdim.CumulVar(routing.End(int(inst.nveh[x]))).SetRange(lo, hi)
        else:
            tdim.CumulVar(manager.NodeToIndex(k)).SetRange(lo, hi)
    for v in range(nv):
        if math.isfinite(inst.vmaxdur[v]):
            tdim.SetSpanUpperBoundForVehicle(_down(float(inst.vmaxdur[v])), v)
        if inst.vhour[v] > 0:
            tdim.SetSpanCostCoefficientForVehicle(
                max(1, int(round(float(inst.vhour[v]) / TIME_SCALE * cost_scale))), v
            )
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.End(v)))
        routing.AddVariableMaximizedByFinalizer(tdim.CumulVar(routing.Start(v)))

    return tdim


def _add_capacities(comp: Compiled, manager, routing, nodes: list[int], kind: np.ndarray) -> None:
    """Add seats and wheelchair places (vehicles with passengers on board start loaded); breaks need an empty vehicle."""
    inst = comp.inst
    n, nv = comp.n_requests, comp.n_vehicles
    size = len(nodes)
    for dim_name, dq, cap in (("seats", inst.nq0, inst.vcap0), ("wheelchair", inst.nq1, inst.vcap1)):
        demand = [int(dq[x]) if kind[k] in (PICK, DROP) else 0 for k, x in enumerate(nodes)]
        d_cb = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(d_cb, 0, [int(c) for c in cap], False, dim_name)
        qdim = routing.GetDimensionOrDie(dim_name)
        aboard = np.zeros(nv, np.int64)
        for r in range(n):
            if inst.ronb[r]:
                v = int(np.flatnonzero(inst.fits[r])[0]) if inst.fits[r].any() else -1
                if v >= 0:
                    aboard[v] += -int(dq[2 * r + 1])
        for v in range(nv):
            qdim.CumulVar(routing.Start(v)).SetRange(int(aboard[v]), int(aboard[v]))
        for k in range(size):
            if kind[k] == BREAK:
                qdim.CumulVar(manager.NodeToIndex(k)).SetRange(0, 0)



def _add_requests(comp: Compiled, manager, routing, tdim, nodes, kind, index_of, top: float, cost_scale: float) -> None:
    """Add the requests as optional pairs on allowed vehicles with ride-time limits, and the breaks."""
    inst = comp.inst
    n, nv = comp.n_requests, comp.n_vehicles
    solver = routing.solver()
    size = len(nodes)
    penalty_top = 100.0 * top * cost_scale * max(1, n)
    for r in range(n):
        allowed = [int(v) for v in range(nv) if inst.fits[r, v]]
        pen = int(min(float(inst.rpen[r]) * cost_scale, penalty_top * float(inst.rpen[r]) / float(inst.w_rej)))
        d = manager.NodeToIndex(index_of[2 * r + 1])
        if inst.ronb[r]:
            routing.AddDisjunction([d], pen)
            _allow(routing, allowed, d)
            continue
        p = manager.NodeToIndex(index_of[2 * r])
        routing.AddPickupAndDelivery(p, d)
        routing.AddDisjunction([p, d], pen, 2)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(tdim.CumulVar(p) <= tdim.CumulVar(d))
        _allow(routing, allowed, p)
        _allow(routing, allowed, d)
        if math.isfinite(inst.rL[r]):
            limit = _down(float(inst.rL[r]) + float(inst.ns[2 * r]))
            tdim.AddNodePrecedence(d, p, -limit)
    for k in range(size):
        if kind[k] == BREAK:
            v = int(inst.nveh[nodes[k]])
            idx = manager.NodeToIndex(k)
            _allow(routing, [v], idx)
            # A used vehicle must take its breaks: skipping one costs more than any request.
            routing.AddDisjunction([idx], int(penalty_top * 1e4))



def _run(comp: Compiled, manager, routing, nodes, time_limit, solution_limit, first_solution) -> list[list[int]]:
    """Solve the model; return each vehicle's node sequence (empty lists if no solution)."""
    nv = comp.n_vehicles
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    if solution_limit is not None:
        params.solution_limit = max(1, int(solution_limit))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        log.warning("OR-Tools routing found no solution (status %s)", routing.status())
        return [[] for _ in range(nv)]
    out: list[list[int]] = []
    for v in range(nv):
        seq = []
        idx = routing.Start(v)
        while True:
            seq.append(nodes[manager.IndexToNode(idx)])
            if routing.IsEnd(idx):
                break
            idx = solution.Value(routing.NextVar(idx))
        out.append(seq)
    return out
