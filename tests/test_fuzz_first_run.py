"""The first run compiles the solver visibly, once; later runs load it, whatever the environment.

numba's cache of this package's kernels lives in the user's cache folder (or
``$NUMBA_CACHE_DIR/transit``), keyed by the kernel sources: it survives
``PYTHONDONTWRITEBYTECODE=1`` and read-only installs (the cache itself:
``test_jitcache.py``). This file holds the one test that compiles the kernels
in a subprocess on a fresh cache (about four minutes): tests/conftest.py runs
it first, beside ``test_jitcache.py``, which compiles them for the session.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fuzzcase import World, make_world

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("firstrun"))


def _snapshot(cache: Path) -> dict[str, int]:
    return {str(p.relative_to(cache)): p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_first_run_compiles_visibly_and_the_second_run_does_not(world: World, tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONDONTWRITEBYTECODE": "1"}

    def dispatch(out: str) -> subprocess.CompletedProcess[str]:
        args = ["dispatch", str(world.bookings), "--network", str(world.graph), "--fleet", str(world.fleet),
                "--out", str(tmp_path / out), "--iterations", "50"]
        return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=1800)

    first = dispatch("day1")
    assert first.returncode == 0, first.stderr
    assert "compiling the solver, once: a few minutes" in first.stderr
    before = _snapshot(cache)
    assert any(name.endswith(".nbc") for name in before)
    second = dispatch("day2")  # a fresh process, as in a new shell
    assert second.returncode == 0, second.stderr
    assert "compiling" not in second.stderr
    assert _snapshot(cache) == before  # nothing compiled, nothing written: every kernel came from the cache
    assert (tmp_path / "day1" / "routes.csv").read_bytes() == (tmp_path / "day2" / "routes.csv").read_bytes()
