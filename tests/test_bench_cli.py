"""Tests of `transit bench darp`.

Most tests replace the solver by small stand-ins defined here (so the command's
own logic is tested whatever the solver does); one runs the real solver on two
shared instances.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from transit.commands import bench
from transit.errors import SolverError
from transit.darp.data import Plan, Problem, Rejection, Route, SolverStats, Stop, StopKind

COLUMNS = ["instance", "vehicles", "requests", "served", "feasible", "cost", "seconds", "bks", "gap_pct"]

# Two requests, two vehicles; each vehicle serving one request drives 20 units.
TINY = """\
2 2 480 3 30
  0   0.000   0.000   0   0    0  480
  1   3.000   4.000   3   1    0 1440
  2   0.000   5.000   3   1    0 1440
  3   6.000   8.000   3  -1    0 1440
  4   0.000  -5.000   3  -1    0 1440
  5   0.000   0.000   0   0    0  480
"""


def one_request_per_vehicle(problem: Problem, *, time_limit: float, seed: int = 0, **_: object) -> Plan:
    """Stand-in solver: request k on vehicle k, each as early as its windows allow."""
    routes = []
    for vehicle, req in zip(problem.vehicles, problem.requests, strict=True):
        tt = problem.travel_time
        stops = [Stop(StopKind.START, vehicle.start_depot, 0, 0, 0)]
        t, loc, load = 0.0, vehicle.start_depot, 0
        for kind, where, window, change in (
            (StopKind.PICKUP, req.pickup, req.pickup_window, req.passengers),
            (StopKind.DROPOFF, req.dropoff, req.dropoff_window, -req.passengers),
        ):
            arrival = t + tt[loc, where]
            begin = max(arrival, window.earliest)
            t, loc, load = begin + req.service_time, where, load + change
            stops.append(Stop(kind, where, arrival, begin, t, load, 0, req.id))
        arrival = t + tt[loc, vehicle.end_depot]
        stops.append(Stop(StopKind.END, vehicle.end_depot, arrival, arrival, arrival))
        routes.append(Route(vehicle.id, tuple(stops)))
    return Plan(routes=tuple(routes))


def reject_all(problem: Problem, **_: object) -> Plan:
    return Plan(routes=tuple(Route(v.id, ()) for v in problem.vehicles),
                rejected=tuple(Rejection(r.id, "stand-in") for r in problem.requests))


def failing(problem: Problem, **_: object) -> Plan:
    msg = "the stand-in gives up"
    raise SolverError(msg)


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY)
    return path


@pytest.fixture
def bks_file(tmp_path) -> Path:
    path = tmp_path / "bks.csv"
    path.write_text("instance,vehicles,requests,bks_cost,source\ntiny,2,2,38.0,by hand\n")
    return path


def use_solver(monkeypatch, solver) -> None:
    monkeypatch.setattr(bench, "_load_solver", lambda: solver)


def run(*args: object):
    return CliRunner().invoke(app, ["bench", "darp", *map(str, args)])


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_rows_solutions_and_gap(monkeypatch, tmp_path, tiny, bks_file):
    use_solver(monkeypatch, one_request_per_vehicle)
    out, sols = tmp_path / "res" / "results.csv", tmp_path / "sols"
    result = run(tiny, "--time-limit", 1, "--bks", bks_file, "--solutions", sols, "--out", out)
    assert result.exit_code == 0, result.output
    (row,) = read_rows(out)
    assert {k: row[k] for k in ("instance", "vehicles", "requests", "served", "feasible", "bks")} == {
        "instance": "tiny", "vehicles": "2", "requests": "2", "served": "2", "feasible": "true", "bks": "38",
    }
    assert float(row["cost"]) == pytest.approx(40.0)
    assert float(row["gap_pct"]) == pytest.approx(100 * 2 / 38, abs=1e-3)
    assert float(row["seconds"]) >= 0
    assert (sols / "tiny.routes").read_text() == "0 1 3 5\n0 2 4 5\n"
    assert "[1/1] tiny" in result.stderr and "1/1 feasible" in result.stderr


def test_unserved_requests_are_not_feasible_and_have_no_gap(monkeypatch, tmp_path, tiny, bks_file):
    use_solver(monkeypatch, reject_all)
    out = tmp_path / "results.csv"
    assert run(tiny, "--time-limit", 1, "--bks", bks_file, "--out", out).exit_code == 0
    (row,) = read_rows(out)
    assert (row["served"], row["feasible"], row["cost"], row["bks"], row["gap_pct"]) == ("0", "false", "0.0000", "38", "")


def test_plan_with_a_violation_is_not_feasible(monkeypatch, tmp_path, tiny):
    def too_early(problem: Problem, **kw: object) -> Plan:
        plan = one_request_per_vehicle(problem, **kw)
        route = plan.routes[0]
        stops = (route.stops[0], route.stops[1].replace(arrival=1.0), *route.stops[2:])
        return plan.replace(routes=(route.replace(stops=stops), *plan.routes[1:]))

    use_solver(monkeypatch, too_early)
    out = tmp_path / "results.csv"
    result = run(tiny, "--time-limit", 1, "--out", out)
    assert result.exit_code == 0
    (row,) = read_rows(out)
    assert (row["served"], row["feasible"], row["bks"], row["gap_pct"]) == ("2", "false", "", "")
    assert "travel_time" in result.stderr


def test_solver_failure_is_recorded_and_the_run_goes_on(monkeypatch, tmp_path, tiny):
    use_solver(monkeypatch, failing)
    other = tmp_path / "other.txt"
    other.write_text(TINY)
    out = tmp_path / "results.csv"
    result = run(tiny, other, "--time-limit", 1, "--out", out)
    assert result.exit_code == 0
    assert [(r["instance"], r["feasible"], r["served"]) for r in read_rows(out)] == [
        ("tiny", "false", "0"), ("other", "false", "0")
    ]
    assert "solver failed: the stand-in gives up" in result.stderr


def test_seed_and_time_limit_reach_the_solver(monkeypatch, tmp_path, tiny):
    seen = {}

    def spy(problem: Problem, **kw: object) -> Plan:
        seen.update(kw)
        return one_request_per_vehicle(problem, **kw)

    use_solver(monkeypatch, spy)
    assert run(tiny, "--time-limit", 2.5, "--seed", 7, "--out", tmp_path / "r.csv").exit_code == 0
    # A time limit alone: the search uses the time (stopping earlier only if converged).
    # Searches side by side: one per core, at most 2, unless --workers says otherwise.
    cores = max(1, min(2, os.cpu_count() or 1))
    assert seen == {"time_limit": 2.5, "search_until": "time", "seed": 7, "workers": cores}
    assert run(tiny, "--time-limit", 2.5, "--workers", 1, "--out", tmp_path / "r1.csv").exit_code == 0
    assert seen["workers"] == 1
    bad = run(tiny, "--time-limit", 2.5, "--workers", 0, "--out", tmp_path / "r0.csv")
    assert bad.exit_code == 2 and "--workers" in bad.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--budget", 500], {"time_limit": None, "iterations": 500, "seed": 0}),
        (["--budget", 500, "--time-limit", 9], {"time_limit": 9.0, "iterations": 500, "seed": 0}),
        ([], {"seed": 0}),
    ],
    ids=["budget", "budget_with_cap", "default_budget"],
)
def test_budget_governs_the_work(monkeypatch, tmp_path, tiny, args, expected):
    seen = {}

    def spy(problem: Problem, **kw: object) -> Plan:
        seen.clear()
        seen.update(kw)
        return one_request_per_vehicle(problem, time_limit=1.0)

    use_solver(monkeypatch, spy)
    result = run(tiny, *args, "--out", tmp_path / "r.csv")
    assert result.exit_code == 0, result.output
    assert seen == expected


def test_negative_budget_exits_2(tmp_path, tiny):
    assert run(tiny, "--budget", -1, "--out", tmp_path / "r.csv").exit_code == 2


def test_converged_run_says_so(monkeypatch, tmp_path, tiny):
    def converging(problem: Problem, **kw: object) -> Plan:
        plan = one_request_per_vehicle(problem, time_limit=1.0)
        return plan.replace(stats=SolverStats(stop_reason="converged", iterations=3000, last_improvement=1000))

    use_solver(monkeypatch, converging)
    result = run(tiny, "--time-limit", 5, "--out", tmp_path / "r.csv")
    assert result.exit_code == 0
    assert "tiny: converged before the time limit: no better solution in the last 2000 of 3000 iterations" in result.stderr


def test_2003_format_instance_runs(monkeypatch, tmp_path):
    # The tiny instance in the Cordeau & Laporte (2003) layout: header K 2n T Q L, no end depot.
    path = write(tmp_path / "tiny03.txt", "\n".join(TINY.splitlines()[:-1]).replace("2 2 480 3 30", "2 4 480 3 30") + "\n")
    use_solver(monkeypatch, one_request_per_vehicle)
    out, sols = tmp_path / "results.csv", tmp_path / "sols"
    result = run(path, "--time-limit", 1, "--out", out, "--solutions", sols)
    assert result.exit_code == 0, result.output
    (row,) = read_rows(out)
    assert (row["instance"], row["requests"], row["served"], row["feasible"]) == ("tiny03", "2", "2", "true")
    # Routes end at the depot, node 0 (each vehicle drives 5 + 5 + 10 and 5 + 10 + 5 units).
    assert float(row["cost"]) == pytest.approx(40.0)
    assert (sols / "tiny03.routes").read_text() == "0 1 3 0\n0 2 4 0\n"


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda d: (d / "missing.txt", None), "missing.txt: file not found"),
        (lambda d: (write(d / "bad.txt", TINY.replace("3.000", "3.0x0")), None), "bad.txt:3: x: '3.0x0' is not a number"),
        (lambda d: (d / "tiny.txt", write(d / "b.csv", "instance,bks_cost\ntiny,abc\n")), "b.csv:2: bks_cost: 'abc' is not a number"),
        (lambda d: (d / "tiny.txt", write(d / "b.csv", "instance,cost\ntiny,1\n")), "b.csv:1: bks_cost: missing column"),
        (lambda d: (d / "tiny.txt", d / "nobks.csv"), "nobks.csv: file not found"),
    ],
    ids=["missing_instance", "malformed_instance", "bks_not_a_number", "bks_missing_column", "bks_missing"],
)
def test_bad_input_exits_2_and_writes_nothing(monkeypatch, tmp_path, tiny, setup, words):
    use_solver(monkeypatch, one_request_per_vehicle)
    instance, bks_csv = setup(tmp_path)
    out, sols = tmp_path / "results.csv", tmp_path / "sols"
    args = [instance, "--time-limit", 1, "--out", out, "--solutions", sols]
    result = run(*args, *(["--bks", bks_csv] if bks_csv else []))
    assert result.exit_code == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and not sols.exists()


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_existing_outputs_need_force(monkeypatch, tmp_path, tiny):
    use_solver(monkeypatch, one_request_per_vehicle)
    out, sols = tmp_path / "results.csv", tmp_path / "sols"
    out.write_text("keep me\n")
    result = run(tiny, "--time-limit", 1, "--out", out)
    assert result.exit_code == 2 and "output exists" in result.stderr
    assert out.read_text() == "keep me\n"
    sols.mkdir()
    (sols / "old.routes").write_text("0 1\n")
    result = run(tiny, "--time-limit", 1, "--out", tmp_path / "new.csv", "--solutions", sols)
    assert result.exit_code == 2 and not (tmp_path / "new.csv").exists()
    result = run(tiny, "--time-limit", 1, "--out", out, "--solutions", sols, "--force")
    assert result.exit_code == 0
    assert read_rows(out)[0]["feasible"] == "true"
    assert sorted(p.name for p in sols.iterdir()) == ["tiny.routes"]


def test_same_instance_name_twice_exits_2(monkeypatch, tmp_path, tiny):
    use_solver(monkeypatch, one_request_per_vehicle)
    (tmp_path / "sub").mkdir()
    again = write(tmp_path / "sub" / "tiny.txt", TINY)
    result = run(tiny, again, "--time-limit", 1, "--out", tmp_path / "r.csv")
    assert result.exit_code == 2 and "given twice" in result.stderr


def test_nonpositive_time_limit_exits_2(tmp_path, tiny):
    assert run(tiny, "--time-limit", 0, "--out", tmp_path / "r.csv").exit_code == 2


def test_real_solver_on_two_shared_instances(tmp_path, shared_dir):
    solver = pytest.importorskip("transit.solver")
    if not hasattr(solver, "solve"):
        pytest.skip("transit.solver.solve does not exist yet")
    darp = shared_dir / "benchmarks" / "darp"
    files = [darp / "instances" / "a2-16.txt", darp / "instances" / "a4-16.txt"]
    out = tmp_path / "results.csv"
    result = run(*files, "--time-limit", 1, "--bks", darp / "bks.csv", "--out", out, "--solutions", tmp_path / "sols")
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert [r["instance"] for r in rows] == ["a2-16", "a4-16"]
    for row in rows:
        assert row["feasible"] == "true", result.stderr
        assert row["served"] == row["requests"] == "16"
        # An optimum is proven: a feasible plan cannot beat it (bks is rounded to 0.01).
        assert float(row["cost"]) >= float(row["bks"]) - 0.005
        assert float(row["gap_pct"]) >= -0.01
