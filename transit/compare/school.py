"""School transport as a common base of every model: the comparison is on the everyday trips.

In German districts pupils' school trips (Schülerverkehr, about 70% of the
regional operator's trips in Mansfeld-Südharz; shared/REFERENCES.md) run as
school buses whatever the operating form of the rest of the service: a
district that turns its lines into a Rufbus or replaces them by on-demand
minibuses keeps the school buses. A comparison that let some models carry the
pupils' group bookings and others reject them would be dominated by school
traffic (a Rufbus "taxi" carrying 40 pupils looks cheap per passenger).

So every model is treated alike:

- the pupils' school trips (trip purpose :data:`transit.demand.SCHOOL_PURPOSE`
  in the day's labels) are taken out of the day before any model runs and
  ride the **school buses**: the scenario's school-day trips (``[school]``;
  default the GTFS service ``SCHOOL`` of the region's lines: the lines' school
  extras and the school lines) run as a fixed line, with reinforcement buses
  where the pupils do not fit into one bus
  (:class:`transit.opmodels.fixed_line.FixedLineModel`), costed once per
  day like an own fixed line (``[kinds.fixed_line]`` of the cost rates) and
  shown apart (``school.csv``, the report's school section);
- every model serves the same remaining **everyday trips** (Jedermannverkehr)
  and is compared on them; line-based models run the timetable without the
  school buses' trips (they belong to the base);
- figures that published sources give for a whole bus network (school
  traffic included) are compared with the model plus the school base
  (:func:`with_school`: ``*_with_school`` KPIs), every model adding the same
  base.

Scenario table (all keys optional)::

    [school]
    name = "School buses"      # label in tables and the report
    lines = "gtfs"             # default: the region's GTFS
    services = ["SCHOOL"]      # GTFS service ids of the school buses' trips
    routes = ["451", "452"]    # optional: only these lines' trips
    depot = [51.59, 11.51]     # where the school buses' duties start and end
    capacity = 70              # places per bus (default: transit/data/line_service.toml)
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from transit.errors import InputError
from transit.evaluate.reasons import parse_counts
from transit.util.i18n import _

if TYPE_CHECKING:
    import datetime as dt

    from transit.demand.bookings import Booking
    from transit.opmodels.base import DayContext
    from transit.road.travel import RoadNetwork
    from transit.timetable.lines import Timetable

__all__ = [
    "LINE_ONLY_KINDS",
    "SCHOOL_KEYS",
    "SchoolSpec",
    "copies_of",
    "parse_school",
    "partial_networks",
    "school_model",
    "school_trip_ids",
    "split_school",
    "with_school",
    "without_trips",
]

log = logging.getLogger(__name__)

SCHOOL_KEYS = ("name", "lines", "services", "routes", "depot", "capacity")

#: What a school trip the school buses cannot take is rejected with, when the scenario has no school buses.
NO_SCHOOL_BUSES = "no school buses in the scenario (give [school] lines and services)"


@dataclass(frozen=True)
class SchoolSpec:
    """The school buses of a scenario (see the module docstring)."""

    name: str = "School buses"
    lines: Path | None = None
    services: tuple[str, ...] = ("SCHOOL",)
    routes: tuple[str, ...] | None = None
    depot: tuple[float, float] | None = None
    capacity: int | None = None


def parse_school(sec: Any, gtfs: Path | None) -> SchoolSpec:
    """Parse a scenario's ``[school]`` table (None: the defaults); problems are recorded on ``sec``.

    ``sec`` is a scenario section (:class:`transit.compare.scenario._Section`:
    a :class:`transit.util.tomltable.Table` that resolves paths); ``gtfs`` the
    region's GTFS folder, the default lines.
    """
    if sec is None:
        return SchoolSpec(lines=gtfs)
    sec.check_keys(SCHOOL_KEYS)
    lines = sec.path("lines", kind="lines (GTFS folder or zip)") if "lines" in sec else gtfs
    services = sec.text_list("services", what="GTFS service ids", default=("SCHOOL",)) or ("SCHOOL",)
    routes = sec.text_list("routes", what="line ids or names") if "routes" in sec else None
    depot = None
    if "depot" in sec:
        v = sec.data["depot"]
        ok = isinstance(v, list) and len(v) == 2 and all(
            isinstance(c, (int, float)) and not isinstance(c, bool) for c in v)
        if not ok or not (abs(v[0]) <= 90 and abs(v[1]) <= 180):
            sec.add("depot", f"must be [lat, lon], got {v!r}")
        else:
            depot = (float(v[0]), float(v[1]))
    cap = sec.integer("capacity", lo=1)
    return SchoolSpec(name=sec.text("name", default="School buses") or "School buses", lines=lines,
                      services=tuple(services), routes=tuple(routes) if routes else None, depot=depot,
                      capacity=cap)


# ----------------------------------------------------------------------------- the day's split


def is_school(label: Any) -> bool:
    """Return whether a trip label (:class:`transit.sim.columns.TripLabel` or a tuple) is a pupil's school trip."""
    from transit.demand import is_school_trip

    purpose = getattr(label, "purpose", None)
    if purpose is None and isinstance(label, tuple) and len(label) > 1:
        purpose = label[1]
    return is_school_trip(purpose)


