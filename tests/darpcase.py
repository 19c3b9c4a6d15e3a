"""Synthetic dial-a-ride instances in the Cordeau & Laporte (2003) file layout.

The ten pr instances not in ``../shared/benchmarks/darp-pr`` are kept apart
for measuring; tests use instances of their sizes made the way SOURCE.md
describes the set: coordinates in [-10, 10], one depot at the centre, service
10, one passenger per request, half of the requests with the tight window on
the pickup and half on the drop-off, windows 15-44 min (pr01-pr10) or 30-89
min (pr11-pr20), Q = 6, L = 90, T = 480.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

PR_SIZES = {
    "pr06": (13, 144), "pr07": (4, 36), "pr08": (6, 72), "pr09": (8, 108), "pr10": (10, 144),
    "pr16": (13, 144), "pr17": (4, 36), "pr18": (6, 72), "pr19": (8, 108), "pr20": (10, 144),
}
"""Vehicles and requests of the held-out pr instances (Cordeau & Laporte 2003, table 1)."""


def pr_like_text(vehicles: int, requests: int, *, wide: bool, seed: int) -> str:
    """Return the text of a pr-like instance (header ``K 2n T Q L``, no end-depot line)."""
    rng = np.random.default_rng(seed)
    n = requests
    xy = rng.uniform(-10.0, 10.0, size=(2 * n, 2))
    lo, hi = (30.0, 89.0) if wide else (15.0, 44.0)
    width = rng.uniform(lo, hi, size=n)
    start = rng.uniform(60.0, 480.0, size=n)
    lines = [f"{vehicles} {2 * n} 480 6 90", f"{0:3d} {0.0:8.3f} {0.0:8.3f}  0  0    0 1440"]
    pick, drop = [], []
    for r in range(n):
        e, l = float(round(start[r])), float(round(start[r] + width[r]))
        direct = float(np.hypot(*(xy[r] - xy[n + r])))
        if r < n // 2:  # outbound: the tight window on the pickup
            pw, dw = (e, l), (0.0, 1440.0)
        else:  # inbound: the tight window on the drop-off, reachable by a direct trip
            e2 = max(e, 10.0 + direct + 30.0)
            pw, dw = (0.0, 1440.0), (e2, max(l, e2 + lo))
        pick.append(f"{r + 1:3d} {xy[r, 0]:8.3f} {xy[r, 1]:8.3f} 10  1 {pw[0]:4.0f} {pw[1]:4.0f}")
        drop.append(f"{n + r + 1:3d} {xy[n + r, 0]:8.3f} {xy[n + r, 1]:8.3f} 10 -1 {dw[0]:4.0f} {dw[1]:4.0f}")
    return "\n".join(lines + pick + drop) + "\n"


def write_pr_like(folder: Path, name: str, *, seed: int = 0) -> Path:
    """Write a pr-like instance with the size of ``name`` (a held-out pr instance); return its path."""
    vehicles, requests = PR_SIZES[name]
    path = folder / f"{name}x.txt"
    path.write_text(pr_like_text(vehicles, requests, wide=int(name[2:]) > 10, seed=seed), encoding="utf-8")
    return path
