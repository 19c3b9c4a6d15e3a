"""`transit demand` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="demand commands.", no_args_is_help=True)
