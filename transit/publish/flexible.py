"""Flexible service as GTFS-Flex: zones, stop groups, booking windows and booking rules.

A zone-based trip is written as the reference's zone pattern: two
``stop_times`` rows naming the same zone (``location_id``) or stop group
(``location_group_id``) with the same window: the first allows pickups
only (``pickup_type`` 2, book with the agency; ``drop_off_type`` 1), the
second drop-offs only. One trip per window (a Bürgerbus has one window per
block of its roster). Booking rules carry the notice (``booking_type`` 0
real time, 1 same day with ``prior_notice_duration_min``), the message and
the phone number and URLs of :class:`~transit.publish.settings.PublishSettings`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from transit.publish.feed import FeedTables
from transit.publish.settings import PublishSettings
from transit.util.timeparse import format_clock

__all__ = ["booking_rule", "merge_windows", "slug", "stop_group_tables", "window_trips"]


def slug(text: str) -> str:
    """Return an id made of the text's letters and digits (lower case, ``-`` between words)."""
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
    s = re.sub(r"[^a-z0-9]+", "-", text.translate(table).lower()).strip("-")
    return s or "service"


def booking_rule(rule_id: str, *, lead_min: float | None, settings: PublishSettings, what: str) -> dict[str, Any]:
    """Return a ``booking_rules.txt`` row: real time (``lead_min`` None or 0) or same day with notice."""
    phone = settings.phone
    how = f" unter {phone}" if phone else ""
    online = f" oder online ({settings.booking_url})" if settings.booking_url else ""
    row: dict[str, Any] = {"booking_rule_id": rule_id, "phone_number": phone, "info_url": settings.info_url,
                           "booking_url": settings.booking_url}
    if lead_min is None or lead_min <= 0:
        row.update(booking_type=0, message=f"{what}: Fahrt bis kurz vor Fahrtantritt anmelden{how}{online}.")
    else:
        minutes = int(math.ceil(lead_min))
        row.update(booking_type=1, prior_notice_duration_min=minutes,
                   message=f"{what}: Fahrt mindestens {minutes} Minuten vorher anmelden{how}{online}.")
    return row


def merge_windows(windows: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return the windows with overlapping or touching ones merged, in time order."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(windows):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def window_trips(
    out: FeedTables,
    *,
    route_id: str,
    service_id: str,
    column: str,
    ref: str,
    windows: Sequence[tuple[float, float]],
    rule_id: str,
    headsign: str,
) -> None:
    """Write one zone-pattern trip per window (see the module notes).

    ``column`` is ``"location_id"`` (a zone) or ``"location_group_id"`` (a stop group).
    """
    for k, (start, end) in enumerate(windows, start=1):
        tid = f"{route_id}-{k:02d}"
        out.add("trips.txt", {"route_id": route_id, "service_id": service_id, "trip_id": tid,
                              "trip_headsign": headsign})
        for seq, (pick, drop) in enumerate(((2, 1), (1, 2)), start=1):
            out.add("stop_times.txt", {
                "trip_id": tid, column: ref, "stop_sequence": seq,
                "start_pickup_drop_off_window": format_clock(start), "end_pickup_drop_off_window": format_clock(end),
                "pickup_type": pick, "drop_off_type": drop,
                "pickup_booking_rule_id": rule_id if pick == 2 else "",
                "drop_off_booking_rule_id": rule_id if drop == 2 else "",
            })


def stop_group_tables(
    out: FeedTables, *, group_id: str, name: str, lat: Sequence[float], lon: Sequence[float], stop_prefix: str,
) -> None:
    """Write the stops of a between-stops service as ``stops.txt`` rows and one location group."""
    out.add("location_groups.txt", {"location_group_id": group_id, "location_group_name": name})
    for k, (la, lo) in enumerate(zip(lat, lon), start=1):
        sid = f"{stop_prefix}{k:04d}"
        out.add("stops.txt", {"stop_id": sid, "stop_name": f"{name} {k}", "stop_lat": float(la),
                              "stop_lon": float(lo), "location_type": 0})
        out.add("location_group_stops.txt", {"location_group_id": group_id, "stop_id": sid})
