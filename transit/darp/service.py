"""Service rules of an on-demand service, and the request windows they give.

The rules say how long a passenger may wait, how long they may ride and how
long stops take. They are written in minutes (as in the fleet file's
``[service]`` table); the methods return seconds, the unit of
:mod:`transit.darp.data`.

Windows of a booking (``time`` is the booking's requested time, ``W`` the
pickup window, ``s`` the service time at a stop, ``d`` the direct travel
time, ``L`` the ride-time limit ``alpha * d + beta``):

departure booking
    picked up in ``[time, time + W]``; dropped off in
    ``[time + s + d, time + W + s + L]`` (the drop-off window follows from the
    pickup window and the ride limit).
arrival booking
    dropped off in ``[time - W, time]``; picked up in
    ``[time - W - s - L, time - s - d]``.

The derived windows only remove times no feasible schedule can use (Cordeau
2006), so they never change the set of feasible plans, but they help the
solver.

Ride time is measured as in :mod:`transit.darp.data`: from the end of boarding at
the pickup to the start of service at the drop-off.

Defaults and their sources are in ``transit/data/service.toml``: a ride may
take 1.5 x the direct car time + 5 minutes (the MATSim DRT form and values,
with the wait limited separately by the pickup window); the dispatch
objective weighs a passenger-second on board ``ride_time_weight`` times a
vehicle-second, calibrated so that pooling and detours match pilots.

Example
-------
>>> rules = ServiceRules(pickup_window_min=10)
>>> rules.pickup_window_s
600.0
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from transit.errors import InputError, InputErrors
from transit.darp.data import Request, TimeWindow
from transit.util.tomltable import Table

if TYPE_CHECKING:
    from transit.demand.bookings import Booking

__all__ = ["SERVICE_KEYS", "ServiceRules", "parse_service"]

_MIN = 60.0


def _defaults() -> dict[str, float]:
    text = resources.files("transit.data").joinpath("service.toml").read_text(encoding="utf-8")
    return {k: float(v) for k, v in tomllib.loads(text).items()}


_D = _defaults()


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """The rules a dispatcher promises passengers (all durations in minutes).

    Parameters
    ----------
    pickup_window_min
        Width of the pickup window of a departure booking (and of the
        drop-off window of an arrival booking). Default 15.
    max_ride_alpha
        Maximum ride time = ``alpha * direct time + beta``; alpha >= 1.
        Default 1.5.
    max_ride_beta_min
        The beta of the ride-time limit. Default 5.
    max_ride_min
        Optional absolute cap on the ride time; the smaller limit holds.
        Default None (no cap).
    dwell_min
        Fixed time per stop (pull in, open doors, pull out). Default 1.
    boarding_min_per_passenger
        Boarding (and alighting) time per seat. Default 0.5.
    wheelchair_boarding_min
        Extra boarding (and alighting) time per wheelchair place (ramp or
        lift, securing the chair). Default 3.
    promise_before_min, promise_after_min
        When a plan is made, each served request is promised the pickup
        window ``[planned - before, planned + after]`` (clipped to its
        booking window). Later re-planning (late bookings, ``transit dispatch
        add``) keeps the pickup inside that promise. Defaults 5 and 5.
    ride_time_weight
        Weight of a passenger-second on board in the dispatch objective,
        relative to a second a vehicle drives (see
        :data:`transit.darp.build.DISPATCH_WEIGHTS`). Default 4.
    min_lead_min
        The operator's minimum lead time: nobody is picked up earlier than
        this many minutes after the booking was made (its ``booked_at``);
        the pickup window starts no earlier. Default 0 (no pickup before the
        call). A booking whose whole pickup window lies before that cannot be
        served: :meth:`booked_too_late` tells, and dispatch rejects it with
        that reason (its window is then left as booked).

    Raises
    ------
    InputError
        If a value is not a number, negative, or alpha is below 1.
    """

    pickup_window_min: float = _D["pickup_window_min"]
    max_ride_alpha: float = _D["max_ride_alpha"]
    max_ride_beta_min: float = _D["max_ride_beta_min"]
    max_ride_min: float | None = None
    dwell_min: float = _D["dwell_min"]
    boarding_min_per_passenger: float = _D["boarding_min_per_passenger"]
    wheelchair_boarding_min: float = _D["wheelchair_boarding_min"]
    promise_before_min: float = _D["promise_before_min"]
    promise_after_min: float = _D["promise_after_min"]
    ride_time_weight: float = _D["ride_time_weight"]
    min_lead_min: float = _D["min_lead_min"]

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None and f.name == "max_ride_min":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                msg = f"must be a number, got {value!r}"
                raise InputError(msg, column=f.name)
            if not math.isfinite(value):
                msg = f"must be a finite number, got {value!r}"
                raise InputError(msg, column=f.name)
            if value < 0:
                msg = f"must be >= 0, got {value:g}"
                raise InputError(msg, column=f.name)
            object.__setattr__(self, f.name, float(value))
        if self.max_ride_alpha < 1:
            msg = f"must be >= 1 (a ride cannot be faster than the direct trip), got {self.max_ride_alpha:g}"
            raise InputError(msg, column="max_ride_alpha")
        if self.max_ride_min is not None and self.max_ride_min <= 0:
            msg = f"must be > 0, got {self.max_ride_min:g}"
            raise InputError(msg, column="max_ride_min")

    # ----------------------------------------------------------- in seconds
    @property
    def pickup_window_s(self) -> float:
        """Pickup window width, seconds."""
        return self.pickup_window_min * _MIN

    def service_time_s(self, passengers: int, wheelchair: int = 0) -> float:
        """Return the time a stop takes for a group (dwell plus boarding), seconds."""
        return _MIN * (
            self.dwell_min
            + self.boarding_min_per_passenger * passengers
            + self.wheelchair_boarding_min * wheelchair
        )

    def ride_limit_s(self, direct_s: float) -> float:
        """Return the maximum ride time for a trip of ``direct_s`` seconds direct."""
        limit = self.max_ride_alpha * direct_s + self.max_ride_beta_min * _MIN
        if self.max_ride_min is not None:
            limit = min(limit, self.max_ride_min * _MIN)
        return limit

    def windows(
        self,
        time: float,
        time_type: str,
        *,
        direct_s: float,
        service_s: float,
    ) -> tuple[TimeWindow, TimeWindow]:
        """Return the (pickup, drop-off) windows of a booking, seconds.

        Parameters
        ----------
        time
            The requested time (seconds since midnight of the service day).
        time_type
            ``"departure"`` (earliest pickup) or ``"arrival"`` (latest arrival).
        direct_s
            Direct travel time from pickup to drop-off, seconds.
        service_s
            Service time at the pickup (see :meth:`service_time_s`).

        Raises
        ------
        InputError
            If ``time_type`` is unknown, or the ride-time cap is shorter than
            the direct trip (no ride can meet it).
        """
        w = self.pickup_window_s
        limit = self.ride_limit_s(direct_s)
        if limit < direct_s:
            msg = (
                f"the ride-time cap ({self.max_ride_min:g} min) is shorter than the direct trip "
                f"({direct_s / _MIN:.1f} min)"
            )
            raise InputError(msg, column="max_ride_min")
        if time_type == "departure":
            pickup = TimeWindow(time, time + w)
            dropoff = TimeWindow(time + service_s + direct_s, time + w + service_s + limit)
        elif time_type == "arrival":
            dropoff = TimeWindow(time - w, time)
            pickup = TimeWindow(time - w - service_s - limit, time - service_s - direct_s)
        else:
            msg = f"{time_type!r} is not 'departure' or 'arrival'"
            raise InputError(msg, column="time_type")
        return pickup, dropoff

    def promise(self, planned_pickup: float, window: TimeWindow) -> TimeWindow:
        """Return the pickup window promised for a pickup planned at ``planned_pickup``.

        ``[planned - promise_before, planned + promise_after]`` clipped to
        ``window`` (the booking's pickup window); always contains
        ``planned_pickup`` when ``window`` does.
        """
        lo = max(window.earliest, planned_pickup - self.promise_before_min * _MIN)
        hi = min(window.latest, planned_pickup + self.promise_after_min * _MIN)
        lo = min(lo, planned_pickup)
        hi = max(hi, planned_pickup)
        return TimeWindow(lo, hi)

    def request(
        self,
        booking: Booking,
        *,
        pickup: int,
        dropoff: int,
        direct_s: float,
    ) -> Request:
        """Turn a booking into a :class:`~transit.darp.data.Request`.

        Parameters
        ----------
        booking
            The booking.
        pickup, dropoff
            Location indices of its pickup and drop-off.
        direct_s
            Direct travel time between them, seconds.
        """
        service = self.service_time_s(booking.passengers, booking.wheelchair)
        pw, dw = self.windows(booking.time, booking.time_type, direct_s=direct_s, service_s=service)
        first = self.earliest_pickup(booking)
        if pw.earliest < first <= pw.latest:
            pw = TimeWindow(first, pw.latest)
        return Request(
            id=booking.request_id,
            pickup=pickup,
            dropoff=dropoff,
            passengers=booking.passengers,
            wheelchair=booking.wheelchair,
            pickup_window=pw,
            dropoff_window=dw,
            max_ride_time=None if self.max_ride_min is None else self.max_ride_min * _MIN,
            max_ride_alpha=self.max_ride_alpha,
            max_ride_beta=self.max_ride_beta_min * _MIN,
            service_fixed=self.dwell_min * _MIN,
            service_per_passenger=self.boarding_min_per_passenger * _MIN,
            service_per_wheelchair=self.wheelchair_boarding_min * _MIN,
        )

    def booked_too_late(self, booking: Booking, pickup_window: TimeWindow) -> bool:
        """Whether ``booked_at`` + the lead time lies after the whole pickup window."""
        return self.earliest_pickup(booking) > pickup_window.latest

    def earliest_pickup(self, booking: Booking) -> float:
        """Return the earliest pickup the lead time allows: ``booked_at + min_lead`` (-inf if unknown)."""
        if booking.booked_at is None:
            return -math.inf
        return booking.booked_at + self.min_lead_min * _MIN

    def to_dict(self) -> dict[str, Any]:
        """Return the rules as a TOML/JSON-ready dict (inverse of :func:`parse_service`)."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }


SERVICE_KEYS = tuple(f.name for f in dataclasses.fields(ServiceRules))
"""The keys a ``[service]`` table may hold."""


def parse_service(data: Mapping[str, Any], *, source: str, table: str = "service") -> ServiceRules:
    """Build :class:`ServiceRules` from a ``[service]`` table.

    Missing keys take their defaults.

    Parameters
    ----------
    data
        The table as parsed from TOML (or any mapping).
    source
        The file name (or other label) used in error messages.
    table
        The table's path inside the file, for error messages
        (``"service"``, ``"scenario.models.drt.service"``, ...).

    Raises
    ------
    InputErrors
        Naming ``source``, the table and the key of every problem: unknown
        keys, values that are not numbers, negative values.
    """
    t = Table(data, source=source, table=table)
    t.raise_problems()
    t.check_keys(SERVICE_KEYS)
    values = {key: t.number(key, lo=0.0) for key in SERVICE_KEYS if key in t}
    if not t.problems:
        try:
            return ServiceRules(**values)
        except InputError as exc:
            t.add(exc.column, exc.message)
    raise InputErrors(t.problems)
