"""What an update changed for each booking, and ``changes.csv``.

Every dispatch update (events, late bookings) compares the day before and
after it booking by booking and records one :class:`Change` per booking it
touched, with the reason. ``changes.csv`` lists them; the driver manifests
mark them; ``plan.json`` keeps them in its history.

Kinds of change (``change`` column)
-----------------------------------
``new``        a new booking was placed (promised a pickup window)
``rejected``   a new booking could not be served
``cancelled``  the passenger cancelled
``noshow``     the passenger was not at the pickup
``transfer``   a passenger on board a vehicle taken out of service continues on another vehicle
``moved``      the booking goes on another vehicle; its pickup window is kept
``retimed``    the promised pickup window had to change (a broken promise)
``dropped``    a promised booking can no longer be served (a broken promise)
``time``       the planned pickup moved by 5 minutes or more inside the promised window

``promise_broken`` is ``yes`` for ``retimed``, ``dropped`` and ``transfer``
(the passenger does not get what was promised), ``no`` otherwise.

``changes.csv`` columns
-----------------------
``update`` (time of the update), ``request_id``, ``booking`` (the booking a
leg belongs to, else the request id), ``change``, ``promise_broken``,
``reason`` (in the output language), ``old_vehicle``, ``new_vehicle``,
``old_pickup_from``, ``old_pickup_to`` (the promised window before),
``new_pickup_from``, ``new_pickup_to`` (after), ``old_planned_pickup``,
``new_planned_pickup``. Times are ``HH:MM`` on the service day; empty where
not applicable.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from transit.util.csvsafe import csv_writer
from transit.darp.data import Plan, StopKind, TimeWindow
from transit.dispatch.state import window_from_json, window_to_json
from transit.util.i18n import N_, Translator
from transit.util.timeparse import format_clock

__all__ = [
    "BROKEN_KINDS",
    "CHANGE_COLUMNS",
    "CHANGE_KINDS",
    "TIME_CHANGE_S",
    "Change",
    "Reason",
    "changes_csv",
    "diff_plans",
    "reason_text",
]

CHANGE_KINDS = ("new", "rejected", "cancelled", "noshow", "transfer", "moved", "retimed", "dropped", "time")
BROKEN_KINDS = frozenset({"retimed", "dropped", "transfer"})
TIME_CHANGE_S = 300.0
"""A planned pickup that moves by this much (inside its promise) is reported as a ``time`` change."""

CHANGE_COLUMNS = (
    "update",
    "request_id",
    "booking",
    "change",
    "promise_broken",
    "reason",
    "old_vehicle",
    "new_vehicle",
    "old_pickup_from",
    "old_pickup_to",
    "new_pickup_from",
    "new_pickup_to",
    "old_planned_pickup",
    "new_planned_pickup",
)

Reason = Mapping[str, Any]
"""A reason: ``{"code": ..., **params}`` (see :func:`reason_text`)."""

_REASONS = {
    "booked": N_("new booking"),
    "rejected": N_("could not be served: {text}"),
    "cancelled": N_("cancelled by the passenger at {at}"),
    "noshow": N_("passenger not at the pickup at {at}"),
    "vehicle_out": N_("vehicle {vehicle} out of service from {at}"),
    "vehicle_out_until": N_("vehicle {vehicle} out of service from {at} to {until}"),
    "delay": N_("vehicle {vehicle} running {minutes} min late"),
    "allow_moves": N_("moved by the re-plan to fit the day better (--allow-moves)"),
    "no_room": N_("no room left on vehicle {vehicle} after this update"),
    "stranded": N_("vehicle {vehicle} out of service from {at}; no other vehicle can fetch the passengers: send a taxi"),
    "replanned": N_("route re-planned"),
}


def reason_text(reason: Reason, tr: Translator) -> str:
    """Return a reason in the language of ``tr``, with the dispatcher's note if there is one."""
    code = str(reason.get("code", ""))
    template = _REASONS.get(code)
    if template is None:
        return str(reason.get("text") or code)
    params = {}
    for k, v in reason.items():
        if k in ("at", "until") and isinstance(v, (int, float)):
            params[k] = tr.clock(float(v))
        elif k == "text":
            params[k] = tr.gettext(str(v))
        else:
            params[k] = v
    text = tr.gettext(template).format(**params)
    note = str(reason.get("note") or "")
    return f"{text} ({note})" if note else text


