"""Check tables read from TOML: unknown keys and value types, naming the key.

Small helpers for the typed configuration objects of lines, walking and
operating models: each builds its dataclass from a mapping and reports every
problem as :class:`~transit.errors.InputError` with the file and the key's
path (``models.rufbus.lead_time_min``) as column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from transit.errors import InputError

__all__ = ["check_keys", "describe", "get_number", "get_text", "join"]


def join(table: str, key: str | int) -> str:
    """Return the path of ``key`` inside ``table`` (``a.b``, ``a[2]``)."""
    if isinstance(key, int):
        return f"{table}[{key}]"
    return f"{table}.{key}" if table else str(key)


def describe(value: Any) -> str:
    """Describe a parsed TOML value for an error message."""
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def check_keys(data: Any, known: Iterable[str], *, source: str | None, table: str) -> Mapping[str, Any]:
    """Return ``data`` if it is a table with only ``known`` keys, else raise naming the key."""
    if not isinstance(data, Mapping):
        msg = f"must be a table, got {describe(data)}"
        raise InputError(msg, file=source, column=table or None)
    known_t = tuple(known)
    for key in data:
        if key not in known_t:
            close = difflib.get_close_matches(str(key), known_t, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known_t)})"
            msg = f"unknown key {key!r}{hint}"
            raise InputError(msg, file=source, column=join(table, str(key)))
    return data


def get_number(
    data: Mapping[str, Any],
    key: str,
    default: float | None,
    *,
    source: str | None,
    table: str,
    minimum: float | None = 0.0,
    positive: bool = False,
) -> float | None:
    """Return ``data[key]`` as a float (or ``default``), checking its range."""
    if key not in data:
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"must be a number, got {describe(value)}"
        raise InputError(msg, file=source, column=join(table, key))
    x = float(value)
    if x != x or x in (float("inf"), float("-inf")):
        msg = f"must be a finite number, got {value!r}"
        raise InputError(msg, file=source, column=join(table, key))
    if positive and x <= 0:
        msg = f"must be > 0, got {value!r}"
        raise InputError(msg, file=source, column=join(table, key))
    if minimum is not None and x < minimum:
        msg = f"must be >= {minimum:g}, got {value!r}"
        raise InputError(msg, file=source, column=join(table, key))
    return x


def get_text(
    data: Mapping[str, Any],
    key: str,
    default: str | None,
    *,
    source: str | None,
    table: str,
    choices: tuple[str, ...] | None = None,
) -> str | None:
    """Return ``data[key]`` as text (or ``default``), checking it against ``choices``."""
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, str):
        msg = f"must be text, got {describe(value)}"
        raise InputError(msg, file=source, column=join(table, key))
    if choices is not None and value not in choices:
        msg = f"must be one of {', '.join(repr(c) for c in choices)}, got {value!r}"
        raise InputError(msg, file=source, column=join(table, key))
    return value
