"""A scenario's operating model as a GTFS / GTFS-Flex feed.

What each model kind becomes (every feed has ``agency.txt``, ``feed_info.txt``
and one ``calendar.txt`` entry: the modelled day's kind of day, Monday to
Friday for a weekday, from that day for ``valid_days``):

``fixed_line``
    Its timetable as GTFS: stops, routes, trips, stop_times, shapes along
    the roads.
``rufbus``
    The same, each stop with ``pickup_type`` and ``drop_off_type`` 2 (book
    with the agency) and a booking rule giving the lead time.
``ast``
    As ``rufbus``, and each trip ends with a drop-off row in the line's door
    zone (``locations.geojson``: the stops of the line grown by
    ``door_radius_m``), whose window runs from the trip's departure to its
    last arrival plus the time to drive twice the door radius.
``ondemand``
    A zone (the service area, or the road network's hull) and a zone trip per
    block of the fleet's shifts (GTFS-Flex windows), booked in real time.
``ondemand_stops``
    The service's stops (given and virtual) as ``stops.txt`` rows in one
    location group, and a group trip per block of shifts.
``hybrid``
    The trunk as GTFS and the feeder zone as ``ondemand``.
``buergerbus``
    As ``ondemand`` or ``ondemand_stops``, with one window per block of its
    roster (duties merged). Its service hours (the requested times it takes)
    stay a scenario key.

Ids of stops, lines and trips of timetables are kept, so
``lines = "FEED.zip"`` (or ``flex = "FEED.zip"``) in a scenario reads back
the same timetable; flex zones, stop groups, windows and booking rules read
back through ``flex = "FEED.zip"`` (:mod:`transit.timetable.flex`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from transit.errors import InputError
from transit.publish.feed import FeedTables
from transit.publish.flexible import booking_rule, merge_windows, slug, stop_group_tables, window_trips
from transit.publish.settings import PublishSettings
from transit.publish.timetabled import BUS, timetable_tables
from transit.publish.zones import circles_zone, hull_zone, polygon_geometry, zone_feature
from transit.util.timeparse import format_clock

if TYPE_CHECKING:
    from transit.compare.scenario import Scenario
    from transit.road.travel import RoadNetwork

__all__ = ["SERVICE_ID", "export_model", "service_date"]

log = logging.getLogger(__name__)

#: The ``service_id`` every trip of an exported feed uses.
SERVICE_ID = "modelled-day"

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def service_date(scenario: Scenario, timetable: Any = None) -> dt.date:
    """Return the modelled day: the scenario's date, else its timetable's, else that of the region's GTFS.

    Raises
    ------
    InputError
        If none gives one.
    """
    if scenario.date is not None:
        return scenario.date
    if timetable is not None and getattr(timetable, "date", None) is not None:
        return timetable.date
    if scenario.region.gtfs is not None:
        from transit.timetable.gtfs import read_gtfs

        return read_gtfs(scenario.region.gtfs).busiest_date()
    msg = "the scenario gives no service day: add date = YYYY-MM-DD to its [scenario] table (or give --date)"
    raise InputError(msg, file=str(scenario.source), column="scenario.date")


def _frame(scenario: Scenario, settings: PublishSettings, date: dt.date, description: str) -> FeedTables:
    out = FeedTables()
    out.add("agency.txt", {"agency_id": settings.agency_id, "agency_name": settings.agency_name,
                           "agency_url": settings.agency_url, "agency_timezone": settings.agency_timezone,
                           "agency_lang": settings.agency_lang, "agency_phone": settings.agency_phone})
    end = date + dt.timedelta(days=settings.valid_days - 1)
    days = {d: int(k < 5) if date.weekday() < 5 else int(k == date.weekday()) for k, d in enumerate(_WEEKDAYS)}
    out.add("calendar.txt", {"service_id": SERVICE_ID, **days, "start_date": date.strftime("%Y%m%d"),
                             "end_date": end.strftime("%Y%m%d")})
    out.add("feed_info.txt", {"feed_publisher_name": settings.agency_name, "feed_publisher_url": settings.agency_url,
                              "feed_lang": settings.agency_lang, "feed_start_date": date.strftime("%Y%m%d"),
                              "feed_end_date": end.strftime("%Y%m%d"),
                              "feed_version": f"{scenario.name}: {description}"[:200],
                              "feed_contact_url": settings.info_url or settings.agency_url})
    return out


# ----------------------------------------------------------------------------- timetabled kinds


def _rufbus(model: Any, name: str, settings: PublishSettings, network: RoadNetwork) -> FeedTables:
    tt = model.lines
    rules: dict[str, dict[str, Any]] = {}
    trip_rule: list[str] = []
    what = "AST" if model.kind == "ast" else "Rufbus"
    for k, trip in enumerate(tt.trips):
        lead = model.lead_s(k, trip.start) / 60.0
        rid = f"{slug(name)}-{lead:g}min"
        rules.setdefault(rid, booking_rule(rid, lead_min=lead, settings=settings, what=what))
        trip_rule.append(rid)
    out = timetable_tables(tt, agency_id=settings.agency_id, service_id=SERVICE_ID, network=network,
                           booking_rule=lambda k: trip_rule[k])
    out.extend("booking_rules.txt", rules.values())
    if model.kind == "ast":
        _ast_zones(model, out, trip_rule, settings)
    return out


def _ast_zones(model: Any, out: FeedTables, trip_rule: list[str], settings: PublishSettings) -> None:
    """One door zone per line; each trip ends with a drop-off row in it."""
    tt, rb = model.lines, model.rufbus
    allowance = 2.0 * rb.door_radius_m / (settings.ast_door_speed_kmh / 3.6) + rb.door_dwell_s
    for ln in tt.lines:
        stops = sorted({i for t in tt.trips if t.line_id == ln.line_id for i in t.stops})
        if not stops:
            continue
        zid = f"ast-{slug(ln.line_id)}"
        geom = circles_zone(tt.stop_lat[stops], tt.stop_lon[stops], rb.door_radius_m)
        out.locations.append(zone_feature(zid, f"AST {ln.name}: Haustür-Zone", geom,
                                          f"Ausstieg an der Haustür bis {rb.door_radius_m:.0f} m von einer Haltestelle"))
    rows = out.rows["stop_times.txt"]
    out.rows["stop_times.txt"] = []
    for k, trip in enumerate(tt.trips):
        out.extend("stop_times.txt", [r for r in rows if r["trip_id"] == trip.trip_id])
        out.add("stop_times.txt", {
            "trip_id": trip.trip_id, "location_id": f"ast-{slug(trip.line_id)}", "stop_sequence": len(trip.stops) + 1,
            "start_pickup_drop_off_window": format_clock(trip.start),
            "end_pickup_drop_off_window": format_clock(trip.end + allowance),
            "pickup_type": 1, "drop_off_type": 2, "drop_off_booking_rule_id": trip_rule[k],
        })


# ----------------------------------------------------------------------------- flexible kinds


def _zone(options: Any, network: RoadNetwork) -> dict[str, Any]:
    from transit.road.travel import DEFAULT_MAX_SNAP_M

    if options.area is not None:
        return polygon_geometry(options.area.corners)
    return hull_zone(network.lat, network.lon, DEFAULT_MAX_SNAP_M)


def _flexible(
    out: FeedTables,
    *,
    name: str,
    options: Any,
    windows: list[tuple[float, float]],
    network: RoadNetwork,
    settings: PublishSettings,
    what: str,
) -> None:
    """A route of zone (door to door) or stop-group (between stops) trips, one per window."""
    from transit.opmodels.ondemand import service_stops

    if options.flex is not None:
        msg = f"model {name!r} takes its service from a GTFS-Flex feed already ({options.flex.source}); publish that"
        raise InputError(msg, column="--model")
    rid = slug(name)
    out.add("routes.txt", {"route_id": rid, "agency_id": settings.agency_id, "route_long_name": name,
                           "route_desc": what, "route_type": BUS})
    rule = f"{rid}-booking"
    out.add("booking_rules.txt", booking_rule(rule, lead_min=None, settings=settings, what=what))
    if options.stop_based:
        stops = service_stops(options, network)
        gid = f"{rid}-stops"
        stop_group_tables(out, group_id=gid, name=f"{name} Haltepunkt", lat=stops.lat.tolist(),
                          lon=stops.lon.tolist(), stop_prefix=f"{rid}-h")
        column, ref = "location_group_id", gid
    else:
        zid = f"{rid}-zone"
        out.locations.append(zone_feature(zid, f"{name}: Bediengebiet", _zone(options, network),
                                          f"{what}: Abholung und Ziel an jeder Adresse im Gebiet"))
        column, ref = "location_id", zid
    window_trips(out, route_id=rid, service_id=SERVICE_ID, column=column, ref=ref, windows=windows,
                 rule_id=rule, headsign=name)


def _shift_windows(fleet: Any) -> list[tuple[float, float]]:
    return merge_windows([(float(v.shift_start), float(v.shift_end)) for v in fleet.vehicles])


def _roster_windows(model: Any) -> list[tuple[float, float]]:
    """The roster's duties, merged: when the bus can pick up and drop off (an arrival booking at the
    opening hour is dropped off before it)."""
    return merge_windows([(d.start, d.end) for d in model.roster])


# ----------------------------------------------------------------------------- entry point


def export_model(
    scenario: Scenario, name: str, *, network: RoadNetwork, settings: PublishSettings | None = None
) -> FeedTables:
    """Return the feed of the model called ``name`` (see the module notes).

    Raises
    ------
    InputError
        If the scenario has no such model (the message lists the known ones)
        or gives no service day.
    """
    from transit.compare.models import build_model

    settings = settings if settings is not None else PublishSettings()
    try:
        spec = scenario.model(name)
    except KeyError:
        known = ", ".join(repr(m.name) for m in scenario.models)
        msg = f"no model named {name!r} in the scenario (models: {known})"
        raise InputError(msg, file=str(scenario.source), column="--model") from None
    model = build_model(spec, network=network, date=scenario.date)
    kind = spec.kind
    timetable = getattr(model, "lines", None) if kind in ("fixed_line", "rufbus", "ast") else None
    if kind == "hybrid":
        timetable = model.trunk
    date = service_date(scenario, timetable)
    out = _frame(scenario, settings, date, spec.description or name)
    if kind == "fixed_line":
        out.merge(timetable_tables(model.lines, agency_id=settings.agency_id, service_id=SERVICE_ID, network=network))
    elif kind in ("rufbus", "ast"):
        out.merge(_rufbus(model, name, settings, network))
    elif kind in ("ondemand", "ondemand_stops"):
        what = "On-demand-Verkehr zwischen Haltepunkten" if kind == "ondemand_stops" else "On-demand-Verkehr"
        _flexible(out, name=name, options=model.options, windows=_shift_windows(model.fleet), network=network,
                  settings=settings, what=what)
    elif kind == "hybrid":
        out.merge(timetable_tables(model.trunk, agency_id=settings.agency_id, service_id=SERVICE_ID,
                                   network=network))
        feeder = model.options.feeder
        _flexible(out, name=f"{name} Zubringer", options=feeder, windows=_shift_windows(model.fleet),
                  network=network, settings=settings, what="Zubringer zur Hauptlinie")
    elif kind == "buergerbus":
        _flexible(out, name=name, options=model.options.ondemand, windows=_roster_windows(model),
                  network=network, settings=settings, what="Bürgerbus")
    else:  # pragma: no cover - KINDS and this table are kept together
        msg = f"cannot export model kind {kind!r}"
        raise InputError(msg, column="--model")
    n_trips = len(out.rows.get("trips.txt", []))
    log.info("feed of %s (%s): %d trips, %d zones", name, kind, n_trips, len(out.locations))
    if not n_trips:
        msg = f"model {name!r} has no trips to publish (no timetabled trip, shift or duty)"
        raise InputError(msg, column="--model")
    return out
