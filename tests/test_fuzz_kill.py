"""Killed commands leave no debris: SIGKILL, then a second run; SIGTERM cleans up at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fuzzcase import World, make_world
from scenariocase import TWO_MODELS
from transit.util.atomic import TEMP_PREFIX

REPO = Path(__file__).resolve().parents[1]

# Runs the command line; with SLOW_WRITE set, a command pauses for a minute inside its output
# folder's staging area, after its first file, so the test can kill it there for sure.
_RUN = """
import contextlib, os, sys, time
if os.environ.get("SLOW_WRITE"):
    import transit.dispatch.files as files
    real = files.output_dir

    @contextlib.contextmanager
    def slow(path, *, force=False):
        with real(path, force=force) as tmp:
            (tmp / "routes.csv").write_text("partial")
            time.sleep(60)
            yield tmp

    files.output_dir = slow
from cli import app
sys.argv = ["transit", *sys.argv[1:]]
app()
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("fuzzkill"))


def start(*args: object, slow_write: bool = False) -> subprocess.Popen[str]:
    import os

    env = {**os.environ, "SLOW_WRITE": "1" if slow_write else ""}
    return subprocess.Popen(
        [sys.executable, "-c", _RUN, *map(str, args)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _RUN, *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=600)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


def wait_for_temporary(proc: subprocess.Popen[str], folder: Path, timeout: float = 300.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = temporaries(folder)
        if found:
            return found
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the command ended before writing (exit {proc.returncode}): {err[-2000:]}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail("no temporary folder appeared")


def dispatch_args(world: World, out: Path) -> list[object]:
    return ["dispatch", world.bookings, "--network", world.graph, "--fleet", world.fleet, "--out", out,
            "--iterations", "20"]


def test_sigkill_during_dispatch_then_a_second_run(world: World, tmp_path: Path) -> None:
    out = tmp_path / "day"
    proc = start(*dispatch_args(world, out), slow_write=True)
    found = wait_for_temporary(proc, tmp_path)
    assert (tmp_path / found[0] / "routes.csv").read_text() == "partial"
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert temporaries(tmp_path) == found and not out.exists()  # what a kill leaves ...
    res = run(*dispatch_args(world, out))
    assert res.returncode == 0, res.stderr
    assert temporaries(tmp_path) == []  # ... the next run removes
    assert (out / "plan.json").is_file()


def test_sigterm_during_dispatch_cleans_up_at_once(world: World, tmp_path: Path) -> None:
    out = tmp_path / "day"
    proc = start(*dispatch_args(world, out), slow_write=True)
    wait_for_temporary(proc, tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted; nothing was written" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.slow
def test_sigkill_during_compare_then_a_second_run(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    scenario = tmp_path / "in" / "two.toml"  # a folder of its own: tmp_path holds only outputs and temporaries
    scenario.parent.mkdir()
    scenario.write_text(TWO_MODELS, encoding="utf-8")
    args = ["compare", scenario, "--out", out, "--seeds", "1"]  # what a kill leaves does not depend on the models
    proc = start(*args)
    found = wait_for_temporary(proc, tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert temporaries(tmp_path) == found and not out.exists()
    res = run(*args)
    assert res.returncode == 0, res.stderr
    assert temporaries(tmp_path) == []
    assert (out / "report.html").is_file()
