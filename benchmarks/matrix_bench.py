"""Travel-time matrix benchmark: networkx vs scipy vs the project's kernels.

One process, one run. For N = 200, 1,000 and 3,000 points on (a) the
Liechtenstein extract and (b) a ~60,000-node synthetic road-like graph
(``synthetic_graph.py``), it times on the same graph and the same points:

* ``networkx``: single-source Dijkstra per origin (time only). For large N a
  sample of origins is timed and the total extrapolated (the table says so);
* ``scipy``: ``scipy.sparse.csgraph.dijkstra`` from all origins (time only),
  in chunks of 500 origins to bound memory;
* ``scipy kernel``: the project's pure-scipy fallback, time *and* length of
  the fastest path (sampled and extrapolated for large N);
* ``cch``: the project's compiled kernel, time and length, without and with a
  20-minute cutoff (median of 3 calls; preprocessing reported apart).

It checks that the cch times equal scipy's exactly, that cch lengths equal
the scipy kernel's, and that networkx agrees on the sampled rows, then
prints a table and writes it as CSV and Markdown. Numba's cold compile time
is measured in a child process with an empty cache. A second table compares
the node orders the hierarchy can be built on (METIS, RoutingKit's inertial
flow if installed, the package's own bisection) on the synthetic graph.

Usage::

    python benchmarks/matrix_bench.py [--out out/matrix_bench] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_graph import ArcGraph, road_like_graph  # noqa: E402

from transit.util.atomic import atomic_write_text  # noqa: E402
from transit.kernels import build_kernel  # noqa: E402
from transit.kernels._arcs import normalize_arcs  # noqa: E402
from transit.kernels.cch import CCHKernel  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CUTOFF_MS = 20 * 60 * 1000.0
NX_SAMPLE = 40
SCIPY_KERNEL_SAMPLE = 200
SCIPY_CHUNK = 500

_COMPILE_SNIPPET = """
import time, numpy as np
t = time.perf_counter()
from transit.kernels import build_kernel
k = build_kernel(np.array([0, 1, 2]), np.array([1, 2, 0]), np.ones(3), np.ones(3), 3, kind="cch",
                 lat=np.array([0.0, 0.0, 1.0]), lon=np.array([0.0, 1.0, 0.0]))
k.matrix(np.array([0, 1]), np.array([1, 2]))
print(time.perf_counter() - t)
"""


@dataclass
class Row:
    """One line of the result table."""

    graph: str
    nodes: int
    arcs: int
    n: int
    networkx_s: float = float("nan")
    networkx_note: str = ""
    scipy_s: float = float("nan")
    scipy_kernel_s: float = float("nan")
    scipy_kernel_note: str = ""
    cch_s: float = float("nan")
    cch_min_s: float = float("nan")
    cch_cutoff_s: float = float("nan")
    cch_prep_s: float = float("nan")
    identical: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def liechtenstein() -> ArcGraph:
    """Return the drivable Liechtenstein graph as arcs (via transit.road.graph / RoadNetwork)."""
    from transit.road.graph import build_graph
    from transit.road.travel import RoadNetwork

    net = RoadNetwork.from_graph(build_graph(SHARED / "data" / "osm" / "liechtenstein-latest.osm.pbf"))
    return ArcGraph(np.asarray(net.tail), np.asarray(net.head), np.asarray(net.time_ms),
                    np.asarray(net.length_m), np.asarray(net.lat), np.asarray(net.lon))


def time_networkx(g: ArcGraph, pts: np.ndarray, sample: int) -> tuple[float, np.ndarray, np.ndarray, str]:
    """Time single-source Dijkstra from (a sample of) the origins; return (seconds for all, rows, sample idx, note)."""
    G = nx.DiGraph()
    G.add_nodes_from(range(g.n_nodes))
    G.add_weighted_edges_from(zip(g.tail.tolist(), g.head.tolist(), g.time_ms.tolist()), weight="w")
    idx = np.arange(len(pts)) if len(pts) <= sample else np.linspace(0, len(pts) - 1, sample).astype(int)
    rows = np.full((len(idx), len(pts)), np.inf)
    t0 = time.perf_counter()
    for r, i in enumerate(idx):
        dist = nx.single_source_dijkstra_path_length(G, int(pts[i]), weight="w")
        rows[r] = [dist.get(int(p), np.inf) for p in pts]
    spent = time.perf_counter() - t0
    note = "" if len(idx) == len(pts) else f"{len(idx)} origins timed, x{len(pts) / len(idx):.0f}"
    return spent * len(pts) / len(idx), rows, idx, note


def time_scipy(g: ArcGraph, pts: np.ndarray) -> tuple[float, np.ndarray]:
    """Time scipy's multi-source Dijkstra (time only) from all origins."""
    G = sp.csr_matrix((g.time_ms, (g.tail, g.head)), shape=(g.n_nodes, g.n_nodes))
    out = np.empty((len(pts), len(pts)))
    t0 = time.perf_counter()
    for c0 in range(0, len(pts), SCIPY_CHUNK):
        out[c0:c0 + SCIPY_CHUNK] = dijkstra(G, directed=True, indices=pts[c0:c0 + SCIPY_CHUNK])[:, pts]
    return time.perf_counter() - t0, out