def split_school(bookings: Sequence[Booking], labels: Mapping[str, Any]) -> tuple[list[Booking], list[Booking]]:
    """Return ``(everyday, school)``: the day's bookings without and with the pupils' school trips.

    A booking without a label counts as an everyday trip.
    """
    everyday: list[Booking] = []
    school: list[Booking] = []
    for b in bookings:
        (school if is_school(labels.get(b.request_id)) else everyday).append(b)
    return everyday, school


# ----------------------------------------------------------------------------- the school buses


def school_trip_ids(spec: SchoolSpec, date: dt.date | None) -> frozenset[str]:
    """Return the ids of the school buses' trips (trips of ``spec.services`` in its GTFS feed; empty without one)."""
    from transit.timetable.gtfs import read_gtfs

    if spec.lines is None or spec.lines.suffix.lower() == ".toml":
        return frozenset()
    feed = read_gtfs(spec.lines)
    trips = feed.trips
    keep = trips["service_id"].astype(str).isin(set(spec.services))
    if spec.routes is not None:
        routes = feed.routes
        names = set(spec.routes)
        ids = set(routes.loc[routes["route_id"].astype(str).isin(names), "route_id"].astype(str))
        if "route_short_name" in routes:
            ids |= set(routes.loc[routes["route_short_name"].astype(str).isin(names), "route_id"].astype(str))
        keep &= trips["route_id"].astype(str).isin(ids)
    return frozenset(trips.loc[keep, "trip_id"].astype(str))


def without_trips(tt: Timetable, drop: frozenset[str] | set[str], *, keep: bool = False) -> Timetable:
    """Return the timetable without the trips ``drop`` (with ``keep``: only those trips), keeping their stops' order."""
    from transit.timetable.lines import Timetable, TimetableTrip

    trips = [t for t in tt.trips if (t.trip_id in drop) == keep]
    used = sorted({i for t in trips for i in t.stops})
    remap = {old: new for new, old in enumerate(used)}
    lines = {t.line_id for t in trips}
    return Timetable(
        stops=tuple(tt.stops[i] for i in used),
        lines=tuple(ln for ln in tt.lines if ln.line_id in lines),
        trips=tuple(TimetableTrip(t.trip_id, t.line_id, tuple(remap[i] for i in t.stops), t.arrival, t.departure,
                                  t.headsign, t.booking_rule) for t in trips),
        source=tt.source,
        date=tt.date,
        door_zones={k: v for k, v in tt.door_zones.items() if k in lines},
    )


def copies_of(tt: Timetable, school: Timetable) -> frozenset[str]:
    """Return the ids of the trips of ``tt`` that are school buses' trips of ``school`` in another feed.

    A trip is the same trip when its id and its departure times (to the second) are the same: an
    exported feed of the lines (:mod:`transit.publish`) carries the school buses' trips under their
    own ids, and a line model reading it must leave them to the school buses as one reading the
    original feed does.
    """
    times = {t.trip_id: tuple(round(float(x)) for x in t.departure) for t in school.trips}
    return frozenset(t.trip_id for t in tt.trips
                     if t.trip_id in times and tuple(round(float(x)) for x in t.departure) == times[t.trip_id])


