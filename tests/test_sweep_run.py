"""`transit sweep` end to end: the same results serially, on a local Dask cluster, after a worker dies,
on a `dask scheduler` + `dask worker` cluster, and as `transit compare` for one combination; resume,
failures, the output folder and the report."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from transit.compare.engine import Engine, local_cluster
from transit.sweep.run import OUTPUT_FILES, run_sweep, sweep_tasks, write_sweep
from transit.sweep.spec import load_sweep

pytestmark = pytest.mark.slow

SWEEP = """
[scenario]
name = "Tiny sweep"
[region]
instance = "default"
[demand.generator]
scale = 0.15
[access]
enabled = false
[[models]]
name = "Linienbus"
kind = "fixed_line"
[[models]]
name = "On-demand"
kind = "ondemand"
[models.fleet]
[[models.fleet.vehicle]]
id = "bus"
count = 2
depot_lat = 51.5915402
depot_lon = 11.5129492
seats = 8
wheelchair = 1
shift_start = "06:00"
shift_end = "21:00"

[sweep]
seeds = 2
service_level = 0.7
models.On-demand.fleet.count = [1, 2]
service.max_ride_alpha = [1.5, 2.0]
"""

COMPARED = ("results.parquet", "results.csv", "summary.csv", "cheapest.csv", "failures.csv")


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("sweep") / "tiny.toml"
    p.write_text(textwrap.dedent(SWEEP), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def serial(sweep_file: Path) -> Path:
    """The sweep run in this process (the reference every other run must equal byte for byte)."""
    out = sweep_file.parent / "serial"
    res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(out), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    return out


def _same_files(a: Path, b: Path) -> None:
    for name in COMPARED:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_outputs_one_row_per_model_combination_and_seed(serial: Path, sweep_file: Path) -> None:
    for name in OUTPUT_FILES:
        assert (serial / name).is_file(), name
    res = pd.read_parquet(serial / "results.parquet")
    assert len(res) == 2 * 4 * 2  # models x combinations x seeds
    assert list(res.columns[:5]) == ["combination", "models.On-demand.fleet.count", "service.max_ride_alpha",
                                     "model", "kind"]
    assert res.groupby(["model", "combination", "seed"]).size().eq(1).all()
    csv = pd.read_csv(serial / "results.csv")
    pd.testing.assert_frame_equal(csv[["combination", "seed", "served"]], res[["combination", "seed", "served"]],
                                  check_dtype=False)
    # more buses serve at least as many requests on every seed and ride rule
    od = res[res["model"] == "On-demand"].set_index(["service.max_ride_alpha", "seed", "models.On-demand.fleet.count"])
    for alpha in (1.5, 2.0):
        for seed in (1, 2):
            assert od.loc[(alpha, seed, 2), "served"] >= od.loc[(alpha, seed, 1), "served"]
    summ = pd.read_csv(serial / "summary.csv")
    row = summ[(summ["combination"] == 4) & (summ["model"] == "On-demand") & (summ["kpi"] == "served_share")].iloc[0]
    vals = res[(res["combination"] == 4) & (res["model"] == "On-demand")]["served_share"]
    assert row["n"] == 2 and row["mean"] == pytest.approx(vals.mean())
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    best = pd.read_csv(serial / "cheapest.csv").set_index("model")
    od_mean = summ[(summ["model"] == "On-demand")].pivot_table(index="combination", columns="kpi", values="mean")
    ok = od_mean[od_mean["served_share"] >= 0.7]
    assert 0 < len(ok) < len(od_mean)  # the level separates the combinations
    assert best.loc["On-demand", "combination"] == ok["cost_per_passenger"].idxmin()
    html = (serial / "sweep.html").read_text(encoding="utf-8")
    n_curves = 4 * 2  # default KPIs x axes
    assert html.count("Plotly.newPlot") == n_curves
    assert "against models.On-demand.fleet.count" in html and "synthetic data" in html


def test_sweep_report_renders_its_response_curves_in_chromium(serial: Path) -> None:
    from chromium_render import dump_dom, find_chromium, rendered_figures, screenshot

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    figures = rendered_figures(dump_dom(chromium, serial / "sweep.html"))
    assert len(figures) == 8
    for f in figures:
        assert f.main_svg >= 1, f"{f.div_id} did not render"
        assert f.drawn >= 2, f"{f.div_id} has not a line per model"
    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    screenshot(chromium, serial / "sweep.html", artifacts / "sweep.png", height=4000)
    assert (artifacts / "sweep.png").stat().st_size > 30_000


def test_same_results_as_transit_compare_for_a_combination_and_seed(serial: Path, sweep_file: Path) -> None:
    from transit.compare.run import run_comparison

    sw = load_sweep(sweep_file)
    combo = sw.combinations[2]
    comp = run_comparison(combo.scenario, seeds=[2], access=False)
    res = pd.read_parquet(serial / "results.parquet")
    mine = res[(res["combination"] == combo.index) & (res["seed"] == 2)].reset_index(drop=True)
    cols = [c for c in comp.kpis.columns if c in mine.columns]
    assert len(cols) > 40
    pd.testing.assert_frame_equal(mine[cols], comp.kpis[cols], check_dtype=False)


def test_local_cluster_of_two_workers_gives_the_same_bytes(serial: Path, sweep_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "local"
    res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(out), "--jobs", "2"])
    assert res.exit_code == 0, res.output
    assert "on a local Dask cluster" in res.output
    _same_files(serial, out)


def test_a_killed_worker_does_not_stop_the_sweep(serial: Path, sweep_file: Path, tmp_path: Path) -> None:
    from distributed import Client

    sw = load_sweep(sweep_file)
    out = tmp_path / "killed"
    killed: list[int] = []
    with local_cluster(2) as cluster, Client(cluster) as spy:
        pids = list(spy.run(os.getpid).values())
        assert len(pids) == 2

        def progress(done: float, total: float, message: str = "") -> None:
            if done >= 1 and not killed:  # the first task is in: kill a worker while the others run
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        with Engine(scheduler=cluster.scheduler_address) as engine:
            result = run_sweep(sw, out, engine=engine, progress=progress)
        write_sweep(result, out)
        assert killed and set(spy.run(os.getpid).values()) != set(pids)  # the nanny started a new worker
    assert result.failures.empty
    assert result.ran == len(sweep_tasks(sw))
    _same_files(serial, out)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_scheduler_and_two_dask_workers_give_the_same_bytes(serial: Path, sweep_file: Path,
                                                                   tmp_path: Path) -> None:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                           "--nthreads", "1", "--no-dashboard"], env=env, cwd=tmp_path,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout="60s") as c:
            c.wait_for_workers(2, timeout=120)
        out = tmp_path / "remote"
        res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(out), "--scheduler", address])
        assert res.exit_code == 0, res.output
        assert f"on {address}" in res.output
        _same_files(serial, out)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_resume_runs_only_the_missing_tasks(serial: Path, sweep_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "resumed"
    shutil.copytree(serial, out)
    files = sorted((out / "tasks").glob("*.parquet"))
    assert len(files) == 8
    files[3].unlink()
    (out / "results.csv").unlink()
    res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(out), "--jobs", "1", "--resume"])
    assert res.exit_code == 0, res.output
    assert "1 tasks run, 7 taken from before, 0 failed" in res.output
    _same_files(serial, out)


def test_an_existing_output_needs_resume_or_force(serial: Path, sweep_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(out), "--jobs", "1"])
    assert res.exit_code == 2
    assert "output exists; use --resume to go on with it or --force to start over" in res.output
    res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(out), "--jobs", "1", "--resume"])
    assert res.exit_code == 2 and "not the output folder of a sweep" in res.output
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]


def test_a_failed_task_is_reported_with_its_combination_and_the_rest_go_on(
    sweep_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transit.sweep.run as sweep_run

    real = sweep_run.run_task

    def flaky(doc, source, seed):
        if seed == 2 and doc["service"]["max_ride_alpha"] == 2.0:
            raise RuntimeError("worker lost its disk")
        return real(doc, source, seed)

    monkeypatch.setattr(sweep_run, "run_task", flaky)
    out = tmp_path / "flaky"
    res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(out), "--jobs", "1"])
    assert res.exit_code == 1, res.output
    assert "6 tasks run, 0 taken from before, 2 failed" in res.output
    assert "failed: combination 2, seed 2: RuntimeError: worker lost its disk" in res.output
    assert "failed: combination 4, seed 2: RuntimeError: worker lost its disk" in res.output
    fails = pd.read_csv(out / "failures.csv")
    assert fails[["combination", "seed"]].values.tolist() == [[2, 2], [4, 2]]
    assert len(pd.read_parquet(out / "results.parquet")) == 2 * 6
    assert len(list((out / "tasks").glob("*.parquet"))) == 6
    # the failed ones run again with --resume
    monkeypatch.setattr(sweep_run, "run_task", real)
    res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(out), "--jobs", "1", "--resume"])
    assert res.exit_code == 0, res.output
    assert "2 tasks run, 6 taken from before, 0 failed" in res.output


def test_engine_reports_failures_on_a_cluster_and_goes_on() -> None:
    import math

    done: dict[int, float] = {}
    failed: dict[int, str] = {}
    with Engine(jobs=2) as engine:
        engine.run(math.sqrt, [(4.0,), (-1.0,), (9.0,)], done=done.__setitem__,
                   failed=lambda i, e: failed.__setitem__(i, type(e).__name__))
        assert done == {0: 2.0, 2: 3.0} and failed == {1: "ValueError"}
        with pytest.raises(ValueError):
            engine.run(math.sqrt, [(-1.0,)], done=done.__setitem__)


_QUIET_ENGINE = """
import logging, math

