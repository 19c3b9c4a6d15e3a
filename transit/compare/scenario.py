"""The scenario file: what `transit compare` compares, typed and validated.

A scenario is a TOML file. Paths in it are relative to the file's folder.
Every table is checked: an unknown key, a wrong type or a missing required
key is an error that names the file and the key, e.g.
``SCENARIO.toml: models[2].fleet.vehicle[1]: unknown key 'seets' (did you mean
'seats'?)``. Tables of arrays are numbered from 1, as in the fleet file. All
problems of a file are reported at once (:class:`~transit.errors.InputErrors`).

Layout
------
::

    [scenario]
    name = "Lines 401-404 vs on-demand"   # title of the report
    description = "..."                   # optional, shown in the report
    baseline = "Linienbus"                # optional: the model differences refer to;
                                          # default the first fixed_line model, else the first model
    seeds = 3                             # optional: number of seeds (CLI --seeds overrides), default 3
    first_seed = 1                        # optional: seeds are first_seed, first_seed + 1, ...
    date = 2025-03-04                     # optional: the service day (weekday for GTFS calendars)

    [region]                              # exactly one of instance / osm / place
    instance = "default"                  # a bundled instance (instances/<name>/)
    # osm = "region.osm.pbf"              # an OSM file
    # place = "Hettstedt, Germany"        # a place name (needs the internet once; cached)
    speed_cap_kmh = 80                    # optional vehicle speed cap
    zones = "places.csv"                  # optional: villages with residents (name, lat, lon, population)
    destinations = "services.csv"         # optional: services (name, category, lat, lon)

    [demand]                              # one of bookings / [demand.generator]
    # bookings = "bookings.csv"           # a bookings file (the same demand for every seed)
    # trips = "bookings-trips.csv"        # with it: home_zone (and purpose) per request_id
    [demand.generator]                    # the demand generator; its keys go to transit.demand
    scale = 1.0

    [service]                             # service rules (transit.darp.service), for every model
    pickup_window_min = 15

    [costs]                               # cost rates (transit.evaluate.costs); defaults documented there

    [access]                              # optional: how access figures are probed (transit.evaluate.access)
    first_hour = 5
    last_hour = 23
    centre = "Sangerhain"                 # default: the largest town

    [precision]                           # optional: add seeds until the main KPIs are precise
                                          # (transit.compare.precision)
    [sensitivity]                         # optional: reruns at low/high settings of the main
                                          # assumptions (transit.compare.sensitivity)

    [[models]]                            # one table per operating model, in report order
    name = "Linienbus"                    # unique; used in tables and the report
    kind = "fixed_line"                   # see transit.compare.models.KINDS
    lines = "gtfs"                        # a GTFS folder or a lines TOML
    ...

The keys of a ``[[models]]`` table depend on its kind
(:data:`transit.compare.models.KINDS`; :func:`model_keys`). A ``fleet`` is either
an inline table (the fleet file's ``[service]`` and ``[[vehicle]]``, see
:mod:`transit.darp.fleet`) or the path of a fleet file; ``lines`` a GTFS folder or
zip or a lines TOML (:mod:`transit.timetable.lines`; default for a bundled instance: its
``gtfs/``), ``routes`` the lines of it to keep.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transit.compare.models import ModelSpec
from transit.errors import InputError
from transit.util.tomltable import Table, describe, read_toml

__all__ = [
    "AccessSpec",
    "DemandSpec",
    "ModelSpec",
    "RegionSpec",
    "Scenario",
    "load_scenario",
    "parse_scenario",
]

log = logging.getLogger(__name__)

#: Default number of seeds when neither the scenario nor the CLI says.
DEFAULT_SEEDS = 3

TOP_KEYS = ("scenario", "region", "demand", "service", "costs", "access", "models", "precision", "sensitivity")
SCENARIO_KEYS = ("name", "description", "baseline", "seeds", "first_seed", "date")
REGION_KEYS = ("instance", "osm", "place", "speed_cap_kmh", "zones", "destinations")
DEMAND_KEYS = ("bookings", "trips", "generator")
ACCESS_KEYS = ("enabled", "first_hour", "last_hour", "centre", "destinations", "max_wait_min")
ACCESS_DESTINATIONS = ("centre", "doctor", "jobcenter", "station")

_COMMON_MODEL_KEYS = ("name", "kind", "description")


def model_keys(kind: str) -> tuple[str, ...]:
    """Return every key a ``[[models]]`` table of ``kind`` takes."""
    from transit.compare.models import KINDS

    return (*_COMMON_MODEL_KEYS, *KINDS[kind].keys)


@dataclass(frozen=True)
class RegionSpec:
    """Where the comparison takes place.

    Attributes
    ----------
    instance
        Name of a bundled instance, or None.
    osm
        The OSM file (resolved: an instance's file, or the given one), or None
        for a place query.
    place
        A place name for an online query, or None.
    speed_cap_kmh
        Vehicle speed cap, or None for the default.
    zones, destinations
        Optional CSV files overriding the zones and services read from OSM.
    gtfs
        The instance's GTFS folder, if it has one.
    """

    instance: str | None = None
    osm: Path | None = None
    place: str | None = None
    speed_cap_kmh: float | None = None
    zones: Path | None = None
    destinations: Path | None = None
    gtfs: Path | None = None

    @property
    def label(self) -> str:
        """A short description for titles."""
        if self.instance:
            return f"instance {self.instance}"
        if self.osm is not None:
            return self.osm.name
        return str(self.place)


@dataclass(frozen=True)
class DemandSpec:
    """Where the day's bookings come from.

    Attributes
    ----------
    bookings
        A bookings file (the same for every seed; seeds then vary only the
        models' own randomness), or None to generate demand.
    generator
        Parameters of the demand generator as written in the scenario.
    params
        The generator's parameters (:class:`transit.demand.DemandParams`,
        the defaults updated by ``generator``), None with a bookings file.
    """

    bookings: Path | None = None
    trips: Path | None = None
    generator: Mapping[str, Any] = field(default_factory=dict)
    params: Any = None


@dataclass(frozen=True)
class AccessSpec:
    """How access to services is measured (see :mod:`transit.evaluate.access`).

    Attributes
    ----------
    enabled
        Whether to compute the probed access figures at all.
    first_hour, last_hour
        Probes leave on every full hour from ``first_hour`` to ``last_hour``.
    centre
        Name of the middle-order centre, or None for the largest town.
    destinations
        Which destinations to probe (subset of :data:`ACCESS_DESTINATIONS`).
    max_wait_min
        A probe counts as "a trip is possible in this hour" if the traveller
        leaves home within this many minutes of the full hour.
    """

    enabled: bool = True
    first_hour: int = 5
    last_hour: int = 23
    centre: str | None = None
    destinations: tuple[str, ...] = ACCESS_DESTINATIONS
    max_wait_min: float = 60.0


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file.

    Attributes
    ----------
    source
        The scenario file.
    name, description
        Title and text of the comparison.
    baseline
        Name of the model differences refer to.
    seeds
        Default number of seeds.
    first_seed
        The first seed; seeds are consecutive.
    date
        The service day, or None.
    region, demand, access
        See :class:`RegionSpec`, :class:`DemandSpec`, :class:`AccessSpec`.
    service
        The service rules (:class:`transit.darp.service.ServiceRules`).
    costs
        The cost rates (:class:`transit.evaluate.costs.CostRates` when available, else
        the table as written).
    models
        The models, in file order.
    precision
        When the comparison has enough seeds
        (:class:`transit.compare.precision.PrecisionSpec`).
    sensitivity
        The sensitivity runs (:class:`transit.compare.sensitivity.SensitivitySpec`).
    document
        The parsed file, from which the sensitivity runs derive changed scenarios.
    """

    source: Path
    name: str
    description: str
    baseline: str
    seeds: int
    first_seed: int
    date: dt.date | None
    region: RegionSpec
    demand: DemandSpec
    service: Any
    costs: Any
    access: AccessSpec
    models: tuple[ModelSpec, ...]
    precision: Any = None
    sensitivity: Any = None
    document: Mapping[str, Any] | None = None

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the file refer to."""
        return self.source.parent

    def seed_list(self, n: int | None = None) -> list[int]:
        """Return the seeds of a run with ``n`` seeds (default :attr:`seeds`)."""
        count = self.seeds if n is None else n
        return [self.first_seed + k for k in range(count)]

    def model(self, name: str) -> ModelSpec:
        """Return the model called ``name`` (KeyError if absent)."""
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)


# --------------------------------------------------------------------------- helpers


class _Section(Table):
    """A table of the scenario file; all tables of the file share its problems and folder."""

    def __init__(self, data: Any, *, where: str, ctx: _Ctx) -> None:
        super().__init__(data, source=ctx.file, table=where, problems=ctx.problems)
        self.ctx = ctx

    def path(self, key: str, *, kind: str = "file", required: bool = False) -> Path | None:
        """Return a path relative to the scenario's folder that must exist."""
        text = self.text(key, required=required)
        if text is None:
            return None
        p = Path(text).expanduser()
        if not p.is_absolute():
            p = self.ctx.base_dir / p
        if not p.exists():
            self.add(key, f"{kind} not found: {p}")
            return None
        if kind == "folder" and not p.is_dir():
            self.add(key, f"is not a folder: {p}")
            return None
        if kind == "file" and p.is_dir():
            self.add(key, f"is a folder, not a file: {p}")
            return None
        return p

    def section(self, key: str) -> _Section | None:
        """Return the table ``key`` (None if absent)."""
        if key not in self.data:
            return None
        return _Section(self.data[key], where=self.where(key), ctx=self.ctx)


@dataclass
class _Ctx:
    file: str
    base_dir: Path
    problems: list[InputError] = field(default_factory=list)


# --------------------------------------------------------------------------- sections


def _parse_region(sec: _Section) -> RegionSpec:
    from transit.util.instances import instance_dir, instance_names

    sec.check_keys(REGION_KEYS)
    given = [k for k in ("instance", "osm", "place") if k in sec]
    if len(given) != 1:
        what = "none" if not given else " and ".join(given)
        sec.add(None, f"give exactly one of 'instance', 'osm' or 'place' (got {what})")
    instance = sec.text("instance")
    osm: Path | None = None
    gtfs: Path | None = None
    if instance is not None:
        if instance not in instance_names():
            known = ", ".join(instance_names()) or "none"
            sec.add("instance", f"no bundled instance {instance!r} (known: {known})")
        else:
            from transit.util.instances import instance_osm

            osm = instance_osm(instance)
            g = instance_dir(instance) / "gtfs"
            gtfs = g if g.is_dir() else None
    if "osm" in sec:
        osm = sec.path("osm", kind="OSM file")
    place = sec.text("place")
    return RegionSpec(
        instance=instance,
        osm=osm,
        place=place,
        speed_cap_kmh=sec.number("speed_cap_kmh", lo=0.0, lo_open=True),
        zones=sec.path("zones"),
        destinations=sec.path("destinations"),
        gtfs=gtfs,
    )


def _parse_demand(sec: _Section | None, ctx: _Ctx) -> DemandSpec:
    if sec is None:
        sec = _Section({}, where="demand", ctx=ctx)
    sec.check_keys(DEMAND_KEYS)
    if "bookings" in sec and "generator" in sec:
        sec.add(None, "give either 'bookings' or a [demand.generator] table, not both")
    bookings = sec.path("bookings", kind="bookings file")
    trips = sec.path("trips", kind="trips file")
    if "trips" in sec and "bookings" not in sec:
        sec.add("trips", "only with a bookings file (the generator knows its trips)")
    gen: dict[str, Any] = {}
    if "generator" in sec:
        g = sec.section("generator")
        if g is not None:
            gen = dict(g.data)
    params = None
    if bookings is None and "bookings" not in sec:
        params = _generator_params(gen, sec)
    return DemandSpec(bookings=bookings, trips=trips, generator=gen, params=params)


def _generator_params(gen: dict[str, Any], sec: _Section) -> Any:
    """Parse the generator's parameters with its own parser (:func:`transit.demand.parse_params`)."""
    from transit.demand import DemandParams, parse_params

    try:
        return parse_params(gen, source=sec.source, table=sec.where("generator"))
    except InputError as exc:
        sec.absorb(exc)
        return DemandParams.default()


def _parse_service(sec: _Section | None) -> Any:
    from transit.darp.service import ServiceRules, parse_service

    if sec is None:
        return ServiceRules()
    try:
        return parse_service(sec.data, source=sec.source, table=sec.table)
    except InputError as exc:
        sec.absorb(exc)
        return ServiceRules()


def _parse_costs(sec: _Section | None) -> Any:
    """Parse the cost rates with :mod:`transit.evaluate.costs` when it is there."""
    data = {} if sec is None else dict(sec.data)
    try:
        from transit.evaluate import costs as costs_mod  # type: ignore[attr-defined]
    except ImportError:
        return data
    parse = getattr(costs_mod, "parse_costs", None)
    if parse is None:
        return data
    try:
        return parse(data, source=sec.source if sec else "", table="costs")
    except InputError as exc:
        if sec is not None:
            sec.absorb(exc)
        return data


def _parse_access(sec: _Section | None) -> AccessSpec:
    if sec is None:
        return AccessSpec()
    sec.check_keys(ACCESS_KEYS)
    first = sec.integer("first_hour", default=5, lo=0, hi=27)
    last = sec.integer("last_hour", default=23, lo=0, hi=27)
    if first is not None and last is not None and last < first:
        sec.add("last_hour", f"must be >= first_hour ({first}), got {last}")
    dests = sec.text_list("destinations", what="names", default=ACCESS_DESTINATIONS) or ()
    bad = [x for x in dests if x not in ACCESS_DESTINATIONS]
    if bad:
        sec.add("destinations", f"unknown destination {bad[0]!r} (known: {', '.join(ACCESS_DESTINATIONS)})")
        dests = ACCESS_DESTINATIONS
    return AccessSpec(
        enabled=sec.boolean("enabled", default=True),
        first_hour=first if first is not None else 5,
        last_hour=last if last is not None else 23,
        centre=sec.text("centre"),
        destinations=dests,
        max_wait_min=sec.number("max_wait_min", default=60.0, lo=0.0, lo_open=True) or 60.0,
    )


def _parse_fleet(value: Any, sec: _Section, key: str) -> Any:
    from transit.darp.fleet import parse_fleet, read_fleet

    where = sec.where(key)
    if isinstance(value, str):
        p = sec.path(key, kind="fleet file")
        if p is None:
            return None
        try:
            return read_fleet(p)
        except InputError as exc:
            sec.absorb(exc)
            return None
    if isinstance(value, Mapping):
        try:
            return parse_fleet(value, source=sec.source, table=where)
        except InputError as exc:
            sec.absorb(exc)
            return None
    sec.add(key, f"must be a fleet table or the path of a fleet file, got {describe(value)}")
    return None


def _parse_routes(sec: _Section) -> tuple[str, ...] | None:
    if "routes" not in sec:
        return None
    raw = sec.data["routes"]
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(x, (str, int)) and not isinstance(x, bool)
                                                         for x in raw):
        sec.add("routes", f"must be a list of line ids or names, got {describe(raw)}")
        return None
    return tuple(str(x) for x in raw)


