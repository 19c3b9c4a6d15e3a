"""`transit dispatch` (placeholder until its developer lands it)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `dispatch` command(s) to the root app."""
