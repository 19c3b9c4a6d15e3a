"""Check tables read from TOML: unknown keys and value types, naming the key.

The one home of table validation for every TOML input (fleet, scenario,
service rules, costs, demand parameters, lines, walking, operating models).
Each problem is an :class:`~transit.errors.InputError` naming the file and,
as its column, where in the file it is: the key's path
(``models[2].lead_time_min``), or the table's path for a problem of the
table itself (an unknown key: ``models[2]: unknown key 'lead_time'
(did you mean 'lead_time_min'?)``).

Two ways to use it:

collecting
    :class:`Table` gives typed access to one table (``number``,
    ``integer``, ``text``, ``boolean``, ``clock``, ``text_list``) and records
    every problem in a list shared by all tables of a file; the caller
    raises them together with :meth:`Table.raise_problems`
    (:class:`~transit.errors.InputErrors`).
first problem
    :func:`check_keys`, :func:`get_number`, :func:`get_int`,
    :func:`get_text`, :func:`get_bool`, :func:`get_text_list` and
    :func:`clock_value` raise the first problem at once; the typed options
    of lines, walking and operating models use them in their ``parse_*`` functions.

Both run the same checks with the same messages. :func:`read_toml` reads a
TOML file, reporting a missing, unreadable or malformed file the same way for
every kind of file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from transit.errors import InputError, InputErrors
from transit.util.i18n import N_, _
from transit.util.timeparse import TimeParseError, parse_clock

__all__ = [
    "Table",
    "build",
    "check_keys",
    "clock_value",
    "describe",
    "get_bool",
    "get_int",
    "get_number",
    "get_text",
    "get_text_list",
    "join",
    "read_toml",
    "unknown_key_error",
]

T = TypeVar("T")


def join(table: str, key: str | int) -> str:
    """Return the path of ``key`` inside ``table`` (``a.b``, ``a[2]``)."""
    if isinstance(key, int):
        return f"{table}[{key}]"
    return f"{table}.{key}" if table else str(key)


def describe(value: Any) -> str:
    """Describe a parsed TOML value for an error message ("the text 'x'", "a table")."""
    if isinstance(value, str):
        return _("the text {value!r}").format(value=value)
    if isinstance(value, bool):
        return _("the boolean {value}").format(value=str(value).lower())
    if isinstance(value, Mapping):
        return _("a table")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, (dt.date, dt.time)):
        return _("the date/time {value}").format(value=value.isoformat())
    return repr(value)


def unknown_key_error(key: str, known: Iterable[str], *, source: str | None, table: str) -> InputError:
    """Return the error for an unknown key of ``table``, suggesting the closest known key."""
    known_t = tuple(known)
    close = difflib.get_close_matches(str(key), known_t, n=1)
    hint = (_(" (did you mean {key!r}?)").format(key=close[0]) if close
            else _(" (known keys: {keys})").format(keys=", ".join(known_t)))
    msg = _("unknown key {key!r}").format(key=key) + hint
    return InputError(msg, file=source, column=table or None)


# --------------------------------------------------------------------------- value checks


class _Wrong(Exception):
    """A value is not what its key needs; the message says what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _shown(x: float) -> str:
    """Show a number short (``-1``, ``0.5``) unless that would change it."""
    text = f"{x:g}"
    return text if float(text) == x else repr(x)


