"""Time and memory of the solver's relatedness table for 10,000 requests on 500 places.

Usage (from the repository root): ``python benchmarks/darp_related_bench.py``.
"""

import time, resource, numpy as np
from transit.solver.compiled import _relatedness
rng = np.random.default_rng(0)
n, L = 10_000, 500
xy = rng.uniform(0, 20000, (L, 2))
tt = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) / 10
nloc = rng.integers(0, L, 2 * n)
ne = rng.uniform(0, 50000, 2 * n); nl = ne + rng.uniform(900, 5400, 2 * n)
r0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter(); nearest, sc = _relatedness(tt, nloc, ne, nl, n); el = time.perf_counter() - t
print(f"n={n}: {el:.2f} s, nearest {nearest.shape} {nearest.nbytes/1e6:.0f} MB, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1e3:.0f} MB (before {r0/1e3:.0f} MB)")
