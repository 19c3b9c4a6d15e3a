"""Turn a simulated day into the trip log and the vehicle log (:mod:`transit.sim.columns`).

The trip log has one row per booking (served or rejected, in booking order);
the vehicle log one row per executed stop of every vehicle, START to END.
Definitions of the columns are in :mod:`transit.sim.columns`; how the on-demand
models fill them:

- ``board_time`` / ``alight_time``: start of service at the pickup and the
  drop-off; ``in_vehicle_s`` their difference.
- walking (between-stops service): from the door to the pickup stop and from
  the drop-off stop to the door; door-to-door service walks 0 m.
- ``wait_s``: departure booking: boarding - (requested time + access walk);
  arrival booking: requested time - (alighting + egress walk).
- ``door_to_door_s``: departure booking: alighting + egress walk - requested
  time; arrival booking: alighting + egress walk - (boarding - access walk).
- vehicle log: ``in_service`` is false on legs that leave START or a BREAK or
  lead to END or a BREAK (to and from the depot); ``empty_km_from_prev`` is
  the leg's km when nobody was on board.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from transit.demand.bookings import Booking
from transit.darp.data import Plan, StopKind
from transit.sim.columns import TripLabel
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS

__all__ = ["Walk", "trip_log", "vehicle_log"]


@dataclass(frozen=True, slots=True)
class Walk:
    """Walking of one booking: metres and seconds to the pickup and from the drop-off."""

    access_m: float = 0.0
    egress_m: float = 0.0
    access_s: float = 0.0
    egress_s: float = 0.0


_NO_WALK = Walk()


def trip_log(
    bookings: Sequence[Booking],
    plan: Plan,
    *,
    model: str,
    seed: int,
    promises: Mapping[str, tuple[float, float]],
    reasons: Mapping[str, str],
    direct: Mapping[str, tuple[float, float]],
    walks: Mapping[str, Walk] | None = None,
    labels: Mapping[str, TripLabel] | None = None,
    vehicle_prefix: str = "",
) -> pd.DataFrame:
    """Return the trip log of a day.

    Parameters
    ----------
    bookings
        Every booking of the day, in order (one row each).
    plan
        The executed plan (served bookings have a pickup and a drop-off).
    model, seed
        Written into every row.
    promises
        Promised pickup window per accepted request id.
    reasons
        Rejection reason per rejected request id (also those rejected before
        planning, e.g. outside the service area).
    direct
        ``(seconds, metres)`` of a car's direct trip per request id.
    walks
        Walking per request id (default: none, door to door).
    labels
        Home zone and purpose per request id.
    vehicle_prefix
        Prepended to vehicle ids in the ``vehicle_id`` column.
    """
    walks = walks or {}
    labels = labels or {}
    board: dict[str, tuple[float, str]] = {}
    alight: dict[str, float] = {}
    for route in plan.routes:
        for s in route.stops:
            if s.kind == StopKind.PICKUP and s.request_id:
                board[s.request_id] = (s.start, route.vehicle_id)
            elif s.kind == StopKind.DROPOFF and s.request_id:
                alight[s.request_id] = s.start
    rows = []
    nan = math.nan
    for b in bookings:
        rid = b.request_id
        lab = labels.get(rid, TripLabel())
        w = walks.get(rid, _NO_WALK)
        d_s, d_m = direct.get(rid, (nan, nan))
        served = rid in board and rid in alight
        row = {
            "model": model,
            "seed": seed,
            "request_id": rid,
            "passengers": b.passengers,
            "wheelchair": b.wheelchair,
            "pickup_lat": b.pickup_lat,
            "pickup_lon": b.pickup_lon,
            "dropoff_lat": b.dropoff_lat,
            "dropoff_lon": b.dropoff_lon,
            "time_type": b.time_type,
            "requested_time": b.time,
            "booked_at": nan if b.booked_at is None else b.booked_at,
            "home_zone": lab.home_zone,
            "purpose": lab.purpose,
            "group": lab.group,
            "direct_s": d_s,
            "direct_m": d_m,
        }
        if served:
            row.update(_served_columns(b, board[rid], alight[rid], w, promises.get(rid, (nan, nan)), vehicle_prefix))
        else:
            row.update(_rejected_columns(reasons.get(rid, "not served")))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(TRIP_COLUMNS))


def vehicle_log(
    plan: Plan,
    *,
    model: str,
    seed: int,
    lat: np.ndarray,
    lon: np.ndarray,
    distance: np.ndarray,
    vehicle_prefix: str = "",
) -> pd.DataFrame:
    """Return the vehicle log of an executed plan.

    Parameters
    ----------
    plan
        The executed plan.
    model, seed
        Written into every row.
    lat, lon
        Coordinates of every location (matrix index) of the plan.
    distance
        Distance matrix (metres) between locations.
    vehicle_prefix
        Prepended to vehicle ids.
    """
    rows = []
    for route in plan.routes:
        onboard: set[str] = set()
        prev = None
        prev_load = 0
        for k, s in enumerate(route.stops):
            if s.kind == StopKind.PICKUP and s.request_id:
                onboard.add(s.request_id)
            elif s.kind == StopKind.DROPOFF and s.request_id:
                onboard.discard(s.request_id)
            if prev is None:
                km = 0.0
                in_service = False
            else:
                km = float(distance[prev.location, s.location]) / 1000.0
                in_service = not (
                    prev.kind in (StopKind.START, StopKind.BREAK) or s.kind in (StopKind.END, StopKind.BREAK)
                )
            rows.append(
                {
                    "model": model,
                    "seed": seed,
                    "vehicle_id": f"{vehicle_prefix}{route.vehicle_id}",
                    "seq": k,
                    "kind": str(s.kind),
                    "request_id": s.request_id or "",
                    "lat": float(lat[s.location]),
                    "lon": float(lon[s.location]),
                    "arrival": s.arrival,
                    "departure": s.departure,
                    "load": s.load,
                    "wheelchair_load": s.wheelchair_load,
                    "onboard_bookings": len(onboard),
                    "km_from_prev": km,
                    "empty_km_from_prev": km if prev is not None and prev_load == 0 else 0.0,
                    "in_service": bool(in_service),
                }
            )
            prev = s
            prev_load = s.load + s.wheelchair_load
    return pd.DataFrame(rows, columns=list(STOP_COLUMNS))


def _served_columns(b: Booking, boarded: tuple[float, str], at: float, w: Walk, promise: tuple[float, float],
                    vehicle_prefix: str) -> dict[str, object]:
    """Return the trip-log columns of a served booking (boarded at ``boarded[0]`` on vehicle ``boarded[1]``)."""
    bt, vid = boarded
    if b.time_type == "arrival":
        wait = b.time - (at + w.egress_s)
        d2d = at + w.egress_s - (bt - w.access_s)
    else:
        wait = bt - (b.time + w.access_s)
        d2d = at + w.egress_s - b.time
    return {
        "status": "served",
        "reason": "",
        "vehicle_id": f"{vehicle_prefix}{vid}",
        "transfers": 0,
        "promised_earliest": promise[0],
        "promised_latest": promise[1],
        "board_time": bt,
        "alight_time": at,
        "walk_access_m": w.access_m,
        "walk_egress_m": w.egress_m,
        "walk_s": w.access_s + w.egress_s,
        "wait_s": wait,
        "in_vehicle_s": at - bt,
        "door_to_door_s": d2d,
    }


def _rejected_columns(reason: str) -> dict[str, object]:
    """Return the trip-log columns of a rejected booking (no times)."""
    nan = math.nan
    return {
        "status": "rejected",
        "reason": reason,
        "vehicle_id": "",
        "transfers": 0,
        "promised_earliest": nan,
        "promised_latest": nan,
        "board_time": nan,
        "alight_time": nan,
        "walk_access_m": nan,
        "walk_egress_m": nan,
        "walk_s": nan,
        "wait_s": nan,
        "in_vehicle_s": nan,
        "door_to_door_s": nan,
    }
