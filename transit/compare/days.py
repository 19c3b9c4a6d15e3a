"""Several consecutive weekdays in one run: a week's KPIs and a week's volunteer hours.

With ``[scenario] days = N`` (or ``transit compare --days N``) every model
serves N consecutive weekdays for each seed: the scenario's date and the
weekdays after it (Saturdays and Sundays are skipped; without a date the
days are just numbered). Each day is a service day of its own, as a single
day is: its demand is generated for that date, the bookings made the day
before (``booked_at`` < 0) are planned at that day's cut-off, vehicles start
the day at their depots. The runs of the days are then joined into one run
of the whole period, from which the KPIs are computed as for one day: counts,
hours, kilometres and costs add up over the days, shares and means are over
all the period's bookings.

Determinism: day 1 is exactly the single day of the same seed (demand
``default_rng(seed)``, model generator :func:`transit.compare.run.model_rng`);
day ``d`` > 1 draws its demand from ``default_rng([seed, d])`` and gives the
model ``default_rng([seed, crc32(model), d])`` and the seed :func:`day_seed`.

In the joined logs every request id and vehicle id carries its day
(``r00012@2025-03-05``, ``minibus-1@2025-03-05``), a ``day`` column gives the
date, and times stay seconds since midnight of their own day. Numbers of
``ModelRun.info`` (e.g. a Bürgerbus's ``driver_hours_rostered``) are summed
over the days and ``info["days"]`` is the number of days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["day_label", "day_seed", "join_runs", "service_days", "week_demand"]

#: Most days one run may simulate.
MAX_DAYS = 366


def service_days(first: dt.date | None, n: int) -> list[dt.date | None]:
    """Return ``n`` service days: ``first`` and the weekdays after it (None each without a date)."""
    if first is None:
        return [None] * n
    out = [first]
    day = first
    while len(out) < n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            out.append(day)
    return out


def day_label(date: dt.date | None, d: int) -> str:
    """Return how day ``d`` (0-based) is named in ids and the ``day`` column."""
    return date.isoformat() if date is not None else f"day{d + 1}"


def day_seed(seed: int, d: int) -> int:
    """Return the seed a model gets on day ``d`` (0-based; day 0 keeps ``seed``)."""
    if d == 0:
        return int(seed)
    return int(np.random.default_rng([int(seed), int(d)]).integers(0, 2**31 - 1))


def day_rng(seed: int, model: str, d: int) -> np.random.Generator:
    """Return model ``model``'s generator on day ``d`` > 0 (day 0: :func:`transit.compare.run.model_rng`)."""
    return np.random.default_rng([int(seed), zlib.crc32(model.encode("utf-8")), int(d)])


def _tag(bookings: Sequence[Any], label: str) -> tuple[Any, ...]:
    return tuple(dataclasses.replace(b, request_id=f"{b.request_id}@{label}") for b in bookings)


def week_demand(
    region: Any, scenario: Any, seed: int, *, read_trips: Callable[[Any], Mapping[str, tuple[str, ...]]]
) -> tuple[tuple[tuple[Any, ...], ...], dict[str, tuple[str, ...]]]:
    """Return the bookings of every day of ``scenario`` for ``seed``, and (home zone, purpose, group) per request id.

    Request ids carry their day (:func:`day_label`). With a bookings file,
    every day has the file's bookings, and ``read_trips`` reads the
    scenario's trips file (home zone and purpose per request id).
    """
    from transit.demand import generate_demand
    from transit.demand.bookings import read_bookings

    spec = scenario.demand
    dates = service_days(scenario.date, scenario.days)
    days: list[tuple[Any, ...]] = []
    labels: dict[str, tuple[str, ...]] = {}
    for d, date in enumerate(dates):
        label = day_label(date, d)
        if spec.bookings is not None:
            plain = tuple(read_bookings(spec.bookings, service_date=scenario.date))
            known = read_trips(spec.trips) if spec.trips is not None else {}
            for rid, lab in known.items():
                labels[f"{rid}@{label}"] = lab
        else:
            params = spec.params if date is None else spec.params.replace(service_date=date)
            rng = np.random.default_rng(int(seed) if d == 0 else [int(seed), d])
            demand = generate_demand(region, params, rng)
            plain = tuple(demand.bookings)
            for t in demand.trips:
                labels[f"{t.request_id}@{label}"] = (t.home_zone, t.purpose, t.group)
        days.append(_tag(plain, label))
    return tuple(days), labels


def _suffix_ids(col: pd.Series, label: str) -> pd.Series:
    """Append ``@label`` to every id of a column (ids joined by ``+`` each get it)."""

    def one(value: Any) -> Any:
        if value is None or (isinstance(value, float) and value != value) or value == "":
            return value
        return "+".join(f"{p}@{label}" if p else p for p in str(value).split("+"))

    return col.map(one)


def join_runs(runs: Sequence[Any], labels: Sequence[str]) -> Any:
    """Return one run of the whole period from the runs of its days (see the module docstring).

    Parameters
    ----------
    runs
        One :class:`~transit.opmodels.base.ModelRun` per day, in order.
    labels
        The days' labels (:func:`day_label`).
    """
    from transit.opmodels.base import ModelRun

    trips, stops = [], []
    info: dict[str, float] = {}
    for run, label in zip(runs, labels, strict=True):
        t = run.trips.copy()
        t["vehicle_id"] = _suffix_ids(t["vehicle_id"], label)
        t["day"] = label
        s = run.stops.copy()
        s["vehicle_id"] = _suffix_ids(s["vehicle_id"], label)
        s["day"] = label
        trips.append(t)
        stops.append(s)
        for key, value in run.info.items():
            if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                info[key] = info.get(key, 0.0) + float(value)
    info["days"] = float(len(runs))
    first = runs[0]
    return ModelRun(
        model=first.model,
        kind=first.kind,
        trips=pd.concat(trips, ignore_index=True),
        stops=pd.concat(stops, ignore_index=True),
        info=info,
    )


def run_days(
    scenario: Any,
    ctx: Any,
    name: str,
    seed: int,
    days: Sequence[Sequence[Any]],
    model_for: Callable[[dt.date | None], Any],
    first_rng: np.random.Generator,
) -> Any:
    """Run model ``name`` on every day's bookings and join the runs (:func:`join_runs`).

    ``ctx`` is the day context of the scenario's date (its date is replaced
    for the later days); ``model_for(date)`` returns the model built for a
    date (the caller's cache: the same rules, costs and school-trip
    exclusions as the single day's model); ``first_rng`` serves day 1 (the
    single day's generator).
    """
    dates = service_days(scenario.date, len(days))
    runs = []
    for d, (date, bookings) in enumerate(zip(dates, days)):
        model = model_for(date)
        rng = first_rng if d == 0 else day_rng(seed, name, d)
        day_ctx = dataclasses.replace(ctx, date=date)
        runs.append(model.run(list(bookings), day_ctx, seed=day_seed(seed, d), rng=rng))
    return join_runs(runs, [day_label(date, d) for d, date in enumerate(dates)])
