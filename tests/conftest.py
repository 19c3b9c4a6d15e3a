"""Shared fixtures: where the shared real data lives."""

from __future__ import annotations

import os
from collections import Counter
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


FIRST = ("test_fuzz_first_run.py", "test_jitcache.py")
"""Test files that start the suite, one in each of its two processes.

The first-run test compiles the solver in a subprocess on a fresh cache (4-5
minutes, the longest test); ``test_jitcache.py`` compiles it for the session
when the user's kernel cache is cold (a fresh machine, as in CI), else takes a
second. Started together, the two compiles run side by side and end at about
the same time (265 and 264 s in a cold run), so the files after them find the
kernels compiled (before, both processes compiled them at once at the start,
and the first-run test compiled them a third time near the end). The other files follow as
pytest-xdist orders them by default (``--dist loadfile``; its reordering is off
in pyproject.toml so that this order holds): the files with the most tests
first.
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put :data:`FIRST` first, then the files by their number of tests (a stable sort: a file's tests keep their order)."""
    size = Counter(item.path for item in items)
    rank = {name: k for k, name in enumerate(FIRST)}
    items.sort(key=lambda item: (rank.get(item.path.name, len(rank)), -size[item.path]))
