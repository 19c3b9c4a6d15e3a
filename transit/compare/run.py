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
and seed, one per model for the access probes) run in worker processes
(``jobs`` > 1, :class:`concurrent.futures.ProcessPoolExecutor` with the
``spawn`` start method) or in this process (``jobs`` = 1); their results are
assembled in a fixed order, so the outputs are identical for any ``jobs``.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import sys
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from transit.errors import InputError
from transit.util.csvsafe import frame_csv
from transit.util.progress import Progress, report

if TYPE_CHECKING:
    from transit.compare.mapdata import RegionMap
    from transit.compare.scenario import Scenario

__all__ = [
    "Comparison",
    "OUTPUT_FILES",
    "compare_scenario",
    "model_rng",
    "run_comparison",
    "write_comparison",
]

log = logging.getLogger(__name__)

#: The files ``transit compare`` writes into its output folder.
OUTPUT_FILES: tuple[str, ...] = (
    "kpis.csv",
    "summary.csv",
    "access.csv",
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
    """

    scenario: Scenario
    seeds: tuple[int, ...]
    kpis: pd.DataFrame
    summary: pd.DataFrame
    access: pd.DataFrame
    trips: pd.DataFrame
    stops: pd.DataFrame
    region_map: RegionMap | None = None

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
    report(progress, 0, 3, "building the road graph")
    walk_graph = None
    if reg.osm is not None:
        graph = build_graph(reg.osm, speed_cap_kmh=reg.speed_cap_kmh)
        walk_graph = build_walk_graph(reg.osm)
    else:
        graph = build_graph(place=reg.place, speed_cap_kmh=reg.speed_cap_kmh)
    report(progress, 1, 3, "reading villages and services")
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
    report(progress, 3, 3, f"{len(zones)} zones, {len(dests)} destinations")
    return RegionPayload(graph, tuple(zones), tuple(dests), walk_graph)


class _World:
    """A process's view of the comparison: the scenario, the region and the models (built on first use)."""

    def __init__(self, scenario: Scenario, payload: RegionPayload) -> None:
        from transit.demand import DemandRegion
        from transit.road.travel import RoadNetwork

        self.scenario = scenario
        self.network = RoadNetwork.from_graph(payload.graph)
        self.walk_network = RoadNetwork.from_graph(payload.walk_graph) if payload.walk_graph is not None else None
        self.region = DemandRegion.build(self.network, payload.zones, payload.destinations)
        self._models: dict[str, Any] = {}

    def model(self, name: str) -> Any:
        from transit.compare.models import build_model

        if name not in self._models:
            spec = self.scenario.model(name)
            self._models[name] = build_model(spec, network=self.network, date=self.scenario.date)
        return self._models[name]

    def context(self, labels: Mapping[str, Any]) -> Any:
        from transit.opmodels.base import DayContext

        return DayContext(network=self.network, service=self.scenario.service, date=self.scenario.date, labels=labels,
                          walk_network=self.walk_network)


_WORLD: _World | None = None


def _init_worker(scenario: Scenario, payload: RegionPayload) -> None:
    global _WORLD
    logging.getLogger("transit").setLevel(logging.WARNING)
    _WORLD = _World(scenario, payload)


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


def _task_demand(seed: int) -> tuple[tuple[Any, ...], dict[str, tuple[str, str, str]]]:
    """Return the bookings of ``seed`` and (home zone, purpose, group) per request id."""
    from transit.demand.bookings import read_bookings
    from transit.demand import generate_demand

    w = _world()
    spec = w.scenario.demand
    if spec.bookings is not None:
        bookings = tuple(read_bookings(spec.bookings, service_date=w.scenario.date))
        labels = read_labels(spec.trips) if spec.trips is not None else {}
        return bookings, labels
    demand = generate_demand(w.region, spec.params, np.random.default_rng(int(seed)))
    labels = {t.request_id: (t.home_zone, t.purpose, t.group) for t in demand.trips}
    return tuple(demand.bookings), labels


def _task_model(
    name: str, seed: int, bookings: Sequence[Any], labels: Mapping[str, tuple[str, str, str]]
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Run model ``name`` on one seed's bookings; return its KPI row and logs."""
    from transit.evaluate.kpis import kpis
    from transit.sim.columns import TripLabel

    w = _world()
    model = w.model(name)
    ctx = w.context({rid: TripLabel(*lab) for rid, lab in labels.items()})
    run = model.run(list(bookings), ctx, seed=int(seed), rng=model_rng(seed, name))
    trips = run.trips.assign(model=name, seed=int(seed))
    stops = run.stops.assign(model=name, seed=int(seed))
    row = kpis(run, w.scenario.costs, seed=int(seed))
    row["model"] = name
    return row, trips, stops


def _task_probe(name: str, plan: pd.DataFrame) -> pd.DataFrame:
    """Send the access probes through model ``name``."""
    from transit.evaluate.access import access_from_probes, run_probes

    w = _world()
    model = w.model(name)
    trips = run_probes(model, w.context({}), plan)
    a = w.scenario.access
    return access_from_probes(plan, trips, max_wait_min=a.max_wait_min, targets=a.destinations)


# ----------------------------------------------------------------------------- running


def _start_method() -> str:
    """Return ``spawn`` (clean workers), or ``fork`` when the main module cannot be re-imported (stdin)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is not None and not os.path.exists(path):
        return "fork"
    return "spawn"


class _Runner:
    """Run tasks in this process or in a pool, reporting progress."""

    def __init__(self, jobs: int, scenario: Scenario, payload: RegionPayload, world: _World) -> None:
        global _WORLD
        self.jobs = jobs
        self.pool: cf.ProcessPoolExecutor | None = None
        if jobs > 1:
            ctx = multiprocessing.get_context(_start_method())
            self.pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                               initargs=(scenario, payload))
        else:
            _WORLD = world

    def map(self, fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], tick: Callable[[str], None],
            labels: Sequence[str]) -> list[Any]:
        if self.pool is None:
            out = []
            for args, label in zip(calls, labels):
                out.append(fn(*args))
                tick(label)
            return out
        futures = {self.pool.submit(fn, *args): i for i, args in enumerate(calls)}
        results: list[Any] = [None] * len(calls)
        try:
            for f in cf.as_completed(futures):
                i = futures[f]
                results[i] = f.result()
                tick(labels[i])
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        return results

    def close(self) -> None:
        global _WORLD
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        _WORLD = None


def run_comparison(
    scenario: Scenario,
    *,
    seeds: Sequence[int] | None = None,
    jobs: int = 1,
    access: bool | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Run every model of ``scenario`` on identical demand for each seed.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`transit.compare.scenario.load_scenario`).
    seeds
        The seeds; default ``scenario.seed_list()``.
    jobs
        Worker processes (1: run here). Results do not depend on it.
    access
        Probe access per village (default: the scenario's ``[access]
        enabled``).
    progress
        Progress callback.

    Returns
    -------
    Comparison
    """
    from transit.evaluate.access import access_region, access_table, probe_plan
    from transit.evaluate.stats import summarize

    seeds = tuple(int(s) for s in (scenario.seed_list() if seeds is None else seeds))
    if not seeds:
        msg = "at least one seed is needed"
        raise InputError(msg, column="--seeds")
    if jobs < 1:
        msg = f"must be >= 1, got {jobs}"
        raise InputError(msg, column="--jobs")
    do_access = scenario.access.enabled if access is None else access
    names = [m.name for m in scenario.models]

    payload = load_region(scenario)
    world = _World(scenario, payload)
    areg = access_region(world.region, centre=scenario.access.centre) if do_access else None
    plan = None
    if areg is not None:
        a = scenario.access
        plan = probe_plan(areg, first_hour=a.first_hour, last_hour=a.last_hour, targets=a.destinations)

    total = len(seeds) + len(names) * len(seeds) + (len(names) if plan is not None else 0)
    done = [0]

    def tick(label: str) -> None:
        done[0] += 1
        report(progress, done[0], total, label)

    report(progress, 0, total, "starting")
    runner = _Runner(min(jobs, max(1, len(names) * len(seeds))), scenario, payload, world)
    try:
        demands = runner.map(_run_task, [("demand", (s,)) for s in seeds], tick, [f"demand, seed {s}" for s in seeds])
        calls = [(m, s, demands[k][0], demands[k][1]) for m in names for k, s in enumerate(seeds)]
        labels = [f"{m}, seed {s}" for m in names for s in seeds]
        if plan is not None:
            calls_p = [(m, plan) for m in names]
            labels_p = [f"{m}: access probes" for m in names]
            results = runner.map(_run_task, [("model", c) for c in calls] + [("probe", c) for c in calls_p], tick,
                                 labels + labels_p)
            runs, probes = results[: len(calls)], results[len(calls):]
        else:
            runs = runner.map(_run_task, [("model", c) for c in calls], tick, labels)
            probes = []
    finally:
        runner.close()

    kpis = _kpi_frame([r[0] for r in runs])
    trips = pd.concat([r[1] for r in runs], ignore_index=True)
    stops = pd.concat([r[2] for r in runs], ignore_index=True)
    numeric = [c for c in kpis.columns if c not in ("model", "kind", "seed", "rejection_reasons")
               and pd.api.types.is_numeric_dtype(kpis[c])]
    summary = summarize(kpis, columns=numeric, baseline=scenario.baseline)
    if areg is not None:
        acc = access_table(areg, names, trips=trips, probed=dict(zip(names, probes)))
    else:
        acc = pd.DataFrame(columns=list(_access_columns()))
    region_map = _region_map(world, scenario, areg, stops)
    return Comparison(scenario, seeds, kpis, summary, acc, trips, stops, region_map)


_TASKS: dict[str, Callable[..., Any]] = {"demand": _task_demand, "model": _task_model, "probe": _task_probe}


def _run_task(what: str, args: tuple[Any, ...]) -> Any:
    """Run a task (package errors pickle, so they reach the parent process intact)."""
    return _TASKS[what](*args)


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
    return RegionMap(roads=road_lines(net), places=pd.DataFrame(places), services=services, routes=routes, **kwargs)


# ----------------------------------------------------------------------------- output


def _csv(df: pd.DataFrame) -> str:
    return frame_csv(df)


def write_comparison(comp: Comparison, folder: str | os.PathLike[str]) -> None:
    """Write the comparison's files (:data:`OUTPUT_FILES`) into an existing folder.

    Use inside :func:`transit.util.atomic.output_dir` for atomic output.
    """
    from transit.compare.report import ReportData, write_report

    out = Path(folder)
    (out / "kpis.csv").write_text(_csv(comp.kpis), encoding="utf-8")
    (out / "summary.csv").write_text(_csv(comp.summary), encoding="utf-8")
    (out / "access.csv").write_text(_csv(comp.access), encoding="utf-8")
    (out / "trips.csv").write_text(_csv(comp.trips), encoding="utf-8")
    (out / "stops.csv").write_text(_csv(comp.stops), encoding="utf-8")
    sc = comp.scenario
    (out / "scenario.toml").write_bytes(sc.source.read_bytes())
    notes = []
    if sc.region.instance == "default":
        notes.append("The region is the bundled synthetic district (instances/default): its places, roads, "
                     "services and bus lines are made up; it describes no real place.")
    if sc.demand.bookings is not None:
        notes.append(f"Demand: the bookings file {sc.demand.bookings.name} (the same for every seed; seeds vary "
                     "only the models' own randomness).")
    data = ReportData(
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
    )
    write_report(data, out / "report.html")


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
