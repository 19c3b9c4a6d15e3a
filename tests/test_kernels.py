"""Many-to-many kernels: exact times and tie-broken lengths against independent references."""

from __future__ import annotations

import heapq
import math

import networkx as nx
import numpy as np
import pytest

from transit.errors import InputError
from transit.kernels import AUTO_MIN_NODES, build_kernel
from transit.kernels import _cch_numba as nb
from transit.kernels.cch import CCHKernel, _packing_shift
from transit.kernels.order import bisection_order, nested_dissection_order
from transit.kernels.scipy_kernel import ScipyKernel

KINDS = ("scipy", "cch")


# ---------------------------------------------------------------- references
def lex_dijkstra(n, tail, head, time, length_m, source):
    """Return {node: (time, length_mm)}: fastest, then shortest, from ``source`` (heapq)."""
    out_arcs = [[] for _ in range(n)]
    for u, v, t, ln in zip(tail, head, time, length_m):
        out_arcs[int(u)].append((int(v), int(t), int(round(ln * 1000))))
    best = {source: (0, 0)}
    heap = [(0, 0, source)]
    done = set()
    while heap:
        t, ln, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        for v, dt, dl in out_arcs[u]:
            cand = (t + dt, ln + dl)
            if v not in best or cand < best[v]:
                best[v] = cand
                heapq.heappush(heap, (cand[0], cand[1], v))
    return best


def reference(n, tail, head, time, length_m, sources, targets, cutoff=math.inf):
    """Return (time, length) matrices from :func:`lex_dijkstra`."""
    T = np.full((len(sources), len(targets)), np.inf)
    L = np.full((len(sources), len(targets)), np.inf)
    for i, s in enumerate(sources):
        best = lex_dijkstra(n, tail, head, time, length_m, int(s))
        for j, t in enumerate(targets):
            if int(t) in best and best[int(t)][0] <= cutoff:
                T[i, j] = best[int(t)][0]
                L[i, j] = best[int(t)][1] / 1000.0
    return T, L


def nx_times(n, tail, head, time, sources, targets):
    """Return the time matrix from networkx single-source Dijkstra (parallel arcs kept)."""
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(n))
    for u, v, t in zip(tail, head, time):
        G.add_edge(int(u), int(v), w=float(t))
    T = np.full((len(sources), len(targets)), np.inf)
    for i, s in enumerate(sources):
        dist = nx.single_source_dijkstra_path_length(G, int(s), weight="w")
        for j, t in enumerate(targets):
            T[i, j] = dist.get(int(t), np.inf)
    return T


