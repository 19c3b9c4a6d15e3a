"""Travel times on a road graph: snapping points, matrices, paths.

:class:`RoadNetwork` is a compact array form of a road graph (nodes sorted by
OSM id, one arc per directed node pair: the fastest). Travel times are whole
milliseconds internally, so every shortest-path kernel sums exact integers and
all kernels agree to the last digit; the public API speaks seconds and metres.

The many-to-many kernel is pluggable (:mod:`transit.kernels`); the default
picks the fastest one available, with a pure-scipy fallback.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from transit.util.geo import project_m
from transit.errors import InputError, SnapError

__all__ = ["RoadNetwork", "Snapped", "DEFAULT_MAX_SNAP_M"]

log = logging.getLogger(__name__)

#: Default limit on the distance from a point to the nearest road, metres.
DEFAULT_MAX_SNAP_M = 500.0



@dataclass(frozen=True)
class Snapped:
    """Points matched to the road network.

    Attributes
    ----------
    node
        Network node index used for each point.
    distance_m
        Straight-line distance from each point to the nearest road, metres.
    node_offset_m
        Distance along that road from the matched position to ``node``.
    """

    node: np.ndarray
    distance_m: np.ndarray
    node_offset_m: np.ndarray


class RoadNetwork:
    """A road graph as arrays, with snapping, matrices and paths.

    Build it with :meth:`from_graph` or :meth:`load`. Node indices run from 0
    to ``n_nodes - 1`` in OSM id order.
    """

    def __init__(
        self,
        osm_ids: np.ndarray,
        lat: np.ndarray,
        lon: np.ndarray,
        tail: np.ndarray,
        head: np.ndarray,
        time_ms: np.ndarray,
        length_m: np.ndarray,
        geometry: Sequence[np.ndarray | None],
        *,
        kernel_kind: str = "auto",
    ) -> None:
        self.osm_ids = np.asarray(osm_ids, dtype=np.int64)
        self.lat = np.asarray(lat, dtype=np.float64)
        self.lon = np.asarray(lon, dtype=np.float64)
        self.tail = np.asarray(tail, dtype=np.int64)
        self.head = np.asarray(head, dtype=np.int64)
        self.time_ms = np.asarray(time_ms, dtype=np.float64)
        self.length_m = np.asarray(length_m, dtype=np.float64)
        self._geometry = list(geometry)
        for arr in (self.osm_ids, self.lat, self.lon, self.tail, self.head, self.time_ms, self.length_m):
            arr.flags.writeable = False
        self.kernel_kind = kernel_kind
        self._kernel: Any = None
        self._csr: sp.csr_matrix | None = None
        self._arc_of: dict[tuple[int, int], int] = {
            (int(u), int(v)): i for i, (u, v) in enumerate(zip(self.tail, self.head))
        }
        self._index = {int(o): i for i, o in enumerate(self.osm_ids)}
        self._pred_cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._tree: Any = None
        self._origin = (float(np.mean(self.lat)), float(np.mean(self.lon))) if len(self.lat) else (0.0, 0.0)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_graph(cls, G: nx.MultiDiGraph, *, kernel_kind: str = "auto") -> RoadNetwork:
        """Build from an osmnx-style graph with ``travel_time`` and ``length`` on edges.

        Parallel edges between the same two nodes are reduced to the fastest
        (then shortest).
        """
        osm_ids = np.array(sorted(G.nodes), dtype=np.int64)
        index = {int(o): i for i, o in enumerate(osm_ids)}
        lat = np.array([float(G.nodes[o]["y"]) for o in osm_ids])
        lon = np.array([float(G.nodes[o]["x"]) for o in osm_ids])
        best: dict[tuple[int, int], tuple[float, float, Any]] = {}
        for u, v, data in G.edges(data=True):
            if u == v:
                continue
            t_ms = float(round(float(data["travel_time"]) * 1000.0))
            length = float(data["length"])
            key = (index[int(u)], index[int(v)])
            cur = best.get(key)
            if cur is None or (t_ms, length) < (cur[0], cur[1]):
                best[key] = (t_ms, length, data.get("geometry"))
        keys = sorted(best)
        tail = np.array([k[0] for k in keys], dtype=np.int64)
        head = np.array([k[1] for k in keys], dtype=np.int64)
        time_ms = np.array([best[k][0] for k in keys], dtype=np.float64)
        length_m = np.array([best[k][1] for k in keys], dtype=np.float64)
        geometry: list[np.ndarray | None] = []
        for k in keys:
            geom = best[k][2]
            if geom is None:
                geometry.append(None)
            else:
                coords = np.asarray(getattr(geom, "coords", geom), dtype=np.float64)
                geometry.append(coords[:, ::-1].copy() if coords.ndim == 2 and len(coords) else None)
        return cls(osm_ids, lat, lon, tail, head, time_ms, length_m, geometry, kernel_kind=kernel_kind)

    @classmethod
    def load(cls, path: str | Path, *, kernel_kind: str = "auto") -> RoadNetwork:
        """Load a GraphML road graph (see :func:`transit.road.graph.load_graph`)."""
        from transit.road.graph import load_graph

        return cls.from_graph(load_graph(path), kernel_kind=kernel_kind)

    # ------------------------------------------------------------ properties
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(len(self.osm_ids))

    @property
    def n_arcs(self) -> int:
        """Number of directed arcs (after reducing parallel edges)."""
        return int(len(self.tail))

    def node_index(self, osm_id: int) -> int:
        """Return the node index of an OSM node id (KeyError if absent)."""
        return self._index[int(osm_id)]

    def csr(self) -> sp.csr_matrix:
        """Return the travel-time adjacency matrix in milliseconds (CSR)."""
        if self._csr is None:
            # Zero-weight arcs must survive the sparse format: store them as a
            # tiny positive weight only for the adjacency structure; no arc in
            # a graph built by transit.road.graph has zero travel time in practice.
            w = np.where(self.time_ms > 0, self.time_ms, 1e-9)
            self._csr = sp.csr_matrix((w, (self.tail, self.head)), shape=(self.n_nodes, self.n_nodes))
        return self._csr

    # ---------------------------------------------------------------- snapping
    def _project(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lat0, lon0 = self._origin
        return project_m(lat, lon, lat0, lon0)

    def _segments(self) -> Any:
        if self._tree is None:
            import shapely

            starts: list[np.ndarray] = []
            ends: list[np.ndarray] = []
            arc_ids: list[np.ndarray] = []
            frac0: list[np.ndarray] = []
            frac1: list[np.ndarray] = []
            for i in range(self.n_arcs):
                u, v = int(self.tail[i]), int(self.head[i])
                geom = self._geometry[i]
                if geom is None:
                    pts = np.array([[self.lat[u], self.lon[u]], [self.lat[v], self.lon[v]]])
                else:
                    pts = geom
                x, y = self._project(pts[:, 0], pts[:, 1])
                seg_len = np.hypot(np.diff(x), np.diff(y))
                total = float(seg_len.sum()) or 1.0
                cum = np.concatenate([[0.0], np.cumsum(seg_len)]) / total
                starts.append(np.column_stack([x[:-1], y[:-1]]))
                ends.append(np.column_stack([x[1:], y[1:]]))
                arc_ids.append(np.full(len(x) - 1, i))
                frac0.append(cum[:-1])
                frac1.append(cum[1:])
            a = np.concatenate(starts)
            b = np.concatenate(ends)
            lines = shapely.linestrings(np.stack([a, b], axis=1))
            self._tree = (
                shapely.STRtree(lines),
                a,
                b,
                np.concatenate(arc_ids),
                np.concatenate(frac0),
                np.concatenate(frac1),
            )
        return self._tree

    def snap_arcs(
        self, lat: Sequence[float] | np.ndarray, lon: Sequence[float] | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Match points to the nearest road arc, with no distance limit.

        Returns
        -------
        arc : numpy.ndarray
            Index of the nearest arc (into ``tail``/``head``) for each point.
        frac : numpy.ndarray
            Position of the matched point along that arc, 0 at its tail and 1
            at its head (by length, following the road geometry).
        distance_m : numpy.ndarray
            Straight-line distance from each point to the road, metres.
        """
        import shapely

        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        if lat_a.shape != lon_a.shape:
            msg = "lat and lon must have the same length"
            raise ValueError(msg)
        if len(lat_a) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        tree, a, b, arc_ids, f0, f1 = self._segments()
        x, y = self._project(lat_a, lon_a)
        points = shapely.points(np.column_stack([x, y]))
        # One nearest segment per point: (input index, tree index) pairs in input order.
        pairs = tree.query_nearest(points, all_matches=False)
        seg = np.empty(len(lat_a), dtype=np.int64)
        seg[pairs[0]] = pairs[1]
        pa, pb = a[seg], b[seg]
        d = pb - pa
        dd = np.maximum((d**2).sum(axis=1), 1e-12)
        t = np.clip(((np.column_stack([x, y]) - pa) * d).sum(axis=1) / dd, 0.0, 1.0)
        proj = pa + t[:, None] * d
        dist = np.hypot(x - proj[:, 0], y - proj[:, 1])
        frac = f0[seg] + t * (f1[seg] - f0[seg])
        return arc_ids[seg].astype(np.int64), frac, dist

    def snap_distances(self, lat: Sequence[float] | np.ndarray, lon: Sequence[float] | np.ndarray) -> Snapped:
        """Match points to the nearest road without enforcing a distance limit.

        The node is the end of the nearest road arc closer along the road to
        the matched position.
        """
        arcs, frac, dist = self.snap_arcs(lat, lon)
        if len(arcs) == 0:
            empty = np.zeros(0)
            return Snapped(np.zeros(0, dtype=np.int64), empty, empty)
        arc_len = self.length_m[arcs]
        to_head = frac >= 0.5
        node = np.where(to_head, self.head[arcs], self.tail[arcs])
        offset = np.where(to_head, (1.0 - frac) * arc_len, frac * arc_len)
        return Snapped(node.astype(np.int64), dist, offset)

    def snap(
        self,
        lat: Sequence[float] | np.ndarray,
        lon: Sequence[float] | np.ndarray,
        *,
        max_distance: float = DEFAULT_MAX_SNAP_M,
        labels: Sequence[str] | None = None,
    ) -> Snapped:
        """Match points to the road network.

        Parameters
        ----------
        lat, lon
            Coordinates in degrees.
        max_distance
            Largest allowed distance from a point to the nearest road, metres.
        labels
            Names of the points, used in error messages (default: their index).

        Raises
        ------
        SnapError
            If a point lies farther than ``max_distance`` from every road; the
            message names the first such point and counts the others.
        """
        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        bad_coord = ~(np.isfinite(lat_a) & np.isfinite(lon_a) & (np.abs(lat_a) <= 90) & (np.abs(lon_a) <= 180))
        if bad_coord.any():
            i = int(np.flatnonzero(bad_coord)[0])
            name = labels[i] if labels is not None else f"point {i}"
            msg = f"{name}: invalid coordinates ({lat_a[i]}, {lon_a[i]})"
            raise InputError(msg)
        snapped = self.snap_distances(lat_a, lon_a)
        far = snapped.distance_m > max_distance
        if far.any():
            idx = np.flatnonzero(far)
            i = int(idx[0])
            name = labels[i] if labels is not None else f"point {i}"
            more = f" (and {len(idx) - 1} more points)" if len(idx) > 1 else ""
            msg = (
                f"{name} at ({lat_a[i]:.6f}, {lon_a[i]:.6f}) is {snapped.distance_m[i]:.0f} m from "
                f"the nearest road (limit {max_distance:.0f} m){more}"
            )
            raise SnapError(msg)
        return snapped

    # ---------------------------------------------------------------- matrices
    def kernel(self) -> Any:
        """Return the many-to-many kernel, building it on first use."""
        if self._kernel is None:
            from transit.kernels import build_kernel

            self._kernel = build_kernel(
                self.tail,
                self.head,
                self.time_ms,
                self.length_m,
                self.n_nodes,
                kind=self.kernel_kind,
                lat=self.lat,
                lon=self.lon,
            )
            log.info("matrix kernel: %s", getattr(self._kernel, "name", type(self._kernel).__name__))
        return self._kernel

    def matrix(
        self,
        sources: Sequence[int] | np.ndarray,
        targets: Sequence[int] | np.ndarray | None = None,
        *,
        cutoff: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return travel-time (s) and distance (m) matrices between node indices.

        Distance is the length of a fastest path (ties go to the shorter).
        ``inf`` marks unreachable pairs (or, with ``cutoff`` in seconds, pairs
        slower than it).
        """
        src = self._check_nodes(sources, "sources")
        tgt = src if targets is None else self._check_nodes(targets, "targets")
        cutoff_ms = None if cutoff is None else float(cutoff) * 1000.0
        time_ms, length = self.kernel().matrix(src, tgt, cutoff=cutoff_ms)
        return np.asarray(time_ms, dtype=np.float64) / 1000.0, np.asarray(length, dtype=np.float64)

    def _check_nodes(self, nodes: Sequence[int] | np.ndarray, what: str) -> np.ndarray:
        arr = np.atleast_1d(np.asarray(nodes))
        if arr.size and (arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= self.n_nodes):
            msg = f"{what}: node indices must be integers in [0, {self.n_nodes})"
            raise ValueError(msg)
        return arr.astype(np.int64)

    # ------------------------------------------------------------------- paths
    def _predecessors(self, source: int) -> np.ndarray:
        pred = self._pred_cache.get(source)
        if pred is None:
            _, pred = dijkstra(self.csr(), indices=source, return_predecessors=True)
            self._pred_cache[source] = pred
            if len(self._pred_cache) > 64:
                self._pred_cache.popitem(last=False)
        else:
            self._pred_cache.move_to_end(source)
        return pred

    def path(self, source: int, target: int) -> list[int]:
        """Return the node indices of a fastest path from ``source`` to ``target``.

        Raises
        ------
        ValueError
            If ``target`` cannot be reached.
        """
        source, target = int(source), int(target)
        if source == target:
            return [source]
        pred = self._predecessors(source)
        if pred[target] < 0:
            msg = f"node {target} is not reachable from node {source}"
            raise ValueError(msg)
        out = [target]
        while out[-1] != source:
            out.append(int(pred[out[-1]]))
        return out[::-1]

    def arc_coords(self, arc: int) -> np.ndarray:
        """Return the (lat, lon) polyline of one arc, following its road geometry."""
        geom = self._geometry[int(arc)]
        if geom is not None:
            return geom
        u, v = int(self.tail[arc]), int(self.head[arc])
        return np.array([[self.lat[u], self.lon[u]], [self.lat[v], self.lon[v]]])

    def path_coords(self, source: int, target: int) -> np.ndarray:
        """Return the (lat, lon) polyline of a fastest path, following road geometry."""
        nodes = self.path(source, target)
        pts: list[np.ndarray] = [np.array([[self.lat[nodes[0]], self.lon[nodes[0]]]])]
        for u, v in zip(nodes[:-1], nodes[1:]):
            pts.append(self.arc_coords(self._arc_of[(u, v)])[1:])
        return np.concatenate(pts)
