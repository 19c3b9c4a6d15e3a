"""The sweep file: a scenario plus a ``[sweep]`` table of axes, typed and validated.

A sweep file is a scenario file (:mod:`transit.compare.scenario`) with one
more table, or a ``[sweep]`` table alone that names the scenario file it
varies::

    # ... the scenario's tables ([scenario], [region], [demand], [[models]], ...)

    [sweep]
    # base = "ondemand.toml"        # optional: vary this scenario file instead (then
                                    # the sweep file holds nothing but [sweep])
    seeds = 5                       # number of seeds (first_seed, first_seed + 1, ...)
                                    # or a list [1, 2, 7]; default: the scenario's seeds
    first_seed = 1
    service_level = 0.8             # "cheapest per passenger" among combinations whose
                                    # mean served share is at least this (default 0.8)
    kpis = ["served_share", "cost_per_passenger"]   # the response curves drawn
    # Axes: any scenario key by its dotted path, with the values it takes.
    models.On-demand.fleet.vehicle.count = [2, 4, 6, 8]
    service.max_ride_alpha = [1.3, 1.5, 2.0]
    demand.generator.scale = [0.5, 1.0]

Every combination of the axes' values (their Cartesian product, the first
axis varying slowest) is run for every seed: one task per combination and
seed. How a dotted path finds its key (models by name, kind or position,
arrays of tables with one table) is described in :mod:`transit.sweep.dotted`.

Validation
----------
Everything is checked before any work starts, and every problem is reported
at once (:class:`~transit.errors.InputErrors`), each naming the file and the
key: the ``[sweep]`` table itself (unknown settings, axes that are not lists
of values, paths that lead nowhere), the scenario without the axes, and the
scenario of every combination. A problem the scenario finds at an axis's key
names the axis and its value, e.g. ``SWEEP.toml: sweep.models.On-demand.fleet.
vehicle.count = 0: models[3].fleet.vehicle[1].count: must be >= 1, got 0``.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transit.compare.scenario import Scenario, parse_scenario
from transit.errors import InputError, InputErrors
from transit.sweep.dotted import PathError, set_path
from transit.util.tomltable import Table, describe, read_toml

__all__ = ["Axis", "Combination", "SETTINGS", "Sweep", "load_sweep", "parse_sweep", "shown"]

#: Keys of ``[sweep]`` that are settings, not axes.
SETTINGS = ("base", "seeds", "first_seed", "service_level", "kpis")

#: Response curves drawn when ``kpis`` is not given.
DEFAULT_KPIS = ("served_share", "cost_per_passenger", "wait_mean_min", "passengers_per_vehicle_hour")

#: Most combinations x seeds one sweep may have.
MAX_TASKS = 100_000


@dataclass(frozen=True)
class Axis:
    """One varied key.

    Attributes
    ----------
    key
        The dotted path as written (``models.On-demand.fleet.vehicle.count``);
        also the axis's column in the results.
    path
        Its parts.
    values
        The values it takes, in file order.
    """

    key: str
    path: tuple[str, ...]
    values: tuple[Any, ...]

    @property
    def short(self) -> str:
        """The last two parts of the key, for labels (``vehicle.count``)."""
        return ".".join(self.path[-2:])


@dataclass(frozen=True)
class Combination:
    """One setting of every axis, and the scenario it makes.

    Attributes
    ----------
    index
        Position among the sweep's combinations, from 1.
    values
        One value per axis.
    doc
        The scenario document with the values set.
    scenario
        That document, validated.
    """

    index: int
    values: tuple[Any, ...]
    doc: Mapping[str, Any]
    scenario: Scenario

    def label(self, axes: tuple[Axis, ...]) -> str:
        """Return ``combination 3 (vehicle.count=4, scale=0.5)``."""
        parts = ", ".join(f"{a.short}={shown(v)}" for a, v in zip(axes, self.values))
        return f"combination {self.index} ({parts})"


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file.

    Attributes
    ----------
    source
        The sweep file.
    scenario_source
        The file whose folder the scenario's relative paths refer to (the
        sweep file, or its ``base``).
    scenario
        The scenario without the axes.
    axes
        The varied keys, in file order.
    combinations
        Every combination, the first axis varying slowest.
    seeds
        The seeds every combination runs.
    service_level
        The served share a combination must reach to count as "cheapest per passenger".
    kpis
        The KPIs drawn against each axis.
    """

    source: Path
    scenario_source: Path
    scenario: Scenario
    axes: tuple[Axis, ...]
    combinations: tuple[Combination, ...]
    seeds: tuple[int, ...]
    service_level: float
    kpis: tuple[str, ...]

    @property
    def n_tasks(self) -> int:
        """Combinations x seeds."""
        return len(self.combinations) * len(self.seeds)


