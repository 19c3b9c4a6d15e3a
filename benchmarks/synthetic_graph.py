"""Build a synthetic road-like graph for the travel-time matrix benchmark.

The graph is a jittered square grid (about 250 m between junctions) from
which a share of the local streets is removed, as in a rural network, with a
hierarchy of faster roads on top: every 8th row and column is an arterial
(70-90 km/h) and every 48th a fast road (110 km/h). A few local streets are
one-way, a few diagonal links break the grid's regularity, and road lengths
exceed the straight line by up to 25 %. Travel times are whole milliseconds,
as :class:`transit.road.travel.RoadNetwork` makes them. Only the largest strongly
connected component is kept.

Usage as a script prints the size of the default graph::

    python benchmarks/synthetic_graph.py
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = ["ArcGraph", "road_like_graph"]

_SPACING_M = 250.0
_ORIGIN = (51.60, 11.50)  # lat, lon near Hettstedt (Mansfeld-Suedharz)
_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class ArcGraph:
    """A directed graph as arc arrays (the input of :func:`transit.kernels.build_kernel`).

    Attributes
    ----------
    tail, head
        Arc end points (node indices).
    time_ms
        Travel time of each arc, whole milliseconds as float64.
    length_m
        Length of each arc, metres.
    lat, lon
        Node coordinates, degrees.
    """

    tail: np.ndarray
    head: np.ndarray
    time_ms: np.ndarray
    length_m: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.lat)


def road_like_graph(n_nodes: int = 60_000, *, seed: int = 0) -> ArcGraph:
    """Return a road-like graph of about ``n_nodes`` nodes (largest SCC of a perturbed grid).

    Parameters
    ----------
    n_nodes
        Approximate number of nodes wanted.
    seed
        Seed of the random perturbations; equal seeds give equal graphs.
    """
    rng = np.random.default_rng(seed)
    side = max(2, math.ceil(math.sqrt(n_nodes / 0.96)))
    idx = np.arange(side * side).reshape(side, side)
    ii, jj = np.divmod(np.arange(side * side), side)
    x = jj * _SPACING_M + rng.normal(0.0, 0.2 * _SPACING_M, side * side)
    y = ii * _SPACING_M + rng.normal(0.0, 0.2 * _SPACING_M, side * side)

    def road_class(line: np.ndarray) -> np.ndarray:
        cls = np.zeros(len(line), dtype=np.int64)
        cls[line % 8 == 0] = 1
        cls[line % 48 == 24] = 2
        return cls

    # horizontal links (along row i) and vertical links (along column j)
    h_u, h_v = idx[:, :-1].ravel(), idx[:, 1:].ravel()
    h_cls = road_class(ii[h_u])
    v_u, v_v = idx[:-1, :].ravel(), idx[1:, :].ravel()
    v_cls = road_class(jj[v_u])
    d_u, d_v = idx[:-1, :-1].ravel(), idx[1:, 1:].ravel()
    d_keep = rng.random(len(d_u)) < 0.06
    u = np.concatenate([h_u, v_u, d_u[d_keep]])
    v = np.concatenate([h_v, v_v, d_v[d_keep]])
    cls = np.concatenate([h_cls, v_cls, np.zeros(int(d_keep.sum()), dtype=np.int64)])
    keep = (cls > 0) | (rng.random(len(u)) < 0.70)
    u, v, cls = u[keep], v[keep], cls[keep]

    speed_kmh = np.choose(cls, [rng.choice([30.0, 40.0, 50.0], len(u)),
                                rng.choice([70.0, 80.0, 90.0], len(u)),
                                np.full(len(u), 110.0)])
    length = np.hypot(x[u] - x[v], y[u] - y[v]) * np.where(cls == 0, rng.uniform(1.0, 1.25, len(u)), 1.02)
    length = np.round(length, 2)
    time_ms = np.round(length / (speed_kmh / 3.6) * 1000.0)

    one_way = (cls == 0) & (rng.random(len(u)) < 0.04)
    flip = rng.random(len(u)) < 0.5
    fwd_t = np.where(one_way & flip, v, u)
    fwd_h = np.where(one_way & flip, u, v)
    two = ~one_way
    tail = np.concatenate([fwd_t, v[two]])
    head = np.concatenate([fwd_h, u[two]])
    t_arc = np.concatenate([time_ms, time_ms[two]])
    l_arc = np.concatenate([length, length[two]])

    n_all = side * side
    g = sp.csr_matrix((np.ones(len(tail)), (tail, head)), shape=(n_all, n_all))
    _, label = connected_components(g, directed=True, connection="strong")
    big = np.argmax(np.bincount(label))
    node_keep = label == big
    new_id = np.full(n_all, -1, dtype=np.int64)
    new_id[node_keep] = np.arange(int(node_keep.sum()))
    arc_keep = node_keep[tail] & node_keep[head]
    lat = _ORIGIN[0] + y[node_keep] / _M_PER_DEG
    lon = _ORIGIN[1] + x[node_keep] / (_M_PER_DEG * math.cos(math.radians(_ORIGIN[0])))
    return ArcGraph(
        tail=new_id[tail[arc_keep]],
        head=new_id[head[arc_keep]],
        time_ms=t_arc[arc_keep].astype(np.float64),
        length_m=l_arc[arc_keep].astype(np.float64),
        lat=lat,
        lon=lon,
    )


if __name__ == "__main__":
    g = road_like_graph()
    print(f"nodes {g.n_nodes:,}  arcs {len(g.tail):,}  "
          f"km of road {g.length_m.sum() / 2000:,.0f} (both directions / 2)")
