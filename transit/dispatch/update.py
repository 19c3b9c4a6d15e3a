"""Update a running day: events (cancellations, no-shows, vehicles out, delays) and late bookings.

:func:`update_day` takes the stored day (``plan.json``), the events and the
new bookings of an update and the time ``now``, and returns the whole day's
new plan (the part already driven included), checked by the independent
checker against the whole day's problem, with the changes booking by booking
(:mod:`transit.dispatch.changes`).

Steps
-----
1. The stored plan is checked against the day's rebuilt problem (a damaged
   or hand-edited ``plan.json`` is an input error naming its JSON path), and
   the events against the plan (:func:`transit.dispatch.eventcheck.check_events`).
2. The events change the day: cancelled and no-show bookings get their
   status, a vehicle broken down gets its last route and its passengers
   second legs (:mod:`transit.dispatch.outage`), a vehicle withdrawn later
   a shorter shift (stretched only to deliver the passengers on board at
   ``now``), a vehicle back in service a second run.
3. Every route is frozen at ``now`` with the events applied
   (:func:`transit.dispatch.freeze_events.freeze_vehicle`).
4. The promised bookings (and passengers on board, and second legs) are
   re-planned alone, each on its vehicle unless moves are allowed or its
   vehicle is gone, relaxing only those that do not fit
   (:func:`transit.dispatch.tiers.keep_promises`).
5. New bookings are fitted in without breaking what step 4 kept
   (:func:`transit.dispatch.add.insertion_rounds`).
6. The done stops and the re-planned rest are joined, checked, promised,
   and compared with the day before (:func:`transit.dispatch.changes.diff_plans`).

Default: every booking keeps its vehicle; ``allow_moves`` lets the solver
move bookings not yet picked up to other vehicles (listed in ``changes.csv``
with that reason).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

from transit.darp.data import Plan, Problem, Rejection, TimeWindow
from transit.demand.bookings import Booking
from transit.dispatch.add import (
    FrozenRoute,
    Residual,
    assemble_day,
    freeze_route,
    insertion_rounds,
    residual_requests,
    stitch_day,
    warm_start,
)
from transit.dispatch.changes import Reason, diff_plans, reason_text
from transit.dispatch.dayplan import AddStats, DayPlan, StoredDay, rebuild_problem
from transit.dispatch.eventcheck import PlanIndex, check_events
from transit.dispatch.events import Event
from transit.dispatch.freeze_events import freeze_vehicle
from transit.dispatch.leadtime import too_late
from transit.dispatch.outage import (
    Outage,
    fit_withdrawal,
    outage_route,
    patch_vehicle,
    plan_outage,
    second_run,
    withdraw,
)
from transit.dispatch.planread import check_stored_plan
from transit.dispatch.progress import placed_progress
from transit.dispatch.state import CANCELLED, NOSHOW, Override, RequestStatus, apply_overrides
from transit.dispatch.tiers import keep_promises
from transit.errors import InputError, InputErrors
from transit.road.travel import RoadNetwork
from transit.util.i18n import N_, _, translator
from transit.util.progress import Progress, report, stage

__all__ = ["REASON_CANCELLED", "add_bookings", "update_day"]

log = logging.getLogger(__name__)

REASON_CANCELLED = N_("cancelled by the passenger")


@dataclasses.dataclass
class _Effects:
    """What the events do to the day before it is re-planned."""

    status: dict[str, RequestStatus]
    overrides: dict[str, Override]
    legs: dict[str, str]
    new_legs: list[Booking]
    vehicles_out: dict[str, dict[str, Any]]
    outages: dict[str, Outage]
    delays: dict[str, float]
    causes: dict[str, Reason]
    events: dict[str, tuple[str, Reason]]
    withdrawn: dict[str, float]
    fleet: Any


def _reason(ev: Event) -> Reason:
    if ev.kind == "vehicle_out":
        code = "vehicle_out_until" if ev.until is not None else "vehicle_out"
        return {"code": code, "vehicle": ev.vehicle_id, "at": ev.time, "until": ev.until, "note": ev.note}
    if ev.kind == "delay":
        return {"code": "delay", "vehicle": ev.vehicle_id, "minutes": round(ev.minutes or 0), "note": ev.note}
    return {"code": "cancelled" if ev.kind == "cancel" else "noshow", "at": ev.time, "note": ev.note}


def _apply_events(stored: StoredDay, built, index: PlanIndex, events: Sequence[Event], network, now: float) -> _Effects:
    """Work out what the events do (see the module docstring, step 2)."""
    fx = _Effects(
        status=dict(stored.status), overrides=dict(stored.overrides), legs=dict(stored.legs), new_legs=[],
        vehicles_out={k: dict(v) for k, v in stored.vehicles_out.items()}, outages={}, delays={}, causes={},
        events={}, withdrawn={}, fleet=stored.fleet,
    )
    on_vehicle: dict[str, list[str]] = {}
    for rid, (vid, _i, _j) in index.where.items():
        on_vehicle.setdefault(vid, []).append(rid)
    for ev in events:
        reason = _reason(ev)
        if ev.kind in ("cancel", "noshow"):
            rid = ev.request_id or ""
            state = CANCELLED if ev.kind == "cancel" else NOSHOW
            fx.status[rid] = RequestStatus(state, float(ev.time or now), ev.note)
            fx.events[rid] = (state, reason)
            if state == NOSHOW:
                r = built.problem.request(rid)
                node = built.locations[r.pickup].node
                o = Override(dropoff_window=TimeWindow(), dropoff_node=node, no_service=True, no_ride_limit=True)
                fx.overrides[rid] = fx.overrides.get(rid, Override()).merge(o)
            continue
        vid = ev.vehicle_id or ""
        for rid in on_vehicle.get(vid, []):
            fx.causes[rid] = reason
        if ev.kind == "delay":
            fx.delays[vid] = float(ev.minutes or 0) * 60.0
            continue
        start = float(ev.time if ev.time is not None else now)
        original = stored.fleet.vehicle(vid)
        run = None
        if start <= now:
            out = plan_outage(built, index.routes.get(vid, ()), ev, network, now=now, legs_of=fx.legs)
            fx.outages[vid] = out
            for rid, o in out.overrides.items():
                fx.overrides[rid] = fx.overrides.get(rid, Override()).merge(o)
            for lid, leg in out.legs.items():
                fx.new_legs.append(leg)
                fx.legs[lid] = lid.rsplit("~", 1)[0]
                fx.causes[lid] = reason
        else:
            fx.fleet = withdraw(fx.fleet, vid, start)
            fx.withdrawn[vid] = start
        if ev.until is not None:
            fx.fleet, run = second_run(fx.fleet, vid, float(ev.until), original=original)
        fx.vehicles_out[vid] = {"from": start, "until": ev.until, "note": ev.note, "run": run}
    return fx


def _check_new(stored: StoredDay, new_bookings: Sequence[Booking], now: float, source: str | None) -> None:
    """Refuse new ids that repeat the day's, and a ``now`` before the last update."""
    old_ids = {b.request_id for b in stored.bookings}
    clash = [b.request_id for b in new_bookings if b.request_id in old_ids]
    if clash:
        msg = _("request_id already used in the plan {plan}: {ids}").format(
            plan=stored.path, ids=", ".join(repr(c) for c in clash)
        )
        raise InputErrors([InputError(msg, file=source, column="request_id")])
    if stored.now is not None and now < stored.now:
        tr = translator(None)
        msg = _("--now {now} is before the plan's last update at {last}; the past cannot change").format(
            now=tr.clock(now), last=tr.clock(stored.now)
        )
        raise InputErrors([InputError(msg, column="--now")])


