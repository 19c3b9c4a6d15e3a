"""The tabular outputs of a dispatched day: routes.csv, unserved.csv, summary.json.

``routes.csv``
    One row per stop: ``vehicle_id, seq, kind, request_id, lat, lon,
    arrival, departure, load, wheelchair_load``. ``seq`` counts the stops of
    a vehicle from 0 (its start at the depot); ``kind`` is ``start``,
    ``pickup``, ``dropoff``, ``break`` or ``end``; ``request_id`` is empty
    for start, break and end; ``lat``/``lon`` are the booking's own point
    for pickups and drop-offs and the depot for the others; times are
    ``HH:MM:SS`` on the service day (hours past 23 after midnight); ``load``
    and ``wheelchair_load`` are the seats and wheelchair places taken when the
    vehicle leaves the stop. Vehicles that stay at the depot have no rows.
    ``kind`` is ``noshow`` for the visit at the pickup of a passenger who did
    not show up. A passenger whose vehicle broke down leaves it where it
    stands (a ``dropoff`` there) and continues on another vehicle as the
    second leg of the booking (request id ``r17~2``).
``unserved.csv``
    ``request_id, reason`` for every booking that is not served (rejected,
    cancelled, or a second leg no vehicle could take), in booking order.
``summary.json``
    Counts (served, unserved, cancelled, no-shows, stranded passengers of a
    broken-down vehicle), kilometres, vehicle-hours, the operating cost from
    the fleet's cost rates (``cost_per_hour``, ``cost_per_km``,
    ``fixed_cost``; null, with a note, when the fleet file gives none),
    objective, checker result and solver statistics (without wall-clock
    times, so reruns give identical files).
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from transit.darp.data import Stop, StopKind
from transit.util.csvsafe import csv_writer
from transit.util.i18n import Translator
from transit.util.timeparse import format_clock

__all__ = ["ROUTE_COLUMNS", "StopInfo", "noshow_ids", "routes_csv", "stop_infos", "summary", "summary_line", "unserved_csv"]

ROUTE_COLUMNS = (
    "vehicle_id",
    "seq",
    "kind",
    "request_id",
    "lat",
    "lon",
    "arrival",
    "departure",
    "load",
    "wheelchair_load",
)


@dataclass(frozen=True)
class StopInfo:
    """A stop with the coordinates shown to people and its network node."""

    vehicle_id: str
    seq: int
    stop: Stop
    lat: float
    lon: float
    node: int


def noshow_ids(day) -> set[str]:
    """Requests recorded as no-shows."""
    return {rid for rid, st in getattr(day, "status", {}).items() if st.state == "noshow"}


def is_noshow_dropoff(day, stop: Stop) -> bool:
    """Whether ``stop`` is the drop-off that closes a no-show's visit (not shown to people)."""
    return stop.kind == StopKind.DROPOFF and stop.request_id in noshow_ids(day)


def stop_infos(day) -> list[list[StopInfo]]:
    """Return, per route of the plan, its stops with display coordinates.

    The drop-off closing a no-show's visit is left out (the visit is the
    pickup stop, shown as a no-show).
    """
    built = day.built
    fleet = built.fleet
    moved = {rid for rid, o in getattr(day, "overrides", {}).items() if o.dropoff_node is not None}
    hidden = noshow_ids(day)
    out: list[list[StopInfo]] = []
    for route in day.plan.routes:
        spec = fleet.vehicle(route.vehicle_id)
        infos = []
        seq = 0
        for s in route.stops:
            loc = built.locations[s.location]
            if s.kind == StopKind.DROPOFF and s.request_id in hidden:
                continue
            if s.kind == StopKind.PICKUP:
                lat, lon = built.booking_point(s.request_id, "pickup")
            elif s.kind == StopKind.DROPOFF and s.request_id in moved:
                lat, lon = loc.lat, loc.lon
            elif s.kind == StopKind.DROPOFF:
                lat, lon = built.booking_point(s.request_id, "dropoff")
            elif s.kind == StopKind.START:
                lat, lon = spec.depot_lat, spec.depot_lon
            elif s.location == built.depots[route.vehicle_id][1]:
                lat, lon = spec.end_point
            else:
                lat, lon = loc.lat, loc.lon
            infos.append(StopInfo(route.vehicle_id, seq, s, lat, lon, loc.node))
            seq += 1
        out.append(infos)
    return out


def _coord(x: float) -> str:
    return f"{x:.7f}".rstrip("0").rstrip(".")


def routes_csv(day) -> str:
    """Return the text of ``routes.csv``."""
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(ROUTE_COLUMNS)
    noshow = noshow_ids(day)
    for infos in stop_infos(day):
        for info in infos:
            s = info.stop
            kind = "noshow" if s.kind == StopKind.PICKUP and s.request_id in noshow else str(s.kind)
            w.writerow(
                [
                    info.vehicle_id,
                    info.seq,
                    kind,
                    s.request_id if s.kind in (StopKind.PICKUP, StopKind.DROPOFF) else "",
                    _coord(info.lat),
                    _coord(info.lon),
                    format_clock(s.arrival),
                    format_clock(s.departure),
                    s.load,
                    s.wheelchair_load,
                ]
            )
    return buf.getvalue()


def unserved_csv(day, tr: Translator | None = None) -> str:
    """Return the text of ``unserved.csv`` (booking order; reasons in the language of ``tr`` where known)."""
    reasons = {x.request_id: (x.reason if tr is None else tr.gettext(x.reason)) for x in day.plan.rejected}
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(("request_id", "reason"))
    for r in day.problem.requests:
        if r.id in reasons:
            w.writerow((r.id, reasons[r.id]))
    return buf.getvalue()


