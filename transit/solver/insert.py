"""A plan that changes while the day runs: fast single-request insertion.

:class:`LivePlan` holds a compiled problem (:mod:`transit.solver.compiled`)
and a solution of the compiled search (:mod:`transit.solver.state`), and
offers what a dispatcher does between two re-optimisations: insert one new
request at its cheapest feasible place (:meth:`LivePlan.best_insertion`,
the solver's own :func:`~transit.solver.state.best_insert` kernel for
every vehicle in one compiled call), narrow a request's pickup window to
the promise made, and move a vehicle along its route as stops are served
(its start node moves to where the vehicle is; a request whose pickup was
served is marked on board, with the ride-time limit counted from then).

All timing goes through the solver's exact kernels
(:mod:`transit.solver.schedule`); nothing here re-implements them. The
compiled arrays are changed in place, so a :class:`LivePlan` belongs to
one simulation. It is compiled once, with every request the day may see
(those not booked yet simply stay unassigned), and without the solver's
relatedness table, which only the search's removals use: its size and the
cost of its changes grow linearly with the requests. Route arrays start
short and grow when a route does; :meth:`LivePlan.set_routes` swaps the
first part of some routes for re-optimised ones, all or nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from transit.darp.data import Plan, Problem, TimeWindow

from transit.solver.compiled import END, PICK, compile_problem
from transit.solver.output import route_from_sequence
from transit.solver.schedule import choose_times, make_work, prepare
from transit.solver.state import Sol, cheapest_insert, empty_sol, init_route, insert_at, make_cands, recompute
from transit.solver.warmstart import apply_initial_plan

#: Route length the arrays of a new live plan hold at first (they grow as routes do).
_FIRST_CAPACITY = 64

__all__ = ["Insertion", "LivePlan"]


class Insertion(tuple):
    """The cheapest insertion of a request: ``(vehicle, i, j, delta_cost)``."""

    __slots__ = ()

    def __new__(cls, vehicle: int, i: int, j: int, cost: float) -> Insertion:
        return super().__new__(cls, (vehicle, i, j, cost))

    @property
    def vehicle(self) -> int:
        """Vehicle index (-1 if the request fits nowhere)."""
        return int(self[0])

    @property
    def cost(self) -> float:
        """Increase of the objective (``inf`` if the request fits nowhere)."""
        return float(self[3])


class LivePlan:
    """A compiled problem with a mutable solution, for insertion and execution.

    Parameters
    ----------
    problem
        The requests that are active or may arrive soon, and the vehicles as
        they are now (start depot = where each vehicle is, shift start =
        when it is free).
    plan
        Routes to start from (warm start); requests it does not serve stay
        unassigned.
    schedule_candidates
        When the objective depends on the schedule, how many cheapest
        positions per vehicle are evaluated with the full schedule.
    """

    def __init__(self, problem: Problem, plan: Plan | None = None, *, schedule_candidates: int = 3) -> None:
        self.problem = problem
        self.comp = compile_problem(problem, relatedness=False)
        self.inst = self.comp.inst
        n, nv = self.comp.n_requests, self.comp.n_vehicles
        self.capacity = 0
        self.sol = empty_sol(n, nv, 0)
        self._grow(_FIRST_CAPACITY)
        self.max_sched = int(schedule_candidates)
        for v in range(nv):
            if not init_route(self.inst, self.sol, v, self.work):
                self.inst.fits[:, v] = 0
        if plan is not None:
            self.load(plan)
        self.request_index = {r.id: k for k, r in enumerate(problem.requests)}
        self.vehicle_index = {v.id: k for k, v in enumerate(problem.vehicles)}

    # ------------------------------------------------------------- sizes
    def _grow(self, length: int) -> None:
        """Make the route arrays hold routes of ``length`` nodes (doubling; never beyond the problem's bound)."""
        if length <= self.capacity:
            return
        cap = min(max(length, 2 * self.capacity, _FIRST_CAPACITY), self.comp.max_len)
        cap = max(cap, length)
        old = self.sol
        n, nv = self.comp.n_requests, self.comp.n_vehicles
        new = empty_sol(n, nv, cap)
        width = old.seq.shape[1]
        for name in ("seq", "E", "G", "ld0", "ld1"):
            getattr(new, name)[:, :width] = getattr(old, name)
        for name in ("rlen", "rarc", "rsched", "rcost", "rnreq", "where"):
            getattr(new, name)[:] = getattr(old, name)
        self.sol: Sol = new
        self.work = make_work(cap, n)
        self.cands = make_cands(cap)
        self.capacity = cap

    def _room(self, extra: int) -> None:
        """Make room for ``extra`` more nodes on the longest route."""
        self._grow(int(self.sol.rlen.max(initial=0)) + extra)

    def load(self, plan: Plan) -> None:
        """Load the routes of ``plan`` (a warm start; see :func:`~transit.solver.warmstart.apply_initial_plan`)."""
        longest = max((len(r.stops) for r in plan.routes), default=0)
        self._grow(longest + 2 * int(self.inst.vbrkn.max(initial=0)) + 4)
        apply_initial_plan(self.comp, self.sol, plan, self.work)

    # ------------------------------------------------------------- queries
    @property
    def n_vehicles(self) -> int:
        """Number of vehicles."""
        return self.comp.n_vehicles

    def vehicle_of(self, r: int) -> int:
        """Return the vehicle serving request index ``r`` (-1 if unassigned)."""
        return int(self.sol.where[r])

    def nodes(self, v: int) -> np.ndarray:
        """Return the node sequence of vehicle ``v`` (START ... END)."""
        return self.sol.seq[v, : self.sol.rlen[v]].copy()

    def node_kind(self, node: int) -> int:
        """Return PICK, DROP, BREAK, START or END of a node."""
        return int(self.inst.nkind[node])

    def node_request(self, node: int) -> int:
        """Return the request index of a node (-1 for START, END, BREAK)."""
        return int(self.inst.nreq[node])

    def node_location(self, node: int) -> int:
        """Return the location (matrix index) of a node."""
        return int(self.inst.nloc[node])

    def service_time(self, node: int) -> float:
        """Return the service time at a node."""
        return float(self.inst.ns[node])

    def times(self, v: int) -> np.ndarray:
        """Return the chosen start-of-service times of vehicle ``v``'s route.

        The schedule is the one a plan shows (:func:`~transit.solver.schedule.choose_times`):
        feasible, waiting before boarding rather than with passengers on board.

        Raises
        ------
        RuntimeError
            If the route is infeasible (a bug: every change keeps it feasible).
        """
        m = int(self.sol.rlen[v])
        seq = self.sol.seq[v]
        ok = prepare(self.inst, seq, m, self.work) and choose_times(
            self.inst.tt, m, self.work, float(self.inst.vmaxdur[v])
        )
        if not ok:
            msg = f"route of vehicle {self.problem.vehicles[v].id!r} became infeasible"
            raise RuntimeError(msg)
        return self.work.B[:m].copy()

    def latest_start(self, v: int) -> float:
        """Return the latest time vehicle ``v`` may leave where it is and stay feasible."""
        return float(self.sol.G[v, 0])

    # ------------------------------------------------------------- changes
    def best_insertion(self, r: int) -> Insertion:
        """Return the cheapest feasible insertion of request index ``r`` over all vehicles.

        Ties go to the lower vehicle index. The plan is not changed.
        """
        self._room(2)
        c, v, i, j = cheapest_insert(self.inst, self.sol, r, self.work, self.cands, self.max_sched)
        if v < 0:
            return Insertion(-1, -1, -1, math.inf)
        return Insertion(int(v), int(i), int(j), float(c))

    def insert(self, r: int, ins: Insertion) -> None:
        """Apply an insertion found by :meth:`best_insertion`.

        Raises
        ------
        RuntimeError
            If the insertion is not feasible after all.
        """
        v, i, j, _ = ins
        self._room(2)
        if not insert_at(self.inst, self.sol, r, v, i, j, self.work):
            msg = f"insertion of request {self.problem.requests[r].id!r} turned out infeasible"
            raise RuntimeError(msg)

    def narrow_pickup(self, r: int, window: TimeWindow) -> None:
        """Restrict request ``r``'s pickup to ``window`` (a promise); keeps the route feasible.

        The drop-off window is tightened from it as the compiler tightens
        windows (direct time and ride-time limit).
        """
        inst = self.inst
        p, d = 2 * r, 2 * r + 1
        inst.ne[p] = max(float(inst.ne[p]), window.earliest)
        inst.nl[p] = min(float(inst.nl[p]), window.latest)
        if not inst.ronb[r]:
            s = float(inst.ns[p])
            direct = float(inst.tt[inst.nloc[p], inst.nloc[d]])
            if math.isfinite(direct):
                inst.ne[d] = max(float(inst.ne[d]), float(inst.ne[p]) + s + direct)
            if math.isfinite(float(inst.rL[r])):
                inst.nl[d] = min(float(inst.nl[d]), float(inst.nl[p]) + s + float(inst.rL[r]))
        v = self.vehicle_of(r)
        if v >= 0 and not recompute(self.inst, self.sol, v, self.work):
            msg = f"promise to request {self.problem.requests[r].id!r} does not fit its route"
            raise RuntimeError(msg)

    def hold_until(self, v: int, t: float) -> bool:
        """Let vehicle ``v`` leave where it is no earlier than ``t``; return feasibility."""
        s = int(self.inst.vstart[v])
        if self.inst.ne[s] >= t:
            return True
        self.inst.ne[s] = t
        return bool(recompute(self.inst, self.sol, v, self.work))

    def serve_next(self, v: int, free_at: float) -> int:
        """Take the first stop after START off vehicle ``v``'s route: it has been served.

        The vehicle's start node moves to that stop's location, free from
        ``free_at`` (end of service there). A pickup puts its request on
        board (ride time counted from ``free_at``); a drop-off finishes it.
        Returns the node that was served.
        """
        inst = self.inst
        m = int(self.sol.rlen[v])
        seq = self.sol.seq[v]
        node = int(seq[1])
        if inst.nkind[node] == END:
            msg = "serve_next cannot serve END"
            raise ValueError(msg)
        s = int(inst.vstart[v])
        inst.nloc[s] = inst.nloc[node]
        inst.ne[s] = free_at
        r = int(inst.nreq[node])
        if inst.nkind[node] == PICK:
            d = 2 * r + 1
            inst.ronb[r] = 1
            inst.rboard[r] = free_at
            inst.ne[d] = max(float(inst.ne[d]), free_at)
            inst.nl[d] = min(float(inst.nl[d]), free_at + float(inst.rL[r]))
        elif r >= 0:
            # A drop-off: the request is finished and no longer on any route.
            self.sol.where[r] = -1
            inst.fits[r, :] = 0
        seq[1 : m - 1] = seq[2:m].copy()
        self.sol.rlen[v] = m - 1
        if not recompute(inst, self.sol, v, self.work):
            msg = f"route of vehicle {self.problem.vehicles[v].id!r} infeasible after serving a stop"
            raise RuntimeError(msg)
        return node

    def fix_departure(self, v: int, departed_at: float) -> None:
        """Record that vehicle ``v`` left its depot at ``departed_at``.

        A maximum route duration then becomes a deadline for the return to
        the depot (the start node keeps moving with the vehicle).
        """
        inst = self.inst
        if math.isfinite(inst.vmaxdur[v]):
            e = int(inst.vend[v])
            inst.nl[e] = min(float(inst.nl[e]), departed_at + float(inst.vmaxdur[v]))
            inst.vmaxdur[v] = np.inf
            recompute(inst, self.sol, v, self.work)

    def set_routes(self, routes: Mapping[int, Sequence[int]]) -> bool:
        """Give vehicles new routes (nodes between START and END), all or none.

        Requests on the new routes are assigned to their vehicle; requests
        that were on the old routes and are on none of the new ones become
        unassigned. If any new route is infeasible, every route and
        assignment stays as it was and False is returned.
        """
        inst = self.inst
        self._grow(max((len(nodes) + 2 for nodes in routes.values()), default=0))
        sol = self.sol
        saved = {v: sol.seq[v, : sol.rlen[v]].copy() for v in routes}
        before = {int(inst.nreq[nd]): int(sol.where[inst.nreq[nd]]) for v in routes for nd in saved[v]
                  if inst.nreq[nd] >= 0}
        for r in before:
            sol.where[r] = -1
        ok = True
        for v, nodes in routes.items():
            seq = [int(inst.vstart[v]), *(int(x) for x in nodes), int(inst.vend[v])]
            sol.seq[v, : len(seq)] = seq
            sol.rlen[v] = len(seq)
            for nd in nodes:
                r = int(inst.nreq[nd])
                if r >= 0:
                    before.setdefault(r, int(sol.where[r]))
                    sol.where[r] = v
            ok = ok and bool(recompute(inst, sol, v, self.work))
        if ok:
            return True
        for v, seq in saved.items():
            sol.seq[v, : len(seq)] = seq
            sol.rlen[v] = len(seq)
        for r, v in before.items():
            sol.where[r] = v
        for v in saved:
            recompute(inst, sol, v, self.work)
        return False

    def close(self, v: int) -> None:
        """Take vehicle ``v`` out of service: nothing more is inserted into it."""
        self.inst.fits[:, v] = 0

    def to_plan(self) -> Plan:
        """Return the current routes as a plan of this problem (unassigned requests not listed)."""
        routes = []
        for v in range(self.comp.n_vehicles):
            route, ok = route_from_sequence(self.comp, v, self.sol.seq[v], int(self.sol.rlen[v]), self.work)
            if not ok:
                msg = f"route of vehicle {self.problem.vehicles[v].id!r} became infeasible"
                raise RuntimeError(msg)
            routes.append(route)
        return Plan(routes=tuple(routes))