def compile_seconds() -> float:
    """Return numba's cold compile time of the cch kernel (child process, empty cache)."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        res = subprocess.run([sys.executable, "-c", _COMPILE_SNIPPET], env=env, capture_output=True,
                             text=True, check=True, cwd=REPO)
    return float(res.stdout.strip().splitlines()[-1])


def bench_graph(name: str, g: ArcGraph, sizes: list[int], rng: np.random.Generator, log) -> list[Row]:
    """Run every method on one graph for every N."""
    rows = []
    t0 = time.perf_counter()
    cch = build_kernel(g.tail, g.head, g.time_ms, g.length_m, g.n_nodes, kind="cch", lat=g.lat, lon=g.lon)
    prep = time.perf_counter() - t0
    steps = ", ".join(f"{k} {v:.2f}s" for k, v in cch.build_seconds.items())
    log(f"{name}: {g.n_nodes:,} nodes, {len(g.tail):,} arcs; cch preprocessing {prep:.2f}s ({steps}; "
        f"order {cch.order_method}), "
        f"{cch.n_arcs:,} hierarchy arcs, tree depth {int(cch.depth.max()) + 1}")
    t0 = time.perf_counter()
    fallback = build_kernel(g.tail, g.head, g.time_ms, g.length_m, g.n_nodes, kind="scipy")
    fallback_prep = time.perf_counter() - t0
    for n in sizes:
        pts = rng.choice(g.n_nodes, n, replace=n > g.n_nodes)
        row = Row(name, g.n_nodes, len(g.tail), n, cch_prep_s=prep)
        row.extra["order_s"] = f"{cch.build_seconds['order']:.2f}"
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            T, L = cch.matrix(pts, pts)
            times.append(time.perf_counter() - t0)
        row.cch_s, row.cch_min_s = statistics.median(times), min(times)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            Tc, Lc = cch.matrix(pts, pts, cutoff=CUTOFF_MS)
            times.append(time.perf_counter() - t0)
        row.cch_cutoff_s = statistics.median(times)
        log(f"  N={n}: cch {row.cch_s:.3f}s (min {row.cch_min_s:.3f}), with cutoff {row.cch_cutoff_s:.3f}s")
        row.scipy_s, S = time_scipy(g, pts)
        log(f"  N={n}: scipy dijkstra {row.scipy_s:.2f}s")
        k = min(n, SCIPY_KERNEL_SAMPLE)
        t0 = time.perf_counter()
        FT, FL = fallback.matrix(pts[:k], pts)
        row.scipy_kernel_s = (time.perf_counter() - t0) * n / k + fallback_prep
        row.scipy_kernel_note = "" if k == n else f"{k} origins timed, x{n / k:.0f}"
        log(f"  N={n}: scipy kernel (time+length) {row.scipy_kernel_s:.2f}s {row.scipy_kernel_note}")
        sample = NX_SAMPLE if g.n_nodes > 10_000 or n > 1000 else n
        row.networkx_s, NX, idx, row.networkx_note = time_networkx(g, pts, sample)
        log(f"  N={n}: networkx {row.networkx_s:.1f}s {row.networkx_note}")
        checks = {
            "cch time == scipy": np.array_equal(T, S),
            "cch == scipy kernel": np.array_equal(T[:k], FT) and np.array_equal(L[:k], FL),
            "networkx rows": np.array_equal(NX, T[idx]),
            "cutoff": np.array_equal(Tc, np.where(S <= CUTOFF_MS, S, np.inf)) and np.array_equal(
                Lc, np.where(S <= CUTOFF_MS, L, np.inf)),
        }
        bad = [c for c, ok in checks.items() if not ok]
        row.identical = "yes" if not bad else "NO: " + ", ".join(bad)
        log(f"  N={n}: identical: {row.identical}")
        rows.append(row)
    return rows


def compare_orders(g: ArcGraph, rng: np.random.Generator, log) -> str:
    """Return a Markdown table: each order method's build and query times on ``g``."""
    arcs = normalize_arcs(g.tail, g.head, g.time_ms, g.length_m, g.n_nodes)
    pts = {n: rng.choice(g.n_nodes, n, replace=False) for n in (1000, 3000)}
    lines = ["| order | order s | contract + customise s | hierarchy arcs | tree depth | N=1,000 query s "
             "| N=3,000 query s |", "|" + "|".join(["---"] * 7) + "|"]
    want = None
    for method in ("metis", "inertial", "bisection"):
        try:
            k = CCHKernel(arcs, lat=g.lat, lon=g.lon, order_method=method)
        except ImportError:
            log(f"order {method}: package not installed, skipped")
            continue
        cells = []
        for n, p in pts.items():
            k.matrix(p, p)
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                T, L = k.matrix(p, p)
                times.append(time.perf_counter() - t0)
            cells.append(f"{min(times):.3f}")
            if n == 3000:
                if want is None:
                    want = (T, L)
                elif not (np.array_equal(T, want[0]) and np.array_equal(L, want[1])):
                    cells[-1] += " (DIFFERS)"
        b = k.build_seconds
        line = (f"| {method} | {b['order']:.2f} | {b['contract'] + b['customize']:.2f} | {k.n_arcs:,} "
                f"| {int(k.depth.max()) + 1} | {cells[0]} | {cells[1]} |")
        log(line)
        lines.append(line)
    return "\n".join(lines) + "\n"


