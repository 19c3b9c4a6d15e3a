"""Parameters of the demand generator, with defaults from ``transit/data``.

Defaults and their sources live in ``data/trip_rates.toml`` and
``data/purpose_profiles.toml``; :meth:`DemandParams.default` loads them.
Change a value with :meth:`DemandParams.replace`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from transit.errors import InputError
from transit.util.limits import check_limit
from transit.util.timeparse import parse_clock

__all__ = ["PARAM_KEYS", "DemandParams", "LeadTimes", "Purpose", "parse_params"]


@dataclass(frozen=True)
class Purpose:
    """A trip purpose: where people go, when, and for how long.

    Parameters
    ----------
    name
        Purpose name (``work``, ``shopping``, ...).
    share
        Share of all trips (MiD-style) that have this purpose.
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
    """

    name: str
    share: float
    destinations: tuple[str, ...]
    profile: tuple[float, ...]
    duration_h: tuple[float, float]
    arrival_share: float
    beta_per_min: float

    def __post_init__(self) -> None:
        if len(self.profile) != 24 or min(self.profile) < 0 or sum(self.profile) <= 0:
            msg = f"purpose {self.name}: profile needs 24 non-negative weights, not all zero"
            raise ValueError(msg)
        if not 0 <= self.arrival_share <= 1 or self.share < 0 or self.beta_per_min < 0:
            msg = f"purpose {self.name}: share, arrival_share and beta_per_min must be >= 0 (arrival_share <= 1)"
            raise ValueError(msg)

    @property
    def hour_probabilities(self) -> np.ndarray:
        """The profile normalised to probabilities."""
        p = np.asarray(self.profile, dtype=float)
        return p / p.sum()


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


def _data(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("transit.data").joinpath(name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DemandParams:
    """Everything the generator needs besides the region and the random generator.

    The daily number of tours of purpose ``p`` from a zone is Poisson with mean
    ``population * tour_rate(p)``, where ``tour_rate(p) = trips_per_person_day
    * p.share / 2 * pt_share * ondemand_share * scale``.

    Parameters
    ----------
    trips_per_person_day, pt_share, ondemand_share
        See ``data/trip_rates.toml``.
    scale
        Multiplies every rate (``--scale``).
    return_share
        Probability that a tour also books its return trip.
    purposes
        The trip purposes.
    group_size
        Probabilities of 1, 2, 3, ... passengers per booking.
    wheelchair_share
        Probability that a booking needs a wheelchair place.
    lead
        Booking lead times.
    service_date
        The service day written into the bookings file.
    round_minutes
        Requested times are rounded to this many minutes (people ask for round times).
    min_trip_m
        Trips shorter than this straight-line distance are walked (not generated).
    town_spread_m, village_spread_m
        Standard deviation of home locations around a zone's centre: villages
        ``village_spread_m``; larger places ``town_spread_m * sqrt(pop / 10,000)``.
    """

    trips_per_person_day: float
    pt_share: float
    ondemand_share: float
    return_share: float
    purposes: tuple[Purpose, ...]
    group_size: tuple[float, ...]
    wheelchair_share: float
    lead: LeadTimes = field(default_factory=LeadTimes)
    scale: float = 1.0
    service_date: dt.date = dt.date(2025, 3, 4)
    round_minutes: int = 5
    min_trip_m: float = 500.0
    town_spread_m: float = 700.0
    village_spread_m: float = 200.0

    def __post_init__(self) -> None:
        for name in ("trips_per_person_day", "pt_share", "ondemand_share", "scale", "min_trip_m"):
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

    def replace(self, **changes: Any) -> DemandParams:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def tour_rate(self, purpose: Purpose) -> float:
        """Tours per resident and day for ``purpose``."""
        return (
            self.trips_per_person_day * purpose.share / 2.0 * self.pt_share * self.ondemand_share * self.scale
        )

    @property
    def mean_group_size(self) -> float:
        """Expected passengers per booking."""
        g = np.asarray(self.group_size, dtype=float)
        return float((g / g.sum()) @ np.arange(1, len(g) + 1))

    @classmethod
    def default(cls) -> DemandParams:
        """Load the documented defaults from ``transit/data``."""
        rates = _data("trip_rates.toml")
        prof = _data("purpose_profiles.toml")["purpose"]
        purposes = []
        for name, share in rates["purpose_share"].items():
            p = prof[name]
            purposes.append(
                Purpose(
                    name=name,
                    share=float(share),
                    destinations=tuple(p["destinations"]),
                    profile=tuple(float(x) for x in p["profile"]),
                    duration_h=(float(p["duration_h"][0]), float(p["duration_h"][1])),
                    arrival_share=float(p["arrival_share"]),
                    beta_per_min=float(p["beta_per_min"]),
                )
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
            trips_per_person_day=float(rates["trips_per_person_day"]),
            pt_share=float(rates["pt_share"]),
            ondemand_share=float(rates["ondemand_share"]),
            return_share=float(rates["return_share"]),
            purposes=tuple(purposes),
            group_size=tuple(float(x) for x in rates["group_size"]["probabilities"]),
            wheelchair_share=float(rates["wheelchair"]["share"]),
            lead=lead,
        )


_SCALAR_KEYS = (
    "scale",
    "trips_per_person_day",
    "pt_share",
    "ondemand_share",
    "return_share",
    "wheelchair_share",
    "round_minutes",
    "min_trip_m",
    "town_spread_m",
    "village_spread_m",
)
_SHARE_KEYS = ("return_share", "wheelchair_share", "pt_share", "ondemand_share")
_LEAD_KEYS = ("day_before", "short_notice", "immediate", "return_with_outbound")
PARAM_KEYS = (*_SCALAR_KEYS, "group_size", "service_date", "purpose_share", "lead_time")


def parse_params(
    data: Any,
    *,
    source: str | None = None,
    table: str = "demand.generator",
    base: DemandParams | None = None,
) -> DemandParams:
    """Build parameters from a scenario table, on top of the defaults.

    Keys: ``scale``, ``trips_per_person_day``, ``pt_share``, ``ondemand_share``,
    ``return_share``, ``wheelchair_share``, ``round_minutes``, ``min_trip_m``,
    ``town_spread_m``, ``village_spread_m`` (numbers), ``group_size`` (list of
    probabilities of 1, 2, ... passengers), ``service_date`` (``YYYY-MM-DD``),
    ``purpose_share`` (table purpose -> share of trips) and ``lead_time``
    (table with ``day_before``, ``short_notice``, ``immediate``,
    ``return_with_outbound``).

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
    if "purpose_share" in t:
        names = [p.name for p in params.purposes]
        value = t.data["purpose_share"]
        if not isinstance(value, dict):
            t.add("purpose_share", "must be a table of purpose = share")
        else:
            shares = {p.name: p.share for p in params.purposes}
            for name, share in value.items():
                if name not in names:
                    t.add(f"purpose_share.{name}", f"unknown purpose (known: {', '.join(names)})")
                elif isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
                    t.add(f"purpose_share.{name}", f"must be a share in [0, 1], got {share!r}")
                else:
                    shares[name] = float(share)
            changes["purposes"] = tuple(dataclasses.replace(p, share=shares[p.name]) for p in params.purposes)
    if "lead_time" in t:
        lead = Table(t.data["lead_time"], source=source, table=t.where("lead_time"), problems=t.problems)
        lead.check_keys(_LEAD_KEYS)
        lead_changes: dict[str, float] = {}
        for k, v in lead.data.items():
            if k not in _LEAD_KEYS:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
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
