"""The solver's entry point: :func:`solve`."""

from __future__ import annotations

import logging
import time

import numpy as np

from transit.errors import SolverError
from transit.darp.data import Break, ObjectiveWeights, Plan, Problem, Request, TimeWindow, Vehicle
from transit.util.progress import Progress, report
from transit.solver.alns import alns_chunk
from transit.solver.localsearch import polish
from transit.solver.compiled import BREAK, DROP, Compiled, compile_problem
from transit.solver.ortools_adapter import routing_solve
from transit.solver.output import build_plan
from transit.solver.pool import add_solution, make_pool, vehicle_classes
from transit.solver.reasons import rejection_reason
from transit.solver.recombine import objective_value, recombine
from transit.solver.repair import repair
from transit.solver.schedule import make_work
from transit.solver.search import make_search
from transit.solver.settings import SearchSettings, default_iterations
from transit.solver.state import (
    copy_sol,
    empty_sol,
    init_route,
    insert_at,
    make_cands,
    recompute,
    total_cost,
)
from transit.solver.warmstart import apply_initial_plan

__all__ = ["UNLIMITED", "solve"]

log = logging.getLogger(__name__)

UNLIMITED = 2**62
"""An iteration count no search reaches (the time limit or convergence ends it)."""


def solve(
    problem: Problem,
    *,
    time_limit: float | None = None,
    iterations: int | None = None,
    seed: int = 0,
    initial_plan: Plan | None = None,
    progress: Progress | None = None,
    settings: SearchSettings | None = None,
    strategy: str = "alns",
    search_until: str = "budget",
) -> Plan:
    """Plan the routes of a dial-a-ride problem.

    A construction by regret insertion gives the first solution; an adaptive
    large neighbourhood search improves it, recombining the best routes it
    met by set partitioning from time to time. Requests that fit nowhere
    are rejected with a reason.

    Parameters
    ----------
    problem
        The problem to solve.
    time_limit
        Safety cap in seconds; a warning is logged if it cuts the search.
    iterations
        Search budget (ALNS iterations); ``None`` uses
        :func:`default_iterations`. ``0`` returns the construction.
    seed
        Seed of the search's random numbers. The same problem, seed and
        iterations give the same plan on any machine.
    initial_plan
        Warm start: its routes are kept (requests the problem no longer has
        are dropped), the other requests are inserted, then the plan is
        improved.
    progress
        Receives (iterations done, budget, message).
    settings
        Search settings (defaults are used for every instance).
    strategy
        ``"alns"`` (the default) or ``"ortools"``: the OR-Tools routing
        library alone (guided local search for ``time_limit`` seconds,
        default 10; ``iterations`` then limits the number of solutions). A
        reference to compare with; it ignores ride-time costs and warm starts.
    search_until
        ``"budget"`` (the default): the iteration budget ends the search and
        ``time_limit`` is only a safety cap. ``"time"``: the search runs
        until ``time_limit`` (required; ``iterations``, if given, still caps
        the work) unless it has converged first by the rule of
        :meth:`SearchSettings.converged`; ``Plan.stats["stop_reason"]`` and
        the last progress message say which.

    Returns
    -------
    Plan
        One route per vehicle (in the problem's order), the rejected
        requests with reasons, the objective and search statistics.
    """
    t0 = time.perf_counter()
    _load_kernels()
    t_setup = time.perf_counter() - t0
    settings = settings or SearchSettings()
    if search_until not in ("budget", "time"):
        msg = f"unknown search_until {search_until!r} (use 'budget' or 'time')"
        raise SolverError(msg)
    until_time = search_until == "time"
    if until_time and time_limit is None:
        msg = "search_until='time' needs a time_limit"
        raise SolverError(msg)
    if iterations is None:
        budget = UNLIMITED if until_time else default_iterations(problem)
    else:
        budget = int(iterations)
    if budget < 0:
        msg = f"iterations must be >= 0, got {iterations}"
        raise SolverError(msg)
    priority = frozenset()
    if initial_plan is not None:
        priority = initial_plan.served_ids
    comp = compile_problem(problem, priority=priority)
    inst = comp.inst
    n, nv = comp.n_requests, comp.n_vehicles
    work = make_work(comp.max_len, n)
    cands = make_cands(comp.max_len)
    cur = empty_sol(n, nv, comp.max_len)
    for v in range(nv):
        if not init_route(inst, cur, v, work):
            log.info("vehicle %s cannot even do its breaks inside its shift; it stays unused", problem.vehicles[v].id)
            inst.fits[:, v] = 0
    seed_state = int(np.random.default_rng(seed).integers(1, 2**63 - 1))
    search = make_search(n, nv, seed_state)
    finite = inst.cost[np.isfinite(inst.cost)]
    search.fstats[3] = float(finite.max()) if finite.size else 0.0
    if strategy == "ortools":
        return _solve_ortools(comp, cur, work, cands, time_limit, iterations, t0)
    if strategy != "alns":
        msg = f"unknown strategy {strategy!r} (use 'alns' or 'ortools')"
        raise SolverError(msg)
    if initial_plan is not None:
        kept = apply_initial_plan(comp, cur, initial_plan, work)
        log.info("warm start kept %d of %d requests", kept, n)
    max_sched = settings.schedule_candidates
    repair(inst, cur, work, cands, search, 2, 0.0, max_sched)
    t_first = time.perf_counter() - t0 - t_setup
    first_cost, first_un = total_cost(inst, cur)
    best = empty_sol(n, nv, comp.max_len)
    cand = empty_sol(n, nv, comp.max_len)
    tmp = empty_sol(n, nv, comp.max_len)
    copy_sol(cur, best)
    copy_sol(cur, tmp)
    done = 0
    cut = False
    converged = False
    last_improvement = 0
    classes = vehicle_classes(comp)
    pool = make_pool(comp, classes, seed)
    add_solution(pool, inst, best, objective_value(inst, best))
    recombined = 0
    if budget > 0 and n > 0 and nv > 0:
        polish(inst, best, tmp, work, cands, search, settings.polish_passes, max_sched)
        copy_sol(best, cur)
        params = settings.params(n, budget)
        deadline = None if time_limit is None else t0 + float(time_limit)
        t_search = time.perf_counter()
        chunk = 8
        every = max(1, settings.recombine_every)
        gap = every
        next_sp = every
        f_last = objective_value(inst, best)
        while done < budget:
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                cut = True
                break
            upto = min(budget, done + chunk, next_sp)
            if until_time:
                params[18] = (now - t_search) / max(1e-9, deadline - t_search)  # type: ignore[operator]
            alns_chunk(inst, cur, cand, best, tmp, work, cands, search, pool, params, done, upto)
            elapsed = time.perf_counter() - now
            done = upto
            if done == next_sp or done == budget:
                wall = 30.0 if deadline is None else max(0.05, deadline - time.perf_counter())
                if recombine(comp, pool, classes, best, cur, tmp, work, cands, search, settings, wall):
                    recombined += 1
                    gap = every
                else:
                    # A stagnating search fills the pool with near-best routes and
                    # makes each recombination slower: recombine less often then.
                    gap = min(2 * gap, every * max(1, settings.recombine_backoff))
                next_sp = done + gap
            per_it = elapsed / max(1, chunk)
            target = 0.1
            if deadline is not None:
                target = min(target, max(0.005, (deadline - time.perf_counter()) / 2))
            chunk = int(max(1, min(10_000, 2 * chunk, target / max(per_it, 1e-7))))
            f_best = objective_value(inst, best)
            if f_best < f_last - 1e-9:
                f_last = f_best
                last_improvement = done
            report(progress, done, budget, f"best objective {f_best:.6g}")
            log.debug("iteration %d: best objective %.4f", done, f_best)
            if until_time and settings.converged(done, last_improvement, n):
                converged = True
                report(
                    progress, done, budget,
                    f"converged: no better solution in the last {done - last_improvement} iterations; "
                    f"best objective {f_best:.6g}",
                )
                break
        if cut and not until_time:
            log.warning(
                "time limit of %.1f s reached after %d of %d iterations; returning the best plan so far",
                float(time_limit),  # type: ignore[arg-type]
                done,
                budget,
            )
    # A last full insertion pass (the search skips requests it knows do not fit).
    repair(inst, best, work, cands, search, 2, 0.0, max_sched)
    plan = _finish(comp, best, work, cands)
    stop_reason = "converged" if converged else ("time limit" if cut else "budget")
    stats = plan.stats.replace(
        seconds=time.perf_counter() - t0,
        first_solution_seconds=t_first,
        setup_seconds=t_setup,
        first_solution_cost=float(first_cost) + problem.weights.rejection * int(first_un),
        first_solution_rejected=int(first_un),
        iterations=int(done),
        iteration_budget=int(budget),
        time_limit_reached=bool(cut),
        stop_reason=stop_reason,
        last_improvement=int(last_improvement),
        new_best=int(search.istats[1]),
        recombined=int(recombined),
        route_pool=int(pool.count[0]),
        destroy_weights=tuple(round(float(x), 3) for x in search.dw),
        repair_weights=tuple(round(float(x), 3) for x in search.rw),
        strategy="regret insertion + ALNS",
        seed=int(seed),
    )
    return plan.replace(stats=stats)