def school_model(spec: SchoolSpec, ids: frozenset[str], *, network: RoadNetwork, date: dt.date | None) -> Any:
    """Return the school buses as a fixed-line model (None when the scenario has none)."""
    from transit.opmodels.fixed_line import FixedLineModel
    from transit.opmodels.linerules import LineRules
    from transit.timetable.lines import load_timetable

    if spec.lines is None or not ids:
        return None
    try:
        tt = load_timetable(spec.lines, date=date, network=network)
    except InputError as exc:
        log.warning("no school buses: %s", exc)
        return None
    tt = without_trips(tt, ids, keep=True)
    if not tt.trips:
        return None
    rules = LineRules(depot=spec.depot)
    if spec.capacity is not None:
        rules = replace(rules, capacity=spec.capacity)
    return FixedLineModel(spec.name, tt, rules)


def run_school(
    model: Any, spec: SchoolSpec, bookings: Sequence[Booking], ctx: DayContext, costs: Any, seed: int
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Serve the pupils' school trips with the school buses; return the KPI row and the logs.

    Without school buses every school trip is rejected with
    :data:`NO_SCHOOL_BUSES` (the same in every model).
    """
    return _school_result(_school_run(model, spec, bookings, ctx, seed), spec, costs, seed)


def run_school_days(
    model: Any, spec: SchoolSpec, days: Sequence[Sequence[Booking]], ctx: DayContext, costs: Any, seed: int,
    dates: Sequence[dt.date | None],
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Serve the school trips of several consecutive days (:mod:`transit.compare.days`); return one joined result.

    Day ``d`` runs with the seed :func:`transit.compare.days.day_seed` and
    the context's date replaced by ``dates[d]``; the days' runs are joined
    as a model's are (:func:`transit.compare.days.join_runs`).
    """
    import dataclasses

    from transit.compare.days import day_label, day_seed, join_runs

    runs = [_school_run(model, spec, bookings, dataclasses.replace(ctx, date=date), day_seed(seed, d))
            for d, (date, bookings) in enumerate(zip(dates, days, strict=True))]
    run = join_runs(runs, [day_label(date, d) for d, date in enumerate(dates)])
    return _school_result(run, spec, costs, seed)


def _school_run(model: Any, spec: SchoolSpec, bookings: Sequence[Booking], ctx: DayContext, seed: int) -> Any:
    """Run the school buses on one day's school trips (all rejected without school buses)."""
    from transit.opmodels.base import ModelRun
    from transit.opmodels.journeys import trip_row, trips_frame
    from transit.sim.columns import empty_stops

    if model is not None:
        return model.run(list(bookings), ctx, seed=int(seed), rng=np.random.default_rng(int(seed)))
    rows = []
    for b in bookings:
        row = trip_row(spec.name, int(seed), b, ctx.labels, math.nan, math.nan)
        row["reason"] = NO_SCHOOL_BUSES
        rows.append(row)
    return ModelRun(model=spec.name, kind="fixed_line", trips=trips_frame(rows), stops=empty_stops())


def _school_result(run: Any, spec: SchoolSpec, costs: Any, seed: int) -> tuple[dict[str, Any], pd.DataFrame,
                                                                                   pd.DataFrame]:
    """Return the school buses' KPI row and logs of ``run``."""
    from transit.evaluate.kpis import kpis

    row = kpis(run, costs, seed=int(seed))
    row["model"] = spec.name
    row["kind"] = "school_bus"
    trips = run.trips.assign(model=spec.name, seed=int(seed))
    stops = run.stops.assign(model=spec.name, seed=int(seed))
    return row, trips, stops


# ----------------------------------------------------------------------------- figures with the school base


LINE_ONLY_KINDS = ("fixed_line", "rufbus", "ast")
"""Kinds that run only bus lines: with part of the network they are not a whole network."""


def partial_networks(models: Mapping[str, Timetable], network: Timetable | None) -> frozenset[str]:
    """Return the names of the line models that run only part of the everyday network.

    ``models``: the timetable of each model of a kind in
    :data:`LINE_ONLY_KINDS`; ``network``: the everyday lines of the school
    buses' feed (its trips that are not school buses'). A model that has no
    trip of one of those lines (the same line id or name), e.g. with
    ``routes``, or a sketch of new lines alone, is compared on its lines'
    everyday trips while the school buses are the whole district's:
    together they are no network, so its network figures
    (``*_with_school``) are not defined. A sketch added to the whole feed,
    or the feed exported and read back, is the whole network. Models that
    serve the area (on-demand, hybrid, Bürgerbus) replace the network and
    keep the figures.
    """
    if network is None:
        return frozenset()
    running = {t.line_id for t in network.trips}
    need = [(ln.line_id, ln.name) for ln in network.lines if ln.line_id in running]
    out = set()
    for name, tt in models.items():
        ids = {t.line_id for t in tt.trips}
        have = {x for ln in tt.lines if ln.line_id in ids for x in (ln.line_id, ln.name) if x}
        if any(i not in have and (not n or n not in have) for i, n in need):
            out.add(name)
    return frozenset(out)


def with_school(kpis: pd.DataFrame, school: pd.DataFrame | None,
                partial: Collection[str] = ()) -> pd.DataFrame:
    """Add the ``*_with_school`` KPIs: each model together with the same day's school buses.

    See :func:`transit.evaluate.kpis.with_base`. The rows of the models in
    ``partial`` (:func:`partial_networks`) get NaN: part of the lines plus the
    whole district's school buses is no network a published figure describes.
    """
    from transit.evaluate.kpis import WITH_SCHOOL_COLUMNS, with_base

    out = with_base(kpis, school)
    rows = out["model"].isin(list(partial)) if "model" in out else None
    if rows is not None and bool(rows.any()):
        for col in WITH_SCHOOL_COLUMNS:
            if col in out:
                out.loc[rows, col] = np.nan
    return out


# ----------------------------------------------------------------------------- the report's words


def school_sentences(school: pd.DataFrame | None, kpis: pd.DataFrame, spec: SchoolSpec | None) -> list[str]:
    """Return the report's sentences on the school buses (means over the seeds; :mod:`transit.compare.texts`)."""
    from transit.compare.texts import money, text  # amounts in the report's language ("3,74 €")

    if school is None or school.empty or float(pd.to_numeric(school["requests"]).sum()) == 0:
        return [text("school_none")]
    num = school.select_dtypes("number").mean()
    name = spec.name if spec is not None else "School buses"
    pupils = float(num.get("passengers_requested", math.nan))
    carried = float(num.get("served_passengers", math.nan))
    out = [text("school_base", name=name, bookings=float(num["requests"]), pupils=pupils,
                trips=float(num.get("info_timetabled_trips", math.nan)),
                extra=float(num.get("info_extra_vehicles", 0.0)), carried=carried,
                share=carried / pupils if pupils else math.nan, cost=money(float(num["cost_total"])),
                per_pupil=money(float(num["cost_per_passenger"])),
                subsidy=money(float(num["subsidy_per_passenger"])))]
    reasons = school["rejection_reasons"].fillna("").astype(str)
    counts = [parse_counts(r) for r in reasons]
    first = next((_(c[0][0]) for c in counts if c), "")
    if first:
        out.append(text("school_unserved", name=name, reason=first))
    col = "cost_per_passenger_with_school"
    if col in kpis:
        per = kpis.groupby("model", sort=False)[col].mean()
        items = ", ".join(f"{m} {money(float(v))}" for m, v in per.items())
        out.append(text("school_with", items=items))
        partial = [str(m) for m, v in per.items() if not math.isfinite(float(v))]  # partial_networks
        if partial:
            out.append(text("school_partial", models=", ".join(partial)))
    return out
