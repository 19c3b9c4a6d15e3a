"""Rules of the timetabled operating models (fixed line, Rufbus, AST) and their defaults.

Defaults and their sources are in ``transit/data/line_service.toml``;
walking defaults in ``transit/data/walking.toml``. Each rules object builds
from a scenario table with :func:`parse_line_rules` and :func:`parse_rufbus_rules`, which rejects unknown keys
naming them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Any

from transit.errors import InputError
from transit.util.tomltable import build, check_keys, get_bool, get_int, get_number, join
from transit.road.walking import WalkParams, parse_walk

__all__ = ["LineRules", "RufbusRules", "parse_line_rules", "parse_rufbus_rules"]


def _load() -> dict[str, Any]:
    text = resources.files("transit.data").joinpath("line_service.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_D = _load()
_R = _D["rufbus"]
_A = _D["ast"]


@dataclass(frozen=True)
class LineRules:
    """How passengers use timetabled lines.

    Parameters
    ----------
    walk
        Walking to and from stops (speed, detour, maximum walk).
    max_wait_min
        Departure bookings: the bus must leave the door at most this long
        after the requested time.
    max_early_min
        Arrival bookings: the passenger must arrive at most this long before
        the requested time.
    max_transfers
        0 (direct trips only) or 1.
    min_transfer_min
        Minimum time between arriving and departing at the change stop.
    max_transfer_wait_min
        Maximum time between arriving and departing at the change stop (a
        longer wait is no connection).
    transfer_penalty_min
        How many minutes a change is worth when choosing between journeys.
    min_layover_min
        Turn-around time when chaining trips into vehicle duties.
    max_layover_min
        Longest wait between two trips of one duty; after a longer wait the
        duty is split (the vehicle goes to the depot if there is one, the
        driver's break is not paid).
    depot
        ``(lat, lon)`` of the depot; when given, each vehicle duty starts and
        ends there (deadhead in the vehicle log).
    capacity
        Places (seats and standing) of the line's bus; a trip whose
        passengers do not fit is run by as many buses as they need
        (reinforcement buses). None: one bus holds everyone.
    """

    walk: WalkParams = field(default_factory=WalkParams)
    max_wait_min: float = float(_D["max_wait_min"])
    max_early_min: float = float(_D["max_early_min"])
    max_transfers: int = int(_D["max_transfers"])
    min_transfer_min: float = float(_D["min_transfer_min"])
    max_transfer_wait_min: float = float(_D["max_transfer_wait_min"])
    transfer_penalty_min: float = float(_D["transfer_penalty_min"])
    min_layover_min: float = float(_D["min_layover_min"])
    max_layover_min: float = float(_D["max_layover_min"])
    depot: tuple[float, float] | None = None
    capacity: int | None = int(_D["capacity"])

    def __post_init__(self) -> None:
        if self.capacity is not None and (isinstance(self.capacity, bool) or not isinstance(self.capacity, int)
                                          or self.capacity < 1):
            msg = f"must be a whole number >= 1, got {self.capacity!r}"
            raise InputError(msg, column="capacity")
        for name in ("max_wait_min", "max_early_min", "min_transfer_min", "max_transfer_wait_min",
                     "transfer_penalty_min", "min_layover_min", "max_layover_min"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and v >= 0):
                msg = f"must be a number >= 0, got {v!r}"
                raise InputError(msg, column=name)
        if self.max_transfer_wait_min < self.min_transfer_min:
            msg = (f"must be at least min_transfer_min ({self.min_transfer_min:g}), "
                   f"got {self.max_transfer_wait_min:g}")
            raise InputError(msg, column="max_transfer_wait_min")
        if self.max_transfers not in (0, 1):
            msg = f"must be 0 or 1, got {self.max_transfers!r}"
            raise InputError(msg, column="max_transfers")
        if self.depot is not None:
            lat, lon = self.depot
            if not (abs(lat) <= 90 and abs(lon) <= 180):
                msg = f"not a (lat, lon) position: {self.depot!r}"
                raise InputError(msg, column="depot")

    KEYS = ("walk", "max_wait_min", "max_early_min", "max_transfers", "min_transfer_min", "max_transfer_wait_min",
            "transfer_penalty_min", "min_layover_min", "max_layover_min", "depot", "capacity")


def parse_line_rules(data: Mapping[str, Any], *, source: str | None = None, table: str = "", extra: tuple[str, ...] = ()
) -> LineRules:
    """Build from a scenario table (keys as the parameters; ``depot = [lat, lon]``).

    ``extra`` keys are allowed (and ignored) for callers that add their own.
    """
    check_keys(data, LineRules.KEYS + extra, source=source, table=table)
    values: dict[str, Any] = {}
    if "walk" in data:
        values["walk"] = parse_walk(data["walk"], source=source, table=join(table, "walk"))
    for key in ("max_wait_min", "max_early_min", "min_transfer_min", "max_transfer_wait_min", "transfer_penalty_min",
                "min_layover_min", "max_layover_min"):
        x = get_number(data, key, None, source=source, table=table)
        if x is not None:
            values[key] = x
    if "max_transfers" in data:
        v = data["max_transfers"]
        if isinstance(v, bool) or v not in (0, 1):
            msg = f"must be 0 or 1, got {v!r}"
            raise InputError(msg, file=source, column=join(table, "max_transfers"))
        values["max_transfers"] = int(v)
    if "depot" in data:
        v = data["depot"]
        ok = isinstance(v, list) and len(v) == 2 and all(
            isinstance(c, (int, float)) and not isinstance(c, bool) for c in v
        )
        if not ok or not (abs(v[0]) <= 90 and abs(v[1]) <= 180):
            msg = f"must be [lat, lon], got {v!r}"
            raise InputError(msg, file=source, column=join(table, "depot"))
        values["depot"] = (float(v[0]), float(v[1]))
    if "capacity" in data:
        values["capacity"] = get_int(data, "capacity", None, source=source, table=table, lo=1)
    return build(LineRules, values, source=source, table=table)


@dataclass(frozen=True)
class RufbusRules:
    """What makes a timetabled Rufbus or AST trip run.

    Parameters
    ----------
    lead_time_min
        Minimum notice before the departure from the passenger's stop. None:
        the feed's own booking rule per trip (GTFS-Flex
        ``booking_rules.txt``), else the default.
    default_lead_time_min
        Notice when neither the scenario nor the feed gives one.
    capacity
        Passenger seats of the vehicle that runs a trip (default: a minibus,
        ``transit/data/line_service.toml``; None: unlimited).
    vehicles_per_trip
        At most this many such vehicles run one trip (a second minibus when
        the first is full); a booking that does not fit into them is
        rejected.
    vehicle_type
        The vehicle's cost rates: a ``[vehicle_types]`` name of the cost
        rates (:mod:`transit.evaluate.costs`); None: the model kind's
        ``line_vehicle_type``. Checked against the cost rates by the
        scenario (:mod:`transit.compare.models`).
    partial_run
        A Rufbus trip that runs serves only its booked part, from its first
        booked stop to its last (True), or its whole timetabled route
        (False). Without a depot the vehicle still comes from the trip's first
        stop, where the timetable has it: that approach is empty running and
        counts in the vehicle-hours and vehicle-km.
    ast
        Anruf-Sammeltaxi: deliver every passenger from the stop to the door.
    door_radius_m
        AST: the door must be within this straight-line distance of a stop
        of the trip after the boarding stop.
    door_dwell_s
        AST: time at each door.
    """

    lead_time_min: float | None = None
    default_lead_time_min: float = float(_R["lead_time_min"])
    capacity: int | None = int(_R["capacity"])
    vehicles_per_trip: int = int(_R["vehicles_per_trip"])
    vehicle_type: str | None = None
    partial_run: bool = False
    ast: bool = False
    door_radius_m: float = float(_A["door_radius_m"])
    door_dwell_s: float = float(_A["door_dwell_s"])

    def __post_init__(self) -> None:
        for name in ("default_lead_time_min", "door_radius_m", "door_dwell_s"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and v >= 0):
                msg = f"must be a number >= 0, got {v!r}"
                raise InputError(msg, column=name)
        if self.lead_time_min is not None and not self.lead_time_min >= 0:
            msg = f"must be a number >= 0, got {self.lead_time_min!r}"
            raise InputError(msg, column="lead_time_min")
        if self.capacity is not None and (isinstance(self.capacity, bool) or not isinstance(self.capacity, int)
                                          or self.capacity < 1):
            msg = f"must be a whole number >= 1, got {self.capacity!r}"
            raise InputError(msg, column="capacity")
        v = self.vehicles_per_trip
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            msg = f"must be a whole number >= 1, got {v!r}"
            raise InputError(msg, column="vehicles_per_trip")

    @property
    def trip_capacity(self) -> int | None:
        """Passengers one trip can take with all its vehicles (None: unlimited)."""
        return None if self.capacity is None else self.capacity * self.vehicles_per_trip

    @classmethod
    def ast_defaults(cls, **changes: Any) -> RufbusRules:
        """Return AST rules: door delivery, a taxi's seats, one taxi per trip (its door tour)."""
        base: dict[str, Any] = {"ast": True, "capacity": int(_A["capacity"]), "vehicles_per_trip": 1}
        base.update(changes)
        return cls(**base)

    KEYS = ("lead_time_min", "capacity", "vehicles_per_trip", "vehicle_type", "partial_run", "door_radius_m",
            "door_dwell_s")

    def as_fields(self) -> dict[str, Any]:
        """Return the parameters as a dict (for ``info`` and logs)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def parse_rufbus_rules(data: Mapping[str, Any], *, ast: bool, source: str | None = None, table: str = "",
    extra: tuple[str, ...] = (),
) -> RufbusRules:
    """Build from a scenario table (the keys above; ``ast`` from the model kind)."""
    check_keys(data, RufbusRules.KEYS + extra, source=source, table=table)
    values: dict[str, Any] = {}
    for key in ("lead_time_min", "door_radius_m", "door_dwell_s"):
        x = get_number(data, key, None, source=source, table=table)
        if x is not None:
            values[key] = x
    if "capacity" in data:
        values["capacity"] = get_int(data, "capacity", None, source=source, table=table, lo=1)
    if "vehicles_per_trip" in data:
        if ast and data["vehicles_per_trip"] != 1:
            msg = "an AST trip is one taxi's door tour: vehicles_per_trip must be 1"
            raise InputError(msg, file=source, column=join(table, "vehicles_per_trip"))
        values["vehicles_per_trip"] = get_int(data, "vehicles_per_trip", None, source=source, table=table, lo=1)
    if "vehicle_type" in data:
        vt = data["vehicle_type"]
        if not isinstance(vt, str) or not vt.strip():
            msg = f"must be the name of a vehicle type of the cost rates, got {vt!r}"
            raise InputError(msg, file=source, column=join(table, "vehicle_type"))
        values["vehicle_type"] = vt.strip()
    if "partial_run" in data:
        values["partial_run"] = get_bool(data, "partial_run", None, source=source, table=table)
    return build(RufbusRules.ast_defaults if ast else RufbusRules, values, source=source, table=table)
