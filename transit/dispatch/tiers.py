"""Keep the promises of a running day after events, breaking as few as possible.

Before new bookings are fitted in, the requests the day has promised (and the
passengers on board, and the second legs of passengers of a broken-down
vehicle) are re-planned alone. Each promised request first keeps its vehicle
(unless moves are allowed or its vehicle is gone) and its promised pickup
window. A request the solver cannot place that way is relaxed one step at a
time, and only that request:

1. it may go on another vehicle (the window is kept: the passenger notices nothing);
2. its pickup window (and its drop-off window) is widened by 15, then 45,
   then 120 minutes after the promise (a broken promise: the new window is
   promised and listed in ``changes.csv``);
3. it is given up (a broken promise, listed with the reason); at once if no
   vehicle still working has the seats and wheelchair places it needs.

Passengers on board are never given up: they stay on their vehicle (if
their drop-off cannot be made in time any more, its window and ride limit
are lifted).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from transit.darp.data import Plan, Problem, Request, TimeWindow
from transit.dispatch.add import FrozenDay
from transit.dispatch.state import Override

__all__ = ["WIDEN_MIN", "Kept", "keep_promises"]

log = logging.getLogger(__name__)

WIDEN_MIN = (15.0, 45.0, 120.0)
"""Steps (minutes after the promised window) by which a promise that cannot be kept is widened."""


@dataclass
class Kept:
    """The result of :func:`keep_promises`.

    Parameters
    ----------
    plan
        The plan of the re-planning problem (promised requests only).
    requests
        Its requests, with the vehicles and windows finally used.
    relaxed
        Per request whose windows were widened, the widened windows.
    unpinned
        Requests that lost their vehicle pin to be placed.
    dropped
        Requests that could not be placed at all.
    rounds
        Extra solver runs made.
    """

    plan: Plan
    requests: list[Request]
    relaxed: dict[str, Override] = field(default_factory=dict)
    unpinned: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)
    rounds: int = 0


def _widen(r: Request, base: Request, minutes: float) -> Request:
    extra = minutes * 60.0
    pw, dw = base.pickup_window, base.dropoff_window
    new_pw = TimeWindow(pw.earliest, pw.latest + extra)
    new_dw = TimeWindow(dw.earliest, dw.latest + extra if math.isfinite(dw.latest) else dw.latest)
    return r.replace(pickup_window=new_pw, dropoff_window=new_dw)


def keep_promises(
    day: FrozenDay,
    requests: Sequence[Request],
    template: Problem,
    *,
    must: set[str],
    initial: Plan,
    solve_residual: Callable[[Problem, Plan], Plan],
) -> Kept:
    """Re-plan the promised requests alone, relaxing only those that do not fit (see the module docstring).

    Parameters
    ----------
    day
        The day frozen at the update time (the vehicles still working).
    requests
        The requests to re-plan (on board, promised, legs), with pins.
    template
        A problem with the day's matrices and weights.
    must
        Requests that should be served (promised ones, legs).
    initial
        The warm start.
    solve_residual
        Solves a re-planning problem from a warm start.
    """
    current = {r.id: r for r in requests}
    base = dict(current)
    steps: dict[str, list[float | None]] = {
        r.id: ([None] if r.assigned_vehicle is not None and r.picked_up_at is None else []) + list(WIDEN_MIN)
        for r in requests
    }
    done_steps = dict.fromkeys(current, 0)
    kept = Kept(plan=initial, requests=list(requests))
    plan = initial
    vehicles = tuple(day.vehicles.values())
    for r in requests:  # no vehicle left that it fits (its vehicle is out): given up at once
        if r.picked_up_at is None and vehicles and not any(v.fits(r) for v in vehicles):
            del current[r.id]
            kept.dropped.add(r.id)
    while True:
        problem = template.replace(requests=tuple(current.values()), vehicles=vehicles)
        plan = solve_residual(problem, plan)
        missing = sorted(must & plan.rejected_ids & set(current))
        if not missing:
            break
        kept.rounds += 1
        log.info("re-plan round %d: %d promised requests do not fit (%s)", kept.rounds, len(missing), ", ".join(missing[:5]))
        for rid in missing:
            r = current[rid]
            todo = steps[rid]
            k = done_steps[rid]
            done_steps[rid] = k + 1
            if r.picked_up_at is not None:
                # on board: never given up; let the drop-off be late rather than impossible
                current[rid] = r.replace(dropoff_window=TimeWindow(), max_ride_time=None, max_ride_alpha=None)
                kept.relaxed[rid] = Override(dropoff_window=TimeWindow(), no_ride_limit=True)
                if k > 0:
                    must = must - {rid}  # nothing more to relax; the final check will tell
            elif k >= len(todo):
                del current[rid]
                kept.dropped.add(rid)
                kept.relaxed.pop(rid, None)
            elif todo[k] is None:
                current[rid] = r.replace(assigned_vehicle=None)
                kept.unpinned.add(rid)
            else:
                widened = _widen(r.replace(assigned_vehicle=None), base[rid], float(todo[k]))
                current[rid] = widened
                kept.relaxed[rid] = Override(pickup_window=widened.pickup_window, dropoff_window=widened.dropoff_window)
    kept.plan = plan
    kept.requests = list(current.values())
    kept.relaxed = {rid: o for rid, o in kept.relaxed.items() if rid in plan.served_ids}
    return kept
