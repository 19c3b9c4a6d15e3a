"""Nested-dissection node orders for the contraction hierarchy.

A good order puts small balanced separators last (most important), so the
chordal supergraph stays sparse and the elimination tree shallow. Methods:

``"metis"``
    METIS's multilevel nested dissection (``METIS_NodeND``) through the
    package ``pymetis`` (a dependency): about 0.3 s for 60,000 nodes, and on
    road-like graphs as good as inertial flow.
``"inertial"``
    RoutingKit's inertial-flow order, if the optional package
    ``routingkit-cch`` is installed and node coordinates are given; about six
    times slower than METIS, no better here.
``"bisection"``
    This module's recursive geometric bisection (coordinates, or breadth-first
    levels without them): no extra package, about twice as many hierarchy arcs.

The order never changes the kernel's results, only its speed.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components, dijkstra

__all__ = ["nested_dissection_order", "order_with_method", "bisection_order", "metis_order", "ORDER_METHODS"]

log = logging.getLogger(__name__)

_LEAF = 48
ORDER_METHODS = ("auto", "metis", "inertial", "bisection")


def nested_dissection_order(
    n: int,
    tail: np.ndarray,
    head: np.ndarray,
    *,
    lat: np.ndarray | None = None,
    lon: np.ndarray | None = None,
    method: str = "auto",
) -> np.ndarray:
    """Return the nodes from least to most important (``order[rank] = node``).

    Parameters
    ----------
    n
        Number of nodes.
    tail, head
        Arcs (direction is ignored).
    lat, lon
        Node coordinates in degrees, if known.
    method
        One of :data:`ORDER_METHODS`; ``"auto"`` takes the first available of
        ``"metis"``, ``"inertial"`` (needs coordinates) and ``"bisection"``.
    """
    return order_with_method(n, tail, head, lat=lat, lon=lon, method=method)[0]


def order_with_method(
    n: int,
    tail: np.ndarray,
    head: np.ndarray,
    *,
    lat: np.ndarray | None = None,
    lon: np.ndarray | None = None,
    method: str = "auto",
) -> tuple[np.ndarray, str]:
    """Return ``(order, method used)``; see :func:`nested_dissection_order`."""
    if method not in ORDER_METHODS:
        msg = f"unknown order method {method!r}; choose one of {', '.join(ORDER_METHODS)}"
        raise ValueError(msg)
    has_xy = lat is not None and lon is not None and len(lat) == n and len(lon) == n
    if n == 0:
        return np.zeros(0, dtype=np.int64), "none"
    if method in ("auto", "metis"):
        try:
            return metis_order(n, tail, head), "metis"
        except ImportError:
            if method == "metis":
                raise
            log.info("pymetis not installed: trying other orders")
    if method in ("auto", "inertial") and has_xy:
        try:
            import routingkit_cch
        except ImportError:
            if method == "inertial":
                raise
        else:
            order = routingkit_cch.compute_order_inertial(
                n, tail.tolist(), head.tolist(),
                np.asarray(lat, dtype=np.float64).tolist(), np.asarray(lon, dtype=np.float64).tolist(),
            )
            return np.asarray(order, dtype=np.int64), "inertial"
    elif method == "inertial":
        msg = "the inertial order needs node coordinates"
        raise ValueError(msg)
    xy = None
    if has_xy:
        la = np.asarray(lat, dtype=np.float64)
        xy = np.column_stack([np.asarray(lon, dtype=np.float64) * math.cos(math.radians(float(np.mean(la)))), la])
    return bisection_order(n, tail, head, xy=xy), "bisection"


def _undirected(n: int, tail: np.ndarray, head: np.ndarray) -> sp.csr_matrix:
    """Return the symmetric adjacency (no self-loops, no duplicates) as CSR."""
    u = np.concatenate([tail, head]).astype(np.int64)
    v = np.concatenate([head, tail]).astype(np.int64)
    keep = u != v
    adj = sp.csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (u[keep], v[keep])), shape=(n, n))
    adj.sum_duplicates()
    adj.sort_indices()
    return adj


def metis_order(n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Return METIS's nested-dissection order (``pymetis.nested_dissection``).

    Raises
    ------
    ImportError
        If ``pymetis`` is not installed.
    """
    import pymetis

    adj = _undirected(n, tail, head)
    csr = pymetis.CSRAdjacency(adj.indptr.astype(np.int32), adj.indices.astype(np.int32))
    perm, _ = pymetis.nested_dissection(csr)
    return np.asarray(perm, dtype=np.int64)


def bisection_order(n: int, tail: np.ndarray, head: np.ndarray, *, xy: np.ndarray | None = None) -> np.ndarray:
    """Return a nested-dissection order by recursive bisection.

    Each part is split at the median of its principal axis (coordinates
    ``xy``) or of breadth-first depth from a far node (no coordinates); the
    endpoints of the cut edges on the side with fewer of them form the
    separator, ranked above both halves.
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    adj = _undirected(n, tail, head)
    out: list[np.ndarray] = []
    # explicit stack: (nodes, phase); phase 1 emits the separator after both halves
    stack: list[tuple[np.ndarray, int]] = [(np.arange(n, dtype=np.int64), 0)]
    while stack:
        nodes, phase = stack.pop()
        if phase == 1:
            out.append(nodes)
            continue
        if len(nodes) <= _LEAF:
            out.append(nodes)
            continue
        sub = adj[nodes][:, nodes]
        a_side, b_side, sep = _split(sub, None if xy is None else xy[nodes])
        stack.append((nodes[sep], 1))
        stack.append((nodes[b_side], 0))
        stack.append((nodes[a_side], 0))
    order = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
    return order.astype(np.int64)


def _split(sub: sp.csr_matrix, xy: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split a part into (side A, side B, separator) local index arrays."""
    k = sub.shape[0]
    n_comp, label = connected_components(sub, directed=False)
    if n_comp > 1:
        # split whole components: the larger ones alternate sides, no separator needed
        sizes = np.bincount(label)
        side = np.zeros(n_comp, dtype=bool)
        total = 0
        for c in np.argsort(-sizes, kind="stable"):
            side[c] = total * 2 < k
            total += sizes[c] if side[c] else 0
        in_a = side[label]
        if in_a.all() or not in_a.any():
            in_a = label == np.argmax(sizes)
        return np.flatnonzero(in_a), np.flatnonzero(~in_a), np.zeros(0, dtype=np.int64)
    if xy is not None:
        centred = xy - xy.mean(axis=0)
        cov = centred.T @ centred
        _, vecs = np.linalg.eigh(cov)
        coord = centred @ vecs[:, -1]
    else:
        start = int(np.argmin(np.diff(sub.indptr)))
        far = int(breadth_first_order(sub, start, directed=False, return_predecessors=False)[-1])
        coord = dijkstra(sub, directed=False, indices=far, unweighted=True)
    rank = np.argsort(np.argsort(coord, kind="stable"), kind="stable")
    in_a = rank < k // 2
    coo = sub.tocoo()
    cut = in_a[coo.row] & ~in_a[coo.col]
    a_end = np.unique(coo.row[cut])
    b_end = np.unique(coo.col[cut])
    sep = a_end if len(a_end) <= len(b_end) else b_end
    is_sep = np.zeros(k, dtype=bool)
    is_sep[sep] = True
    return np.flatnonzero(in_a & ~is_sep), np.flatnonzero(~in_a & ~is_sep), sep
