"""Read the small CSV files of the demand model (zones, destinations) row by row.

The file is decoded as the bookings file is (:func:`transit.util.textfile.decode_text`:
UTF-8 with or without a byte order mark, else Windows-1252); column names are
matched without case and surrounding blanks.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from transit.errors import InputError, InputErrors

__all__ = ["number_in", "read_rows"]


def read_rows(path: str | os.PathLike[str], required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Return ``(line, row)`` for each data row; ``row`` maps lower-case column names to stripped values.

    Raises
    ------
    InputErrors
        If the file is missing or unreadable, or a ``required`` column is
        missing from the header (one problem per column).
    """
    from transit.util.textfile import decode_text

    file = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputErrors([InputError("file not found", file=file)])
    try:
        text, _enc = decode_text(p.read_bytes(), file=file)
    except InputError as exc:
        raise InputErrors([exc]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    missing = [c for c in required if c not in fields]
    if missing:
        raise InputErrors(
            [InputError("required column is missing from the header", file=file, row=1, column=c) for c in missing]
        )
    return [
        (reader.line_num, {(k or "").strip().lower(): (v or "").strip() for k, v in rec.items()}) for rec in reader
    ]


def number_in(
    row: dict[str, str], column: str, lo: float, hi: float, *, file: str, line: int, problems: list[InputError]
) -> float | None:
    """Return ``row[column]`` as a number in ``[lo, hi]``, else record the problem and return None."""
    try:
        v = float(row[column])
    except ValueError:
        v = None
    if v is None or not lo <= v <= hi:
        problems.append(InputError(f"{row[column]!r} is not a number in [{lo}, {hi}]", file=file, row=line, column=column))
        return None
    return v
