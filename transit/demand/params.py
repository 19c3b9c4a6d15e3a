"""Parameters of the demand generator, with defaults from ``transit/data``.

Who travels: residents fall into population groups (:class:`Group`: pupils,
commuters, elderly without a car, jobseekers, refugees, others), each with a
share of the residents and public-transport trip rates per purpose. When
they travel: trip purposes (:class:`Purpose`) with daily profiles and fixed
times (shift starts, trains, courses); pupils go to school at bell times
(:class:`SchoolRules`). Defaults and their sources live in
``data/population_groups.toml``, ``data/trip_rates.toml`` and
``data/purpose_profiles.toml``; :meth:`DemandParams.default` loads them and
:func:`demand_figures` lists every figure with its source and whether it
was checked (the unchecked ones are the assumptions a report names).
Change a value with :meth:`DemandParams.replace`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from transit.errors import InputError
from transit.util.limits import check_limit
from transit.util.timeparse import parse_clock

__all__ = [
    "DAY_TYPES",
    "PARAM_KEYS",
    "DemandParams",
    "Figure",
    "Group",
    "LeadTimes",
    "Purpose",
    "SchoolRules",
    "day_type",
    "demand_assumptions",
    "demand_figures",
    "parse_params",
]

#: Day types with their own trip rates (``day_factor`` in ``data/trip_rates.toml``).
DAY_TYPES = ("weekday", "saturday", "sunday")


@dataclass(frozen=True)
class Figure:
    """A documented input figure of the demand model.

    Parameters
    ----------
    name
        Where it lives, e.g. ``groups.senior.share`` or ``supply_factor``.
    value
        The value (number, text or list).
    source
        Where it comes from, or why it is assumed.
    checked
        Whether the figure was checked against the source named; False marks
        an assumption.
    file
        The data file that holds it.
    """

    name: str
    value: Any
    source: str
    checked: bool
    file: str


@dataclass(frozen=True)
class Purpose:
    """A trip purpose: where people go, when, and for how long.

    Parameters
    ----------
    name
        Purpose name (``work``, ``shopping``, ...).
    destinations
        Destination categories, or ``("zones",)`` for any place weighted by residents.
    profile
        24 relative weights of the hour of arrival at the activity.
    duration_h
        Mean and standard deviation of the time at the activity, hours.
    arrival_share
        Share of outbound bookings that give an arrival time.
    beta_per_min
        Gravity deterrence: weight ``exp(-beta * travel minutes)``.
    fixed_times
        Appointed times ``(seconds, weight)``: shift starts, train departures,
        course starts.
    fixed_share
        Share of the outbound trips that arrive for one of the fixed times.
    """

    name: str
    destinations: tuple[str, ...]
    profile: tuple[float, ...]
    duration_h: tuple[float, float]
    arrival_share: float
    beta_per_min: float
    fixed_times: tuple[tuple[float, float], ...] = ()
    fixed_share: float = 0.0

    def __post_init__(self) -> None:
        if len(self.profile) != 24 or min(self.profile) < 0 or sum(self.profile) <= 0:
            msg = f"purpose {self.name}: profile needs 24 non-negative weights, not all zero"
            raise ValueError(msg)
        if not 0 <= self.arrival_share <= 1 or self.beta_per_min < 0 or not 0 <= self.fixed_share <= 1:
            msg = f"purpose {self.name}: arrival_share and fixed_share must be in [0, 1], beta_per_min >= 0"
            raise ValueError(msg)
        if self.fixed_share > 0 and (not self.fixed_times or sum(w for _, w in self.fixed_times) <= 0):
            msg = f"purpose {self.name}: fixed_share > 0 needs fixed_times with positive weights"
            raise ValueError(msg)

    @property
    def hour_probabilities(self) -> np.ndarray:
        """The profile normalised to probabilities."""
        p = np.asarray(self.profile, dtype=float)
        return p / p.sum()

    @property
    def fixed_probabilities(self) -> np.ndarray:
        """The weights of the fixed times normalised to probabilities."""
        w = np.asarray([x for _, x in self.fixed_times], dtype=float)
        return w / w.sum()


@dataclass(frozen=True)
class Group:
    """A population group: its share of the residents and its trip rates.

    Parameters
    ----------
    name
        Group name (``pupil``, ``commuter``, ``senior``, ...).
    share
        Share of the residents in the group (default for every zone; a zones
        CSV may give its own).
    rates
        ``(purpose, public-transport trips per person and weekday)`` pairs;
        school trips of pupils are not here (see :class:`SchoolRules`).
    description
        What the group is, in words.
    """

    name: str
    share: float
    rates: tuple[tuple[str, float], ...]
    description: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.share <= 1 or any(r < 0 or not math.isfinite(r) for _, r in self.rates):
            msg = f"group {self.name}: share must be in [0, 1] and rates >= 0"
            raise ValueError(msg)

    def rate(self, purpose: str) -> float:
        """Return the weekday trip rate of ``purpose`` (0 if the group has none)."""
        return dict(self.rates).get(purpose, 0.0)


@dataclass(frozen=True)
class SchoolRules:
    """How pupils get to school: by school and catchment, at bell times.

    Parameters
    ----------
    primary_share
        Share of pupils in primary school (the rest go to secondary schools).
    attendance
        Share of pupils at school on a school day.
    bus_share
        Share of pupils beyond walking distance who ride the bus (the rest are driven).
    walk_km
        Pupils whose school is nearer than this (straight line from the
        village centre) walk or cycle.
    max_group
        Largest booking of one village's pupils to one school (larger groups split).
    start_s
        Start of the first lesson (arrival time), seconds.
    end_primary, end_secondary
        Bell times at the end of the day ``(seconds, share of pupils)``.
    """

    primary_share: float = 0.33
    attendance: float = 0.95
    bus_share: float = 0.87
    walk_km: float = 2.0
    max_group: int = 60
    start_s: float = 7.5 * 3600.0
    end_primary: tuple[tuple[float, float], ...] = ((12 * 3600.0, 0.5), (12 * 3600.0 + 2700.0, 0.5))
    end_secondary: tuple[tuple[float, float], ...] = ((13 * 3600.0 + 300.0, 0.5), (15 * 3600.0 + 300.0, 0.5))

    def __post_init__(self) -> None:
        for name in ("primary_share", "attendance", "bus_share"):
            if not 0 <= getattr(self, name) <= 1:
                msg = f"school.{name} must be in [0, 1]"
                raise ValueError(msg)
        if self.walk_km < 0 or self.max_group < 1:
            msg = "school.walk_km must be >= 0 and school.max_group >= 1"
            raise ValueError(msg)
        for name in ("end_primary", "end_secondary"):
            ends = getattr(self, name)
            if not ends or any(w < 0 for _, w in ends) or sum(w for _, w in ends) <= 0:
                msg = f"school.{name} needs [time, share] pairs with positive shares"
                raise ValueError(msg)


@dataclass(frozen=True)
class LeadTimes:
    """When bookings are made, relative to the requested time.

    Parameters
    ----------
    day_before, short_notice, immediate
        Shares of outbound bookings made the day before, the same day ahead,
        or just before the trip (normalised to sum 1).
    day_before_window_s
        Clock times (seconds) on the day before between which pre-bookings are made.
    short_notice_min, immediate_min
        Uniform ranges of minutes between booking and the requested pickup.
    return_with_outbound
        Probability that the return trip is booked together with the outbound one.
    """

    day_before: float = 0.45
    short_notice: float = 0.35
    immediate: float = 0.20
    day_before_window_s: tuple[float, float] = (8 * 3600.0, 20 * 3600.0)
    short_notice_min: tuple[float, float] = (30.0, 240.0)
    immediate_min: tuple[float, float] = (0.0, 15.0)
    return_with_outbound: float = 0.7

    @property
    def shares(self) -> np.ndarray:
        """The three shares, normalised."""
        s = np.array([self.day_before, self.short_notice, self.immediate], dtype=float)
        if (s < 0).any() or s.sum() <= 0:
            msg = "lead-time shares must be >= 0 and not all zero"
            raise ValueError(msg)
        return s / s.sum()


# --------------------------------------------------------------------------- data files

_FILES = ("population_groups.toml", "trip_rates.toml", "purpose_profiles.toml")


@lru_cache(maxsize=None)
def _data(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("transit.data").joinpath(name).read_text(encoding="utf-8"))


def _val(x: Any) -> Any:
    """Return a figure's value (``{value, source, checked}`` tables or plain values)."""
    if isinstance(x, Mapping) and "value" in x:
        return x["value"]
    return x


