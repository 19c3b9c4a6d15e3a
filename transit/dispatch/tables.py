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
``unserved.csv``
    ``request_id, reason`` for every booking that is not served, in booking order.
``summary.json``
    Counts, kilometres, vehicle-hours, objective, checker result and solver
    statistics (without wall-clock times, so reruns give identical files).
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
from transit.util.timeparse import format_clock

__all__ = ["ROUTE_COLUMNS", "StopInfo", "routes_csv", "stop_infos", "summary", "unserved_csv"]

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


def stop_infos(day) -> list[list[StopInfo]]:
    """Return, per route of the plan, its stops with display coordinates."""
    built = day.built
    fleet = built.fleet
    out: list[list[StopInfo]] = []
    for route in day.plan.routes:
        spec = fleet.vehicle(route.vehicle_id)
        infos = []
        for seq, s in enumerate(route.stops):
            loc = built.locations[s.location]
            if s.kind == StopKind.PICKUP:
                lat, lon = built.booking_point(s.request_id, "pickup")
            elif s.kind == StopKind.DROPOFF:
                lat, lon = built.booking_point(s.request_id, "dropoff")
            elif s.kind == StopKind.START:
                lat, lon = spec.depot_lat, spec.depot_lon
            elif s.location == built.depots[route.vehicle_id][1]:
                lat, lon = spec.end_point
            else:
                lat, lon = loc.lat, loc.lon
            infos.append(StopInfo(route.vehicle_id, seq, s, lat, lon, loc.node))
        out.append(infos)
    return out


def _coord(x: float) -> str:
    return f"{x:.7f}".rstrip("0").rstrip(".")


def routes_csv(day) -> str:
    """Return the text of ``routes.csv``."""
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(ROUTE_COLUMNS)
    for infos in stop_infos(day):
        for info in infos:
            s = info.stop
            w.writerow(
                [
                    info.vehicle_id,
                    info.seq,
                    str(s.kind),
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


def unserved_csv(day) -> str:
    """Return the text of ``unserved.csv`` (booking order)."""
    reasons = {x.request_id: x.reason for x in day.plan.rejected}
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(("request_id", "reason"))
    for r in day.problem.requests:
        if r.id in reasons:
            w.writerow((r.id, reasons[r.id]))
    return buf.getvalue()


def summary(day) -> dict[str, Any]:
    """Return the content of ``summary.json``.

    Costs come from the independent checker's run that accepted the plan
    (``day.cost``); nothing is recomputed.
    """
    problem = day.problem
    plan = day.plan
    cost = day.cost
    served = plan.served_ids
    passengers = sum(r.passengers for r in problem.requests if r.id in served)
    rides = list(cost.ride_times.values())
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
                "leaves": format_clock(stops[0].departure) if stops else None,
                "returns": format_clock(stops[-1].arrival) if stops else None,
            }
        )
    reasons = Counter(x.reason for x in plan.rejected)
    return {
        "service_date": None if day.service_date is None else day.service_date.isoformat(),
        "now": None if day.now is None else format_clock(day.now),
        "bookings": len(problem.requests),
        "served": len(served),
        "unserved": len(problem.requests) - len(served),
        "passengers_served": passengers,
        "vehicles": len(problem.vehicles),
        "vehicles_used": cost.vehicles_used,
        "km": round(cost.distance / 1000.0, 3),
        "vehicle_hours": round(sum(cost.route_duration.values()) / 3600.0, 3),
        "driving_hours": round(cost.travel_time / 3600.0, 3),
        "passenger_hours_on_board": round(cost.ride_time / 3600.0, 3),
        "mean_ride_min": round(sum(rides) / len(rides) / 60.0, 2) if rides else None,
        "operating_cost": round(cost.vehicle_cost, 2),
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


def summary_line(s: dict[str, Any]) -> str:
    """Return the one-line terminal summary of a :func:`summary`."""
    return (
        f"served {s['served']} / unserved {s['unserved']} / {s['km']:.1f} km / "
        f"{s['vehicle_hours']:.1f} vehicle-hours ({s['vehicles_used']} of {s['vehicles']} vehicles)"
    )