@dataclass(frozen=True)
class Change:
    """What an update did to one request (see the module docstring).

    Parameters
    ----------
    request_id
        The request (a booking, or a leg of one).
    kind
        One of :data:`CHANGE_KINDS`.
    reason
        Why (a :data:`Reason`).
    booking
        The booking the request belongs to (itself, or the booking of a leg).
    old_vehicle, new_vehicle
        The vehicle before and after (None: none).
    old_window, new_window
        The promised pickup window before and after.
    old_pickup, new_pickup
        The planned start of the pickup before and after.
    old_dropoff, new_dropoff
        The planned start of the drop-off before and after.
    """

    request_id: str
    kind: str
    reason: Reason = field(default_factory=dict)
    booking: str = ""
    old_vehicle: str | None = None
    new_vehicle: str | None = None
    old_window: TimeWindow | None = None
    new_window: TimeWindow | None = None
    old_pickup: float | None = None
    new_pickup: float | None = None
    old_dropoff: float | None = None
    new_dropoff: float | None = None

    @property
    def promise_broken(self) -> bool:
        """Whether the passenger does not get what was promised."""
        return self.kind in BROKEN_KINDS

    def touches(self, vehicle_id: str) -> bool:
        """Whether the change concerns the manifest of ``vehicle_id``."""
        return vehicle_id in (self.old_vehicle, self.new_vehicle)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready dict (for the history in ``plan.json``)."""
        return {
            "request_id": self.request_id,
            "kind": self.kind,
            "reason": dict(self.reason),
            "booking": self.booking or self.request_id,
            "old_vehicle": self.old_vehicle,
            "new_vehicle": self.new_vehicle,
            "old_window": window_to_json(self.old_window),
            "new_window": window_to_json(self.new_window),
            "old_pickup": self.old_pickup,
            "new_pickup": self.new_pickup,
            "old_dropoff": self.old_dropoff,
            "new_dropoff": self.new_dropoff,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Change:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        ValueError, KeyError, TypeError
            If the dict is not a change.
        """
        kind = d["kind"]
        if kind not in CHANGE_KINDS:
            msg = f"unknown change {kind!r}"
            raise ValueError(msg)
        times = {}
        for k in ("old_pickup", "new_pickup", "old_dropoff", "new_dropoff"):
            v = d.get(k)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
                msg = f"{k} must be a finite number or null"
                raise ValueError(msg)
            times[k] = None if v is None else float(v)
        return cls(
            request_id=str(d["request_id"]),
            kind=kind,
            reason=dict(d.get("reason") or {}),
            booking=str(d.get("booking") or d["request_id"]),
            old_vehicle=d.get("old_vehicle"),
            new_vehicle=d.get("new_vehicle"),
            old_window=window_from_json(d.get("old_window")),
            new_window=window_from_json(d.get("new_window")),
            **times,
        )


def _clock(t: float | None) -> str:
    return "" if t is None or not math.isfinite(t) else format_clock(t, with_seconds=False)


def changes_csv(changes: Sequence[Change], now: float | None, tr: Translator) -> str:
    """Return the text of ``changes.csv`` (reasons in the language of ``tr``)."""
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(CHANGE_COLUMNS)
    for c in changes:
        ow, nw = c.old_window, c.new_window
        w.writerow(
            [
                _clock(now),
                c.request_id,
                c.booking or c.request_id,
                c.kind,
                "yes" if c.promise_broken else "no",
                reason_text(c.reason, tr),
                c.old_vehicle or "",
                c.new_vehicle or "",
                _clock(ow.earliest) if ow else "",
                _clock(ow.latest) if ow else "",
                _clock(nw.earliest) if nw else "",
                _clock(nw.latest) if nw else "",
                _clock(c.old_pickup),
                _clock(c.new_pickup),
            ]
        )
    return buf.getvalue()


