"""Tiny stand-in operating models and result tables for the compare/access/report tests.

``TaxiModel`` serves every booking inside its service hours with one vehicle
per booking, driving straight at a fixed speed after a fixed wait: simple
enough that every figure it produces can be worked out by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from transit.opmodels.base import DayContext, ModelRun
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class TaxiModel:
    """Serve each booking in [start_h, end_h) after ``wait_min``, straight line at ``speed_kmh``.

    ``reject_every`` > 0 rejects every n-th booking (by position) and, when
    ``random_reject`` is set, a share drawn from the run's rng, so that seeds
    and models differ.
    """

    name: str
    kind: str = "ondemand"
    start_h: float = 6.0
    end_h: float = 22.0
    wait_min: float = 5.0
    speed_kmh: float = 40.0
    random_reject: float = 0.0
    calls: list[int] | None = None

    def run(
        self, bookings: Sequence, ctx: DayContext, *, seed: int, rng: np.random.Generator, progress=None
    ) -> ModelRun:
        if self.calls is not None:
            self.calls.append(len(bookings))
        trips = []
        stops = []
        for k, b in enumerate(bookings):
            label = ctx.labels.get(b.request_id) if ctx.labels else None
            dist = haversine_m(b.pickup_lat, b.pickup_lon, b.dropoff_lat, b.dropoff_lon)
            direct = dist / (self.speed_kmh / 3.6)
            ok = self.start_h * 3600 <= b.time < self.end_h * 3600
            if ok and self.random_reject > 0 and rng.random() < self.random_reject:
                ok = False
            row = {c: math.nan for c in TRIP_COLUMNS}
            row.update(
                model=self.name, seed=seed, request_id=b.request_id, passengers=b.passengers,
                wheelchair=b.wheelchair, pickup_lat=b.pickup_lat, pickup_lon=b.pickup_lon,
                dropoff_lat=b.dropoff_lat, dropoff_lon=b.dropoff_lon, time_type=b.time_type,
                requested_time=b.time, booked_at=b.booked_at if b.booked_at is not None else math.nan,
                home_zone=label.home_zone if label else "", purpose=label.purpose if label else "",
                status="served" if ok else "rejected", reason="" if ok else "outside service hours",
                vehicle_id=f"{self.name}-{k}" if ok else "", transfers=0,
                walk_access_m=0.0, walk_egress_m=0.0, walk_s=0.0, direct_s=direct, direct_m=dist,
            )
            if ok:
                wait = self.wait_min * 60
                board = b.time + wait if b.time_type == "departure" else b.time - direct - wait
                row.update(
                    promised_earliest=board - 300, promised_latest=board + 300, board_time=board,
                    alight_time=board + direct, wait_s=wait, in_vehicle_s=direct,
                    door_to_door_s=wait + direct if b.time_type == "departure" else direct,
                )
                vid = f"{self.name}-{k}"
                base = {c: math.nan for c in STOP_COLUMNS}
                legs = [
                    ("start", "", b.pickup_lat, b.pickup_lon, board - 60, board - 60, 0, 0.0, False),
                    ("pickup", b.request_id, b.pickup_lat, b.pickup_lon, board, board, b.passengers, 0.0, True),
                    ("dropoff", b.request_id, b.dropoff_lat, b.dropoff_lon, board + direct, board + direct, 0,
                     dist / 1000.0, True),
                    ("end", "", b.dropoff_lat, b.dropoff_lon, board + direct + 60, board + direct + 60, 0, 0.0, False),
                ]
                for seq, (kind, rid, lat, lon, arr, dep, load, km, ins) in enumerate(legs):
                    s = dict(base)
                    s.update(model=self.name, seed=seed, vehicle_id=vid, seq=seq, kind=kind, request_id=rid,
                             lat=lat, lon=lon, arrival=arr, departure=dep, load=load, wheelchair_load=0,
                             onboard_bookings=1 if load else 0, km_from_prev=km, empty_km_from_prev=0.0,
                             in_service=ins)
                    stops.append(s)
            trips.append(row)
        tdf = pd.DataFrame(trips, columns=list(TRIP_COLUMNS))
        sdf = pd.DataFrame(stops, columns=list(STOP_COLUMNS))
        return ModelRun(self.name, self.kind, tdf, sdf, {})


#: Numeric KPIs (names as in transit.evaluate.kpis) and the range synthetic values are drawn from.
SYNTHETIC_KPIS = {
    "wait_mean_min": (5, 15), "in_vehicle_mean_min": (10, 30), "door_to_door_mean_min": (25, 45),
    "car_time_ratio": (1.2, 3.0), "walk_mean_m": (0, 400), "vehicle_km": (200, 400), "vehicle_hours": (20, 40),
    "empty_km_share": (0.1, 0.4), "passengers_per_vehicle_hour": (0.5, 3), "occupancy": (0.5, 2.0),
    "pooling_rate": (0.05, 0.2), "cost_total": (1000, 3000), "fare_revenue": (50, 200), "subsidy": (900, 2900),
    "cost_per_passenger": (10, 40), "subsidy_per_passenger": (8, 35), "subsidy_per_pkm": (0.5, 3),
    "cost_recovery": (0.02, 0.1), "co2_per_pkm_g": (80, 200),
}


def synthetic_results(seed: int = 0, models: Sequence[str] = ("Linienbus", "Rufbus", "On-demand")):
    """Return (kpis, trips, stops) tables that look like a comparison's, for plot/report tests."""
    rng = np.random.default_rng(seed)
    kpi_rows, trip_rows, stop_rows = [], [], []
    for mi, m in enumerate(models):
        for s in (1, 2, 3):
            served = 0
            for r in range(40):
                ok = rng.random() < 0.5 + 0.2 * mi
                served += ok
                t = float(rng.uniform(6, 20) * 3600)
                row = {c: math.nan for c in TRIP_COLUMNS}
                row.update(model=m, seed=s, request_id=f"r{r}", status="served" if ok else "rejected",
                           requested_time=t, home_zone=f"V{r % 4}", purpose="doctor", time_type="departure",
                           passengers=1, wheelchair=0, reason="" if ok else "no vehicle")
                if ok:
                    row.update(wait_s=float(rng.exponential(600 / (mi + 1))),
                               in_vehicle_s=float(rng.uniform(600, 1800)),
                               door_to_door_s=float(rng.uniform(900, 3600)), direct_s=float(rng.uniform(500, 1200)))
                trip_rows.append(row)
            for v in range(3):
                t0 = 6 * 3600 + v * 3600
                for q in range(6):
                    st = {c: math.nan for c in STOP_COLUMNS}
                    st.update(model=m, seed=s, vehicle_id=f"{m}-v{v}", seq=q,
                              kind="start" if q == 0 else ("end" if q == 5 else "pickup"), request_id="",
                              lat=51.55 + 0.01 * q, lon=11.45 + 0.01 * v + 0.005 * mi,
                              arrival=t0 + q * 1800, departure=t0 + q * 1800 + 60,
                              load=0 if q in (0, 5) else int(rng.integers(1, 5)), wheelchair_load=0,
                              onboard_bookings=1, km_from_prev=0.0 if q == 0 else 5.0,
                              empty_km_from_prev=0.0, in_service=q not in (0, 5))
                    stop_rows.append(st)
            row = {"model": m, "kind": "ondemand", "seed": s, "requests": 40, "served": served,
                   "served_share": served / 40, "rejection_reasons": "no vehicle: 3"}
            for name, (lo, hi) in SYNTHETIC_KPIS.items():
                row[name] = float(rng.uniform(lo, hi))
            # a fifth of the line passengers change buses (counted on both); nobody changes on demand
            row["boardings_per_vehicle_hour"] = row["passengers_per_vehicle_hour"] * (1.2 if m != "On-demand" else 1.0)
            kpi_rows.append(row)
    return (pd.DataFrame(kpi_rows), pd.DataFrame(trip_rows, columns=list(TRIP_COLUMNS)),
            pd.DataFrame(stop_rows, columns=list(STOP_COLUMNS)))


