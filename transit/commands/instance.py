"""`transit instance` commands: the bundled instances."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from transit.commands._common import progress_bar, user_errors
from transit.commands._lang import LangOption, apply_lang
from transit.util.i18n import _

app = typer.Typer(help="Bundled instances: list them, rebuild the synthetic default district.", no_args_is_help=True)


@app.command("build-default")
def build_default(
    out: Annotated[Path, typer.Option("--out", help="Instance folder to write, e.g. instances/default.")],
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Random seed (default: the spec's).")] = None,
    spec: Annotated[
        Path | None, typer.Option("--spec", help="District spec TOML (default: the bundled one).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing folder.")] = False,
    lang: LangOption = None,
) -> None:
    """Generate the synthetic default district (OSM XML, GTFS, README)."""
    from transit.district import build_district, load_spec

    with user_errors():
        apply_lang(lang)
        s = load_spec(spec) if spec is not None else None
        with progress_bar(_("building district")) as bar:
            path = build_district(out, spec=s, seed=seed, force=force, progress=bar)
    typer.echo(_("wrote {path}").format(path=path))


@app.command("build-from-stops")
def build_from_stops(
    feed: Annotated[Path, typer.Argument(help="GTFS feed (folder or zip) whose stops the network passes through.")],
    out: Annotated[Path, typer.Option("--out", help="Instance folder to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing folder.")] = False,
    lang: LangOption = None,
) -> None:
    """Generate a synthetic road network through a feed's stops (for feeds with no OSM extract at hand)."""
    from transit.district.stopnet import build_stop_instance

    with user_errors():
        apply_lang(lang)
        build_stop_instance(str(feed), str(out), force=force)
    typer.echo(_("wrote {path}").format(path=out))


@app.command("list")
def list_instances() -> None:
    """List the bundled instances."""
    from transit.util.instances import instances_dir, instance_names

    for name in instance_names():
        typer.echo(f"{name}\t{instances_dir() / name}")
