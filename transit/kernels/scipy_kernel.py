"""Pure-scipy fallback kernel: multi-source Dijkstra on exact integer weights.

Times come from :func:`scipy.sparse.csgraph.dijkstra` run from many sources
at once. For the length of a fastest path (ties to the shorter) each arc gets
the packed weight ``time * M + length_mm`` (``M`` a power of two), so one
Dijkstra run minimises (time, length) lexicographically. That is exact when
every sum stays below 2**53 and no length reaches ``M``; both are checked on
the result: a path's length is at most ``R * time + Z`` (``R`` the largest
length/time ratio of an arc, ``Z`` the total length of zero-time arcs), and
its time at most the packed value divided by ``M``.

When the check fails (or cannot be set up) the batch is redone the slow,
always-exact way: a time-only Dijkstra, then a shortest path by length over
the *tight* arcs of each source (``d(tail) + time == d(head)``, the arcs of
fastest paths), with the tight subgraphs of a batch stacked into one
block-diagonal graph.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from transit.kernels._arcs import EXACT_LIMIT, Arcs, check_cutoff, check_points

__all__ = ["ScipyKernel"]

log = logging.getLogger(__name__)

_BATCH = 64
#: Packed weights aim this far below 2**53, to leave room for longer paths.
_HEADROOM = 2


class ScipyKernel:
    """Exact many-to-many matrices with scipy's Dijkstra (no compiled code of ours).

    Parameters
    ----------
    arcs
        The normalised graph (:func:`transit.kernels._arcs.normalize_arcs`).
    packed
        Try the one-pass packed (time, length) Dijkstra first (default);
        ``False`` always uses the two-pass method.
    """

    name = "scipy"

    def __init__(self, arcs: Arcs, *, packed: bool = True) -> None:
        n = arcs.n_nodes
        self.n_nodes = n
        self.tail = arcs.tail
        self.head = arcs.head
        self.time = arcs.time.astype(np.float64)
        self.length_mm = arcs.length_mm.astype(np.float64)
        # one arc per node pair (normalised), so no duplicates get summed;
        # explicit zeros stay edges in scipy's csgraph
        self.graph = sp.csr_matrix((self.time, (self.tail, self.head)), shape=(n, n))
        self.shift = self._choose_shift() if packed else None
        self.packed_graph = None
        if self.shift is not None:
            packed_w = self.time * float(2**self.shift) + self.length_mm
            self.packed_graph = sp.csr_matrix((packed_w, (self.tail, self.head)), shape=(n, n))

    def _choose_shift(self) -> int | None:
        """Return ``log2 M`` for the packed weights, or None if they cannot be exact."""
        if len(self.time) == 0:
            return None
        pos = self.time > 0
        self.ratio = float(np.max(np.ceil(self.length_mm[pos] / self.time[pos]), initial=0.0))
        self.zero_len = float(self.length_mm[~pos].sum())
        # estimate the largest travel time: twice the eccentricity of a busy node
        start = int(np.argmax(np.bincount(self.tail, minlength=self.n_nodes)))
        d = dijkstra(self.graph, directed=True, indices=start)
        t_est = 2.0 * float(np.max(d[np.isfinite(d)], initial=1.0))
        shift = max(1, math.ceil(math.log2(self.ratio * t_est + self.zero_len + 1.0)))
        if (t_est + 1.0) * 2.0**shift >= EXACT_LIMIT / _HEADROOM:
            return None
        return shift

    def matrix(
        self, sources: np.ndarray, targets: np.ndarray, *, cutoff: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(time, length)``, each ``len(sources) x len(targets)`` float64.

        See :class:`transit.kernels.MatrixKernel`.
        """
        src = check_points(sources, self.n_nodes, "sources")
        tgt = check_points(targets, self.n_nodes, "targets")
        cut_f = check_cutoff(cutoff)
        cut = math.floor(cut_f) if math.isfinite(cut_f) else math.inf
        uniq, inverse = np.unique(src, return_inverse=True)
        time = np.empty((len(uniq), len(tgt)))
        length = np.empty((len(uniq), len(tgt)))
        for b0 in range(0, len(uniq), _BATCH):
            batch = uniq[b0:b0 + _BATCH]
            done = self._packed(batch, tgt, cut) if self.shift is not None else None
            if done is None:
                done = self._two_pass(batch, tgt, cut)
            time[b0:b0 + len(batch)], length[b0:b0 + len(batch)] = done
        time = time[inverse.ravel()]
        length = length[inverse.ravel()]
        far = ~(time <= cut)
        time[far] = np.inf
        length[far] = np.inf
        return time, length

    def _packed(self, batch: np.ndarray, tgt: np.ndarray, cut: float) -> tuple[np.ndarray, np.ndarray] | None:
        """One packed Dijkstra; None if the result cannot be proved exact."""
        m = float(2**self.shift)
        limit = cut * m + (m - 1.0) if math.isfinite(cut) else np.inf
        if math.isfinite(limit) and limit >= EXACT_LIMIT:
            return None
        dist = dijkstra(self.packed_graph, directed=True, indices=batch, limit=limit)
        reached = np.isfinite(dist)
        top = float(dist[reached].max(initial=0.0))
        if top >= EXACT_LIMIT or self.ratio * math.floor(top / m) + self.zero_len >= m:
            log.debug("packed Dijkstra not provably exact for this batch; using two passes")
            return None
        sub = dist[:, tgt]
        t = np.floor(sub / m)
        with np.errstate(invalid="ignore"):
            ln = (sub - t * m) / 1000.0
        return t, np.where(np.isfinite(sub), ln, np.inf)

    def _two_pass(self, batch: np.ndarray, tgt: np.ndarray, cut: float) -> tuple[np.ndarray, np.ndarray]:
        """Time-only Dijkstra, then shortest length over each source's tight arcs."""
        n = self.n_nodes
        k = len(batch)
        dist = dijkstra(self.graph, directed=True, indices=batch, limit=cut)
        d_tail = dist[:, self.tail]
        d_head = dist[:, self.head]
        tight = np.isfinite(d_head) & (d_tail + self.time == d_head)
        rows, arcs = np.nonzero(tight)
        offset = rows * n
        block = sp.csr_matrix(
            (self.length_mm[arcs], (offset + self.tail[arcs], offset + self.head[arcs])), shape=(k * n, k * n)
        )
        starts = np.arange(k) * n + batch
        lengths = dijkstra(block, directed=True, indices=starts, min_only=True).reshape(k, n)
        return dist[:, tgt], lengths[:, tgt] / 1000.0
