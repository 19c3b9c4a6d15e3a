"""The trip log and the vehicle log: the tidy tables every operating model writes.

Every operating model (fixed line, Rufbus/AST, on-demand, hybrid, Bürgerbus)
turns a day of bookings into these two tables; KPIs, access figures, the
report and the exports read nothing else. Times are seconds since midnight of
the service day, distances metres unless the column says km.

Trip log (one row per booking, served or rejected)
--------------------------------------------------
model, seed
    Operating model name and demand seed.
request_id, passengers, wheelchair
    From the booking.
pickup_lat, pickup_lon, dropoff_lat, dropoff_lon
    The booking's door-to-door points.
time_type, requested_time, booked_at
    From the booking (booked_at NaN if unknown).
home_zone, purpose, group
    Where the traveller lives, why they travel and their population group
    (``pupil``, ``commuter``, ``senior``, ...), when the demand generator
    knows it (empty otherwise).
status
    ``served`` or ``rejected``.
reason
    Why a booking was rejected, in plain words (empty when served).
vehicle_id
    The vehicle (on-demand) or the trip ids joined by ``+`` (fixed line).
transfers
    Number of changes between vehicles (0 or 1).
promised_earliest, promised_latest
    The pickup window promised at booking time (NaN for fixed lines).
board_time, alight_time
    Start of boarding and end of the ride (start of alighting).
walk_access_m, walk_egress_m, walk_s
    Walking to the first stop and from the last stop, and the walking time.
wait_s
    Deviation from the requested time: for a departure booking the time from
    the requested time (plus access walk) to boarding; for an arrival booking
    the time from arrival at the door to the requested time (arriving early).
in_vehicle_s
    From boarding to alighting (transfer waits included).
door_to_door_s
    From leaving the door to reaching the destination door (NaN if rejected),
    counted from the requested time for departure bookings and from the
    actual start for arrival bookings.
direct_s, direct_m
    A car's direct trip between the two doors on the same road graph.

Vehicle log (one row per stop of a vehicle, in order)
-----------------------------------------------------
model, seed, vehicle_id, seq
    Vehicle (or timetabled trip) and the stop's position on its route.
kind
    ``start``, ``pickup``, ``dropoff``, ``break``, ``end`` or ``stop`` (a
    timetabled stop).
request_id
    The booking served at this stop (empty for start/end/break/stop).
lat, lon, arrival, departure
    Where and when.
load, wheelchair_load
    Seats and wheelchair places occupied when leaving the stop.
onboard_bookings
    Number of different bookings on board when leaving the stop.
km_from_prev
    Kilometres driven from the previous stop to this one.
empty_km_from_prev
    The same kilometres if the vehicle drove them empty, else 0.
in_service
    Whether the vehicle is in revenue service on the leg to this stop (False
    for deadhead from and to the depot).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["STOP_COLUMNS", "TRIP_COLUMNS", "TripLabel", "check_columns", "empty_stops", "empty_trips"]


@dataclass(frozen=True)
class TripLabel:
    """What the demand generator knows about a booking beyond the bookings file.

    Fills the ``home_zone``, ``purpose`` and ``group`` columns of the trip log.
    """

    home_zone: str = ""
    purpose: str = ""
    group: str = ""


TRIP_COLUMNS: tuple[str, ...] = (
    "model",
    "seed",
    "request_id",
    "passengers",
    "wheelchair",
    "pickup_lat",
    "pickup_lon",
    "dropoff_lat",
    "dropoff_lon",
    "time_type",
    "requested_time",
    "booked_at",
    "home_zone",
    "purpose",
    "group",
    "status",
    "reason",
    "vehicle_id",
    "transfers",
    "promised_earliest",
    "promised_latest",
    "board_time",
    "alight_time",
    "walk_access_m",
    "walk_egress_m",
    "walk_s",
    "wait_s",
    "in_vehicle_s",
    "door_to_door_s",
    "direct_s",
    "direct_m",
)

STOP_COLUMNS: tuple[str, ...] = (
    "model",
    "seed",
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
    "onboard_bookings",
    "km_from_prev",
    "empty_km_from_prev",
    "in_service",
)


def empty_trips() -> pd.DataFrame:
    """Return an empty trip log with the right columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in TRIP_COLUMNS})


def empty_stops() -> pd.DataFrame:
    """Return an empty vehicle log with the right columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in STOP_COLUMNS})


def check_columns(df: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Raise ValueError if ``df`` lacks any of ``columns``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        msg = f"{what} lacks columns: {', '.join(missing)}"
        raise ValueError(msg)
