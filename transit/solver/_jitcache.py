"""The solver's compiled kernels: their cache, and compiling them once with a visible step.

The cache lives in the user's cache folder (see :mod:`transit.util.jitcache`):
it survives ``PYTHONDONTWRITEBYTECODE=1`` and read-only installs, and is keyed
by the sources of every kernel module, so changed sources are compiled again
and a stale kernel is never run. :func:`ensure_fresh` removes the caches of
older sources, only this package's, and runs when the kernels are compiled
(:func:`compile_kernels`), never at import.
"""

from __future__ import annotations

from pathlib import Path

from transit.util.jitcache import is_compiled, mark_compiled, prune_kernels, route_kernels

__all__ = ["KERNEL_MODULES", "compile_kernels", "ensure_fresh", "kernels_ready", "route_solver_kernels"]

KERNEL_MODULES = ("compiled", "schedule", "state", "search", "destroy", "repair", "localsearch", "alns", "pool")
"""Modules of this package holding numba kernels or constants they use (others with kernels are found)."""

_HERE = Path(__file__).resolve().parent


def route_solver_kernels() -> Path:
    """Send numba's cache of the solver's kernels to the user's cache folder; return that folder.

    Called by ``transit/solver/__init__.py`` before any kernel module is imported.
    """
    return route_kernels(_HERE, KERNEL_MODULES)


def kernels_ready() -> bool:
    """Whether the solver's kernels are compiled in the cache (the next solve starts at once)."""
    return is_compiled(_HERE)


def ensure_fresh() -> int:
    """Remove cached kernels compiled from older sources of this package; return how many folders went."""
    return prune_kernels(_HERE, KERNEL_MODULES)


def compile_kernels() -> None:
    """Compile (or load from the cache) every solver kernel now, with a tiny problem; remember it."""
    import importlib

    importlib.import_module("transit.solver.solve")._load_kernels()  # solves a tiny problem once per process
    mark_compiled(_HERE)
    ensure_fresh()
