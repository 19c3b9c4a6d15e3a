"""Kinds of rejection reasons: what a summary counts, and what a report shows translated.

Every model says in plain words why it did not serve a booking, with the
booking's own details: "booked 12 min ahead; the flex service needs 60 min
notice", "last bus left at 18:05 (requested 19:10)", "booked 40 min before
the 09:05 bus from Helmsrode, Markt; it runs only if booked 120 min ahead".
That is what ``trips.csv`` keeps, per booking. Counted as they stand, every
minute, clock time and stop makes an entry of its own: a day of a Rufbus
gave dozens of entries of one booking each, and the planner could not see
that most bookings came too late for the notice rule.

:func:`reason_kind` maps a reason to its kind, the rule the booking could
not meet without its details ("booked with less notice than the bus needs").
The kinds are the English texts of :data:`REASON_KINDS`; a report shows them
translated (``_(kind)``; the table is extracted for the catalogue like the
report's sentences, see ``babel.cfg``). A reason no rule knows stays as it
is, so nothing is lost. :func:`count_kinds` and :func:`parse_counts` write
and read the ``"kind: count; ..."`` text of the ``rejection_reasons`` KPI.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["REASON_KINDS", "count_kinds", "parse_counts", "reason_kind"]

#: The kinds of rejection reasons (English; translated where shown).
REASON_KINDS: dict[str, str] = {
    # where: the booking's places
    "no_stop_pickup": "no stop within walking distance of the pickup",
    "no_stop_dropoff": "no stop within walking distance of the drop-off",
    "off_road": "too far from the nearest road",
    "no_road": "the drop-off cannot be reached from the pickup (no road connection)",
    "outside_area": "outside the service area",
    "outside_flex_area": "outside the service area (no GTFS-Flex zone or stop group serves both ends)",
    "outside_feeder": "outside the feeder area and beyond walking reach of the trunk line",
    "bus_link": "no bus line links a stop near the pickup with a stop near the drop-off",
    "taxi_link": "no taxi line links a stop near the pickup with a stop near the drop-off",
    "taxi_door_far": "drop-off too far from every stop of the taxi lines",
    # when: the timetable or the hours
    "bus_gone": "the last bus had left before the requested time",
    "taxi_gone": "the last taxi had left before the requested time",
    "bus_wait": "the next bus leaves too long after the requested time",
    "taxi_wait": "the next taxi leaves too long after the requested time",
    "bus_no_arrival": "no bus arrives by the requested time",
    "taxi_no_arrival": "no taxi arrives by the requested time",
    "bus_early": "the last bus arriving in time gets there too early",
    "taxi_early": "the last taxi arriving in time gets there too early",
    "bus_walk": "the last bus leaves too soon to walk to its stop",
    "taxi_walk": "the last taxi leaves too soon to walk to its stop",
    "buergerbus_hours": "outside the Bürgerbus service hours",
    "flex_window": "outside the service window",
    "not_in_service": "no vehicle is in service at that time",
    # booking: the notice
    "flex_notice": "booked with less notice than the flex service needs",
    "bus_notice": "booked with less notice than the bus needs",
    "taxi_notice": "booked with less notice than the taxi needs",
    "booked_late": "booked too late: the pickup window has already passed",
    "short_notice": "too short notice: no vehicle can reach the pickup in its window",
    # capacity and the vehicles
    "fleet_busy": "no capacity at that time (fleet busy)",
    "bus_full": "the bus is full",
    "taxi_full": "the taxi is full",
    "too_large": "larger than every vehicle (seats or wheelchair places)",
    "no_vehicle_allowed": "no vehicle may serve it (its assigned vehicle is unavailable)",
    "no_reach": "no vehicle can reach the pickup inside its window",
    "no_shift": "no vehicle can serve it within its shift, breaks and maximum route duration",
    # the booking's own windows
    "ride_limit": "the maximum ride time is shorter than the direct trip",
    "dropoff_window": "drop-off window cannot be met even by a direct trip",
    "windows": "its pickup and drop-off windows cannot both be met within the maximum ride time",
}

_CLOCK = r"-?\d+:\d\d"
#: (pattern of the reason words, kind); the first that matches the whole reason wins.
_RULES: tuple[tuple[str, str], ...] = (
    (r"no stop within \d+ m of the pickup", "no_stop_pickup"),
    (r"no stop within \d+ m of the drop-off", "no_stop_dropoff"),
    (r"more than \d+ m from the nearest road", "off_road"),
    (r"no (bus|taxi) line links a stop near the pickup with a stop near the drop-off \(.*\)", "{0}_link"),
    (r"drop-off more than [\d.]+ km from every stop of the taxi lines", "taxi_door_far"),
    (rf"last (bus|taxi) left at {_CLOCK} \(requested {_CLOCK}\)", "{0}_gone"),
    (r"next (bus|taxi) \d+ min after the requested time \(limit \d+ min\)", "{0}_wait"),
    (rf"no (bus|taxi) arrives in time: the first gets there at {_CLOCK} \(requested arrival {_CLOCK}\)",
     "{0}_no_arrival"),
    (r"the last (bus|taxi) arriving in time gets there \d+ min before the requested time \(limit \d+ min\)",
     "{0}_early"),
    (rf"the last (bus|taxi) leaves at {_CLOCK}: too soon to walk \d+ min to its stop from the requested {_CLOCK}",
     "{0}_walk"),
    (rf"outside the Bürgerbus service hours \({_CLOCK}-{_CLOCK}\)", "buergerbus_hours"),
    (r"outside the service window \(.*\)", "flex_window"),
    (r"booked \d+ min ahead; the flex service needs .+", "flex_notice"),
    (rf"booked \d+ min before the {_CLOCK} (bus|taxi) from .+; it runs only if booked \d+ min ahead", "{0}_notice"),
    (rf"the {_CLOCK} (bus|taxi) is full \(.*\)", "{0}_full"),
)
_COMPILED = tuple((re.compile(p), k) for p, k in _RULES)
_BY_TEXT = {text: key for key, text in REASON_KINDS.items()}


def reason_kind(reason: str) -> str:
    """Return the kind of a rejection reason (an English text of :data:`REASON_KINDS`).

    Parameters
    ----------
    reason
        A booking's reason in words, as a model wrote it.

    Returns
    -------
    str
        The kind's text; a reason no rule knows, as it is (with ``"; "``
        written ``", "``, so that the ``rejection_reasons`` text stays
        readable by :func:`parse_counts`), and ``"(no reason given)"`` for
        an empty one.
    """
    text = reason.strip()
    if not text:
        return "(no reason given)"
    if text in _BY_TEXT:
        return text
    for pattern, key in _COMPILED:
        m = pattern.fullmatch(text)
        if m is not None:
            return REASON_KINDS[key.format(*m.groups())]
    return text.replace("; ", ", ")


def count_kinds(reasons: Iterable[str]) -> str:
    """Return the ``rejection_reasons`` text: ``"kind: count"`` by count (largest first), joined by ``"; "``."""
    counts = Counter(reason_kind(r) for r in reasons)
    ordered = sorted(counts.items(), key=lambda kc: (-kc[1], kc[0]))
    return "; ".join(f"{k}: {c}" for k, c in ordered)


def parse_counts(text: str) -> list[tuple[str, int]]:
    """Read a ``rejection_reasons`` text back into ``(kind, count)`` pairs, in its order.

    A part without a count (an older or hand-made text) gets count 0.
    """
    out: list[tuple[str, int]] = []
    for part in str(text).split("; "):
        if not part.strip():
            continue
        kind, sep, n = part.rpartition(": ")
        if sep and n.strip().isdigit():
            out.append((kind, int(n)))
        else:
            out.append((part, 0))
    return out
