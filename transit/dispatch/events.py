"""Events of a running service day, and the events file.

An event is something that happened to the day's plan and that the plan
must follow: a booking is cancelled, a passenger does not show up, a vehicle
goes out of service (breakdown, sick driver) or runs late. ``transit dispatch
update --events EVENTS.csv`` (and the one-event commands ``dispatch cancel``,
``noshow``, ``vehicle-out``, ``delay``) apply them at ``--now``
(:func:`transit.dispatch.update.update_day`).

The events file
---------------
A comma-separated CSV with a header row, one event per row, read and checked
like a bookings file (UTF-8; every problem is reported with its line and
column; column names are matched without regard to case and blanks)::

    event,request_id,vehicle_id,time,until,minutes,lat,lon,note
    cancel,r17,,09:12,,,,,called the hotline
    noshow,r23,,10:41,,,,,
    vehicle_out,,bus-1,11:00,,,51.6012,11.5238,engine failure
    delay,,bus-2,,,20,,,road works B86

===========  ===========================================  =======================================
column       used by                                      meaning
===========  ===========================================  =======================================
event        every row (required)                         ``cancel``, ``noshow``, ``vehicle_out``, ``delay``
request_id   ``cancel``, ``noshow`` (required)            the booking
vehicle_id   ``vehicle_out``, ``delay`` (required)        the vehicle
time         every event (optional, default ``--now``)    when it happened; ``HH:MM`` or ISO 8601;
                                                          for ``vehicle_out`` the start of the outage
until        ``vehicle_out`` (optional)                   when the vehicle is back in service
minutes      ``delay`` (required, > 0, <= 600)            how late the vehicle runs
lat, lon     ``vehicle_out`` (optional, both or none)     where the vehicle stands
note         every event (optional, <= 200 characters)    shown with the reason in ``changes.csv``
===========  ===========================================  =======================================

Only the columns ``event`` and the ones the events use must be present; a
value in a column its event does not use is an error (so that a shifted
column is not silently ignored).

What each event does (at the update time ``now``)
-------------------------------------------------
``cancel``
    The booking leaves the plan; it stays in the day as rejected with the
    reason "cancelled". A passenger already on board cannot be cancelled.
``noshow``
    The vehicle is at (or has been at) the pickup and nobody boarded: the
    visit stays in its route, the booking is recorded as a no-show. It can
    only be recorded once the vehicle has reached the pickup.
``vehicle_out``
    From ``time`` on the vehicle serves nobody. If ``time`` is not later
    than ``now`` (a breakdown), its route ends where it stands (``lat``,
    ``lon`` if given, else the stop it is at or last left): passengers on
    board leave it there and continue on another vehicle (a second leg of
    their booking, ``r17~2``), or, if no vehicle can fetch them, are listed
    with the reason "send a taxi"; the vehicle then goes (is towed) to its
    depot. If ``time`` is later than ``now`` (a planned withdrawal), the
    vehicle finishes its work and is back at its depot by ``time`` (later
    only to deliver passengers already on board at ``now``; a pickup it
    cannot serve by then goes to another vehicle). With
    ``until`` it is back in service from its depot at ``until`` until the end
    of its shift, as a second run named ``bus-1~2``.
``delay``
    The vehicle reaches its next stop ``minutes`` later than planned (a
    vehicle still at its depot leaves that much later); everything after
    is re-planned.

Bookings that the events take from their vehicle are re-planned on the
others; promises that cannot be kept any more are listed in ``changes.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from transit.errors import InputError, InputErrors
from transit.util.i18n import _
from transit.util.textfile import decode_text
from transit.util.timeparse import TimeParseError, parse_time

__all__ = ["EVENT_COLUMNS", "EVENT_KINDS", "Event", "read_events"]

EVENT_KINDS = ("cancel", "noshow", "vehicle_out", "delay")
EVENT_COLUMNS = ("event", "request_id", "vehicle_id", "time", "until", "minutes", "lat", "lon", "note")
_ALIASES = {"no-show": "noshow", "no_show": "noshow", "vehicle-out": "vehicle_out", "cancellation": "cancel"}
_USES = {
    "cancel": {"request_id", "time", "note"},
    "noshow": {"request_id", "time", "note"},
    "vehicle_out": {"vehicle_id", "time", "until", "lat", "lon", "note"},
    "delay": {"vehicle_id", "time", "minutes", "note"},
}
_REQUIRED = {"cancel": ("request_id",), "noshow": ("request_id",), "vehicle_out": ("vehicle_id",), "delay": ("vehicle_id", "minutes")}
_MAX_DELAY_MIN = 600.0
_MAX_NOTE = 200


@dataclass(frozen=True, slots=True)
class Event:
    """One event (see the module docstring).

    Parameters
    ----------
    kind
        One of :data:`EVENT_KINDS`.
    request_id
        The booking of a ``cancel`` or ``noshow``.
    vehicle_id
        The vehicle of a ``vehicle_out`` or ``delay``.
    time
        When it happened, seconds since midnight of the service day (None: the update time).
    until
        End of a ``vehicle_out`` (None: for the rest of the day).
    minutes
        The delay of a ``delay``.
    lat, lon
        Where a vehicle taken out of service stands (None: where its plan has it).
    note
        The dispatcher's note.
    source, line
        The events file and line, for messages (None for events given as options).
    """

    kind: str
    request_id: str | None = None
    vehicle_id: str | None = None
    time: float | None = None
    until: float | None = None
    minutes: float | None = None
    lat: float | None = None
    lon: float | None = None
    note: str = ""
    source: str | None = None
    line: int | None = None

    def error(self, message: str, column: str | None = None) -> InputError:
        """Return an :class:`InputError` about this event, naming its file, line and column."""
        return InputError(message, file=self.source, row=self.line, column=column)


class _Rows:
    def __init__(self, file: str, service_date: dt.date | None) -> None:
        self.file = file
        self.service_date = service_date
        self.problems: list[InputError] = []

    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.problems.append(InputError(message, file=self.file, row=line, column=column))

    def time(self, line: int, column: str, text: str) -> float | None:
        try:
            return parse_time(text).on(self.service_date)
        except TimeParseError as exc:
            self.add(line, column, str(exc))
            return None

    def number(self, line: int, column: str, text: str, lo: float, hi: float) -> float | None:
        try:
            value = float(text)
        except ValueError:
            self.add(line, column, _("{text} is not a number").format(text=repr(text)))
            return None
        if not (math.isfinite(value) and lo <= value <= hi):
            self.add(line, column, _("{value} is out of range ({lo} to {hi})").format(value=text, lo=f"{lo:g}", hi=f"{hi:g}"))
            return None
        return value


def _row(rows: _Rows, line: int, r: dict[str, str]) -> Event | None:
    raw = r.get("event", "").strip().lower()
    kind = _ALIASES.get(raw, raw)
    if kind not in EVENT_KINDS:
        what = _("missing value") if not raw else _("{value} is not an event").format(value=repr(raw))
        use = _("use one of: {kinds}").format(kinds=", ".join(EVENT_KINDS))
        rows.add(line, "event", f"{what} ({use})")
        return None
    ok = True
    for col in EVENT_COLUMNS[1:]:
        if r.get(col, "") and col not in _USES[kind]:
            rows.add(line, col, _("not used by a {kind} event; leave it empty").format(kind=kind))
            ok = False
    for col in _REQUIRED[kind]:
        if not r.get(col, ""):
            rows.add(line, col, _("missing value (a {kind} event needs it)").format(kind=kind))
            ok = False
    values: dict[str, float | None] = {}
    for col in ("time", "until"):
        values[col] = rows.time(line, col, r[col]) if r.get(col, "") else None
        ok = ok and (values[col] is not None or not r.get(col, ""))
    values["minutes"] = rows.number(line, "minutes", r["minutes"], 1e-9, _MAX_DELAY_MIN) if r.get("minutes", "") else None
    ok = ok and (values["minutes"] is not None or not r.get("minutes", ""))
    for col, lim in (("lat", 90.0), ("lon", 180.0)):
        values[col] = rows.number(line, col, r[col], -lim, lim) if r.get(col, "") else None
        ok = ok and (values[col] is not None or not r.get(col, ""))
    if bool(r.get("lat", "")) != bool(r.get("lon", "")):
        rows.add(line, "lat" if not r.get("lat", "") else "lon", _("give both lat and lon, or neither"))
        ok = False
    if values["until"] is not None and values["time"] is not None and values["until"] <= values["time"]:
        rows.add(line, "until", _("must be later than time"))
        ok = False
    note = r.get("note", "")
    if len(note) > _MAX_NOTE:
        rows.add(line, "note", _("longer than {n} characters").format(n=_MAX_NOTE))
        ok = False
    if not ok:
        return None
    return Event(
        kind=kind,
        request_id=r.get("request_id") or None,
        vehicle_id=r.get("vehicle_id") or None,
        time=values["time"],
        until=values["until"],
        minutes=values["minutes"],
        lat=values["lat"],
        lon=values["lon"],
        note=note,
        source=rows.file,
        line=line,
    )


def read_events(path: str | Path, *, service_date: dt.date | None = None) -> list[Event]:
    """Read and check an events file (see the module docstring); return its events in file order.

    Raises
    ------
    InputErrors
        Listing every problem of the file, each with file, line and column.
    """
    file = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputErrors([InputError(_("file not found") if not p.exists() else _("is a folder, not an events file"), file=file)])
    try:
        text, _enc = decode_text(p.read_bytes(), file=file)
    except InputError as exc:
        raise InputErrors([exc]) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows = _Rows(file, service_date)
    header: list[str] | None = None
    events: list[Event] = []
    try:
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if header is None:
                header = [h.strip().lower() for h in fields]
                _check_header(rows, reader.line_num, header)
                if rows.problems:
                    raise InputErrors(rows.problems)
                continue
            if len(fields) != len(header):
                rows.add(reader.line_num, None, _("row has {n} fields, the header has {m}").format(n=len(fields), m=len(header)))
                continue
            ev = _row(rows, reader.line_num, {h: f.strip() for h, f in zip(header, fields) if h in EVENT_COLUMNS})
            if ev is not None:
                events.append(ev)
    except csv.Error as exc:
        rows.add(reader.line_num, None, _("not a valid CSV row ({error})").format(error=exc))
    if header is None:
        rows.add(None, None, _("file is empty (expected a header row and events)"))
    elif not events and not rows.problems:
        rows.add(None, None, _("no events in the file (only a header)"))
    if rows.problems:
        raise InputErrors(rows.problems)
    return events


def _check_header(rows: _Rows, line: int, header: Sequence[str]) -> None:
    if "event" not in header:
        rows.add(line, "event", _("required column is missing from the header"))
    seen: set[str] = set()
    for h in header:
        if h in seen and h in EVENT_COLUMNS:
            rows.add(line, h, _("column appears twice in the header"))
        seen.add(h)
    unknown = [h for h in header if h not in EVENT_COLUMNS]
    if unknown:
        rows.add(
            line,
            unknown[0],
            _("unknown column (the columns are: {columns})").format(columns=", ".join(EVENT_COLUMNS)),
        )
