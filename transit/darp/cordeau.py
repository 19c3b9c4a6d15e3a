"""Read dial-a-ride benchmark instances of Cordeau (2006) and Cordeau & Laporte (2003).

Both formats have a header line ``K N T Q L`` and then node lines
``id x y d q e l``; times are minutes and travel time equals the Euclidean
distance (speed 1 unit per minute). They differ in ``N`` and the end depot:

* Cordeau (2006), ``../shared/benchmarks/darp/FORMAT.md``: ``N = n`` requests
  and ``2n + 2`` node lines (start depot 0, pickups 1..n, deliveries
  n+1..2n, end depot 2n+1): ``2n + 3`` lines in all;
* Cordeau & Laporte (2003), ``../shared/benchmarks/darp-pr/SOURCE.md``:
  ``N = 2n`` nodes without the depot and ``2n + 1`` node lines (depot 0,
  pickups, deliveries; no end-depot line, routes end at node 0 again):
  ``N + 2`` lines in all.

:func:`read_cordeau` tells them apart by the number of lines (``2N + 3``
against ``N + 2``; they never coincide).

The instance becomes a :class:`~transit.darp.data.Problem` whose locations are the
nodes themselves (location index = node id):

* ``travel_time`` = Euclidean distance x 60 (seconds), ``distance`` =
  Euclidean distance in the instance's units, so the Cordeau routing cost is
  the plan's total distance;
* request ``i`` (id ``"i"``) goes from node ``i`` to node ``n + i`` with
  ``q_i`` passengers, its windows and service time from the two node lines
  (times x 60), and ``max_ride_time = L`` x 60;
* ``K`` identical vehicles (ids ``"1"`` .. ``"K"``) with ``Q`` seats from
  node 0 to the end depot (node ``2n + 1``, or node 0 in the 2003 format),
  shift = [depot window opening, end-depot window closing] and
  ``max_route_duration = T`` (x 60);
* weights: distance 1, travel time 0, ride time 0, and a rejection penalty
  far above any routing cost.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from transit.util.atomic import atomic_write_text
from transit.errors import InputError, ProblemDataError
from transit.darp.data import ObjectiveWeights, Plan, Problem, Request, StopKind, TimeWindow, Vehicle

__all__ = ["FORMAT_2003", "FORMAT_2006", "REJECTION_PENALTY", "CordeauInstance", "read_cordeau", "write_routes"]

MINUTE = 60.0
"""Seconds per minute: instance times are minutes, the model's are seconds."""

REJECTION_PENALTY = 1e6
"""Objective penalty per rejected request (total routing costs are below 10^4)."""

FORMAT_2006 = "cordeau-2006"
"""Cordeau (2006): header ``K n T Q L``, ``2n + 2`` nodes with an end depot."""

FORMAT_2003 = "cordeau-laporte-2003"
"""Cordeau & Laporte (2003): header ``K 2n T Q L``, ``2n + 1`` nodes, no end depot."""

_HEADER = ("K", "n", "T", "Q", "L")
_NODE = ("id", "x", "y", "d", "q", "e", "l")


@dataclass(frozen=True, eq=False)
class CordeauInstance:
    """A Cordeau (2006) or Cordeau & Laporte (2003) instance and its problem.

    Parameters
    ----------
    name
        The file name without extension (e.g. ``a2-16``).
    K, n, T, Q, L
        Vehicles, requests, maximum route duration (minutes), capacity and
        maximum ride time (minutes), as in the header (``n`` is the number
        of requests in both formats).
    coordinates
        Node coordinates, row = node id: ``(2n + 2, 2)`` in the 2006 format,
        ``(2n + 1, 2)`` in the 2003 format.
    problem
        The problem (location index = node id; see the module docstring).
    format
        :data:`FORMAT_2006` or :data:`FORMAT_2003`.
    """

    name: str
    K: int
    n: int
    T: float
    Q: int
    L: float
    coordinates: np.ndarray
    problem: Problem
    format: str = FORMAT_2006

    @property
    def end_depot(self) -> int:
        """Return the node id where routes end (``2n + 1``, or 0 in the 2003 format)."""
        return 0 if self.format == FORMAT_2003 else 2 * self.n + 1


def _number(text: str, *, file: str, row: int, field: str, integer: bool = False) -> float:
    """Parse one field, raising InputError naming file, line and field."""
    try:
        value = float(text)
    except ValueError:
        msg = f"{text!r} is not a number"
        raise InputError(msg, file=file, row=row, column=field) from None
    if not math.isfinite(value):
        msg = f"{text!r} is not a finite number"
        raise InputError(msg, file=file, row=row, column=field)
    if integer and value != int(value):
        msg = f"{text!r} is not an integer"
        raise InputError(msg, file=file, row=row, column=field)
    return value


