"""Parse and format times of day as seconds since midnight of the service day.

Every time in the package is a float number of seconds since midnight of the
*service day* (see :mod:`transit.darp.data`). Users write times in two forms:

``HH:MM`` or ``HH:MM:SS``
    A clock time on the service day. Hours may exceed 23 for trips after
    midnight that still belong to the service day (as in GTFS): ``25:10`` is
    10 minutes past 1 a.m. of the next calendar day. Hours up to 47 are accepted.

ISO 8601 date-time ``YYYY-MM-DDTHH:MM[:SS]`` (a space instead of ``T`` works too)
    A wall-clock time on a calendar date. Relative to a service date it becomes
    ``(date - service_date).days * 86400 + seconds of the day``, so a time on
    the day before the service day is negative. A trailing UTC offset such as
    ``+01:00`` is accepted and ignored: the wall-clock time as written is taken
    as local time. ``Z`` (UTC) is refused because it is not local time.

Fractions of a second are not accepted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

__all__ = [
    "ParsedTime",
    "TimeParseError",
    "format_clock",
    "format_datetime",
    "parse_clock",
    "parse_time",
    "to_service_seconds",
]

DAY = 86_400
_MAX_CLOCK_HOURS = 47

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


class TimeParseError(ValueError):
    """A text is not a time this module understands; the message says why."""


@dataclass(frozen=True, slots=True)
class ParsedTime:
    """A parsed time: seconds of its day, and its calendar date if one was written.

    Parameters
    ----------
    date
        The calendar date for an ISO date-time, None for ``HH:MM``.
    seconds
        Seconds since midnight of ``date`` (or of the service day for
        ``HH:MM``; may exceed 86,400 for ``HH >= 24``).
    """

    date: dt.date | None
    seconds: float

    def on(self, service_date: dt.date | None) -> float:
        """Return seconds since midnight of ``service_date``.

        Raises
        ------
        TimeParseError
            If the time has a date but ``service_date`` is None.
        """
        if self.date is None:
            return self.seconds
        if service_date is None:
            msg = "a date-time needs a known service day"
            raise TimeParseError(msg)
        return (self.date - service_date).days * DAY + self.seconds


def parse_clock(text: str) -> float:
    """Parse ``HH:MM`` or ``HH:MM:SS`` into seconds since midnight.

    Raises
    ------
    TimeParseError
        If the text is not such a clock time or a field is out of range.
    """
    s = text.strip()
    m = _CLOCK.match(s)
    if m is None:
        msg = f"{text!r} is not a time (expected HH:MM, HH:MM:SS or YYYY-MM-DDTHH:MM)"
        raise TimeParseError(msg)
    h, mi, sec = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > _MAX_CLOCK_HOURS or mi > 59 or sec > 59:
        msg = f"{text!r} is not a valid time of day (hours 0-{_MAX_CLOCK_HOURS}, minutes and seconds 0-59)"
        raise TimeParseError(msg)
    return float(h * 3600 + mi * 60 + sec)


def parse_time(text: str) -> ParsedTime:
    """Parse ``HH:MM[:SS]`` or an ISO 8601 date-time.

    Raises
    ------
    TimeParseError
        If the text is empty, malformed, a date is invalid or it is in UTC (``Z``).
    """
    s = text.strip()
    if not s:
        msg = "empty time"
        raise TimeParseError(msg)
    if _CLOCK.match(s):
        return ParsedTime(None, parse_clock(s))
    m = _ISO.match(s)
    if m is None:
        msg = f"{text!r} is not a time (expected HH:MM, HH:MM:SS or YYYY-MM-DDTHH:MM)"
        raise TimeParseError(msg)
    if m.group(7) == "Z":
        msg = f"{text!r} is in UTC ('Z'); write the local time instead"
        raise TimeParseError(msg)
    y, mo, d, h, mi = (int(m.group(i)) for i in range(1, 6))
    sec = int(m.group(6) or 0)
    try:
        date = dt.date(y, mo, d)
    except ValueError as exc:
        msg = f"{text!r} has an invalid date ({exc})"
        raise TimeParseError(msg) from None
    if h > 23 or mi > 59 or sec > 59:
        msg = f"{text!r} has an invalid time of day"
        raise TimeParseError(msg)
    return ParsedTime(date, float(h * 3600 + mi * 60 + sec))


def to_service_seconds(text: str, service_date: dt.date | None = None) -> float:
    """Parse a time and return seconds since midnight of the service day.

    ``HH:MM`` values are on the service day. A date-time needs ``service_date``
    unless none is known, in which case its own date is taken as the service day.
    """
    p = parse_time(text)
    return p.on(service_date if service_date is not None else p.date)


def format_clock(seconds: float, *, with_seconds: bool = True) -> str:
    """Format seconds since midnight as ``HH:MM:SS`` (hours may exceed 23).

    Seconds are rounded to the nearest whole second. Negative values (the day
    before) are written with a leading minus sign, e.g. ``-01:30:00``.
    """
    if not math.isfinite(seconds):
        msg = f"cannot format {seconds!r} as a time"
        raise ValueError(msg)
    total = int(round(seconds))
    sign = "-" if total < 0 else ""
    total = abs(total)
    h, rest = divmod(total, 3600)
    mi, sec = divmod(rest, 60)
    if with_seconds:
        return f"{sign}{h:02d}:{mi:02d}:{sec:02d}"
    return f"{sign}{h:02d}:{mi:02d}"


def format_datetime(seconds: float, service_date: dt.date) -> str:
    """Format seconds since midnight of ``service_date`` as ``YYYY-MM-DDTHH:MM:SS``."""
    if not math.isfinite(seconds):
        msg = f"cannot format {seconds!r} as a time"
        raise ValueError(msg)
    total = int(round(seconds))
    days, rest = divmod(total, DAY)
    date = service_date + dt.timedelta(days=days)
    return f"{date.isoformat()}T{format_clock(rest)}"
