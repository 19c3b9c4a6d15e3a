"""Many-to-many travel times with a customizable contraction hierarchy (CCH).

Build (once per graph): a nested-dissection order (:mod:`transit.kernels.order`),
the chordal supergraph under it, and a customisation that gives every
hierarchy arc the lexicographically best (time, length) of the paths it
stands for. Query (per matrix): the upward distances of all sources to
their ancestors in the elimination tree and the downward distances of all
targets from theirs (one vectorised sweep each), then for every pair the
minimum over their common ancestors, a min-plus product done in blocks of
sources x targets on all cores. Integer arithmetic throughout, so the result
equals Dijkstra's exactly.
"""

from __future__ import annotations

import logging
import math
import os
import time

import numba
import numpy as np

from transit.kernels import _cch_numba as nb
from transit.kernels._arcs import Arcs, check_cutoff, check_points
from transit.kernels.order import order_with_method
from transit.util.progress import Progress, report

__all__ = ["CCHKernel"]

log = logging.getLogger(__name__)

_SWEEP_CHUNK = 64
_ROW_BLOCK = 16
_TILE = 256
#: Below this many source x target pairs one thread is used: waking a second
#: thread costs more than it saves, and much more on a busy machine.
_SERIAL_PAIRS = 250_000
#: The process that started numba's parallel (OpenMP) runtime. A process
#: forked from it must not use that runtime and runs the serial twins.
_parallel_pid: list[int] = []


def _kernels() -> tuple:
    """Return (sweep, meet, meet_lex, gather): parallel, or serial in a forked child."""
    pid = os.getpid()
    if not _parallel_pid:
        _parallel_pid.append(pid)
    if _parallel_pid[0] == pid:
        return nb.sweep, nb.meet, nb.meet_lex, nb.gather
    return nb.sweep_serial, nb.meet_serial, nb.meet_lex_serial, nb.gather_serial


