"""Settings of the search and its default budget."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from transit.darp.data import Problem
from transit.util.tomltable import build, check_keys, get_bool, get_int, get_number, get_text, read_toml

__all__ = ["SearchSettings", "default_iterations", "parse_search_settings", "read_search_settings"]


ACCEPTANCE = ("annealing", "record")
"""Acceptance rules of the search: simulated annealing, or record-to-record travel."""


@dataclass(frozen=True)
class SearchSettings:
    """Settings of the adaptive large neighbourhood search (same for every instance).

    Parameters
    ----------
    epoch
        Longest annealing run in iterations. A budget is split into equal
        runs of at most this length; each restarts from the best solution.
    q_min, q_max_frac, q_max_cap
        Requests removed per iteration: uniform in ``[q_min, q_max]`` with
        ``q_max = min(q_max_cap, q_max_frac * requests)``.
    t_start
        Start temperature: a solution this much worse (relative) than the
        best is accepted with probability 1/2.
    t_end
        Final temperature as a fraction of the start temperature.
    noise
        Amplitude of the insertion noise relative to the largest arc cost.
    segment, reaction, sigma1, sigma2, sigma3
        Adaptive operator weights (Ropke & Pisinger 2006).
    worst_power, shaw_power
        Randomisation of worst and Shaw removal (higher = greedier).
    schedule_candidates
        When the objective depends on the schedule, the number of cheapest
        feasible insertion positions evaluated with the full schedule.
    polish_passes
        Passes of local search (:func:`transit.solver.localsearch.polish`:
        relocate, move breaks, exchange tails) on every new best solution.
    polish_vehicles
        0 (the default): the local search tries every vehicle. With more
        vehicles than a positive value, it tries each request in its own
        vehicle and the so many vehicles whose routes pass nearest to its
        pickup only, and exchanges route tails between such neighbours only
        (:mod:`transit.solver.localsearch`): its insertion tests then grow
        with the requests, not with requests times vehicles. On the simulated
        day of 30,000 requests and 300 vehicles, 40 re-optimised in 181 s
        instead of 238 s but served 0.1 points fewer requests (mean of three
        seeds; ``benchmarks/RESULTS.md``).
    polish_within
        Polish every candidate whose objective is below ``(1 + polish_within)``
        times the best (0: only candidates that beat the best).
    recombine_every
        Iterations between two set-partitioning recombinations of pooled routes.
    restart_from_best
        Each annealing run starts from the best solution so far.
    recombine_within
        Recombine only routes met in solutions within this fraction of the best.
    recombine_max_columns
        At most this many routes per recombination (those of the best
        solutions): keeps each set-partitioning model small enough to solve
        in a fraction of a second when the search stagnates and the pool of
        near-best routes grows.
    recombine_backoff
        After a recombination that finds nothing better the interval doubles,
        up to this many times ``recombine_every``; an improvement resets it.
    acceptance
        ``"annealing"`` (simulated annealing on the objective) or ``"record"``
        (record-to-record travel: accept a candidate within the current
        temperature's threshold of the best).
    converge_per_request, converge_factor
        Convergence rule of a search that runs until its time limit
        (``solve(..., search_until="time")``): it stops early once the best
        solution has not improved for ``max(converge_per_request * requests,
        converge_factor * i)`` iterations, where ``i`` is the iteration of
        the last improvement (see :meth:`converged`).
    """

    epoch: int = 5000
    q_min: int = 2
    q_max_frac: float = 0.5
    q_max_cap: int = 40
    t_start: float = 0.02
    t_end: float = 0.002
    noise: float = 0.025
    segment: int = 100
    reaction: float = 0.1
    sigma1: float = 33.0
    sigma2: float = 9.0
    sigma3: float = 13.0
    worst_power: float = 3.0
    shaw_power: float = 6.0
    schedule_candidates: int = 3
    polish_passes: int = 3
    polish_vehicles: int = 0
    polish_within: float = 0.0
    recombine_every: int = 1000
    restart_from_best: bool = True
    recombine_within: float = 0.02
    recombine_max_columns: int = 800
    recombine_backoff: int = 4
    acceptance: str = "annealing"
    converge_per_request: int = 1000
    converge_factor: float = 2.0

    def converged(self, done: int, last_improvement: int, n_requests: int) -> bool:
        """Return True if a search that last improved at ``last_improvement`` has converged.

        The rule: no new best solution during the last
        ``max(converge_per_request * n_requests, converge_factor * last_improvement)``
        of the ``done`` iterations.
        """
        quiet = max(self.converge_per_request * max(1, n_requests), self.converge_factor * last_improvement)
        return done - last_improvement >= quiet

    def epoch_length(self, iterations: int) -> int:
        """Return the length of one annealing run for a budget of ``iterations``."""
        runs = max(1, -(-iterations // max(1, self.epoch)))
        return max(1, -(-iterations // runs))

    def params(self, n_requests: int, iterations: int) -> np.ndarray:
        """Return the parameter vector of :func:`transit.solver.alns.alns_chunk`."""
        q_min = max(1, min(self.q_min, n_requests))
        q_max = max(q_min, min(self.q_max_cap, int(round(self.q_max_frac * n_requests))))
        return np.array(
            [
                self.epoch_length(iterations),
                q_min,
                q_max,
                self.t_start,
                self.t_end,
                self.noise,
                self.segment,
                self.reaction,
                self.sigma1,
                self.sigma2,
                self.sigma3,
                self.worst_power,
                self.shaw_power,
                self.schedule_candidates,
                self.polish_passes,
                self.polish_within,
                1.0 if self.restart_from_best else 0.0,
                1.0 if self.acceptance == "record" else 0.0,
                -1.0,
                self.polish_vehicles,
            ],
            dtype=np.float64,
        )


def default_iterations(problem: Problem) -> int:
    """Return the default search budget: 200 iterations per request, 2,000 to 20,000.

    About 15 s for 72 requests and 6 vehicles on a 2020s laptop core; callers
    with a tighter time budget pass ``iterations`` (or rely on ``time_limit``).
    """
    n = len(problem.requests)
    return int(min(20_000, max(2_000, 200 * n)))


def parse_search_settings(
    data: Mapping[str, Any], *, source: str | None = None, table: str = "search"
) -> SearchSettings:
    """Return :class:`SearchSettings` from a TOML table; keys left out keep their defaults.

    Raises
    ------
    InputError
        If a key is unknown or a value is of the wrong kind or not positive;
        the message names the file and the key.
    """
    fields = dataclasses.fields(SearchSettings)
    check_keys(data, [f.name for f in fields], source=source, table=table)
    values: dict[str, Any] = {}
    for f in fields:
        if f.name not in data:
            continue
        if f.name == "acceptance":
            values[f.name] = get_text(data, f.name, None, source=source, table=table, choices=ACCEPTANCE)
        elif isinstance(f.default, bool):
            values[f.name] = get_bool(data, f.name, None, source=source, table=table)
        elif isinstance(f.default, int):
            values[f.name] = get_int(data, f.name, None, source=source, table=table, lo=0)
        else:
            values[f.name] = get_number(data, f.name, None, source=source, table=table, minimum=0.0)
    return build(SearchSettings, values, source=source, table=table)


def read_search_settings(path: str | os.PathLike[str]) -> SearchSettings:
    """Read :class:`SearchSettings` from a TOML file (its keys at the top or in a ``[search]`` table)."""
    doc = read_toml(path, what="search settings file")
    data = doc["search"] if set(doc) == {"search"} and isinstance(doc["search"], Mapping) else doc
    return parse_search_settings(data, source=str(path), table="search" if data is not doc else "")
