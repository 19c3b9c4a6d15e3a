"""Points on the road graph: snap to the nearest road, then walk or drive between points.

A point (a door, a bus stop) is matched to the nearest road *segment*, not
the nearest node: on a simplified rural graph an arc through a village can be
kilometres long, and two doors on the same street must not be routed via the
street's far ends. A snapped point remembers its arc ``u -> v``, the fraction
along it and its perpendicular distance to the road.

Distances between two snapped points ``p`` and ``q`` take the best of the
four ways through the ends of their arcs (``p -> u_p|v_p -> ... -> u_q|v_q
-> q``) and, when both lie on the same road, the way along it. Leaving a point
backwards along a one-way arc is allowed (a simplification: a vehicle turns
at the nearest opportunity). The perpendicular distance from a point to its
road counts for walking, not for driving (the vehicle stops at the road).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from transit.util.geo import great_circle_m

if TYPE_CHECKING:
    from transit.road.travel import RoadNetwork

__all__ = [
    "ArcPoints",
    "drive_matrix",
    "drive_pairs",
    "snap_to_arcs",
    "straight_line_m",
    "walk_network_matrix",
]

_CHUNK = 256


def straight_line_m(
    lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: np.ndarray | float, lon2: np.ndarray | float
) -> np.ndarray:
    """Return great-circle distances in metres (:func:`transit.util.geo.great_circle_m`) as an array."""
    return np.asarray(great_circle_m(lat1, lon1, lat2, lon2))


@dataclass(frozen=True)
class ArcPoints:
    """Points matched to road arcs.

    Attributes
    ----------
    lat, lon
        The points themselves.
    u, v
        Tail and head node of the matched arc.
    frac
        Position along the arc from ``u`` (0) to ``v`` (1).
    length_m, time_s
        Length and travel time of the whole arc.
    perp_m
        Straight-line distance from the point to the road.
    """

    lat: np.ndarray
    lon: np.ndarray
    u: np.ndarray
    v: np.ndarray
    frac: np.ndarray
    length_m: np.ndarray
    time_s: np.ndarray
    perp_m: np.ndarray

    def __len__(self) -> int:
        return int(len(self.u))

    def take(self, idx: np.ndarray) -> ArcPoints:
        """Return the points at ``idx``."""
        return ArcPoints(*(getattr(self, f)[idx] for f in self.__dataclass_fields__))

    def nearer_node(self) -> np.ndarray:
        """Return the arc end nearer (along the road) to each point."""
        return np.where(self.frac >= 0.5, self.v, self.u)


def snap_to_arcs(network: RoadNetwork, lat: np.ndarray, lon: np.ndarray) -> ArcPoints:
    """Match points to the nearest road segment of ``network``.

    Uses the network's segment index (the one :meth:`RoadNetwork.snap`
    builds); no distance limit is applied here.
    """
    lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    if len(lat_a) == 0:
        z = np.zeros(0)
        zi = np.zeros(0, dtype=np.int64)
        return ArcPoints(z, z, zi, zi, z, z, z, z)
    arcs, frac, perp = network.snap_arcs(lat_a, lon_a)
    return ArcPoints(
        lat=lat_a,
        lon=lon_a,
        u=network.tail[arcs].astype(np.int64),
        v=network.head[arcs].astype(np.int64),
        frac=frac,
        length_m=network.length_m[arcs].astype(np.float64),
        time_s=network.time_ms[arcs] / 1000.0,
        perp_m=perp,
    )


def _ends(p: ArcPoints, weight: str) -> tuple[np.ndarray, np.ndarray]:
    """Return end nodes (n, 2) and the cost between each point and each end (either way)."""
    w = p.length_m if weight == "length" else p.time_s
    nodes = np.column_stack([p.u, p.v])
    cost = np.column_stack([p.frac * w, (1.0 - p.frac) * w])
    return nodes, cost


def _same_arc(p: ArcPoints, q: ArcPoints, ip: np.ndarray, iq: np.ndarray) -> np.ndarray:
    """Return the along-road length between pairs on one road, inf if on different roads."""
    same = (p.u[ip] == q.u[iq]) & (p.v[ip] == q.v[iq])
    rev = (p.u[ip] == q.v[iq]) & (p.v[ip] == q.u[iq])
    d = np.full(len(ip), np.inf)
    d = np.where(same, np.abs(p.frac[ip] - q.frac[iq]) * p.length_m[ip], d)
    d = np.where(rev, np.abs(p.frac[ip] - (1.0 - q.frac[iq])) * p.length_m[ip], d)
    return d


def _node_pairs_drive(
    network: RoadNetwork, src: np.ndarray, tgt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return fastest-path time (s) and distance (m) for node pairs ``src[k] -> tgt[k]``."""
    out_t = np.full(len(src), np.inf)
    out_d = np.full(len(src), np.inf)
    if len(src) == 0:
        return out_t, out_d
    us, inv_s = np.unique(src, return_inverse=True)
    ut, inv_t = np.unique(tgt, return_inverse=True)
    for start in range(0, len(us), _CHUNK):
        rows = us[start : start + _CHUNK]
        t, d = network.matrix(rows, ut)
        sel = (inv_s >= start) & (inv_s < start + len(rows))
        out_t[sel] = t[inv_s[sel] - start, inv_t[sel]]
        out_d[sel] = d[inv_s[sel] - start, inv_t[sel]]
    return out_t, out_d