def _parse_model(raw: Any, index: int, ctx: _Ctx, region: RegionSpec) -> ModelSpec | None:
    from transit.compare.models import KINDS, parse_options

    sec = _Section(raw, where=f"models[{index}]", ctx=ctx)
    name = sec.text("name", required=True)
    kind = sec.text("kind", required=True)
    if kind is None:
        return None
    if kind not in KINDS:
        close = difflib.get_close_matches(kind, list(KINDS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        sec.add("kind", f"unknown model kind {kind!r}{hint}; known: {', '.join(KINDS)}")
        return None
    spec = KINDS[kind]
    sec.check_keys(model_keys(kind))
    label = f"model {name or '?'!r} ({kind})"
    if spec.needs_fleet and "fleet" not in sec:
        sec.add(None, f"{label} needs a fleet (an inline [models.fleet] table or a fleet file)")
    fleet = _parse_fleet(sec.data["fleet"], sec, "fleet") if "fleet" in sec else None
    lines: Path | None = None
    if "flex" in sec and kind in ("rufbus", "ast"):  # a GTFS-Flex feed is the lines (transit.compare.models)
        if "lines" in sec:
            sec.add("flex", "give lines or flex, not both (flex is a GTFS-Flex feed of the lines)")
        lines = sec.path("flex", kind="GTFS-Flex feed (folder or zip)")
    elif "lines" in sec:
        lines = sec.path("lines", kind="lines (GTFS folder or zip, or lines TOML)")
        if lines is not None and not (lines.is_dir() or lines.suffix.lower() in (".toml", ".zip")):
            sec.add("lines", f"must be a GTFS folder or zip, or a .toml lines file: {lines}")
    elif spec.uses_lines:
        if region.gtfs is None:
            sec.add(None, f"{label} needs 'lines' (a GTFS folder or zip, or a lines TOML)")
        lines = region.gtfs
    routes = _parse_routes(sec)
    options = {k: v for k, v in sec.data.items() if k in spec.keys and k not in ("fleet", "lines", "routes")}
    parsed = None
    if not any(k not in model_keys(kind) for k in sec.data):
        try:
            parsed = parse_options(kind, options, source=ctx.file, table=sec.table)
        except InputError as exc:
            sec.absorb(exc)
    if name is None:
        return None
    return ModelSpec(
        name=name,
        kind=kind,
        index=index,
        fleet=fleet,
        lines=lines,
        routes=routes,
        options=options,
        parsed=parsed,
        description=sec.text("description", default="") or "",
    )


# --------------------------------------------------------------------------- entry points


def parse_scenario(doc: Mapping[str, Any], *, source: str | os.PathLike[str]) -> Scenario:
    """Build a :class:`Scenario` from a parsed TOML document.

    Parameters
    ----------
    doc
        The parsed file.
    source
        The file's path; relative paths inside are resolved against its
        folder, and error messages name it.

    Raises
    ------
    InputErrors
        Listing every problem, each naming the file and the key.
    """
    src = Path(source)
    ctx = _Ctx(file=str(source), base_dir=src.parent)
    top = _Section(doc, where="", ctx=ctx)
    top.check_keys(TOP_KEYS)

    meta = top.section("scenario") or _Section({}, where="scenario", ctx=ctx)
    meta.check_keys(SCENARIO_KEYS)
    name = meta.text("name", default=src.stem) or src.stem
    description = meta.text("description", default="") or ""
    seeds = meta.integer("seeds", default=DEFAULT_SEEDS, lo=1, hi=1000) or DEFAULT_SEEDS
    first_seed = meta.integer("first_seed", default=1, lo=0)
    date = _parse_date(meta)

    region_sec = top.section("region")
    if region_sec is None:
        top.add("region", "required table is missing (give instance, osm or place)")
        region = RegionSpec()
    else:
        region = _parse_region(region_sec)
    demand = _parse_demand(top.section("demand"), ctx)
    if demand.params is not None:
        if date is not None and "service_date" not in demand.generator:
            demand = DemandSpec(demand.bookings, demand.trips, demand.generator,
                                demand.params.replace(service_date=date))
        elif date is None:
            date = demand.params.service_date
    service = _parse_service(top.section("service"))
    costs = _parse_costs(top.section("costs"))
    access = _parse_access(top.section("access"))
    precision, sensitivity = _parse_robustness(top)

    models: list[ModelSpec] = []
    raw_models = doc.get("models") if isinstance(doc, Mapping) else None
    if raw_models is None:
        top.add("models", "no operating models: add at least one [[models]] table")
    elif not isinstance(raw_models, list) or not all(isinstance(m, Mapping) for m in raw_models):
        top.add("models", f"must be an array of tables ([[models]]), got {describe(raw_models)}")
    elif not raw_models:
        top.add("models", "no operating models: add at least one [[models]] table")
    else:
        seen: dict[str, int] = {}
        for i, raw in enumerate(raw_models, start=1):
            m = _parse_model(raw, i, ctx, region)
            if m is None:
                continue
            if m.name in seen:
                top.add(f"models[{i}].name", f"duplicate model name {m.name!r} (also models[{seen[m.name]}])")
                continue
            seen[m.name] = i
            models.append(m)

    baseline = meta.text("baseline")
    if baseline is not None and models and baseline not in {m.name for m in models}:
        names = ", ".join(m.name for m in models)
        meta.add("baseline", f"no model named {baseline!r} (models: {names})")
    if baseline is None and models:
        baseline = next((m.name for m in models if m.kind == "fixed_line"), models[0].name)

    top.raise_problems()
    return Scenario(
        source=src,
        name=name,
        description=description,
        baseline=baseline or "",
        seeds=seeds,
        first_seed=first_seed if first_seed is not None else 1,
        date=date,
        region=region,
        demand=demand,
        service=service,
        costs=costs,
        access=access,
        models=tuple(models),
        precision=precision,
        sensitivity=sensitivity,
        document=copy.deepcopy(dict(doc)),
    )


def _parse_date(meta: _Section) -> dt.date | None:
    """Return ``scenario.date`` (None if absent or wrong; the problem is recorded)."""
    if "date" not in meta:
        return None
    value = meta.data["date"]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    meta.add("date", f"must be a date like 2025-03-04, got {describe(value)}")
    return None


def _parse_robustness(top: _Section) -> tuple[Any, Any]:
    """Parse ``[precision]`` and ``[sensitivity]`` (:mod:`transit.compare.precision`, ``.sensitivity``)."""
    from transit.compare.precision import parse_precision
    from transit.compare.sensitivity import parse_sensitivity

    return parse_precision(top.section("precision")), parse_sensitivity(top.section("sensitivity"))


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario TOML file.

    Raises
    ------
    InputErrors
        If the file is missing, not UTF-8, not TOML, or describes a bad
        scenario (see :func:`parse_scenario`).
    """
    return parse_scenario(read_toml(path, what="scenario file"), source=Path(path))
