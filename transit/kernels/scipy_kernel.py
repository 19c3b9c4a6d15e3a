"""Pure-scipy fallback kernel: multi-source Dijkstra plus a tie-breaking pass.

Times come from :func:`scipy.sparse.csgraph.dijkstra` run from many sources at
once. The length of a fastest path (ties to the shorter) is then a shortest
path by length over the *tight* arcs of each source, those with
``d(tail) + time == d(head)``: every path made of tight arcs is a fastest
path. The tight subgraphs of a batch of sources are stacked into one
block-diagonal graph and solved by a single Dijkstra call.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from transit.kernels._arcs import Arcs, check_cutoff, check_points

__all__ = ["ScipyKernel"]

_BATCH = 32


class ScipyKernel:
    """Exact many-to-many matrices with scipy's Dijkstra (no compiled code of ours).

    Parameters
    ----------
    arcs
        The normalised graph (:func:`transit.kernels._arcs.normalize_arcs`).
    """

    name = "scipy"

    def __init__(self, arcs: Arcs) -> None:
        n = arcs.n_nodes
        self.n_nodes = n
        self.tail = arcs.tail
        self.head = arcs.head
        self.time = arcs.time.astype(np.float64)
        self.length_mm = arcs.length_mm.astype(np.float64)
        # one arc per node pair (normalised), so no duplicates get summed;
        # explicit zeros stay edges in scipy's csgraph
        self.graph = sp.csr_matrix((self.time, (self.tail, self.head)), shape=(n, n))

    def matrix(
        self, sources: np.ndarray, targets: np.ndarray, *, cutoff: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(time, length)``, each ``len(sources) x len(targets)`` float64.

        See :class:`transit.kernels.MatrixKernel`.
        """
        src = check_points(sources, self.n_nodes, "sources")
        tgt = check_points(targets, self.n_nodes, "targets")
        cut = check_cutoff(cutoff)
        uniq, inverse = np.unique(src, return_inverse=True)
        time = np.empty((len(uniq), len(tgt)))
        length = np.empty((len(uniq), len(tgt)))
        n = self.n_nodes
        for b0 in range(0, len(uniq), _BATCH):
            batch = uniq[b0:b0 + _BATCH]
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
            time[b0:b0 + k] = dist[:, tgt]
            length[b0:b0 + k] = lengths[:, tgt] / 1000.0
        time = time[inverse.ravel()]
        length = length[inverse.ravel()]
        far = ~(time <= cut)
        time[far] = np.inf
        length[far] = np.inf
        return time, length