def _freeze_all(built, stored: StoredDay, index: PlanIndex, fx: _Effects, now: float):  # noqa: ANN202
    """Freeze every vehicle (step 3); return the (possibly patched) built problem, frozen routes, overrides."""
    frozen: dict[str, FrozenRoute] = {}
    extra: dict[str, Override] = {}
    by_node = {loc.node: loc.index for loc in built.locations}
    for vid, out in fx.outages.items():
        route = outage_route(built.problem, vid, out, by_node[out.node]) if out.done else ()
        built = patch_vehicle(built, vid, route) if route else built
        v = built.problem.vehicle(vid)
        frozen[vid] = FrozenRoute(v, "finished", done=route, old=route)
    cancelled = {rid for rid, (kind, _r) in fx.events.items() if kind == CANCELLED}
    noshows: dict[str, list[str]] = {}
    for rid, (kind, _r) in fx.events.items():
        if kind == NOSHOW:
            noshows.setdefault(index.where[rid][0], []).append(rid)
    problem = built.problem
    for v in problem.vehicles:
        if v.id in frozen:
            continue
        stops = index.routes.get(v.id, ())
        if v.id in stored.vehicles_out and not stops:
            frozen[v.id] = FrozenRoute(v, "finished")
            continue
        if not stops:
            frozen[v.id] = freeze_route(problem, v, None, now)
            if v.id in fx.delays:
                frozen[v.id] = freeze_vehicle(problem, v, (), now, cancelled=cancelled, noshows=[], delay=fx.delays[v.id], overrides=extra)
            continue
        frozen[v.id] = freeze_vehicle(
            problem, v, stops, now, cancelled=cancelled, noshows=noshows.get(v.id, []),
            delay=fx.delays.get(v.id, 0.0), overrides=extra, withdraw_at=fx.withdrawn.get(v.id),
        )
        if v.id in fx.withdrawn:
            fitted = fit_withdrawal(built, v.id, frozen[v.id])
            if fitted is not built:  # the passengers on board need longer: freeze again with the longer shift
                built = fitted
                frozen[v.id] = freeze_vehicle(
                    built.problem, built.problem.vehicle(v.id), stops, now, cancelled=cancelled, noshows=noshows.get(v.id, []),
                    overrides=extra, withdraw_at=fx.withdrawn[v.id],
                )
    return built, frozen, extra


