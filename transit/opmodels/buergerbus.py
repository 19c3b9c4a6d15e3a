"""Operating model 5: Bürgerbus, an on-demand minibus driven by volunteers.

A Bürgerbus association runs one or a few minibuses of at most 8 passenger
seats (the limit for driving with an ordinary car licence under the German
passenger transport rules) with volunteer drivers. The service is the
on-demand service of :mod:`transit.opmodels.ondemand` (door to door or
between stops, in a service area), restricted to:

- the **roster**: the driver duties of the day (:class:`Duty`: which bus,
  from when to when); a bus drives only while a volunteer is on duty, and
  each duty is one vehicle of the simulated day (``vehicle_id`` =
  ``BUS@HH:MM``), starting and ending at the bus's depot;
- the **service hours**: a booking whose requested time lies outside them
  is rejected ("outside the Bürgerbus service hours (08:00-18:00)");
- the service **area** (optional).

Drivers are paid no wage; :mod:`transit.evaluate.costs` charges the volunteer
allowance per hour or km instead (model kind ``buergerbus``). ``info``
holds ``duties`` and ``driver_hours_rostered``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from transit.demand.bookings import Booking
from transit.errors import InputError
from transit.darp.fleet import Fleet, fleet_from_specs
from transit.opmodels.base import DayContext, ModelRun
from transit.opmodels.ondemand import OnDemandOptions, parse_ondemand_options, rules_for, serve_on_demand
from transit.util.progress import Progress
from transit.util.timeparse import format_clock
from transit.util.tomltable import build, check_keys, clock_value, describe, get_text, join

__all__ = ["MAX_SEATS", "BuergerbusModel", "BuergerbusOptions", "Duty", "parse_buergerbus_options"]

MAX_SEATS = 8
"""Most passenger seats a Bürgerbus may have (driven with a class B licence)."""

_H = 3600.0


@dataclass(frozen=True, slots=True)
class Duty:
    """A volunteer driver's duty: bus ``vehicle`` is in service from ``start`` to ``end`` (seconds)."""

    vehicle: str
    start: float
    end: float

    def __post_init__(self) -> None:
        if not self.end > self.start:
            msg = f"duty on {self.vehicle!r} ends ({format_clock(self.end)}) before it starts ({format_clock(self.start)})"
            raise InputError(msg, column="roster")

    @property
    def hours(self) -> float:
        """Length of the duty in hours."""
        return (self.end - self.start) / _H


@dataclass(frozen=True)
class BuergerbusOptions:
    """How a Bürgerbus runs.

    Parameters
    ----------
    roster
        The day's duties; empty: every bus is on duty for the whole service
        hours.
    service_hours
        ``(open, close)`` in seconds: bookings whose requested time lies
        outside are rejected. Default 08:00-18:00.
    ondemand
        The on-demand part (area, door to door or between stops, walking,
        service rules, simulation settings).
    """

    roster: tuple[Duty, ...] = ()
    service_hours: tuple[float, float] = (8 * _H, 18 * _H)
    ondemand: OnDemandOptions = field(default_factory=OnDemandOptions)

    KEYS = ("roster", "service_hours", *OnDemandOptions.KEYS)

    def __post_init__(self) -> None:
        a, b = self.service_hours
        if not b > a:
            msg = f"service hours end ({format_clock(b)}) before they start ({format_clock(a)})"
            raise InputError(msg, column="service_hours")


def parse_buergerbus_options(data: Mapping[str, Any], *, source: str | None = None, table: str = "", extra: tuple[str, ...] = ()
) -> BuergerbusOptions:
    """Build from a scenario's model table.

    ``roster`` is a list of tables ``{vehicle = "bb-1", start = "08:00",
    end = "12:30"}``; ``service_hours = ["08:00", "18:00"]``; the other
    keys are those of :class:`~transit.opmodels.ondemand.OnDemandOptions`.

    Raises
    ------
    InputError
        Naming ``source`` and the key.
    """
    check_keys(data, BuergerbusOptions.KEYS + extra, source=source, table=table)
    values: dict[str, Any] = {}
    if "service_hours" in data:
        v = data["service_hours"]
        col = join(table, "service_hours")
        if not (isinstance(v, list) and len(v) == 2):
            msg = f'must be ["HH:MM", "HH:MM"], got {describe(v)}'
            raise InputError(msg, file=source, column=col)
        values["service_hours"] = (clock_value(v[0], source=source, column=col),
                                   clock_value(v[1], source=source, column=col))
    if "roster" in data:
        v = data["roster"]
        col = join(table, "roster")
        if not isinstance(v, list):
            msg = f"must be a list of tables, got {describe(v)}"
            raise InputError(msg, file=source, column=col)
        duties = []
        for k, item in enumerate(v, start=1):
            where = f"{col}[{k}]"
            check_keys(item, ("vehicle", "start", "end"), source=source, table=where)
            for key in ("vehicle", "start", "end"):
                if key not in item:
                    msg = f"missing key {key!r}"
                    raise InputError(msg, file=source, column=where)
            vehicle = get_text(item, "vehicle", None, source=source, table=where)
            start = clock_value(item["start"], source=source, column=join(where, "start"))
            end = clock_value(item["end"], source=source, column=join(where, "end"))
            try:
                duties.append(Duty(vehicle, start, end))
            except InputError as exc:
                raise InputError(exc.message, file=source, column=where) from None
        values["roster"] = tuple(duties)
    rest = {k: data[k] for k in OnDemandOptions.KEYS if k in data}
    values["ondemand"] = parse_ondemand_options(rest, source=source, table=table)
    return build(BuergerbusOptions, values, source=source, table=table)


