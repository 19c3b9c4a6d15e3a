"""Every command, every option, bad values: exit 2 naming the option or file, never a traceback.

The table of commands is read from the command line itself, so a new option
is fuzzed as soon as it exists; a new command needs a valid invocation in
:data:`BASE` (the test says so).
"""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from cli import app
from fuzzcase import World, booking_row, BOOKINGS_HEADER, make_world

runner = CliRunner()

OUTPUTS = {"--out", "--trips-out", "--solutions"}
"""Options naming something a command writes."""

BAD_TEXT = {
    "--date": "2025-02-30",
    "--now": "25:99",
    "--bbox": "51.6,11.5,nan,11.6",
    "--kernel": "bogus",
    "--instance": "no-such-instance",
}
"""A wrong value of each text option (``--place`` is left out: it would ask the network)."""

NOT_READ = {("network", "build"): {"--cache-dir"}}
"""Path options a base invocation does not read (the download cache of --place)."""


def _base(w: World, plan: Path, tmp: Path) -> dict[tuple[str, ...], list[str]]:
    """A valid invocation of every command (it is not run; each test changes one value)."""
    default_scenario = Path(__file__).resolve().parents[1] / "instances" / "default" / "scenario.toml"
    return {
        ("compare",): [str(default_scenario), "--out", str(tmp / "cmp")],
        ("network", "build"): [str(w.osm), "--out", str(tmp / "g.graphml")],
        ("network", "info"): [str(w.graph)],
        ("network", "matrix"): [str(w.graph), "--points", str(w.points), "--out", str(tmp / "m.csv")],
        ("bookings", "check"): [str(w.bookings), "--network", str(w.graph), "--fleet", str(w.fleet)],
        ("demand", "generate"): [str(w.osm), "--out", str(tmp / "b.csv")],
        ("instance", "build-default"): ["--out", str(tmp / "inst")],
        ("instance", "list"): [],
        ("bench", "darp"): [str(w.cordeau), "--out", str(tmp / "bench.csv"), "--time-limit", "1"],
        ("dispatch", "plan"): [str(w.bookings), "--network", str(w.graph), "--fleet", str(w.fleet), "--out", str(tmp / "day")],
        ("dispatch", "add"): [str(w.dir / "late.csv"), "--plan", str(plan), "--out", str(tmp / "day2"), "--now", "07:30"],
        ("dispatch", "update"): ["--plan", str(plan), "--events", str(w.dir / "events.csv"), "--out", str(tmp / "d3"), "--now", "07:30"],
        ("dispatch", "cancel"): ["r1", "--plan", str(plan), "--out", str(tmp / "d4"), "--now", "07:30"],
        ("dispatch", "noshow"): ["r1", "--plan", str(plan), "--out", str(tmp / "d5"), "--now", "08:05"],
        ("dispatch", "delay"): ["bus", "10", "--plan", str(plan), "--out", str(tmp / "d6"), "--now", "07:30"],
        ("dispatch", "vehicle-out"): ["bus", "--plan", str(plan), "--out", str(tmp / "d7"), "--now", "07:30"],
        ("export", "gtfs"): [str(default_scenario), "--model", _first_model(default_scenario), "--out", str(tmp / "feed.zip")],
        ("instance", "build-from-stops"): [str(default_scenario.parent / "gtfs"), "--out", str(tmp / "stops-inst")],
    }


def _first_model(scenario: Path) -> str:
    from transit.compare.scenario import load_scenario

    return load_scenario(scenario).models[0].name