def _number(value: Any, *, lo: float | None, hi: float | None, lo_open: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Wrong(_("must be a number, got {value}").format(value=describe(value)))
    x = float(value)
    if not math.isfinite(x):
        raise _Wrong(_("must be a finite number, got {value!r}").format(value=value))
    if lo is not None and (x < lo or (lo_open and x == lo)):
        msg = _("must be {op} {bound}, got {value}")
        raise _Wrong(msg.format(op=">" if lo_open else ">=", bound=f"{lo:g}", value=_shown(x)))
    if hi is not None and x > hi:
        raise _Wrong(_("must be {op} {bound}, got {value}").format(op="<=", bound=f"{hi:g}", value=_shown(x)))
    return x


def _integer(value: Any, *, lo: int | None, hi: int | None, whole_floats: bool) -> int:
    if whole_floats and isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Wrong(_("must be a whole number, got {value}").format(value=describe(value)))
    if lo is not None and value < lo:
        raise _Wrong(_("must be {op} {bound}, got {value}").format(op=">=", bound=lo, value=value))
    if hi is not None and value > hi:
        raise _Wrong(_("must be {op} {bound}, got {value}").format(op="<=", bound=hi, value=value))
    return value


def _text(value: Any, *, strip: bool, choices: tuple[str, ...] | None) -> str:
    if not isinstance(value, str):
        raise _Wrong(_("must be text (in quotes), got {value}").format(value=describe(value)))
    if strip:
        value = value.strip()
        if not value:
            raise _Wrong(_("must not be empty"))
    if choices is not None and value not in choices:
        msg = _("must be one of {choices}, got {value!r}")
        raise _Wrong(msg.format(choices=", ".join(repr(c) for c in choices), value=value))
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Wrong(_("must be true or false, got {value}").format(value=describe(value)))
    return value


def _clock(value: Any, *, toml_time: bool) -> float:
    if toml_time and isinstance(value, dt.time):
        return float(value.hour * 3600 + value.minute * 60 + value.second)
    if not isinstance(value, str):
        raise _Wrong(_('must be a time like "06:30", got {value}').format(value=describe(value)))
    try:
        return float(parse_clock(value))
    except TimeParseError as exc:
        raise _Wrong(str(exc)) from None


def _text_list(value: Any, *, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise _Wrong(_("must be a list of {what}, got {value}").format(what=_(what), value=describe(value)))
    return tuple(value)


# --------------------------------------------------------------------------- collecting


class Table:
    """Typed, checked access to one TOML table; problems are collected.

    Parameters
    ----------
    data
        The table as parsed. Anything else is a problem ("must be a table")
        and the table reads as empty.
    source
        The file, for messages.
    table
        Where the table sits in the file (``""`` for the whole file).
    problems
        The list problems go to (shared by all tables of one file); a new
        one if None.

    Each getter returns the value, or ``default`` when the key is absent or
    its value is wrong (the problem is recorded). ``required=True`` records
    a missing key as a problem.
    """

    def __init__(
        self, data: Any, *, source: str | None, table: str, problems: list[InputError] | None = None
    ) -> None:
        self.source = source
        self.table = table
        self.problems: list[InputError] = [] if problems is None else problems
        if not isinstance(data, Mapping):
            self.add(None, _("must be a table, got {value}").format(value=describe(data)))
            data = {}
        self.data: Mapping[str, Any] = data

    # ------------------------------------------------------------------ problems
    def where(self, key: str | int) -> str:
        """Return the path of ``key`` in the file."""
        return join(self.table, key)

    def add(self, key: str | None, message: str) -> None:
        """Record a problem of ``key`` (None: of the table itself)."""
        column = self.where(key) if key else (self.table or None)
        self.problems.append(InputError(message, file=self.source, column=column))

    def absorb(self, exc: InputError) -> None:
        """Record the problems of ``exc`` (each one of an :class:`InputErrors`)."""
        self.problems.extend(exc.problems if isinstance(exc, InputErrors) else [exc])

    def raise_problems(self) -> None:
        """Raise every recorded problem as :class:`InputErrors`, if there is any."""
        if self.problems:
            raise InputErrors(self.problems)

    def check_keys(self, known: Iterable[str]) -> None:
        """Record each key that is not in ``known`` (with a "did you mean" hint)."""
        known_t = tuple(known)
        for key in self.data:
            if key not in known_t:
                self.problems.append(unknown_key_error(key, known_t, source=self.source, table=self.table))

    def __contains__(self, key: str) -> bool:
        return key in self.data

    # ------------------------------------------------------------------ getters
    def _get(self, key: str, check: Callable[[Any], T], *, required: bool, default: Any) -> Any:
        if key not in self.data:
            if required:
                self.add(key, _("required key is missing"))
            return default
        try:
            return check(self.data[key])
        except _Wrong as exc:
            self.add(key, exc.message)
            return default

    def number(
        self,
        key: str,
        *,
        required: bool = False,
        default: float | None = None,
        lo: float | None = None,
        hi: float | None = None,
        lo_open: bool = False,
    ) -> float | None:
        """Return a finite number in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``) as a float."""
        return self._get(
            key, lambda v: _number(v, lo=lo, hi=hi, lo_open=lo_open), required=required, default=default
        )

    def integer(
        self,
        key: str,
        *,
        required: bool = False,
        default: int | None = None,
        lo: int | None = None,
        hi: int | None = None,
        whole_floats: bool = False,
    ) -> int | None:
        """Return a whole number in ``[lo, hi]``; ``whole_floats`` also takes ``8.0``."""
        return self._get(
            key, lambda v: _integer(v, lo=lo, hi=hi, whole_floats=whole_floats), required=required, default=default
        )

    def text(
        self,
        key: str,
        *,
        required: bool = False,
        default: str | None = None,
        choices: tuple[str, ...] | None = None,
        strip: bool = True,
    ) -> str | None:
        """Return text; ``strip``: without surrounding blanks and not empty; one of ``choices`` if given."""
        return self._get(key, lambda v: _text(v, strip=strip, choices=choices), required=required, default=default)

    def boolean(self, key: str, *, required: bool = False, default: bool | None = None) -> bool | None:
        """Return ``true`` or ``false``."""
        return self._get(key, _boolean, required=required, default=default)

    def clock(self, key: str, *, required: bool = False, toml_time: bool = False) -> float | None:
        """Return a time ``"HH:MM[:SS]"`` (or a TOML time, with ``toml_time``) as seconds since midnight."""
        return self._get(key, lambda v: _clock(v, toml_time=toml_time), required=required, default=None)

    def text_list(self, key: str, *, what: str, default: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
        """Return a list of texts ("must be a list of ``what``" otherwise)."""
        return self._get(key, lambda v: _text_list(v, what=what), required=False, default=default)


# --------------------------------------------------------------------------- first problem


def _first(t: Table) -> None:
    if t.problems:
        raise t.problems[0]


def check_keys(data: Any, known: Iterable[str], *, source: str | None, table: str) -> Mapping[str, Any]:
    """Return ``data`` if it is a table with only ``known`` keys, else raise the first problem."""
    t = Table(data, source=source, table=table)
    t.check_keys(known)
    _first(t)
    return t.data


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
    """Return ``data[key]`` as a float (or ``default``), checking its range.

    The number must be finite, ``>= minimum`` (unless None), and ``> 0`` with
    ``positive`` (which then replaces ``minimum``).
    """
    t = Table(data, source=source, table=table)
    lo, lo_open = (0.0, True) if positive else (minimum, False)
    x = t.number(key, default=default, lo=lo, lo_open=lo_open)
    _first(t)
    return x


def get_int(
    data: Mapping[str, Any],
    key: str,
    default: int | None,
    *,
    source: str | None,
    table: str,
    lo: int | None = None,
    hi: int | None = None,
    whole_floats: bool = False,
) -> int | None:
    """Return ``data[key]`` as a whole number in ``[lo, hi]`` (or ``default``)."""
    t = Table(data, source=source, table=table)
    n = t.integer(key, default=default, lo=lo, hi=hi, whole_floats=whole_floats)
    _first(t)
    return n


def get_text(
    data: Mapping[str, Any],
    key: str,
    default: str | None,
    *,
    source: str | None,
    table: str,
    choices: tuple[str, ...] | None = None,
) -> str | None:
    """Return ``data[key]`` as text as written (or ``default``), checking it against ``choices``."""
    t = Table(data, source=source, table=table)
    s = t.text(key, default=default, choices=choices, strip=False)
    _first(t)
    return s


def get_bool(data: Mapping[str, Any], key: str, default: bool | None, *, source: str | None, table: str) -> bool | None:
    """Return ``data[key]`` if it is ``true`` or ``false`` (or ``default``)."""
    t = Table(data, source=source, table=table)
    b = t.boolean(key, default=default)
    _first(t)
    return b


def get_text_list(
    data: Mapping[str, Any], key: str, default: tuple[str, ...] | None, *, source: str | None, table: str, what: str
) -> tuple[str, ...] | None:
    """Return ``data[key]``, a list of texts, as a tuple (or ``default``)."""
    t = Table(data, source=source, table=table)
    items = t.text_list(key, what=what, default=default)
    _first(t)
    return items


def clock_value(value: Any, *, source: str | None, column: str, toml_time: bool = False) -> float:
    """Return a time ``"HH:MM[:SS]"`` (an item of a list, say) as seconds since midnight, or raise."""
    try:
        return _clock(value, toml_time=toml_time)
    except _Wrong as exc:
        raise InputError(exc.message, file=source, column=column) from None


def build(cls: Callable[..., T], values: Mapping[str, Any], *, source: str | None, table: str) -> T:
    """Return ``cls(**values)``; its own :class:`InputError` is raised again naming the file and key."""
    try:
        return cls(**values)
    except InputError as exc:
        column = join(table, exc.column) if exc.column else (table or None)
        raise InputError(exc.message, file=source, column=column) from None


# --------------------------------------------------------------------------- files

#: The kinds of file the callers of :func:`read_toml` name (``what``), marked here for translation.
_FILE_KINDS = (N_("fleet file"), N_("instance file"), N_("line file"), N_("agency file"),
               N_("search settings file"), N_("scenario file"), N_("district spec"))


def read_toml(path: str | os.PathLike[str], *, what: str) -> dict[str, Any]:
    """Read a TOML file (UTF-8, a byte order mark allowed).

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for messages (``"fleet file"``).

    Raises
    ------
    InputErrors
        If the file is missing, a folder, not UTF-8 text or not TOML.
    """
    file = str(path)
    p = Path(path)
    if not p.exists():
        raise InputErrors([InputError(_("{what} not found").format(what=_(what)), file=file)])
    if p.is_dir():
        raise InputErrors([InputError(_("is a folder, not a {what}").format(what=_(what)), file=file)])
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = _("not a UTF-8 text file (byte {byte}); save it as UTF-8").format(byte=exc.start)
        raise InputErrors([InputError(msg, file=file)]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = _("not a valid TOML file ({problem})").format(problem=exc)
        raise InputErrors([InputError(msg, file=file, row=getattr(exc, "lineno", None))]) from None
