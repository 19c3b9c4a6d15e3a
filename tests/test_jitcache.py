"""The solver's kernel cache: keyed by the kernel sources, pruned of this package's old caches only, outside the source tree.

numba's cache of this package's kernels lives in the user's cache folder (or
``$NUMBA_CACHE_DIR/transit``): it survives ``PYTHONDONTWRITEBYTECODE=1`` and
read-only installs. The first run on a fresh cache is tested in
``test_fuzz_first_run.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from transit.util import jitcache

REPO = Path(__file__).resolve().parents[1]
SOLVER = REPO / "transit" / "solver"


def test_cache_folder_is_keyed_by_the_kernel_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "nc"))
    src = tmp_path / "pkg"
    src.mkdir()
    (src / "k.py").write_text("from numba import njit\n@njit(cache=True)\ndef f(x):\n    return x + 1\n")
    (src / "consts.py").write_text("A = 1\n")
    (src / "other.py").write_text("B = 2\n")
    first = jitcache.kernel_cache_dir(src, ["consts"])
    assert first.is_relative_to(tmp_path / "nc" / "transit")
    (src / "other.py").write_text("B = 3\n")  # not a kernel module: same cache
    assert jitcache.kernel_cache_dir(src, ["consts"]) == first
    (src / "consts.py").write_text("A = 2\n")  # a constant the kernels use: a new cache
    second = jitcache.kernel_cache_dir(src, ["consts"])
    assert second != first and second.parent == first.parent
    (src / "k.py").write_text("from numba import njit\n@njit(cache=True)\ndef f(x):\n    return x + 2\n")
    assert jitcache.kernel_cache_dir(src, ["consts"]) not in (first, second)


def test_pruning_touches_only_this_folders_old_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "nc"))
    src = tmp_path / "pkg"
    (src / "__pycache__").mkdir(parents=True)
    (src / "k.py").write_text("from numba import njit\n")
    current = jitcache.kernel_cache_dir(src)
    old = current.parent / ("0" * 20)
    for d in (current, old):
        d.mkdir(parents=True)
        os.utime(d, (1_000_000_000, 1_000_000_000))
    foreign = tmp_path / "nc" / "someone-else" / "state.f-1.py311.nbi"  # another package's kernel
    foreign.parent.mkdir(parents=True)
    foreign.write_text("x")
    legacy = src / "__pycache__" / "k.f-3.py311.nbi"  # numba's old in-tree cache of our module
    legacy.write_text("x")
    unrelated = src / "__pycache__" / "state.f-3.py311.nbi"
    unrelated.write_text("x")
    assert jitcache.prune_kernels(src) == 1
    assert current.is_dir() and not old.exists()
    assert foreign.exists() and unrelated.exists() and not legacy.exists()


def test_the_solver_kernels_are_cached_outside_the_source_tree() -> None:
    import transit.solver  # noqa: F401 - routes the cache
    from transit.solver._jitcache import KERNEL_MODULES, compile_kernels, kernels_ready

    compile_kernels()
    assert kernels_ready()
    cache = jitcache.kernel_cache_dir(SOLVER, KERNEL_MODULES)
    assert not cache.is_relative_to(REPO)
    cached = {p.name.split(".", 1)[0] for p in cache.glob("*.nbi")}
    assert {"schedule", "state", "alns"} <= cached
    assert not list((SOLVER / "__pycache__").glob("*.nbi")) if (SOLVER / "__pycache__").is_dir() else True
