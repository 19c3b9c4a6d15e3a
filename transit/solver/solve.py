"""The solver's entry point: :func:`solve`."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from transit.errors import SolverError
from transit.darp.data import Break, ObjectiveWeights, Plan, Problem, Request, TimeWindow, Vehicle
from transit.util.progress import Progress, report
from transit.solver.alns import alns_chunk
from transit.solver.localsearch import polish
from transit.solver.compiled import BREAK, DROP, Compiled, compile_problem, relatedness_seconds, with_relatedness
from transit.solver.ortools_adapter import routing_solve
from transit.solver.output import build_plan
from transit.solver.pool import add_solution, make_pool, merge_pool, vehicle_classes
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
    workers: int = 1,
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
    workers
        With ``search_until="time"``: this many searches run side by side
        (threads, one per core; each its own seed and random numbers) and
        take over each other's best solution after every chunk of
        iterations; ``Plan.stats.iterations`` and ``last_improvement`` count
        them all. A budget run is always one search (reproducible).

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
    budget = _budget(problem, iterations, time_limit, search_until)
    deadline = None if time_limit is None else t0 + float(time_limit)
    priority = initial_plan.served_ids if initial_plan is not None else frozenset()
    run = _start(compile_problem(problem, priority=priority, relatedness=False), seed)
    if strategy == "ortools":
        return _solve_ortools(run.comp, run.cur, run.work, run.cands, time_limit, iterations, t0)
    if strategy != "alns":
        msg = f"unknown strategy {strategy!r} (use 'alns' or 'ortools')"
        raise SolverError(msg)
    if initial_plan is not None:
        kept = apply_initial_plan(run.comp, run.cur, initial_plan, run.work)
        log.info("warm start kept %d of %d requests", kept, run.comp.n_requests)
    complete = _construct(run, settings.schedule_candidates, deadline)
    t_first = time.perf_counter() - t0 - t_setup
    first_cost, first_un = total_cost(run.inst, run.cur)
    for sol in (run.best, run.tmp):
        copy_sol(run.cur, sol)
    add_solution(run.pool, run.inst, run.best, objective_value(run.inst, run.best))
    outcome = _Outcome()
    if complete and budget > 0 and run.comp.n_requests > 0 and run.comp.n_vehicles > 0:
        twins = max(1, int(workers)) - 1 if search_until == "time" else 0
        _search(run, settings, budget, deadline, search_until == "time", progress, outcome, twins=twins, seed=seed)
        if outcome.cut and search_until != "time":
            log.warning("time limit of %.1f s reached after %d of %d iterations; returning the best plan so far",
                        float(time_limit), outcome.done, budget)  # type: ignore[arg-type]
    _last_pass(run, outcome, complete, settings.schedule_candidates, time_limit)
    plan = _finish(run.comp, run.best, run.work, run.cands, untried=run.search.rallow == 0)
    first = float(first_cost) + problem.weights.rejection * int(first_un)
    times = (time.perf_counter() - t0, t_first, t_setup)
    return plan.replace(stats=_stats(plan, run, outcome, budget, seed, times, first, int(first_un)))


def _stats(plan: Plan, run: _Run, outcome: _Outcome, budget: int, seed: int, times, first_cost, first_rejected):
    """Return the plan's statistics with the search's figures (``times``: total, first solution, setup)."""
    return plan.stats.replace(
        seconds=times[0],
        first_solution_seconds=times[1],
        setup_seconds=times[2],
        first_solution_cost=first_cost,
        first_solution_rejected=first_rejected,
        iterations=int(outcome.done * outcome.workers),
        iteration_budget=int(budget),
        time_limit_reached=bool(outcome.cut),
        stop_reason=outcome.stop_reason(),
        last_improvement=int(outcome.last_improvement * outcome.workers),
        new_best=int(run.search.istats[1]),
        recombined=int(outcome.recombined),
        route_pool=int(run.pool.count[0]),
        destroy_weights=tuple(round(float(x), 3) for x in run.search.dw),
        repair_weights=tuple(round(float(x), 3) for x in run.search.rw),
        strategy="regret insertion + ALNS",
        seed=int(seed),
    )


def _last_pass(run: _Run, outcome: _Outcome, complete: bool, max_sched: int, time_limit: float | None) -> None:
    """Insert what still fits into the best solution, unless the time limit cut the construction."""
    if complete:
        # A last full insertion pass (the search skips requests it knows do not fit).
        repair(run.inst, run.best, run.work, run.cands, run.search, 2, 0.0, max_sched)
        return
    outcome.cut = True
    outcome.reason = "time limit (construction)"
    log.warning(
        "time limit of %.1f s reached while building the first solution; requests not yet planned are rejected",
        float(time_limit),  # type: ignore[arg-type]
    )


def _budget(problem: Problem, iterations: int | None, time_limit: float | None, search_until: str) -> int:
    """Return the iteration budget of a run (see :func:`solve`); raise on bad options."""
    if search_until not in ("budget", "time"):
        msg = f"unknown search_until {search_until!r} (use 'budget' or 'time')"
        raise SolverError(msg)
    if search_until == "time" and time_limit is None:
        msg = "search_until='time' needs a time_limit"
        raise SolverError(msg)
    if iterations is None:
        return UNLIMITED if search_until == "time" else default_iterations(problem)
    if int(iterations) < 0:
        msg = f"iterations must be >= 0, got {iterations}"
        raise SolverError(msg)
    return int(iterations)


@dataclass
class _Run:
    """The compiled problem and the scratch and solutions of one run."""

    comp: Compiled
    inst: Any
    work: Any
    cands: Any
    search: Any
    cur: Any
    best: Any
    cand: Any
    tmp: Any
    classes: Any
    pool: Any


@dataclass
class _Outcome:
    """What the search did (for the plan's statistics)."""

    done: int = 0
    cut: bool = False
    converged: bool = False
    last_improvement: int = 0
    recombined: int = 0
    reason: str = ""
    workers: int = 1  # searches side by side, each ``done`` iterations (the stats count them all)

    def stop_reason(self) -> str:
        """Return why the search stopped, in plain words."""
        if self.reason:
            return self.reason
        return "converged" if self.converged else ("time limit" if self.cut else "budget")


def _start(comp: Compiled, seed: int) -> _Run:
    """Return the scratch, empty solutions and route pool of a run on ``comp``."""
    inst = comp.inst
    run = _blank_run(comp, int(np.random.default_rng(seed).integers(1, 2**63 - 1)))
    for v in range(comp.n_vehicles):
        if not init_route(inst, run.cur, v, run.work):
            log.info("vehicle %s cannot even do its breaks inside its shift; it stays unused", comp.problem.vehicles[v].id)
            inst.fits[:, v] = 0
    finite = inst.cost[np.isfinite(inst.cost)]
    run.search.fstats[3] = float(finite.max()) if finite.size else 0.0
    run.classes = vehicle_classes(comp)  # after the vehicles that fit no request are known
    run.pool = make_pool(comp, run.classes, seed)
    return run


def _blank_run(comp: Compiled, seed_state: int) -> _Run:
    """Return the scratch and empty solutions of a run on ``comp`` (no vehicle classes or route pool yet)."""
    n, nv = comp.n_requests, comp.n_vehicles
    return _Run(comp=comp, inst=comp.inst, work=make_work(comp.max_len, n), cands=make_cands(comp.max_len),
                search=make_search(n, nv, seed_state), cur=empty_sol(n, nv, comp.max_len),
                best=empty_sol(n, nv, comp.max_len), cand=empty_sol(n, nv, comp.max_len),
                tmp=empty_sol(n, nv, comp.max_len), classes=None, pool=None)


CONSTRUCT_CHUNK = 100
"""Problems with more requests than twice this are built in chunks of this many (by pickup time)."""


def _construct(run: _Run, max_sched: int, deadline: float | None) -> bool:
    """Build the first solution in ``run.cur`` by regret-2 insertion; False if the deadline cut it.

    A large problem is built chunk by chunk (requests in the order of their
    earliest pickup), the deadline checked between chunks. Requests of the
    chunks not reached keep ``run.search.rallow == 0``.
    """
    inst, search = run.inst, run.search
    n = run.comp.n_requests
    if n <= 2 * CONSTRUCT_CHUNK:
        repair(inst, run.cur, run.work, run.cands, search, 2, 0.0, max_sched)
        return True
    order = np.argsort(inst.ne[0 : 2 * n : 2], kind="stable")
    search.rallow[:] = 0
    for a in range(0, n, CONSTRUCT_CHUNK):
        if deadline is not None and time.perf_counter() >= deadline:
            return False
        search.rallow[order[a : a + CONSTRUCT_CHUNK]] = 1
        repair(inst, run.cur, run.work, run.cands, search, 2, 0.0, max_sched)
    return True


def _search(
    run: _Run,
    settings: SearchSettings,
    budget: int,
    deadline: float | None,
    until_time: bool,
    progress: Progress | None,
    out: _Outcome,
    *,
    twins: int = 0,
    seed: int = 0,
) -> None:
    """Improve ``run.best`` by ALNS and recombination until the budget, deadline or convergence.

    The search's relatedness table is built here, after the first solution;
    when a time limit leaves too little time for the table and some search
    after it, the first solution is the plan (``out.cut`` is set).
    ``twins`` more searches (own scratch, random numbers and route pool) run
    the same chunks in threads beside this one; after each chunk every
    search whose best is worse than the best of all takes that over, and
    before each recombination their pools are merged into ``run``'s.
    """
    n = run.comp.n_requests
    if deadline is not None and time.perf_counter() + 2 * relatedness_seconds(n) >= deadline:
        out.cut = True
        return
    comp = with_relatedness(run.comp)
    run.comp, run.inst = comp, comp.inst
    inst = run.inst
    polish(inst, run.best, run.tmp, run.work, run.cands, run.search, settings.polish_passes, settings.schedule_candidates,
           settings.polish_vehicles)
    copy_sol(run.best, run.cur)
    params = settings.params(n, budget)
    runs = [run, *(_twin(run, seed, k) for k in range(1, twins + 1))]
    pool_threads = ThreadPoolExecutor(max_workers=twins) if twins else None
    try:
        _search_loop(runs, settings, params, budget, deadline, until_time, progress, out, pool_threads)
    finally:
        if pool_threads is not None:
            pool_threads.shutdown()
        out.workers = len(runs)
        run.search.istats[1] = sum(int(r.search.istats[1]) for r in runs)


def _twin(run: _Run, seed: int, k: int) -> _Run:
    """Return a second search on ``run``'s problem from its best solution, with its own scratch and seed ``(seed, k)``."""
    twin = _blank_run(run.comp, int(np.random.default_rng((seed, k)).integers(1, 2**63 - 1)))
    twin.search.fstats[3] = run.search.fstats[3]
    twin.search.rallow[:] = run.search.rallow
    twin.classes = run.classes
    twin.pool = make_pool(run.comp, run.classes, seed)  # the same hash keys as run's: merge_pool
    for sol in (twin.cur, twin.best, twin.tmp):
        copy_sol(run.best, sol)
    return twin


def _chunk(r: _Run, params: np.ndarray, it_from: int, it_to: int) -> None:
    alns_chunk(r.inst, r.cur, r.cand, r.best, r.tmp, r.work, r.cands, r.search, r.pool, params, it_from, it_to)


def _share_best(runs: list[_Run]) -> None:
    """Let every search take over the best solution of all.

    Its routes are in the pool of the search that found it; the pools are
    merged before each recombination (:func:`_search_loop`).
    """
    f = [objective_value(r.inst, r.best) for r in runs]
    i = int(np.argmin(f))
    for j, r in enumerate(runs):
        if f[j] > f[i] + 1e-9:
            copy_sol(runs[i].best, r.best)


RECOMBINE_CAP_MIN = 1.0
"""Seconds one recombination may take when searching until a time limit, at least."""

RECOMBINE_CAP_SHARE = 0.03
"""Share of the search time one recombination may take when searching until a time limit.

Most set-partitioning solves of the pr instances take 0.01-0.12 s; one of pr13
took 8.8 s of a 60 s limit while both searches waited (benchmarks/RESULTS.md).
"""


def _recombine_wall(deadline: float | None, t_search: float, until_time: bool) -> float:
    """Seconds the next recombination may take.

    Without a deadline 30 s (a safety cap; the solve has to prove its
    optimum, so the result does not depend on the machine). With a time
    limit as a safety cap, what is left of it. Searching until the time
    limit, also at most :data:`RECOMBINE_CAP_SHARE` of the search time (at
    least :data:`RECOMBINE_CAP_MIN`), and the best combination found by then
    counts (:func:`recombine` ``timed``).
    """
    if deadline is None:
        return 30.0
    left = deadline - time.perf_counter()
    if until_time:
        left = min(left, max(RECOMBINE_CAP_MIN, RECOMBINE_CAP_SHARE * (deadline - t_search)))
    return max(0.05, left)


def _search_loop(
    runs: list[_Run],
    settings: SearchSettings,
    params: np.ndarray,
    budget: int,
    deadline: float | None,
    until_time: bool,
    progress: Progress | None,
    out: _Outcome,
    threads: ThreadPoolExecutor | None,
) -> None:
    """The chunks of :func:`_search`: ALNS (every search), recombination, the clock and convergence."""
    run, inst, n = runs[0], runs[0].inst, runs[0].comp.n_requests
    t_search = time.perf_counter()
    # Under a deadline start with one iteration: on a large problem one
    # iteration can take a second, and the deadline is checked between chunks.
    chunk = 8 if deadline is None else 1
    every = max(1, settings.recombine_every)
    gap = every
    next_sp = every
    f_last = objective_value(inst, run.best)
    while out.done < budget:
        now = time.perf_counter()
        if deadline is not None and now >= deadline:
            out.cut = True
            return
        upto = min(budget, out.done + chunk, next_sp)
        if until_time:
            params[18] = (now - t_search) / max(1e-9, deadline - t_search)  # type: ignore[operator]
        if threads is None:
            _chunk(run, params, out.done, upto)
        else:
            side = [threads.submit(_chunk, r, params.copy(), out.done, upto) for r in runs[1:]]
            _chunk(run, params, out.done, upto)
            for fut in side:
                fut.result()
            _share_best(runs)
        elapsed = time.perf_counter() - now
        out.done = upto
        recombined = False
        if out.done == next_sp or out.done == budget:
            for r in runs[1:]:  # the routes every search met, for the set partitioning
                merge_pool(run.pool, r.pool)
            wall = _recombine_wall(deadline, t_search, until_time)
            if recombine(run.comp, run.pool, run.classes, run.best, run.cur, run.tmp, run.work, run.cands, run.search,
                         settings, wall, timed=until_time):
                out.recombined += 1
                recombined = True
                gap = every
            else:
                # A stagnating search fills the pool with near-best routes and
                # makes each recombination slower: recombine less often then.
                gap = min(2 * gap, every * max(1, settings.recombine_backoff))
            next_sp = out.done + gap
        target = 0.1 if deadline is None else min(0.1, max(0.005, (deadline - time.perf_counter()) / 2))
        chunk = int(max(1, min(10_000, 2 * chunk, target / max(elapsed / max(1, chunk), 1e-7))))
        f_best = objective_value(inst, run.best)
        if f_best < f_last - 1e-9:
            f_last = f_best
            # The kernel records the exact iteration of its last new best (chunk
            # sizes follow the clock, so ``out.done`` would not be reproducible).
            found = max(int(r.search.istats[4]) for r in runs)
            out.last_improvement = out.done if recombined else max(out.last_improvement, found)
        report(progress, out.done, budget, f"best objective {f_best:.6g}")
        log.debug("iteration %d: best objective %.4f", out.done, f_best)
        if until_time and settings.converged(out.done, out.last_improvement, n):
            out.converged = True
            quiet = out.done - out.last_improvement
            report(progress, out.done, budget,
                   f"converged: no better solution in the last {quiet} iterations; best objective {f_best:.6g}")
            return


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
    # Only searches side by side merge their route pools: compile that too,
    # or the first timed search with two workers spends seconds of its limit on it.
    comp = compile_problem(tiny)
    classes = vehicle_classes(comp)
    merge_pool(make_pool(comp, classes, 0), make_pool(comp, classes, 0))


NOT_REACHED = "not planned: the time limit ended the construction before it"
"""Rejection reason of a request the time-limited construction did not reach."""


def _finish(comp: Compiled, sol, work, cands, untried: np.ndarray | None = None) -> Plan:
    """Force on-board passengers into their vehicle, explain rejections, build the plan.

    ``untried`` flags requests the construction never tried (time limit).
    """
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
        r: NOT_REACHED if untried is not None and untried[r] else rejection_reason(comp, r, empty, work, cands)
        for r in range(n)
        if sol.where[r] < 0
    }
    seqs = [sol.seq[v] for v in range(nv)]
    lens = [int(sol.rlen[v]) for v in range(nv)]
    return build_plan(comp, seqs, lens, rejections, work)