def leaf_commands() -> dict[tuple[str, ...], typing.Any]:
    """Every command of the command line, by its words."""
    out: dict[tuple[str, ...], typing.Any] = {}

    def walk(cmd: typing.Any, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
        else:
            out[path] = cmd

    walk(typer.main.get_command(app), ())
    return out


def _kinds(cmd: typing.Any) -> dict[str, tuple[str, type]]:
    """Option or argument name -> (how it is written, its Python type)."""
    hints = typing.get_type_hints(inspect.unwrap(cmd.callback))
    kinds = {}
    for p in cmd.params:
        t = hints.get(p.name)
        args = [a for a in typing.get_args(t) if a is not type(None)] or [t]
        inner = args[0]
        if typing.get_origin(inner) is list:
            inner = typing.get_args(inner)[0]
        kinds[p.name] = (p.opts[0], inner)
    return kinds


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Path]:
    w = make_world(tmp_path_factory.mktemp("fuzzworld"))
    (w.dir / "late.csv").write_text(
        BOOKINGS_HEADER + booking_row("late1", 4, 6, "10:00", booked="07:15"), encoding="utf-8"
    )
    (w.dir / "events.csv").write_text(
        "event,request_id,vehicle_id,time,until,minutes,lat,lon,note\ncancel,r1,,07:30,,,,,\n", encoding="utf-8"
    )
    day = w.dir / "day"
    args = _base(w, Path("unused"), w.dir)[("dispatch", "plan")][:-1]
    res = runner.invoke(app, ["dispatch", "plan", *args, str(day), "--iterations", "50"])
    assert res.exit_code == 0, res.output
    return w, day / "plan.json"


def _replace(args: list[str], opt: str, value: str, positional_index: int | None) -> list[str]:
    """``args`` with option ``opt`` (or the positional argument) set to ``value``."""
    out = list(args)
    if positional_index is not None:
        out[positional_index] = value
        return out
    if opt in out:
        out[out.index(opt) + 1] = value
    else:
        out += [opt, value]
    return out


def _positional_index(cmd: typing.Any, name: str) -> int | None:
    """Index of positional argument ``name`` in a base invocation (arguments come first)."""
    positional = [p.name for p in cmd.params if not p.opts[0].startswith("-")]
    return positional.index(name) if name in positional else None


def _cases(w: World, plan: Path, tmp: Path) -> list[tuple[tuple[str, ...], list[str], str]]:
    """(command, arguments, what the message must name) for every bad value of every option."""
    folder = tmp / "a-folder"
    folder.mkdir(exist_ok=True)
    (folder / "x").write_text("x")
    binary = tmp / "binary.bin"
    binary.write_bytes(b"\x00\xff\x00garbage\x89PNG")
    a_file = tmp / "a-file"
    a_file.write_text("x")
    base = _base(w, plan, tmp)
    cases = []
    for path, cmd in leaf_commands().items():
        args = base[path]
        for name, (opt, kind) in _kinds(cmd).items():
            pos = _positional_index(cmd, name)
            values: list[tuple[str, str]] = []
            if kind is float:
                values = [(v, opt) for v in ("nan", "inf", "-inf", "1e300")]
            elif kind is int:
                values = [("99999999999999999999999", opt)]
                if opt == "--seed":
                    values.append(("-1", opt))
            elif kind is Path and opt in OUTPUTS:
                values = [(str(a_file / "x"), "a-file")]
            elif kind is Path and opt not in NOT_READ.get(path, set()):
                values = [(str(tmp / "missing.csv"), "missing.csv"), (str(folder), "a-folder"), (str(binary), "binary.bin")]
            elif kind is str and opt in BAD_TEXT:
                values = [(BAD_TEXT[opt], opt)]
            for value, named in values:
                cases.append((path, _replace(args, opt, value, pos), named))
    return cases


def test_every_command_has_a_base_invocation(world: tuple[World, Path], tmp_path: Path) -> None:
    w, plan = world
    missing = set(leaf_commands()) - set(_base(w, plan, tmp_path))
    assert not missing, f"add a valid invocation of {sorted(missing)} to BASE in tests/test_fuzz_cli.py"


def test_bad_values_of_every_option_exit_2_naming_it(world: tuple[World, Path], tmp_path: Path) -> None:
    w, plan = world
    cases = _cases(w, plan, tmp_path)
    assert len(cases) > 60  # every command with its numbers and files
    failures = []
    for path, args, named in cases:
        res = runner.invoke(app, [*path, *args])
        text = res.output
        ok = res.exit_code == 2 and "Traceback" not in text and named in text
        if not ok:
            failures.append(f"transit {' '.join(path)} {' '.join(args)}\n  exit {res.exit_code}: {text.strip()[-300:]}")
    assert not failures, "\n".join(failures)


def test_nothing_is_left_behind_by_the_bad_values(world: tuple[World, Path], tmp_path: Path) -> None:
    w, plan = world
    for path, args, _ in _cases(w, plan, tmp_path)[::5]:
        runner.invoke(app, [*path, *args])
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["a-file", "a-folder", "binary.bin"], left
