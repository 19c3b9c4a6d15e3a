"""`transit export`: publish a scenario's designed service (GTFS and GTFS-Flex)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from transit.commands._common import check_output, progress_bar, user_errors
from transit.commands._lang import LangOption, apply_lang
from transit.util.i18n import _

app = typer.Typer(help="Publish the designed service: a model of a scenario as a GTFS / GTFS-Flex feed.",
                  no_args_is_help=True)


@app.command("gtfs")
def gtfs(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML (as for `transit compare`).")],
    model: Annotated[str, typer.Option("--model", help="Name of the model to publish (a [[models]] name).")],
    out: Annotated[Path, typer.Option("--out", help="The feed to write: FEED.zip (or a folder).")],
    agency: Annotated[
        Path | None,
        typer.Option("--agency", help="TOML with the agency, time zone, booking phone and URLs "
                     "(keys: transit/data/publish.toml; default: a placeholder agency).", show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing feed.")] = False,
    lang: LangOption = None,
) -> None:
    """Write the chosen model's service as a feed: lines as GTFS, zones, windows and booking rules as GTFS-Flex.

    Fixed lines and the hybrid's trunk become routes, trips, stop_times and shapes along the roads;
    Rufbus and AST trips are booked (pickup_type/drop_off_type 2 and a booking rule with the lead
    time; AST door zones in locations.geojson); on-demand zones and Bürgerbus service become
    GTFS-Flex zones or stop groups with pickup/drop-off windows. Written atomically; nothing is
    written if anything is wrong.
    """
    from transit.compare.run import load_region
    from transit.compare.scenario import load_scenario
    from transit.publish.feed import write_feed
    from transit.publish.model import export_model
    from transit.publish.settings import load_publish_settings
    from transit.road.travel import RoadNetwork

    with user_errors():
        apply_lang(lang)
        check_output(out, force=force)
        settings = load_publish_settings(agency)
        sc = load_scenario(scenario)
        names = [m.name for m in sc.models]
        if model not in names:
            from transit.errors import InputError

            msg = _("no model named {model!r} in {scenario} (models: {models})").format(
                model=model, scenario=scenario, models=", ".join(repr(n) for n in names))
            raise InputError(msg, column="--model")
        with progress_bar(_("publishing {model}").format(model=model)) as bar:
            bar(0, 2, _("road network"))
            network = RoadNetwork.from_graph(load_region(sc).graph)
            bar(1, 2, _("feed"))
            tables = export_model(sc, model, network=network, settings=settings)
            write_feed(tables, out, force=force)
            bar(2, 2, _("written"))
    counts = {name: len(rows) for name, rows in tables.rows.items()}
    zones = _(", {n} zones").format(n=len(tables.locations)) if tables.locations else ""
    typer.echo(_("wrote {path}: {routes} routes, {trips} trips, {stop_times} stop times").format(
        path=out, routes=counts.get("routes.txt", 0), trips=counts.get("trips.txt", 0),
        stop_times=counts.get("stop_times.txt", 0)) + zones)
    if settings.agency_url == "https://example.org/":
        typer.echo(_("note: the agency is a placeholder; give --agency FILE.toml with the operator's name, "
                     "web site and booking phone before publishing"), err=True)
