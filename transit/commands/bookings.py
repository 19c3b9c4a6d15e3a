"""`transit bookings` commands: check a bookings file."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer

from transit.commands._common import user_errors
from transit.errors import InputError

app = typer.Typer(help="Bookings files: check them against a road graph and a fleet.", no_args_is_help=True)


def _load_network(path: Path) -> Any:
    """Load a saved road graph as a RoadNetwork (a seam for tests)."""
    from transit.travel import RoadNetwork

    return RoadNetwork.load(path)


def fleet_capacities(path: Path) -> list[tuple[int, int]]:
    """Return ``(seats, wheelchair)`` of every ``[[vehicle]]`` of a fleet TOML file.

    Only these two keys are read here; the full fleet format belongs to the
    fleet module.

    Raises
    ------
    InputError
        If the file is missing, not TOML, has no vehicles or a bad capacity.
    """
    file = str(path)
    if not path.is_file():
        msg = "file not found"
        raise InputError(msg, file=file)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"not a valid TOML file ({exc})"
        raise InputError(msg, file=file) from None
    vehicles = data.get("vehicle")
    if not isinstance(vehicles, list) or not vehicles:
        msg = "no [[vehicle]] entries"
        raise InputError(msg, file=file, column="vehicle")
    caps = []
    for i, v in enumerate(vehicles, start=1):
        seats = v.get("seats") if isinstance(v, dict) else None
        wc = v.get("wheelchair", 0) if isinstance(v, dict) else None
        for key, value, minimum in (("seats", seats, 1), ("wheelchair", wc, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                msg = f"must be a whole number >= {minimum}, got {value!r}"
                raise InputError(msg, file=file, column=f"vehicle[{i}].{key}")
        caps.append((int(seats), int(wc)))  # type: ignore[arg-type]
    return caps


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
    from transit.bookings import read_bookings

    with user_errors():
        service_date = None
        if date is not None:
            try:
                service_date = dt.date.fromisoformat(date)
            except ValueError:
                msg = f"{date!r} is not a date (YYYY-MM-DD)"
                raise InputError(msg, column="--date") from None
        caps = fleet_capacities(fleet) if fleet is not None else None
        net = _load_network(network) if network is not None else None
        result = read_bookings(
            bookings, network=net, capacities=caps, max_snap_m=max_snap, service_date=service_date
        )
    typer.echo(f"OK: {len(result)} bookings")