def _solve_ortools(comp: Compiled, sol, work, cands, time_limit, iterations, t0) -> Plan:
    """Solve with the OR-Tools routing library only (see :func:`solve`)."""
    inst = comp.inst
    limit = 10.0 if time_limit is None else float(time_limit)
    seqs = routing_solve(comp, time_limit=limit, solution_limit=iterations)
    t_solved = time.perf_counter() - t0
    for v, seq in enumerate(seqs):
        if not seq:
            continue
        sol.seq[v, : len(seq)] = seq
        sol.rlen[v] = len(seq)
        for nd in seq:
            if inst.nkind[nd] == DROP:
                sol.where[inst.nreq[nd]] = v
        missing_break = sum(1 for nd in seq if inst.nkind[nd] == BREAK) < inst.vbrkn[v]
        if missing_break or not recompute(inst, sol, v, work):
            # Cannot happen with the rounding used; keep the plan valid anyway.
            log.warning("OR-Tools route of vehicle %s skips a break or is infeasible; emptied", comp.problem.vehicles[v].id)
            for r in range(comp.n_requests):
                if sol.where[r] == v:
                    sol.where[r] = -1
            init_route(inst, sol, v, work)
    plan = _finish(comp, sol, work, cands)
    stats = plan.stats.replace(
        seconds=time.perf_counter() - t0, search_seconds=t_solved, strategy="OR-Tools routing (guided local search)"
    )
    return plan.replace(stats=stats)