def _pins(index: PlanIndex, fx: _Effects, allow_moves: bool) -> dict[str, str]:
    pins: dict[str, str] = {}
    if allow_moves:
        return pins
    for rid, (vid, i, _j) in index.where.items():
        if vid in fx.outages:
            continue
        if vid in fx.withdrawn and index.routes[vid][i].start >= fx.withdrawn[vid]:
            continue
        pins[rid] = vid
    return pins


def _solver(iterations: int | None, time_limit: float | None, seed: int, progress: Progress | None):  # noqa: ANN202
    from transit.dispatch.planning import dispatch_iterations
    from transit.solver import solve

    def run(problem: Problem, initial: Plan, budget: int | None = None) -> Plan:
        b = budget if budget is not None else (dispatch_iterations(len(problem.requests)) if iterations is None else iterations)
        shown = placed_progress(progress, len(problem.requests), problem.weights.rejection)
        return solve(problem, iterations=b, time_limit=time_limit, seed=seed, initial_plan=initial, progress=shown)

    return run


def update_day(
    stored: StoredDay,
    network: RoadNetwork,
    *,
    now: float,
    events: Sequence[Event] = (),
    new_bookings: Sequence[Booking] = (),
    network_path: str,
    allow_moves: bool = False,
    iterations: int | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    source: str | None = None,
    events_source: str | None = None,
    progress: Progress | None = None,
    action: str = "update",
) -> DayPlan:
    """Apply events and late bookings to a stored day; return the new checked :class:`DayPlan`.

    Parameters
    ----------
    stored
        The day as read by :func:`transit.dispatch.dayplan.read_plan_json`.
    network
        The road network the day was planned on.
    now
        Current time, seconds since midnight of the service day.
    events
        Events (:mod:`transit.dispatch.events`), checked against the day here.
    new_bookings
        Validated new bookings; their ids must not repeat earlier ones.
    network_path
        Recorded in the result.
    allow_moves
        Let bookings not yet picked up move to other vehicles.
    iterations, time_limit, seed
        Solver budget (None: :func:`transit.dispatch.planning.dispatch_iterations`
        of the requests still to plan), safety cap and seed.
    source, events_source
        Names of the new bookings file and of the events file, for messages.
    progress
        Progress of the work.
    action
        Recorded in the history (``"update"`` or ``"add"``).

    Raises
    ------
    InputErrors
        If the stored plan is damaged, an event does not fit the day, new ids
        clash with the day's, or ``now`` is before the last update.
    PlanCheckError
        If the resulting plan fails the independent check (an internal error).
    """
    from transit.dispatch.planning import make_promises, verify

    _check_new(stored, new_bookings, now, source)
    report(progress, 0.0, 1.0, _("reading the day"))
    ctx = _prepare(stored, network, events, new_bookings, now=now, source=source)
    solve_residual = _solver(iterations, time_limit, seed, stage(progress, 0.1, 0.95, _("planning")))
    plan_r, kept, residual, displaced, rounds = _replan(
        ctx, new_bookings, allow_moves=allow_moves, solve_residual=solve_residual, first_budget=None if (ctx.events or allow_moves) else 0
    )
    fx, day, full = ctx.fx, ctx.day, ctx.full
    for rid, o in kept.relaxed.items():
        fx.overrides[rid] = fx.overrides.get(rid, Override()).merge(o)
    full = apply_overrides(full, ctx.built.locations, kept.relaxed)
    plan, promises = _finish(full, stored, fx, day, plan_r, kept, residual, displaced)
    cost = verify(full, plan)
    plan = plan.replace(objective=cost.objective)
    promises = make_promises(full, plan, ctx.built.fleet.service, previous=promises)
    changes = diff_plans(
        stored.plan, stored.promises, plan, promises,
        order=[r.id for r in full.requests],
        fixed=day.done - set(fx.events),
        new_ids=ctx.new_ids | {b.request_id for b in fx.new_legs},
        events=fx.events, causes=fx.causes, legs=fx.legs,
        default_reason={"code": "allow_moves"} if allow_moves else {"code": "no_room"},
    )
    report(progress, 1.0, 1.0, _("checked"))
    added = AddStats(
        now=now, frozen_stops=day.frozen_stops, new_bookings=len(ctx.new_ids),
        new_served=sum(1 for rid in ctx.new_ids if rid in plan.served_ids), displacement_rounds=rounds,
        events=len(ctx.events), broken_promises=sum(1 for c in changes if c.promise_broken), relax_rounds=kept.rounds,
    )
    entry = _history(action, now, seed, allow_moves, source, events_source, ctx.events, added, changes)
    return DayPlan(
        built=dataclasses.replace(ctx.built, problem=full), plan=plan, promises=promises, network_path=network_path,
        cost=cost, service_date=stored.service_date, now=now, max_snap_m=stored.max_snap_m,
        history=(*stored.history, entry), network_size=(network.n_nodes, network.n_arcs), added=added,
        status=fx.status, overrides=fx.overrides, legs=fx.legs, vehicles_out=fx.vehicles_out, changes=tuple(changes),
    )


