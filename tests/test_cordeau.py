"""Tests of the Cordeau (2006) / Cordeau & Laporte (2003) instance reader and the routes writer."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np
import pytest

from transit.darp.checker import check, evaluate
from transit.darp.cordeau import FORMAT_2003, FORMAT_2006, read_cordeau, write_routes
from transit.errors import InputError
from transit.darp.data import Plan, Route, Stop, StopKind

# Two requests, two vehicles; 3-4-5 triangles make the distances whole numbers.
TINY = """\
2 2 480 3 30
  0   0.000   0.000   0   0    0  480
  1   3.000   4.000   3   1    0 1440
  2   0.000   5.000   3   1    0 1440
  3   6.000   8.000   3  -1    0 1440
  4   0.000  -5.000   3  -1    0 1440
  5   0.000   0.000   0   0    0  480
"""


def write(tmp_path: Path, text: str, name: str = "tiny.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def instance_files(shared_dir: Path) -> list[Path]:
    return sorted((shared_dir / "benchmarks" / "darp" / "instances").glob("*.txt"))


def test_all_shared_instances_parse(shared_dir):
    files = instance_files(shared_dir)
    assert len(files) == 18
    for path in files:
        inst = read_cordeau(path)
        k, n = map(int, re.fullmatch(r"a(\d+)-(\d+)", path.stem).groups())
        assert (inst.name, inst.K, inst.n, inst.Q, inst.L) == (path.stem, k, n, 3, 30)
        p = inst.problem
        assert p.n_locations == 2 * n + 2
        assert len(p.vehicles) == k and len(p.requests) == n
        assert all(v.start_depot == 0 and v.end_depot == 2 * n + 1 for v in p.vehicles)
        assert all(v.max_route_duration == inst.T * 60 for v in p.vehicles)
        assert all((v.shift.earliest, v.shift.latest) == (0, inst.T * 60) for v in p.vehicles)
        assert [(r.pickup, r.dropoff) for r in p.requests] == [(i, n + i) for i in range(1, n + 1)]
        np.testing.assert_allclose(p.travel_time, 60 * p.distance)
        assert inst.coordinates.shape == (2 * n + 2, 2)
        assert np.abs(inst.coordinates).max() <= 10


def test_every_request_has_one_tight_window(shared_dir):
    # FORMAT.md: one 15-minute window per request, on the delivery for the
    # first half of the requests and on the pickup for the second half; the
    # other window is the whole day [0, 1440] minutes.
    day = (0.0, 1440 * 60.0)
    for path in instance_files(shared_dir):
        inst = read_cordeau(path)
        for k, r in enumerate(inst.problem.requests, start=1):
            pick = (r.pickup_window.earliest, r.pickup_window.latest)
            drop = (r.dropoff_window.earliest, r.dropoff_window.latest)
            tight, loose = (drop, pick) if k <= inst.n // 2 else (pick, drop)
            assert tight[1] - tight[0] == 15 * 60, (inst.name, r.id)
            assert loose == day, (inst.name, r.id)
            assert r.service_time == 3 * 60 and r.max_ride_time == 30 * 60 and r.passengers == 1


def test_distance_is_euclidean(shared_dir):
    inst = read_cordeau(shared_dir / "benchmarks" / "darp" / "instances" / "a2-16.txt")
    # Node 1 of a2-16 is at (-1.198, -5.164), the depot at (0, 0).
    assert inst.problem.distance[0, 1] == pytest.approx(math.hypot(1.198, 5.164), abs=1e-12)
    assert inst.problem.travel_time[0, 1] == pytest.approx(60 * math.hypot(1.198, 5.164))
    assert inst.problem.distance[0, 33] == 0.0


def test_crlf_and_missing_final_newline_read_the_same(tmp_path):
    lf = read_cordeau(write(tmp_path, TINY, "lf.txt"))
    crlf = read_cordeau(write(tmp_path, TINY.replace("\n", "\r\n").rstrip(), "crlf.txt"))
    np.testing.assert_array_equal(lf.problem.distance, crlf.problem.distance)
    assert lf.problem.requests == crlf.problem.requests


def test_tiny_instance_plan_checks_and_costs(tmp_path):
    inst = read_cordeau(write(tmp_path, TINY))
    start, pick, drop, end = StopKind.START, StopKind.PICKUP, StopKind.DROPOFF, StopKind.END
    # Vehicle 1: 0 -> 1 (5 units = 300 s; 180 s service) -> 3 (5 units) -> 5 (10 units).
    # Vehicle 2: 0 -> 2 (5 units) -> 4 (10 units) -> 5 (5 units).
    plan = Plan(
        routes=(
            Route("1", (Stop(start, 0, 0, 0, 0), Stop(pick, 1, 300, 300, 480, 1, 0, "1"),
                        Stop(drop, 3, 780, 780, 960, 0, 0, "1"), Stop(end, 5, 1560, 1560, 1560))),
            Route("2", (Stop(start, 0, 0, 0, 0), Stop(pick, 2, 300, 300, 480, 1, 0, "2"),
                        Stop(drop, 4, 1080, 1080, 1260, 0, 0, "2"), Stop(end, 5, 1560, 1560, 1560))),
        )
    )
    assert check(inst.problem, plan) == []
    assert evaluate(inst.problem, plan).distance == pytest.approx(40.0)
    # Ride time limit of 30 minutes: request 2 rides 600 s; with L = 5 it would be too long.
    short = read_cordeau(write(tmp_path, TINY.replace("2 2 480 3 30", "2 2 480 3 5"), "short.txt"))
    assert [v.kind for v in check(short.problem, plan)] == ["ride_time"]

    out = tmp_path / "out" / "tiny.routes"
    write_routes(inst, plan.replace(routes=(*plan.routes, Route("3", ()))), out)
    assert out.read_text() == "0 1 3 5\n0 2 4 5\n"


@pytest.mark.parametrize(
    ("text", "row", "column", "words"),
    [
        (TINY.rsplit("\n", 2)[0] + "\n", 6, None, "this file has 6 lines"),
        (TINY + "  6   0.000   0.000   0   0    0  480\n", 8, None, "goes on"),
        (TINY.replace("1   3.000", "1   3.0x0"), 3, "x", "not a number"),
        (TINY.replace("3   1    0 1440", "3   1.5  0 1440", 1), 3, "q", "not an integer"),
        (TINY.replace("  2   0.000   5.000", "  9   0.000   5.000"), 4, "id", "expected node 2"),
        (TINY.replace("2 2 480 3 30", "2 2 480 3"), 1, None, "expected 5 fields"),
        (TINY.replace("2 2 480 3 30", "2 2 nan 3 30"), 1, "T", "not a finite number"),
        (TINY.replace("6.000   8.000   3  -1", "6.000   8.000   3  -2"), 5, "q", "minus its pickup"),
        (TINY.replace("3   1    0 1440", "3   1   90   60", 1), 3, "l", "before it starts"),
        (TINY.replace("2 2 480 3 30", "2 2 480 0 30"), 1, "Q", "must be > 0"),
        (TINY.replace("  3   1    0 1440", "  3   4    0 1440", 1).replace("3  -1    0 1440", "3  -4    0 1440", 1), 3, "q", "more than the capacity Q = 3"),
    ],
    ids=["too_few_lines", "too_many_lines", "non_numeric", "fractional_q", "wrong_node_id",
         "short_header", "nan", "unpaired_load", "inverted_window", "zero_capacity", "too_big"],
)
def test_bad_file_names_file_line_and_field(tmp_path, text, row, column, words):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_cordeau(path)
    e = err.value
    assert (e.file, e.row, e.column) == (str(path), row, column)
    assert words in str(e) and str(path) in str(e)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_cordeau(tmp_path / "nope.txt")


# Proven-optimal routes (node ids, depots left out) logged by the exact DARP
# solver of Rist & Forbes (2021) in github.com/Thibaud-Ardoin/Dial-a-Ride,
# dialRL/strategies/logs/darp/rf/4443b2f25d373531/RF0-a2-16_soln.json and
# RF7-a4-16_soln.json (commit 9a27259), with their logged objective values.
OPTIMA = {
    "a2-16": (294.24795014249145, [
        [10, 5, 26, 21, 14, 30, 15, 31, 7, 16, 23, 32],
        [12, 6, 28, 22, 4, 11, 27, 20, 3, 19, 13, 29, 9, 8, 25, 24, 2, 18, 1, 17],
    ]),
    "a4-16": (282.6773713930108, [
        [6, 22],
        [9, 25, 11, 5, 27, 21, 4, 20],
        [12, 28, 7, 1, 23, 17, 15, 31],
        [14, 3, 30, 19, 10, 26, 2, 18, 8, 24, 16, 13, 32, 29],
    ]),
}


def schedule(inst, nodes: list[int]) -> tuple[Stop, ...]:
    """Return the stops of one route visiting ``nodes``, timed by a feasibility LP.

    Independent of the checker: the start times B (seconds) satisfy the
    constraints of FORMAT.md (travel, windows, ride time, route duration) as
    a linear program. The vehicle leaves each stop just in time to start the
    next one on arrival (any waiting happens after service, on board).
    """
    from scipy.optimize import linprog

    p = inst.problem
    seq = [0, *nodes, 2 * inst.n + 1]
    m = len(seq)
    service = {r.pickup: r.service_time for r in p.requests} | {r.dropoff: r.service_time for r in p.requests}
    window = {r.pickup: r.pickup_window for r in p.requests} | {r.dropoff: r.dropoff_window for r in p.requests}
    tt = p.travel_time
    rows, rhs = [], []

    def le(coefs: dict[int, float], bound: float) -> None:  # sum coefs * B <= bound
        row = np.zeros(m)
        for k, c in coefs.items():
            row[k] += c
        rows.append(row)
        rhs.append(bound)

    for k in range(m - 1):  # B_k + d_k + t <= B_{k+1}
        le({k: 1, k + 1: -1}, -(service.get(seq[k], 0.0) + tt[seq[k], seq[k + 1]]))
    pos = {node: k for k, node in enumerate(seq)}
    for r in p.requests:
        if r.pickup in pos:  # B_drop - (B_pick + d) <= L
            le({pos[r.dropoff]: 1, pos[r.pickup]: -1}, r.max_ride_time + r.service_time)
    le({m - 1: 1, 0: -1}, p.vehicles[0].max_route_duration)
    shift = p.vehicles[0].shift
    bounds = [(shift.earliest, shift.latest)]
    bounds += [(window[node].earliest, window[node].latest) for node in nodes]
    bounds += [(shift.earliest, shift.latest)]
    res = linprog(np.zeros(m), A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds, method="highs")
    assert res.status == 0, res.message
    b = res.x
    stops, load = [], 0
    for k, node in enumerate(seq):
        arrival = b[k] if k == 0 else stops[-1].departure + tt[seq[k - 1], node]
        departure = b[k + 1] - tt[node, seq[k + 1]] if k + 1 < m else arrival
        if k == 0:
            kind = StopKind.START
        elif k == m - 1:
            kind = StopKind.END
        else:
            kind = StopKind.PICKUP if node <= inst.n else StopKind.DROPOFF
            load += 1 if kind == StopKind.PICKUP else -1
        rid = str(node if node <= inst.n else node - inst.n) if kind in (StopKind.PICKUP, StopKind.DROPOFF) else None
        stops.append(Stop(kind, node, arrival, max(arrival, b[k]), departure, load, 0, rid))
    return tuple(stops)


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_published_optimum_is_valid_and_costs_its_value(shared_dir, tmp_path, name):
    inst = read_cordeau(shared_dir / "benchmarks" / "darp" / "instances" / f"{name}.txt")
    value, routes = OPTIMA[name]
    plan = Plan(routes=tuple(Route(str(k + 1), schedule(inst, nodes)) for k, nodes in enumerate(routes)))
    assert check(inst.problem, plan) == []
    cost = evaluate(inst.problem, plan)
    assert cost.distance == pytest.approx(value, abs=1e-9)
    assert (cost.served, cost.rejected) == (16, 0)
    # Without the end of the last route, the request is no longer served.
    broken = plan.replace(routes=(*plan.routes[:-1], Route(str(len(routes)), ())))
    assert "missing_request" in {v.kind for v in check(inst.problem, broken)}
    out = tmp_path / f"{name}.routes"
    write_routes(inst, plan, out)
    assert out.read_text().splitlines() == [" ".join(map(str, [0, *r, 33])) for r in routes]


# ---------------------------------------------------------------- Cordeau & Laporte (2003)

# The same two requests in the 2003 layout: header `K 2n T Q L` (2n = 4 nodes
# without the depot), nodes 0 .. 2n, no end-depot line; routes end at node 0.
TINY_2003 = """\
2 4 480 6 90
  0   0.000   0.000   0   0    0 1440
  1   3.000   4.000  10   1    0 1440
  2   0.000   5.000  10   1   60  120
  3   6.000   8.000  10  -1   30   75
  4   0.000  -5.000  10  -1    0 1440
