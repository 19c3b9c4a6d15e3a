"""Typer sub-apps behind ``cli.py``: thin commands over the package."""