@dataclasses.dataclass
class _Context:
    """The day of an update, frozen at ``now`` with the events applied."""

    fx: _Effects
    built: Any
    full: Problem
    day: Any
    index: PlanIndex
    events: list[Event]
    new_ids: set[str]
    kept_rejected: set[str]
    now: float


def _prepare(stored: StoredDay, network: RoadNetwork, events: Sequence[Event], new_bookings: Sequence[Booking], *, now: float, source: str | None) -> _Context:
    """Steps 1-3 of the module docstring: check, apply the events, freeze the day."""
    old_built = rebuild_problem(stored, network)
    check_stored_plan(stored.path, old_built.problem, stored.plan)
    index = PlanIndex.of(stored.plan)
    checked = check_events(
        events, now=now, index=index, requests={r.id for r in old_built.problem.requests},
        vehicles=[v.id for v in stored.fleet.vehicles], status=stored.status,
        vehicles_out={k: v for k, v in stored.vehicles_out.items() if v.get("from", now) <= (stored.now or 0)},
        pickup_opens={r.id: r.pickup_window.earliest for r in old_built.problem.requests},
    )
    fx = _apply_events(stored, old_built, index, checked, network, now)
    stored2 = dataclasses.replace(
        stored, fleet=fx.fleet, bookings=(*stored.bookings, *fx.new_legs), overrides=fx.overrides, legs=fx.legs
    )
    built = rebuild_problem(stored2, network, extra_bookings=new_bookings, source=source, check_stops=False)
    built, frozen, extra = _freeze_all(built, stored, index, fx, now)
    for rid, o in extra.items():
        fx.overrides[rid] = fx.overrides.get(rid, Override()).merge(o)
    full = apply_overrides(built.problem, built.locations, extra)
    day = assemble_day(full, frozen, now)
    kept_rejected = {x.request_id for x in stored.plan.rejected} | {
        rid for rid, (kind, _r) in fx.events.items() if kind == CANCELLED
    }
    return _Context(fx, built, full, day, index, checked, {b.request_id for b in new_bookings}, kept_rejected, now)


