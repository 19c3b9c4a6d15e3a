"""Bookings that cannot be served because they were made too late (``booked_at`` + minimum lead time).

Nobody is picked up before the booking was made plus the operator's minimum
lead time (``min_lead_min`` in the fleet's ``[service]`` table,
:meth:`transit.darp.service.ServiceRules.earliest_pickup`). A booking whose
whole pickup window lies before that moment cannot be served at all: a
departure booking asked for a pickup that ends before it, or an arrival
booking was made so shortly before the arrival time that the ride itself
would have had to start before the call (booked at 07:59 for an arrival at
08:00 over a 19-minute trip). Dispatch rejects such a booking with
:data:`REASON_TOO_LATE` (:func:`too_late`); ``transit bookings check``
lists them as warnings with file, line and the ``booked_at`` column
(:func:`lead_time_problems`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from transit.darp.service import ServiceRules
from transit.demand.bookings import Booking
from transit.errors import InputError
from transit.road.travel import RoadNetwork
from transit.util.i18n import N_, _, current

__all__ = ["REASON_TOO_LATE", "latest_pickups", "lead_time_problems", "too_late"]

REASON_TOO_LATE = N_(
    "booked too late: its pickup would have to be before the booking was made plus the minimum lead time"
)


def too_late(built) -> set[str]:  # noqa: ANN001
    """Requests of a built problem whose whole pickup window lies before ``booked_at`` + the lead time."""
    rules = built.fleet.service
    return {
        r.id
        for r in built.problem.requests
        if r.id in built.bookings and rules.booked_too_late(built.bookings[r.id], r.pickup_window)
    }


def _direct_times(bookings: Sequence[Booking], network: RoadNetwork | None) -> np.ndarray:
    """Direct travel time of each booking (0 where unknown: no network, or not an arrival booking)."""
    out = np.zeros(len(bookings))
    idx = [i for i, b in enumerate(bookings) if b.time_type == "arrival"]
    if network is None or not idx:
        return out
    lat = [v for i in idx for v in (bookings[i].pickup_lat, bookings[i].dropoff_lat)]
    lon = [v for i in idx for v in (bookings[i].pickup_lon, bookings[i].dropoff_lon)]
    nodes = np.asarray(network.snap_distances(lat, lon).node, dtype=np.int64)
    uniq, inv = np.unique(nodes, return_inverse=True)
    tt, _dist = network.matrix(uniq)
    for k, i in enumerate(idx):
        d = float(tt[inv[2 * k], inv[2 * k + 1]])
        out[i] = d if np.isfinite(d) else 0.0
    return out


def latest_pickups(bookings: Sequence[Booking], rules: ServiceRules, network: RoadNetwork | None = None) -> np.ndarray:
    """Return the latest possible pickup of each booking, seconds.

    Without a network the direct trip of an arrival booking counts as 0 s,
    which gives an upper bound (only bookings that certainly cannot be
    served are found then).
    """
    direct = _direct_times(bookings, network)
    out = np.empty(len(bookings))
    for i, b in enumerate(bookings):
        service = rules.service_time_s(b.passengers, b.wheelchair)
        limit = rules.ride_limit_s(direct[i])
        if limit < direct[i]:  # reported elsewhere (the ride-time cap); do not judge the lead time
            out[i] = np.inf
            continue
        pickup, _drop = rules.windows(b.time, b.time_type, direct_s=float(direct[i]), service_s=service)
        out[i] = pickup.latest
    return out


def lead_time_problems(
    bookings: Sequence[Booking],
    rules: ServiceRules,
    *,
    network: RoadNetwork | None = None,
    file: str | None = None,
    lines: Sequence[int] | None = None,
) -> list[InputError]:
    """Return one error per booking whose pickup would have to lie before ``booked_at`` + the lead time.

    Parameters
    ----------
    bookings
        Validated bookings.
    rules
        The service rules (pickup window, ride limits, ``min_lead_min``).
    network
        The road network, for the direct trip of arrival bookings (without it
        only bookings that are certainly too late are found).
    file, lines
        The bookings file and each booking's line, for the messages.
    """
    tr = current()
    latest = latest_pickups(bookings, rules, network)
    problems = []
    for i, b in enumerate(bookings):
        first = rules.earliest_pickup(b)
        if first <= latest[i] or b.booked_at is None:
            continue
        if b.time_type == "arrival":
            msg = _(
                "booked at {booked} for an arrival by {time}: the pickup would have to be by {latest}, "
                "before the booking was made plus the minimum lead time of {lead} min"
            )
        else:
            msg = _(
                "booked at {booked} for a pickup from {time}: the pickup window ends at {latest}, "
                "before the booking was made plus the minimum lead time of {lead} min"
            )
        text = msg.format(
            booked=tr.clock(b.booked_at),
            time=tr.clock(b.time),
            latest=tr.clock(float(latest[i])),
            lead=tr.number(rules.min_lead_min, 0),
        )
        row = lines[i] if lines is not None and i < len(lines) else None
        problems.append(InputError(text, file=file, row=row, column="booked_at"))
    return problems
