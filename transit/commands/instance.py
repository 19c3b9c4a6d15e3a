"""`transit instance` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="instance commands.", no_args_is_help=True)
