"""What events did to a day's requests, as stored in ``plan.json``.

A dispatched day is its bookings plus what happened since the plan was made:

:class:`RequestStatus`
    A booking was cancelled by the passenger (it stays in the day as a
    rejected request with the reason "cancelled") or the passenger did not
    show up (a *no-show*: the vehicle's visit at the pickup stays in its route,
    followed by a drop-off at the same place that takes no time, so the
    independent checker still sees a consistent route).
:class:`Override`
    How the day's problem differs from what the booking and the service
    rules give, for one request: a pickup or drop-off window widened when a
    promise had to be broken, a drop-off moved to where a broken-down vehicle
    stands (the rest of the trip is a *leg*, a request of its own), no
    service time (a no-show visit), or no ride-time limit.
Legs
    ``{"r17~2": "r17"}``: the second leg of booking ``r17``, from where its
    vehicle broke down to its destination, on another vehicle.

:func:`apply_overrides` turns the freshly built problem into the day's
problem. Overridden drop-off places are stored as network node indices and
found again through the location table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from transit.darp.build import Location
from transit.darp.data import Problem, TimeWindow
from transit.errors import ProblemDataError

__all__ = [
    "CANCELLED",
    "NOSHOW",
    "STATES",
    "Override",
    "RequestStatus",
    "apply_overrides",
    "leg_id",
    "window_from_json",
    "window_to_json",
]

CANCELLED = "cancelled"
NOSHOW = "noshow"
STATES = (CANCELLED, NOSHOW)


@dataclass(frozen=True, slots=True)
class RequestStatus:
    """A booking that ended outside the plan's control.

    Parameters
    ----------
    state
        ``"cancelled"`` or ``"noshow"``.
    at
        When it was recorded, seconds since midnight of the service day.
    note
        Free text the dispatcher gave (may be empty).
    """

    state: str
    at: float
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready dict."""
        return {"state": self.state, "at": self.at, "note": self.note}


def window_to_json(w: TimeWindow | None) -> list[float | None] | None:
    """Return ``[earliest, latest]`` with None for open ends (JSON has no infinity)."""
    if w is None:
        return None
    return [None if math.isinf(w.earliest) else w.earliest, None if math.isinf(w.latest) else w.latest]


def window_from_json(v: Any) -> TimeWindow | None:
    """Inverse of :func:`window_to_json`.

    Raises
    ------
    ValueError
        If ``v`` is not a pair of finite numbers or nulls in order.
    """
    if v is None:
        return None
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        msg = "must be [earliest, latest]"
        raise ValueError(msg)
    lo = -math.inf if v[0] is None else _finite(v[0])
    hi = math.inf if v[1] is None else _finite(v[1])
    if hi < lo:
        msg = "ends before it starts"
        raise ValueError(msg)
    return TimeWindow(lo, hi)


def _finite(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        msg = f"{x!r} is not a finite number"
        raise ValueError(msg)
    return float(x)


@dataclass(frozen=True, slots=True)
class Override:
    """How one request of the day's problem differs from its booking (see the module docstring).

    Parameters
    ----------
    pickup_window, dropoff_window
        Replace the request's windows (None: keep).
    dropoff_node
        Network node of the drop-off (None: keep).
    no_service
        Stops of the request take no time (a no-show visit).
    no_ride_limit
        The request has no ride-time limit.
    """

    pickup_window: TimeWindow | None = None
    dropoff_window: TimeWindow | None = None
    dropoff_node: int | None = None
    no_service: bool = False
    no_ride_limit: bool = False

    def merge(self, other: Override) -> Override:
        """Return this override with the settings of ``other`` on top."""
        return Override(
            pickup_window=other.pickup_window or self.pickup_window,
            dropoff_window=other.dropoff_window or self.dropoff_window,
            dropoff_node=other.dropoff_node if other.dropoff_node is not None else self.dropoff_node,
            no_service=self.no_service or other.no_service,
            no_ride_limit=self.no_ride_limit or other.no_ride_limit,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready dict (only the settings that are set)."""
        d: dict[str, Any] = {}
        if self.pickup_window is not None:
            d["pickup_window"] = window_to_json(self.pickup_window)
        if self.dropoff_window is not None:
            d["dropoff_window"] = window_to_json(self.dropoff_window)
        if self.dropoff_node is not None:
            d["dropoff_node"] = self.dropoff_node
        if self.no_service:
            d["no_service"] = True
        if self.no_ride_limit:
            d["no_ride_limit"] = True
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Override:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        ValueError
            Naming the key that is wrong.
        """
        unknown = set(d) - {"pickup_window", "dropoff_window", "dropoff_node", "no_service", "no_ride_limit"}
        if unknown:
            msg = f"unknown key {sorted(unknown)[0]!r}"
            raise ValueError(msg)
        node = d.get("dropoff_node")
        if node is not None and (isinstance(node, bool) or not isinstance(node, int) or node < 0):
            msg = "dropoff_node must be a node index (a whole number >= 0)"
            raise ValueError(msg)
        for key in ("no_service", "no_ride_limit"):
            if not isinstance(d.get(key, False), bool):
                msg = f"{key} must be true or false"
                raise ValueError(msg)
        try:
            pw = window_from_json(d.get("pickup_window"))
            dw = window_from_json(d.get("dropoff_window"))
        except ValueError as exc:
            msg = f"a window {exc}"
            raise ValueError(msg) from None
        return cls(pw, dw, node, bool(d.get("no_service", False)), bool(d.get("no_ride_limit", False)))


def leg_id(request_id: str, number: int = 2) -> str:
    """Return the id of leg ``number`` of a booking (``r17~2``)."""
    return f"{request_id}~{number}"


def apply_overrides(
    problem: Problem, locations: Sequence[Location], overrides: Mapping[str, Override]
) -> Problem:
    """Return ``problem`` with the overrides applied to its requests.

    Raises
    ------
    ProblemDataError
        If an override names an unknown request or a drop-off node that is
        not in the location table.
    """
    if not overrides:
        return problem
    by_node = {loc.node: loc.index for loc in locations}
    known = {r.id for r in problem.requests}
    unknown = sorted(set(overrides) - known)
    if unknown:
        msg = f"overrides name unknown requests: {', '.join(unknown)}"
        raise ProblemDataError(msg)
    requests = []
    for r in problem.requests:
        o = overrides.get(r.id)
        if o is None:
            requests.append(r)
            continue
        changes: dict[str, Any] = {}
        if o.pickup_window is not None:
            changes["pickup_window"] = o.pickup_window
        if o.dropoff_window is not None:
            changes["dropoff_window"] = o.dropoff_window
        if o.dropoff_node is not None:
            if o.dropoff_node not in by_node:
                msg = f"request {r.id!r}: its drop-off node {o.dropoff_node} is not a place of the day"
                raise ProblemDataError(msg)
            changes["dropoff"] = by_node[o.dropoff_node]
        if o.no_service:
            changes.update(service_fixed=0.0, service_per_passenger=0.0, service_per_wheelchair=0.0)
        if o.no_ride_limit:
            changes.update(max_ride_time=None, max_ride_alpha=None)
        requests.append(r.replace(**changes))
    return problem.replace(requests=tuple(requests))
