"""The fleet file: vehicles, their depots and shifts, and the service rules.

A fleet file is TOML::

    [service]                     # optional; see transit.darp.service.ServiceRules
    pickup_window_min = 15
    max_ride_alpha = 1.5
    max_ride_beta_min = 15
    dwell_min = 1
    boarding_min_per_passenger = 0.5

    [[vehicle]]
    id = "bus-1"
    depot_lat = 50.0183
    depot_lon = 11.5012
    seats = 8
    wheelchair = 1
    shift_start = "06:00"
    shift_end = "22:00"
    cost_per_hour = 35.0          # optional, default 0
    cost_per_km = 0.40            # optional, default 0
    fixed_cost = 0.0              # optional, cost of using the vehicle at all
    [vehicle.break]               # optional driver break, taken at the end depot
    earliest = "11:00"            # the break may start at 11:00 ...
    latest = "14:00"              # ... and must be over by 14:00
    duration_min = 30

Keys of a ``[[vehicle]]`` table
-------------------------------
``id`` (text, required, unique), ``depot_lat``/``depot_lon`` (degrees,
required), ``seats`` (integer >= 1, required), ``wheelchair`` (integer >= 0,
default 0), ``shift_start``/``shift_end`` (``"HH:MM"`` or ``"HH:MM:SS"``,
hours may exceed 23 for shifts past midnight, or a TOML time; required),
``end_lat``/``end_lon`` (the depot where the shift ends, default the start
depot), ``cost_per_hour``, ``cost_per_km``, ``fixed_cost`` (>= 0, default 0),
``max_route_duration_min`` (cap on the time from leaving the depot to coming
back, default none), ``count`` (integer >= 1, default 1: that many identical
vehicles with ids ``ID-1`` ... ``ID-N``), and ``break``. A fleet has at most
5,000 vehicles (the ``vehicles`` limit of :mod:`transit.util.limits`).

``break`` is a table (``[vehicle.break]`` or an inline table) with
``earliest``, ``latest`` (times as above) and ``duration_min``, or an array of
such tables (``[[vehicle.break]]``) for several breaks. The break lies inside
the shift; the driver takes it at the vehicle's end depot, with nobody on
board. A vehicle that serves nobody needs no break.

Errors
------
Every problem of a file is reported at once (:class:`~transit.errors.InputErrors`),
each naming the file and the table, e.g. ``FLEET.toml: vehicle[2]: unknown key
'seet' (did you mean 'seats'?)``. Vehicles are numbered from 1 in the order of
the file. :func:`parse_fleet` takes an already parsed dict, so a fleet can be
embedded in a larger TOML file (a scenario); ``table`` names where.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from transit.errors import InputError, InputErrors
from transit.darp.service import ServiceRules, parse_service
from transit.util.limits import check_limit
from transit.util.timeparse import format_clock
from transit.util.tomltable import Table, describe, read_toml

__all__ = [
    "BreakSpec",
    "Fleet",
    "VehicleSpec",
    "fleet_from_specs",
    "parse_fleet",
    "read_fleet",
]

_MIN = 60.0

FLEET_KEYS = ("service", "vehicle")
VEHICLE_KEYS = (
    "id",
    "depot_lat",
    "depot_lon",
    "end_lat",
    "end_lon",
    "seats",
    "wheelchair",
    "shift_start",
    "shift_end",
    "break",
    "cost_per_hour",
    "cost_per_km",
    "fixed_cost",
    "max_route_duration_min",
    "count",
)
BREAK_KEYS = ("earliest", "latest", "duration_min")


@dataclass(frozen=True, slots=True)
class BreakSpec:
    """A driver break: ``duration_min`` minutes inside ``[earliest, latest]``.

    ``earliest`` and ``latest`` are seconds since midnight of the service day.
    """

    earliest: float
    latest: float
    duration_min: float

    def to_dict(self) -> dict[str, Any]:
        """Return the TOML-ready table."""
        return {
            "earliest": format_clock(self.earliest),
            "latest": format_clock(self.latest),
            "duration_min": self.duration_min,
        }


@dataclass(frozen=True, slots=True)
class VehicleSpec:
    """One vehicle as the fleet file describes it (coordinates, not matrix indices).

    Times are seconds since midnight of the service day; see the module
    docstring for the meaning of each field.
    """

    id: str
    depot_lat: float
    depot_lon: float
    seats: int
    shift_start: float
    shift_end: float
    wheelchair: int = 0
    end_lat: float | None = None
    end_lon: float | None = None
    breaks: tuple[BreakSpec, ...] = ()
    cost_per_hour: float = 0.0
    cost_per_km: float = 0.0
    fixed_cost: float = 0.0
    max_route_duration_min: float | None = None

    @property
    def end_point(self) -> tuple[float, float]:
        """(lat, lon) of the depot where the shift ends."""
        if self.end_lat is None or self.end_lon is None:
            return (self.depot_lat, self.depot_lon)
        return (self.end_lat, self.end_lon)

    def to_dict(self) -> dict[str, Any]:
        """Return the TOML-ready ``[[vehicle]]`` table (inverse of parsing)."""
        d: dict[str, Any] = {
            "id": self.id,
            "depot_lat": self.depot_lat,
            "depot_lon": self.depot_lon,
            "seats": self.seats,
            "wheelchair": self.wheelchair,
            "shift_start": format_clock(self.shift_start),
            "shift_end": format_clock(self.shift_end),
        }
        if self.end_lat is not None and self.end_lon is not None:
            d["end_lat"] = self.end_lat
            d["end_lon"] = self.end_lon
        if self.breaks:
            d["break"] = [b.to_dict() for b in self.breaks]
        for name in ("cost_per_hour", "cost_per_km", "fixed_cost"):
            if getattr(self, name):
                d[name] = getattr(self, name)
        if self.max_route_duration_min is not None:
            d["max_route_duration_min"] = self.max_route_duration_min
        return d


@dataclass(frozen=True)
class Fleet:
    """The vehicles of a fleet file and the service rules.

    Parameters
    ----------
    vehicles
        In file order (a ``count`` already expanded).
    service
        The service rules (defaults if the file has no ``[service]`` table).
    source
        Where the fleet came from (file name or label), for messages.
    """

    vehicles: tuple[VehicleSpec, ...]
    service: ServiceRules = field(default_factory=ServiceRules)
    source: str = ""

    @property
    def capacities(self) -> list[tuple[int, int]]:
        """``(seats, wheelchair places)`` per vehicle (for bookings validation)."""
        return [(v.seats, v.wheelchair) for v in self.vehicles]

    def vehicle(self, vehicle_id: str) -> VehicleSpec:
        """Return the vehicle with this id (KeyError if unknown)."""
        for v in self.vehicles:
            if v.id == vehicle_id:
                return v
        raise KeyError(vehicle_id)

    def to_dict(self) -> dict[str, Any]:
        """Return the fleet as a TOML/JSON-ready dict that :func:`parse_fleet` reads back."""
        return {
            "service": self.service.to_dict(),
            "vehicle": [v.to_dict() for v in self.vehicles],
        }


# --------------------------------------------------------------------------- parsing


def _parse_breaks(
    value: Any, *, source: str, table: str, problems: list[InputError]
) -> list[BreakSpec]:
    items: list[tuple[str, Any]]
    if isinstance(value, Mapping):
        items = [(table, value)]
    elif isinstance(value, list):
        items = [(f"{table}[{i}]", v) for i, v in enumerate(value, start=1)]
    else:
        problems.append(
            InputError(
                f"must be a table with earliest, latest, duration_min, got {describe(value)}",
                file=source,
                column=table,
            )
        )
        return []
    out = []
    for where, item in items:
        if not isinstance(item, Mapping):
            problems.append(InputError(f"must be a table, got {describe(item)}", file=source, column=where))
            continue
        t = Table(item, source=source, table=where, problems=problems)
        t.check_keys(BREAK_KEYS)
        earliest = t.clock("earliest", required=True, toml_time=True)
        latest = t.clock("latest", required=True, toml_time=True)
        duration = t.number("duration_min", required=True, lo=0.0, lo_open=True)
        if earliest is None or latest is None or duration is None:
            continue
        if latest - earliest < duration * _MIN:
            t.add(
                None,
                f"the break window {format_clock(earliest, with_seconds=False)}-"
                f"{format_clock(latest, with_seconds=False)} is shorter than the break ({duration:g} min)",
            )
            continue
        out.append(BreakSpec(earliest, latest, duration))
    return out


def _parse_vehicle(
    data: Any, *, source: str, table: str, problems: list[InputError]
) -> list[VehicleSpec]:
    if not isinstance(data, Mapping):
        problems.append(InputError(f"must be a table, got {describe(data)}", file=source, column=table))
        return []
    n_before = len(problems)
    t = Table(data, source=source, table=table, problems=problems)
    t.check_keys(VEHICLE_KEYS)
    vid = t.text("id", required=True)
    lat = t.number("depot_lat", required=True, lo=-90, hi=90)
    lon = t.number("depot_lon", required=True, lo=-180, hi=180)
    end_lat = t.number("end_lat", lo=-90, hi=90)
    end_lon = t.number("end_lon", lo=-180, hi=180)
    if ("end_lat" in t) != ("end_lon" in t):
        t.add("end_lat" if "end_lat" not in t else "end_lon", "give both end_lat and end_lon, or neither")
    seats = t.integer("seats", required=True, lo=1, whole_floats=True)
    wheelchair = t.integer("wheelchair", default=0, lo=0, whole_floats=True)
    start = t.clock("shift_start", required=True, toml_time=True)
    end = t.clock("shift_end", required=True, toml_time=True)
    if start is not None and end is not None and end <= start:
        t.add(
            "shift_end",
            f"the shift ends ({format_clock(end, with_seconds=False)}) before it starts "
            f"({format_clock(start, with_seconds=False)}); write hours past 24 for shifts after midnight",
        )
    costs = {k: t.number(k, default=0.0, lo=0.0) for k in ("cost_per_hour", "cost_per_km", "fixed_cost")}
    max_dur = t.number("max_route_duration_min", lo=0.0, lo_open=True)
    count = t.integer("count", default=1, lo=1, whole_floats=True)
    breaks: list[BreakSpec] = []
    if "break" in t:
        breaks = _parse_breaks(data["break"], source=source, table=t.where("break"), problems=problems)
        if start is not None and end is not None:
            for b in breaks:
                if b.earliest < start or b.latest > end:
                    t.add(
                        "break",
                        f"the break window {format_clock(b.earliest, with_seconds=False)}-"
                        f"{format_clock(b.latest, with_seconds=False)} lies outside the shift "
                        f"{format_clock(start, with_seconds=False)}-{format_clock(end, with_seconds=False)}",
                    )
    if len(problems) > n_before:
        return []
    assert vid is not None and lat is not None and lon is not None  # noqa: S101 (checked above)
    assert seats is not None and start is not None and end is not None and count is not None  # noqa: S101
    spec = VehicleSpec(
        id=vid,
        depot_lat=lat,
        depot_lon=lon,
        seats=seats,
        wheelchair=int(wheelchair or 0),
        shift_start=start,
        shift_end=end,
        end_lat=end_lat,
        end_lon=end_lon,
        breaks=tuple(breaks),
        cost_per_hour=float(costs["cost_per_hour"] or 0.0),
        cost_per_km=float(costs["cost_per_km"] or 0.0),
        fixed_cost=float(costs["fixed_cost"] or 0.0),
        max_route_duration_min=max_dur,
    )
    if count == 1:
        return [spec]
    return [dataclasses.replace(spec, id=f"{vid}-{k}") for k in range(1, count + 1)]


def _check_fleet_size(raw: list[Any], *, source: str, column: str) -> None:
    """Refuse, before expanding ``count``, a fleet larger than the ``vehicles`` limit."""
    total = 0.0
    for item in raw:
        n = item.get("count", 1)
        total += n if isinstance(n, (int, float)) and not isinstance(n, bool) and n >= 1 else 1
    try:
        check_limit("vehicles", total, file=source, column=column)
    except InputError as exc:
        raise InputErrors([exc]) from None


def parse_fleet(data: Mapping[str, Any], *, source: str, table: str = "") -> Fleet:
    """Build a :class:`Fleet` from a parsed TOML document (or a table inside one).

    Parameters
    ----------
    data
        A mapping with an optional ``service`` table and a ``vehicle`` array
        of tables.
    source
        The file name (or label) used in error messages.
    table
        Where ``data`` sits inside ``source`` (``""`` for the whole file,
        e.g. ``"models.drt"`` for a fleet embedded in a scenario). Error
        messages then read ``scenario.toml: models.drt.vehicle[2]: ...``.

    Raises
    ------
    InputErrors
        Listing every problem (unknown keys, wrong types, bad values,
        duplicate ids, no vehicles).
    """
    top = Table(data, source=source, table=table)
    top.raise_problems()
    problems = top.problems
    top.check_keys(FLEET_KEYS)
    prefix = f"{table}." if table else ""
    service = ServiceRules()
    if "service" in top:
        try:
            service = parse_service(data["service"], source=source, table=f"{prefix}service")
        except InputErrors as exc:
            top.absorb(exc)
    vehicles: list[VehicleSpec] = []
    raw = data.get("vehicle")
    if raw is None:
        problems.append(
            InputError(
                "no vehicles: add at least one [[vehicle]] table",
                file=source,
                column=table or None,
            )
        )
    elif not isinstance(raw, list) or (raw and not all(isinstance(v, Mapping) for v in raw)):
        problems.append(
            InputError(
                "must be an array of tables ([[vehicle]]), got " + describe(raw),
                file=source,
                column=f"{prefix}vehicle",
            )
        )
    elif not raw:
        problems.append(InputError("no vehicles", file=source, column=f"{prefix}vehicle"))
    else:
        _check_fleet_size(raw, source=source, column=f"{prefix}vehicle")
        seen: dict[str, str] = {}
        for i, item in enumerate(raw, start=1):
            where = f"{prefix}vehicle[{i}]"
            for v in _parse_vehicle(item, source=source, table=where, problems=problems):
                if v.id in seen:
                    problems.append(
                        InputError(
                            f"duplicate vehicle id {v.id!r} (also in {seen[v.id]})",
                            file=source,
                            column=f"{where}.id",
                        )
                    )
                else:
                    seen[v.id] = where
                    vehicles.append(v)
    if problems:
        raise InputErrors(problems)
    return Fleet(vehicles=tuple(vehicles), service=service, source=source)


def read_fleet(path: str | os.PathLike[str]) -> Fleet:
    """Read and validate a fleet TOML file.

    Raises
    ------
    InputErrors
        If the file is missing, not UTF-8 text, not TOML, or describes a bad
        fleet (see :func:`parse_fleet`).
    """
    return parse_fleet(read_toml(path, what="fleet file"), source=str(path))


def fleet_from_specs(vehicles: Sequence[VehicleSpec], service: ServiceRules | None = None) -> Fleet:
    """Return a :class:`Fleet` from vehicle specs built in code (ids must be unique).

    Raises
    ------
    InputError
        If two vehicles share an id or there are none.
    """
    if not vehicles:
        msg = "a fleet needs at least one vehicle"
        raise InputError(msg)
    ids = [v.id for v in vehicles]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        msg = f"duplicate vehicle ids: {', '.join(dup)}"
        raise InputError(msg)
    return Fleet(vehicles=tuple(vehicles), service=service or ServiceRules(), source="<code>")
