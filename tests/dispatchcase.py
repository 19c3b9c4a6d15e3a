"""A tiny dispatch day on the village road (tests/roadcase.py): bookings, a fleet, a stored plan."""

from __future__ import annotations

from pathlib import Path

from roadcase import LAT, LON
from transit.darp.build import build_problem
from transit.darp.fleet import parse_fleet
from transit.demand.bookings import Booking
from transit.dispatch import plan_day, read_plan_json, write_plan_json
from transit.road.travel import RoadNetwork

H = 3600.0


def bk(rid: str, frm: int, to: int, hours: float, **kw) -> Booking:
    """A booking from village ``frm`` to village ``to`` at ``hours``."""
    return Booking(rid, LAT + 1e-4, LON[frm], LAT + 1e-4, LON[to], hours * H, **kw)


def fleet(window_min: float = 10, service: dict | None = None, extra: tuple = (), **first):
    """Two vehicles: v1 at A (4 seats, 1 wheelchair place, a break), v2 at D (4 seats); ``extra`` adds more."""
    v1 = {
        "id": "v1",
        "depot_lat": LAT,
        "depot_lon": LON[1],
        "seats": 4,
        "wheelchair": 1,
        "shift_start": "06:00",
        "shift_end": "20:00",
        "break": {"earliest": "11:00", "latest": "13:00", "duration_min": 30},
    }
    v1.update(first)
    v2 = {"id": "v2", "depot_lat": LAT, "depot_lon": LON[4], "seats": 4, "shift_start": "06:00", "shift_end": "20:00"}
    rules = {"pickup_window_min": window_min, "max_ride_beta_min": 5, **(service or {})}
    return parse_fleet({"service": rules, "vehicle": [v1, v2, *extra]}, source="f.toml")


SPARE = {"id": "v3", "depot_lat": LAT, "depot_lon": LON[2], "seats": 4, "shift_start": "06:00", "shift_end": "20:00"}
"""A third vehicle at B with no work of its own (to take over from a broken-down one)."""


DAY = [
    bk("a", 1, 3, 8.0),
    bk("b", 2, 4, 8.1, passengers=2),
    bk("c", 4, 1, 9.0, time_type="arrival"),
    bk("d", 3, 2, 10.5, wheelchair=1),
    bk("e", 1, 4, 12.0),
    bk("f", 4, 2, 14.0, passengers=3),
]


def stored_day(net: RoadNetwork, bookings, fl, tmp_path: Path, name: str = "plan.json", iterations: int = 100):
    """Plan a day, write its plan.json and read it back; return (DayPlan, StoredDay)."""
    built = build_problem(bookings, fl, net)
    day = plan_day(built, network_path="tiny.graphml", iterations=iterations, seed=1)
    path = tmp_path / name
    write_plan_json(day, path)
    return day, read_plan_json(path)