class CCHKernel:
    """Exact many-to-many matrices on a customizable contraction hierarchy.

    Parameters
    ----------
    arcs
        The normalised graph (:func:`transit.kernels._arcs.normalize_arcs`).
    lat, lon
        Node coordinates for the nested-dissection order, if known.
    progress
        Progress callback for the build.
    order_method
        Passed to :func:`transit.kernels.order.nested_dissection_order`.
    """

    name = "cch"

    def __init__(
        self,
        arcs: Arcs,
        *,
        lat: np.ndarray | None = None,
        lon: np.ndarray | None = None,
        progress: Progress | None = None,
        order_method: str = "auto",
    ) -> None:
        n = arcs.n_nodes
        self.n_nodes = n
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        report(progress, 0, 3, "ordering nodes")
        order, self.order_method = order_with_method(n, arcs.tail, arcs.head, lat=lat, lon=lon, method=order_method)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        self.rank = rank
        t1 = time.perf_counter()
        timings["order"] = t1 - t0
        report(progress, 1, 3, "contracting")
        rt = rank[arcs.tail]
        rh = rank[arcs.head]
        lo = np.minimum(rt, rh)
        hi = np.maximum(rt, rh)
        srt = np.argsort(lo, kind="stable")
        lo_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(lo, minlength=n), out=lo_ptr[1:])
        self.up_ptr, self.up_idx, self.parent = nb.chordal_supergraph(n, lo_ptr, hi[srt])
        self.depth, self.pre, self.size = nb.tree_layout(self.parent)
        t2 = time.perf_counter()
        timings["contract"] = t2 - t1
        report(progress, 2, 3, "customising")
        self.fwt, self.fwl, self.bwt, self.bwl = nb.customize(
            self.up_ptr, self.up_idx, rt, rh, arcs.time, arcs.length_mm
        )
        timings["customize"] = time.perf_counter() - t2
        report(progress, 3, 3, "hierarchy ready")
        self.build_seconds = timings
        log.info(
            "CCH: %d nodes, %d hierarchy arcs, tree depth %d; order (%s) %.2fs contract %.2fs customise %.2fs",
            n, len(self.up_idx), int(self.depth.max(initial=0)) + 1, self.order_method,
            timings["order"], timings["contract"], timings["customize"],
        )

    @property
    def n_arcs(self) -> int:
        """Number of arcs of the hierarchy (undirected, each with two weights)."""
        return len(self.up_idx)

    def _prepare(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (column nodes sorted by preorder, preorder keys, column of each point)."""
        nodes, inverse = np.unique(self.rank[points], return_inverse=True)
        key = self.pre[nodes]
        by_pre = np.argsort(key, kind="stable")
        col_of_unique = np.empty(len(nodes), dtype=np.int64)
        col_of_unique[by_pre] = np.arange(len(nodes), dtype=np.int64)
        return nodes[by_pre], key[by_pre], col_of_unique[inverse.ravel()]

    def _ranges(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return, for every node, the range of sorted columns in its subtree."""
        lo = np.searchsorted(keys, self.pre)
        hi = np.searchsorted(keys, self.pre + self.size)
        return lo.astype(np.int64), hi.astype(np.int64)

    def _sweep(self, col_node: np.ndarray, keys: np.ndarray, forward: bool, cut: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (time, length) between each column's node and its ancestors (rows by depth)."""
        lo, hi = self._ranges(keys)
        nodes = np.flatnonzero(hi > lo).astype(np.int64)
        n_rows = int(self.depth[col_node].max()) + 1
        wt, wl = (self.fwt, self.fwl) if forward else (self.bwt, self.bwl)
        return _kernels()[0](
            self.up_ptr, self.up_idx, wt, wl, self.depth, nodes, lo[nodes], hi[nodes],
            col_node, n_rows, cut, _SWEEP_CHUNK,
        )

    def matrix(
        self, sources: np.ndarray, targets: np.ndarray, *, cutoff: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(time, length)``, each ``len(sources) x len(targets)`` float64.

        ``time`` is the shortest travel time (sum of arc weights), ``length``
        the length in metres of a fastest path (ties go to the shorter, on
        lengths rounded to whole millimetres per arc); ``inf`` where
        unreachable or, with ``cutoff``, where the time exceeds it.
        """
        src = check_points(sources, self.n_nodes, "sources")
        tgt = check_points(targets, self.n_nodes, "targets")
        cut_f = check_cutoff(cutoff)
        cut = int(nb.INF) if math.isinf(cut_f) else min(int(math.floor(cut_f)), int(nb.INF))
        if len(src) == 0 or len(tgt) == 0:
            return np.zeros((len(src), len(tgt))), np.zeros((len(src), len(tgt)))
        s_node, s_key, s_col = self._prepare(src)
        t_node, t_key, t_col = self._prepare(tgt)
        threads = numba.get_num_threads()
        if len(s_node) * len(t_node) < _SERIAL_PAIRS:
            numba.set_num_threads(1)
        try:
            return self._matrix(s_node, s_key, s_col, t_node, t_key, t_col, cut)
        finally:
            numba.set_num_threads(threads)

    def _matrix(
        self,
        s_node: np.ndarray,
        s_key: np.ndarray,
        s_col: np.ndarray,
        t_node: np.ndarray,
        t_key: np.ndarray,
        t_col: np.ndarray,
        cut: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sweep up from the sources and down to the targets, meet, and gather the output."""
        Ut, Ul = self._sweep(s_node, s_key, True, cut)
        Bt, Bl = self._sweep(t_node, t_key, False, cut)
        tlo, thi = self._ranges(t_key)
        shift = _packing_shift(Ut, Ul, Bt, Bl)
        if shift:
            nb.pack_into(Ut, Ul, shift)
            nb.pack_into(Bt, Bl, shift)
            D = _kernels()[1](s_node, self.parent, self.depth, tlo, thi, Ut, Bt, len(t_node), _ROW_BLOCK, _TILE)
            return _kernels()[3](D, D, shift, s_col, t_col, cut)
        log.info("CCH: path sums too large to pack time and length in one int64; using the slower kernel")
        Dt, Dl = _kernels()[2](s_node, self.parent, self.depth, tlo, thi, Ut, Ul, Bt, Bl, len(t_node),
                               _ROW_BLOCK, _TILE)
        return _kernels()[3](Dt, Dl, 0, s_col, t_col, cut)


def _packing_shift(Ut: np.ndarray, Ul: np.ndarray, Bt: np.ndarray, Bl: np.ndarray) -> int:
    """Return ``k`` such that ``time * 2**k + length`` packs every candidate exactly, or 0.

    A candidate is ``U + B`` for finite entries; its length is below
    ``2**k`` and its packed value below ``INF``, so integer order equals
    lexicographic (time, length) order and no sum carries.
    """
    ut, ul = nb.finite_max(Ut, Ul)
    bt, bl = nb.finite_max(Bt, Bl)
    max_t = int(ut) + int(bt)
    max_l = int(ul) + int(bl)
    shift = max(1, max_l.bit_length())
    return shift if (max_t + 1) << shift < int(nb.INF) else 0
