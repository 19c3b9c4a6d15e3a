"""Plan a service day: solve, check independently, promise pickup windows.

:func:`plan_day` is what ``transit dispatch`` runs after reading its inputs:
the routing core's :func:`transit.solver.solve` makes the plan and the
independent :func:`transit.darp.checker.check` must accept it before anything is
used. A plan the checker rejects is never returned (:class:`PlanCheckError`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from transit.darp.checker import PlanCost, check, evaluate
from transit.errors import SolverError
from transit.darp.data import Plan, Problem, StopKind, TimeWindow
from transit.darp.build import BuiltProblem
from transit.util.progress import Progress
from transit.darp.service import ServiceRules
from transit.util.i18n import N_

__all__ = [
    "ITERATIONS_PER_BOOKING",
    "MIN_ITERATIONS",
    "PlanCheckError",
    "REASON_TOO_LARGE",
    "dispatch_iterations",
    "make_promises",
    "plan_day",
    "verify",
]

log = logging.getLogger(__name__)

ITERATIONS_PER_BOOKING = 4
"""Default solver work budget per booking for dispatching (see :func:`dispatch_iterations`)."""

MIN_ITERATIONS = 400
"""Smallest default solver work budget."""


def dispatch_iterations(n_requests: int) -> int:
    """Return the default solver budget (search iterations) for a dispatch of ``n_requests``.

    ``max(MIN_ITERATIONS, ITERATIONS_PER_BOOKING * n_requests)``: 1,200 for a day of
    300 bookings, which the solver of November 2026 runs in about 30 s on the shared
    2-core machine and which lands within about 1% of its 5-minute plan (see
    ``benchmarks/RESULTS.md``, "Dispatch"). A fixed budget, not a time, so the same
    inputs and seed give the same plan on any machine.
    """
    return max(MIN_ITERATIONS, ITERATIONS_PER_BOOKING * int(n_requests))


class PlanCheckError(SolverError):
    """The solver produced a plan the independent checker rejects (an internal error)."""


def verify(problem: Problem, plan: Plan) -> PlanCost:
    """Check ``plan`` with the independent checker; return its costs as the checker computes them.

    Besides :func:`transit.darp.checker.check`, every request must appear exactly
    once: served (one pickup and one drop-off) or rejected. This is the one
    check a dispatch command runs; everything written afterwards uses the
    returned costs.

    Raises
    ------
    PlanCheckError
        If the checker finds a violation or a request is missing or repeated.
    """
    violations = check(problem, plan)
    if violations:
        shown = "; ".join(str(v) for v in violations[:5])
        more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
        msg = (
            f"internal error: the plan fails the independent check with {len(violations)} "
            f"violation(s): {shown}{more}. Nothing was written; please report this with the inputs."
        )
        raise PlanCheckError(msg)
    served = plan.served_ids
    rejected = [r.request_id for r in plan.rejected]
    ids = [r.id for r in problem.requests]
    if sorted([*served, *rejected]) != sorted(ids):
        msg = "internal error: the plan does not account for every booking exactly once. Nothing was written."
        raise PlanCheckError(msg)
    return evaluate(problem, plan)


def make_promises(
    problem: Problem,
    plan: Plan,
    rules: ServiceRules,
    previous: Mapping[str, TimeWindow] | None = None,
) -> dict[str, TimeWindow]:
    """Return the promised pickup window of every served request.

    A request promised before keeps its promise; a newly served one is
    promised :meth:`ServiceRules.promise` around its planned pickup.
    Requests are listed in problem order.
    """
    previous = previous or {}
    pickup_start: dict[str, float] = {}
    for route in plan.routes:
        for s in route.stops:
            if s.kind == StopKind.PICKUP and s.request_id is not None:
                pickup_start[s.request_id] = s.start
    out: dict[str, TimeWindow] = {}
    served = plan.served_ids
    for r in problem.requests:
        if r.id in previous:
            out[r.id] = previous[r.id]
        elif r.id in pickup_start and r.id in served:
            out[r.id] = rules.promise(pickup_start[r.id], r.pickup_window)
    return out


REASON_TOO_LARGE = N_("larger than every vehicle (seats or wheelchair places)")
"""Why a booking with more passengers or wheelchair places than any vehicle has is rejected."""


def plan_day(
    built: BuiltProblem,
    *,
    network_path: str,
    network_size: tuple[int, int] = (0, 0),
    service_date: dt.date | None = None,
    max_snap_m: float = 500.0,
    iterations: int | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    history: Mapping[str, Any] | None = None,
):
    """Solve the day's problem, check the plan, and return the :class:`~transit.dispatch.dayplan.DayPlan`.

    Bookings made too late to be served (``booked_at`` + the minimum lead
    time after their whole pickup window) are rejected with that reason
    (:mod:`transit.dispatch.leadtime`), and so are bookings larger than every
    vehicle (:data:`REASON_TOO_LARGE`; a school class, say).

    Parameters
    ----------
    built
        The problem and its location table (:func:`transit.darp.build.build_problem`).
    network_path
        The road-network file (recorded so the day can be continued).
    network_size
        ``(nodes, arcs)`` of the network, recorded as a fingerprint.
    service_date
        The service day, if known.
    max_snap_m
        Snapping limit used (recorded).
    iterations
        Solver work budget (None: :func:`dispatch_iterations`). The result
        depends only on the inputs, the seed and this budget.
    time_limit
        Safety cap in seconds; hitting it may change the result.
    seed
        Solver seed.
    progress
        Progress of the search.
    history
        What to record about this command in the plan's history.

    Raises
    ------
    PlanCheckError
        If the independent checker rejects the solver's plan.
    """
    from transit.dispatch.dayplan import DayPlan
    from transit.solver import solve

    from transit.darp.data import Rejection
    from transit.dispatch.leadtime import REASON_TOO_LATE, too_late
    from transit.dispatch.progress import placed_progress

    problem = built.problem
    # larger than every vehicle first: such a booking could not be served even if booked in time
    large = {r.id for r in problem.requests if not any(v.fits(r) for v in problem.vehicles)}
    late = too_late(built) - large
    upfront = late | large
    solvable = problem.replace(requests=tuple(r for r in problem.requests if r.id not in upfront)) if upfront else problem
    if iterations is None:
        iterations = dispatch_iterations(len(solvable.requests))
    shown = placed_progress(progress, len(solvable.requests), problem.weights.rejection)
    plan = solve(solvable, time_limit=time_limit, iterations=iterations, seed=seed, progress=shown)
    if upfront:
        extra = tuple(Rejection(r.id, REASON_TOO_LARGE if r.id in large else REASON_TOO_LATE)
                      for r in problem.requests if r.id in upfront)
        plan = plan.replace(rejected=(*plan.rejected, *extra))
    cost = verify(problem, plan)
    promises = make_promises(problem, plan, built.fleet.service)
    entry = {"action": "plan", "seed": seed, "iterations": plan.stats.iterations}
    entry.update(history or {})
    return DayPlan(
        built=built,
        plan=plan,
        promises=promises,
        network_path=network_path,
        cost=cost,
        service_date=service_date,
        now=None,
        max_snap_m=max_snap_m,
        history=(entry,),
        network_size=network_size,
    )
