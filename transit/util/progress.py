"""A small progress-reporting protocol for long work.

Library functions that take long accept ``progress: Progress | None`` and
call it with (done, total, message). They never print; the CLI decides how
to show it (a bar on a terminal, log lines otherwise).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Progress", "report", "stage"]


class Progress(Protocol):
    """Callback receiving progress of a long computation."""

    def __call__(self, done: float, total: float, message: str = "") -> None:
        """Report that ``done`` of ``total`` units are finished."""


def report(progress: Progress | None, done: float, total: float, message: str = "") -> None:
    """Call ``progress`` if one was given."""
    if progress is not None:
        progress(done, total, message)


def stage(progress: Progress | None, start: float, end: float, label: str = "") -> Progress | None:
    """Return a callback that maps a sub-task's progress onto ``[start, end]`` of 1.

    Messages are prefixed with ``label`` (e.g. ``"preparing region"``).
    """
    if progress is None:
        return None
    outer = progress

    def inner(done: float, total: float, message: str = "") -> None:
        share = done / total if total else 1.0
        text = f"{label}: {message}" if label and message else (label or message)
        outer(start + (end - start) * min(max(share, 0.0), 1.0), 1.0, text)

    return inner
