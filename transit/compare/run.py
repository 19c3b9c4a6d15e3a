"""Compare operating models on identical demand: `transit compare`.

For each seed the demand is generated once (or read from the scenario's
bookings file) and every model serves exactly those bookings; KPIs
(:mod:`transit.evaluate.kpis`) are computed from each run's logs, summarised across
seeds with confidence intervals (:mod:`transit.evaluate.stats`), and access to
services is probed per village (:mod:`transit.evaluate.access`).

Randomness and determinism
--------------------------
Seed ``s`` draws the demand with ``numpy.random.default_rng(s)`` (so
``transit demand generate --seed s`` gives the same bookings) and gives model
``m`` the generator ``default_rng([s, crc32(m)])``, independent of the other
models and of their order. Tasks (one per seed for the demand, one per model
and seed, one per model for the access probes) run on the engine of
:mod:`transit.compare.engine` (``jobs`` > 1: a local Dask cluster of that
many worker processes; ``jobs`` = 1: in this process); their results are
assembled in a fixed order, so the outputs are identical for any ``jobs``.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from transit.compare.engine import Engine
from transit.errors import InputError
from transit.util.csvsafe import frame_csv
from transit.util.i18n import N_, _
from transit.util.progress import Progress, report

if TYPE_CHECKING:
    from transit.compare.mapdata import RegionMap
    from transit.compare.scenario import Scenario

__all__ = [
    "Comparison",
    "OUTPUT_FILES",
    "compare_scenario",
    "load_world",
    "model_rng",
    "run_comparison",
    "seed_kpis",
    "write_comparison",
]

log = logging.getLogger(__name__)

#: The files ``transit compare`` writes into its output folder.
OUTPUT_FILES: tuple[str, ...] = (
    "kpis.csv",
    "summary.csv",
    "access.csv",
    "access_groups.csv",
    "sensitivity.csv",
    "school.csv",
    "trips.csv",
    "stops.csv",
    "report.html",
    "scenario.toml",
)

#: Model kinds whose vehicles are timetabled trips (their routes are the lines on the map).
_TIMETABLED = ("fixed_line", "rufbus")


@dataclass(frozen=True)
class Comparison:
    """The results of a comparison.

    Attributes
    ----------
    scenario
        The scenario compared.
    seeds
        The seeds run.
    kpis
        One row per model and seed (:data:`transit.evaluate.kpis.KPI_COLUMNS`, then
        ``info_*`` columns).
    summary
        Per model and KPI: mean, 95% CI, paired difference to the baseline
        (:func:`transit.evaluate.stats.summarize`).
    access
        Per model and village (:data:`transit.evaluate.access.ACCESS_COLUMNS`).
    trips, stops
        Trip and vehicle logs of every model and seed.
    region_map
        Map layers for the report.
    precision
        Whether the main KPIs' intervals met their target
        (:class:`transit.compare.precision.PrecisionStatus`), or None.
    sensitivity
        The sensitivity table (``sensitivity.csv``,
        :func:`transit.compare.sensitivity.sensitivity_table`).
    sensitivity_notes
        Factors left out, and why.
    access_groups
        Residents' requests served per village, group and purpose
        (``access_groups.csv``, :func:`transit.evaluate.access.served_by_group`).
    residents
        Residents of the region (all zones).
    school
        The school buses, the common base of every model: one KPI row per
        seed (``school.csv``, :mod:`transit.compare.school`), or None.
    stop_coverage
        Residents within walking reach of a stop per model that has stops
        (:func:`coverage_table`), or None.
    """

    scenario: Scenario
    seeds: tuple[int, ...]
    kpis: pd.DataFrame
    summary: pd.DataFrame
    access: pd.DataFrame
    trips: pd.DataFrame
    stops: pd.DataFrame
    region_map: RegionMap | None = None
    precision: Any = None
    sensitivity: pd.DataFrame | None = None
    sensitivity_notes: tuple[str, ...] = ()
    access_groups: pd.DataFrame | None = None
    residents: float = float("nan")
    school: pd.DataFrame | None = None
    stop_coverage: pd.DataFrame | None = None

    @property
    def models(self) -> list[tuple[str, str]]:
        """``(name, kind)`` of the models, in scenario order."""
        return [(m.name, m.kind) for m in self.scenario.models]


def model_rng(seed: int, model: str) -> np.random.Generator:
    """Return the random generator of ``model`` for ``seed`` (independent of other models)."""
    return np.random.default_rng([int(seed), zlib.crc32(model.encode("utf-8"))])


# ----------------------------------------------------------------------------- the region


@dataclass(frozen=True)
class RegionPayload:
    """What a worker needs to rebuild the region: the road and walk graphs, zones and destinations."""

    graph: Any
    zones: tuple[Any, ...]
    destinations: tuple[Any, ...]
    walk_graph: Any = None


def load_region(scenario: Scenario, *, progress: Progress | None = None) -> RegionPayload:
    """Build the road graph and read the zones and destinations of the scenario's region.

    Raises
    ------
    InputError, NetworkError
        If the region cannot be built.
    """
    from transit.demand import destinations_from_osm, read_destinations_csv, read_zones_csv, zones_from_osm
    from transit.road.graph import build_graph, build_walk_graph

    reg = scenario.region
    report(progress, 0, 3, _("building the road graph"))
    walk_graph = None
    if reg.osm is not None:
        graph = build_graph(reg.osm, speed_cap_kmh=reg.speed_cap_kmh)
        walk_graph = build_walk_graph(reg.osm)
    else:
        graph = build_graph(place=reg.place, speed_cap_kmh=reg.speed_cap_kmh)
    report(progress, 1, 3, _("reading villages and services"))
    if reg.zones is not None:
        zones = read_zones_csv(reg.zones)
    elif reg.osm is not None:
        zones = zones_from_osm(reg.osm)
    else:
        msg = "a region given by a place name needs a zones file (region.zones: name, lat, lon, population)"
        raise InputError(msg, file=str(scenario.source), column="region.zones")
    if reg.destinations is not None:
        dests = read_destinations_csv(reg.destinations)
    elif reg.osm is not None:
        dests = destinations_from_osm(reg.osm)
    else:
        dests = []
    if not zones:
        msg = f"no villages or towns found in {reg.label}; give region.zones"
        raise InputError(msg, file=str(scenario.source), column="region")
    report(progress, 3, 3, _("{zones} zones, {destinations} destinations").format(zones=len(zones),
                                                                                destinations=len(dests)))
    return RegionPayload(graph, tuple(zones), tuple(dests), walk_graph)


class _World:
    """A process's view of the comparison: the scenario (and its sensitivity variants), the region and the models.

    Models are built on first use, per scenario key (``""``: the scenario
    itself; else a :class:`transit.compare.sensitivity.Variant` key).
    """

    def __init__(self, scenario: Scenario, payload: RegionPayload,
                 variants: Mapping[str, Scenario] | None = None) -> None:
        from transit.demand import DemandRegion
        from transit.road.travel import RoadNetwork

        self.scenario = scenario
        self.scenarios: dict[str, Scenario] = {"": scenario, **dict(variants or {})}
        self.network = RoadNetwork.from_graph(payload.graph)
        self.walk_network = RoadNetwork.from_graph(payload.walk_graph) if payload.walk_graph is not None else None
        self.region = DemandRegion.build(self.network, payload.zones, payload.destinations)
        self._models: dict[tuple[str, str], Any] = {}
        self._school: tuple[frozenset[str], Any] | None = None
        self._partial: frozenset[str] | None = None

    @property
    def school_spec(self) -> Any:
        """Return the scenario's school buses (:class:`transit.compare.school.SchoolSpec`; default the region's lines)."""
        from transit.compare.school import SchoolSpec

        return self.scenario.school if self.scenario.school is not None else SchoolSpec(lines=None)

    def school(self) -> tuple[frozenset[str], Any]:
        """Return the school buses' trip ids and model (:mod:`transit.compare.school`; the model may be None)."""
        from transit.compare.school import school_model, school_trip_ids

        if self._school is None:
            spec = self.school_spec
            ids = school_trip_ids(spec, self.scenario.date)
            self._school = (ids, school_model(spec, ids, network=self.network, date=self.scenario.date))
        return self._school

    def partial_networks(self) -> frozenset[str]:
        """Return the line models that run only part of the everyday network (:func:`transit.compare.school.partial_networks`), cached."""
        if self._partial is None:
            self._partial = self._find_partial_networks()
        return self._partial

    def _find_partial_networks(self) -> frozenset[str]:
        from transit.compare.school import LINE_ONLY_KINDS, partial_networks, without_trips
        from transit.timetable.lines import load_timetable

        spec = self.school_spec
        if spec.lines is None:
            return frozenset()
        try:
            feed = load_timetable(spec.lines, date=self.scenario.date, routes=spec.routes, network=self.network)
        except InputError as exc:
            log.warning("no everyday network to compare the line models with: %s", exc)
            return frozenset()
        network = without_trips(feed, self.school()[0])
        models = {m.name: self.model(m.name).lines for m in self.scenario.models if m.kind in LINE_ONLY_KINDS}
        return partial_networks(models, network)

    def model(self, name: str, key: str = "", date: Any = None) -> Any:
        """Return model ``name`` of scenario ``key`` built for the scenario's date (or ``date``), cached."""
        from transit.compare.models import build_model

        sc = self.scenarios[key]
        day = sc.date if date is None else date
        if (key, name, day) not in self._models:
            spec = sc.model(name)
            school = sc.school
            same = school is not None and spec.lines == school.lines
            ids = self.school()[0] if same else frozenset()
            buses = self.school()[1] if school is not None and not same else None
            self._models[(key, name, day)] = build_model(spec, network=self.network, date=day, costs=sc.costs,
                                                         exclude_trips=ids,
                                                         exclude_like=getattr(buses, "lines", None))
        return self._models[(key, name, day)]

    def with_scenario(self, scenario: Scenario) -> _World:
        """Return a world of ``scenario`` (no variants) on this world's region (road network and zones shared)."""
        other = copy.copy(self)
        other.scenario = scenario
        other.scenarios = {"": scenario}
        other._models = {}
        other._school = None
        other._partial = None
        return other

    def context(self, labels: Mapping[str, Any], key: str = "") -> Any:
        from transit.opmodels.base import DayContext

        sc = self.scenarios[key]
        return DayContext(network=self.network, service=sc.service, date=sc.date, labels=labels,
                          walk_network=self.walk_network)