from transit.compare.engine import Engine

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("distributed").setLevel(logging.WARNING)  # as the CLI does without --verbose
    done = {}
    with Engine(jobs=2) as engine:
        engine.run(math.sqrt, [(4.0,), (9.0,)], done=done.__setitem__)
    print(sorted(done.values()), logging.getLogger("distributed").level)
"""


def test_a_local_cluster_keeps_the_callers_log_level(tmp_path: Path) -> None:
    """The first import of distributed (in a fresh process) must not turn its connection logs back on."""
    script = tmp_path / "quiet.py"
    script.write_text(_QUIET_ENGINE, encoding="utf-8")
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[0] == "[2.0, 3.0] 30"
    assert "INFO distributed" not in res.stderr, res.stderr


def test_bad_sweep_file_exits_2_naming_file_and_key(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(textwrap.dedent(SWEEP).replace("service.max_ride_alpha", "service.max_ride_alfa"), encoding="utf-8")
    res = CliRunner().invoke(app, ["sweep", str(p), "--out", str(tmp_path / "o"), "--jobs", "1"])
    assert res.exit_code == 2
    assert f"{p}: sweep.service.max_ride_alfa: service: unknown key 'max_ride_alfa'" in res.output
    assert not (tmp_path / "o").exists()


def test_unreachable_scheduler_exits_2(sweep_file: Path, tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    t0 = time.monotonic()
    res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(tmp_path / "o"), "--scheduler", address])
    assert res.exit_code == 2, res.output
    assert f"--scheduler: cannot reach the Dask scheduler at '{address}'" in res.output
    assert time.monotonic() - t0 < 120


def test_a_local_cluster_does_not_need_port_8787(tmp_path: Path) -> None:
    """Two runs at once (or a Jupyter dask session) must not make the second print dask's port warning."""
    script = tmp_path / "busy.py"
    script.write_text(_QUIET_ENGINE, encoding="utf-8")
    with socket.socket() as busy:
        try:
            busy.bind(("", 8787))
        except OSError:
            pass  # already taken by someone else: just as good
        else:
            busy.listen()
        res = subprocess.run([sys.executable, "-W", "always", str(script)], capture_output=True, text=True,
                             timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[0] == "[2.0, 3.0] 30"
    assert "8787" not in res.stderr, res.stderr