def synthetic_region():
    """Return a small RegionMap: a cross of roads, a centre, four villages, two services, one line, routes."""
    from transit.compare.mapdata import RegionMap

    nan = float("nan")
    roads = pd.DataFrame({
        "cls": ["major"] * 3 + ["minor"] * 6,
        "lat": [51.50, 51.70, nan, 51.60, 51.62, nan, 51.58, 51.56, nan],
        "lon": [11.50, 11.50, nan, 11.30, 11.45, nan, 11.55, 11.70, nan],
    })
    places = pd.DataFrame({
        "name": ["Stadt", "V0", "V1", "V2", "V3"],
        "kind": ["centre", "village", "village", "village", "town"],
        "population": [15000, 300, 800, 150, 3000],
        "lat": [51.60, 51.68, 51.52, 51.61, 51.57],
        "lon": [11.50, 11.50, 11.50, 11.32, 11.68],
    })
    services = pd.DataFrame({"name": ["Bahnhof", "Praxis"], "category": ["station", "doctor"],
                             "lat": [51.598, 51.571], "lon": [11.505, 11.679]})
    lines = pd.DataFrame({"line": ["401"] * 3, "lat": [51.60, 51.68, nan], "lon": [11.50, 11.50, nan]})
    routes = pd.DataFrame({"model": ["On-demand"] * 4, "vehicle_id": ["bus-1"] * 4,
                           "lat": [51.60, 51.61, 51.57, nan], "lon": [11.50, 11.32, 11.68, nan]})
    return RegionMap(roads=roads, places=places, services=services, lines=lines, routes=routes)


def synthetic_access(models=("Linienbus", "Rufbus", "On-demand"), seed: int = 0) -> pd.DataFrame:
    """Return an access table (access.ACCESS_COLUMNS) for the villages of :func:`synthetic_region`."""
    from transit.evaluate.access import ACCESS_COLUMNS

    rng = np.random.default_rng(seed)
    reg = synthetic_region().places
    rows = []
    for m in models:
        for r in reg[reg["kind"] != "centre"].itertuples():
            req = int(rng.integers(0, 30))
            served = int(rng.integers(0, req + 1))
            rows.append({
                "model": m, "village": r.name, "kind": r.kind, "population": r.population, "lat": r.lat,
                "lon": r.lon, "requests": req, "served": served, "served_share": served / req if req else np.nan,
                "d2d_centre_min": float(rng.uniform(15, 90)), "d2d_doctor_min": float(rng.uniform(10, 60)),
                "d2d_jobcenter_min": float(rng.uniform(15, 90)), "d2d_station_min": float(rng.uniform(15, 90)),
                "earliest_arrival_centre": "06:30", "earliest_arrival_centre_s": 6.5 * 3600,
                "latest_return": "19:10", "latest_return_s": 19 * 3600 + 600,
                "hours_to_centre": int(rng.integers(0, 19)), "hours_from_centre": int(rng.integers(0, 19)),
            })
    return pd.DataFrame(rows, columns=list(ACCESS_COLUMNS))