"""


def test_2003_format_is_told_by_its_line_count(tmp_path):
    inst = read_cordeau(write(tmp_path, TINY_2003))
    assert (inst.format, inst.K, inst.n, inst.T, inst.Q, inst.L) == (FORMAT_2003, 2, 2, 480, 6, 90)
    assert inst.end_depot == 0 and inst.coordinates.shape == (5, 2)
    p = inst.problem
    assert p.n_locations == 5
    assert [(r.pickup, r.dropoff) for r in p.requests] == [(1, 3), (2, 4)]
    assert all((v.start_depot, v.end_depot, v.seats) == (0, 0, 6) for v in p.vehicles)
    # The shift is the depot's window (the whole day); T limits the route duration.
    assert all((v.shift.earliest, v.shift.latest, v.max_route_duration) == (0, 1440 * 60, 480 * 60) for v in p.vehicles)
    r2 = p.requests[1]
    assert (r2.pickup_window.earliest, r2.pickup_window.latest) == (3600, 7200)
    assert r2.max_ride_time == 90 * 60 and r2.service_time == 10 * 60
    assert read_cordeau(write(tmp_path, TINY, "tiny2006.txt")).format == FORMAT_2006


def test_2003_plan_checks_costs_and_writes_routes_ending_at_the_depot(tmp_path):
    inst = read_cordeau(write(tmp_path, TINY_2003))
    start, pick, drop, end = StopKind.START, StopKind.PICKUP, StopKind.DROPOFF, StopKind.END
    # Vehicle 1: 0 -> 1 (5 units = 300 s, 600 s service) -> 3 (5 units) -> 0 (10 units).
    # Vehicle 2: 0 -> 2 (5 units, waits for 3600 s) -> 4 (10 units) -> 0 (5 units).
    plan = Plan(
        routes=(
            Route("1", (Stop(start, 0, 0, 1500, 1500), Stop(pick, 1, 1800, 1800, 2400, 1, 0, "1"),
                        Stop(drop, 3, 2700, 2700, 3300, 0, 0, "1"), Stop(end, 0, 3900, 3900, 3900))),
            Route("2", (Stop(start, 0, 0, 3300, 3300), Stop(pick, 2, 3600, 3600, 4200, 1, 0, "2"),
                        Stop(drop, 4, 4800, 4800, 5400, 0, 0, "2"), Stop(end, 0, 5700, 5700, 5700))),
        )
    )
    assert check(inst.problem, plan) == []
    assert evaluate(inst.problem, plan).distance == pytest.approx(40.0)
    out = tmp_path / "tiny.routes"
    write_routes(inst, plan, out)
    assert out.read_text() == "0 1 3 0\n0 2 4 0\n"


def test_all_shared_2003_instances_parse(shared_dir):
    folder = shared_dir / "benchmarks" / "darp-pr"
    with (folder / "bks.csv").open() as fh:
        expected = {row["instance"]: (int(row["vehicles"]), int(row["requests"])) for row in csv.DictReader(fh)}
    files = sorted((folder / "instances").glob("*.txt"))
    assert [f.stem for f in files] == sorted(expected)
    for path in files:
        inst = read_cordeau(path)
        k, n = expected[path.stem]
        assert (inst.format, inst.K, inst.n, inst.Q, inst.L, inst.T) == (FORMAT_2003, k, n, 6, 90, 480)
        p = inst.problem
        assert p.n_locations == 2 * n + 1 and len(p.requests) == n
        assert all(v.start_depot == 0 and v.end_depot == 0 for v in p.vehicles)
        for r in p.requests:
            assert r.service_time == 600 and r.passengers == 1
            # One window per request is the whole day, the other one is tighter.
            widths = sorted(w.latest - w.earliest for w in (r.pickup_window, r.dropoff_window))
            assert widths[1] == 1440 * 60 and widths[0] < 90 * 60


@pytest.mark.parametrize(
    ("text", "row", "words"),
    [
        (TINY_2003 + "  5   0.000   0.000   0   0    0 1440\n", 7, ["2n + 3 = 11 lines", "has 6 lines", "this file has 7 lines"]),
        (TINY_2003.rsplit("\n", 2)[0] + "\n", 5, ["2n + 3 = 11 lines", "has 6 lines", "ends after line 5"]),
        (TINY_2003.replace("2 4 480", "2 3 480").rsplit("\n", 2)[0] + "\n", 5, ["2n + 3 = 9 lines", "3 is odd", "this file has 5 lines"]),
        (TINY_2003 * 3, 12, ["2n + 3 = 11 lines", "goes on (18 lines)"]),
    ],
    ids=["one_line_too_many_for_2003", "one_line_too_few_for_2003", "odd_node_count", "longer_than_both"],
)
def test_file_fitting_neither_format_says_what_each_expects(tmp_path, text, row, words):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_cordeau(path)
    message = str(err.value)
    assert err.value.file == str(path) and err.value.row == row
    assert "fits neither format" in message and str(path) in message
    for w in words:
        assert w in message, message
