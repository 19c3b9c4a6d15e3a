"""Compiled parts of the customizable contraction hierarchy (numba).

Everything here works in *rank space*: node ``v`` is the node of rank ``v``
in the nested-dissection order (higher = more important). The hierarchy is
the chordal supergraph of the undirected road graph under that order, stored
as "upward" adjacency: ``up_idx[up_ptr[v]:up_ptr[v + 1]]`` are the higher
neighbours of ``v``, sorted. Arc ``e`` of ``v`` carries two weights: ``fw``
for ``v -> x`` and ``bw`` for ``x -> v``. A weight is a pair (time, length)
compared lexicographically; ``INF`` in both parts marks "no path".

The lowest higher neighbour of ``v`` is its parent in the elimination tree;
every higher neighbour of ``v`` is an ancestor of ``v``. So the upward search
space of ``v`` is its chain of ancestors, and a node's ancestors are indexed
by their depth in the tree. The query kernels store the upward (downward)
distances of a set of sources (targets) as ``depth x point`` matrices and
meet them on the common ancestors of each pair.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from transit.util.jitcache import route_kernels

route_kernels(Path(__file__).parent)  # before the kernels below: numba's cache in the user's cache folder

from numba import njit, prange  # noqa: E402

INF = np.int64(2**62 - 1)


@njit(cache=True, nogil=True)
def chordal_supergraph(n, lo_ptr, lo_idx):  # pragma: no cover - compiled
    """Return ``(up_ptr, up_idx, parent)`` of the chordal supergraph.

    ``lo_idx[lo_ptr[v]:lo_ptr[v + 1]]`` are the higher neighbours of ``v`` in
    the original graph (duplicates allowed).
    """
    parent = np.full(n, -1, dtype=np.int64)
    first_child = np.full(n, -1, dtype=np.int64)
    next_sib = np.full(n, -1, dtype=np.int64)
    mark = np.full(n, -1, dtype=np.int64)
    buf = np.empty(max(n, 1), dtype=np.int64)
    up_ptr = np.zeros(n + 1, dtype=np.int64)
    cap = 2 * len(lo_idx) + 16
    up_idx = np.empty(cap, dtype=np.int64)
    pos = 0
    for v in range(n):
        k = 0
        for e in range(lo_ptr[v], lo_ptr[v + 1]):
            x = lo_idx[e]
            if mark[x] != v:
                mark[x] = v
                buf[k] = x
                k += 1
        c = first_child[v]
        while c != -1:
            for e in range(up_ptr[c], up_ptr[c + 1]):
                x = up_idx[e]
                if x != v and mark[x] != v:
                    mark[x] = v
                    buf[k] = x
                    k += 1
            c = next_sib[c]
        if pos + k > cap:
            while pos + k > cap:
                cap *= 2
            grown = np.empty(cap, dtype=np.int64)
            grown[:pos] = up_idx[:pos]
            up_idx = grown
        srt = np.sort(buf[:k])
        up_idx[pos:pos + k] = srt
        pos += k
        up_ptr[v + 1] = pos
        if k > 0:
            p = srt[0]
            parent[v] = p
            next_sib[v] = first_child[p]
            first_child[p] = v
    return up_ptr, up_idx[:pos].copy(), parent


@njit(cache=True, nogil=True)
def tree_layout(parent):  # pragma: no cover - compiled
    """Return ``(depth, pre, size)`` of the elimination forest.

    ``pre`` is a preorder numbering such that the subtree of ``v`` is
    exactly the nodes with ``pre`` in ``[pre[v], pre[v] + size[v])``.
    Parents have higher ranks than their children.
    """
    n = len(parent)
    size = np.ones(n, dtype=np.int64)
    for v in range(n):
        if parent[v] >= 0:
            size[parent[v]] += size[v]
    depth = np.zeros(n, dtype=np.int64)
    pre = np.zeros(n, dtype=np.int64)
    cursor = np.zeros(n, dtype=np.int64)
    next_root = 0
    for v in range(n - 1, -1, -1):
        p = parent[v]
        if p < 0:
            pre[v] = next_root
            next_root += size[v]
        else:
            depth[v] = depth[p] + 1
            pre[v] = cursor[p]
            cursor[p] += size[v]
        cursor[v] = pre[v] + 1
    return depth, pre, size


@njit(cache=True, nogil=True)
def _find(up_ptr, up_idx, lo, hi):  # pragma: no cover - compiled
    a = up_ptr[lo]
    b = up_ptr[lo + 1]
    while a < b:
        m = (a + b) >> 1
        if up_idx[m] < hi:
            a = m + 1
        else:
            b = m
    return a


@njit(cache=True, nogil=True)
def customize(up_ptr, up_idx, tail, head, time, length):  # pragma: no cover - compiled
    """Return ``(fwt, fwl, bwt, bwl)``: the customised lexicographic arc weights.

    ``tail``/``head`` are rank-space arcs with ``time``/``length`` weights.
    Each hierarchy arc gets the best original arc, then every lower triangle
    ``x - v - y`` (``v`` below both) is relaxed, bottom-up.
    """
    n = len(up_ptr) - 1
    m = len(up_idx)
    fwt = np.full(m, INF, dtype=np.int64)
    fwl = np.full(m, INF, dtype=np.int64)
    bwt = np.full(m, INF, dtype=np.int64)
    bwl = np.full(m, INF, dtype=np.int64)
    for a in range(len(tail)):
        u = tail[a]
        w = head[a]
        t = time[a]
        ln = length[a]
        if u < w:
            e = _find(up_ptr, up_idx, u, w)
            if t < fwt[e] or (t == fwt[e] and ln < fwl[e]):
                fwt[e] = t
                fwl[e] = ln
        else:
            e = _find(up_ptr, up_idx, w, u)
            if t < bwt[e] or (t == bwt[e] and ln < bwl[e]):
                bwt[e] = t
                bwl[e] = ln
    for v in range(n):
        b = up_ptr[v]
        end = up_ptr[v + 1]
        for i in range(b, end):
            x = up_idx[i]
            xv_t = bwt[i]
            xv_l = bwl[i]
            vx_t = fwt[i]
            vx_l = fwl[i]
            if xv_t >= INF and vx_t >= INF:
                continue
            q = up_ptr[x]
            for j in range(i + 1, end):
                y = up_idx[j]
                while up_idx[q] < y:
                    q += 1
                # x -> v -> y improves fw of arc (x, y)
                ct = xv_t + fwt[j]
                cl = xv_l + fwl[j]
                if ct < fwt[q] or (ct == fwt[q] and cl < fwl[q]):
                    fwt[q] = ct
                    fwl[q] = cl
                # y -> v -> x improves bw of arc (x, y)
                ct = bwt[j] + vx_t
                cl = bwl[j] + vx_l
                if ct < bwt[q] or (ct == bwt[q] and cl < bwl[q]):
                    bwt[q] = ct
                    bwl[q] = cl
    return fwt, fwl, bwt, bwl


@njit(cache=True, nogil=True, parallel=True)
def sweep(up_ptr, up_idx, wt, wl, depth, nodes, lo, hi, col_node, n_rows, cutoff, chunk):  # pragma: no cover
    """Return ``(Dt, Dl)``: distances between points and their ancestors.

    ``col_node[c]`` is the node of column ``c`` (columns sorted by preorder).
    ``nodes`` lists, ascending, every ancestor of some column; columns
    ``lo[i]:hi[i]`` lie below ``nodes[i]``. With ``wt/wl = fw`` the result
    row ``depth[a]`` holds the distance from each column's node up to its
    ancestor ``a``; with ``bw`` the distance from ``a`` down to it. Entries
    whose time exceeds ``cutoff`` become ``INF``.
    """
    n_cols = len(col_node)
    Dt = np.full((n_rows, n_cols), INF, dtype=np.int64)
    Dl = np.full((n_rows, n_cols), INF, dtype=np.int64)
    for c in range(n_cols):
        Dt[depth[col_node[c]], c] = 0
        Dl[depth[col_node[c]], c] = 0
    n_chunks = (n_cols + chunk - 1) // chunk
    for k in prange(n_chunks):
        c0 = k * chunk
        c1 = min(n_cols, c0 + chunk)
        for i in range(len(nodes)):
            a = max(lo[i], c0)
            b = min(hi[i], c1)
            if a >= b:
                continue
            v = nodes[i]
            dv = depth[v]
            rt = Dt[dv, a:b]
            rl = Dl[dv, a:b]
            for c in range(b - a):
                if rt[c] > cutoff:
                    rt[c] = INF
                    rl[c] = INF
            for e in range(up_ptr[v], up_ptr[v + 1]):
                w_t = wt[e]
                if w_t >= INF:
                    continue
                w_l = wl[e]
                dx = depth[up_idx[e]]
                _relax_lex(Dt[dx, a:b], Dl[dx, a:b], rt, rl, w_t, w_l)
    return Dt, Dl


@njit(cache=True, nogil=True, inline="always")
def _relax_lex(xt, xl, rt, rl, w_t, w_l):  # pragma: no cover - compiled
    """``x = lexmin(x, r + w)`` elementwise, branch-free (vectorises)."""
    for c in range(len(xt)):
        ct = rt[c] + w_t
        cl = rl[c] + w_l
        ot = xt[c]
        ol = xl[c]
        better = (ct < ot) | ((ct == ot) & (cl < ol))
        mask = -np.int64(better)
        xt[c] = ot ^ ((ot ^ ct) & mask)
        xl[c] = ol ^ ((ol ^ cl) & mask)


@njit(cache=True, nogil=True)
def finite_max(Dt, Dl):  # pragma: no cover - compiled
    """Return the largest time and length among entries with a finite time."""
    max_t = 0
    max_l = 0
    for i in range(Dt.shape[0]):
        for j in range(Dt.shape[1]):
            if Dt[i, j] < INF:
                max_t = max(max_t, Dt[i, j])
                max_l = max(max_l, Dl[i, j])
    return max_t, max_l


@njit(cache=True, nogil=True)
def pack_into(Dt, Dl, shift):  # pragma: no cover - compiled
    """Overwrite ``Dt`` with ``Dt << shift | Dl`` where finite (``INF`` stays)."""
    for i in range(Dt.shape[0]):
        for j in range(Dt.shape[1]):
            if Dt[i, j] < INF:
                Dt[i, j] = (Dt[i, j] << shift) | Dl[i, j]


@njit(cache=True, nogil=True, inline="always")
def _lca(parent, x, y):  # pragma: no cover - compiled
    """Return the lowest common ancestor of ``x`` and ``y`` (-1 if in different trees).

    Parents outrank children, so moving the lower-ranked node up never
    passes the common ancestor.
    """
    while x != y:
        if x < 0 or y < 0:
            return -1
        if x < y:
            x = parent[x]
        else:
            y = parent[y]
    return x


@njit(cache=True, nogil=True, inline="always")
def _min_plus_row(x, b, u):  # pragma: no cover - compiled
    """``x = min(x, u + b)`` elementwise (vectorises)."""
    for j in range(len(x)):
        x[j] = min(x[j], u + b[j])


@njit(cache=True, nogil=True, parallel=True)
def meet(src_node, parent, depth, tlo, thi, Uc, Bc, n_tgt, row_block, tile):  # pragma: no cover
    """Return ``D``, ``len(src_node) x n_tgt``: the best up-down path per pair.

    ``Uc``/``Bc`` hold (time, length) packed into one int64 as
    ``time * 2**k + length`` with no carry possible (the caller checks), so
    integer order is the lexicographic order. For source column ``c`` and
    each ancestor ``a`` of its node, targets ``tlo[a]:thi[a]`` lie below
    ``a``; the pair's candidate through ``a`` is
    ``Uc[depth[a], c] + Bc[depth[a], t]``.

    Work is split in blocks of ``row_block`` sources (consecutive in
    preorder, so they share most ancestors) times ``tile`` targets; the
    ancestors common to a block are walked once, each row of ``Bc`` then
    serving every source of the block from the L1 cache.
    """
    n_src = len(src_node)
    D = np.full((n_src, n_tgt), INF, dtype=np.int64)
    n_blocks = (n_src + row_block - 1) // row_block
    for blk in prange(n_blocks):
        r0 = blk * row_block
        r1 = min(n_src, r0 + row_block)
        top = _lca(parent, src_node[r0], src_node[r1 - 1])
        for t0 in range(0, n_tgt, tile):
            t1 = min(n_tgt, t0 + tile)
            # ancestors below the block's common ancestor: one source each
            for c in range(r0, r1):
                a = src_node[c]
                while a != top:
                    lo = max(tlo[a], t0)
                    hi = min(thi[a], t1)
                    if lo < hi:
                        d = depth[a]
                        u = Uc[d, c]
                        if u < INF:
                            _min_plus_row(D[c, lo:hi], Bc[d, lo:hi], u)
                    a = parent[a]
            # common ancestors: every source of the block per row of Bc
            a = top
            while a >= 0:
                lo = max(tlo[a], t0)
                hi = min(thi[a], t1)
                if lo < hi:
                    d = depth[a]
                    b = Bc[d, lo:hi]
                    for c in range(r0, r1):
                        u = Uc[d, c]
                        if u < INF:
                            _min_plus_row(D[c, lo:hi], b, u)
                a = parent[a]
    return D


@njit(cache=True, nogil=True, parallel=True)
def meet_lex(src_node, parent, depth, tlo, thi, Ut, Ul, Bt, Bl, n_tgt, row_block, tile):  # pragma: no cover
    """Return ``(Dt, Dl)`` like :func:`meet` but on separate time/length parts.

    Slower; used when the packed form could carry (absurdly long paths).
    """
    n_src = len(src_node)
    Dt = np.full((n_src, n_tgt), INF, dtype=np.int64)
    Dl = np.full((n_src, n_tgt), INF, dtype=np.int64)
    n_blocks = (n_src + row_block - 1) // row_block
    for blk in prange(n_blocks):
        r0 = blk * row_block
        r1 = min(n_src, r0 + row_block)
        for t0 in range(0, n_tgt, tile):
            t1 = min(n_tgt, t0 + tile)
            for c in range(r0, r1):
                a = src_node[c]
                while a >= 0:
                    lo = max(tlo[a], t0)
                    hi = min(thi[a], t1)
                    if lo < hi:
                        d = depth[a]
                        if Ut[d, c] < INF:
                            _relax_lex(Dt[c, lo:hi], Dl[c, lo:hi], Bt[d, lo:hi], Bl[d, lo:hi], Ut[d, c], Ul[d, c])
                    a = parent[a]
    return Dt, Dl


@njit(cache=True, nogil=True, parallel=True)
def gather(Dt, Dl, shift, row, col, cutoff):  # pragma: no cover - compiled
    """Return float64 ``(time, length_m)`` with ``out[i, j] = D[row[i], col[j]]``.

    With ``shift > 0``, ``Dt`` is packed (``time << shift | length``) and
    ``Dl`` is ignored. Unreachable entries and times above ``cutoff`` become
    ``inf`` in both.
    """
    n_r = len(row)
    n_c = len(col)
    mask = (np.int64(1) << shift) - 1
    time = np.empty((n_r, n_c), dtype=np.float64)
    length = np.empty((n_r, n_c), dtype=np.float64)
    for i in prange(n_r):
        dt = Dt[row[i]]
        dl = Dl[row[i]]
        ti = time[i]
        li = length[i]
        for j in range(n_c):
            x = dt[col[j]]
            if shift > 0:
                t = x >> shift
                ln = x & mask
            else:
                t = x
                ln = dl[col[j]]
            if x >= INF or t > cutoff:
                ti[j] = np.inf
                li[j] = np.inf
            else:
                ti[j] = float(t)
                li[j] = ln / 1000.0
    return time, length


# Serial twins of the parallel kernels, for a process forked from one that
# already ran a parallel kernel: GNU OpenMP cannot run there (numba kills the
# child). Compiled on first use only, and not cached (the cache does not tell
# parallel and serial builds of one function apart).
sweep_serial = njit(nogil=True)(sweep.py_func)
meet_serial = njit(nogil=True)(meet.py_func)
meet_lex_serial = njit(nogil=True)(meet_lex.py_func)
gather_serial = njit(nogil=True)(gather.py_func)
