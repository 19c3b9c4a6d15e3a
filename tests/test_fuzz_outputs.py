"""Outputs under stress: one unit per command, a full disk, a file in the way, formulas in cells.

Also the one rule of exit codes: 2 for the user's mistakes (naming the
file), 3 for internal faults, never a traceback.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from fuzzcase import DESTINATIONS, World, make_world
from transit.util.atomic import TEMP_PREFIX, atomic_files, remove_stale_temps
from transit.util.csvsafe import csv_writer, frame_csv, safe_cell

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("fuzzoutputs"))


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --------------------------------------------------------------------------- one unit


def test_demand_outputs_are_one_unit(world: World, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    res = invoke("demand", "generate", *world.demand_args(), "--out", tmp_path / "b.csv",
                 "--trips-out", tmp_path / "afile" / "t.csv")
    assert res.exit_code == 2 and "afile is a file, not a folder" in res.output, res.output
    assert names(tmp_path) == ["afile"]


def test_a_failure_writing_the_second_file_leaves_neither(world: World, tmp_path: Path, monkeypatch) -> None:
    import transit.demand as demand

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "t.csv"))

    monkeypatch.setattr(demand, "write_trip_info", full)
    res = invoke("demand", "generate", *world.demand_args(), "--out", tmp_path / "b.csv", "--trips-out", tmp_path / "t.csv")
    assert res.exit_code == 2, res.output
    assert "no space left on the device; nothing was written" in res.output
    assert names(tmp_path) == []


def test_atomic_files_rename_all_or_none(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_files(tmp_path / "a.csv", tmp_path / "b.csv") as (a, b):
        a.write_text("1")
        b.write_text("2")
        raise RuntimeError("boom")
    assert names(tmp_path) == []
    with atomic_files(tmp_path / "a.csv", tmp_path / "b.csv") as (a, b):
        a.write_text("1")
        b.write_text("2")
        assert all(p.name.startswith(TEMP_PREFIX) for p in tmp_path.iterdir())
    assert names(tmp_path) == ["a.csv", "b.csv"]


# --------------------------------------------------------------------------- disk, folders


@pytest.mark.parametrize("command", ["matrix", "dispatch"])
def test_full_disk_exits_2_and_leaves_nothing(world: World, tmp_path: Path, monkeypatch, command: str) -> None:
    def no_space(name: str | None = None):
        raise OSError(errno.ENOSPC, "No space left on device", name)

    if command == "matrix":
        monkeypatch.setattr(os, "fsync", lambda fd: no_space())
        res = invoke("network", "matrix", world.graph, "--points", world.points, "--out", tmp_path / "m.csv")
    else:
        monkeypatch.setattr(Path, "write_text", lambda self, *a, **k: no_space(str(self)))
        res = invoke("dispatch", world.bookings, "--network", world.graph, "--fleet", world.fleet,
                     "--out", tmp_path / "day", "--iterations", "20")
    assert res.exit_code == 2, res.output
    assert "no space left on the device; nothing was written" in res.output
    assert "Traceback" not in res.output and TEMP_PREFIX not in res.output
    assert names(tmp_path) == []


_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
from cli import app
sys.argv = ["transit", *sys.argv[1:]]
app()
"""