def markdown(rows: list[Row]) -> str:
    """Return the result table in Markdown."""
    head = ("| graph | nodes | N | networkx | scipy dijkstra | scipy kernel (time+length) | cch query "
            "| cch query, 20 min cutoff | cch preprocessing | cch incl. preprocessing | identical |")
    lines = [head, "|" + "|".join(["---"] * 11) + "|"]
    for r in rows:
        nx_cell = f"{r.networkx_s:.1f} s" + (f" ({r.networkx_note})" if r.networkx_note else "")
        sk_cell = f"{r.scipy_kernel_s:.2f} s" + (f" ({r.scipy_kernel_note})" if r.scipy_kernel_note else "")
        lines.append(
            f"| {r.graph} | {r.nodes:,} | {r.n:,} | {nx_cell} | {r.scipy_s:.2f} s | {sk_cell} "
            f"| {r.cch_s:.3f} s | {r.cch_cutoff_s:.3f} s | {r.cch_prep_s:.2f} s "
            f"| {r.cch_prep_s + r.cch_s:.2f} s | {r.identical} |"
        )
    return "\n".join(lines) + "\n"


def to_csv(rows: list[Row]) -> str:
    """Return the result table as CSV."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["graph", "nodes", "arcs", "n", "networkx_s", "networkx_note", "scipy_s", "scipy_kernel_s",
                "scipy_kernel_note", "cch_median_s", "cch_min_s", "cch_cutoff_s", "cch_prep_s", "order_s",
                "identical"])
    for r in rows:
        w.writerow([r.graph, r.nodes, r.arcs, r.n, f"{r.networkx_s:.3f}", r.networkx_note, f"{r.scipy_s:.3f}",
                    f"{r.scipy_kernel_s:.3f}", r.scipy_kernel_note, f"{r.cch_s:.4f}", f"{r.cch_min_s:.4f}",
                    f"{r.cch_cutoff_s:.4f}", f"{r.cch_prep_s:.3f}", r.extra.get("order_s", ""), r.identical])
    return buf.getvalue()


def machine() -> str:
    """Return a one-line description of the machine and its load."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return f"{os.cpu_count()} cores ({cpu}); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="out/matrix_bench", help="output path without suffix (.csv and .md)")
    ap.add_argument("--quick", action="store_true", help="N = 200 only (a smoke run)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, flush=True)

    sizes = [200] if args.quick else [200, 1000, 3000]
    started = datetime.now(timezone.utc).astimezone()
    log(f"{started:%Y-%m-%d %H:%M %Z}; {machine()}")
    cold = compile_seconds()
    log(f"numba cold compile of the cch kernel (empty cache, child process): {cold:.1f}s")
    t0 = time.perf_counter()
    build_kernel(np.array([0, 1]), np.array([1, 0]), np.ones(2), np.ones(2), 2, kind="cch").matrix(
        np.array([0]), np.array([1]))
    log(f"warm-up in this process (cache load or compile): {time.perf_counter() - t0:.1f}s")
    rng = np.random.default_rng(args.seed)
    rows = []
    t0 = time.perf_counter()
    graph = liechtenstein()
    log(f"liechtenstein graph built in {time.perf_counter() - t0:.1f}s")
    rows += bench_graph("liechtenstein", graph, sizes, rng, log)
    t0 = time.perf_counter()
    graph = road_like_graph(60_000, seed=args.seed)
    log(f"synthetic graph built in {time.perf_counter() - t0:.1f}s")
    rows += bench_graph("synthetic-60k", graph, sizes, rng, log)
    orders = "" if args.quick else "\nNode orders on synthetic-60k (min of 3 calls):\n\n" + compare_orders(graph, rng, log)
    finished = datetime.now(timezone.utc).astimezone()
    table = markdown(rows) + orders
    header = (f"{started:%Y-%m-%d %H:%M}–{finished:%H:%M %Z}; {machine()} at the end; "
              f"numba cold compile {cold:.1f}s\n\n")
    log("\n" + header + table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out.with_suffix(".md"), header + table)
    atomic_write_text(out.with_suffix(".csv"), to_csv(rows))
    log(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.csv')}")
    return 0 if all(r.identical == "yes" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