class BuergerbusModel:
    """A volunteer-driven on-demand minibus (see the module docstring).

    Parameters
    ----------
    name
        The model's name in the scenario.
    fleet
        The buses (depots, seats <= 8, wheelchair places); their shifts are
        replaced by the roster's duties.
    options
        Roster, service hours and the on-demand part.

    Raises
    ------
    InputError
        If a bus has more than 8 seats, a duty names an unknown bus, or two
        duties of one bus overlap.
    """

    kind = "buergerbus"

    def __init__(self, name: str, fleet: Fleet, options: BuergerbusOptions | None = None) -> None:
        self.name = name
        self.options = options if options is not None else BuergerbusOptions()
        for v in fleet.vehicles:
            if v.seats > MAX_SEATS:
                msg = f"bus {v.id!r} has {v.seats} seats; a Bürgerbus has at most {MAX_SEATS}"
                raise InputError(msg, file=fleet.source or None, column="seats")
        ids = {v.id for v in fleet.vehicles}
        roster = self.options.roster or tuple(
            Duty(v.id, *self.options.service_hours) for v in fleet.vehicles
        )
        for d in roster:
            if d.vehicle not in ids:
                msg = f"the roster names bus {d.vehicle!r}, which is not in the fleet ({', '.join(sorted(ids))})"
                raise InputError(msg, column="roster")
        by_bus: dict[str, list[Duty]] = {}
        for d in roster:
            by_bus.setdefault(d.vehicle, []).append(d)
        for bus, duties in by_bus.items():
            duties.sort(key=lambda d: d.start)
            for a, b in zip(duties, duties[1:]):
                if b.start < a.end:
                    msg = (
                        f"duties of bus {bus!r} overlap: {format_clock(a.start)}-{format_clock(a.end)} and "
                        f"{format_clock(b.start)}-{format_clock(b.end)}"
                    )
                    raise InputError(msg, column="roster")
        self.roster = tuple(sorted(roster, key=lambda d: (d.vehicle, d.start)))
        specs = []
        for d in self.roster:
            v = fleet.vehicle(d.vehicle)
            breaks = tuple(b for b in v.breaks if b.earliest >= d.start and b.latest <= d.end)
            specs.append(
                dataclasses.replace(
                    v,
                    id=f"{v.id}@{format_clock(d.start, with_seconds=False)}",
                    shift_start=d.start,
                    shift_end=d.end,
                    breaks=breaks,
                    max_route_duration_min=None,
                )
            )
        self.fleet = fleet_from_specs(specs, fleet.service)

    def _outside_hours(self, b: Booking) -> str:
        a, z = self.options.service_hours
        if a <= b.time <= z:
            return ""
        return (
            f"outside the Bürgerbus service hours ({format_clock(a, with_seconds=False)}-"
            f"{format_clock(z, with_seconds=False)})"
        )

    def run(
        self,
        bookings: Sequence[Booking],
        ctx: DayContext,
        *,
        seed: int,
        rng: np.random.Generator,
        progress: Progress | None = None,
    ) -> ModelRun:
        """Serve the day: every booking ends up served or rejected with a reason."""
        del rng
        opts = self.options.ondemand
        run = serve_on_demand(
            name=self.name,
            kind=self.kind,
            bookings=bookings,
            ctx=ctx,
            fleet=self.fleet,
            rules=rules_for(opts.service, ctx, self.fleet),
            options=opts,
            seed=seed,
            pre_reject=self._outside_hours,
            progress=progress,
        )
        info = dict(run.info)
        info["duties"] = float(len(self.roster))
        info["driver_hours_rostered"] = float(sum(d.hours for d in self.roster))
        return dataclasses.replace(run, info=info)
