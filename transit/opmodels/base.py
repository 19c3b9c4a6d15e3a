"""The common interface of operating models.

An operating model (fixed line, Rufbus/AST, on-demand door-to-door or between
stops, hybrid, Bürgerbus) takes the same day of bookings and the same region,
and returns a :class:`ModelRun`: the trip log and vehicle log of
:mod:`transit.sim.columns` plus a few model-specific figures. KPIs, access figures
and reports are computed from runs, never inside a model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from transit.util.progress import Progress
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS, TripLabel, check_columns

if TYPE_CHECKING:
    from transit.sim.day import DayResult
    from transit.demand.bookings import Booking
    from transit.road.travel import RoadNetwork

__all__ = ["DayContext", "ModelRun", "OperatingModel"]


@dataclass(frozen=True)
class DayContext:
    """Everything a model needs about the region and the day, shared by all models.

    Parameters
    ----------
    network
        The road graph (travel times, snapping, paths).
    service
        Service rules (a :class:`transit.darp.service.ServiceRules`).
    date
        The service day, if known.
    labels
        Home zone, purpose and population group per request id, when known.
    walk_network
        The graph people walk on (roads and footways:
        :func:`transit.road.graph.build_walk_graph`); None: walk on the roads.
    """

    network: RoadNetwork
    service: Any
    date: dt.date | None = None
    labels: Mapping[str, TripLabel] = field(default_factory=dict)
    walk_network: RoadNetwork | None = None

    @property
    def walker(self) -> RoadNetwork:
        """The graph walks are measured on (the walk graph, else the roads)."""
        return self.walk_network if self.walk_network is not None else self.network

    def groups(self, bookings: Sequence[Booking]) -> list[str]:
        """Return each booking's population group ("" when unknown), for group walk limits."""
        return [self.labels.get(b.request_id, TripLabel()).group for b in bookings]


@dataclass(frozen=True)
class ModelRun:
    """The outcome of one model on one day of demand.

    Parameters
    ----------
    model
        The model's name (as in the scenario).
    kind
        The model's kind (``fixed_line``, ``rufbus``, ``ast``, ``ondemand``,
        ``ondemand_stops``, ``hybrid``, ``buergerbus``).
    trips
        The trip log (:data:`transit.sim.columns.TRIP_COLUMNS`), one row per booking.
    stops
        The vehicle log (:data:`transit.sim.columns.STOP_COLUMNS`).
    info
        Model-specific figures (e.g. ``timetabled_trips``, ``trips_run`` for
        Rufbus; ``driver_hours_rostered`` for Bürgerbus).
    day
        The simulated day behind the logs, for models that dispatch vehicles
        on demand (its problem, executed plan, decisions and statistics);
        None for timetabled models.
    """

    model: str
    kind: str
    trips: pd.DataFrame
    stops: pd.DataFrame
    info: Mapping[str, float] = field(default_factory=dict)
    day: DayResult | None = None

    def __post_init__(self) -> None:
        check_columns(self.trips, TRIP_COLUMNS, f"trip log of {self.model}")
        check_columns(self.stops, STOP_COLUMNS, f"vehicle log of {self.model}")


class OperatingModel(Protocol):
    """An operating form of public transport that can serve a day of bookings."""

    name: str
    kind: str

    def run(
        self,
        bookings: Sequence[Booking],
        ctx: DayContext,
        *,
        seed: int,
        rng: np.random.Generator,
        progress: Progress | None = None,
    ) -> ModelRun:
        """Serve the day: every booking ends up served or rejected with a reason."""
        ...
