"""Gravity model: choose destinations by attractiveness and travel time."""

from __future__ import annotations

import numpy as np

__all__ = ["gravity_probabilities"]


def gravity_probabilities(time_s: np.ndarray, weight: np.ndarray, beta_per_min: float) -> np.ndarray:
    """Return destination-choice probabilities for each origin.

    ``P[i, j]`` is proportional to ``weight[j] * exp(-beta * time_s[i, j] / 60)``
    (the negative exponential deterrence function; Ortúzar & Willumsen,
    *Modelling Transport*). Unreachable pairs (``inf``) get probability 0; an
    origin that reaches no destination gets a row of zeros.

    Parameters
    ----------
    time_s
        Travel times, seconds, shape (origins, destinations).
    weight
        Attractiveness of each destination (>= 0).
    beta_per_min
        Deterrence per minute of travel time.
    """
    t = np.asarray(time_s, dtype=float)
    w = np.asarray(weight, dtype=float)
    finite = np.isfinite(t)
    # subtract each row's smallest time so exp() cannot underflow to all zeros
    tmin = np.where(finite, t, np.inf).min(axis=1, keepdims=True)
    tmin = np.where(np.isfinite(tmin), tmin, 0.0)
    util = np.where(finite, np.exp(-beta_per_min * (np.where(finite, t, 0.0) - tmin) / 60.0), 0.0) * w[None, :]
    total = util.sum(axis=1, keepdims=True)
    return np.divide(util, total, out=np.zeros_like(util), where=total > 0)
