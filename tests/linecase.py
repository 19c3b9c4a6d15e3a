"""A small hand-made road network and two bus lines crossing at a hub, for line-model tests.

Roads (two-way, 36 km/h = 10 m/s so seconds = metres / 10):

* an east-west road along latitude 51.60 from lon 11.50 to 11.60, a node every 0.01 deg;
* a north-south road along lon 11.55 from lat 51.56 to 51.64, a node every 0.01 deg.

Line A runs west -> east (A1 .. A5 via HUB at 11.55), line B south -> north (B1, HUB, B3, B4).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from transit.demand.bookings import Booking
from transit.timetable.lines import Line, LineStop, Timetable, TimetableTrip
from transit.road.travel import RoadNetwork

LAT0 = 51.60
LON_HUB = 11.55
M_PER_DEG_LAT = 111_195.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(LAT0))


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def network() -> RoadNetwork:
    """Return the cross-shaped road network."""
    G = nx.MultiDiGraph()
    ew = [(LAT0, 11.50 + 0.01 * k) for k in range(11)]
    ns = [(51.56 + 0.01 * k, LON_HUB) for k in range(9)]
    ids: dict[tuple[float, float], int] = {}
    for pt in ew + ns:
        key = (round(pt[0], 6), round(pt[1], 6))
        if key not in ids:
            ids[key] = len(ids) + 1
            G.add_node(ids[key], y=pt[0], x=pt[1])
    for chain in (ew, ns):
        for a, b in zip(chain, chain[1:]):
            u, v = ids[(round(a[0], 6), round(a[1], 6))], ids[(round(b[0], 6), round(b[1], 6))]
            d = _haversine(*a, *b)
            for s, t in ((u, v), (v, u)):
                G.add_edge(s, t, length=d, travel_time=d / 10.0)
    return RoadNetwork.from_graph(G)


STOPS = {
    "A1": (LAT0, 11.50),
    "A2": (LAT0, 11.52),
    "HUB": (LAT0, LON_HUB),
    "A4": (LAT0, 11.58),
    "A5": (LAT0, 11.60),
    "B1": (51.56, LON_HUB),
    "B3": (51.62, LON_HUB),
    "B4": (51.64, LON_HUB),
}
LINE_A = ("A1", "A2", "HUB", "A4", "A5")
LINE_B = ("B1", "HUB", "B3", "B4")


def hm(text: str) -> float:
    """Return seconds for ``HH:MM``."""
    h, m = text.split(":")
    return 3600.0 * int(h) + 60.0 * int(m)


def timetable(a_departures: list[str], b_departures: list[str], *, a_step_min: float = 5,
              b_step_min: float = 5) -> Timetable:
    """Return lines A and B with trips departing at the given times, ``step`` minutes between stops."""
    names = sorted(STOPS)
    stops = tuple(LineStop(n, n, *STOPS[n]) for n in names)
    idx = {n: i for i, n in enumerate(names)}
    trips = []
    for line, seq, deps, step in (("A", LINE_A, a_departures, a_step_min), ("B", LINE_B, b_departures, b_step_min)):
        for k, d in enumerate(deps, start=1):
            times = tuple(hm(d) + 60.0 * step * p for p in range(len(seq)))
            trips.append(TimetableTrip(f"{line}-{k}", line, tuple(idx[s] for s in seq), times, times))
    return Timetable(stops, (Line("A", "A"), Line("B", "B")), tuple(trips))


def near(stop: str, *, north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    """Return a point ``north_m``/``east_m`` metres from a stop."""
    lat, lon = STOPS[stop]
    return lat + north_m / M_PER_DEG_LAT, lon + east_m / M_PER_DEG_LON


def booking(rid: str, frm: tuple[float, float], to: tuple[float, float], time: str, *,
            time_type: str = "departure", booked_at: str | None = None, passengers: int = 1) -> Booking:
    """Return a booking between two points."""
    return Booking(rid, frm[0], frm[1], to[0], to[1], hm(time), time_type, passengers, 0,
                   None if booked_at is None else hm(booked_at))


def random_bookings(tt: Timetable, n: int, seed: int) -> list[Booking]:
    """Return ``n`` bookings scattered around the stops of ``tt`` (some too far from any stop)."""
    rng = np.random.default_rng(seed)
    lat, lon = tt.stop_lat, tt.stop_lon
    out = []
    for i in range(n):
        a, b = rng.integers(0, len(lat), 2)
        t = float(rng.integers(5 * 3600, 21 * 3600))
        out.append(Booking(
            f"r{i}", lat[a] + rng.normal(0, 0.004), lon[a] + rng.normal(0, 0.006),
            lat[b] + rng.normal(0, 0.004), lon[b] + rng.normal(0, 0.006), t,
            "arrival" if i % 3 == 0 else "departure", int(rng.integers(1, 3)), 0,
            t - float(rng.integers(0, 5 * 3600)),
        ))
    return out
