"""`transit compare`: run every operating model of a scenario on identical demand and report."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from transit.commands._common import check_output, progress_bar, solver_ready, user_errors
from transit.commands._lang import LangOption, apply_lang
from transit.util.i18n import _, current, ngettext


def default_scenario() -> Path:
    """Return the scenario `transit compare` runs when given none: the default instance's."""
    from transit.util.instances import instance_dir

    return instance_dir("default") / "scenario.toml"


def compare(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario TOML (region, demand, service rules, costs, models). "
            "Default: the bundled instances/default/scenario.toml.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default out/compare-<scenario name>).", show_default=False),
    ] = None,
    seeds: Annotated[
        int | None,
        typer.Option("--seeds", min=1, help="Run exactly this many seeds (default: the scenario's, with seeds added "
                     "until the main KPIs are precise enough, see [precision]).", show_default=False),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Worker processes (results do not depend on it).")
    ] = 1,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, max=366, help="Simulate this many consecutive weekdays per seed (bookings "
                     "for a day made the day before); KPIs are over all of them. Default: the scenario's (1).",
                     show_default=False),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Compare operating models on identical demand: KPIs with 95% CIs, access per village, report.html.

    Writes kpis.csv, summary.csv, access.csv, access_groups.csv, sensitivity.csv, school.csv,
    trips.csv, stops.csv, report.html and a copy of the scenario into the output folder
    (atomically; an existing folder only with --force), and prints the comparison table. The
    report and the messages are in German or English (--lang, else the locale), numbers in the
    language's format.
    """
    from transit.compare.run import OUTPUT_FILES, compare_scenario
    from transit.compare.table import comparison_table, render_text
    from transit.compare.scenario import load_scenario

    with user_errors():
        apply_lang(lang)
        path = scenario if scenario is not None else default_scenario()
        sc = load_scenario(path)
        if days is not None:
            sc = dataclasses.replace(sc, days=days)
        label = path.parent.name if scenario is None else path.stem
        target = out if out is not None else Path("out") / f"compare-{label}"
        check_output(target, force=force)
        solver_ready()
        with progress_bar(_("comparing {n} models").format(n=len(sc.models))) as bar:
            comp = compare_scenario(sc, target, seeds=sc.seed_list(seeds) if seeds is not None else None, jobs=jobs,
                                    force=force, progress=bar)
    n = len(comp.seeds)
    seeds_text = ngettext("{n} seed", "{n} seeds", n).format(n=current().integer(n))
    if sc.days > 1:
        days_text = ngettext("{n} weekday", "{n} weekdays", sc.days).format(n=current().integer(sc.days))
        seeds_text = _("{seeds} x {days}").format(seeds=seeds_text, days=days_text)
    typer.echo(_("{name}: {models} models x {seeds} (mean ± 95% CI half-width; Δ = difference to {baseline}, "
                 "paired by seed)").format(name=sc.name, models=len(sc.models), seeds=seeds_text, baseline=sc.baseline))
    typer.echo(render_text(comparison_table(comp.summary)))
    typer.echo(_("wrote {folder}/ ({files})").format(folder=target, files=", ".join(OUTPUT_FILES)))


def register(app: typer.Typer) -> None:
    """Add the `compare` command to the root app."""
    app.command("compare")(compare)
