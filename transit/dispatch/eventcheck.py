"""Check events against the running day before anything is re-planned.

Each event must make sense for the plan it is applied to (a known booking or
vehicle, a booking that is not already on board when it is cancelled, a
no-show where the vehicle has reached the pickup, ...). Every problem is
reported at once, naming the events file, its line and column, and what the
plan says (:class:`~transit.errors.InputErrors`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from transit.darp.data import Plan, Stop, StopKind
from transit.dispatch.events import Event
from transit.dispatch.state import RequestStatus
from transit.errors import InputError, InputErrors
from transit.util.i18n import N_, _, current

__all__ = ["PlanIndex", "check_events"]

_STATE = {"cancelled": N_("cancelled"), "noshow": N_("a no-show")}


@dataclass(frozen=True)
class PlanIndex:
    """Where each served request is in a plan: vehicle and stop positions."""

    routes: Mapping[str, tuple[Stop, ...]]
    where: Mapping[str, tuple[str, int, int]]

    @classmethod
    def of(cls, plan: Plan) -> PlanIndex:
        """Index the routes of ``plan``."""
        routes = {r.vehicle_id: tuple(r.stops) for r in plan.routes}
        pick: dict[str, tuple[str, int]] = {}
        drop: dict[str, int] = {}
        for vid, stops in routes.items():
            for i, s in enumerate(stops):
                if s.kind == StopKind.PICKUP and s.request_id is not None:
                    pick[s.request_id] = (vid, i)
                elif s.kind == StopKind.DROPOFF and s.request_id is not None:
                    drop[s.request_id] = i
        where = {rid: (vid, i, drop.get(rid, -1)) for rid, (vid, i) in pick.items()}
        return cls(routes, where)

    def pickup(self, rid: str) -> Stop:
        """The pickup stop of a served request."""
        vid, i, _j = self.where[rid]
        return self.routes[vid][i]

    def dropoff(self, rid: str) -> Stop:
        """The drop-off stop of a served request."""
        vid, _i, j = self.where[rid]
        return self.routes[vid][j]


def check_events(
    events: Sequence[Event],
    *,
    now: float,
    index: PlanIndex,
    requests: set[str],
    vehicles: Sequence[str],
    status: Mapping[str, RequestStatus],
    vehicles_out: Mapping[str, object],
    pickup_opens: Mapping[str, float] | None = None,
) -> list[Event]:
    """Check ``events`` against the day; return them with their time filled in (default ``now``).

    Parameters
    ----------
    events
        The events, in file order.
    now
        The update time.
    index
        The running plan (:class:`PlanIndex`).
    requests
        Every request id of the day.
    vehicles
        Every vehicle id of the fleet.
    status
        Bookings already cancelled or recorded as no-shows.
    vehicles_out
        Vehicles already taken out of service for good.
    pickup_opens
        Per request, the start of its (promised) pickup window: a no-show
        cannot be recorded before it.

    Raises
    ------
    InputErrors
        Listing every event that does not fit the day.
    """
    tr = current()
    problems: list[InputError] = []
    seen_request: dict[str, Event] = {}
    seen_vehicle: dict[str, Event] = {}
    out: list[Event] = []
    for ev in events:
        ev = ev if ev.time is not None else replace(ev, time=now)
        assert ev.time is not None  # noqa: S101
        if ev.kind in ("cancel", "noshow"):
            msg = _request_problem(ev, now, index, requests, status, seen_request, tr, pickup_opens or {})
        else:
            msg = _vehicle_problem(ev, now, index, vehicles, vehicles_out, seen_vehicle, tr)
        if msg is not None:
            problems.append(ev.error(msg[1], column=msg[0]))
            continue
        out.append(ev)
    # a no-show needs its vehicle's stops before the pickup: not with a breakdown in the same update
    for ev in out:
        if ev.kind == "noshow" and ev.request_id in index.where:
            vid = index.where[ev.request_id][0]
            other = seen_vehicle.get(vid)
            if other is not None and other.kind == "vehicle_out":
                problems.append(
                    ev.error(
                        _("vehicle {vehicle} goes out of service in the same update (line {line}); "
                          "record the no-show in an update of its own first").format(vehicle=vid, line=other.line or "-"),
                        column="request_id",
                    )
                )
    if problems:
        raise InputErrors(problems)
    return out


def _request_problem(ev, now, index, requests, status, seen, tr, opens) -> tuple[str, str] | None:  # noqa: ANN001
    rid = ev.request_id
    if ev.time > now:
        return "time", _("{time} is after the update time {now}").format(time=tr.clock(ev.time), now=tr.clock(now))
    if rid not in requests:
        return "request_id", _("unknown booking {id}").format(id=repr(rid))
    if rid in seen:
        return "request_id", _("another event for this booking in the same update (line {line})").format(
            line=seen[rid].line or "-"
        )
    seen[rid] = ev
    if rid in status:
        st = status[rid]
        return "request_id", _("booking {id} was already recorded as {state} at {at}").format(
            id=repr(rid), state=_(_STATE.get(st.state, st.state)), at=tr.clock(st.at)
        )
    if rid not in index.where:
        if ev.kind == "noshow":
            return "request_id", _("booking {id} is not served by any vehicle; nobody was to pick it up").format(id=repr(rid))
        return None  # cancelling a rejected booking: it is recorded as cancelled
    vid, i, j = index.where[rid]
    stops = index.routes[vid]
    if j >= 0 and stops[j].departure < now:
        return "request_id", _("booking {id} was already dropped off at {at} by {vehicle}").format(
            id=repr(rid), at=tr.clock(stops[j].start), vehicle=vid
        )
    pick = stops[i]
    if ev.kind == "cancel" and pick.departure < now:
        return "request_id", _(
            "the passenger of booking {id} is on board {vehicle} since {at}; a trip under way cannot be cancelled"
        ).format(id=repr(rid), vehicle=vid, at=tr.clock(pick.start))
    if ev.kind == "noshow" and i > 0 and stops[i - 1].departure >= now:
        return "request_id", _(
            "{vehicle} reaches the pickup of booking {id} only at {at} (its stops before are not done); "
            "record a no-show once it is there, or cancel the booking"
        ).format(id=repr(rid), vehicle=vid, at=tr.clock(pick.arrival))
    if ev.kind == "noshow" and now < opens.get(rid, -float("inf")):
        return "request_id", _(
            "the pickup window of booking {id} opens only at {at}; a no-show can be recorded from then on"
        ).format(id=repr(rid), at=tr.clock(opens[rid]))
    return None


def _vehicle_problem(ev, now, index, vehicles, vehicles_out, seen, tr) -> tuple[str, str] | None:  # noqa: ANN001
    vid = ev.vehicle_id
    if vid not in vehicles:
        return "vehicle_id", _("unknown vehicle {id} (the fleet has {ids})").format(id=repr(vid), ids=", ".join(vehicles))
    if vid in seen:
        return "vehicle_id", _("another event for this vehicle in the same update (line {line})").format(
            line=seen[vid].line or "-"
        )
    seen[vid] = ev
    if vid in vehicles_out:
        return "vehicle_id", _("vehicle {id} is already out of service").format(id=repr(vid))
    stops = index.routes.get(vid, ())
    if ev.kind == "delay":
        if ev.time is not None and ev.time != now:
            return "time", _("a delay applies from the update time on; leave time empty")
        if stops and all(s.departure < now for s in stops[:-1]) and stops[-1].kind == StopKind.END and stops[-1].arrival <= now:
            return "vehicle_id", _("vehicle {id} has finished its day").format(id=repr(vid))
        return None
    if ev.until is not None and ev.until <= ev.time:
        return "until", _("must be later than time")
    if ev.time > now and ev.lat is not None:
        return "lat", _("a vehicle going out of service later stands at its depot; give lat/lon only for a breakdown")
    return None
