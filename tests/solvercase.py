"""A first solution of the compiled search, for tests of its moves."""

from __future__ import annotations

from typing import Any

from transit.darp.data import Problem
from transit.solver.compiled import Compiled, compile_problem
from transit.solver.repair import repair
from transit.solver.schedule import make_work
from transit.solver.search import make_search
from transit.solver.state import empty_sol, init_route, make_cands


def first_solution(problem: Problem, seed: int) -> tuple[Compiled, Any, Any, Any, Any]:
    """Return ``(compiled, solution, work, cands, search)`` after regret-2 insertion of every request.

    ``seed`` seeds the search state (its random numbers).
    """
    comp = compile_problem(problem)
    inst, n, nv = comp.inst, comp.n_requests, comp.n_vehicles
    w = make_work(comp.max_len, n)
    cands = make_cands(comp.max_len)
    sol = empty_sol(n, nv, comp.max_len)
    for v in range(nv):
        init_route(inst, sol, v, w)
    search = make_search(n, nv, seed)
    repair(inst, sol, w, cands, search, 2, 0.0, 3)
    return comp, sol, w, cands, search
