"""`transit bookings` commands: check a bookings file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from transit.commands._common import parse_date, user_errors

app = typer.Typer(help="Bookings files: check them against a road graph and a fleet.", no_args_is_help=True)


def _load_network(path: Path) -> Any:
    """Load a saved road graph as a RoadNetwork (a seam for tests)."""
    from transit.road.travel import RoadNetwork

    return RoadNetwork.load(path)


def fleet_capacities(path: Path) -> list[tuple[int, int]]:
    """Return ``(seats, wheelchair)`` of every vehicle of a fleet TOML file (validated in full)."""
    from transit.darp.fleet import read_fleet

    return read_fleet(path).capacities


@app.command("check")
def check(
    bookings: Annotated[Path, typer.Argument(help="The bookings CSV file.")],
    network: Annotated[
        Path | None, typer.Option("--network", help="Road graph (GraphML from `transit network build`).")
    ] = None,
    fleet: Annotated[
        Path | None, typer.Option("--fleet", help="Fleet TOML; bookings too large for every vehicle are errors.")
    ] = None,
    max_snap: Annotated[
        float, typer.Option("--max-snap", help="Largest distance from a point to the nearest road, metres.")
    ] = 500.0,
    date: Annotated[
        str | None, typer.Option("--date", help="Service day YYYY-MM-DD (default: the date in the file).")
    ] = None,
) -> None:
    """Validate a bookings file; print `OK: N bookings` or every problem (exit 2)."""
    from transit.demand.bookings import read_bookings

    with user_errors():
        service_date = parse_date(date)
        caps = fleet_capacities(fleet) if fleet is not None else None
        net = _load_network(network) if network is not None else None
        result = read_bookings(
            bookings, network=net, capacities=caps, max_snap_m=max_snap, service_date=service_date
        )
    typer.echo(f"OK: {len(result)} bookings")
