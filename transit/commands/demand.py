"""`transit demand` commands: generate a day of bookings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from transit.commands._common import check_output_files, parse_date, progress_bar, user_errors
from transit.commands._lang import LangOption, apply_lang
from transit.errors import InputError
from transit.util.atomic import atomic_files
from transit.util.i18n import _
from transit.util.limits import check_limit

app = typer.Typer(help="Demand: generate plausible bookings for a rural region.", no_args_is_help=True)


@app.command("generate")
def generate(
    osm_file: Annotated[
        Path | None, typer.Argument(help="OSM file of the region (or use --instance).", show_default=False)
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Bookings CSV to write.")] = Path("bookings.csv"),
    instance: Annotated[
        str | None, typer.Option("--instance", help="A bundled instance instead of an OSM file, e.g. 'default'.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed; the same seed gives the same file.")] = 1,
    scale: Annotated[float, typer.Option("--scale", help="Multiply every trip rate.")] = 1.0,
    zones: Annotated[
        Path | None, typer.Option("--zones", help="Zones CSV (name, lat, lon, population) instead of OSM places.")
    ] = None,
    destinations: Annotated[
        Path | None,
        typer.Option("--destinations", help="Destinations CSV (name, category, lat, lon[, weight]) instead of OSM tags."),
    ] = None,
    network: Annotated[
        Path | None, typer.Option("--network", help="Road graph (GraphML) already built from the OSM file.")
    ] = None,
    date: Annotated[str | None, typer.Option("--date", help="Service day YYYY-MM-DD.")] = None,
    trips_out: Annotated[
        Path | None,
        typer.Option("--trips-out", help="Also write each booking's home zone, purpose and leg to this CSV."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")] = False,
    lang: LangOption = None,
) -> None:
    """Generate a day of bookings from villages, services and trip purposes."""
    from transit.demand import DemandParams, write_trip_info
    from transit.demand.bookings import read_bookings, write_bookings
    from transit.demand.day import demand_day

    with user_errors():
        apply_lang(lang)
        if (osm_file is None) == (instance is None):
            msg = _("give an OSM file or --instance NAME (not both)")
            raise InputError(msg, column="OSM_FILE")
        if instance is not None:
            from transit.util.instances import instance_osm

            osm_file = instance_osm(instance)
        assert osm_file is not None
        check_output_files(out, trips_out, force=force)
        if not scale >= 0:
            msg = _("must be >= 0, got {value}").format(value=scale)
            raise InputError(msg, column="--scale")
        check_limit("demand_scale", scale, column="--scale")
        params = DemandParams.default().replace(scale=scale)
        service_date = parse_date(date)
        if service_date is not None:
            params = params.replace(service_date=service_date)
        with progress_bar(_("demand")) as bar:
            region, demand = demand_day(
                osm_file,
                params,
                seed,
                network_file=network,
                zones_csv=zones,
                destinations_csv=destinations,
                progress=bar,
            )
        # Both files are one unit: written to temporaries, renamed together once both are complete.
        with atomic_files(*(p for p in (out, trips_out) if p is not None)) as temps:
            write_bookings(demand.bookings, temps[0], service_date=params.service_date)
            checked = read_bookings(temps[0])  # the same path as real bookings
            if trips_out is not None:
                write_trip_info(demand.trips, temps[1])
    pax = sum(b.passengers for b in checked)
    typer.echo(
        _("wrote {n} bookings ({passengers} passengers, {zones} zones, {destinations} destinations) to {path}").format(
            n=len(checked), passengers=pax, zones=len(region.zones), destinations=len(region.destinations), path=out)
    )