def _counts(day) -> dict[str, int]:
    """Booking counts: a booking counts once, with its legs."""
    legs = dict(getattr(day, "legs", {}))
    status = getattr(day, "status", {})
    served_ids = day.plan.served_ids
    rejected = day.plan.rejected_ids
    bookings = [r for r in day.problem.requests if r.id not in legs]
    stranded = {legs[rid] for rid in rejected if rid in legs}
    counts = {"bookings": len(bookings), "served": 0, "unserved": 0, "cancelled": 0, "noshow": 0, "stranded": len(stranded)}
    for r in bookings:
        st = status.get(r.id)
        if st is not None and st.state in ("cancelled", "noshow"):
            counts[st.state] += 1
        elif r.id in served_ids:
            counts["served"] += 1
        else:
            counts["unserved"] += 1
    return counts


def _operating_cost(day, cost) -> tuple[float | None, str]:
    rated = any(v.cost_per_hour or v.cost_per_km or v.fixed_cost for v in day.built.fleet.vehicles)
    if not rated:
        return None, "the fleet file gives no cost rates (cost_per_hour, cost_per_km, fixed_cost)"
    return round(cost.vehicle_cost, 2), "fleet cost rates: cost_per_hour x vehicle-hours + cost_per_km x km + fixed_cost"


def summary(day) -> dict[str, Any]:
    """Return the content of ``summary.json``.

    Costs come from the independent checker's run that accepted the plan
    (``day.cost``); nothing is recomputed.
    """
    problem = day.problem
    plan = day.plan
    cost = day.cost
    served = plan.served_ids
    noshow = noshow_ids(day)
    legs = dict(getattr(day, "legs", {}))
    passengers = sum(r.passengers for r in problem.requests if r.id in served and r.id not in noshow and r.id not in legs)
    rides = [t for rid, t in cost.ride_times.items() if rid not in noshow]
    per_vehicle = []
    for route in plan.routes:
        stops = route.stops
        per_vehicle.append(
            {
                "vehicle_id": route.vehicle_id,
                "used": route.is_used,
                "requests": len(route.request_ids),
                "km": round(cost.route_distance.get(route.vehicle_id, 0.0) / 1000.0, 3),
                "hours": round(cost.route_duration.get(route.vehicle_id, 0.0) / 3600.0, 3),
                "cost": round(cost.route_cost.get(route.vehicle_id, 0.0), 2),
                "leaves": format_clock(stops[0].departure) if stops else None,
                "returns": format_clock(stops[-1].arrival) if stops else None,
            }
        )
    reasons = Counter(x.reason for x in plan.rejected)
    operating_cost, basis = _operating_cost(day, cost)
    return {
        "service_date": None if day.service_date is None else day.service_date.isoformat(),
        "now": None if day.now is None else format_clock(day.now),
        **_counts(day),
        "passengers_served": passengers,
        "vehicles": len(problem.vehicles),
        "vehicles_used": cost.vehicles_used,
        "vehicles_out": sorted(getattr(day, "vehicles_out", {})),
        "km": round(cost.distance / 1000.0, 3),
        "vehicle_hours": round(sum(cost.route_duration.values()) / 3600.0, 3),
        "driving_hours": round(cost.travel_time / 3600.0, 3),
        "passenger_hours_on_board": round(cost.ride_time / 3600.0, 3),
        "mean_ride_min": round(sum(rides) / len(rides) / 60.0, 2) if rides else None,
        "operating_cost": operating_cost,
        "operating_cost_basis": basis,
        "objective": round(cost.objective, 3),
        "solver_objective": None if plan.objective != plan.objective else round(plan.objective, 3),
        "checker": {"ok": True, "violations": 0},  # a DayPlan exists only once the checker accepted it
        "unserved_reasons": dict(sorted(reasons.items())),
        "per_vehicle": per_vehicle,
        "solver": plan.stats.to_dict(clock=False),
        **({} if day.added is None else {"update": dataclasses.asdict(day.added)}),
        "weights": {
            "travel_time": problem.weights.travel_time,
            "distance": problem.weights.distance,
            "ride_time": problem.weights.ride_time,
            "vehicle_cost": problem.weights.vehicle_cost,
            "rejection": problem.weights.rejection,
        },
    }


def summary_json(s: dict[str, Any]) -> str:
    """Return the text of ``summary.json`` for a :func:`summary`."""
    return json.dumps(s, indent=1, ensure_ascii=False) + "\n"


def summary_line(s: dict[str, Any], tr: Translator) -> str:
    """Return the one-line terminal summary of a :func:`summary`, in the language of ``tr``."""
    parts = [
        tr.gettext("{served} of {bookings} bookings placed").format(
            served=tr.integer(s["served"]), bookings=tr.integer(s["bookings"])
        ),
        tr.gettext("{n} not served").format(n=tr.integer(s["unserved"])),
    ]
    if s.get("cancelled"):
        parts.append(tr.gettext("{n} cancelled").format(n=tr.integer(s["cancelled"])))
    if s.get("noshow"):
        parts.append(tr.gettext("{n} no-shows").format(n=tr.integer(s["noshow"])))
    if s.get("stranded"):
        parts.append(tr.gettext("{n} stranded (send a taxi)").format(n=tr.integer(s["stranded"])))
    parts.append(
        tr.gettext("{used} of {vehicles} vehicles").format(used=tr.integer(s["vehicles_used"]), vehicles=tr.integer(s["vehicles"]))
    )
    parts.append(tr.gettext("{km} km").format(km=tr.number(s["km"], 1)))
    parts.append(tr.gettext("{hours} vehicle-hours").format(hours=tr.number(s["vehicle_hours"], 1)))
    if s.get("operating_cost") is not None:
        parts.append(tr.gettext("operating cost {cost}").format(cost=tr.money(s["operating_cost"])))
    return " · ".join(parts)