def _walk_figures(data: Any, path: str, file: str, out: list[Figure]) -> None:
    if isinstance(data, Mapping):
        if "value" in data and "source" in data:
            out.append(Figure(path, data["value"], str(data["source"]), bool(data.get("checked", False)), file))
            return
        for k, v in data.items():
            _walk_figures(v, f"{path}.{k}" if path else str(k), file, out)


def demand_figures() -> list[Figure]:
    """Return every documented figure of the demand defaults with its source.

    Figures are the ``{value, source, checked}`` entries of
    ``data/population_groups.toml`` and ``data/trip_rates.toml``.
    """
    out: list[Figure] = []
    for name in _FILES[:2]:
        _walk_figures(_data(name), "", name, out)
    return out


def demand_assumptions() -> list[Figure]:
    """Return the figures of the demand defaults that are assumptions (not checked)."""
    return [f for f in demand_figures() if not f.checked]


def day_type(date: dt.date) -> str:
    """Return ``weekday``, ``saturday`` or ``sunday`` for a date (public holidays are not known)."""
    wd = date.weekday()
    return "saturday" if wd == 5 else "sunday" if wd == 6 else "weekday"


def _clock_pairs(value: Any) -> tuple[tuple[float, float], ...]:
    return tuple((parse_clock(str(t)), float(w)) for t, w in value)


