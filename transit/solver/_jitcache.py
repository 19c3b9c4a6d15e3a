"""Keep numba's on-disk cache of the solver kernels consistent.

numba caches each compiled function keyed by the source file that defines
it, but a function compiled together with callees from *other* files is
not invalidated when those files change. The compiled kernels of the
solver live in a few modules that call each other, so a stale cache could
run old code. :func:`ensure_fresh` hashes the sources of these modules and
removes their cached machine code when the hash differs from the one
recorded at the last compilation.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from pathlib import Path

__all__ = ["KERNEL_MODULES", "ensure_fresh"]

log = logging.getLogger(__name__)

KERNEL_MODULES = ("compiled", "schedule", "state", "search", "destroy", "repair", "localsearch", "alns", "pool")
"""Modules of this package holding numba kernels (or constants they use)."""

_STAMP = "transit_solver_kernels.sha256"


def _cache_dirs(here: Path) -> list[Path]:
    dirs = [here / "__pycache__"]
    env = os.environ.get("NUMBA_CACHE_DIR")
    if env:
        dirs.append(Path(env))
    return dirs


def ensure_fresh() -> None:
    """Delete cached kernels compiled from other sources than the current ones."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in KERNEL_MODULES:
        try:
            digest.update((here / f"{name}.py").read_bytes())
        except OSError:
            return
    current = digest.hexdigest()
    for cache in _cache_dirs(here):
        stamp = cache / _STAMP
        with contextlib.suppress(OSError):
            if stamp.read_text() == current:
                continue
        if not cache.is_dir():
            continue
        removed = 0
        for pattern in ("*.nbi", "*.nbc"):
            for f in cache.rglob(pattern):
                if any(f.name.startswith(f"{name}.") for name in KERNEL_MODULES):
                    with contextlib.suppress(OSError):
                        f.unlink()
                        removed += 1
        with contextlib.suppress(OSError):
            stamp.write_text(current)
        if removed:
            log.info("solver kernels changed: removed %d stale numba cache files", removed)