def shown(value: Any) -> str:
    """Return an axis value as text for labels (numbers short, tables and lists as JSON)."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (str, int, bool)):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def _axes(table: Mapping[str, Any], prefix: tuple[str, ...], sec: Table) -> list[Axis]:
    """Flatten the axes under ``[sweep]`` (nested tables from dotted keys) into paths."""
    out: list[Axis] = []
    for key, value in table.items():
        path = (*prefix, str(key))
        if not prefix and key in SETTINGS:
            continue
        dotted = ".".join(path)
        if isinstance(value, Mapping):
            out.extend(_axes(value, path, sec))
        elif not isinstance(value, list):
            sec.add(dotted, f"an axis needs a list of values, got {describe(value)}")
        elif not value:
            sec.add(dotted, "an axis needs at least one value")
        else:
            out.append(Axis(dotted, path, tuple(value)))
    return out


def _seeds(sec: Table, scenario: Scenario | None) -> tuple[int, ...]:
    first = sec.integer("first_seed", lo=0)
    raw = sec.data.get("seeds")
    if isinstance(raw, list):
        ok = all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in raw)
        if not raw or not ok or len(set(raw)) != len(raw):
            sec.add("seeds", f"must be a number of seeds or a list of distinct seeds >= 0, got {describe(raw)}")
            return (1,)
        if first is not None:
            sec.add("first_seed", "only with a number of seeds, not with a list")
        return tuple(int(s) for s in raw)
    n = sec.integer("seeds", lo=1, hi=10_000)
    if scenario is None:
        return (1,)
    start = scenario.first_seed if first is None else first
    count = scenario.seeds if n is None else n
    return tuple(start + k for k in range(count))


def _kpis(sec: Table) -> tuple[str, ...]:
    from transit.evaluate.kpis import KPI_COLUMNS

    names = sec.text_list("kpis", what="KPI names", default=DEFAULT_KPIS) or DEFAULT_KPIS
    numeric = [k for k in KPI_COLUMNS if k not in ("model", "kind", "seed", "rejection_reasons")]
    bad = [k for k in names if k not in numeric]
    if bad:
        sec.add("kpis", f"unknown KPI {bad[0]!r} (see transit.evaluate.kpis: {', '.join(numeric)})")
        return tuple(k for k in names if k in numeric) or DEFAULT_KPIS
    return tuple(names)


def _traced(exc: InputError, axes: tuple[Axis, ...], values: tuple[Any, ...], where: dict[str, str],
            combo: str, file: str) -> InputError:
    """Return a scenario problem of one combination, naming the axis it comes from when it does."""
    col = exc.column or ""
    msg = f"{exc.column}: {exc.message}" if exc.column else exc.message
    for axis, value in zip(axes, values):
        loc = where.get(axis.key, "")
        parent, _, leaf = loc.rpartition(".")
        if col == parent and repr(leaf) in exc.message:  # the key itself is wrong, whatever its value
            return InputError(msg, file=file, column=f"sweep.{axis.key}")
        if col == loc or col.startswith(loc + ".") or col.startswith(loc + "["):
            return InputError(msg, file=file, column=f"sweep.{axis.key} = {shown(value)}")
    return InputError(msg, file=file, column=combo)


def _combinations(
    doc: Mapping[str, Any], axes: tuple[Axis, ...], sec: Table, scenario_source: Path
) -> tuple[Combination, ...]:
    """Build and validate the scenario of every combination (problems go to ``sec``)."""
    file = str(sec.source)
    out: list[Combination] = []
    seen: set[str] = set()
    for k, values in enumerate(itertools.product(*(a.values for a in axes)), start=1):
        combo_doc = copy.deepcopy(dict(doc))
        where: dict[str, str] = {}
        label = "combination {} ({})".format(k, ", ".join(f"{a.key}={shown(v)}" for a, v in zip(axes, values)))
        for axis, value in zip(axes, values):
            try:
                where[axis.key] = set_path(combo_doc, axis.path, copy.deepcopy(value))
            except PathError as exc:
                text = str(exc)
                if text not in seen:
                    seen.add(text)
                    sec.add(axis.key, text)
        try:
            scenario = parse_scenario(combo_doc, source=scenario_source)
        except InputErrors as exc:
            for p in exc.problems:
                traced = _traced(p, axes, values, where, label, file)
                if str(traced) not in seen:
                    seen.add(str(traced))
                    sec.problems.append(traced)
            continue
        out.append(Combination(k, tuple(values), combo_doc, scenario))
    return tuple(out)


def parse_sweep(doc: Mapping[str, Any], *, source: str | os.PathLike[str]) -> Sweep:
    """Build a :class:`Sweep` from a parsed sweep file.

    Raises
    ------
    InputErrors
        Every problem of the file (see the module docstring), each naming the file and the key.
    """
    src = Path(source)
    top = Table(doc, source=str(src), table="")
    if "sweep" not in doc:
        top.add("sweep", "required table is missing: a sweep file is a scenario plus a [sweep] table of axes")
        top.raise_problems()
    sec = Table(doc["sweep"], source=str(src), table="sweep", problems=top.problems)
    base_doc = {k: v for k, v in doc.items() if k != "sweep"}
    scenario_source = src
    base = sec.text("base")
    if base is not None:
        path = Path(base).expanduser()
        scenario_source = path if path.is_absolute() else src.parent / path
        if base_doc:
            sec.add("base", f"with a base scenario the sweep file holds only [sweep] (also: {', '.join(base_doc)})")
        try:
            base_doc = read_toml(scenario_source, what="scenario file")
        except InputErrors as exc:
            top.absorb(exc)
            top.raise_problems()
    axes = tuple(_axes(sec.data, (), sec))
    if not axes and not sec.problems:
        sec.add(None, "no axes: give at least one scenario key with a list of values")
    level = sec.number("service_level", default=0.8, lo=0.0, hi=1.0)
    kpis = _kpis(sec)
    try:
        scenario = parse_scenario(base_doc, source=scenario_source)
    except InputErrors as exc:
        top.absorb(exc)
        top.raise_problems()
        raise  # pragma: no cover - raise_problems raised
    seeds = _seeds(sec, scenario)
    n = len(seeds)
    for a in axes:
        n *= len(a.values)
    if n > MAX_TASKS:
        sec.add(None, f"{n} tasks (combinations x seeds); at most {MAX_TASKS} in one sweep")
        top.raise_problems()
    combos = _combinations(base_doc, axes, sec, scenario_source)
    top.raise_problems()
    return Sweep(
        source=src,
        scenario_source=scenario_source,
        scenario=scenario,
        axes=axes,
        combinations=combos,
        seeds=seeds,
        service_level=float(level if level is not None else 0.8),
        kpis=kpis,
    )


def load_sweep(path: str | os.PathLike[str]) -> Sweep:
    """Read and validate a sweep file (see :func:`parse_sweep`).

    Raises
    ------
    InputErrors
        If the file is missing, not TOML, or describes a bad sweep.
    """
    return parse_sweep(read_toml(path, what="sweep file"), source=Path(path))
