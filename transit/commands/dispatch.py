"""`transit dispatch`: the day's routes and driver manifests; `transit dispatch add`: late bookings.

``transit dispatch BOOKINGS.csv --network G --fleet F --out DIR`` is the
same as ``transit dispatch plan BOOKINGS.csv ...``: the group below inserts
the sub-command name ``plan`` when the first word is not a sub-command.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from transit.commands._common import (
    check_booked_by,
    check_output,
    fail,
    parse_date,
    progress_bar,
    solver_ready,
    user_errors,
)
from transit.errors import InputError, InputErrors

__all__ = ["app", "register"]

_SUBCOMMANDS = ("plan", "add")


class _DispatchGroup(TyperGroup):
    """A group whose default sub-command is ``plan``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in _SUBCOMMANDS and args[0] not in ("--help", "-h"):
            args = ["plan", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DispatchGroup,
    no_args_is_help=True,
    help=(
        "Plan a service day from a bookings file and a fleet file, or fit late bookings into a "
        "running plan.\n\n"
        "transit dispatch BOOKINGS.csv --network GRAPH --fleet FLEET.toml --out DIR  "
        "(same as 'transit dispatch plan ...')\n\n"
        "transit dispatch add NEW.csv --plan DIR/plan.json --out DIR2 --now HH:MM"
    ),
)

_BUDGET_HELP = (
    "Solver work budget in search iterations (default: 4 per booking, at least 400). "
    "The plan depends only on the inputs, --seed and this budget."
)
_LIMIT_HELP = (
    "Safety cap on solver time in seconds. Results are reproducible only if the cap is not "
    "hit: when it is, the best plan so far is used and it may differ between runs."
)


def _run_checked(body: Any) -> Any:
    """Run ``body`` turning package errors into exit 2 and a failed plan check into exit 3."""
    from transit.dispatch import PlanCheckError

    with user_errors():
        try:
            return body()
        except PlanCheckError as exc:
            raise fail(str(exc), code=3) from None


@app.command("plan")
def plan_command(
    bookings: Annotated[Path, typer.Argument(help="Bookings CSV (see 'transit bookings check').")],
    network: Annotated[Path, typer.Option("--network", help="Road graph (GraphML from 'transit network build').")],
    fleet: Annotated[Path, typer.Option("--fleet", help="Fleet TOML: [service] rules and [[vehicle]] tables.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (written atomically).")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help=_LIMIT_HELP)] = 300.0,
    iterations: Annotated[int | None, typer.Option("--iterations", min=0, help=_BUDGET_HELP)] = None,
    date: Annotated[str | None, typer.Option("--date", help="Service date YYYY-MM-DD (default: from the bookings).")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the solver's random numbers.")] = 0,
    max_snap_m: Annotated[float, typer.Option("--max-snap-m", min=0.0, help="Largest distance from a point to the nearest road, metres.")] = 500.0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing, non-empty output folder.")] = False,
) -> None:
    """Plan the day's routes and write routes, manifests, map and plan into OUT.

    Every booking ends up exactly once: served (routes.csv) or not (unserved.csv).
    The plan is checked by the independent checker before anything is written;
    exit code 2 means bad input, 3 an internal error (nothing is written then).
    """

    def body() -> None:
        from transit.demand.bookings import read_bookings_file
        from transit.dispatch import PlaceNamer, load_network, plan_day, write_day
        from transit.dispatch.tables import summary_line
        from transit.darp.fleet import read_fleet
        from transit.darp.build import build_problem

        t0 = time.perf_counter()
        service_date = parse_date(date)
        fl = read_fleet(fleet)
        graph, net = load_network(network)
        bf = read_bookings_file(
            bookings, network=net, capacities=fl.capacities, max_snap_m=max_snap_m, service_date=service_date
        )
        check_output(out, force=force)
        solver_ready()
        with progress_bar("preparing") as bar:
            built = build_problem(
                bf.bookings, fl, net, max_snap_m=max_snap_m, source=str(bookings), progress=bar
            )
        with progress_bar(f"planning {len(bf.bookings)} bookings") as bar:
            day = plan_day(
                built,
                network_path=str(Path(network).resolve()),
                network_size=(net.n_nodes, net.n_arcs),
                service_date=bf.service_date,
                max_snap_m=max_snap_m,
                iterations=iterations,
                time_limit=time_limit,
                seed=seed,
                progress=bar,
                history={"bookings": str(bookings), "fleet": str(fleet)},
            )
        summary = write_day(day, out, network=net, namer=PlaceNamer.from_graph(graph, net), force=force)
        typer.echo(summary_line(summary))
        _echo_timing(day, t0, out)

    _run_checked(body)