def random_graph(rng, n=120, m=420, *, max_w=6, parts=2):
    """A messy directed graph: several parts, isolated nodes, one-way and parallel
    arcs, self-loops, zero weights and many ties."""
    block = n // parts
    tail, head = [], []
    for p in range(parts):
        lo, hi = p * block, (p + 1) * block - 3  # the last 3 nodes of a part are isolated
        tail.append(rng.integers(lo, hi, m // parts))
        head.append(rng.integers(lo, hi, m // parts))
    tail = np.concatenate(tail)
    head = np.concatenate(head)
    # parallel copies with other weights, and self-loops
    dup = rng.choice(len(tail), len(tail) // 10, replace=False)
    loops = rng.integers(0, n, 5)
    tail = np.concatenate([tail, tail[dup], loops])
    head = np.concatenate([head, head[dup], loops])
    time = rng.integers(0, max_w, len(tail)).astype(np.float64)  # zeros and ties
    length = rng.integers(0, 4, len(tail)) * 250.0 + rng.integers(0, 3, len(tail)) * 0.001
    lat = 50.0 + rng.random(n) * 0.1
    lon = 11.0 + rng.random(n) * 0.1
    return n, tail, head, time, length, lat, lon


def assert_same(a, b):
    """Exact equality of (time, length) pairs, inf included."""
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


# ------------------------------------------------------------ random graphs
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("coords", [True, False])
def test_random_graphs_match_references(seed, coords):
    rng = np.random.default_rng(seed)
    n, tail, head, time, length, lat, lon = random_graph(rng)
    src = rng.integers(0, n, 25)
    tgt = rng.integers(0, n, 30)
    want = reference(n, tail, head, time, length, src, tgt)
    np.testing.assert_array_equal(want[0], nx_times(n, tail, head, time, src, tgt))
    assert np.isinf(want[0]).any() and np.isfinite(want[0]).any()
    for kind in KINDS:
        k = build_kernel(tail, head, time, length, n, kind=kind,
                         lat=lat if coords else None, lon=lon if coords else None)
        assert k.name == kind
        assert_same(k.matrix(src, tgt), want)
    two_pass = ScipyKernel(_arcs(tail, head, time, length, n), packed=False)
    assert two_pass.shift is None
    assert_same(two_pass.matrix(src, tgt), want)


def test_scipy_kernel_redoes_a_batch_whose_packing_is_not_provably_exact(monkeypatch):
    # the busiest node (0, a hub) sees only 1 ms of travel, so the packed
    # weights are sized for short trips; the long chain 6 -> ... -> 56 is
    # too long for them and must be redone with two passes
    hub_t, hub_h = np.zeros(5, dtype=np.int64), np.arange(1, 6)
    chain_t, chain_h = np.arange(6, 56), np.arange(7, 57)
    tail = np.concatenate([hub_t, chain_t])
    head = np.concatenate([hub_h, chain_h])
    time = np.concatenate([np.ones(5), np.full(50, 10.0)])
    length = np.concatenate([np.full(5, 0.001), np.full(50, 10.0)])
    n = 57
    k = ScipyKernel(_arcs(tail, head, time, length, n))
    assert k.shift is not None
    calls = []
    real = ScipyKernel._two_pass
    monkeypatch.setattr(ScipyKernel, "_two_pass", lambda self, *a: calls.append(1) or real(self, *a))
    src = np.array([0, 6, 30])
    assert_same(k.matrix(src, np.arange(n)), reference(n, tail, head, time, length, src, np.arange(n)))
    assert calls
    calls.clear()
    k.matrix(np.array([0]), np.arange(n))
    assert not calls  # short trips stay on the packed path


@pytest.mark.parametrize("method", ["metis", "inertial", "bisection"])
def test_cch_orders_give_equal_results(method):
    if method == "inertial":
        pytest.importorskip("routingkit_cch")
    rng = np.random.default_rng(11)
    n, tail, head, time, length, lat, lon = random_graph(rng, n=300, m=900, parts=3)
    k = CCHKernel(_arcs(tail, head, time, length, n), lat=lat, lon=lon, order_method=method)
    src = rng.integers(0, n, 40)
    assert_same(k.matrix(src, src), reference(n, tail, head, time, length, src, src))


def _arcs(tail, head, time, length, n):
    from transit.kernels._arcs import normalize_arcs

    return normalize_arcs(tail, head, time, length, n)


def test_grid_with_many_equal_times():
    # a 15 x 15 grid with unit times: many equally fast paths, lengths decide
    side = 15
    G = nx.grid_2d_graph(side, side).to_directed()
    index = {node: i for i, node in enumerate(G.nodes)}
    rng = np.random.default_rng(3)
    tail = np.array([index[u] for u, _ in G.edges])
    head = np.array([index[v] for _, v in G.edges])
    time = np.full(len(tail), 1000.0)
    length = rng.integers(1, 5, len(tail)) * 1.0
    n = side * side
    lat = np.array([50 + r * 0.001 for r, _ in G.nodes])
    lon = np.array([11 + c * 0.001 for _, c in G.nodes])
    src = np.arange(0, n, 7)
    want = reference(n, tail, head, time, length, src, np.arange(n))
    for kind in KINDS:
        k = build_kernel(tail, head, time, length, n, kind=kind, lat=lat, lon=lon)
        assert_same(k.matrix(src, np.arange(n)), want)


# ----------------------------------------------------------------- tie rule
def test_length_tie_rule_prefers_faster_then_shorter():
    #   0 -> 1 -> 3 : time 10 + 10, length 100 + 100
    #   0 -> 2 -> 3 : time  5 + 15, length  50 + 100  (as fast, shorter: chosen)
    #   0 -> 3      : time 21, length 10              (shorter but slower)
    tail = np.array([0, 1, 0, 2, 0])
    head = np.array([1, 3, 2, 3, 3])
    time = np.array([10, 10, 5, 15, 21], dtype=float)
    length = np.array([100, 100, 50, 100, 10], dtype=float)
    for kind in KINDS:
        T, L = build_kernel(tail, head, time, length, 4, kind=kind).matrix(np.array([0]), np.array([3]))
        assert T[0, 0] == 20.0
        assert L[0, 0] == 150.0


def test_parallel_arcs_keep_fastest_then_shortest():
    tail = np.array([0, 0, 0, 1])
    head = np.array([1, 1, 1, 1])
    time = np.array([7, 5, 5, 0], dtype=float)
    length = np.array([1.0, 9.0, 3.0, 0.0])
    for kind in KINDS:
        T, L = build_kernel(tail, head, time, length, 2, kind=kind).matrix(np.array([0, 1]), np.array([0, 1]))
        np.testing.assert_array_equal(T, [[0, 5], [np.inf, 0]])
        np.testing.assert_array_equal(L, [[0, 3], [np.inf, 0]])


def test_lengths_sum_whole_millimetres():
    tail = np.array([0, 1])
    head = np.array([1, 2])
    time = np.array([1.0, 1.0])
    length = np.array([0.1234, 0.2004])  # 123 mm + 200 mm
    for kind in KINDS:
        _, L = build_kernel(tail, head, time, length, 3, kind=kind).matrix(np.array([0]), np.array([2]))
        assert L[0, 0] == 0.323


# ------------------------------------------------------------------ cutoff
@pytest.mark.parametrize("cutoff", [0.0, 3.0, 7.5, 12.0])
def test_cutoff_drops_exactly_the_slower_pairs(cutoff):
    rng = np.random.default_rng(5)
    n, tail, head, time, length, lat, lon = random_graph(rng, n=90, m=300)
    src = rng.integers(0, n, 20)
    full = reference(n, tail, head, time, length, src, np.arange(n))
    want = reference(n, tail, head, time, length, src, np.arange(n), cutoff=cutoff)
    assert (full[0] == math.floor(cutoff)).any()  # the bound itself is kept
    for kind in KINDS:
        k = build_kernel(tail, head, time, length, n, kind=kind, lat=lat, lon=lon)
        got = k.matrix(src, np.arange(n), cutoff=cutoff)
        assert_same(got, want)
        keep = full[0] <= cutoff
        np.testing.assert_array_equal(got[0][keep], full[0][keep])
        assert np.isinf(got[0][~keep]).all() and np.isinf(got[1][~keep]).all()


# --------------------------------------------------------------- shapes etc.
def test_duplicates_empty_and_self_pairs():
    rng = np.random.default_rng(2)
    n, tail, head, time, length, lat, lon = random_graph(rng, n=60, m=200)
    src = np.array([5, 5, 17, 5])
    tgt = np.array([17, 5, 5])
    for kind in KINDS:
        k = build_kernel(tail, head, time, length, n, kind=kind, lat=lat, lon=lon)
        T, L = k.matrix(src, tgt)
        assert T.shape == (4, 3) and T.dtype == np.float64 and L.dtype == np.float64
        np.testing.assert_array_equal(T[0], T[1])
        np.testing.assert_array_equal(T[0], T[3])
        assert T[0, 1] == 0 and L[0, 1] == 0 and T[2, 0] == 0
        e = k.matrix(np.array([], dtype=np.int64), tgt)
        assert e[0].shape == (0, 3) and e[1].shape == (0, 3)


def test_graph_without_arcs():
    one = build_kernel(np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([]), np.array([]), 1,
                       kind="cch")
    np.testing.assert_array_equal(one.matrix(np.array([0]), np.array([0]))[0], [[0.0]])
    for kind in KINDS:
        k = build_kernel(np.array([], dtype=np.int64), np.array([], dtype=np.int64),
                         np.array([]), np.array([]), 3, kind=kind)
        T, L = k.matrix(np.array([0, 1]), np.array([1, 2]))
        np.testing.assert_array_equal(T, [[np.inf, np.inf], [0, np.inf]])
        np.testing.assert_array_equal(L, [[np.inf, np.inf], [0, np.inf]])


def test_auto_picks_scipy_for_small_graphs_and_cch_for_large():
    side = math.isqrt(AUTO_MIN_NODES) + 1
    G = nx.grid_2d_graph(side, side).to_directed()
    index = {node: i for i, node in enumerate(G.nodes)}
    tail = np.array([index[u] for u, _ in G.edges])
    head = np.array([index[v] for _, v in G.edges])
    w = np.ones(len(tail))
    assert build_kernel(tail, head, w, w, side * side).name == "cch"
    assert build_kernel(np.array([0]), np.array([1]), np.ones(1), np.ones(1), 2).name == "scipy"


@pytest.mark.parametrize(
    ("kwargs", "column"),
    [
        ({"kind": "dijkstra"}, "kind"),
        ({"weight": np.array([1.0, -1.0])}, "weight"),
        ({"weight": np.array([1.0, 1.5])}, "weight"),
        ({"weight": np.array([1.0, np.nan])}, "weight"),
        ({"length": np.array([1.0, np.inf])}, "length"),
        ({"head": np.array([1, 3])}, "head"),
        ({"tail": np.array([-1, 0])}, "tail"),
    ],
)
def test_bad_input_raises_input_error(kwargs, column):
    args = {"tail": np.array([0, 1]), "head": np.array([1, 2]), "weight": np.array([1.0, 2.0]),
            "length": np.array([1.0, 2.0]), "n_nodes": 3, "kind": "scipy"}
    args.update(kwargs)
    with pytest.raises(InputError) as err:
        build_kernel(**args)
    assert err.value.column == column


@pytest.mark.parametrize("kind", KINDS)
def test_bad_points_and_cutoff(kind):
    k = build_kernel(np.array([0, 1]), np.array([1, 2]), np.array([1.0, 2.0]), np.ones(2), 3, kind=kind)
    with pytest.raises(InputError, match="sources"):
        k.matrix(np.array([3]), np.array([0]))
    with pytest.raises(InputError, match="targets"):
        k.matrix(np.array([0]), np.array([0.5]))
    with pytest.raises(InputError, match="cutoff"):
        k.matrix(np.array([0]), np.array([0]), cutoff=-1)


def test_mismatched_arrays():
    with pytest.raises(InputError, match="differ in length"):
        build_kernel(np.array([0, 1]), np.array([1]), np.ones(2), np.ones(2), 3)


# ------------------------------------------------------------- CCH internals
def test_chordal_supergraph_is_chordal_and_contains_the_graph():
    rng = np.random.default_rng(8)
    n, tail, head, time, length, lat, lon = random_graph(rng, n=150, m=500, parts=2)
    k = CCHKernel(_arcs(tail, head, time, length, n), lat=lat, lon=lon)
    up = [set(k.up_idx[k.up_ptr[v]:k.up_ptr[v + 1]].tolist()) for v in range(n)]
    for u, v in zip(k.rank[tail], k.rank[head]):
        if u != v:
            assert max(u, v) in up[min(u, v)]
    for v in range(n):
        higher = sorted(up[v])
        assert all(x > v for x in higher)
        assert k.parent[v] == (higher[0] if higher else -1)
        for i, x in enumerate(higher):
            assert set(higher[i + 1:]) <= up[x]  # higher neighbours form a clique
    # preorder ranges describe subtrees
    for v in range(n):
        p = k.parent[v]
        if p >= 0:
            assert k.pre[p] < k.pre[v] < k.pre[p] + k.size[p]
            assert k.depth[v] == k.depth[p] + 1


def test_unpacked_meet_used_for_huge_sums_gives_same_result():
    # lengths of 10^10 m and times of 10^6 cannot be packed in one int64
    rng = np.random.default_rng(4)
    n, tail, head, time, _, lat, lon = random_graph(rng, n=40, m=100, parts=1)
    time = time * 1_000_000
    length = rng.integers(1, 9, len(tail)) * 1e10
    sums = time.sum() < 2**53 and (np.rint(length * 1000)).sum() < 2**53
    assert sums
    k = CCHKernel(_arcs(tail, head, time, length, n), lat=lat, lon=lon)
    src = np.arange(n)
    s_node, s_key, _ = k._prepare(src)
    Ut, Ul = k._sweep(s_node, s_key, True, int(nb.INF))
    Bt, Bl = k._sweep(s_node, s_key, False, int(nb.INF))
    assert _packing_shift(Ut, Ul, Bt, Bl) == 0
    assert_same(k.matrix(src, src), reference(n, tail, head, time, length, src, src))


def test_bisection_order_is_a_permutation_with_and_without_coordinates():
    rng = np.random.default_rng(9)
    n, tail, head, *_ , lat, lon = random_graph(rng, n=400, m=1200, parts=3)
    for xy in (None, np.column_stack([lon, lat])):
        order = bisection_order(n, tail, head, xy=xy)
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
    for method in ("auto", "metis", "bisection"):
        order = nested_dissection_order(n, tail, head, method=method)
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
    with pytest.raises(ValueError, match="unknown order"):
        nested_dissection_order(n, tail, head, method="random")


# --------------------------------------------------------------- real data
def _road_arrays(shared_dir, name):
    from transit.road.graph import build_graph
    from transit.road.travel import RoadNetwork

    net = RoadNetwork.from_graph(build_graph(shared_dir / "data" / "osm" / name))
    return net


def _check_real(net, rng, n_src):
    n = net.n_nodes
    src = rng.choice(n, n_src, replace=False)
    tgt = rng.choice(n, 150, replace=False)
    want_t = nx_times(n, net.tail, net.head, net.time_ms, src, tgt)
    want = reference(n, net.tail, net.head, net.time_ms, net.length_m, src, tgt)
    np.testing.assert_array_equal(want[0], want_t)
    assert np.isfinite(want_t).all()  # strongly connected
    for kind in KINDS:
        k = build_kernel(net.tail, net.head, net.time_ms, net.length_m, n, kind=kind, lat=net.lat, lon=net.lon)
        assert_same(k.matrix(src, tgt), want)
        cut = float(np.median(want_t))
        got = k.matrix(src, tgt, cutoff=cut)
        np.testing.assert_array_equal(got[0], np.where(want_t <= cut, want_t, np.inf))


def test_real_north_bayreuth_matches_networkx(shared_dir):
    _check_real(_road_arrays(shared_dir, "north-bayreuth.osm.gz"), np.random.default_rng(0), 30)


@pytest.mark.slow
def test_real_liechtenstein_matches_networkx(shared_dir):
    _check_real(_road_arrays(shared_dir, "liechtenstein-latest.osm.pbf"), np.random.default_rng(1), 40)


def test_cch_works_without_optional_order_packages(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pymetis", None)
    monkeypatch.setitem(sys.modules, "routingkit_cch", None)
    rng = np.random.default_rng(12)
    n, tail, head, time, length, lat, lon = random_graph(rng, n=80, m=260)
    with pytest.raises(ImportError):
        nested_dissection_order(n, tail, head, method="metis")
    k = build_kernel(tail, head, time, length, n, kind="cch", lat=lat, lon=lon)
    src = rng.integers(0, n, 15)
    assert_same(k.matrix(src, src), reference(n, tail, head, time, length, src, src))


def _child_matrix(k, src, queue):
    queue.put(k.matrix(src, src))


def test_cch_in_a_process_forked_after_parallel_use():
    # GNU OpenMP cannot run in a child forked after it started; the kernel
    # switches to its serial twins there instead of being killed
    import multiprocessing as mp

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    rng = np.random.default_rng(13)
    n, tail, head, time, length, lat, lon = random_graph(rng, n=600, m=2400, parts=1)
    k = build_kernel(tail, head, time, length, n, kind="cch", lat=lat, lon=lon)
    src = np.arange(0, n, 2)
    want = k.matrix(src, src)  # parallel in this process
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_matrix, args=(k, src, queue))
    child.start()
    got = queue.get(timeout=120)
    child.join(30)
    assert child.exitcode == 0
    assert_same(got, want)
