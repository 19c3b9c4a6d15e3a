"""Check and normalise the arc arrays every kernel starts from.

Kernels work on exact integers: travel time in the caller's unit (whole
milliseconds in :mod:`transit.road.travel`) and length in whole millimetres
(``round(length_m * 1000)`` per arc). All kernels therefore add the same
integers and agree to the last digit, ties included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from transit.errors import InputError

__all__ = ["Arcs", "normalize_arcs", "check_points", "check_cutoff", "INF", "EXACT_LIMIT"]

#: "Unreachable" in the integer kernels; twice it still fits an int64.
INF = np.int64(2**62 - 1)
#: Sums of all times (or all lengths) must stay below this so that every
#: path sum is exact in float64 and far from ``INF``.
EXACT_LIMIT = 2**53


@dataclass(frozen=True)
class Arcs:
    """A directed graph with one arc per ordered node pair and no self-loops.

    Attributes
    ----------
    n_nodes
        Number of nodes.
    tail, head
        Arc end points, int64.
    time
        Arc travel times, exact integers (int64).
    length_mm
        Arc lengths in whole millimetres (int64).
    """

    n_nodes: int
    tail: np.ndarray
    head: np.ndarray
    time: np.ndarray
    length_mm: np.ndarray


def normalize_arcs(
    tail: np.ndarray, head: np.ndarray, weight: np.ndarray, length: np.ndarray, n_nodes: int
) -> Arcs:
    """Check the arc arrays and reduce them to one best arc per node pair.

    Parallel arcs keep the fastest, then shortest; self-loops are dropped
    (they never shorten a path with non-negative weights).

    Raises
    ------
    InputError
        If the arrays differ in length, a node index is out of range, or a
        weight is negative, not finite or not a whole number.
    """
    n_nodes = int(n_nodes)
    if n_nodes < 0:
        msg = f"n_nodes must be >= 0, got {n_nodes}"
        raise InputError(msg, column="n_nodes")
    arrays = {"tail": tail, "head": head, "weight": weight, "length": length}
    arrs = {k: np.asarray(v).ravel() for k, v in arrays.items()}
    sizes = {k: len(v) for k, v in arrs.items()}
    if len(set(sizes.values())) > 1:
        msg = f"arc arrays differ in length: {sizes}"
        raise InputError(msg)
    for key in ("tail", "head"):
        a = arrs[key]
        if a.size and (a.dtype.kind not in "iuf" or not np.all(a == np.floor(a)) or a.min() < 0 or a.max() >= n_nodes):
            msg = f"node indices must be whole numbers in [0, {n_nodes})"
            raise InputError(msg, column=key)
    for key in ("weight", "length"):
        a = arrs[key].astype(np.float64)
        if a.size and (not np.all(np.isfinite(a)) or a.min() < 0):
            msg = "values must be finite and >= 0"
            raise InputError(msg, column=key)
    w = arrs["weight"].astype(np.float64)
    if w.size and not np.all(w == np.rint(w)):
        msg = "travel times must be whole numbers (e.g. milliseconds)"
        raise InputError(msg, column="weight")
    t = w.astype(np.int64)
    mm = np.rint(arrs["length"].astype(np.float64) * 1000.0).astype(np.int64)
    if t.sum(dtype=np.float64) >= EXACT_LIMIT or mm.sum(dtype=np.float64) >= EXACT_LIMIT:
        msg = "sum of all arc weights or lengths (mm) reaches 2**53; paths could not be summed exactly"
        raise InputError(msg, column="weight")
    u = arrs["tail"].astype(np.int64)
    v = arrs["head"].astype(np.int64)
    keep = u != v
    u, v, t, mm = u[keep], v[keep], t[keep], mm[keep]
    order = np.lexsort((mm, t, v, u))
    u, v, t, mm = u[order], v[order], t[order], mm[order]
    first = np.ones(len(u), dtype=bool)
    if len(u) > 1:
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return Arcs(n_nodes, u[first], v[first], t[first], mm[first])


def check_points(points: np.ndarray, n_nodes: int, what: str) -> np.ndarray:
    """Return ``points`` as a 1-D int64 array of node indices, checked against ``n_nodes``.

    Raises
    ------
    InputError
        If an index is not a whole number in ``[0, n_nodes)``.
    """
    arr = np.atleast_1d(np.asarray(points)).ravel()
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "f" and np.all(arr == np.floor(arr))):
        msg = "node indices must be whole numbers"
        raise InputError(msg, column=what)
    out = arr.astype(np.int64)
    if out.min() < 0 or out.max() >= n_nodes:
        msg = f"node indices must lie in [0, {n_nodes})"
        raise InputError(msg, column=what)
    return out


def check_cutoff(cutoff: float | None) -> float:
    """Return the cutoff as a float (``inf`` for none).

    Raises
    ------
    InputError
        If the cutoff is negative or NaN.
    """
    if cutoff is None:
        return float("inf")
    c = float(cutoff)
    if not c >= 0:
        msg = f"cutoff must be >= 0, got {cutoff}"
        raise InputError(msg, column="cutoff")
    return c
