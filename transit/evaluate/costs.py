"""Cost rates, fares and emission factors, and what a day of service costs.

The defaults live in ``transit/data/costs.toml`` and
``transit/data/emissions.toml`` with their sources; a scenario overrides any
key (same layout, only the keys it changes). :func:`load_costs` reads them,
:func:`parse_costs` merges a scenario's table over the defaults and checks
it, and :func:`day_costs` turns a model run's logs into money and CO2.

How a run is costed (the KPI definitions in :mod:`transit.evaluate.kpis` build on it)
----------------------------------------------------------------------------
Every model is costed on the same basis: the hours its vehicles and drivers
are paid for, the kilometres they drive (empty runs to and from the depot
included), the bookings it *served*, and the fares of the passengers it
*carried*. A booking a model could not serve costs it nothing: adding
rejected bookings to a trip log never changes a cost.

Each vehicle of the vehicle log is either *timetabled* (it has rows of kind
``stop``: a fixed-line or Rufbus trip, possibly with deadhead ``start`` and
``end`` rows from and to a depot) and uses the kind's
``line_vehicle_type``, or an *on-demand* vehicle and uses its
``vehicle_type``.

- paid hours: an on-demand vehicle is paid from the first to the last time
  it appears in the log (its shift, from the depot and back). Timetabled
  trips of a kind with ``line_costing = "duty"`` are paid for their vehicle
  duties: the model's ``duty_hours`` (``info``; from pull-out to pull-in of
  every duty, layovers and depot runs included; for a hybrid
  ``trunk_duty_hours``), at least the hours of the trips themselves; with
  ``line_costing = "per_trip"`` (Rufbus, AST: a contractor paid per trip
  run) only the trips that ran, each from its first to its last row
  (depot runs included when the model logs them). Every duty (an on-demand
  vehicle, a timetabled duty: ``info`` ``vehicle_duties``) adds
  ``staff.driver.sign_on_off_min`` of paid driver time;
- vehicle cost = paid hours x ``cost_per_hour`` + km x ``cost_per_km`` of the
  vehicle's type (all km of the log, empty runs included);
- staff cost = paid hours x ``staff.driver.wage_per_hour``, or for
  ``staff = "volunteer"`` hours x ``allowance_per_hour`` + km x
  ``allowance_per_km``;
- dispatch cost = bookings *served* x ``dispatch.cost_per_booking`` when the
  kind has ``dispatch = true``, except that with ``line_trips_booked =
  false`` (hybrid: the trunk needs no booking) those served by timetabled
  trips alone need no booking;
- platform cost = on-demand vehicles x ``dispatch.platform_per_vehicle_day``
  when the kind has ``dispatch = true``;
- standby cost = timetabled trips (``info`` ``timetabled_trips``) x the
  kind's ``standby_per_trip`` (0 unless a scenario sets it);
- fare revenue = sum over served bookings of passengers x the expected fare
  under one fare system: a share ``fares.season_ticket_share`` of riders
  holds a season ticket (Deutschlandticket) and pays ``season_base +
  season_per_km`` x straight-line km, the others ``base + per_km`` x km of
  the kind's tariff;
- CO2 = sum over vehicles of km x ``kg_co2e_per_km`` of its type.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from transit.util.geo import great_circle_m
from transit.errors import InputError, InputErrors
from transit.util.tomltable import Table, describe

__all__ = [
    "CostRates",
    "KindCosts",
    "PaidTime",
    "Tariff",
    "VehicleType",
    "bookings_dispatched",
    "day_costs",
    "fare_revenue",
    "paid_time",
    "default_costs",
    "load_costs",
    "parse_costs",
]

_TOP_KEYS = ("currency", "service_days_per_year", "vehicle_types", "staff", "dispatch", "fares", "tariffs", "kinds")
_VT_KEYS = ("description", "cost_per_hour", "cost_per_km", "kg_co2e_per_km")
_STAFF_KEYS = {
    "driver": ("wage_per_hour", "sign_on_off_min"),
    "volunteer": ("allowance_per_hour", "allowance_per_km"),
}
_DISPATCH_KEYS = ("cost_per_booking", "platform_per_vehicle_day")
_FARES_KEYS = ("season_ticket_share",)
_TARIFF_KEYS = ("base", "per_km", "season_base", "season_per_km")
_KIND_KEYS = ("vehicle_type", "line_vehicle_type", "staff", "tariff", "dispatch", "line_trips_booked",
              "line_costing", "standby_per_trip")
_LINE_COSTING = ("duty", "per_trip")

@dataclass(frozen=True, slots=True)
class VehicleType:
    """Cost and emission rates of one kind of vehicle.

    Parameters
    ----------
    name
        Key in ``[vehicle_types]``.
    cost_per_hour
        Vehicle cost per duty hour (capital, insurance, overhead), currency.
    cost_per_km
        Vehicle cost per km (energy, maintenance), currency.
    kg_co2e_per_km
        Well-to-wheel emissions per vehicle-km, kg CO2-equivalent.
    description
        Free text.
    """

    name: str
    cost_per_hour: float
    cost_per_km: float
    kg_co2e_per_km: float
    description: str = ""


@dataclass(frozen=True, slots=True)
class Tariff:
    """A fare per passenger: ``base + per_km * straight-line km``, and the same for season-ticket holders.

    Parameters
    ----------
    name
        Key in ``[tariffs]``.
    base, per_km
        Single fare: fixed part and per straight-line km.
    season_base, season_per_km
        What a season-ticket (Deutschlandticket) holder pays on top of the
        ticket; 0 when the ticket covers the trip.
    """

    name: str
    base: float
    per_km: float = 0.0
    season_base: float = 0.0
    season_per_km: float = 0.0

    def fare(self, straight_km: float) -> float:
        """Return the single fare of one passenger for a trip of ``straight_km``."""
        return self.base + self.per_km * straight_km

    def season_fare(self, straight_km: float) -> float:
        """Return what a season-ticket holder pays for a trip of ``straight_km``."""
        return self.season_base + self.season_per_km * straight_km

    def expected_fare(self, straight_km: Any, season_share: float) -> Any:
        """Return the mean fare of a rider when ``season_share`` of riders hold a season ticket."""
        return (1.0 - season_share) * self.fare(straight_km) + season_share * self.season_fare(straight_km)


@dataclass(frozen=True, slots=True)
class KindCosts:
    """How runs of one model kind are costed (see the module docstring)."""

    kind: str
    vehicle_type: VehicleType
    line_vehicle_type: VehicleType
    volunteer: bool
    tariff: Tariff
    dispatch: bool
    line_trips_booked: bool = True
    line_costing: str = "duty"
    standby_per_trip: float = 0.0


@dataclass(frozen=True)
class CostRates:
    """All cost rates, fares and emission factors.

    Parameters
    ----------
    vehicle_types
        By name.
    wage_per_hour
        Employer's cost per paid driver-hour.
    allowance_per_hour, allowance_per_km
        Volunteer expense allowance.
    dispatch_per_booking
        Call-centre and platform cost per booking served.
    tariffs
        By name.
    kinds
        By model kind: which vehicle type, staff, tariff, dispatch.
    currency
        Currency code (display only).
    sign_on_off_min
        Paid driver minutes per duty besides the duty itself.
    platform_per_vehicle_day
        Dispatch platform licence per on-demand vehicle and day.
    season_ticket_share
        Share of riders holding a season ticket (Deutschlandticket).
    service_days_per_year
        Days a year the simulated day stands for (yearly figures in the report).
    """

    vehicle_types: Mapping[str, VehicleType]
    wage_per_hour: float
    allowance_per_hour: float
    allowance_per_km: float
    dispatch_per_booking: float
    tariffs: Mapping[str, Tariff]
    kinds: Mapping[str, KindCosts]
    currency: str = "EUR"
    sign_on_off_min: float = 0.0
    platform_per_vehicle_day: float = 0.0
    season_ticket_share: float = 0.0
    service_days_per_year: float = 250.0

    def for_kind(self, kind: str) -> KindCosts:
        """Return the costing of a model kind.

        Raises
        ------
        InputError
            If the kind has no ``[kinds.<kind>]`` table.
        """
        try:
            return self.kinds[kind]
        except KeyError:
            msg = f"no cost rates for model kind {kind!r} (known: {', '.join(sorted(self.kinds))})"
            raise InputError(msg, column=f"kinds.{kind}") from None


# --------------------------------------------------------------------------- reading


def _read_data(name: str) -> dict[str, Any]:
    text = resources.files("transit.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def default_costs() -> CostRates:
    """Return the bundled default rates (``costs.toml`` + ``emissions.toml``)."""
    return parse_costs({}, source="(defaults)")


def load_costs(path: str | Path | None = None) -> CostRates:
    """Read a costs TOML file whose keys override the bundled defaults.

    Parameters
    ----------
    path
        A TOML file with the layout of ``transit/data/costs.toml`` (only the
        keys to change), or None for the defaults.

    Raises
    ------
    InputErrors
        If the file cannot be read or a key or value is wrong.
    """
    if path is None:
        return default_costs()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        msg = f"cannot read the costs file: {exc}"
        raise InputErrors([InputError(msg, file=str(p))]) from exc
    return parse_costs(data, source=str(p))


def parse_costs(data: Mapping[str, Any], *, source: str, table: str = "") -> CostRates:
    """Build :class:`CostRates` from a table that overrides the defaults.

    Parameters
    ----------
    data
        Keys of ``costs.toml`` to change (an empty mapping gives the defaults);
        ``vehicle_types.<name>.kg_co2e_per_km`` overrides the emission factor.
    source
        File name for error messages.
    table
        Where the table sits in its file (e.g. ``"costs"``), for messages.

    Raises
    ------
    InputErrors
        Every unknown key, non-numeric or negative value, and reference to an
        unknown vehicle type or tariff, each naming its key.
    """
    top = Table(data, source=source, table=table)
    top.raise_problems()
    problems = top.problems
    top.check_keys(_TOP_KEYS)
    merged = _merge(_read_data("costs.toml"), {"vehicle_types": _read_data("emissions.toml")["vehicle_types"]})
    merged = _merge(merged, {k: v for k, v in data.items() if k in _TOP_KEYS})
    root = Table(merged, source=source, table=table, problems=problems)

    def sub(parent: Table, key: str, keys: tuple[str, ...] | None = None) -> Table:
        """Return the table ``key`` of ``parent`` (empty if absent), its keys checked against ``keys``."""
        t = Table(parent.data.get(key, {}), source=source, table=parent.where(key), problems=problems)
        if keys is not None:
            t.check_keys(keys)
        return t

    def entries(key: str, keys: tuple[str, ...]) -> Iterator[tuple[str, Table]]:
        """Yield the named tables inside table ``key`` (``[tariffs.<name>]``), their keys checked."""
        group = sub(root, key)
        for name, value in group.data.items():
            if isinstance(value, Mapping):
                yield name, sub(group, name, keys)
            else:
                group.add(name, f"must be a table, got {describe(value)}")

    def num(t: Table, key: str, default: float | None = None) -> float:
        x = t.number(key, required=default is None, default=default, lo=0.0)
        return math.nan if x is None else x

    vts: dict[str, VehicleType] = {}
    for name, t in entries("vehicle_types", _VT_KEYS):
        if "kg_co2e_per_km" not in t:
            t.add(None, "has no emission factor (kg_co2e_per_km)")
            continue
        vts[name] = VehicleType(
            name=name,
            cost_per_hour=num(t, "cost_per_hour"),
            cost_per_km=num(t, "cost_per_km"),
            kg_co2e_per_km=num(t, "kg_co2e_per_km"),
            description=str(t.data.get("description", "")),
        )
    staff = sub(root, "staff", tuple(_STAFF_KEYS))
    driver = sub(staff, "driver", _STAFF_KEYS["driver"])
    volunteer = sub(staff, "volunteer", _STAFF_KEYS["volunteer"])
    dispatch = sub(root, "dispatch", _DISPATCH_KEYS)
    fares = sub(root, "fares", _FARES_KEYS)
    share = fares.number("season_ticket_share", default=0.0, lo=0.0, hi=1.0)
    tariffs = {
        name: Tariff(name, num(t, "base"), num(t, "per_km", 0.0), num(t, "season_base", 0.0),
                     num(t, "season_per_km", 0.0))
        for name, t in entries("tariffs", _TARIFF_KEYS)
    }
    kinds: dict[str, KindCosts] = {}
    for kind, t in entries("kinds", _KIND_KEYS):
        kc = _kind_costs(kind, t, vts, tariffs)
        if kc is not None:
            kinds[kind] = kc
    rates = CostRates(
        vehicle_types=vts,
        wage_per_hour=num(driver, "wage_per_hour"),
        allowance_per_hour=num(volunteer, "allowance_per_hour"),
        allowance_per_km=num(volunteer, "allowance_per_km"),
        dispatch_per_booking=num(dispatch, "cost_per_booking"),
        tariffs=tariffs,
        kinds=kinds,
        currency=str(merged.get("currency", "EUR")),
        sign_on_off_min=num(driver, "sign_on_off_min", 0.0),
        platform_per_vehicle_day=num(dispatch, "platform_per_vehicle_day", 0.0),
        season_ticket_share=0.0 if share is None else share,
        service_days_per_year=root.number("service_days_per_year", default=250.0, lo=1.0, hi=366.0) or 250.0,
    )
    top.raise_problems()
    return rates


def _kind_costs(
    kind: str, t: Table, vts: Mapping[str, VehicleType], tariffs: Mapping[str, Tariff]
) -> KindCosts | None:
    """Return the costing of one ``[kinds.<kind>]`` table (None after recording its problems)."""
    refs = []
    for key, pool in (("vehicle_type", vts), ("line_vehicle_type", vts), ("tariff", tariffs)):
        name = t.data.get(key)
        if name not in pool:
            t.add(key, f"unknown name {name!r} (known: {', '.join(sorted(pool))})")
        refs.append(pool.get(name))
    staff_kind = t.text("staff", required=True, choices=tuple(_STAFF_KEYS), strip=False)
    disp = t.boolean("dispatch", required=True)
    booked = t.boolean("line_trips_booked", default=True)
    costing = t.text("line_costing", default="duty", choices=_LINE_COSTING, strip=False)
    standby = t.number("standby_per_trip", default=0.0, lo=0.0)
    if any(r is None for r in refs) or None in (staff_kind, disp, booked, costing, standby):
        return None
    return KindCosts(kind, refs[0], refs[1], staff_kind == "volunteer", refs[2], bool(disp), bool(booked),
                     str(costing), float(standby or 0.0))


# --------------------------------------------------------------------------- costing


def vehicle_table(stops: pd.DataFrame) -> pd.DataFrame:
    """Return one row per vehicle of a vehicle log: km, duty hours, timetabled.

    Duty hours run from the first to the last time the vehicle appears in
    the log (arrival, else departure); a vehicle is timetabled when it has
    rows of kind ``stop`` (timetabled stops).
    """
    if stops.empty:
        return pd.DataFrame({"km": [], "hours": [], "timetabled": []}, index=pd.Index([], name="vehicle_id"))
    arr = pd.to_numeric(stops["arrival"], errors="coerce")
    dep = pd.to_numeric(stops["departure"], errors="coerce")
    first = arr.fillna(dep)
    last = dep.fillna(arr)
    df = pd.DataFrame(
        {
            "vehicle_id": stops["vehicle_id"].astype(str),
            "km": pd.to_numeric(stops["km_from_prev"], errors="coerce").fillna(0.0),
            "first": first,
            "last": last,
            "is_stop": stops["kind"].astype(str) == "stop",
        }
    )
    g = df.groupby("vehicle_id", sort=True)
    out = pd.DataFrame(
        {
            "km": g["km"].sum(),
            "hours": (g["last"].max() - g["first"].min()).fillna(0.0) / 3600.0,
            "timetabled": g["is_stop"].any(),
        }
    )
    return out


#: Keys of ``ModelRun.info`` that give the paid duty hours and the number of duties of timetabled trips
#: (a hybrid's trunk figures carry the prefix ``trunk_``).
DUTY_HOURS_KEYS = ("duty_hours", "trunk_duty_hours")
DUTY_COUNT_KEYS = ("vehicle_duties", "trunk_vehicle_duties")
TIMETABLED_TRIPS_KEYS = ("timetabled_trips", "trunk_timetabled_trips")


def _info(info: Mapping[str, Any], keys: tuple[str, ...]) -> float | None:
    """Return the first finite figure of ``info`` under one of ``keys`` (None if there is none)."""
    for k in keys:
        v = info.get(k)
        if v is not None:
            try:
                x = float(v)
            except (TypeError, ValueError):
                continue
            if math.isfinite(x):
                return x
    return None


@dataclass(frozen=True)
class PaidTime:
    """The hours, km and duties a day of one model is paid for, by kind of vehicle.

    Attributes
    ----------
    hours_ondemand, km_ondemand, vehicles_ondemand
        On-demand vehicles: shift hours, km (depot runs included), count.
    hours_line, km_line, trips_line
        Timetabled trips: paid hours (duties or trips run, see the module
        docstring), km (empty runs included), trips in the log.
    duties
        Duties that add the sign-on/sign-off time.
    """

    hours_ondemand: float
    km_ondemand: float
    vehicles_ondemand: int
    hours_line: float
    km_line: float
    trips_line: int
    duties: float

    @property
    def hours(self) -> float:
        """All paid vehicle hours."""
        return self.hours_ondemand + self.hours_line

    @property
    def km(self) -> float:
        """All vehicle-km."""
        return self.km_ondemand + self.km_line


def paid_time(stops: pd.DataFrame, kc: KindCosts, info: Mapping[str, Any] | None = None) -> PaidTime:
    """Return what a day's vehicles are paid for (see the module docstring).

    Parameters
    ----------
    stops
        The vehicle log.
    kc
        The kind's costing.
    info
        The run's ``info`` (``duty_hours``, ``vehicle_duties``; see
        :data:`DUTY_HOURS_KEYS`).
    """
    info = info or {}
    veh = vehicle_table(stops)
    line = veh[veh["timetabled"].astype(bool)] if len(veh) else veh
    od = veh[~veh["timetabled"].astype(bool)] if len(veh) else veh
    trip_hours = float(line["hours"].sum())
    hours_line = trip_hours
    duties = float(len(od))
    if len(line):
        n_duties = _info(info, DUTY_COUNT_KEYS)
        if kc.line_costing == "duty":
            duty_h = _info(info, DUTY_HOURS_KEYS)
            hours_line = max(trip_hours, duty_h) if duty_h is not None else trip_hours
            duties += n_duties if n_duties is not None else float(len(line))
    return PaidTime(
        hours_ondemand=float(od["hours"].sum()),
        km_ondemand=float(od["km"].sum()),
        vehicles_ondemand=int(len(od)),
        hours_line=hours_line,
        km_line=float(line["km"].sum()),
        trips_line=int(len(line)),
        duties=duties,
    )


def bookings_dispatched(trips: pd.DataFrame, stops: pd.DataFrame, kc: KindCosts) -> int:
    """Return the served bookings a kind pays dispatch for (none without dispatch; see the module docstring)."""
    if not kc.dispatch or not len(trips):
        return 0
    served = trips["status"].astype(str) == "served"
    if kc.line_trips_booked:
        return int(served.sum())
    veh = vehicle_table(stops)
    timetabled_ids = set(veh.index[veh["timetabled"].astype(bool)])

    def only_timetabled(vid: Any) -> bool:
        parts = [p for p in str(vid).split("+") if p]
        return bool(parts) and all(p in timetabled_ids for p in parts)

    by_line = served & trips["vehicle_id"].map(only_timetabled).astype(bool)
    return int((served & ~by_line).sum())


def fare_revenue(trips: pd.DataFrame, tariff: Tariff, season_share: float) -> float:
    """Return the expected fares of the served bookings (passengers x expected fare of the straight-line km)."""
    if not len(trips):
        return 0.0
    served = trips[trips["status"].astype(str) == "served"]
    if not len(served):
        return 0.0
    km_line = great_circle_m(served["pickup_lat"], served["pickup_lon"], served["dropoff_lat"],
                             served["dropoff_lon"]) / 1000.0
    pax = pd.to_numeric(served["passengers"], errors="coerce").fillna(0.0).to_numpy()
    return float(np.sum(pax * tariff.expected_fare(np.asarray(km_line, dtype=float), season_share)))


def day_costs(
    trips: pd.DataFrame,
    stops: pd.DataFrame,
    kind: str,
    rates: CostRates,
    *,
    info: Mapping[str, Any] | None = None,
) -> dict[str, float]:
    """Return the costs, revenue and CO2 of a day of one model (see module docstring).

    Parameters
    ----------
    trips, stops
        The trip and vehicle logs.
    kind
        The model kind (its ``[kinds.<kind>]`` costing).
    rates
        Cost rates.
    info
        The run's ``info``: paid duty hours and duties of timetabled trips,
        the number of timetabled trips (for a standby fee).

    Returns
    -------
    dict
        ``cost_vehicle``, ``cost_staff``, ``cost_dispatch``,
        ``cost_platform``, ``cost_standby``, ``cost_total``,
        ``fare_revenue``, ``co2_kg``, ``bookings_dispatched``,
        ``paid_hours``.
    """
    kc = rates.for_kind(kind)
    info = info or {}
    paid = paid_time(stops, kc, info)
    vt, lvt = kc.vehicle_type, kc.line_vehicle_type
    cost_vehicle = (paid.hours_ondemand * vt.cost_per_hour + paid.km_ondemand * vt.cost_per_km
                    + paid.hours_line * lvt.cost_per_hour + paid.km_line * lvt.cost_per_km)
    co2 = paid.km_ondemand * vt.kg_co2e_per_km + paid.km_line * lvt.kg_co2e_per_km
    if kc.volunteer:
        cost_staff = paid.hours * rates.allowance_per_hour + paid.km * rates.allowance_per_km
    else:
        cost_staff = (paid.hours + paid.duties * rates.sign_on_off_min / 60.0) * rates.wage_per_hour
    dispatched = bookings_dispatched(trips, stops, kc)
    cost_dispatch = dispatched * rates.dispatch_per_booking
    cost_platform = paid.vehicles_ondemand * rates.platform_per_vehicle_day if kc.dispatch else 0.0
    timetabled = _info(info, TIMETABLED_TRIPS_KEYS)
    cost_standby = kc.standby_per_trip * (timetabled if timetabled is not None else paid.trips_line)
    total = cost_vehicle + cost_staff + cost_dispatch + cost_platform + cost_standby
    return {
        "cost_vehicle": cost_vehicle,
        "cost_staff": cost_staff,
        "cost_dispatch": cost_dispatch,
        "cost_platform": cost_platform,
        "cost_standby": cost_standby,
        "cost_total": total,
        "fare_revenue": fare_revenue(trips, kc.tariff, rates.season_ticket_share),
        "co2_kg": co2,
        "bookings_dispatched": float(dispatched),
        "paid_hours": paid.hours,
    }