def _replan(ctx: _Context, new_bookings: Sequence[Booking], *, allow_moves: bool, solve_residual, first_budget: int | None):  # noqa: ANN001, ANN202
    """Steps 4-5: keep the promises (relaxing only what does not fit), then fit the new bookings."""
    full, day, new_ids = ctx.full, ctx.day, ctx.new_ids
    residual = residual_requests(
        full, day, new_ids, now=ctx.now, rejected=ctx.kept_rejected, pins=_pins(ctx.index, ctx.fx, allow_moves),
        too_late=too_late(ctx.built),
    )
    kept = keep_promises(
        day, [r for r in residual.requests if r.id not in new_ids], full, must=set(residual.promised),
        initial=warm_start(day), solve_residual=lambda p, i: solve_residual(p, i, first_budget),
    )
    plan_r, displaced, rounds = kept.plan, {}, 0
    if new_bookings:
        more = [r for r in residual.requests if r.id in new_ids]
        res2 = Residual([*kept.requests, *more], set(kept.plan.served_ids) & set(residual.promised), residual.upfront)
        plan_r, displaced, rounds = insertion_rounds(
            full, day, res2, new_bookings, solve_residual=lambda p, i: solve_residual(p, i), initial=kept.plan
        )
    return plan_r, kept, residual, displaced, rounds


def _finish(full, stored, fx, day, plan_r, kept, residual, displaced):  # noqa: ANN001, ANN202, PLR0913
    """Stitch the day and work out the rejections and the promises to keep."""
    en = translator("en")
    reasons: dict[str, str] = {x.request_id: x.reason for x in plan_r.rejected}
    reasons.update(residual.upfront)
    reasons.update(displaced)
    for rid in kept.dropped:
        cause = fx.causes.get(rid)
        if rid in fx.legs and cause is not None:
            cause = {**cause, "code": "stranded"}
        reasons[rid] = reason_text(cause or {"code": "no_room", "vehicle": "?"}, en)
    cancelled = {rid for rid, (kind, _r) in fx.events.items() if kind == CANCELLED}
    old_rejected = [x for x in stored.plan.rejected if x.request_id not in cancelled]
    rejected = [
        *old_rejected,
        *(Rejection(r.id, REASON_CANCELLED) for r in full.requests if r.id in cancelled),
        *(Rejection(r.id, reasons[r.id]) for r in full.requests if r.id in reasons and r.id not in cancelled),
    ]
    plan = stitch_day(full, day, plan_r, rejected)
    pickups = {s.request_id: s.start for route in plan.routes for s in route.stops if s.kind == "pickup"}
    promises = {}
    for rid, w in stored.promises.items():
        if rid in cancelled or rid in kept.dropped or rid not in pickups:
            continue
        if not w.contains(pickups[rid], 1e-6) and rid not in day.done and rid not in fx.events:
            continue  # broken: promised again around the new pickup
        promises[rid] = w
    return plan, promises


def _history(action, now, seed, allow_moves, source, events_source, events, added, changes) -> dict[str, Any]:  # noqa: ANN001, PLR0913
    return {
        "action": action,
        "now": now,
        "seed": seed,
        "allow_moves": allow_moves,
        **({"bookings": source} if source else {}),
        **({"events_file": events_source} if events_source else {}),
        "events": [
            {k: v for k, v in dataclasses.asdict(ev).items() if v not in (None, "") and k not in ("source", "line")}
            for ev in events
        ],
        "new": added.new_bookings,
        "new_served": added.new_served,
        "displacement_rounds": added.displacement_rounds,
        "relax_rounds": added.relax_rounds,
        "broken_promises": added.broken_promises,
        "changes": [c.to_dict() for c in changes],
    }


def add_bookings(
    stored: StoredDay,
    new_bookings: Sequence[Booking],
    network: RoadNetwork,
    *,
    now: float,
    network_path: str,
    iterations: int | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    allow_moves: bool = False,
    source: str | None = None,
    progress: Progress | None = None,
) -> DayPlan:
    """Insert late bookings into a stored day (an update without events; see :func:`update_day`)."""
    return update_day(
        stored, network, now=now, new_bookings=new_bookings, network_path=network_path, allow_moves=allow_moves,
        iterations=iterations, time_limit=time_limit, seed=seed, source=source, progress=progress, action="add",
    )
