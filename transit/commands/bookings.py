"""`transit bookings` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="bookings commands.", no_args_is_help=True)