_WORLD: _World | None = None
#: Worlds of this process by run token (a worker keeps the last one; see :func:`_run_task`).
_WORLDS: dict[str, _World] = {}


@dataclass(frozen=True)
class _Shared:
    """What every task of one comparison shares: sent to each worker once (:meth:`Engine.share`)."""

    token: str
    scenario: Scenario
    payload: RegionPayload
    variants: Mapping[str, Scenario]


def _world_for(shared: _Shared) -> _World:
    """Return this process's world of ``shared`` (built on first use, the last one kept)."""
    w = _WORLDS.get(shared.token)
    if w is None:
        logging.getLogger("transit").setLevel(logging.WARNING)
        _WORLDS.clear()
        w = _WORLDS[shared.token] = _World(shared.scenario, shared.payload, shared.variants)
    return w


@contextlib.contextmanager
def _local_world(shared: _Shared, world: _World) -> Iterator[None]:
    """Let tasks run in this process use ``world`` (already built) while the block runs."""
    _WORLDS[shared.token] = world
    try:
        yield
    finally:
        _WORLDS.pop(shared.token, None)


def _world() -> _World:
    if _WORLD is None:
        msg = "worker not initialised"
        raise RuntimeError(msg)
    return _WORLD


# ----------------------------------------------------------------------------- tasks


