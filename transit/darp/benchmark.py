"""Benchmark bookkeeping: best-known costs and one checked result row per instance.

Used by ``transit bench darp`` and ``benchmarks/darp_bench.py``: the plan of an
instance read by :mod:`transit.darp.cordeau` is checked and costed by the
independent checker, and its gap to the best-known cost computed.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from transit.darp.checker import check, evaluate
from transit.darp.cordeau import CordeauInstance
from transit.darp.data import Plan, Problem
from transit.errors import InputError
from transit.util.csvsafe import csv_writer

__all__ = ["COLUMNS", "bench_row", "format_csv", "read_bks"]

#: Columns of the results CSV.
COLUMNS = ("instance", "vehicles", "requests", "served", "feasible", "cost", "seconds", "bks", "gap_pct")


def read_bks(path: Path) -> dict[str, float]:
    """Read best-known costs from a CSV with the columns ``instance`` and ``bks_cost``.

    Raises
    ------
    InputError
        If the file is missing, lacks a column, repeats an instance or holds
        a cost that is not a positive number; the error names file, row and column.
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        msg = "file not found"
        raise InputError(msg, file=file) from None
    except (IsADirectoryError, UnicodeDecodeError):
        msg = "not a readable CSV text file"
        raise InputError(msg, file=file) from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for column in ("instance", "bks_cost"):
        if column not in header:
            msg = f"missing column {column!r} (found: {', '.join(header) or 'nothing'})"
            raise InputError(msg, file=file, row=1, column=column)
    bks: dict[str, float] = {}
    for row_no, row in enumerate(reader, start=2):
        name = (row.get("instance") or "").strip()
        raw = (row.get("bks_cost") or "").strip()
        if not name:
            msg = "empty instance name"
            raise InputError(msg, file=file, row=row_no, column="instance")
        if name in bks:
            msg = f"instance {name!r} appears twice"
            raise InputError(msg, file=file, row=row_no, column="instance")
        try:
            value = float(raw)
        except ValueError:
            msg = f"{raw!r} is not a number"
            raise InputError(msg, file=file, row=row_no, column="bks_cost") from None
        if not math.isfinite(value) or value <= 0:
            msg = f"best-known cost must be a positive number, got {raw!r}"
            raise InputError(msg, file=file, row=row_no, column="bks_cost")
        bks[name] = value
    return bks


def bench_row(instance: CordeauInstance, plan: Plan, seconds: float, bks: float | None) -> dict[str, Any]:
    """Return the result row of one instance: the plan checked and costed independently."""
    problem: Problem = instance.problem
    violations = check(problem, plan)
    cost = evaluate(problem, plan)
    feasible = not violations and cost.served == len(problem.requests)
    gap = 100.0 * (cost.distance - bks) / bks if bks is not None and feasible else None
    return {
        "instance": instance.name,
        "vehicles": instance.K,
        "requests": instance.n,
        "served": cost.served,
        "feasible": feasible,
        "cost": cost.distance,
        "seconds": seconds,
        "bks": bks,
        "gap_pct": gap,
        "_violations": violations,
    }


def format_csv(rows: list[dict[str, Any]]) -> str:
    """Return the rows as CSV text with :data:`COLUMNS` (blank for unknown values)."""
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row["instance"],
                row["vehicles"],
                row["requests"],
                row["served"],
                "true" if row["feasible"] else "false",
                f"{row['cost']:.4f}",
                f"{row['seconds']:.2f}",
                "" if row["bks"] is None else format(row["bks"], ".10g"),
                "" if row["gap_pct"] is None else f"{row['gap_pct']:.3f}",
            ]
        )
    return buf.getvalue()
