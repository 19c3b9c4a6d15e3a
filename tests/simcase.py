"""Tiny hand-made worlds for the simulation and on-demand model tests.

A 4 x 4 grid of villages 1 km apart (120 s per road, both directions) near
latitude 50. ``node(i, j)`` is the junction in row ``i`` and column ``j``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from transit.demand.bookings import Booking
from transit.darp.fleet import VehicleSpec, fleet_from_specs
from transit.darp.data import ObjectiveWeights, Problem, Request, TimeWindow, Vehicle
from transit.opmodels.base import DayContext
from transit.darp.service import ServiceRules
from transit.road.travel import RoadNetwork

H = 3600.0
LAT0, LON0 = 50.0, 11.0
DLAT, DLON = 0.009, 0.014  # about 1 km
N = 4
EDGE_S = 120.0
EDGE_M = 1000.0


def latlon(i: int, j: int) -> tuple[float, float]:
    """Coordinates of junction (i, j)."""
    return LAT0 + i * DLAT, LON0 + j * DLON


def grid_network() -> RoadNetwork:
    """Return the 4 x 4 grid road network."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(N):
        for j in range(N):
            lat, lon = latlon(i, j)
            G.add_node(i * N + j + 1, x=lon, y=lat)
    for i in range(N):
        for j in range(N):
            a = i * N + j + 1
            for di, dj in ((0, 1), (1, 0)):
                if i + di < N and j + dj < N:
                    b = (i + di) * N + (j + dj) + 1
                    G.add_edge(a, b, travel_time=EDGE_S, length=EDGE_M)
                    G.add_edge(b, a, travel_time=EDGE_S, length=EDGE_M)
    return RoadNetwork.from_graph(G)


def booking(rid: str, frm: tuple[int, int], to: tuple[int, int], hours: float, **kw) -> Booking:
    """A booking between two junctions (a few metres off the road), at ``hours``."""
    (a, b), (c, d) = latlon(*frm), latlon(*to)
    if "booked_at" in kw and kw["booked_at"] is not None:
        kw["booked_at"] = kw["booked_at"] * H
    return Booking(rid, a + 2e-5, b, c + 2e-5, d, hours * H, **kw)


def fleet(n: int = 1, *, seats: int = 4, start: float = 6.0, end: float = 22.0, depot=(0, 0), **rules):
    """A fleet of ``n`` vehicles at one depot."""
    lat, lon = latlon(*depot)
    specs = [
        VehicleSpec(id=f"v{k + 1}", depot_lat=lat, depot_lon=lon, seats=seats, wheelchair=1,
                    shift_start=start * H, shift_end=end * H)
        for k in range(n)
    ]
    return fleet_from_specs(specs, ServiceRules(**rules))


def context(net: RoadNetwork, **rules) -> DayContext:
    """The day's context with default service rules."""
    return DayContext(network=net, service=ServiceRules(**rules))


def line_problem(n_requests: int, *, n_vehicles: int = 1, seed: int = 0, window: float = 900.0) -> tuple[Problem, list]:
    """A problem on a line of 10 locations 120 s apart, with random requests over a day.

    Returns the problem and the booking times (half booked the day before).
    """
    rng = np.random.default_rng(seed)
    L = 10
    pos = np.arange(L) * 120.0
    tt = np.abs(pos[:, None] - pos[None, :])
    dist = tt / 120.0 * 1000.0
    reqs = []
    booked = []
    for k in range(n_requests):
        p, d = rng.choice(np.arange(1, L), size=2, replace=False)
        t = float(rng.uniform(7 * H, 18 * H))
        direct = tt[p, d]
        reqs.append(
            Request(
                id=f"r{k:03d}", pickup=int(p), dropoff=int(d), passengers=int(rng.integers(1, 3)),
                pickup_window=TimeWindow(t, t + window),
                dropoff_window=TimeWindow(t + 60 + direct, t + window + 60 + 1.5 * direct + 600),
                max_ride_alpha=1.5, max_ride_beta=600.0, service_fixed=30.0, service_per_passenger=15.0,
            )
        )
        booked.append(None if k % 2 == 0 else float(t - rng.uniform(5 * 60, 3 * H)))
    vehicles = tuple(
        Vehicle(id=f"v{k + 1}", start_depot=0, end_depot=0, seats=4, wheelchair=0, shift=TimeWindow(6 * H, 22 * H))
        for k in range(n_vehicles)
    )
    weights = ObjectiveWeights(travel_time=1.0, ride_time=0.25, rejection=1e7)
    return Problem(tuple(reqs), vehicles, tt, dist, weights), booked
