"""Simulate one service day of an on-demand service (event-driven, rolling horizon).

The day
-------
1. **Cut-off.** Requests booked before ``settings.cutoff`` (or with an
   unknown booking time) are pre-booked: they are planned together with
   :func:`transit.solver.solve` (work budget ``cutoff_iterations``; above
   ``cutoff_solve_max`` requests by cheapest insertion in order of their
   pickup windows); each is accepted with a promised pickup window or
   rejected with a reason.
2. **Bookings.** Every later request is revealed at its ``booked_at`` and
   decided at once: inserted at its cheapest feasible place in the running
   plan (:class:`transit.solver.insert.LivePlan`) and promised a pickup
   window (``ServiceRules.promise`` around the planned pickup), or rejected
   with a reason.
3. **Rolling horizon.** Every ``reopt_interval_min`` simulated minutes the
   part of the plan not yet executed, up to ``reopt_horizon_min`` ahead, is
   re-optimised with ``solve(..., initial_plan=current,
   iterations=reopt_iterations)``: each route is cut at its first stop
   after the horizon that the vehicle reaches empty, the solver sees the
   part before the cut (ending at the cut stop no later than the latest
   time that keeps the rest feasible), and the rest stays unchanged. The
   whole fleet is one problem (or, with ``reopt_group_vehicles``, groups
   of vehicles near each other, different groups each time). Promises are
   kept because they *are* the requests' pickup windows from then on;
   passengers on board are requests with ``picked_up_at`` and
   ``assigned_vehicle``; each vehicle starts from
   where it is, when it is free. A re-optimised group that would drop an
   accepted request, or does not load back into the live plan, is
   discarded (a safety net; counted in :attr:`DayStats.reopt_discarded`).
   The live plan (:class:`transit.solver.insert.LivePlan`) is compiled once
   for the day and changed in place: nothing is rebuilt from all accepted
   requests.
4. **Driving.** Vehicles follow the plan's schedule (waiting is done
   before boarding, where the vehicle is empty). A vehicle that has left a
   stop is committed to the next one (no diversion en route). A vehicle
   with nothing to do waits where it is and drives back to its depot when
   it must to be there by the end of its shift (or, after the last booking
   of the day, as soon as its work is done). Drivers are on duty for the
   whole shift: the START stop's arrival is the shift start and the END
   stop's departure the shift end.
5. **Check.** The executed day (every vehicle's stops, the requests with
   their promised windows, and the rejections) is checked with the
   independent checker (:func:`transit.darp.checker.check`); a violation raises
   :class:`~transit.errors.SolverError`.

Everything is deterministic: the solver runs on a work budget (iterations),
never on a clock, and its seeds derive from ``seed``. Wall-clock times are
measured (decision latency, re-optimisation time) but only reported in
:class:`DayStats`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from transit.darp.checker import check
from transit.errors import ProblemDataError, SolverError
from transit.darp.data import Break, Plan, Problem, Rejection, Request, Route, Stop, StopKind, TimeWindow, Vehicle
from transit.util.progress import Progress, report
from transit.darp.service import ServiceRules
from transit.solver import BREAK, DROP, PICK, LivePlan, SearchSettings, solve

__all__ = ["DayResult", "DayStats", "Decision", "SimSettings", "simulate_day"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimSettings:
    """How the service day is run.

    Parameters
    ----------
    cutoff
        Requests booked before this time (seconds since midnight of the
        service day; negative = the day before) or with an unknown booking
        time are pre-booked and planned together at the cut-off. Default 0
        (midnight: everything booked the day before).
    reopt_interval_min
        Rolling horizon: re-optimise every so many simulated minutes; 0
        disables re-optimisation (insertion only). Default 20.
    reopt_horizon_min
        Re-optimise the routes up to this far ahead: each route is cut at
        its first stop after ``now + horizon`` that the vehicle reaches
        empty; the rest of the route stays as it is (the cut is a deadline:
        the latest time that stop can start). Default 60.
    cutoff_iterations
        Solver work budget (ALNS iterations) for the cut-off plan.
    cutoff_solve_max
        With more pre-booked requests than this, the cut-off plan is built
        by inserting them one by one in order of their pickup windows (as
        live bookings are) instead of the solver's regret construction,
        whose time grows with the square of the requests. Default 400.
    reopt_iterations
        Solver work budget for each re-optimisation (of each group of vehicles).
    reopt_group_vehicles
        0 (the default): the whole fleet is one problem. A fleet
        larger than a positive value is re-optimised in groups of at most so
        many vehicles near each other (the groups change from one
        re-optimisation to the next): faster, but a request cannot move to
        another group's vehicle (a 10,000-request day with 100 vehicles in
        groups of 25 served 1.2 points fewer requests).
    schedule_candidates
        Positions per vehicle evaluated with the full schedule when a
        booking is inserted (see :class:`transit.solver.insert.LivePlan`).
    check
        Check the executed day with the independent checker.
    search
        Settings of the solver's search at the cut-off and in the
        re-optimisations (:class:`transit.solver.SearchSettings`).
    """

    cutoff: float = 0.0
    reopt_interval_min: float = 20.0
    reopt_horizon_min: float = 60.0
    cutoff_iterations: int = 200
    cutoff_solve_max: int = 400
    reopt_iterations: int = 50
    reopt_group_vehicles: int = 0
    schedule_candidates: int = 3
    check: bool = True
    search: SearchSettings = field(default_factory=SearchSettings)

    def __post_init__(self) -> None:
        if not math.isfinite(self.cutoff):
            msg = "cutoff must be a finite time"
            raise ProblemDataError(msg)
        if min(self.reopt_interval_min, self.reopt_horizon_min, self.cutoff_iterations,
               self.cutoff_solve_max, self.reopt_iterations, self.reopt_group_vehicles) < 0:
            msg = "intervals, horizons and iteration budgets must be >= 0"
            raise ProblemDataError(msg)


@dataclass(frozen=True)
class Decision:
    """What the operator told one booking.

    Parameters
    ----------
    request_id
        The request.
    decided_at
        Simulated time of the decision (the cut-off for pre-booked requests).
    accepted
        Whether the booking was accepted.
    promise
        The promised pickup window (None if rejected).
    reason
        Why it was rejected ("" if accepted).
    prebooked
        Whether it was planned at the cut-off.
    """

    request_id: str
    decided_at: float
    accepted: bool
    promise: TimeWindow | None
    reason: str
    prebooked: bool


@dataclass(frozen=True)
class DayResult:
    """The executed day.

    Parameters
    ----------
    problem
        The day's problem with every accepted request's pickup window
        narrowed to its promise (what the executed plan is checked against).
    plan
        The executed routes (one per vehicle, START to END) and the
        rejected requests with reasons.
    decisions
        Per request id, the decision at booking time.
    stats
        Counts and wall-clock measurements (:class:`DayStats`).
    """

    problem: Problem
    plan: Plan
    decisions: Mapping[str, Decision]
    stats: DayStats = field(default_factory=lambda: DayStats())


@dataclass
class DayStats:
    """Counts and wall-clock measurements of a simulated day.

    The counts are deterministic; the times (``decision_ms``,
    ``reopt_seconds``, ``cutoff_seconds``) are not and never enter the logs.

    Parameters
    ----------
    prebooked, live_bookings
        Bookings planned at the cut-off and bookings decided live.
    reoptimisations
        Rolling re-optimisations run.
    reopt_discarded
        Re-optimised groups discarded by the safety net (dropping an accepted
        request, or not loading back into the live plan).
    reopt_cut_routes
        Routes cut at the re-optimisation horizon (later stops kept as they were).
    reopt_groups
        Problems solved by the re-optimisations (groups of vehicles; one per
        re-optimisation for a fleet of at most ``reopt_group_vehicles``).
    decision_ms
        Time of each live booking decision, milliseconds.
    reopt_seconds
        Time of each re-optimisation.
    reopt_requests
        Requests in the horizon of each re-optimisation (the problems' sizes,
        summed over its groups; deterministic).
    cutoff_seconds
        Time of the plan made at the cut-off.
    """

    prebooked: int = 0
    live_bookings: int = 0
    reoptimisations: int = 0
    reopt_discarded: int = 0
    reopt_cut_routes: int = 0
    reopt_groups: int = 0
    decision_ms: list[float] = field(default_factory=list)
    reopt_seconds: list[float] = field(default_factory=list)
    reopt_requests: list[int] = field(default_factory=list)
    cutoff_seconds: float = 0.0


@dataclass
class _Vehicle:
    """A vehicle during the day: where it is, what it did."""

    spec: Vehicle
    loc: int
    avail: float
    breaks: list[Break]
    stops: list[dict[str, Any]]
    departed: float | None = None
    finished: bool = False


@dataclass
class _Req:
    """A request during the day."""

    request: Request
    booked_at: float | None
    state: str = "future"  # future | accepted | onboard | done | rejected
    promise: TimeWindow | None = None
    vehicle: str | None = None
    picked_up_at: float | None = None


def _seed(seed: int, *k: int) -> int:
    return int(np.random.default_rng([int(seed) & 0xFFFFFFFF, *k]).integers(0, 2**31 - 1))


@dataclass
class _Head:
    """The part of one vehicle's route a re-optimisation may change (up to the cut) and the rest.

    ``requests`` (global indices), ``breaks`` (the vehicle's breaks) with
    their live ``break_nodes``, and ``stops`` (a warm start) lie before the
    cut; ``tail`` is the live nodes from the cut stop to before END;
    ``cut_at`` is ``(location, deadline, breaks)`` of a cut route (None if
    the whole route is in the head).
    """

    v: int
    cut: int
    tail: list[int]
    requests: list[int] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    break_nodes: list[int] = field(default_factory=list)
    stops: list[Stop] = field(default_factory=list)
    cut_at: tuple[int, float, list[Break]] | None = None


class _Day:
    """The state of a simulated day (see the module docstring)."""

    def __init__(
        self,
        problem: Problem,
        booked_at: Sequence[float | None],
        rules: ServiceRules,
        settings: SimSettings,
        seed: int,
    ) -> None:
        self.day = problem
        self.rules = rules
        self.settings = settings
        self.seed = int(seed)
        self.tt = problem.travel_time
        self.reqs = [_Req(r, b) for r, b in zip(problem.requests, booked_at, strict=True)]
        self.vehs = [
            _Vehicle(
                spec=v,
                loc=v.start_depot,
                avail=v.shift.earliest,
                breaks=sorted(v.breaks, key=lambda b: (b.earliest_start, b.latest_end)),
                stops=[
                    {
                        "kind": StopKind.START,
                        "location": v.start_depot,
                        "arrival": v.shift.earliest,
                        "start": v.shift.earliest,
                        "departure": None,
                        "request_id": None,
                    }
                ],
            )
            for v in problem.vehicles
        ]
        self.decisions: dict[str, Decision] = {}
        self.index_of = {r.id: g for g, r in enumerate(problem.requests)}
        self.live: LivePlan | None = None
        self.live_req: list[int] = []  # local request index -> global
        self.live_veh: list[int] = []  # local vehicle index -> global
        self.live_breaks: list[list[Break]] = []  # per local vehicle: its breaks in compiled order
        self.local_of: dict[int, int] = {}
        self.next_dep: dict[int, float] = {}  # local vehicle -> time of its next move
        self.stats = DayStats()

    # ------------------------------------------------------------ problems
    def _request_now(self, g: int) -> Request:
        q = self.reqs[g]
        r = q.request
        if q.promise is not None:
            r = r.replace(pickup_window=q.promise)
        if q.state == "onboard":
            r = r.replace(assigned_vehicle=q.vehicle, picked_up_at=q.picked_up_at)
        return r

    def _vehicle_now(
        self, k: int, now: float, *, cut: tuple[int, float, list[Break]] | None = None
    ) -> tuple[Vehicle, list[Break]]:
        """Return vehicle ``k`` as it is now, and its remaining breaks in compiled order.

        ``cut = (location, deadline, breaks)`` ends the route at ``location``
        by ``deadline`` with only those breaks (a horizon re-optimisation).
        """
        st = self.vehs[k]
        v = st.spec
        start = max(st.avail, now, v.shift.earliest)
        latest = v.shift.latest
        end = v.end_depot
        maxdur = v.max_route_duration
        if st.departed is not None and maxdur is not None:
            latest = min(latest, st.departed + maxdur)
            maxdur = None
        todo = st.breaks
        if cut is not None:
            end, deadline, todo = cut
            latest = min(latest, deadline)
        latest = max(latest, start)
        pairs = []
        for b in todo:
            e = max(b.earliest_start, start)
            l_end = min(max(b.latest_end, e + b.duration), latest)
            if l_end - e >= b.duration:
                # At the real end depot even when the route is cut short (END elsewhere).
                where = v.end_depot if b.location is None else b.location
                pairs.append((Break(e, l_end, b.duration, where), b))
        pairs.sort(key=lambda p: (p[0].earliest_start, p[0].latest_end))
        veh = v.replace(
            start_depot=st.loc,
            end_depot=end,
            shift=TimeWindow(start, latest),
            breaks=tuple(p[0] for p in pairs),
            max_route_duration=maxdur,
        )
        return veh, [p[1] for p in pairs]

    def _problem(
        self,
        globals_: list[int],
        vehicles: list[int],
        now: float,
        cuts: Mapping[int, tuple[int, float, list[Break]]] | None = None,
    ) -> tuple[Problem, list[list[Break]]]:
        cuts = cuts or {}
        made = [self._vehicle_now(k, now, cut=cuts.get(k)) for k in vehicles]
        prob = self.day.replace(
            requests=tuple(self._request_now(g) for g in globals_),
            vehicles=tuple(m[0] for m in made),
        )
        return prob, [m[1] for m in made]

    def _active(self) -> list[int]:
        return [g for g, q in enumerate(self.reqs) if q.state in ("accepted", "onboard")]

    def start(self, now: float) -> None:
        """Compile the live plan of the whole day: every request (unassigned until decided), every vehicle."""
        self.live_req = list(range(len(self.reqs)))
        self.live_veh = list(range(len(self.vehs)))
        prob, self.live_breaks = self._problem(self.live_req, self.live_veh, now)
        self.live = LivePlan(prob, None, schedule_candidates=self.settings.schedule_candidates)
        self.local_of = {g: g for g in self.live_req}
        self.next_dep = {v: self._next_move(v) for v in range(len(self.live_veh))}

    def _hold_all(self, now: float) -> None:
        """Let no vehicle leave where it is before ``now`` (time has come that far)."""
        live = self.live
        assert live is not None
        for v in range(len(self.live_veh)):
            if not self.vehs[self.live_veh[v]].finished and not live.hold_until(v, now):
                msg = f"vehicle {self.vehs[self.live_veh[v]].spec.id!r} cannot wait until {now:.0f} s"
                raise SolverError(msg)

    # ------------------------------------------------------------ driving
    def _next_move(self, v: int) -> float:
        """Return when local vehicle ``v`` next leaves where it is (``inf`` if finished)."""
        st = self.vehs[self.live_veh[v]]
        if st.finished:
            return math.inf
        assert self.live is not None
        nodes = self.live.nodes(v)
        if len(nodes) <= 2:
            return self.live.latest_start(v)
        return float(self.live.times(v)[0])

    def _set_departure(self, st: _Vehicle, dep: float) -> None:
        st.stops[-1]["departure"] = dep
        if st.departed is None:
            st.departed = dep

    def _advance(self, now: float, *, final: bool = False) -> None:
        """Move every vehicle along its plan up to time ``now``."""
        live = self.live
        assert live is not None
        for v in range(len(self.live_veh)):
            st = self.vehs[self.live_veh[v]]
            while not st.finished and (final or self.next_dep[v] <= now):
                nodes = live.nodes(v)
                if len(nodes) <= 2:
                    dep = self.next_dep[v] if not final else max(self._earliest_home(v, now), st.avail)
                    dep = min(dep, live.latest_start(v))
                    self._go_home(v, st, dep)
                    break
                times = live.times(v)
                dep = float(times[0])
                if not final and dep > now:
                    self.next_dep[v] = dep
                    break
                self._serve(v, st, int(nodes[1]), dep, float(times[1]))
                self.next_dep[v] = self._next_move(v)

    def _earliest_home(self, v: int, now: float) -> float:
        assert self.live is not None
        return max(float(self.live.times(v)[0]), now)

    def _serve(self, v: int, st: _Vehicle, node: int, dep: float, start: float) -> None:
        live = self.live
        assert live is not None
        if st.departed is None:
            live.fix_departure(v, dep)
        self._set_departure(st, dep)
        loc = live.node_location(node)
        arrival = dep + float(self.tt[st.loc, loc])
        start = max(start, arrival)
        free = start + live.service_time(node)
        kind = live.node_kind(node)
        r = live.node_request(node)
        rid = None
        if kind == PICK:
            g = self.live_req[r]
            q = self.reqs[g]
            q.state, q.vehicle, q.picked_up_at = "onboard", st.spec.id, free
            rid = q.request.id
            stop_kind = StopKind.PICKUP
        elif kind == DROP:
            g = self.live_req[r]
            self.reqs[g].state = "done"
            rid = self.reqs[g].request.id
            stop_kind = StopKind.DROPOFF
        elif kind == BREAK:
            taken = self.live_breaks[v][node - int(live.inst.brk[live.inst.vbrk0[v]])]
            st.breaks.remove(taken)
            stop_kind = StopKind.BREAK
        else:  # pragma: no cover - START/END never sit at position 1 here
            msg = f"unexpected stop kind {kind}"
            raise SolverError(msg)
        st.stops.append(
            {"kind": stop_kind, "location": loc, "arrival": arrival, "start": start, "departure": None, "request_id": rid}
        )
        live.serve_next(v, free)
        st.loc, st.avail = loc, free

    def _go_home(self, v: int, st: _Vehicle, dep: float) -> None:
        assert self.live is not None
        self._set_departure(st, dep)
        end = st.spec.end_depot
        arrival = dep + float(self.tt[st.loc, end])
        st.stops.append(
            {
                "kind": StopKind.END,
                "location": end,
                "arrival": arrival,
                "start": arrival,
                "departure": max(arrival, st.spec.shift.latest),
                "request_id": None,
            }
        )
        st.loc, st.avail, st.finished = end, arrival, True
        self.live.close(v)
        self.next_dep[v] = math.inf

    # ------------------------------------------------------------ decisions
    def _accept(self, g: int, planned: float, now: float, *, prebooked: bool) -> TimeWindow:
        q = self.reqs[g]
        promise = self.rules.promise(planned, q.request.pickup_window)
        q.state, q.promise = "accepted", promise
        self.decisions[q.request.id] = Decision(q.request.id, now, True, promise, "", prebooked)
        return promise

    def _reject(self, g: int, reason: str, now: float, *, prebooked: bool) -> None:
        q = self.reqs[g]
        q.state = "rejected"
        self.decisions[q.request.id] = Decision(q.request.id, now, False, None, reason, prebooked)

    def _decide(self, g: int, now: float) -> None:
        live = self.live
        assert live is not None
        t0 = time.perf_counter()
        self._hold_all(now)
        r = self.local_of[g]
        ins = live.best_insertion(r)
        if ins.vehicle < 0:
            self._reject(g, self._reason(r, now), now, prebooked=False)
        else:
            v = ins.vehicle
            live.insert(r, ins)
            nodes = live.nodes(v)
            times = live.times(v)
            pos = int(np.flatnonzero(nodes == 2 * r)[0])
            promise = self._accept(g, float(times[pos]), now, prebooked=False)
            live.narrow_pickup(r, promise)
            self.next_dep[v] = self._next_move(v)
        self.stats.decision_ms.append((time.perf_counter() - t0) * 1000.0)

    def _reason(self, r: int, now: float) -> str:
        """Explain a rejection at booking time in plain words."""
        live = self.live
        assert live is not None
        req = live.problem.requests[r]
        p = 2 * r
        latest = float(live.inst.nl[p])
        if latest < now:
            return "booked too late: the pickup window has already passed"
        in_service = []
        for v, k in enumerate(self.live_veh):
            st = self.vehs[k]
            if st.finished or not st.spec.fits(req):
                continue
            if st.spec.shift.earliest <= latest and st.spec.shift.latest >= float(live.inst.ne[2 * r + 1]):
                in_service.append((v, st))
        if not in_service:
            return "no vehicle is in service at that time"
        reach = [
            st for _, st in in_service if max(st.avail, now) + float(self.tt[st.loc, req.pickup]) <= latest
        ]
        if not reach:
            return "too short notice: no vehicle can reach the pickup in its window"
        return "no capacity at that time (fleet busy)"

    # ------------------------------------------------------------ planning
    def cutoff(self, pre: list[int], progress: Progress | None) -> None:
        """Plan the pre-booked requests together; accept or reject each; the plan goes into the live plan."""
        s = self.settings
        t0 = time.perf_counter()
        if not pre:
            return
        live = self.live
        assert live is not None
        vehicles = list(range(len(self.vehs)))
        report(progress, 0, 1, f"planning {len(pre)} pre-booked requests")
        if len(pre) <= s.cutoff_solve_max:
            prob, _ = self._problem(pre, vehicles, s.cutoff)
            plan = solve(prob, iterations=s.cutoff_iterations, seed=_seed(self.seed, 0), settings=s.search)
            live.load(plan)
        else:
            plan = self._insert_all(pre)
        reasons = {x.request_id: x.reason for x in plan.rejected}
        planned: dict[str, float] = {}
        for route in plan.routes:
            for stop in route.stops:
                if stop.kind == StopKind.PICKUP and stop.request_id is not None:
                    planned[stop.request_id] = stop.start
        for g in pre:
            rid = self.reqs[g].request.id
            if rid not in planned:
                self._reject(g, reasons.get(rid, "not planned"), s.cutoff, prebooked=True)
                continue
            if live.vehicle_of(self.local_of[g]) < 0:
                msg = f"the cut-off plan lost accepted request {rid!r}"
                raise SolverError(msg)
            promise = self._accept(g, planned[rid], s.cutoff, prebooked=True)
            live.narrow_pickup(self.local_of[g], promise)
        self.next_dep = {v: self._next_move(v) for v in range(len(self.live_veh))}
        self.stats.cutoff_seconds = time.perf_counter() - t0

    def _insert_all(self, pre: list[int]) -> Plan:
        """Insert ``pre`` into the live plan one by one in order of their pickup windows; return the plan."""
        s = self.settings
        live = self.live
        assert live is not None
        order = sorted(pre, key=lambda g: (float(live.inst.ne[2 * self.local_of[g]]), g))
        rejected = []
        for g in order:
            r = self.local_of[g]
            ins = live.best_insertion(r)
            if ins.vehicle < 0:
                rejected.append(Rejection(self.reqs[g].request.id, self._reason(r, s.cutoff)))
            else:
                live.insert(r, ins)
        return live.to_plan().replace(rejected=tuple(rejected))

    def _head(self, v: int, horizon: float) -> _Head:
        """Return the part of local vehicle ``v``'s route the re-optimisation at ``horizon`` may change."""
        live = self.live
        assert live is not None
        nodes = live.nodes(v)
        m = len(nodes)
        times = live.times(v)
        cut = m - 1
        if not np.isfinite(live.inst.vmaxdur[v]):
            for pos in range(1, m - 1):
                empty = live.sol.ld0[v, pos - 1] == 0 and live.sol.ld1[v, pos - 1] == 0
                if times[pos] > horizon and empty:
                    cut = pos
                    break
        brk0 = int(live.inst.brk[live.inst.vbrk0[v]]) if live.inst.vbrkn[v] else 0
        head = _Head(v=v, cut=cut, tail=[int(x) for x in nodes[cut : m - 1]])
        for pos in range(1, cut):
            node = int(nodes[pos])
            r = live.node_request(node)
            kind = live.node_kind(node)
            if r >= 0:
                head.requests.append(self.live_req[r])
            elif kind == BREAK:
                head.breaks.append(self.live_breaks[v][node - brk0])
                head.break_nodes.append(node)
            stop_kind = StopKind.PICKUP if kind == PICK else StopKind.DROPOFF if kind == DROP else StopKind.BREAK
            t = float(times[pos])
            rid = self.reqs[self.live_req[r]].request.id if r >= 0 else None
            head.stops.append(Stop(stop_kind, live.node_location(node), t, t, t + live.service_time(node), 0, 0, rid))
        if cut < m - 1:
            head.cut_at = (live.node_location(int(nodes[cut])), float(live.sol.G[v, cut]), list(head.breaks))
        return head

    def _medoid(self, head: _Head) -> int:
        """Return the place of a head that is nearest (in travel time) to all its other places."""
        locs = np.unique(np.array([self.vehs[self.live_veh[head.v]].loc, *(s.location for s in head.stops)], np.int64))
        sub = self.tt[np.ix_(locs, locs)]
        return int(locs[int(np.argmin(sub.sum(axis=0) + sub.sum(axis=1)))])

    def _groups(self, heads: list[_Head], k: int) -> list[list[_Head]]:
        """Split the vehicles into groups of at most ``reopt_group_vehicles`` that work near each other.

        A vehicle's place is the medoid of where it is and of its head's
        stops. Each group starts from the first vehicle left, in an order
        that rotates with ``k`` (so the groups differ from one
        re-optimisation to the next), and takes the vehicles whose places are
        nearest to it (travel time both ways).
        """
        size = self.settings.reopt_group_vehicles
        if size <= 0 or len(heads) <= size:
            return [heads]
        loc = {h.v: self._medoid(h) for h in heads}
        left = heads[k % len(heads):] + heads[: k % len(heads)]
        groups = []
        while left:
            first = left[0]
            a = loc[first.v]
            near = sorted(left[1:], key=lambda h: (float(self.tt[a, loc[h.v]] + self.tt[loc[h.v], a]), h.v))
            group = [first, *near[: size - 1]]
            taken = {h.v for h in group}
            left = [h for h in left if h.v not in taken]
            groups.append(sorted(group, key=lambda h: h.v))
        return groups

    def reoptimise(self, now: float, k: int) -> None:
        """Re-optimise the routes up to the horizon (see :class:`SimSettings`), group by group, in place.

        A group's new routes replace the old ones only if the solver keeps
        every accepted request and the routes load back into the live plan
        (a safety net; counted in :attr:`DayStats.reopt_discarded`).
        """
        live = self.live
        assert live is not None
        if self.settings.reopt_iterations <= 0:
            return
        t0 = time.perf_counter()
        self._hold_all(now)
        horizon = now + self.settings.reopt_horizon_min * 60.0
        heads = [self._head(v, horizon) for v in range(len(self.live_veh)) if not self.vehs[self.live_veh[v]].finished]
        groups = self._groups(heads, k)
        solved = [self._reoptimise_group(group, now, k, j) for j, group in enumerate(groups)]
        if any(solved):
            self.stats.reopt_groups += sum(1 for n in solved if n)
            self.stats.reopt_seconds.append(time.perf_counter() - t0)
            self.stats.reopt_requests.append(sum(solved))
            self.stats.reoptimisations += 1
            self.stats.reopt_cut_routes += sum(1 for h in heads if h.cut_at is not None)

    def _reoptimise_group(self, group: list[_Head], now: float, k: int, j: int) -> int:
        """Re-optimise the heads of one group; return its number of requests (0: nothing to re-optimise)."""
        live = self.live
        assert live is not None
        active = sorted({g for h in group for g in h.requests if self.reqs[g].state in ("accepted", "onboard")})
        if not active:
            return 0
        vehicles = [self.live_veh[h.v] for h in group]
        cuts = {self.live_veh[h.v]: h.cut_at for h in group if h.cut_at is not None}
        prob, _ = self._problem(active, vehicles, now, cuts)
        warm = Plan(routes=tuple(Route(self.vehs[self.live_veh[h.v]].spec.id, tuple(h.stops)) for h in group))
        seed = _seed(self.seed, k) if j == 0 else _seed(self.seed, k, j)
        new = solve(prob, iterations=self.settings.reopt_iterations, seed=seed, initial_plan=warm,
                    settings=self.settings.search)
        if new.rejected:
            self.stats.reopt_discarded += 1
            log.warning("re-optimisation at %.0f s would drop %d accepted requests; kept the plan", now,
                        len(new.rejected))
            return len(active)
        routes = {}
        for h in group:
            nodes = self._nodes_of(new.route(self.vehs[self.live_veh[h.v]].spec.id), h)
            if nodes is None:
                self.stats.reopt_discarded += 1
                log.warning("re-optimisation at %.0f s lost a break of a route; kept the plan", now)
                return len(active)
            routes[h.v] = nodes + h.tail
        if not live.set_routes(routes):
            self.stats.reopt_discarded += 1
            log.warning("re-optimisation at %.0f s does not load back into the live plan; kept the plan", now)
            return len(active)
        self._hold_all(now)
        for h in group:
            self.next_dep[h.v] = self._next_move(h.v)
        return len(active)

    def _nodes_of(self, route: Route, head: _Head) -> list[int] | None:
        """Return the live nodes of a re-optimised head (None if its breaks do not match the old head's)."""
        nodes: list[int] = []
        breaks = iter(head.break_nodes)
        used = 0
        for stop in route.stops:
            if stop.kind in (StopKind.PICKUP, StopKind.DROPOFF):
                r = self.local_of[self.index_of[stop.request_id]]
                nodes.append(2 * r if stop.kind == StopKind.PICKUP else 2 * r + 1)
            elif stop.kind == StopKind.BREAK:
                nodes.append(next(breaks))
                used += 1
        if not route.is_used:
            return list(head.break_nodes)  # an unused route shows no breaks: keep the old head's
        return nodes if used == len(head.break_nodes) else None

    # ------------------------------------------------------------ result
    def executed(self) -> tuple[Problem, Plan]:
        routes = []
        for st in self.vehs:
            seats = wheel = 0
            stops = []
            for s in st.stops:
                rid = s["request_id"]
                if s["kind"] == StopKind.PICKUP:
                    req = self.day.request(rid)
                    seats, wheel = seats + req.passengers, wheel + req.wheelchair
                elif s["kind"] == StopKind.DROPOFF:
                    req = self.day.request(rid)
                    seats, wheel = seats - req.passengers, wheel - req.wheelchair
                dep = s["departure"] if s["departure"] is not None else s["start"]
                stops.append(
                    Stop(s["kind"], s["location"], s["arrival"], s["start"], dep, seats, wheel, rid)
                )
            routes.append(Route(st.spec.id, tuple(stops)))
        rejected = tuple(
            Rejection(d.request_id, d.reason) for d in self.decisions.values() if not d.accepted
        )
        problem = self.day.replace(requests=tuple(self._request_now_final(g) for g in range(len(self.reqs))))
        return problem, Plan(routes=tuple(routes), rejected=rejected)

    def _request_now_final(self, g: int) -> Request:
        q = self.reqs[g]
        return q.request if q.promise is None else q.request.replace(pickup_window=q.promise)


def simulate_day(
    problem: Problem,
    booked_at: Sequence[float | None],
    rules: ServiceRules,
    *,
    settings: SimSettings | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> DayResult:
    """Run one service day (see the module docstring).

    Parameters
    ----------
    problem
        The day: every request with its booking windows (as
        :func:`transit.darp.build.build_problem` makes them) and the
        fleet with depots and shifts.
    booked_at
        Per request (problem order), when it was booked (None: unknown,
        treated as pre-booked).
    rules
        Service rules; their :meth:`~transit.darp.service.ServiceRules.promise`
        gives the pickup window promised around the planned pickup.
    settings
        Cut-off, rolling horizon and work budgets.
    seed
        Seed of the solver's search (the day is deterministic given it).
    progress
        Receives (bookings decided, bookings, message).

    Returns
    -------
    DayResult
        The executed plan, the decisions and measurements.

    Raises
    ------
    SolverError
        If the executed day breaks the independent checker's contract, or
        re-planning lost a promise (both are bugs, never the user's input).
    """
    settings = settings or SimSettings()
    sim = _Day(problem, booked_at, rules, settings, seed)
    n = len(problem.requests)
    pre = [g for g in range(n) if booked_at[g] is None or booked_at[g] < settings.cutoff]
    pre_set = set(pre)
    live = sorted((g for g in range(n) if g not in pre_set), key=lambda g: (float(booked_at[g]), g))
    sim.start(settings.cutoff)
    sim.cutoff(pre, progress)
    interval = settings.reopt_interval_min * 60.0
    t_epoch = settings.cutoff
    i = 0
    k = 1
    while i < len(live):
        t_next = t_epoch + interval if interval > 0 else math.inf
        while i < len(live) and float(booked_at[live[i]]) < t_next:
            g = live[i]
            t = float(booked_at[g])
            sim._advance(t)
            sim._decide(g, t)
            i += 1
            report(progress, len(sim.decisions), n, "bookings decided")
        if i >= len(live):
            break
        # Next tick: the first grid point at or after the next booking's grid cell.
        nxt = float(booked_at[live[i]])
        t_epoch = max(t_next, settings.cutoff + interval * math.floor((nxt - settings.cutoff) / interval))
        sim._advance(t_epoch)
        sim.reoptimise(t_epoch, k)
        k += 1
    t_last = float(booked_at[live[-1]]) if live else settings.cutoff
    sim._advance(t_last)
    sim._advance(t_last, final=True)
    day_problem, executed = sim.executed()
    if settings.check:
        violations = check(day_problem, executed)
        if violations:
            lines = "; ".join(f"{v.kind}: {v.message}" for v in violations[:5])
            msg = f"the executed day breaks {len(violations)} rule(s) of the plan checker: {lines}"
            log.error(msg)
            raise SolverError(msg)
    sim.stats.prebooked = len(pre)
    sim.stats.live_bookings = len(live)
    return DayResult(problem=day_problem, plan=executed, decisions=dict(sim.decisions), stats=sim.stats)
