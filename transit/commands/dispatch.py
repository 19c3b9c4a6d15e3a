"""`transit dispatch`: the day's routes and driver manifests, and the events of a running day.

``transit dispatch BOOKINGS.csv --network G --fleet F --out DIR`` is the
same as ``transit dispatch plan BOOKINGS.csv ...``: the group below inserts
the sub-command name ``plan`` when the first word is not a sub-command.

Updates of a running day (each reads ``--plan DIR/plan.json`` and writes the
whole updated day into ``--out``): ``add`` (late bookings), ``update`` (an
events file, and late bookings), and one-event shortcuts ``cancel``,
``noshow``, ``vehicle-out``, ``delay``.
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
from transit.commands._lang import LangOption, apply_lang
from transit.errors import InputError, InputErrors
from transit.util.i18n import _, translator

__all__ = ["app", "register"]

_SUBCOMMANDS = ("plan", "add", "update", "cancel", "noshow", "vehicle-out", "delay")


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
        "Plan a service day from a bookings file and a fleet file, and keep it up to date during the day.\n\n"
        "transit dispatch BOOKINGS.csv --network GRAPH --fleet FLEET.toml --out DIR  "
        "(same as 'transit dispatch plan ...')\n\n"
        "transit dispatch add NEW.csv --plan DIR/plan.json --out DIR2 --now HH:MM\n\n"
        "transit dispatch update --plan DIR/plan.json --events EVENTS.csv [--add NEW.csv] --now HH:MM --out DIR2\n\n"
        "transit dispatch cancel | noshow | vehicle-out | delay ... --plan DIR/plan.json --now HH:MM --out DIR2"
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

PlanOpt = Annotated[Path, typer.Option("--plan", help="plan.json of the running plan.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output folder for the updated day (written atomically).")]
NowOpt = Annotated[
    str,
    typer.Option("--now", help="Current time HH:MM (or HH:MM:SS): stops left before it are done and stay as they were."),
]
NetworkOpt = Annotated[
    Path | None, typer.Option("--network", help="Road graph (default: the one recorded in plan.json).")
]
MovesOpt = Annotated[
    bool,
    typer.Option(
        "--allow-moves",
        help="Let the re-plan move bookings not yet picked up to other vehicles (default: every booking keeps its vehicle "
        "unless an event takes it away; changes.csv lists every move with its reason).",
    ),
]
LimitOpt = Annotated[float, typer.Option("--time-limit", min=0.1, help=_LIMIT_HELP)]
IterOpt = Annotated[int | None, typer.Option("--iterations", min=0, help=_BUDGET_HELP)]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Seed of the solver's random numbers.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing, non-empty output folder.")]
NoteOpt = Annotated[str, typer.Option("--note", help="A note for changes.csv and the manifests.")]


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
    time_limit: LimitOpt = 300.0,
    iterations: IterOpt = None,
    date: Annotated[str | None, typer.Option("--date", help="Service date YYYY-MM-DD (default: from the bookings).")] = None,
    seed: SeedOpt = 0,
    max_snap_m: Annotated[float, typer.Option("--max-snap-m", min=0.0, help="Largest distance from a point to the nearest road, metres.")] = 500.0,
    force: ForceOpt = False,
    lang: LangOption = None,
) -> None:
    """Plan the day's routes and write routes, manifests, notices, map and plan into OUT.

    Every booking ends up exactly once: served (routes.csv) or not (unserved.csv).
    The plan is checked by the independent checker before anything is written;
    exit code 2 means bad input, 3 an internal error (nothing is written then).
    """

    def body() -> None:
        from transit.darp.build import build_problem
        from transit.darp.fleet import read_fleet
        from transit.demand.bookings import read_bookings_file
        from transit.dispatch import PlaceNamer, load_network, plan_day, write_day
        from transit.dispatch.progress import silent_progress
        from transit.dispatch.tables import summary_line

        tr = translator(apply_lang(lang))
        t0 = time.perf_counter()
        service_date = parse_date(date)
        fl = read_fleet(fleet)
        graph, net = load_network(network)
        bf = read_bookings_file(
            bookings, network=net, capacities=fl.capacities, max_snap_m=max_snap_m, service_date=service_date
        )
        check_output(out, force=force)
        solver_ready()
        with progress_bar(_("preparing")) as bar:
            built = build_problem(
                bf.bookings, fl, net, max_snap_m=max_snap_m, source=str(bookings), progress=silent_progress(bar)
            )
        with progress_bar(_("planning {n} bookings").format(n=len(bf.bookings))) as bar:
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
        summary = write_day(day, out, network=net, namer=PlaceNamer.from_graph(graph, net), force=force, tr=tr)
        typer.echo(summary_line(summary, tr))
        _echo_timing(day, t0, out)

    _run_checked(body)


def _update(
    *,
    plan: Path,
    out: Path,
    now: str | None,
    network: Path | None,
    events: list[Any] | None = None,
    events_file: Path | None = None,
    new: Path | None = None,
    allow_moves: bool,
    time_limit: float,
    iterations: int | None,
    seed: int,
    force: bool,
    lang: str | None,
    action: str,
) -> None:
    """Read the day, apply the events and new bookings at ``now``, write the updated day."""

    def body() -> None:
        from transit.demand.bookings import read_bookings_file
        from transit.dispatch import PlaceNamer, load_network, read_plan_json, update_day, write_day
        from transit.dispatch.events import read_events
        from transit.dispatch.tables import summary_line

        tr = translator(apply_lang(lang))
        t0 = time.perf_counter()
        stored = read_plan_json(plan)
        net_path = network if network is not None else Path(stored.network_path)
        if network is None and not net_path.exists():
            msg = _("the road graph recorded in the plan ({path}) is not there; give it with --network").format(path=net_path)
            raise InputError(msg, file=str(plan))
        graph, net = load_network(net_path)
        bookings: tuple[Any, ...] = ()
        if new is not None:
            bf = read_bookings_file(
                new, network=net, capacities=stored.fleet.capacities, max_snap_m=stored.max_snap_m,
                service_date=stored.service_date,
            )
            bookings = bf.bookings
        evs = list(events or [])
        if events_file is not None:
            evs = read_events(events_file, service_date=stored.service_date)
        now_s = _resolve_now(now, bookings, stored.service_date)
        if new is not None:
            check_booked_by(bookings, now_s, file=str(new))
        check_output(out, force=force)
        solver_ready()
        with progress_bar(_("updating the day at {time}").format(time=tr.clock(now_s))) as bar:
            day = update_day(
                stored, net, now=now_s, events=evs, new_bookings=bookings,
                network_path=str(Path(net_path).resolve()), allow_moves=allow_moves, iterations=iterations,
                time_limit=time_limit, seed=seed, source=None if new is None else str(new),
                events_source=None if events_file is None else str(events_file), progress=bar, action=action,
            )
        summary = write_day(day, out, network=net, namer=PlaceNamer.from_graph(graph, net), force=force, tr=tr)
        added = day.added
        if added.new_bookings:
            typer.echo(_("new bookings: {served} of {n} served").format(served=added.new_served, n=added.new_bookings))
        if added.events:
            typer.echo(
                _("events: {n} applied; {broken} promises broken (see changes.csv)").format(
                    n=added.events, broken=added.broken_promises
                )
            )
        typer.echo(summary_line(summary, tr))
        _echo_timing(day, t0, out)

    _run_checked(body)


@app.command("add")
def add_command(
    new: Annotated[Path, typer.Argument(help="CSV of the new bookings (the bookings format).")],
    plan: PlanOpt,
    out: OutOpt,
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
    network: NetworkOpt = None,
    allow_moves: MovesOpt = False,
    time_limit: LimitOpt = 300.0,
    iterations: IterOpt = None,
    seed: SeedOpt = 0,
    force: ForceOpt = False,
    lang: LangOption = None,
) -> None:
    """Fit late bookings into a running plan and write the whole updated day into OUT.

    Stops done before --now stay as they were; passengers on board stay on their
    vehicle; bookings promised earlier keep their promised pickup window and their
    vehicle (unless --allow-moves); each new booking is served or rejected with a
    reason. Exit code 2 means bad input, 3 an internal error.
    """
    _update(
        plan=plan, out=out, now=now, network=network, new=new, allow_moves=allow_moves, time_limit=time_limit,
        iterations=iterations, seed=seed, force=force, lang=lang, action="add",
    )


@app.command("update")
def update_command(
    plan: PlanOpt,
    out: OutOpt,
    now: NowOpt,
    events: Annotated[
        Path | None,
        typer.Option("--events", help="Events CSV: event,request_id,vehicle_id,time,until,minutes,lat,lon,note (see the README)."),
    ] = None,
    add: Annotated[Path | None, typer.Option("--add", help="CSV of new bookings to fit in with the events.")] = None,
    network: NetworkOpt = None,
    allow_moves: MovesOpt = False,
    time_limit: LimitOpt = 300.0,
    iterations: IterOpt = None,
    seed: SeedOpt = 0,
    force: ForceOpt = False,
    lang: LangOption = None,
) -> None:
    """Apply the events of a running day (cancel, noshow, vehicle_out, delay) and late bookings.

    Promises are kept where they can be; every promise that had to be broken is
    listed in changes.csv with its reason, and the manifests mark what changed
    for each driver. Exit code 2 means bad input, 3 an internal error.
    """
    if events is None and add is None:
        with user_errors():
            raise InputError(_("give an events file with --events, new bookings with --add, or both"), column="--events")
    _update(
        plan=plan, out=out, now=now, network=network, events_file=events, new=add, allow_moves=allow_moves,
        time_limit=time_limit, iterations=iterations, seed=seed, force=force, lang=lang, action="update",
    )


def _event(kind: str, **kw: Any) -> Any:
    from transit.dispatch.events import Event

    return Event(kind=kind, **kw)


def _clock_option(text: str | None, option: str) -> float | None:
    from transit.util.timeparse import TimeParseError, to_service_seconds

    if text is None:
        return None
    try:
        return to_service_seconds(text)
    except TimeParseError as exc:
        raise InputErrors([InputError(str(exc), column=option)]) from None


@app.command("cancel")
def cancel_command(
    bookings: Annotated[list[str], typer.Argument(help="Ids of the cancelled bookings.")],
    plan: PlanOpt,
    out: OutOpt,
    now: NowOpt,
    note: NoteOpt = "",
    network: NetworkOpt = None,
    allow_moves: MovesOpt = False,
    iterations: IterOpt = None,
    seed: SeedOpt = 0,
    force: ForceOpt = False,
    lang: LangOption = None,
) -> None:
    """Cancel bookings (the passengers called) and re-plan the rest of the day."""
    evs = [_event("cancel", request_id=b, note=note) for b in bookings]
    _update(plan=plan, out=out, now=now, network=network, events=evs, allow_moves=allow_moves, time_limit=300.0,
            iterations=iterations, seed=seed, force=force, lang=lang, action="update")


@app.command("noshow")
def noshow_command(
    booking: Annotated[str, typer.Argument(help="Id of the booking whose passenger did not show up.")],
    plan: PlanOpt,
    out: OutOpt,
    now: NowOpt,
    note: NoteOpt = "",
    network: NetworkOpt = None,
    allow_moves: MovesOpt = False,
    iterations: IterOpt = None,
    seed: SeedOpt = 0,
    force: ForceOpt = False,
    lang: LangOption = None,
) -> None:
    """Record a no-show (the vehicle is at the pickup and nobody came) and re-plan the rest of the day."""
    _update(plan=plan, out=out, now=now, network=network, events=[_event("noshow", request_id=booking, note=note)],
            allow_moves=allow_moves, time_limit=300.0, iterations=iterations, seed=seed, force=force, lang=lang,
            action="update")


@app.command("vehicle-out")
def vehicle_out_command(
    vehicle: Annotated[str, typer.Argument(help="Id of the vehicle taken out of service.")],
    plan: PlanOpt,
    out: OutOpt,
    now: NowOpt,
    start: Annotated[str | None, typer.Option("--from", help="Start of the outage HH:MM (default: --now).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Back in service from its depot at HH:MM (default: not today).")] = None,
    lat: Annotated[float | None, typer.Option("--lat", help="Where the vehicle stands (with --lon).")] = None,
    lon: Annotated[float | None, typer.Option("--lon", help="Where the vehicle stands (with --lat).")] = None,
    note: NoteOpt = "",
    network: NetworkOpt = None,
    allow_moves: MovesOpt = False,
    iterations: IterOpt = None,
    seed: SeedOpt = 0,
    force: ForceOpt = False,
    lang: LangOption = None,
) -> None:
    """Take a vehicle out of service (breakdown, sick driver): its passengers and bookings go to the others."""

    with user_errors():
        apply_lang(lang)
        if (lat is None) != (lon is None):
            raise InputError(_("give both lat and lon, or neither"), column="--lat")
        ev = _event("vehicle_out", vehicle_id=vehicle, time=_clock_option(start, "--from"),
                    until=_clock_option(until, "--until"), lat=lat, lon=lon, note=note)
    _update(plan=plan, out=out, now=now, network=network, events=[ev], allow_moves=allow_moves, time_limit=300.0,
            iterations=iterations, seed=seed, force=force, lang=lang, action="update")


@app.command("delay")
def delay_command(
    vehicle: Annotated[str, typer.Argument(help="Id of the vehicle running late.")],
    minutes: Annotated[float, typer.Argument(min=0.1, max=600, help="How many minutes late it runs.")],
    plan: PlanOpt,
    out: OutOpt,
    now: NowOpt,
    note: NoteOpt = "",
    network: NetworkOpt = None,
    allow_moves: MovesOpt = False,
    iterations: IterOpt = None,
    seed: SeedOpt = 0,
    force: ForceOpt = False,
    lang: LangOption = None,
) -> None:
    """Report that a vehicle runs late and re-plan what follows."""
    _update(plan=plan, out=out, now=now, network=network,
            events=[_event("delay", vehicle_id=vehicle, minutes=minutes, note=note)], allow_moves=allow_moves,
            time_limit=300.0, iterations=iterations, seed=seed, force=force, lang=lang, action="update")


def _resolve_now(text: str | None, bookings: Any, service_date: dt.date | None) -> float:
    from transit.util.timeparse import TimeParseError, to_service_seconds

    if text is not None:
        try:
            return to_service_seconds(text, service_date)
        except TimeParseError as exc:
            raise InputErrors([InputError(str(exc), column="--now")]) from None
    booked = [b.booked_at for b in bookings if b.booked_at is not None]
    if len(booked) != len(bookings) or not booked:
        msg = _("give the current time with --now HH:MM (not every new booking has a booked_at time)")
        raise InputErrors([InputError(msg, column="--now")])
    return float(max(booked))


def _echo_timing(day: Any, t0: float, out: Path) -> None:
    st = day.plan.stats
    tr = translator(None)
    cut = _(" (time limit reached: the result may differ between runs)") if st.time_limit_reached else ""
    typer.echo(
        _("wrote {out} in {seconds} s; solver {iterations} iterations{cut}").format(
            out=out, seconds=tr.number(time.perf_counter() - t0, 1), iterations=st.iterations, cut=cut
        ),
        err=True,
    )


def register(root: typer.Typer) -> None:
    """Add the `dispatch` command group (default sub-command `plan`) to the root app."""
    root.add_typer(app, name="dispatch")