def read_labels(path: str | os.PathLike[str]) -> dict[str, tuple[str, str, str]]:
    """Read ``request_id, home_zone[, purpose, group]`` per booking (``transit demand generate --trips-out``).

    Raises
    ------
    InputError
        If the file is unreadable or lacks a column, naming the file.
    """
    import csv
    import io

    from transit.util.textfile import decode_text

    file = str(path)
    text, _ = decode_text(Path(path).read_bytes(), file=file)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [(f or "").strip().lower() for f in (reader.fieldnames or [])]
    for col in ("request_id", "home_zone"):
        if col not in fields:
            msg = "required column is missing from the header"
            raise InputError(msg, file=file, row=1, column=col)
    out: dict[str, tuple[str, str, str]] = {}
    for rec in reader:
        r = {(k or "").strip().lower(): (v or "").strip() for k, v in rec.items()}
        out[r["request_id"]] = (r["home_zone"], r.get("purpose", ""), r.get("group", ""))
    return out


def _task_demand(seed: int, key: str = "") -> tuple[tuple[Any, ...], dict[str, tuple[str, str, str]], Any]:
    """Return the everyday bookings of ``seed``, (home zone, purpose, group) per request id, and the school buses' day.

    The pupils' school trips ride the school buses, the same in every model
    (:mod:`transit.compare.school`); the models get the other bookings. The
    school buses run for the scenario itself (``key`` ""), not for the
    sensitivity variants (None).
    """
    from transit.compare.school import split_school
    from transit.demand.bookings import read_bookings
    from transit.demand import generate_demand

    w = _world()
    sc = w.scenarios[key]
    spec = sc.demand
    if sc.days > 1:
        from transit.compare.days import service_days, week_demand

        days, labels = week_demand(w.region, sc, int(seed), read_trips=read_labels)
        split = [split_school(day, labels) for day in days]
        school_days = [school for _, school in split]
        return (tuple(tuple(everyday) for everyday, _ in split), labels,
                _school_day(school_days, labels, seed, service_days(sc.date, sc.days)) if not key else None)
    if spec.bookings is not None:
        bookings = tuple(read_bookings(spec.bookings, service_date=w.scenarios[key].date))
        labels = read_labels(spec.trips) if spec.trips is not None else {}
    else:
        demand = generate_demand(w.region, spec.params, np.random.default_rng(int(seed)))
        labels = {t.request_id: (t.home_zone, t.purpose, t.group) for t in demand.trips}
        bookings = tuple(demand.bookings)
    everyday, school = split_school(bookings, labels)
    return tuple(everyday), labels, (_school_day(school, labels, seed) if not key else None)


