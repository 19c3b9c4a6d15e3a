"""`transit bookings` commands: check a bookings file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from transit.commands._common import parse_date, user_errors
from transit.commands._lang import LangOption, apply_lang
from transit.util.i18n import _

app = typer.Typer(help="Bookings files: check them against a road graph and a fleet.", no_args_is_help=True)


def _load_network(path: Path) -> Any:
    """Load a saved road graph as a RoadNetwork (a seam for tests)."""
    from transit.road.travel import RoadNetwork

    return RoadNetwork.load(path)


def _read_fleet(path: Path) -> Any:
    from transit.darp.fleet import read_fleet

    return read_fleet(path)


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
    lang: LangOption = None,
) -> None:
    """Validate a bookings file; print `OK: N bookings` or every problem (exit 2).

    With --fleet, bookings larger than every vehicle and bookings made too
    late to be served are listed as warnings (the file is valid; dispatch
    rejects them with that reason). A late booking's pickup
    would have to lie before booked_at plus the fleet's minimum lead time
    ([service] min_lead_min; arrival bookings are judged on the road graph's
    travel time when --network is given).
    """
    from transit.demand.bookings import read_bookings_file

    late, large = [], []
    with user_errors():
        apply_lang(lang)
        service_date = parse_date(date)
        fl = _read_fleet(fleet) if fleet is not None else None
        net = _load_network(network) if network is not None else None
        result = read_bookings_file(
            bookings, network=net, capacities=None if fl is None else fl.capacities, max_snap_m=max_snap,
            service_date=service_date,
        )
        if fl is not None:
            from transit.demand.bookings import capacity_problems
            from transit.dispatch.leadtime import lead_time_problems

            large = capacity_problems(result.bookings, fl.capacities, file=str(bookings), lines=result.lines)
            late = lead_time_problems(result.bookings, fl.service, network=net, file=str(bookings), lines=result.lines)
    for p in sorted([*large, *late], key=lambda e: e.row or 0):
        typer.echo(_("warning: {problem}").format(problem=p), err=True)
    typer.echo(_("OK: {n} bookings").format(n=len(result.bookings)))
    if large:
        typer.echo(
            _("{n} of them larger than every vehicle (see the warnings); dispatch rejects them").format(n=len(large))
        )
    if late:
        typer.echo(
            _("{n} of them booked too late to be served (see the warnings); dispatch rejects them").format(n=len(late))
        )