def _fields(line: str, names: tuple[str, ...], *, file: str, row: int) -> list[str]:
    parts = line.split()
    if len(parts) != len(names):
        msg = f"expected {len(names)} fields ({' '.join(names)}), found {len(parts)}"
        raise InputError(msg, file=file, row=row)
    return parts


def read_cordeau(path: str | os.PathLike[str]) -> CordeauInstance:
    """Read a DARP instance file of Cordeau (2006) or Cordeau & Laporte (2003).

    The format is told by the number of lines (see the module docstring).

    Parameters
    ----------
    path
        The instance file (``K N T Q L`` header, then one line per node).

    Returns
    -------
    CordeauInstance
        The header values, the coordinates, the :class:`Problem` and the format.

    Raises
    ------
    InputError
        If the file is missing, its number of lines fits neither format, or a
        field is not a number or is inconsistent; the error names file, line
        and field (and, for the line count, what each format expects).
    """
    p = Path(path)
    file = str(p)
    lines = _lines(p)
    head = _fields(lines[0], _HEADER, file=file, row=1)
    K, N, T, Q, L = (
        _number(t, file=file, row=1, field=name, integer=name in ("K", "n", "Q"))
        for t, name in zip(head, _HEADER)
    )
    for name, value in zip(_HEADER, (K, N, T, Q, L)):
        if value <= 0:
            msg = f"must be > 0, got {value:g}"
            raise InputError(msg, file=file, row=1, column=name)
    K, N, Q = int(K), int(N), int(Q)
    fmt, n = _detect_format(len(lines), N, file=file)
    end = 2 * n + 1 if fmt == FORMAT_2006 else 0
    nodes = _node_table(lines, n, end, Q, file=file)
    coords = nodes[:, :2].copy()
    problem = _problem(nodes, coords, n, end, K, T, Q, L, file=file)
    coords.flags.writeable = False
    return CordeauInstance(name=p.stem, K=K, n=n, T=T, Q=Q, L=L, coordinates=coords, problem=problem, format=fmt)


def _lines(p: Path) -> list[str]:
    """Return the lines of the file without line ends and trailing blank lines; raise if unreadable or empty."""
    file = str(p)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        msg = "file not found"
        raise InputError(msg, file=file) from None
    except IsADirectoryError:
        msg = "is a folder, not an instance file"
        raise InputError(msg, file=file) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        msg = "not a text file (not UTF-8)"
        raise InputError(msg, file=file) from None
    lines = [line.rstrip("\r") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()  # trailing newline(s) at the end of the file
    if not lines:
        msg = "the file is empty"
        raise InputError(msg, file=file)

    return lines


def _node_table(lines: list[str], n: int, end: int, Q: int, *, file: str) -> np.ndarray:
    """Return the checked node lines as an array of ``x y d q e l`` (end depot ``end``: 0 if none)."""
    n_nodes = 2 * n + 2 if end else 2 * n + 1
    nodes = np.zeros((n_nodes, 6))  # x y d q e l
    for node in range(n_nodes):
        row = node + 2
        parts = _fields(lines[node + 1], _NODE, file=file, row=row)
        node_id = _number(parts[0], file=file, row=row, field="id", integer=True)
        if node_id != node:
            msg = f"expected node {node} on this line, found {parts[0]}"
            raise InputError(msg, file=file, row=row, column="id")
        for k, name in enumerate(_NODE[1:]):
            nodes[node, k] = _number(parts[k + 1], file=file, row=row, field=name, integer=name == "q")
        d, q, e, l = nodes[node, 2:]
        if d < 0:
            msg = f"service duration must be >= 0, got {d:g}"
            raise InputError(msg, file=file, row=row, column="d")
        if l < e:
            msg = f"time window ends ({l:g}) before it starts ({e:g})"
            raise InputError(msg, file=file, row=row, column="l")
        depot = node in (0, end)
        role_q_ok = q == 0 if depot else (q > 0 if node <= n else True)
        if not role_q_ok:
            what = "a depot must have q = 0" if depot else "a pickup must have q > 0"
            msg = f"{what}, got {q:g}"
            raise InputError(msg, file=file, row=row, column="q")
        if 1 <= node <= n and q > Q:
            msg = f"{q:g} passengers, more than the capacity Q = {Q}"
            raise InputError(msg, file=file, row=row, column="q")
    for i in range(1, n + 1):
        if nodes[n + i, 3] != -nodes[i, 3]:
            msg = f"delivery of request {i} must have q = {-nodes[i, 3]:g} (minus its pickup's), got {nodes[n + i, 3]:g}"
            raise InputError(msg, file=file, row=n + i + 2, column="q")
        if nodes[n + i, 2] != nodes[i, 2]:
            msg = (
                f"service duration {nodes[n + i, 2]:g} differs from the pickup's {nodes[i, 2]:g}; "
                "the model has one service time per request"
            )
            raise InputError(msg, file=file, row=n + i + 2, column="d")

    return nodes


def _problem(nodes: np.ndarray, coords: np.ndarray, n: int, end: int, K: int, T: float, Q: int, L: float, *, file: str) -> Problem:
    """Return the :class:`Problem` of the node table (times in seconds, cost = Euclidean distance)."""
    euclid = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=2))
    requests = [
        Request(
            id=str(i),
            pickup=i,
            dropoff=n + i,
            passengers=int(nodes[i, 3]),
            pickup_window=TimeWindow(nodes[i, 4] * MINUTE, nodes[i, 5] * MINUTE),
            dropoff_window=TimeWindow(nodes[n + i, 4] * MINUTE, nodes[n + i, 5] * MINUTE),
            max_ride_time=L * MINUTE,
            service_fixed=nodes[i, 2] * MINUTE,
        )
        for i in range(1, n + 1)
    ]
    shift = TimeWindow(nodes[0, 4] * MINUTE, nodes[end, 5] * MINUTE)
    vehicles = [
        Vehicle(
            id=str(k),
            start_depot=0,
            end_depot=end,
            seats=Q,
            shift=shift,
            max_route_duration=T * MINUTE,
        )
        for k in range(1, K + 1)
    ]
    weights = ObjectiveWeights(travel_time=0.0, distance=1.0, ride_time=0.0, rejection=REJECTION_PENALTY)
    try:
        problem = Problem(
            requests=tuple(requests),
            vehicles=tuple(vehicles),
            travel_time=euclid * MINUTE,
            distance=euclid,
            weights=weights,
        )
    except ProblemDataError as exc:
        raise InputError(str(exc), file=file) from None
    return problem


