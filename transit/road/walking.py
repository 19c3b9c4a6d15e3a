"""Walking between a door and a stop: how far, how long, and whether it is too far.

Two ways to measure a walk (:attr:`WalkParams.method`):

``"network"``
    The shortest walk along the walk graph (every road in both directions,
    and footways and paths when the graph has them:
    :func:`transit.road.graph.build_walk_graph`), plus the straight line from
    each point to its way (:func:`transit.road.points.walk_network_matrix`).
    Never shorter than the straight line.
``"detour"``
    ``detour_factor`` times the straight-line (great-circle) distance. Used
    as well when no road graph is given.

A walk longer than :attr:`WalkParams.max_walk_m` is not made (``inf``);
members of some population groups walk less or more
(:meth:`WalkParams.limit_for`: the elderly 400 m, pupils 1,000 m).
The defaults and their sources are in ``transit/data/walking.toml``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from transit.errors import InputError
from transit.road.points import ArcPoints, snap_to_arcs, straight_line_m, walk_network_matrix
from transit.util.tomltable import build, check_keys, get_number, get_text, join

if TYPE_CHECKING:
    from transit.road.travel import RoadNetwork

__all__ = ["METHODS", "WalkParams", "parse_walk", "walk_matrix"]

METHODS = ("network", "detour")


def _defaults() -> dict[str, Any]:
    text = resources.files("transit.data").joinpath("walking.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_D = _defaults()


@dataclass(frozen=True)
class WalkParams:
    """How passengers walk to and from stops.

    Parameters
    ----------
    speed_kmh
        Walking speed.
    detour_factor
        Walking distance over straight-line distance (method ``"detour"``).
    max_walk_m
        Longest walk between a door and a stop, metres.
    method
        ``"network"`` (walk graph) or ``"detour"`` (factor x straight line).
    max_walk_m_group
        ``(group, metres)`` pairs: the longest walk of a population group's
        members, instead of ``max_walk_m``.
    """

    speed_kmh: float = float(_D["speed_kmh"])
    detour_factor: float = float(_D["detour_factor"])
    max_walk_m: float = float(_D["max_walk_m"])
    method: str = str(_D["method"])
    max_walk_m_group: tuple[tuple[str, float], ...] = tuple(
        (str(k), float(v)) for k, v in _D.get("max_walk_m_group", {}).items()
    )

    def __post_init__(self) -> None:
        if not self.speed_kmh > 0:
            msg = f"walking speed must be > 0 km/h, got {self.speed_kmh}"
            raise InputError(msg, column="speed_kmh")
        if not self.detour_factor >= 1.0:
            msg = f"detour factor must be >= 1, got {self.detour_factor}"
            raise InputError(msg, column="detour_factor")
        if not self.max_walk_m >= 0:
            msg = f"maximum walk must be >= 0 m, got {self.max_walk_m}"
            raise InputError(msg, column="max_walk_m")
        if self.method not in METHODS:
            msg = f"walking method must be one of {', '.join(METHODS)}, got {self.method!r}"
            raise InputError(msg, column="method")
        object.__setattr__(self, "max_walk_m_group", tuple((str(g), float(m)) for g, m in self.max_walk_m_group))
        for g, m in self.max_walk_m_group:
            if not m >= 0:
                msg = f"maximum walk of group {g!r} must be >= 0 m, got {m}"
                raise InputError(msg, column=f"max_walk_m_group.{g}")

    def limit_for(self, group: str | None) -> float:
        """Return the longest walk (m) of a member of ``group`` (``max_walk_m`` if it has none)."""
        return dict(self.max_walk_m_group).get(group or "", self.max_walk_m)

    @property
    def longest_m(self) -> float:
        """The longest walk of any group (the search limit for walks)."""
        return max([self.max_walk_m, *(m for _, m in self.max_walk_m_group)])

    def limits(self, groups: Sequence[str] | None, n: int) -> np.ndarray:
        """Return the walk limit (m) of each of ``n`` travellers of the given groups (None: all ``max_walk_m``)."""
        if groups is None:
            return np.full(n, self.max_walk_m)
        return np.array([self.limit_for(g) for g in groups], dtype=float)

    @property
    def speed_ms(self) -> float:
        """Walking speed in metres per second."""
        return self.speed_kmh / 3.6

    def time_s(self, distance_m: np.ndarray | float) -> np.ndarray:
        """Return the walking time in seconds for distances in metres."""
        return np.asarray(distance_m, dtype=np.float64) / self.speed_ms


def parse_walk(data: Mapping[str, Any], *, source: str | None = None, table: str = "walk") -> WalkParams:
    """Build from a ``[walk]`` table; unknown keys and bad values raise naming the key.

    ``max_walk_m_group`` is a table of group = metres (it replaces the
    defaults; groups not named walk ``max_walk_m``).
    """
    keys = tuple(f.name for f in fields(WalkParams))
    check_keys(data, keys, source=source, table=table)
    values: dict[str, Any] = {}
    for key in ("speed_kmh", "detour_factor", "max_walk_m"):
        x = get_number(data, key, None, source=source, table=table, positive=key == "speed_kmh")
        if x is not None:
            values[key] = x
    if "max_walk_m_group" in data:
        groups = data["max_walk_m_group"]
        sub = join(table, "max_walk_m_group")
        if not isinstance(groups, Mapping):
            msg = "must be a table of group = metres"
            raise InputError(msg, file=source, column=sub)
        values["max_walk_m_group"] = tuple(
            (str(g), float(get_number(groups, str(g), None, source=source, table=sub) or 0.0)) for g in groups
        )
    method = get_text(data, "method", None, source=source, table=table, choices=METHODS)
    if method is not None:
        values["method"] = method
    return build(WalkParams, values, source=source, table=table)


def walk_matrix(
    from_lat: np.ndarray,
    from_lon: np.ndarray,
    to_lat: np.ndarray,
    to_lon: np.ndarray,
    params: WalkParams,
    *,
    network: RoadNetwork | None = None,
    from_snap: ArcPoints | None = None,
    to_snap: ArcPoints | None = None,
    limits: np.ndarray | None = None,
) -> np.ndarray:
    """Return walking distances (m) from every "from" point to every "to" point.

    Parameters
    ----------
    from_lat, from_lon, to_lat, to_lon
        Coordinates in degrees (e.g. doors and stops; keep "to" the smaller set).
    params
        Walking parameters; distances above ``params.max_walk_m`` are ``inf``.
    network
        The walk graph (or the road graph), for method ``"network"`` (without
        one, ``"detour"`` is used).
    from_snap, to_snap
        The points already matched to ``network``'s ways (saves snapping them again).
    limits
        The longest walk (m) of each "from" point's traveller (e.g.
        :meth:`WalkParams.limits` of their groups), instead of ``max_walk_m``.
    """
    f_lat = np.atleast_1d(np.asarray(from_lat, dtype=np.float64))
    f_lon = np.atleast_1d(np.asarray(from_lon, dtype=np.float64))
    t_lat = np.atleast_1d(np.asarray(to_lat, dtype=np.float64))
    t_lon = np.atleast_1d(np.asarray(to_lon, dtype=np.float64))
    lim = np.full(len(f_lat), params.max_walk_m) if limits is None else np.asarray(limits, dtype=np.float64)
    if lim.shape != f_lat.shape:
        msg = f"walk limits: expected one per point ({len(f_lat)}), got {lim.shape}"
        raise ValueError(msg)
    if params.method == "network" and network is not None:
        p = from_snap if from_snap is not None else snap_to_arcs(network, f_lat, f_lon)
        q = to_snap if to_snap is not None else snap_to_arcs(network, t_lat, t_lon)
        d = walk_network_matrix(network, p, q, limit_m=float(lim.max()) if len(lim) else params.max_walk_m)
    else:
        d = straight_line_m(f_lat[:, None], f_lon[:, None], t_lat[None, :], t_lon[None, :]) * params.detour_factor
    d[d > lim[:, None]] = np.inf
    return d