def _purposes(prof: Mapping[str, Any]) -> tuple[Purpose, ...]:
    out = []
    for name, p in prof.items():
        out.append(
            Purpose(
                name=name,
                destinations=tuple(p["destinations"]),
                profile=tuple(float(x) for x in p["profile"]),
                duration_h=(float(p["duration_h"][0]), float(p["duration_h"][1])),
                arrival_share=float(p["arrival_share"]),
                beta_per_min=float(p["beta_per_min"]),
                fixed_times=_clock_pairs(p.get("fixed_times", ())),
                fixed_share=float(p.get("fixed_share", 0.0)),
            )
        )
    return tuple(out)


def _school(s: Mapping[str, Any]) -> SchoolRules:
    return SchoolRules(
        primary_share=float(_val(s["primary_share"])),
        attendance=float(_val(s["attendance"])),
        bus_share=float(_val(s["bus_share"])),
        walk_km=float(_val(s["walk_km"])),
        max_group=int(_val(s["max_group"])),
        start_s=parse_clock(str(_val(s["start"]))),
        end_primary=_clock_pairs(_val(s["end_primary"])),
        end_secondary=_clock_pairs(_val(s["end_secondary"])),
    )


@dataclass(frozen=True)
class DemandParams:
    """Everything the generator needs besides the region and the random generator.

    The daily number of tours of group ``g`` and purpose ``p`` from a zone is
    Poisson with mean ``residents * share(g) * tour_rate(g, p)``, where
    ``tour_rate = rate(g, p) / 2 * supply_factor * day_factor(p) * scale``.
    Pupils' school trips follow :attr:`school` on school days.

    Parameters
    ----------
    groups
        The population groups (shares sum to 1).
    purposes
        The trip purposes.
    school
        School traffic rules.
    supply_factor
        Public-transport use relative to a network as dense as VGS's (see
        ``data/trip_rates.toml``).
    day_factors
        Per day type (``saturday``, ``sunday``) and purpose, the factor on the
        weekday rate; weekdays are 1.
    return_share
        Probability that a tour also books its return trip.
    group_size
        Probabilities of 1, 2, 3, ... passengers per booking.
    wheelchair_share
        Probability that a booking needs a wheelchair place.
    lead
        Booking lead times.
    scale
        Multiplies every rate (``--scale``), school traffic included.
    service_date
        The service day written into the bookings file; its weekday sets the day type.
    school_day
        Whether pupils go to school; None: on weekdays (school holidays are not known).
    round_minutes
        Requested times are rounded to this many minutes (people ask for round times).
    min_trip_m
        Trips shorter than this straight-line distance are walked (not generated).
    town_spread_m, village_spread_m
        Standard deviation of home locations around a zone's centre: villages
        ``village_spread_m``; larger places ``town_spread_m * sqrt(pop / 10,000)``.
    """

    groups: tuple[Group, ...]
    purposes: tuple[Purpose, ...]
    school: SchoolRules = field(default_factory=SchoolRules)
    supply_factor: float = 1.0
    day_factors: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    return_share: float = 0.85
    group_size: tuple[float, ...] = (1.0,)
    wheelchair_share: float = 0.0
    lead: LeadTimes = field(default_factory=LeadTimes)
    scale: float = 1.0
    service_date: dt.date = dt.date(2025, 3, 4)
    school_day: bool | None = None
    round_minutes: int = 5
    min_trip_m: float = 500.0
    town_spread_m: float = 700.0
    village_spread_m: float = 200.0

    def __post_init__(self) -> None:
        for name in ("supply_factor", "scale", "min_trip_m"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                msg = f"{name} must be a finite number >= 0, got {v!r}"
                raise ValueError(msg)
        for name in ("return_share", "wheelchair_share"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                msg = f"{name} must be in [0, 1], got {v!r}"
                raise ValueError(msg)
        g = np.asarray(self.group_size, dtype=float)
        if g.ndim != 1 or len(g) == 0 or (g < 0).any() or g.sum() <= 0:
            msg = "group_size needs non-negative probabilities"
            raise ValueError(msg)
        if self.round_minutes < 1:
            msg = "round_minutes must be >= 1"
            raise ValueError(msg)
        if not self.groups or sum(x.share for x in self.groups) <= 0:
            msg = "at least one population group with a share > 0 is needed"
            raise ValueError(msg)
        known = {p.name for p in self.purposes}
        for grp in self.groups:
            for p, _ in grp.rates:
                if p not in known:
                    msg = f"group {grp.name}: unknown purpose {p!r} (known: {', '.join(sorted(known))})"
                    raise ValueError(msg)

    def replace(self, **changes: Any) -> DemandParams:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    @property
    def day_type(self) -> str:
        """``weekday``, ``saturday`` or ``sunday`` (from :attr:`service_date`)."""
        return day_type(self.service_date)

    @property
    def is_school_day(self) -> bool:
        """Whether pupils go to school on the service day."""
        return self.day_type == "weekday" if self.school_day is None else bool(self.school_day)

    def day_factor(self, purpose: str) -> float:
        """Return the factor of the service day's type on the weekday rate of ``purpose``."""
        if self.day_type == "weekday":
            return 1.0
        return float(self.day_factors.get(self.day_type, {}).get(purpose, 1.0))

    def tour_rate(self, group: Group, purpose: Purpose) -> float:
        """Tours per resident of ``group`` and day for ``purpose``."""
        return group.rate(purpose.name) / 2.0 * self.supply_factor * self.day_factor(purpose.name) * self.scale

    def group(self, name: str) -> Group:
        """Return the group called ``name`` (KeyError if there is none)."""
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    @property
    def mean_group_size(self) -> float:
        """Expected passengers per booking."""
        g = np.asarray(self.group_size, dtype=float)
        return float((g / g.sum()) @ np.arange(1, len(g) + 1))

    @classmethod
    def default(cls) -> DemandParams:
        """Load the documented defaults from ``transit/data``."""
        pop = _data("population_groups.toml")
        rates = _data("trip_rates.toml")
        groups = tuple(
            Group(
                name=name,
                share=float(_val(g["share"])),
                rates=tuple((p, float(_val(r))) for p, r in g.get("rates", {}).items()),
                description=str(g.get("description", "")),
            )
            for name, g in pop["groups"].items()
        )
        lt = rates["lead_time"]
        lead = LeadTimes(
            day_before=float(lt["day_before"]),
            short_notice=float(lt["short_notice"]),
            immediate=float(lt["immediate"]),
            day_before_window_s=(parse_clock(lt["day_before_window"][0]), parse_clock(lt["day_before_window"][1])),
            short_notice_min=(float(lt["short_notice_min"][0]), float(lt["short_notice_min"][1])),
            immediate_min=(float(lt["immediate_min"][0]), float(lt["immediate_min"][1])),
            return_with_outbound=float(lt["return_booked_with_outbound"]),
        )
        return cls(
            groups=groups,
            purposes=_purposes(_data("purpose_profiles.toml")["purpose"]),
            school=_school(pop["school"]),
            supply_factor=float(_val(rates["supply_factor"])),
            day_factors={k: {p: float(_val(x)) for p, x in v.items()} for k, v in rates["day_factor"].items()},
            return_share=float(_val(rates["return_share"])),
            min_trip_m=float(_val(rates["min_trip_m"])),
            group_size=tuple(float(x) for x in rates["group_size"]["probabilities"]),
            wheelchair_share=float(_val(rates["wheelchair"]["share"])),
            lead=lead,
        )


_SCALAR_KEYS = (
    "scale",
    "supply_factor",
    "return_share",
    "wheelchair_share",
    "round_minutes",
    "min_trip_m",
    "town_spread_m",
    "village_spread_m",
)
_SHARE_KEYS = ("return_share", "wheelchair_share")
_LEAD_KEYS = ("day_before", "short_notice", "immediate", "return_with_outbound")
_SCHOOL_KEYS = ("primary_share", "attendance", "bus_share", "walk_km", "max_group")
PARAM_KEYS = (
    *_SCALAR_KEYS, "group_size", "service_date", "school_day", "group_share", "group_rates", "school", "lead_time",
)


def _share(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= value <= 1


def _parse_groups(t: Any, params: DemandParams) -> tuple[Group, ...] | None:
    """Apply ``group_share`` and ``group_rates`` of a scenario table to the groups."""
    if "group_share" not in t and "group_rates" not in t:
        return None
    names = [g.name for g in params.groups]
    purposes = [p.name for p in params.purposes]
    shares = {g.name: g.share for g in params.groups}
    rates = {g.name: dict(g.rates) for g in params.groups}
    value = t.data.get("group_share", {})
    if not isinstance(value, dict):
        t.add("group_share", "must be a table of group = share of the residents")
    else:
        for name, share in value.items():
            if name not in names:
                t.add(f"group_share.{name}", f"unknown group (known: {', '.join(names)})")
            elif not _share(share):
                t.add(f"group_share.{name}", f"must be a share in [0, 1], got {share!r}")
            else:
                shares[name] = float(share)
    value = t.data.get("group_rates", {})
    if not isinstance(value, dict):
        t.add("group_rates", "must be a table of group = { purpose = trips per person and weekday }")
    else:
        for name, table in value.items():
            if name not in names:
                t.add(f"group_rates.{name}", f"unknown group (known: {', '.join(names)})")
                continue
            if not isinstance(table, dict):
                t.add(f"group_rates.{name}", "must be a table of purpose = trips per person and weekday")
                continue
            for p, r in table.items():
                if p not in purposes:
                    t.add(f"group_rates.{name}.{p}", f"unknown purpose (known: {', '.join(purposes)})")
                elif isinstance(r, bool) or not isinstance(r, (int, float)) or not (0 <= r < math.inf):
                    t.add(f"group_rates.{name}.{p}", f"must be a number >= 0, got {r!r}")
                else:
                    rates[name][p] = float(r)
    if sum(shares.values()) <= 0:
        t.add("group_share", "at least one group needs a share > 0")
    return tuple(
        dataclasses.replace(g, share=shares[g.name], rates=tuple(rates[g.name].items())) for g in params.groups
    )


def _parse_school(t: Any, params: DemandParams) -> SchoolRules | None:
    from transit.util.tomltable import Table

    if "school" not in t:
        return None
    s = Table(t.data["school"], source=t.source, table=t.where("school"), problems=t.problems)
    s.check_keys(_SCHOOL_KEYS)
    changes: dict[str, Any] = {}
    for key in _SCHOOL_KEYS:
        x: float | None
        if key == "max_group":
            x = s.integer(key, lo=1)
        else:
            x = s.number(key, lo=0.0, hi=None if key == "walk_km" else 1.0)
        if x is not None:
            changes[key] = x
    return dataclasses.replace(params.school, **changes)


def parse_params(
    data: Any,
    *,
    source: str | None = None,
    table: str = "demand.generator",
    base: DemandParams | None = None,
) -> DemandParams:
    """Build parameters from a scenario table, on top of the defaults.

    Keys: ``scale``, ``supply_factor``, ``return_share``,
    ``wheelchair_share``, ``round_minutes``, ``min_trip_m``,
    ``town_spread_m``, ``village_spread_m`` (numbers), ``group_size`` (list
    of probabilities of 1, 2, ... passengers), ``service_date``
    (``YYYY-MM-DD``; its weekday sets weekday, Saturday or Sunday rates),
    ``school_day`` (true/false; default: weekdays), ``group_share`` (table
    group -> share of the residents), ``group_rates`` (table group -> table
    purpose -> public-transport trips per person and weekday), ``school``
    (table with ``primary_share``, ``attendance``, ``bus_share``,
    ``walk_km``, ``max_group``) and ``lead_time`` (table with
    ``day_before``, ``short_notice``, ``immediate``, ``return_with_outbound``).

    Raises
    ------
    InputErrors
        Listing every unknown key (named with its table) and bad value
        (named ``table.key``).
    """
    from transit.util.tomltable import Table

    params = base or DemandParams.default()
    t = Table(data, source=source, table=table)
    t.raise_problems()
    t.check_keys(PARAM_KEYS)
    changes: dict[str, Any] = {}
    for key in _SCALAR_KEYS:
        x: float | None
        if key == "round_minutes":
            x = t.integer(key, lo=1)
        else:
            x = t.number(key, lo=0.0)
            if key in _SHARE_KEYS and x is not None and x > 1:
                t.add(key, f"is a share and must be in [0, 1], got {t.data[key]!r}")
                x = None
            if key == "scale" and x is not None:
                try:
                    check_limit("demand_scale", x)
                except InputError as exc:
                    t.add(key, exc.message)
                    x = None
        if x is not None:
            changes[key] = x
    if "group_size" in t:
        value = t.data["group_size"]
        if (
            not isinstance(value, list)
            or not value
            or any(isinstance(x, bool) or not isinstance(x, (int, float)) or x < 0 for x in value)
            or sum(value) <= 0
        ):
            t.add("group_size", "must be a list of probabilities of 1, 2, ... passengers")
        else:
            changes["group_size"] = tuple(float(x) for x in value)
    if "service_date" in t:
        value = t.data["service_date"]
        try:
            changes["service_date"] = dt.date.fromisoformat(str(value))
        except ValueError:
            t.add("service_date", f"{value!r} is not a date (YYYY-MM-DD)")
    if "school_day" in t:
        sd = t.boolean("school_day")
        if sd is not None:
            changes["school_day"] = sd
    groups = _parse_groups(t, params)
    if groups is not None:
        changes["groups"] = groups
    school = _parse_school(t, params)
    if school is not None:
        changes["school"] = school
    if "lead_time" in t:
        lead = Table(t.data["lead_time"], source=source, table=t.where("lead_time"), problems=t.problems)
        lead.check_keys(_LEAD_KEYS)
        lead_changes: dict[str, float] = {}
        for k, v in lead.data.items():
            if k not in _LEAD_KEYS:
                continue
            if not _share(v):
                lead.add(k, f"must be a share in [0, 1], got {v!r}")
            else:
                lead_changes[k] = float(v)
        changes["lead"] = dataclasses.replace(params.lead, **lead_changes)
    t.raise_problems()
    try:
        out = params.replace(**changes)
        _ = out.lead.shares
    except ValueError as exc:
        t.add(None, str(exc))
        t.raise_problems()
    return out
