"""`transit network` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Road graphs from OpenStreetMap.", no_args_is_help=True)
