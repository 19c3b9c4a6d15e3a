"""Cost rates, fares and emission factors, and what a day of service costs.

The defaults live in ``transit/data/costs.toml`` and
``transit/data/emissions.toml`` with their sources; a scenario overrides any
key (same layout, only the keys it changes). :func:`load_costs` reads them,
:func:`parse_costs` merges a scenario's table over the defaults and checks
it, and :func:`day_costs` turns a model run's logs into money and CO2.

How a run is costed (the KPI definitions in :mod:`transit.evaluate.kpis` build on it)
----------------------------------------------------------------------------
Each vehicle of the vehicle log is either *timetabled* (it has rows of kind
``stop``: a fixed-line or Rufbus trip, possibly with deadhead ``start`` and
``end`` rows from and to a depot) and uses the kind's
``line_vehicle_type``, or an *on-demand* vehicle and uses its
``vehicle_type``.

- vehicle cost = sum over vehicles of duty hours x ``cost_per_hour`` +
  km x ``cost_per_km`` of its type (duty hours: last minus first time the
  vehicle appears in the log);
- staff cost = duty hours x ``staff.driver.wage_per_hour``, or for
  ``staff = "volunteer"`` duty hours x ``allowance_per_hour`` + km x
  ``allowance_per_km``;
- dispatch cost = bookings handled x ``dispatch.cost_per_booking`` when the
  kind has ``dispatch = true``: every booking (served or rejected), except
  that with ``line_trips_booked = false`` (hybrid: the trunk needs no
  booking) those served by timetabled trips alone are not handled;
- fare revenue = sum over served bookings of passengers x (``base`` +
  ``per_km`` x straight-line km between the booking's two doors);
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
    "Tariff",
    "VehicleType",
    "day_costs",
    "default_costs",
    "load_costs",
    "parse_costs",
]

_TOP_KEYS = ("currency", "vehicle_types", "staff", "dispatch", "tariffs", "kinds")
_VT_KEYS = ("description", "cost_per_hour", "cost_per_km", "kg_co2e_per_km")
_STAFF_KEYS = {"driver": ("wage_per_hour",), "volunteer": ("allowance_per_hour", "allowance_per_km")}
_DISPATCH_KEYS = ("cost_per_booking",)
_TARIFF_KEYS = ("base", "per_km")
_KIND_KEYS = ("vehicle_type", "line_vehicle_type", "staff", "tariff", "dispatch", "line_trips_booked")


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
    """A fare per passenger: ``base + per_km * straight-line km``."""

    name: str
    base: float
    per_km: float = 0.0

    def fare(self, straight_km: float) -> float:
        """Return the fare of one passenger for a trip of ``straight_km``."""
        return self.base + self.per_km * straight_km


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
        Call-centre and platform cost per booking handled.
    tariffs
        By name.
    kinds
        By model kind: which vehicle type, staff, tariff, dispatch.
    currency
        Currency code (display only).
    """

    vehicle_types: Mapping[str, VehicleType]
    wage_per_hour: float
    allowance_per_hour: float
    allowance_per_km: float
    dispatch_per_booking: float
    tariffs: Mapping[str, Tariff]
    kinds: Mapping[str, KindCosts]
    currency: str = "EUR"

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
    tariffs = {
        name: Tariff(name, num(t, "base"), num(t, "per_km", 0.0)) for name, t in entries("tariffs", _TARIFF_KEYS)
    }
    kinds: dict[str, KindCosts] = {}
    for kind, t in entries("kinds", _KIND_KEYS):
        refs = []
        for key, pool in (("vehicle_type", vts), ("line_vehicle_type", vts), ("tariff", tariffs)):
            name = t.data.get(key)
            if name not in pool:
                t.add(key, f"unknown name {name!r} (known: {', '.join(sorted(pool))})")
            refs.append(pool.get(name))
        staff_kind = t.text("staff", required=True, choices=tuple(_STAFF_KEYS), strip=False)
        disp = t.boolean("dispatch", required=True)
        booked = t.boolean("line_trips_booked", default=True)
        if all(r is not None for r in refs) and staff_kind is not None and disp is not None and booked is not None:
            kinds[kind] = KindCosts(kind, refs[0], refs[1], staff_kind == "volunteer", refs[2], disp, booked)
    rates = CostRates(
        vehicle_types=vts,
        wage_per_hour=num(driver, "wage_per_hour"),
        allowance_per_hour=num(volunteer, "allowance_per_hour"),
        allowance_per_km=num(volunteer, "allowance_per_km"),
        dispatch_per_booking=num(dispatch, "cost_per_booking"),
        tariffs=tariffs,
        kinds=kinds,
        currency=str(merged.get("currency", "EUR")),
    )
    top.raise_problems()
    return rates


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


def day_costs(trips: pd.DataFrame, stops: pd.DataFrame, kind: str, rates: CostRates) -> dict[str, float]:
    """Return the costs, revenue and CO2 of a day of one model (see module docstring).

    Returns
    -------
    dict
        ``cost_vehicle``, ``cost_staff``, ``cost_dispatch``, ``cost_total``,
        ``fare_revenue``, ``co2_kg``, ``bookings_dispatched``.
    """
    kc = rates.for_kind(kind)
    veh = vehicle_table(stops)
    cost_vehicle = 0.0
    co2 = 0.0
    for timetabled, group in veh.groupby("timetabled"):
        vt = kc.line_vehicle_type if timetabled else kc.vehicle_type
        cost_vehicle += float(group["hours"].sum()) * vt.cost_per_hour + float(group["km"].sum()) * vt.cost_per_km
        co2 += float(group["km"].sum()) * vt.kg_co2e_per_km
    hours = float(veh["hours"].sum())
    km = float(veh["km"].sum())
    if kc.volunteer:
        cost_staff = hours * rates.allowance_per_hour + km * rates.allowance_per_km
    else:
        cost_staff = hours * rates.wage_per_hour
    dispatched = 0
    if kc.dispatch and kc.line_trips_booked:
        dispatched = len(trips)
    elif kc.dispatch and len(trips):
        timetabled_ids = set(veh.index[veh["timetabled"]])
        served = trips["status"].astype(str) == "served"

        def only_timetabled(vid: Any) -> bool:
            parts = [p for p in str(vid).split("+") if p]
            return bool(parts) and all(p in timetabled_ids for p in parts)

        by_line = served & trips["vehicle_id"].map(only_timetabled).astype(bool)
        dispatched = int((~by_line).sum())
    cost_dispatch = dispatched * rates.dispatch_per_booking
    revenue = 0.0
    if len(trips):
        served = trips[trips["status"].astype(str) == "served"]
        if len(served):
            km_line = great_circle_m(served["pickup_lat"], served["pickup_lon"], served["dropoff_lat"], served["dropoff_lon"]) / 1000.0
            pax = pd.to_numeric(served["passengers"], errors="coerce").fillna(0.0).to_numpy()
            revenue = float(np.sum(pax * (kc.tariff.base + kc.tariff.per_km * km_line)))
    total = cost_vehicle + cost_staff + cost_dispatch
    return {
        "cost_vehicle": cost_vehicle,
        "cost_staff": cost_staff,
        "cost_dispatch": cost_dispatch,
        "cost_total": total,
        "fare_revenue": revenue,
        "co2_kg": co2,
        "bookings_dispatched": float(dispatched),
    }