@app.command("add")
def add_command(
    new: Annotated[Path, typer.Argument(help="CSV of the new bookings (the bookings format).")],
    plan: Annotated[Path, typer.Option("--plan", help="plan.json of the running plan.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder for the updated day (written atomically).")],
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help=(
                "Current time HH:MM (or HH:MM:SS): stops left before it are done and stay as they were. "
                "Default: the latest booked_at of the new bookings."
            ),
        ),
    ] = None,
    network: Annotated[
        Path | None, typer.Option("--network", help="Road graph (default: the one recorded in plan.json).")
    ] = None,
    pin_vehicles: Annotated[
        bool, typer.Option("--pin-vehicles", help="Keep every promised booking on the vehicle it had.")
    ] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help=_LIMIT_HELP)] = 300.0,
    iterations: Annotated[int | None, typer.Option("--iterations", min=0, help=_BUDGET_HELP)] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the solver's random numbers.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing, non-empty output folder.")] = False,
) -> None:
    """Fit late bookings into a running plan and write the whole updated day into OUT.

    Stops done before --now stay as they were; passengers on board stay on their
    vehicle; bookings promised earlier keep their promised pickup window (they may
    move to another vehicle unless --pin-vehicles); each new booking is served or
    rejected with a reason. Exit code 2 means bad input, 3 an internal error.
    """

    def body() -> None:
        from transit.demand.bookings import read_bookings_file
        from transit.dispatch import PlaceNamer, add_bookings, load_network, read_plan_json, write_day
        from transit.dispatch.tables import summary_line

        t0 = time.perf_counter()
        stored = read_plan_json(plan)
        net_path = network if network is not None else Path(stored.network_path)
        if network is None and not net_path.exists():
            msg = f"the road graph recorded in the plan ({net_path}) is not there; give it with --network"
            raise InputError(msg, file=str(plan))
        graph, net = load_network(net_path)
        bf = read_bookings_file(
            new,
            network=net,
            capacities=stored.fleet.capacities,
            max_snap_m=stored.max_snap_m,
            service_date=stored.service_date,
        )
        now_s = _resolve_now(now, bf.bookings, stored.service_date)
        check_booked_by(bf.bookings, now_s, file=str(new))
        check_output(out, force=force)
        solver_ready()
        with progress_bar(f"fitting {len(bf.bookings)} new bookings") as bar:
            day = add_bookings(
                stored,
                bf.bookings,
                net,
                now=now_s,
                network_path=str(Path(net_path).resolve()),
                iterations=iterations,
                time_limit=time_limit,
                seed=seed,
                pin_vehicles=pin_vehicles,
                source=str(new),
                progress=bar,
            )
        summary = write_day(day, out, network=net, namer=PlaceNamer.from_graph(graph, net), force=force)
        added = day.added
        typer.echo(f"new bookings: {added.new_served} of {added.new_bookings} served")
        typer.echo(summary_line(summary))
        _echo_timing(day, t0, out)

    _run_checked(body)


def _resolve_now(text: str | None, bookings: Any, service_date: dt.date | None) -> float:
    from transit.util.timeparse import TimeParseError, to_service_seconds

    if text is not None:
        try:
            return to_service_seconds(text, service_date)
        except TimeParseError as exc:
            raise InputErrors([InputError(str(exc), column="--now")]) from None
    booked = [b.booked_at for b in bookings if b.booked_at is not None]
    if len(booked) != len(bookings) or not booked:
        msg = "give the current time with --now HH:MM (not every new booking has a booked_at time)"
        raise InputErrors([InputError(msg, column="--now")])
    return float(max(booked))


def _echo_timing(day: Any, t0: float, out: Path) -> None:
    st = day.plan.stats
    cut = " (time limit reached: the result may differ between runs)" if st.time_limit_reached else ""
    typer.echo(
        f"wrote {out} in {time.perf_counter() - t0:.1f} s; solver {st.iterations} iterations{cut}",
        err=True,
    )


def register(root: typer.Typer) -> None:
    """Add the `dispatch` command group (default sub-command `plan`, and `add`) to the root app."""
    root.add_typer(app, name="dispatch")
