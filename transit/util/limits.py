"""Limits on the size of a run, checked before work starts.

A run above a limit is refused with an :class:`~transit.errors.InputError`
that names the limit and the environment variable raising it. Defaults and
their reasons: ``transit/data/limits.toml``.

======================  ===========================  ==========
limit                   environment variable         default
======================  ===========================  ==========
``residents``           ``TRANSIT_MAX_RESIDENTS``    2,000,000
``demand_scale``        ``TRANSIT_MAX_DEMAND_SCALE`` 100
``vehicles``            ``TRANSIT_MAX_VEHICLES``     5,000
``bookings``            ``TRANSIT_MAX_BOOKINGS``     200,000
``points``              ``TRANSIT_MAX_POINTS``       10,000
======================  ===========================  ==========
"""

from __future__ import annotations

import functools
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any

from transit.errors import InputError
from transit.util.i18n import N_, _, current
from transit.util.tomltable import Table

__all__ = ["ENV", "Limits", "check_limit", "current_limits", "parse_limits"]

ENV = {
    "residents": "TRANSIT_MAX_RESIDENTS",
    "demand_scale": "TRANSIT_MAX_DEMAND_SCALE",
    "vehicles": "TRANSIT_MAX_VEHICLES",
    "bookings": "TRANSIT_MAX_BOOKINGS",
    "points": "TRANSIT_MAX_POINTS",
}
"""The environment variable that overrides each limit."""

_WHAT = {
    "residents": N_("residents"),
    "demand_scale": N_("demand scale"),
    "vehicles": N_("vehicles"),
    "bookings": N_("bookings"),
    "points": N_("points"),
}


@dataclass(frozen=True)
class Limits:
    """The largest run the commands accept.

    Parameters
    ----------
    residents
        People in all zones of a demand region.
    demand_scale
        Factor on every trip rate.
    vehicles
        Vehicles of one fleet (after ``count``).
    bookings
        Bookings in one file.
    points
        Points of one travel-time matrix (``transit network matrix``).
    """

    residents: float
    demand_scale: float
    vehicles: int
    bookings: int
    points: int


def parse_limits(data: Mapping[str, Any], *, source: str, table: str = "limits") -> Limits:
    """Build :class:`Limits` from a TOML table (every key required, each a number > 0)."""
    t = Table(data, source=source, table=table)
    t.check_keys([f.name for f in fields(Limits)])
    values = {
        "residents": t.number("residents", required=True, lo=0.0, lo_open=True),
        "demand_scale": t.number("demand_scale", required=True, lo=0.0, lo_open=True),
        "vehicles": t.integer("vehicles", required=True, lo=1),
        "bookings": t.integer("bookings", required=True, lo=1),
        "points": t.integer("points", required=True, lo=1),
    }
    t.raise_problems()
    return Limits(**values)


@functools.cache
def _defaults() -> Limits:
    text = resources.files("transit.data").joinpath("limits.toml").read_text(encoding="utf-8")
    return parse_limits(tomllib.loads(text)["limits"], source="transit/data/limits.toml")


def _from_env(name: str, default: float) -> float:
    var = ENV[name]
    text = os.environ.get(var, "").strip().replace("_", "")
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        msg = _("must be a number > 0, got {value!r}").format(value=os.environ[var])
        raise InputError(msg, column=var)
    return value


def current_limits() -> Limits:
    """Return the limits in force: ``transit/data/limits.toml`` with the environment's overrides.

    Raises
    ------
    InputError
        If an override is not a number > 0 (naming the variable).
    """
    base = _defaults()
    return Limits(
        residents=_from_env("residents", base.residents),
        demand_scale=_from_env("demand_scale", base.demand_scale),
        vehicles=int(_from_env("vehicles", base.vehicles)),
        bookings=int(_from_env("bookings", base.bookings)),
        points=int(_from_env("points", base.points)),
    )


def _shown(x: float) -> str:
    return current().format("{x:,.0f}" if float(x).is_integer() else "{x:,.6g}", x=x)


def check_limit(
    name: str,
    value: float,
    *,
    file: str | None = None,
    row: int | None = None,
    column: str | None = None,
) -> None:
    """Raise if ``value`` exceeds the limit ``name`` (a field of :class:`Limits`).

    Raises
    ------
    InputError
        ``"bookings: 250,000 is over the limit of 200,000 (raise it with the
        environment variable TRANSIT_MAX_BOOKINGS)"``, with the given location.
    """
    limit = getattr(current_limits(), name)
    if not value <= limit:
        msg = _("{what}: {value} is over the limit of {limit} (raise it with the environment variable {var})").format(
            what=_(_WHAT[name]), value=_shown(value), limit=_shown(limit), var=ENV[name])
        raise InputError(msg, file=file, row=row, column=column)
