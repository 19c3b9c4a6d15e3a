"""`transit simulate` (placeholder until its developer lands it)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `simulate` command(s) to the root app."""
