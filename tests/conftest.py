"""Shared fixtures: where the shared real data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Messages are asserted in English: a developer's German locale must not change them
# (transit.util.i18n reads LANGUAGE first; tests of the language choice pass their own environment).
os.environ["LANGUAGE"] = "en"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder beside the repository (``../shared``)."""
    if not SHARED.is_dir():
        pytest.fail(f"shared data folder not found at {SHARED}")
    return SHARED


LONGEST_FIRST = (
    "test_fuzz_first_run.py",  # 241 s: compiles the solver in a subprocess on a fresh cache
    "test_jitcache.py",  # compiles the solver for the session when its cache is cold (4-5 min), else 1 s
    "test_sweep_run.py",  # 142 s
    "test_compare_cli.py",  # 124 s
    "test_fuzz_kill.py",  # 110 s
    "test_report.py",  # 94 s
    "test_flex_roundtrip.py",  # 87 s
    "test_compare_real.py",  # 61 s
    "test_school.py",  # 33 s
    "test_dispatch_day.py",  # 29 s
    "test_compare_days.py",  # 27 s
)
"""Test files in the order of their measured time, longest first.

Seconds of the files' slowest tests in one run with the kernels compiled
(``python -m pytest --durations=60``, 2026-12-07, the 2-core AMD VM). The two
processes of the suite (``--dist loadfile --no-loadscope-reorder`` in
pyproject.toml) take whole files in collection order, so the long files start
first and the short ones fill in at the end: no process is left alone with a
long file while the other idles. On a cold kernel cache (a fresh machine) the
first two files compile the solver side by side: one in a subprocess on its own
fresh cache (the first-run test), one for the session, before the files whose
subprocesses and dask workers would otherwise each compile it. Files not listed
follow in their usual order.
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the files of :data:`LONGEST_FIRST` first, in that order (a stable sort: a file's tests keep theirs)."""
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
