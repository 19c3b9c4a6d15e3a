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
from collections.abc import Sequence

import numpy as np
from ortools.linear_solver import pywraplp


__all__ = ["choose_routes"]

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
        Wall-clock safety cap in seconds (the model normally solves to
        optimality well before).

    Returns
    -------
    list of int or None
        The chosen columns, or None if no optimal solution was proven in time
        (a cut-off answer would depend on the machine's speed).
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
    if status != pywraplp.Solver.OPTIMAL:
        log.debug("route recombination: no optimum proven (status %s)", status)
        return None
    return [k for k in range(ncol) if x[k].solution_value() > 0.5]