def test_a_file_size_limit_of_the_system_exits_2(world: World, tmp_path: Path) -> None:
    # A real error of the operating system (EFBIG), not a simulated one.
    out = tmp_path / "g.graphml"
    res = subprocess.run(
        [sys.executable, "-c", _LIMITED, "network", "build", str(world.osm), "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )
    assert res.returncode == 2, res.stderr
    assert f"{out}: file too large" in res.stderr and "Traceback" not in res.stderr
    assert names(tmp_path) == []


def test_output_parent_is_a_file(world: World, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    res = invoke("dispatch", world.bookings, "--network", world.graph, "--fleet", world.fleet, "--out", tmp_path / "afile" / "day")
    assert res.exit_code == 2 and "afile is a file, not a folder" in res.output, res.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_a_folder_without_permission(world: World, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        res = invoke("network", "matrix", world.graph, "--points", world.points, "--out", locked / "m.csv")
    finally:
        locked.chmod(0o700)
    assert res.exit_code == 2 and "permission denied" in res.output, res.output


def test_network_outputs_are_not_overwritten_without_force(world: World, tmp_path: Path) -> None:
    graph, matrix = tmp_path / "g.graphml", tmp_path / "m.csv"
    for out in (graph, matrix):
        out.write_text("keep")
    res = invoke("network", "build", world.osm, "--out", graph)
    assert res.exit_code == 2 and "--force" in res.output
    res = invoke("network", "matrix", world.graph, "--points", world.points, "--out", matrix)
    assert res.exit_code == 2 and "--force" in res.output
    assert graph.read_text() == matrix.read_text() == "keep"
    assert invoke("network", "build", world.osm, "--out", graph, "--force").exit_code == 0
    assert invoke("network", "matrix", world.graph, "--points", world.points, "--out", matrix, "--force").exit_code == 0
    assert graph.read_text() != "keep" and matrix.read_text().startswith("from,to,time_s,distance_m")


def test_an_output_that_is_a_folder(world: World, tmp_path: Path) -> None:
    for args in (("network", "build", world.osm), ("network", "matrix", world.graph, "--points", world.points)):
        res = invoke(*args, "--out", tmp_path, "--force")
        assert res.exit_code == 2 and f"{tmp_path}: is a folder; give a file name" in res.output, res.output


# --------------------------------------------------------------------------- exit codes


def test_internal_fault_exits_3_without_traceback(world: World, tmp_path: Path, monkeypatch) -> None:
    import transit.road.pointsfile as pointsfile

    def broken(path):
        return {}["no such key"]

    monkeypatch.setattr(pointsfile, "read_points_csv", broken)
    args = ("network", "matrix", world.graph, "--points", world.points, "--out", tmp_path / "m.csv")
    res = invoke(*args)
    assert res.exit_code == 3, res.output
    assert "internal error" in res.output and "KeyError" in res.output and "please report" in res.output.lower()
    assert "Traceback" not in res.output
    res = invoke("-v", *args)
    assert res.exit_code == 3 and "Traceback" in res.output


def test_now_before_a_booking_was_made(world: World, tmp_path: Path) -> None:
    from fuzzcase import BOOKINGS_HEADER, booking_row

    day = tmp_path / "day"
    res = invoke("dispatch", world.bookings, "--network", world.graph, "--fleet", world.fleet, "--out", day, "--iterations", "20")
    assert res.exit_code == 0, res.output
    late = tmp_path / "late.csv"
    late.write_text(BOOKINGS_HEADER + booking_row("late1", 4, 6, "11:00", booked="10:20"), encoding="utf-8")
    res = invoke("dispatch", "add", late, "--plan", day / "plan.json", "--out", tmp_path / "day2", "--now", "06:00")
    assert res.exit_code == 2, res.output
    assert f"{late}: booked_at: booking 'late1' was made at 10:20, after the current time --now 06:00" in res.output
    assert not (tmp_path / "day2").exists()


# --------------------------------------------------------------------------- formulas


def test_safe_cell() -> None:
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert [safe_cell(x) for x in ("+1 boom", "-x", "@SUM(A1)", "\tx")] == ["'+1 boom", "'-x", "'@SUM(A1)", "'\tx"]
    assert [safe_cell(x) for x in ("-1.5", "+3", "-1e5", "-01:30:00", "abc", 7, -2.5, None)] == [
        "-1.5", "+3", "-1e5", "-01:30:00", "abc", 7, -2.5, None,
    ]


def test_csv_writers_neutralise_formulas(tmp_path: Path) -> None:
    import io

    import pandas as pd

    buf = io.StringIO()
    csv_writer(buf, lineterminator="\n").writerow(["=1+1", -3, "-3"])
    assert buf.getvalue() == "'=1+1,-3,-3\n"
    text = frame_csv(pd.DataFrame({"name": ["@x", "ok"], "value": [-1.0, 2.0]}))
    assert text == "name,value\n'@x,-1.0\nok,2.0\n"


def test_a_formula_zone_name_is_neutralised_in_trips_csv(world: World, tmp_path: Path) -> None:
    zones = tmp_path / "zones.csv"
    zones.write_text(
        'name,lat,lon,population\n"=HYPERLINK(""http://x"";""y"")",51.6545,11.5072,4000\nNachbar,51.6590,11.5000,2500\n',
        encoding="utf-8",
    )
    destinations = tmp_path / "destinations.csv"
    destinations.write_text(DESTINATIONS + "\"@SUM(1+1)*cmd|' /C calc'!A0\",leisure,51.6590,11.5000\n", encoding="utf-8")
    trips = tmp_path / "t.csv"
    res = invoke("demand", "generate", world.osm, "--zones", zones, "--destinations", destinations,
                 "--out", tmp_path / "b.csv", "--trips-out", trips, "--scale", "20")
    assert res.exit_code == 0, res.output
    import csv

    with trips.open(encoding="utf-8", newline="") as fh:
        cells = {c for row in csv.reader(fh) for c in row}
    assert "'=HYPERLINK(\"http://x\";\"y\")" in cells
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert not any(c.startswith(("=", "@", "+", "-")) for c in cells)


def test_every_csv_writer_goes_through_the_helper() -> None:
    """`csv.writer(` and `.to_csv(` appear only in transit/util/csvsafe.py."""
    found = []
    for path in (REPO / "transit").rglob("*.py"):
        if path.name == "csvsafe.py":
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\bcsv\.(writer|DictWriter)\(|\.to_csv\(", line):
                found.append(f"{path.relative_to(REPO)}:{i}: {line.strip()}")
    assert not found, "write CSV through transit.util.csvsafe:\n" + "\n".join(found)


# --------------------------------------------------------------------------- temporaries


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale_dir = tmp_path / f"{TEMP_PREFIX}{pid}-out.abc.tmp"
    stale_dir.mkdir()
    (stale_dir / "kpis.csv").write_text("partial")
    stale_file = tmp_path / f"{TEMP_PREFIX}{pid}-m.csv.xyz.tmp"
    stale_file.write_text("partial")
    mine = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-day.q.tmp"
    mine.mkdir()
    old = 1_000_000_000  # 2001: older than any running process
    for p in (stale_dir, stale_file, mine):
        os.utime(p, (old, old))
    removed = remove_stale_temps(tmp_path)
    assert sorted(p.name for p in removed) == sorted([stale_dir.name, stale_file.name])
    assert names(tmp_path) == [mine.name]  # a running process's own temporary stays


_CLEAN = """
import sys
from transit.util.atomic import remove_stale_temps
print(len(remove_stale_temps(sys.argv[1])))
"""


def test_a_temporary_of_a_running_process_stays(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    theirs = tmp_path / f"{TEMP_PREFIX}{sleeper.pid}-out.abc.tmp"
    try:
        theirs.mkdir()
        # A later command (a new process) keeps it while its owner runs ...
        res = subprocess.run([sys.executable, "-c", _CLEAN, str(tmp_path)], capture_output=True, text=True, cwd=REPO)
        assert res.stdout.strip() == "0", res.stderr
        assert names(tmp_path) == [theirs.name]
    finally:
        sleeper.kill()
        sleeper.wait()
    # ... and removes it once the owner is gone.
    res = subprocess.run([sys.executable, "-c", _CLEAN, str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert res.stdout.strip() == "1", res.stderr
    assert names(tmp_path) == []
