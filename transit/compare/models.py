"""Build operating models from the ``[[models]]`` tables of a scenario.

Each model kind has a :class:`KindSpec`: the keys its table takes (besides
``name``, ``kind``, ``description``), whether it needs a fleet or lines, how
its options are parsed and validated (with the model developers' own parsers,
e.g. :func:`transit.opmodels.linerules.parse_line_rules`), and how the
model object is built once the region is known. :mod:`transit.compare.scenario`
validates with :func:`parse_options` while reading the file, so every error
names the file and the key before anything runs; :mod:`transit.compare.run`
builds the models with :func:`build_model`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transit.errors import InputError

if TYPE_CHECKING:
    import datetime as dt

    from transit.opmodels.base import OperatingModel
    from transit.road.travel import RoadNetwork

__all__ = ["KINDS", "KindSpec", "ModelSpec", "build_model", "model_timetable", "parse_options"]

log = logging.getLogger(__name__)

#: Keys every kind with lines takes besides its rules: the lines source and which lines to keep.
_LINE_SOURCE_KEYS = ("lines", "routes")


@dataclass(frozen=True)
class ModelSpec:
    """One operating model as the scenario describes it.

    Attributes
    ----------
    name
        Unique name (tables, report).
    kind
        One of :data:`transit.compare.models.KINDS`.
    index
        1-based position among the ``[[models]]`` tables.
    fleet
        The parsed fleet (:class:`transit.darp.fleet.Fleet`), or None.
    lines
        The lines source (GTFS folder or lines TOML), or None.
    routes
        Keep only these lines of ``lines`` (ids or names), or None for all.
    options
        The remaining kind-specific keys, as written.
    parsed
        The options parsed by the kind's own parser
        (:func:`transit.compare.models.parse_options`).
    description
        Optional text for the report.
    """

    name: str
    kind: str
    index: int
    fleet: Any = None
    lines: Path | None = None
    routes: tuple[str, ...] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    parsed: Any = None
    description: str = ""

    @property
    def table(self) -> str:
        """Where the model sits in the scenario file, for messages."""
        return f"models[{self.index}]"


@dataclass(frozen=True)
class KindSpec:
    """What a model kind takes and how it is built.

    Attributes
    ----------
    keys
        Kind-specific keys of the ``[[models]]`` table (``fleet`` and
        ``lines`` included when the kind uses them).
    needs_fleet
        The table must have a ``fleet``.
    uses_lines
        The kind runs on bus lines (``lines``, default the region's GTFS).
    parse
        ``parse(options, source=, table=)`` returns the validated options
        object (raises :class:`~transit.errors.InputError` naming the key).
    build
        ``build(spec, parsed, timetable, network)`` returns the model.
    """

    keys: tuple[str, ...]
    needs_fleet: bool
    uses_lines: bool
    parse: Callable[..., Any]
    build: Callable[..., OperatingModel]


# ----------------------------------------------------------------------------- timetabled kinds


def _line_keys() -> tuple[str, ...]:
    from transit.opmodels.linerules import LineRules

    return tuple(LineRules.KEYS)


def _rufbus_keys() -> tuple[str, ...]:
    from transit.opmodels.linerules import RufbusRules

    # flex: a GTFS-Flex feed as the lines (trips, booking rules, AST door zones); the scenario
    # reads it as the model's lines source (transit.compare.scenario).
    return (*RufbusRules.KEYS, "flex")


def _parse_fixed(options: Mapping[str, Any], *, source: str, table: str) -> Any:
    from transit.opmodels.linerules import parse_line_rules

    return parse_line_rules(options, source=source, table=table)


def _parse_rufbus(ast: bool) -> Callable[..., Any]:
    def parse(options: Mapping[str, Any], *, source: str, table: str) -> Any:
        from transit.opmodels.linerules import RufbusRules, parse_line_rules, parse_rufbus_rules

        from transit.opmodels.flexrules import flex_path

        if "flex" in options:
            flex_path(options["flex"], source=source, table=table)
        rb_keys = set(RufbusRules.KEYS) | {"flex"}
        line_part = {k: v for k, v in options.items() if k not in rb_keys}
        rb_part = {k: v for k, v in options.items() if k in rb_keys and k != "flex"}
        return (
            parse_line_rules(line_part, source=source, table=table),
            parse_rufbus_rules(rb_part, ast=ast, source=source, table=table),
        )

    return parse


def _build_fixed(spec: ModelSpec, parsed: Any, timetable: Any, network: RoadNetwork) -> OperatingModel:
    from transit.opmodels.fixed_line import FixedLineModel

    return FixedLineModel(spec.name, timetable, parsed)


def _build_rufbus(spec: ModelSpec, parsed: Any, timetable: Any, network: RoadNetwork) -> OperatingModel:
    from transit.opmodels.rufbus import RufbusModel

    rules, rufbus = parsed
    return RufbusModel(spec.name, timetable, rules, rufbus)


# ----------------------------------------------------------------------------- on-demand kinds


def _ondemand_keys() -> tuple[str, ...]:
    from transit.opmodels.ondemand import OnDemandOptions

    return tuple(k for k in OnDemandOptions.KEYS if k != "stop_based")


def _parse_ondemand(stop_based: bool) -> Callable[..., Any]:
    def parse(options: Mapping[str, Any], *, source: str, table: str) -> Any:
        import dataclasses

        from transit.opmodels.ondemand import parse_ondemand_options

        opts = parse_ondemand_options(options, source=source, table=table)
        return dataclasses.replace(opts, stop_based=stop_based)

    return parse


def _build_ondemand(spec: ModelSpec, parsed: Any, timetable: Any, network: RoadNetwork) -> OperatingModel:
    from transit.opmodels.ondemand import OnDemandModel

    return OnDemandModel(spec.name, spec.fleet, parsed)


# ----------------------------------------------------------------------------- hybrid and Bürgerbus


def _hybrid_keys() -> tuple[str, ...]:
    from transit.opmodels.hybrid import HybridOptions

    return tuple(HybridOptions.KEYS)


def _parse_hybrid(options: Mapping[str, Any], *, source: str, table: str) -> Any:
    from transit.opmodels.hybrid import parse_hybrid_options

    parsed = parse_hybrid_options(options, source=source, table=table)
    if parsed.feeder.flex is not None:
        msg = "the feeder of a hybrid takes no GTFS-Flex feed: give its area (the trunk reads lines = FEED)"
        raise InputError(msg, file=source, column=f"{table}.feeder.flex")
    return parsed


def _build_hybrid(spec: ModelSpec, parsed: Any, timetable: Any, network: RoadNetwork) -> OperatingModel:
    from transit.opmodels.hybrid import HybridModel

    return HybridModel(spec.name, timetable, spec.fleet, parsed)


def _buergerbus_keys() -> tuple[str, ...]:
    from transit.opmodels.buergerbus import BuergerbusOptions

    return tuple(k for k in BuergerbusOptions.KEYS)


def _parse_buergerbus(options: Mapping[str, Any], *, source: str, table: str) -> Any:
    from transit.opmodels.buergerbus import parse_buergerbus_options

    return parse_buergerbus_options(options, source=source, table=table)


def _build_buergerbus(spec: ModelSpec, parsed: Any, timetable: Any, network: RoadNetwork) -> OperatingModel:
    from transit.opmodels.buergerbus import BuergerbusModel

    return BuergerbusModel(spec.name, spec.fleet, parsed)


def _kinds() -> dict[str, KindSpec]:
    line = (*_LINE_SOURCE_KEYS, *_line_keys())
    rufbus = (*line, *_rufbus_keys())
    ondemand = ("fleet", *_ondemand_keys())
    return {
        "fixed_line": KindSpec(line, False, True, _parse_fixed, _build_fixed),
        "rufbus": KindSpec(rufbus, False, True, _parse_rufbus(False), _build_rufbus),
        "ast": KindSpec(rufbus, False, True, _parse_rufbus(True), _build_rufbus),
        "ondemand": KindSpec(ondemand, True, False, _parse_ondemand(False), _build_ondemand),
        "ondemand_stops": KindSpec(ondemand, True, False, _parse_ondemand(True), _build_ondemand),
        "hybrid": KindSpec(("fleet", *_LINE_SOURCE_KEYS, *_hybrid_keys()), True, True, _parse_hybrid, _build_hybrid),
        "buergerbus": KindSpec(("fleet", *_buergerbus_keys()), True, False, _parse_buergerbus, _build_buergerbus),
    }


#: The model kinds a scenario can use.
KINDS: dict[str, KindSpec] = _kinds()


# ----------------------------------------------------------------------------- entry points


def parse_options(kind: str, options: Mapping[str, Any], *, source: str, table: str) -> Any:
    """Validate a model's kind-specific options and return the parsed object.

    ``options`` holds the table's keys other than ``name``, ``kind``,
    ``description``, ``fleet``, ``lines`` and ``routes``.

    Raises
    ------
    InputError
        Naming ``source`` and ``table.key``.
    """
    return KINDS[kind].parse(options, source=source, table=table)


def model_timetable(
    lines: Path | None,
    *,
    routes: tuple[str, ...] | None,
    date: dt.date | None,
    network: RoadNetwork | None,
) -> Any:
    """Load the timetable of a line-based model (GTFS folder/zip or a lines TOML)."""
    from transit.timetable.lines import load_timetable

    if lines is None:
        msg = "no lines given"
        raise InputError(msg, column="lines")
    return load_timetable(lines, date=date, routes=list(routes) if routes else None, network=network)


def build_model(spec: ModelSpec, *, network: RoadNetwork, date: dt.date | None) -> OperatingModel:
    """Build the operating model a scenario's ``[[models]]`` table describes."""
    kind = KINDS[spec.kind]
    timetable = None
    if kind.uses_lines:
        timetable = model_timetable(spec.lines, routes=spec.routes, date=date, network=network)
    return kind.build(spec, spec.parsed, timetable, network)
