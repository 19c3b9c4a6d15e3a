"""The ``transit`` command line: thin commands over the ``transit`` package.

Run ``transit --help`` (or ``python cli.py --help``) for the commands.
"""

from __future__ import annotations

import logging

import typer

from transit.commands import bench, bookings, compare, demand, dispatch, export, instance, network
from transit.commands._common import TransitGroup

app = typer.Typer(
    cls=TransitGroup,
    name="transit",
    help="Demand-responsive rural transit: road graphs, dial-a-ride plans, scenario comparison.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(network.app, name="network")
app.add_typer(bookings.app, name="bookings")
app.add_typer(demand.app, name="demand")
app.add_typer(instance.app, name="instance")
app.add_typer(bench.app, name="bench")
app.add_typer(export.app, name="export")
compare.register(app)
dispatch.register(app)


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details to stderr."),
) -> None:
    """Demand-responsive rural transit optimizer."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


if __name__ == "__main__":
    app()