_KERNELS_LOADED = False


def _load_kernels() -> None:
    """Load (or compile) the numba kernels once per process with a tiny problem.

    This keeps the one-time loading out of the measured time to the first
    solution of real problems.
    """
    global _KERNELS_LOADED  # noqa: PLW0603 - a load-once flag, no search state
    if _KERNELS_LOADED:
        return
    _KERNELS_LOADED = True
    tt = np.array([[0.0, 60.0], [60.0, 0.0]])
    tiny = Problem(
        requests=(Request("r", pickup=0, dropoff=1, pickup_window=TimeWindow(0.0, 600.0)),),
        vehicles=(Vehicle("v", 0, 0, seats=1, breaks=(Break(0.0, 7200.0, 60.0),)),),
        travel_time=tt,
        distance=tt,
        weights=ObjectiveWeights(ride_time=1.0),
    )
    solve(tiny, iterations=20)


def _finish(comp: Compiled, sol, work, cands) -> Plan:
    """Force on-board passengers into their vehicle, explain rejections, build the plan."""
    inst = comp.inst
    problem = comp.problem
    n, nv = comp.n_requests, comp.n_vehicles
    for r in range(n):
        if sol.where[r] < 0 and inst.ronb[r]:
            v = problem.vehicles.index(problem.vehicle(problem.requests[r].assigned_vehicle))
            log.warning(
                "passengers of request %s are on board vehicle %s but cannot be dropped off "
                "within their limits; dropping them off first",
                problem.requests[r].id,
                problem.vehicles[v].id,
            )
            insert_at(inst, sol, r, v, 1, 1, work)
    empty = empty_sol(n, nv, comp.max_len)
    for v in range(nv):
        init_route(inst, empty, v, work)
    rejections = {
        r: rejection_reason(comp, r, empty, work, cands) for r in range(n) if sol.where[r] < 0
    }
    seqs = [sol.seq[v] for v in range(nv)]
    lens = [int(sol.rlen[v]) for v in range(nv)]
    return build_plan(comp, seqs, lens, rejections, work)
