"""A small progress-reporting protocol for long work.

Library functions that take long accept ``progress: Progress | None`` and
call it with (done, total, message). They never print; the CLI decides how
to show it (a bar on a terminal, log lines otherwise).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Progress", "report"]


class Progress(Protocol):
    """Callback receiving progress of a long computation."""

    def __call__(self, done: float, total: float, message: str = "") -> None:
        """Report that ``done`` of ``total`` units are finished."""


def report(progress: Progress | None, done: float, total: float, message: str = "") -> None:
    """Call ``progress`` if one was given."""
    if progress is not None:
        progress(done, total, message)
