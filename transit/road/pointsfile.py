"""Read a CSV file of points (``id,lat,lon``), as ``transit network matrix`` takes them."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np

from transit.errors import InputError, InputErrors
from transit.util.textfile import decode_text

__all__ = ["read_points_csv"]


def read_points_csv(path: str | os.PathLike[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Read ``id,lat,lon`` (or ``name,lat,lon``) points from a CSV file.

    Returns
    -------
    ids, lat, lon
        The point ids (the row number where the file has no id column) and
        their coordinates.

    Raises
    ------
    InputError
        If the file is missing or a row's coordinate is not a number in range;
        every problem names file, row and column.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        msg = f"{path}: file not found"
        raise InputError(msg) from None
    text, _encoding = decode_text(raw, file=str(path))
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip() for f in (reader.fieldnames or [])]
    if not fields:
        msg = "empty file"
        raise InputError(msg, file=str(path))
    id_col = "id" if "id" in fields else "name" if "name" in fields else None
    for col in ("lat", "lon"):
        if col not in fields:
            msg = f"missing required column (have: {', '.join(fields)})"
            raise InputError(msg, file=str(path), row=1, column=col)
    ids: list[str] = []
    lats: list[float] = []
    lons: list[float] = []
    problems: list[InputError] = []
    for lineno, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        ident = row.get(id_col, "") if id_col else str(lineno - 1)
        values = []
        for col, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
            try:
                value = float(row.get(col, ""))
            except ValueError:
                problems.append(InputError(f"not a number: {row.get(col)!r}", file=str(path), row=lineno, column=col))
                continue
            if not lo <= value <= hi:
                problems.append(InputError(f"{value} outside [{lo}, {hi}]", file=str(path), row=lineno, column=col))
                continue
            values.append(value)
        if len(values) == 2:
            ids.append(ident or str(lineno - 1))
            lats.append(values[0])
            lons.append(values[1])
    if problems:
        raise InputErrors(problems)
    if not ids:
        msg = "no points in the file"
        raise InputError(msg, file=str(path))
    return ids, np.array(lats), np.array(lons)
