"""Scratch arrays and adaptive state of the large neighbourhood search."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

__all__ = ["N_DESTROY", "N_REPAIR", "Search", "make_search"]

N_DESTROY = 7
N_REPAIR = 10  # random order, greedy, regret-2, regret-3, regret-4; each without / with noise

Search = namedtuple(
    "Search",
    [
        "ucost",  # (n, V) insertion cost table of unassigned requests
        "ui",  # (n, V)
        "uj",  # (n, V)
        "ulist",  # (n,) unassigned requests
        "buf",  # (n,) scratch list of requests
        "buf2",  # (n,) scratch
        "gain",  # (n,) scratch
        "vmark",  # (V,) scratch flags per vehicle
        "vtouched",  # (V,) 1 if the destroy step changed the route
        "rold",  # (n,) 1 if the request was unassigned before the destroy step
        "rallow",  # (n,) 1 if repair may insert the request (0: left for later, see solve's construction)
        "rtp",  # (n,) scratch: pickup time of each request in a solution
        "rtd",  # (n,) scratch: drop-off time of each request in a solution
        "dw",  # (N_DESTROY,) destroy weights
        "rw",  # (N_REPAIR,) repair weights
        "dscore",
        "rscore",
        "dcount",
        "rcount",
        "rng",  # (1,) uint64 generator state
        "fstats",  # float stats: [T0, best objective, -, largest arc cost]
        "istats",  # int stats: [iterations, new best, accepted worse, improved, iteration count at the last new best]
    ],
)


def make_search(n_requests: int, n_vehicles: int, seed_state: int) -> Search:
    """Return the search scratch and adaptive state."""
    n = max(n_requests, 1)
    rng = np.zeros(1, np.uint64)
    rng[0] = np.uint64(seed_state) | np.uint64(1)
    return Search(
        ucost=np.zeros((n, n_vehicles)),
        ui=np.zeros((n, n_vehicles), np.int64),
        uj=np.zeros((n, n_vehicles), np.int64),
        ulist=np.zeros(n, np.int64),
        buf=np.zeros(n, np.int64),
        buf2=np.zeros(n, np.int64),
        gain=np.zeros(n),
        vmark=np.zeros(max(n_vehicles, 1), np.int64),
        vtouched=np.ones(max(n_vehicles, 1), np.int64),
        rold=np.zeros(n, np.int64),
        rallow=np.ones(n, np.int64),
        rtp=np.zeros(n),
        rtd=np.zeros(n),
        dw=np.ones(N_DESTROY),
        rw=np.ones(N_REPAIR),
        dscore=np.zeros(N_DESTROY),
        rscore=np.zeros(N_REPAIR),
        dcount=np.zeros(N_DESTROY),
        rcount=np.zeros(N_REPAIR),
        rng=rng,
        fstats=np.zeros(4),
        istats=np.zeros(5, np.int64),
    )


# ---------------------------------------------------------------- repair
