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
