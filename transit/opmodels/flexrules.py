"""A GTFS-Flex feed as the rules of an on-demand, Rufbus or AST model (the scenario key ``flex``).

``flex = "feed.zip"`` (a zip or a folder, relative to the scenario file)
gives a model its zones, windows and booking rules from a GTFS-Flex feed
(:mod:`transit.timetable.flex`); ``flex_routes = ["476"]`` keeps some of
its routes.

On-demand (``ondemand``, ``ondemand_stops``, ``buergerbus``): on the
service day the feed's flex trips that run then decide which bookings the
service takes (:meth:`transit.timetable.flex.FlexService.refusal`): both
ends in a zone of one trip (or near a stop of its stop group: within the
walking limit), the pickup interval ``[time, time + pickup window]`` (for
arrival bookings the drop-off interval before the time) overlapping the
trip's window, and booked as early as its booking rule asks. A booking
refused is rejected with the reason before the day is simulated. The
vehicles' shifts are cut to the day's windows (first start to last end,
:func:`clip_fleet`): a booking before or after every window goes to the
simulated day like any other and finds no vehicle in service, as it would
with shifts that end there; one in a gap between windows is refused. Between
stops, the stops are those of the feed's stop groups (when no ``stops``
are given).

Rufbus and AST: the feed is the model's lines (its timed trips, with the
booking rules of their stops as lead times); an AST also takes its door
zones from the feed's drop-off zones (:attr:`transit.timetable.lines.Timetable.door_zones`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transit.errors import InputError
from transit.util.tomltable import describe, get_text_list, join

if TYPE_CHECKING:
    from transit.darp.fleet import Fleet
    from transit.demand.bookings import Booking
    from transit.timetable.flex import FlexFeed, FlexService

__all__ = ["FLEX_KEYS", "clip_fleet", "flex_path", "flex_refusal", "flex_service", "parse_flex"]

#: Scenario keys of a model that takes its rules from a GTFS-Flex feed.
FLEX_KEYS = ("flex", "flex_routes")


def flex_path(value: Any, *, source: str | None, table: str) -> Path:
    """Return the feed path a ``flex`` key names (relative to the scenario's folder); it must exist.

    Raises
    ------
    InputError
        If the value is not text or names nothing.
    """
    col = join(table, "flex")
    if not isinstance(value, str) or not value.strip():
        msg = f"must be the path of a GTFS-Flex feed (a .zip or a folder), got {describe(value)}"
        raise InputError(msg, file=source, column=col)
    p = Path(value).expanduser()
    if not p.is_absolute() and source:
        p = Path(source).parent / p
    if not p.exists():
        msg = f"GTFS-Flex feed not found: {p}"
        raise InputError(msg, file=source, column=col)
    return p


def parse_flex(data: Mapping[str, Any], *, source: str | None, table: str) -> tuple[FlexFeed | None, tuple[str, ...] | None]:
    """Read the feed of a model's ``flex`` key (and its ``flex_routes``); (None, None) without one.

    Raises
    ------
    InputError
        Naming the scenario key, or the feed's file, row and column.
    """
    from transit.timetable.flex import read_flex

    routes = get_text_list(data, "flex_routes", None, source=source, table=table, what="route ids or names")
    if "flex" not in data:
        if routes is not None:
            msg = "flex_routes needs flex (a GTFS-Flex feed)"
            raise InputError(msg, file=source, column=join(table, "flex_routes"))
        return None, None
    feed = read_flex(flex_path(data["flex"], source=source, table=table))
    if not feed.rows:
        msg = f"the feed {feed.source} has no GTFS-Flex trips (no stop_times row with a pickup/drop-off window)"
        raise InputError(msg, file=source, column=join(table, "flex"))
    if routes is not None:
        feed.service(feed.busiest_date(), routes=routes)  # unknown routes fail here, naming the feed
    return feed, routes


def flex_service(options: Any, date: dt.date | None) -> FlexService | None:
    """Return the flex service of the day of a model's feed (None without a feed).

    Raises
    ------
    InputError
        If no flex trip of the feed runs that day, or the model runs between
        stops, has no stops of its own and the day's flex trips name no stop group.
    """
    feed = getattr(options, "flex", None)
    if feed is None:
        return None
    service = feed.service(date, routes=options.flex_routes)
    if options.stop_based and options.stops is None and not service.groups:
        msg = "between stops needs stops: the feed's flex trips of the day name no stop group"
        raise InputError(msg, file=feed.source, column="flex")
    return service


def clip_fleet(fleet: Fleet, service: FlexService) -> Fleet:
    """Return the fleet with every shift cut to the span of the day's windows (first start to last end).

    Breaks outside a cut shift are dropped; a vehicle whose shift lies wholly
    outside the span is left out.

    Raises
    ------
    InputError
        If no vehicle is in service during the windows.
    """
    from transit.darp.fleet import fleet_from_specs

    span = service.hours()
    assert span is not None
    a, z = span
    if all(a <= v.shift_start and v.shift_end <= z for v in fleet.vehicles):
        return fleet
    specs = []
    for v in fleet.vehicles:
        start, end = max(v.shift_start, a), min(v.shift_end, z)
        if end > start:
            breaks = tuple(b for b in v.breaks if b.earliest >= start and b.latest <= end)
            specs.append(dataclasses.replace(v, shift_start=start, shift_end=end, breaks=breaks))
    if not specs:
        msg = (f"no vehicle of the fleet is in service during the feed's windows "
               f"({', '.join(sorted({r.window_text for r in service.rows}))})")
        raise InputError(msg, file=service.source, column="flex")
    return fleet_from_specs(specs, fleet.service)


def flex_refusal(service: FlexService, booking: Booking, *, window_s: float, near_m: float) -> str:
    """Return why the flex service does not take ``booking`` ("" when it does).

    Trips wholly before the first window or after the last are left to the
    vehicles' shifts, cut to the windows by :func:`clip_fleet`.
    """
    return service.refusal(
        (booking.pickup_lat, booking.pickup_lon),
        (booking.dropoff_lat, booking.dropoff_lon),
        time_s=float(booking.time),
        arrival=booking.time_type == "arrival",
        booked_at=None if booking.booked_at is None else float(booking.booked_at),
        slack_s=window_s,
        near_m=near_m,
        beyond_hours_ok=True,
    )