def _school_day(bookings: Sequence[Any], labels: Mapping[str, tuple[str, str, str]], seed: int,
                dates: Sequence[Any] | None = None) -> Any:
    """Run the school buses on the pupils' school trips (KPI row, trip and vehicle logs).

    ``bookings`` are one day's school trips, or with ``dates`` (``[scenario]
    days`` > 1) one sequence of school trips per date, joined into one run.
    """
    from transit.compare.school import run_school, run_school_days
    from transit.sim.columns import TripLabel

    w = _world()
    spec = w.school_spec
    ctx = w.context({rid: TripLabel(*lab) for rid, lab in labels.items()})
    if dates is not None:
        return run_school_days(w.school()[1], spec, bookings, ctx, w.scenario.costs, int(seed), dates)
    return run_school(w.school()[1], spec, bookings, ctx, w.scenario.costs, int(seed))


def _task_model(
    name: str, seed: int, bookings: Sequence[Any], labels: Mapping[str, tuple[str, str, str]], key: str = ""
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Run model ``name`` (of scenario ``key``) on one seed's bookings; return its KPI row and logs."""
    from transit.compare.models import model_costs
    from transit.evaluate.kpis import kpis
    from transit.sim.columns import TripLabel

    w = _world()
    model = w.model(name, key)
    ctx = w.context({rid: TripLabel(*lab) for rid, lab in labels.items()}, key)
    sc = w.scenarios[key]
    if sc.days > 1:
        from transit.compare.days import run_days

        run = run_days(sc, ctx, name, int(seed), bookings, lambda day: w.model(name, key, day),
                       model_rng(seed, name))
    else:
        run = model.run(list(bookings), ctx, seed=int(seed), rng=model_rng(seed, name))
    trips = run.trips.assign(model=name, seed=int(seed))
    stops = run.stops.assign(model=name, seed=int(seed))
    sc = w.scenarios[key]
    row = kpis(run, model_costs(sc.costs, sc.model(name)), seed=int(seed))
    row["model"] = name
    return row, trips, stops


def _task_probe(name: str, plan: pd.DataFrame, days: Sequence[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Send the access probes through model ``name``: as offered, and on each simulated day (vehicle log)."""
    from transit.evaluate.access import access_from_probes, access_on_days, probe_bookings, run_probes
    from transit.evaluate.probes import spare_capacity_trips

    from transit.sim.columns import TripLabel

    w = _world()
    model = w.model(name)
    a = w.scenario.access
    probes = [b for bs in probe_bookings(plan).values() for b in bs]
    ctx = w.context({b.request_id: TripLabel(group=a.group) for b in probes} if a.group else {})
    trips = run_probes(model, ctx, plan)
    offered = access_from_probes(plan, trips, max_wait_min=a.max_wait_min, targets=a.destinations)
    answered = [spare_capacity_trips(model, probes, ctx, stops, alone=trips) for stops in days]
    known = [t for t in answered if t is not None]
    on_days = access_on_days(plan, known, max_wait_min=a.max_wait_min) if known and len(known) == len(answered) \
        else pd.DataFrame(columns=["village"])
    return offered, on_days


# ----------------------------------------------------------------------------- running


class _Runner:
    """Run tasks on an :class:`~transit.compare.engine.Engine`, in a fixed result order, reporting progress."""

    def __init__(self, engine: Engine, shared: Any) -> None:
        self.engine = engine
        self.shared = shared

    def map(self, fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], tick: Callable[[str], None],
            labels: Sequence[str]) -> list[Any]:
        results: list[Any] = [None] * len(calls)

        def done(i: int, result: Any) -> None:
            results[i] = result
            tick(labels[i])

        self.engine.run(fn, [(self.shared, *args) for args in calls], done=done)
        return results


def _check_args(scenario: Scenario, seeds: Sequence[int] | None, jobs: int) -> tuple[int, ...]:
    """Return the seeds to start with; raise InputError for no seeds or fewer than one job."""
    out = tuple(int(s) for s in (scenario.seed_list() if seeds is None else seeds))
    if not out:
        msg = "at least one seed is needed"
        raise InputError(msg, column="--seeds")
    if jobs < 1:
        msg = f"must be >= 1, got {jobs}"
        raise InputError(msg, column="--jobs")
    return out


class _Ticker:
    """Progress over a total that grows when seeds are added."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def grow(self, n: int) -> None:
        self.total += n

    def __call__(self, label: str) -> None:
        self.done += 1
        report(self.progress, self.done, max(self.total, self.done), label)


def _run_seeds(runner: _Runner, names: Sequence[str], seeds: Sequence[int], tick: _Ticker,
               key: str = "") -> tuple[list[Any], list[Any]]:
    """Generate the demand of ``seeds`` and run ``names`` on it; return the demands and the runs (model-major)."""
    sfx = f" [{key}]" if key else ""
    demands = runner.map(_run_task, [("demand", (s, key)) for s in seeds], tick,
                         [_("demand, seed {seed}").format(seed=s) + sfx for s in seeds])
    calls = [(m, s, demands[k][0], demands[k][1], key) for m in names for k, s in enumerate(seeds)]
    labels = [_("{model}, seed {seed}").format(model=m, seed=s) + sfx for m in names for s in seeds]
    return demands, runner.map(_run_task, [("model", c) for c in calls], tick, labels)


def _seed_rounds(runner: _Runner, names: Sequence[str], seeds: tuple[int, ...], tick: _Ticker,
                 spec: Any) -> tuple[list[Any], list[Any], tuple[int, ...]]:
    """Run ``seeds``, then (with a precision ``spec``) add seeds until the main KPIs are precise or the cap is hit.

    Returns the demands, the runs and all seeds run.
    """
    from transit.compare.precision import more_seeds

    demands, runs = _run_seeds(runner, names, seeds, tick)
    while spec is not None:
        add = more_seeds(_kpi_frame([r[0] for r in runs]), spec)
        if add == 0:
            break
        new = tuple(range(max(seeds) + 1, max(seeds) + 1 + add))
        tick.grow(len(new) * (1 + len(names)))
        more_demands, more_runs = _run_seeds(runner, names, new, tick)
        demands += more_demands
        runs += more_runs
        seeds += new
    return demands, runs, seeds


def _results(runs: Sequence[Any], names: Sequence[str], seeds: Sequence[int]) -> list[Any]:
    """Order runs model-major over all seeds (runs come in rounds of seeds)."""
    by = {(r[0]["model"], int(r[0]["seed"])): r for r in runs}
    return [by[(m, int(s))] for m in names for s in seeds]


def run_comparison(
    scenario: Scenario,
    *,
    seeds: Sequence[int] | None = None,
    jobs: int = 1,
    access: bool | None = None,
    sensitivity: bool | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Run every model of ``scenario`` on identical demand for each seed.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`transit.compare.scenario.load_scenario`).
    seeds
        Exactly these seeds. Default: start with ``scenario.seed_list()``
        and, when the scenario's ``[precision]`` is enabled, add seeds until
        the main KPIs' intervals are narrow enough or the cap is reached
        (:mod:`transit.compare.precision`).
    jobs
        Worker processes (1: run here). Results do not depend on it.
    access
        Probe access per village (default: the scenario's ``[access]
        enabled``).
    sensitivity
        Make the sensitivity runs (default: the scenario's ``[sensitivity]
        enabled``; :mod:`transit.compare.sensitivity`).
    progress
        Progress callback.

    Returns
    -------
    Comparison
    """
    from transit.compare.precision import PrecisionSpec, precision_status
    from transit.compare.scenario import parse_scenario
    from transit.compare.school import with_school
    from transit.compare.sensitivity import variants as make_variants
    from transit.evaluate.access import access_region, access_table, probe_plan, served_by_group
    from transit.evaluate.stats import summarize

    fixed = seeds is not None
    seeds = _check_args(scenario, seeds, jobs)
    do_access = scenario.access.enabled if access is None else access
    spec = scenario.precision if isinstance(scenario.precision, PrecisionSpec) else PrecisionSpec(enabled=False)
    adapt = spec.enabled and not fixed
    do_sens = scenario.sensitivity is not None and (scenario.sensitivity.enabled if sensitivity is None else sensitivity)
    variant_list, sens_notes = make_variants(scenario, parse_scenario) if do_sens else ([], [])
    names = [m.name for m in scenario.models]

    payload = load_region(scenario)
    world = _World(scenario, payload, {v.key: v.scenario for v in variant_list})
    areg = access_region(world.region, centre=scenario.access.centre) if do_access else None
    plan = None
    if areg is not None:
        a = scenario.access
        plan = probe_plan(areg, first_hour=a.first_hour, last_hour=a.last_hour, targets=a.destinations)

    tick = _Ticker(progress, len(seeds) * (1 + len(names)) + (len(names) if plan is not None else 0))
    report(progress, 0, tick.total, N_("starting"))  # translated by the progress display
    shared = _Shared(uuid.uuid4().hex, scenario, payload, {v.key: v.scenario for v in variant_list})
    with _local_world(shared, world), Engine(jobs=min(jobs, max(1, len(names) * len(seeds)))) as engine:
        runner = _Runner(engine, engine.share(shared))
        demands, runs, seeds = _seed_rounds(runner, names, seeds, tick, spec if adapt else None)
        runs = _results(runs, names, seeds)
        probes = _probe_access(runner, names, seeds, runs, plan, tick)
        sens_seeds = seeds[: scenario.sensitivity.seeds] if variant_list else ()
        sens = _run_sensitivity(runner, variant_list, runs, names, seeds, sens_seeds, tick)

    school_days = [d[2] for d in demands if d[2] is not None]
    school = _kpi_frame([d[0] for d in school_days]) if school_days else None
    kpis = with_school(_kpi_frame([r[0] for r in runs]), school, world.partial_networks())
    trips = pd.concat([r[1] for r in runs], ignore_index=True)
    stops = pd.concat([r[2] for r in runs], ignore_index=True)
    numeric = [c for c in kpis.columns if c not in ("model", "kind", "seed", "rejection_reasons")
               and pd.api.types.is_numeric_dtype(kpis[c])]
    summary = summarize(kpis, columns=numeric, baseline=scenario.baseline, bounds=_bounds())
    groups = served_by_group(trips)
    if areg is not None:
        acc = access_table(areg, names, trips=trips, probed={m: p[0] for m, p in zip(names, probes)},
                           days={m: p[1] for m, p in zip(names, probes)})
    else:
        acc = pd.DataFrame(columns=list(_access_columns()))
    region_map = _region_map(world, scenario, areg, stops)
    status = precision_status(kpis, spec) if spec.kpis else None
    residents = float(sum(z.population for z in world.region.zones))
    return Comparison(scenario, seeds, kpis, summary, acc, trips, stops, region_map, precision=status,
                      sensitivity=sens, sensitivity_notes=tuple(sens_notes), access_groups=groups,
                      residents=residents, school=school, stop_coverage=coverage_table(world, names))


def coverage_table(world: _World, names: Sequence[str]) -> pd.DataFrame:
    """Return the residents within walking reach of a stop per model that has stops.

    :func:`transit.evaluate.catchment.model_catchment`: homes sampled as the
    demand generator places them, walks on the walk graph (roads and
    footpaths) within each population group's walk limit.
    """
    from transit.compare.texts import text
    from transit.evaluate.catchment import model_catchment, residents_within

    params = world.scenario.demand.params
    rows = []
    for name in names:
        table = model_catchment(world.model(name), world.region, walk_network=world.walk_network, params=params)
        if table is None:
            continue
        within, _ = residents_within(table)
        rows.append({"model": name, "residents_within": within, "residents": float(table["population"].sum()),
                     "method": text("coverage_method")})
    return pd.DataFrame(rows, columns=["model", "residents_within", "residents", "method"])


def _probe_access(runner: _Runner, names: Sequence[str], seeds: Sequence[int], runs: Sequence[Any],
                  plan: pd.DataFrame | None, tick: _Ticker) -> list[Any]:
    """Probe every model: as offered, and with what each simulated day left over (its vehicle logs)."""
    if plan is None:
        return []
    calls = []
    for i, m in enumerate(names):
        days = [runs[i * len(seeds) + k][2] for k in range(len(seeds))]
        calls.append(("probe", (m, plan, days)))
    return runner.map(_run_task, calls, tick, [_("{model}: access probes").format(model=m) for m in names])


def _run_sensitivity(runner: _Runner, variant_list: Sequence[Any], runs: Sequence[Any], names: Sequence[str],
                     seeds: Sequence[int], sens_seeds: Sequence[int], tick: _Ticker) -> pd.DataFrame:
    """Run the models each variant touches on ``sens_seeds``; return :func:`sensitivity_table`."""
    from transit.compare.sensitivity import reprice, sensitivity_table

    if not variant_list or not sens_seeds:
        return pd.DataFrame(columns=["factor", "level", "setting", "model", "kpi", "base", "value", "seeds"])
    keep = {int(s) for s in sens_seeds}
    base_rows = [r for r in runs if int(r[0]["seed"]) in keep]
    base = _kpi_frame([r[0] for r in base_rows])
    base_trips = pd.concat([r[1] for r in base_rows], ignore_index=True)
    results: dict[str, pd.DataFrame] = {}
    for v in variant_list:
        if v.reprice:
            results[v.key] = reprice(base, base_trips, v.scenario.costs)
            continue
        tick.grow(len(sens_seeds) * (1 + len(v.rerun)))
        _, new = _run_seeds(runner, list(v.rerun), sens_seeds, tick, key=v.key)
        rows = [r[0] for r in new] + [r[0] for r in base_rows if r[0]["model"] not in v.rerun]
        results[v.key] = _kpi_frame(rows)
    return sensitivity_table(base, results, variant_list)


def _bounds() -> dict[str, tuple[float, float]]:
    from transit.evaluate.kpis import KPI_BOUNDS

    return KPI_BOUNDS


_TASKS: dict[str, Callable[..., Any]] = {"demand": _task_demand, "model": _task_model, "probe": _task_probe}


def _run_task(shared: _Shared, what: str, args: tuple[Any, ...]) -> Any:
    """Run a task in the world of ``shared`` (package errors pickle, so they reach the parent intact)."""
    global _WORLD
    _WORLD = _world_for(shared)
    try:
        return _TASKS[what](*args)
    finally:
        _WORLD = None


def load_world(scenario: Scenario) -> _World:
    """Build the region of ``scenario`` and return the world its tasks run in.

    Raises
    ------
    InputError, NetworkError
        If the region cannot be built.
    """
    return _World(scenario, load_region(scenario))


def seed_kpis(world: _World, seed: int) -> pd.DataFrame:
    """Return the KPI rows of every model of ``world``'s scenario for one seed, in model order.

    The same tasks as :func:`run_comparison` runs for that seed, so the rows
    equal that comparison's rows of the seed.
    """
    global _WORLD
    _WORLD = world
    try:
        bookings, labels, school_day = _task_demand(int(seed))
        rows = [_task_model(m.name, int(seed), bookings, labels)[0] for m in world.scenario.models]
    finally:
        _WORLD = None
    from transit.compare.school import with_school

    return with_school(_kpi_frame(rows), _kpi_frame([school_day[0]]) if school_day is not None else None,
                       world.partial_networks())


def _access_columns() -> tuple[str, ...]:
    from transit.evaluate.access import ACCESS_COLUMNS

    return ACCESS_COLUMNS


def _kpi_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    from transit.evaluate.kpis import KPI_COLUMNS

    df = pd.DataFrame(list(rows))
    extra = sorted(c for c in df.columns if c not in KPI_COLUMNS)
    return df.reindex(columns=[*KPI_COLUMNS, *extra])


def _region_map(world: _World, scenario: Scenario, areg: Any, stops: pd.DataFrame) -> RegionMap:
    from transit.compare.mapdata import RegionMap, line_paths, road_lines, route_paths
    from transit.compare.models import KINDS, model_timetable

    net = world.network
    places = []
    if areg is not None:
        c = next(z for z in world.region.zones if z.name == areg.centre)
        places.append({"name": c.name, "kind": "centre", "population": c.population, "lat": c.lat, "lon": c.lon})
        for r in areg.villages.itertuples(index=False):
            places.append({"name": r.name, "kind": r.kind, "population": r.population, "lat": r.lat, "lon": r.lon})
        services = (
            areg.targets[areg.targets["target"] != "centre"]
            .drop_duplicates(["name", "lat", "lon"])
            .rename(columns={"target": "category"})[["name", "category", "lat", "lon"]]
            .reset_index(drop=True)
        )
    else:
        for z in world.region.zones:
            places.append({"name": z.name, "kind": "village", "population": z.population, "lat": z.lat, "lon": z.lon})
        services = pd.DataFrame(columns=["name", "category", "lat", "lon"])
    line_frames = []
    seen: set[tuple[str, tuple[str, ...] | None]] = set()
    for m in scenario.models:
        if not KINDS[m.kind].uses_lines or m.lines is None:
            continue
        key = (str(m.lines), m.routes)
        if key in seen:
            continue
        seen.add(key)
        try:
            tt = model_timetable(m.lines, routes=m.routes, date=scenario.date, network=net)
        except InputError as exc:  # already reported by the model's own run; the map just leaves it out
            log.warning("lines of %s not drawn: %s", m.name, exc)
            continue
        line_frames.append(line_paths(net, tt))
    sample = [m.name for m in scenario.models if m.kind not in _TIMETABLED]
    routes = route_paths(net, stops, per_model=3, kinds=sample)
    kwargs: dict[str, Any] = {}
    if line_frames:
        kwargs["lines"] = pd.concat(line_frames, ignore_index=True)
    if is_synthetic(scenario):
        from transit.compare.texts import text

        kwargs["attribution"] = text("attribution_synthetic")
    return RegionMap(roads=road_lines(net), places=pd.DataFrame(places), services=services, routes=routes, **kwargs)


# ----------------------------------------------------------------------------- output


def _csv(df: pd.DataFrame) -> str:
    return frame_csv(df)


def write_comparison(comp: Comparison, folder: str | os.PathLike[str]) -> None:
    """Write the comparison's files (:data:`OUTPUT_FILES`) into an existing folder.

    Use inside :func:`transit.util.atomic.output_dir` for atomic output.
    """
    from transit.compare.report import write_report

    out = Path(folder)
    (out / "kpis.csv").write_text(_csv(comp.kpis), encoding="utf-8")
    (out / "summary.csv").write_text(_csv(comp.summary), encoding="utf-8")
    (out / "access.csv").write_text(_csv(comp.access), encoding="utf-8")
    groups = comp.access_groups if comp.access_groups is not None else pd.DataFrame()
    (out / "access_groups.csv").write_text(_csv(groups), encoding="utf-8")
    sens = comp.sensitivity if comp.sensitivity is not None else pd.DataFrame()
    (out / "sensitivity.csv").write_text(_csv(sens), encoding="utf-8")
    school = comp.school if comp.school is not None else pd.DataFrame()
    (out / "school.csv").write_text(_csv(school), encoding="utf-8")
    (out / "trips.csv").write_text(_csv(comp.trips), encoding="utf-8")
    (out / "stops.csv").write_text(_csv(comp.stops), encoding="utf-8")
    sc = comp.scenario
    (out / "scenario.toml").write_bytes(sc.source.read_bytes())
    write_report(report_data(comp), out / "report.html")


def report_data(comp: Comparison) -> Any:
    """Return what the report shows of a comparison (:class:`transit.compare.report.ReportData`)."""
    from transit.compare.report import ReportData
    from transit.compare.texts import text

    sc = comp.scenario
    notes = []
    if is_synthetic(sc):
        notes.append(text("note_synthetic"))
    if sc.demand.bookings is not None:
        notes.append(text("note_bookings_file", name=sc.demand.bookings.name))
    costs = sc.costs
    cost_notes = [text("costing_basis", season=getattr(costs, "season_ticket_share", 0.0))]
    no_depot = [m.name for m in sc.models if _line_rules(m) is not None and _line_rules(m).depot is None]
    if no_depot:
        cost_notes.append(text("no_empty_runs", models=", ".join(no_depot)))
    return ReportData(
        title=sc.name,
        description=sc.description,
        baseline=sc.baseline,
        seeds=comp.seeds,
        models=comp.models,
        kpis=comp.kpis,
        summary=comp.summary,
        access=comp.access,
        trips=comp.trips,
        stops=comp.stops,
        region=comp.region_map,
        region_label=sc.region.label,
        notes=notes,
        sensitivity=comp.sensitivity,
        sensitivity_notes=comp.sensitivity_notes,
        precision=comp.precision,
        access_groups=comp.access_groups,
        residents=comp.residents,
        service_days_per_year=float(getattr(costs, "service_days_per_year", 250.0)),
        stop_coverage=stop_coverage(comp),
        cost_notes=cost_notes,
        synthetic=is_synthetic(sc),
        school_notes=school_notes(comp),
    )


def _line_rules(m: Any) -> Any:
    """Return the line rules of a model with timetabled trips (their depot), or None."""
    parsed = m.parsed
    if isinstance(parsed, tuple):  # Rufbus, AST: (line rules, Rufbus rules)
        parsed = parsed[0]
    if m.kind == "hybrid":
        parsed = getattr(parsed, "line", None)
    return parsed if hasattr(parsed, "depot") and m.kind in ("fixed_line", "rufbus", "ast", "hybrid") else None


def school_notes(comp: Comparison) -> list[str]:
    """Return the report's sentences on the school buses, the common base (:mod:`transit.compare.school`)."""
    from transit.compare.school import school_sentences

    return school_sentences(comp.school, comp.kpis, comp.scenario.school)


def stop_coverage(comp: Comparison) -> pd.DataFrame | None:
    """Return the residents within the walk limit of a stop, per model that uses stops.

    The comparison's :attr:`Comparison.stop_coverage`
    (:func:`transit.evaluate.catchment.model_catchment`); for a comparison
    built without it, an estimate from the access probes
    (:func:`transit.compare.conclusion.stop_coverage_estimate`).
    """
    from transit.compare.conclusion import stop_coverage_estimate
    from transit.road.walking import WalkParams

    if comp.stop_coverage is not None:
        return comp.stop_coverage
    if comp.access is None or comp.access.empty or "why_centre" not in comp.access:
        return None
    return stop_coverage_estimate(comp.access, dict(comp.models), WalkParams().max_walk_m)


def is_synthetic(scenario: Scenario) -> bool:
    """Whether the scenario's region is the project's synthetic district (its OSM file says so)."""
    import bz2
    import gzip

    osm = scenario.region.osm
    if osm is None or not osm.exists():
        return False
    name = osm.name.lower()
    opener: Any = gzip.open if name.endswith(".gz") else bz2.open if name.endswith(".bz2") else open
    if not (name.endswith(".osm") or name.endswith(".osm.gz") or name.endswith(".osm.bz2")):
        return False
    try:
        with opener(osm, "rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    return b"(synthetic)" in head


def compare_scenario(
    scenario: Scenario,
    out: str | os.PathLike[str],
    *,
    seeds: Sequence[int] | None = None,
    jobs: int = 1,
    force: bool = False,
    progress: Progress | None = None,
) -> Comparison:
    """Run a comparison and write its outputs to ``out`` atomically.

    The folder is checked before anything runs: an existing non-empty
    ``out`` raises :class:`~transit.errors.OutputExistsError` unless
    ``force``; a run that fails leaves ``out`` as it was.
    """
    from transit.util.atomic import output_dir

    with output_dir(out, force=force) as tmp:
        comp = run_comparison(scenario, seeds=seeds, jobs=jobs, progress=progress)
        write_comparison(comp, tmp)
    return comp
