"""CSV output that spreadsheets open safely: text cells never start a formula.

A text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) is read by spreadsheet programs as a formula (``=HYPERLINK(...)``),
which runs when the file is opened. :func:`safe_cell` prefixes such a cell
with a single quote, as spreadsheets do themselves; numbers such as ``-1.5``
and clock times such as ``-01:30:00`` are left alone. Every CSV writer of the package goes through
:func:`csv_writer` or :func:`frame_csv`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

import pandas as pd

__all__ = ["FORMULA_STARTS", "csv_writer", "data_csv_writer", "frame_csv", "safe_cell", "unquote_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)|-?\d+(:\d\d){1,2}")
"""Numbers and clock times (``-01:30:00``, the day before): no formula, left as they are."""


class _Writes(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """Return ``value`` with a quote before it if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unquote_cell(text: str) -> str:
    """Undo :func:`safe_cell` on a cell read back: a quote before a formula character is dropped.

    So a file the package wrote (``'+49 3475 123456``) reads back as it was given.
    """
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class SafeWriter:
    """A :func:`csv.writer` whose text cells pass :func:`safe_cell`."""

    def __init__(self, fh: _Writes, **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row."""
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write several rows."""
        for row in rows:
            self.writerow(row)


def csv_writer(fh: _Writes, **kwargs: Any) -> SafeWriter:
    """Return a CSV writer on ``fh`` (arguments as :func:`csv.writer`) that neutralises formulas."""
    return SafeWriter(fh, **kwargs)


def data_csv_writer(fh: _Writes, **kwargs: Any) -> Any:
    """Return a plain :func:`csv.writer` for machine-read formats (GTFS), where a quote would corrupt data.

    Only for files whose specification fixes their readers (a GTFS feed is read
    by journey planners, not opened in a spreadsheet).
    """
    return csv.writer(fh, **kwargs)


def frame_csv(df: pd.DataFrame, **kwargs: Any) -> str:
    """Return ``df.to_csv(index=False, lineterminator="\\n", **kwargs)`` with text cells neutralised."""
    text_columns = [c for c in df.columns if df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype)]
    if text_columns:
        df = df.copy()
        for c in text_columns:
            df[c] = df[c].map(safe_cell)
    options: dict[str, Any] = {"index": False, "lineterminator": "\n", **kwargs}
    return df.to_csv(**options)
