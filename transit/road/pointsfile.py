"""Read a CSV file of points (``id,lat,lon``), as ``transit network matrix`` takes them."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np

from transit.errors import InputError, InputErrors
from transit.util.ids import id_problem
from transit.util.limits import check_limit, current_limits
from transit.util.textfile import decode_text

__all__ = ["read_points_csv"]


def read_points_csv(path: str | os.PathLike[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Read ``id,lat,lon`` (or ``name,lat,lon``) points from a CSV file.

    Ids are unique and follow :mod:`transit.util.ids`; a file with only
    ``lat,lon`` columns numbers its points by row.

    Returns
    -------
    ids, lat, lon
        The point ids (the row number where the file has no id column) and
        their coordinates.

    Raises
    ------
    InputError
        If the file is missing, has no id column but other columns, or a row's
        id is invalid or repeated or its coordinate not a number in range;
        every problem names file, row and column.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        msg = "file not found"
        raise InputError(msg, file=str(path)) from None
    except IsADirectoryError:
        msg = "is a folder, not a points file"
        raise InputError(msg, file=str(path)) from None
    text, _encoding = decode_text(raw, file=str(path))
    file = str(path)
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if not fields:
        msg = "empty file"
        raise InputError(msg, file=file)
    id_col = "id" if "id" in fields else "name" if "name" in fields else None
    for col in ("lat", "lon"):
        if col not in fields:
            msg = f"missing required column (have: {', '.join(fields)})"
            raise InputError(msg, file=file, row=1, column=col)
    others = [f for f in fields if f not in ("lat", "lon")]
    if id_col is None and others:
        # A header like 'ï»¿id' (a byte order mark mangled by another program) must not
        # silently turn the ids into row numbers.
        msg = f"no 'id' or 'name' column (have: {', '.join(repr(f) for f in fields)})"
        raise InputError(msg, file=file, row=1, column="id")
    ids: list[str] = []
    lats: list[float] = []
    lons: list[float] = []
    problems: list[InputError] = []
    first_row: dict[str, int] = {}
    limit = current_limits().points
    for lineno, row in enumerate(reader, start=2):
        if None in row:
            problems.append(InputError("the row has more fields than the header", file=file, row=lineno))
            continue
        if lineno - 1 > limit:
            check_limit("points", lineno - 1, file=file, row=lineno)
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items()}
        ident = row.get(id_col, "") if id_col else str(lineno - 1)
        bad = id_problem(ident)
        if bad is not None:
            problems.append(InputError(bad, file=file, row=lineno, column=id_col))
        elif ident in first_row:
            msg = f"point {ident!r} appears twice (first on line {first_row[ident]}); ids must be unique"
            problems.append(InputError(msg, file=file, row=lineno, column=id_col))
        else:
            first_row[ident] = lineno
        values = []
        for col, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
            try:
                value = float(row.get(col, ""))
            except ValueError:
                problems.append(InputError(f"not a number: {row.get(col)!r}", file=file, row=lineno, column=col))
                continue
            if not lo <= value <= hi:
                problems.append(InputError(f"{row.get(col)!r} is outside [{lo}, {hi}]", file=file, row=lineno, column=col))
                continue
            values.append(value)
        if len(values) == 2:
            ids.append(ident)
            lats.append(values[0])
            lons.append(values[1])
    if problems:
        raise InputErrors(problems)
    if not ids:
        msg = "no points in the file"
        raise InputError(msg, file=file)
    return ids, np.array(lats), np.array(lons)