def drive_pairs(network: RoadNetwork, p: ArcPoints, q: ArcPoints) -> tuple[np.ndarray, np.ndarray]:
    """Return driving time (s) and distance (m) from ``p[k]`` to ``q[k]`` for every k."""
    n = len(p)
    if len(q) != n:
        msg = "drive_pairs needs two point sets of the same length"
        raise ValueError(msg)
    k = np.arange(n)
    return _drive(network, p, q, k, k)


def drive_matrix(network: RoadNetwork, p: ArcPoints, q: ArcPoints) -> tuple[np.ndarray, np.ndarray]:
    """Return driving time (s) and distance (m) matrices from every ``p`` to every ``q``."""
    ip, iq = np.meshgrid(np.arange(len(p)), np.arange(len(q)), indexing="ij")
    t, d = _drive(network, p, q, ip.ravel(), iq.ravel())
    return t.reshape(len(p), len(q)), d.reshape(len(p), len(q))


def _drive(
    network: RoadNetwork, p: ArcPoints, q: ArcPoints, ip: np.ndarray, iq: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    pn, pt = _ends(p, "time")
    _, pl = _ends(p, "length")
    qn, qt = _ends(q, "time")
    _, ql = _ends(q, "length")
    best_t = np.full(len(ip), np.inf)
    best_d = np.full(len(ip), np.inf)
    for a in range(2):
        for b in range(2):
            nt, nd = _node_pairs_drive(network, pn[ip, a], qn[iq, b])
            t = pt[ip, a] + nt + qt[iq, b]
            d = pl[ip, a] + nd + ql[iq, b]
            better = t < best_t
            best_t = np.where(better, t, best_t)
            best_d = np.where(better, d, best_d)
    along = _same_arc(p, q, ip, iq)
    on_road = np.isfinite(along)
    t_along = along / np.maximum(p.length_m[ip], 1e-9) * p.time_s[ip]
    use = on_road & (t_along <= best_t)
    best_t = np.where(use, t_along, best_t)
    best_d = np.where(use, along, best_d)
    return best_t, best_d


# --------------------------------------------------------------------------- walking
_WALK_GRAPHS: weakref.WeakKeyDictionary[RoadNetwork, sp.csr_matrix] = weakref.WeakKeyDictionary()


def _walk_graph(network: RoadNetwork) -> sp.csr_matrix:
    """Return the undirected road graph weighted by length (walkers ignore one-way rules)."""
    g = _WALK_GRAPHS.get(network)
    if g is None:
        n = network.n_nodes
        a = np.minimum(network.tail, network.head)
        b = np.maximum(network.tail, network.head)
        w = np.maximum(network.length_m, 1e-3)
        key = a * n + b
        order = np.lexsort((w, key))
        key, w = key[order], w[order]
        first = np.r_[True, key[1:] != key[:-1]]
        key, w = key[first], w[first]
        a, b = key // n, key % n
        g = sp.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
        _WALK_GRAPHS[network] = g
    return g


def walk_network_matrix(
    network: RoadNetwork, p: ArcPoints, q: ArcPoints, *, limit_m: float
) -> np.ndarray:
    """Return walking distances (m) on the road graph from every ``p`` to every ``q``.

    Walking follows roads in both directions; the perpendicular distances of
    both points to their roads are included; the result is never shorter than
    the straight line. Pairs farther than ``limit_m`` are ``inf``. Searches
    start at the ends of the ``q`` arcs, so make ``q`` the smaller set.
    """
    out = np.full((len(p), len(q)), np.inf)
    if len(p) == 0 or len(q) == 0:
        return out
    g = _walk_graph(network)
    pn, pc = _ends(p, "length")
    qn, qc = _ends(q, "length")
    sources, inv = np.unique(qn.ravel(), return_inverse=True)
    inv = inv.reshape(qn.shape)
    for start in range(0, len(sources), _CHUNK // 4):
        rows = sources[start : start + _CHUNK // 4]
        dist = dijkstra(g, directed=False, indices=rows, limit=limit_m)
        for b in range(2):
            col = inv[:, b]
            sel = np.flatnonzero((col >= start) & (col < start + len(rows)))
            if len(sel) == 0:
                continue
            for a in range(2):
                # dist[source row, p end] for every p and the selected q
                dd = dist[col[sel] - start][:, pn[:, a]].T  # (n_p, n_sel)
                cand = pc[:, a][:, None] + dd + qc[sel, b][None, :]
                out[:, sel] = np.minimum(out[:, sel], cand)
    ip, iq = np.meshgrid(np.arange(len(p)), np.arange(len(q)), indexing="ij")
    along = _same_arc(p, q, ip.ravel(), iq.ravel()).reshape(out.shape)
    out = np.minimum(out, along)
    out = out + p.perp_m[:, None] + q.perp_m[None, :]
    straight = straight_line_m(p.lat[:, None], p.lon[:, None], q.lat[None, :], q.lon[None, :])
    out = np.maximum(out, straight)
    out[out > limit_m] = np.inf
    return out