def _detect_format(n_lines: int, N: int, *, file: str) -> tuple[str, int]:
    """Return (format, requests) for a file of ``n_lines`` lines whose header says ``N``.

    Raises
    ------
    InputError
        If the line count fits neither format; the message says what each
        format expects.
    """
    if n_lines == 2 * N + 3:
        return FORMAT_2006, N
    if n_lines == N + 2 and N % 2 == 0:
        return FORMAT_2003, N // 2
    expected = (
        f"fits neither format: a Cordeau (2006) file with n = {N} requests has 2n + 3 = {2 * N + 3} lines "
        f"(header and {2 * N + 2} nodes with an end depot), a Cordeau & Laporte (2003) file with 2n = {N} "
        f"nodes has {N + 2} lines (header and {N + 1} nodes, no end depot"
        + ("" if N % 2 == 0 else f"; {N} is odd, so not 2n")
        + ")"
    )
    if n_lines > 2 * N + 3:
        msg = f"{expected}, but the file goes on ({n_lines} lines)"
        raise InputError(msg, file=file, row=2 * N + 4)
    if n_lines < N + 2:
        msg = f"{expected}, but the file ends after line {n_lines}"
    else:
        msg = f"{expected}, but this file has {n_lines} lines"
    raise InputError(msg, file=file, row=n_lines)


def format_routes(plan: Plan) -> str:
    """Return the routes of the used vehicles as lines of node ids (depots included)."""
    lines = []
    for route in plan.routes:
        if route.is_used:
            lines.append(" ".join(str(int(s.location)) for s in route.stops if s.kind != StopKind.BREAK))
    return "".join(line + "\n" for line in lines)


def write_routes(instance: CordeauInstance, plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write ``plan`` as one line per used vehicle: node ids in visiting order.

    Node ids are those of the instance file (location index = node id), depots
    included, so the plan can be re-checked with any code that reads the
    instance. Vehicles that serve no request get no line.

    Parameters
    ----------
    instance
        The instance the plan solves.
    plan
        A plan of ``instance.problem``.
    path
        The output file, written atomically.
    """
    last = instance.coordinates.shape[0] - 1
    for route in plan.routes:
        for stop in route.stops:
            if not 0 <= stop.location <= last:
                msg = f"vehicle {route.vehicle_id}: location {stop.location} is not a node of {instance.name}"
                raise ValueError(msg)
    atomic_write_text(path, format_routes(plan))
