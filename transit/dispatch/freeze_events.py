"""Freeze a vehicle's route at ``now`` with the events of an update applied.

:func:`freeze_vehicle` is :func:`transit.dispatch.add.freeze_route` plus what
the events did to the vehicle:

cancellation
    If the vehicle is driving to (or waiting at) the pickup of a cancelled
    booking, that stop is dropped: the vehicle goes on from its last done
    stop (it waits there in the plan).
no-show
    The pickup visit stays; a drop-off of the no-show at the same place,
    taking no time, follows it right away (the request's stops take no time
    and it has no ride limit: :class:`~transit.dispatch.state.Override`), so
    the seats are free again from there on. If stops after the pickup are
    already done, their load is lowered by the group that never boarded (the
    only change ever made to a done stop, a correction of the record).
delay
    The vehicle reaches the stop it is driving to ``minutes`` later (its
    start of service moves; a window that no longer holds is widened and
    reported as a broken promise), or, when service there has begun, leaves
    it that much later; a vehicle still at its depot leaves that much later.
planned withdrawal
    The vehicle is committed to the stop it is at or driving to only if it
    can serve it and be back at its end depot by the start of the
    withdrawal (a drop-off always: the passenger is on board). Otherwise,
    like a cancelled stop, it is released (re-planned, on another vehicle if
    need be) and the vehicle goes on from its last done stop: a vehicle
    waiting since the morning at a pickup planned after the withdrawal is
    not bound to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from transit.darp.data import Problem, Stop, StopKind, TimeWindow, Vehicle
from transit.dispatch.add import FrozenRoute, freeze_route, match_breaks, running_route, split_index
from transit.dispatch.state import Override

__all__ = ["freeze_vehicle", "noshow_stops", "release_for_withdrawal"]


def noshow_stops(
    problem: Problem, stops: Sequence[Stop], rid: str, now: float
) -> tuple[list[Stop], Stop | None, list[Stop]]:
    """Return (done, anchor, rest) of a route after recording request ``rid`` as a no-show.

    ``problem`` is the day's problem with the no-show's overrides applied
    (its stops take no time).
    """
    r = problem.request(rid)
    i = next(k for k, s in enumerate(stops) if s.kind == StopKind.PICKUP and s.request_id == rid)
    k = split_index(stops, now)
    pick = stops[i]
    rest_of = [s for s in stops if not (s.kind == StopKind.DROPOFF and s.request_id == rid)]
    if i >= k:  # at the pickup (or driving to it): the visit ends now, or when service was to start
        p2 = pick.replace(departure=max(pick.start, now))
        drop = Stop(StopKind.DROPOFF, pick.location, p2.departure, p2.departure, p2.departure,
                    pick.load - r.passengers, pick.wheelchair_load - r.wheelchair, rid)
        rest = list(rest_of[i + 1 :])
        return [*stops[:i], p2], drop, rest
    # the pickup is done: insert the drop-off right after it and correct the loads since
    drop = Stop(StopKind.DROPOFF, pick.location, pick.departure, pick.departure, pick.departure,
                pick.load - r.passengers, pick.wheelchair_load - r.wheelchair, rid)
    j_drop = next((m for m, s in enumerate(stops) if s.kind == StopKind.DROPOFF and s.request_id == rid), len(stops))
    fixed = []
    for m in range(i + 1, k):
        s = stops[m]
        if m < j_drop:
            s = s.replace(load=s.load - r.passengers, wheelchair_load=s.wheelchair_load - r.wheelchair)
        fixed.append(s)
    done = [*stops[: i + 1], drop, *fixed]
    anchor = stops[k] if k < len(stops) else None
    if anchor is not None and anchor.kind == StopKind.DROPOFF and anchor.request_id == rid:
        anchor = None
    elif anchor is not None and k < j_drop:
        anchor = anchor.replace(load=anchor.load - r.passengers, wheelchair_load=anchor.wheelchair_load - r.wheelchair)
    rest = [s for s in stops[k + 1 :] if not (s.kind == StopKind.DROPOFF and s.request_id == rid)]
    return done, anchor, rest


def _delay_anchor(
    problem: Problem, fr: FrozenRoute, now: float, delay: float, overrides: dict[str, Override]
) -> tuple[Stop | None, float]:
    """Return the anchor after a delay and the extra hold of the vehicle; add window overrides."""
    a = fr.anchor
    if a is None or a.kind not in (StopKind.PICKUP, StopKind.DROPOFF) or a.start <= now:
        return a, delay
    a2 = a.replace(start=a.start + delay, departure=a.departure + delay)
    r = problem.request(a.request_id)  # type: ignore[arg-type]
    if a.kind == StopKind.PICKUP and a2.start > r.pickup_window.latest:
        late = a2.start - r.pickup_window.latest
        dw = r.dropoff_window
        overrides[r.id] = Override(
            pickup_window=TimeWindow(r.pickup_window.earliest, a2.start),
            dropoff_window=TimeWindow(dw.earliest, dw.latest + late),
        )
    elif a.kind == StopKind.DROPOFF and a2.start > r.dropoff_window.latest:
        overrides[r.id] = Override(
            dropoff_window=TimeWindow(r.dropoff_window.earliest, a2.start), no_ride_limit=True
        )
    elif a.kind == StopKind.DROPOFF:
        overrides[r.id] = Override(no_ride_limit=True)
    return a2, 0.0


def freeze_vehicle(
    problem: Problem,
    vehicle: Vehicle,
    stops: Sequence[Stop],
    now: float,
    *,
    cancelled: set[str],
    noshows: Sequence[str],
    delay: float = 0.0,
    overrides: dict[str, Override],
    withdraw_at: float | None = None,
) -> FrozenRoute:
    """Freeze a vehicle's route at ``now`` with cancellations, no-shows and a delay applied.

    Parameters
    ----------
    problem
        The day's problem with the no-shows' overrides applied.
    vehicle
        The vehicle (of ``problem``).
    stops
        Its route before the update.
    now
        The update time.
    cancelled
        Requests cancelled in this update.
    noshows
        Requests of this vehicle recorded as no-shows in this update.
    delay
        Seconds the vehicle runs late (0: none).
    overrides
        Receives the window overrides a delay makes necessary.
    withdraw_at
        Start of a planned withdrawal of the vehicle (after ``now``), if any.
    """
    stops = tuple(stops)
    if noshows:
        done: list[Stop] = []
        anchor: Stop | None = None
        rest: list[Stop] = list(stops)
        work = stops
        for rid in noshows:
            done, anchor, rest = noshow_stops(problem, work, rid, now)
            work = (*done, *((anchor,) if anchor is not None else ()), *rest)
        fr = running_route(problem, vehicle, done, anchor, now=now, old=stops, rest=rest)
    else:
        fr = freeze_route(problem, vehicle, None if not stops else _as_route(vehicle, stops), now)
    if fr.status == "running" and fr.anchor is not None and fr.anchor.request_id in cancelled:
        fr = running_route(problem, vehicle, fr.done, None, now=now, old=fr.old, rest=fr.rest)
    if withdraw_at is not None:
        fr = release_for_withdrawal(problem, fr, now, withdraw_at)
    if delay <= 0:
        return fr
    if fr.status == "home":
        lo = max(vehicle.shift.earliest, now) + delay
        v2 = vehicle.replace(shift=TimeWindow(min(lo, vehicle.shift.latest), vehicle.shift.latest))
        return FrozenRoute(v2, "home", old=fr.old, pending_breaks=list(vehicle.breaks), rest=fr.rest)
    if fr.status != "running":
        return fr
    anchor2, hold = _delay_anchor(problem, fr, now, delay, overrides)
    return running_route(problem, vehicle, fr.done, anchor2, now=now, old=fr.old, rest=fr.rest, hold=hold)


def release_for_withdrawal(problem: Problem, fr: FrozenRoute, now: float, end: float) -> FrozenRoute:
    """Release the committed stop of a vehicle withdrawn at ``end`` if it cannot serve it by then.

    A pickup is kept only if its passenger can be dropped off (directly)
    and the vehicle be back at its end depot by ``end``; a break only if it
    is still one of the vehicle's breaks and ends in time to get back. A
    drop-off is always kept (see the module docstring).
    """
    a = fr.anchor
    if fr.status != "running" or a is None or a.kind == StopKind.DROPOFF:
        return fr
    tt = problem.travel_time
    v = fr.vehicle
    if a.kind == StopKind.PICKUP:
        r = problem.request(a.request_id)  # type: ignore[arg-type]
        drop = a.start + r.service_time + float(tt[a.location, r.dropoff])
        back = max(drop, r.dropoff_window.earliest) + r.service_time + float(tt[r.dropoff, v.end_depot])
        rest = tuple(s for s in fr.rest if s.request_id != a.request_id)
    else:
        taken, _free = match_breaks(v, (*fr.done, a))
        b = taken.get(id(a))
        back = math.inf if b is None else a.start + b.duration + float(tt[a.location, v.end_depot])
        rest = fr.rest
    if back <= end + 1e-6:
        return fr
    return running_route(problem, v, fr.done, None, now=now, old=fr.old, rest=rest)


def _as_route(vehicle: Vehicle, stops: Sequence[Stop]):  # noqa: ANN202
    from transit.darp.data import Route

    return Route(vehicle.id, tuple(stops))