@dataclass(frozen=True)
class _Where:
    vehicle: str
    pickup: float | None
    dropoff: float | None


def _positions(plan: Plan) -> dict[str, _Where]:
    out: dict[str, _Where] = {}
    for route in plan.routes:
        for s in route.stops:
            if s.kind not in (StopKind.PICKUP, StopKind.DROPOFF) or s.request_id is None:
                continue
            w = out.get(s.request_id, _Where(route.vehicle_id, None, None))
            if s.kind == StopKind.PICKUP:
                w = _Where(route.vehicle_id, s.start, w.dropoff)
            else:
                w = _Where(route.vehicle_id, w.pickup, s.start)
            out[s.request_id] = w
    return out


def diff_plans(
    old_plan: Plan,
    old_promises: Mapping[str, TimeWindow],
    new_plan: Plan,
    new_promises: Mapping[str, TimeWindow],
    *,
    order: Sequence[str],
    fixed: set[str],
    new_ids: set[str],
    events: Mapping[str, tuple[str, Reason]],
    causes: Mapping[str, Reason],
    legs: Mapping[str, str],
    default_reason: Reason,
) -> list[Change]:
    """Compare two plans of a day booking by booking; return the changes, in ``order``.

    Parameters
    ----------
    old_plan, old_promises, new_plan, new_promises
        The day before and after the update.
    order
        Request ids in the order to report them (booking order).
    fixed
        Requests whose stops were all done before the update (never reported).
    new_ids
        Requests new in this update (late bookings and new legs).
    events
        Per request, a change this update's events made directly to it
        (``"cancelled"``, ``"noshow"``) with its reason.
    causes
        Per request, why it may have changed (the event that hit its vehicle).
    legs
        Leg id -> booking id, for every leg of the day.
    default_reason
        The reason of a change nothing else explains.
    """
    old_at, new_at = _positions(old_plan), _positions(new_plan)
    new_rejected = {x.request_id: x.reason for x in new_plan.rejected}
    out: list[Change] = []
    for rid in order:
        if rid in fixed:
            continue
        booking = legs.get(rid, rid)
        o, n = old_at.get(rid), new_at.get(rid)
        base = {
            "request_id": rid,
            "booking": booking,
            "old_vehicle": o.vehicle if o else None,
            "new_vehicle": n.vehicle if n else None,
            "old_window": old_promises.get(rid),
            "new_window": new_promises.get(rid),
            "old_pickup": o.pickup if o else None,
            "new_pickup": n.pickup if n else None,
            "old_dropoff": o.dropoff if o else None,
            "new_dropoff": n.dropoff if n else None,
        }
        cause = causes.get(rid) or {**default_reason, "vehicle": o.vehicle if o else ""}
        if rid in events:
            kind, reason = events[rid]
            out.append(Change(kind=kind, reason=reason, **base))
        elif rid in new_ids and rid in legs:
            kind = "transfer" if n is not None else "dropped"
            base["old_vehicle"] = cause.get("vehicle") or None
            out.append(Change(kind=kind, reason=cause, **base))
        elif rid in new_ids:
            if n is not None:
                out.append(Change(kind="new", reason={"code": "booked"}, **base))
            else:
                out.append(Change(kind="rejected", reason={"code": "rejected", "text": new_rejected.get(rid, "")}, **base))
        elif o is None:
            continue  # rejected before and still
        elif n is None:
            out.append(Change(kind="dropped", reason=cause, **base))
        elif old_promises.get(rid) != new_promises.get(rid):
            out.append(Change(kind="retimed", reason=cause, **base))
        elif o.vehicle != n.vehicle:
            out.append(Change(kind="moved", reason=cause, **base))
        elif _moved_in_time(o, n):
            out.append(Change(kind="time", reason=causes.get(rid) or {"code": "replanned"}, **base))
    return out


def _moved_in_time(o: _Where, n: _Where) -> bool:
    for a, b in ((o.pickup, n.pickup), (o.dropoff, n.dropoff)):
        if a is not None and b is not None and abs(a - b) >= TIME_CHANGE_S:
            return True
    return False
