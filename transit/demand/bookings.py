"""The bookings file: read and validate it, and write it.

A bookings file is a comma-separated CSV with a header row and one booking per
row:

==================================  ========================  ========  =======================================
column                              type                      required  meaning
==================================  ========================  ========  =======================================
``request_id``                      an id (below)             yes       unique in the file
``pickup_lat``, ``pickup_lon``      decimal degrees           yes       where the passenger boards
``dropoff_lat``, ``dropoff_lon``    decimal degrees           yes       where the passenger alights
``time``                            ``HH:MM`` or ISO 8601     yes       the requested time
``time_type``                       ``departure``/``arrival`` no        default ``departure``
``passengers``                      integer 1 to 999          no        default 1
``wheelchair``                      integer 0 to 999          no        default 0
``booked_at``                       ``HH:MM`` or ISO 8601     no        when the booking was made
``name``                            text (<= 100 characters)  no        the passenger's name
``phone``                           digits, ``+ ( ) / - .``   no        a phone number to call the passenger
``notes``                           text (<= 300 characters)  no        for the driver ("rollator", "ring twice")
==================================  ========================  ========  =======================================

Column names are matched without regard to case and surrounding blanks; other
columns are ignored (with a logged warning).

A ``request_id`` is 1 to 100 characters: letters, digits, spaces and
``_ - . , : ; / # ( ) & ' +``, starting with a letter, a digit or ``_``
(:mod:`transit.util.ids`). A file holds at most 200,000 bookings
(:mod:`transit.util.limits`; ``TRANSIT_MAX_BOOKINGS`` raises it).

``name``, ``phone`` and ``notes`` are personal data for the driver: they are
printed on the driver manifests only (and kept in the day's ``plan.json`` so
that a later update can print them again), never in routes, maps, summaries,
changes or notices.

Minimum lead time
-----------------
Nobody is picked up before ``booked_at`` plus the operator's minimum lead
time (``min_lead_min`` of the fleet's ``[service]`` table, default 0). A
booking whose requested time leaves no pickup after that (for example booked
at 07:59 for an arrival at 08:00 over a 19-minute trip) cannot be served;
``transit bookings check`` and the dispatch commands report it with its line
(see :mod:`transit.dispatch.leadtime`). A booking with more passengers or
wheelchair places than any vehicle of the fleet has (a school class, say) is
valid too: ``bookings check --fleet`` lists it as a warning and dispatch
rejects it, "larger than every vehicle" (:func:`capacity_problems`).

``passengers`` counts everybody travelling, so seats; ``wheelchair`` counts the
wheelchair places needed *in addition*: a lone wheelchair user is
``passengers = 1, wheelchair = 1`` and occupies one seat and one wheelchair
place (conservative: on vehicles where a wheelchair place folds away seats,
give the vehicle correspondingly fewer seats).

The service day
---------------
All bookings of a file belong to one service day, and every time is stored as
seconds since midnight of that day (:mod:`transit.util.timeparse`):

* the service day is ``service_date`` when the caller gives one, otherwise the
  date of the first ``time`` written as an ISO date-time; a file whose times
  are all ``HH:MM`` has no date, which is fine;
* every ``time`` written as a date-time must lie on the service day (write
  ``HH:MM`` with hours >= 24, e.g. ``24:30``, for trips after midnight);
* ``HH:MM`` values (in ``time`` and ``booked_at``) are on the service day;
* a ``booked_at`` date-time on an earlier date gives negative seconds (booked
  the day before: ``-3600`` is 23:00 on the day before). A dated
  ``booked_at`` in a file whose service day is unknown is an error.

Encoding
--------
UTF-8 (with or without a byte-order mark) is expected; UTF-16 with a BOM is
recognised; anything else is decoded as Windows-1252 (Latin-1 with the Euro
sign etc.) with a logged warning. A file with NUL bytes is not a CSV.

Every problem of a file is collected and raised at once as
:class:`~transit.errors.InputErrors`, each naming file, line (the header is
line 1) and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from transit.util.atomic import atomic_write_text
from transit.util.csvsafe import csv_writer, unquote_cell
from transit.util.ids import id_problem
from transit.util.limits import check_limit, current_limits
from transit.errors import InputError, InputErrors
from transit.util.geo import great_circle_m
from transit.util.i18n import N_, _
from transit.util.textfile import decode_text
from transit.util.timeparse import (
    ParsedTime,
    TimeParseError,
    format_clock,
    format_datetime,
    parse_time,
)

if TYPE_CHECKING:
    from transit.road.travel import RoadNetwork

__all__ = [
    "COLUMNS",
    "PERSONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "Booking",
    "BookingsFile",
    "capacity_problems",
    "read_bookings",
    "read_bookings_file",
    "write_bookings",
]

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("request_id", "pickup_lat", "pickup_lon", "dropoff_lat", "dropoff_lon", "time")
PERSONAL_COLUMNS = ("name", "phone", "notes")
COLUMNS = (*REQUIRED_COLUMNS, "time_type", "passengers", "wheelchair", "booked_at", *PERSONAL_COLUMNS)
_MAX_TEXT = {"name": 100, "phone": 40, "notes": 300}
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]*$")
TIME_TYPES = ("departure", "arrival")
_SAME_POINT_M = 1.0


@dataclass(frozen=True, slots=True)
class Booking:
    """One row of a bookings file.

    Parameters
    ----------
    request_id
        Unique identifier within the file.
    pickup_lat, pickup_lon, dropoff_lat, dropoff_lon
        WGS84 decimal degrees.
    time
        Requested time, seconds since midnight of the service day.
    time_type
        ``"departure"``: ``time`` is the earliest pickup; ``"arrival"``: the
        latest arrival.
    passengers
        Seats needed (>= 1).
    wheelchair
        Wheelchair places needed (>= 0).
    booked_at
        When the booking was made, seconds since midnight of the service day
        (negative: the day before), or None if unknown.
    name, phone, notes
        For the driver only (see the module docstring); empty if not given.
    """

    request_id: str
    pickup_lat: float
    pickup_lon: float
    dropoff_lat: float
    dropoff_lon: float
    time: float
    time_type: str = "departure"
    passengers: int = 1
    wheelchair: int = 0
    booked_at: float | None = None
    name: str = ""
    phone: str = ""
    notes: str = ""


@dataclass(frozen=True)
class BookingsFile:
    """The bookings of a file with what was learnt while reading it.

    Parameters
    ----------
    bookings
        The bookings in file order.
    service_date
        The service day (given by the caller or found in the file), or None.
    encoding
        The text encoding the file was decoded with.
    lines
        The line of each booking in the file (the header is line 1).
    """

    bookings: tuple[Booking, ...]
    service_date: dt.date | None
    encoding: str
    lines: tuple[int, ...] = ()


# --------------------------------------------------------------------------- reading


_MAX_COUNT = 999
"""Largest number of passengers or wheelchairs of one booking (more is a typo, not a booking)."""


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


class _RowChecker:
    """Collect the problems of one file while turning rows into bookings."""

    def __init__(self, file: str, service_date: dt.date | None) -> None:
        self.file = file
        self.problems: list[InputError] = []
        self.service_date = service_date
        self.service_date_line: int | None = None

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(InputError(message, file=self.file, row=row, column=column))

    def number(self, line: int, column: str, text: str, lo: float, hi: float) -> float | None:
        if not text:
            self.add(line, column, _("missing value"))
            return None
        try:
            value = _parse_float(text)
        except ValueError:
            self.add(line, column, _("{text} is not a number").format(text=repr(text)))
            return None
        if not lo <= value <= hi:
            self.add(line, column, _("{value} is out of range ({lo} to {hi})").format(value=f"{value:g}", lo=f"{lo:g}", hi=f"{hi:g}"))
            return None
        return value

    def count(self, line: int, column: str, text: str, minimum: int, default: int) -> int | None:
        if not text:
            return default
        try:
            value = int(text)
        except ValueError:
            try:
                f = float(text)
            except ValueError:
                f = math.nan
            if math.isfinite(f) and f == int(f):
                value = int(f)
            else:
                self.add(line, column, _("{text} is not a whole number").format(text=repr(text)))
                return None
        if value < minimum:
            self.add(line, column, _("must be at least {minimum}, got {value}").format(minimum=minimum, value=value))
            return None
        if value > _MAX_COUNT:
            self.add(line, column, _("{text} is more than {limit}").format(text=repr(text), limit=f"{_MAX_COUNT:,}"))
            return None
        return value

    def time(self, line: int, column: str, text: str) -> ParsedTime | None:
        if not text:
            self.add(line, column, _("missing value"))
            return None
        try:
            return parse_time(text)
        except TimeParseError as exc:
            self.add(line, column, str(exc))
            return None


def _sniff_problem(header_line: str) -> str | None:
    """Say why a header that parsed into one column is not a bookings CSV."""
    for delim, name in ((";", N_("semicolons")), ("\t", N_("tabs")), ("|", "'|'")):
        if header_line.count(delim) >= 2:
            return _(
                "found one column only; the file seems to be separated by {name}, "
                "but bookings files are comma-separated"
            ).format(name=_(name))
    return None


def read_bookings_file(
    path: str | os.PathLike[str],
    *,
    network: RoadNetwork | None = None,
    capacities: Sequence[tuple[int, int]] | None = None,
    max_snap_m: float = 500.0,
    service_date: dt.date | None = None,
) -> BookingsFile:
    """Read and validate a bookings file; return the bookings and the service day.

    Parameters
    ----------
    path
        The CSV file.
    network
        If given, every pickup and drop-off must lie within ``max_snap_m`` of
        the road graph.
    capacities
        ``(seats, wheelchair places)`` of each vehicle; if given, a fleet
        without vehicles is a problem. A booking that fits no vehicle is not:
        it is a valid booking that cannot be served (a group larger than every
        vehicle); dispatch rejects it with that reason and
        :func:`capacity_problems` lists such bookings for ``bookings check``.
    max_snap_m
        Largest allowed distance from a point to the nearest road, metres.
    service_date
        The service day; when None it is taken from the first dated ``time``.

    Raises
    ------
    InputErrors
        Listing every problem of the file (missing file, empty file, not a
        CSV, missing columns, bad values, duplicates, far points, ...).
    """
    file = str(path)
    p = Path(path)
    if not p.exists():
        raise InputErrors([InputError(_("file not found"), file=file)])
    if p.is_dir():
        raise InputErrors([InputError(_("is a folder, not a bookings file"), file=file)])
    data = p.read_bytes()
    try:
        text, encoding = decode_text(data, file=file)
    except InputError as exc:
        raise InputErrors([exc]) from None
    if not text.strip():
        raise InputErrors([InputError(_("file is empty (expected a header row and bookings)"), file=file)])

    chk = _RowChecker(file, service_date)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    names, index = _read_header(reader, file)
    rows = _read_rows(chk, reader, names, index)
    bookings = _resolve_times(chk, rows)
    if network is not None and bookings:
        _check_snapping(chk, bookings, network, max_snap_m)
    if capacities is not None:
        _check_capacity(chk, capacities)
    if chk.problems:
        chk.problems.sort(key=lambda e: (e.row if e.row is not None else 0))
        raise InputErrors(chk.problems)
    return BookingsFile(
        tuple(b for _, b in bookings), chk.service_date, encoding, tuple(line for line, _ in bookings)
    )


def _read_header(reader: Any, file: str) -> tuple[list[str], dict[str, int]]:
    """Read and check the header row; return the column names and the index of each known one."""
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputErrors([InputError(_("not a CSV file ({error})").format(error=exc), file=file, row=1)]) from None
    while header is not None and not any(h.strip() for h in header):
        header = next(reader, None)
    if header is None:
        raise InputErrors([InputError(_("file is empty (expected a header row and bookings)"), file=file)])
    header_line = reader.line_num
    names = [h.strip().lower() for h in header]
    if len(names) == 1:
        why = _sniff_problem(header[0]) or _(
            "found one column only ({found}); expected a comma-separated header with {columns}"
        ).format(found=repr(header[0].strip()[:40]), columns=", ".join(REQUIRED_COLUMNS))
        raise InputErrors([InputError(why, file=file, row=header_line)])
    problems_head: list[InputError] = []
    index: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in index and n in COLUMNS:
            problems_head.append(
                InputError(_("column appears twice in the header"), file=file, row=header_line, column=n)
            )
        index.setdefault(n, i)
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    for c in missing:
        problems_head.append(
            InputError(_("required column is missing from the header"), file=file, row=header_line, column=c)
        )
    if problems_head:
        raise InputErrors(problems_head)
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        log.warning("%s: ignoring unknown columns %s", file, ", ".join(repr(u) for u in unknown))
    return names, index


def _read_rows(chk: _RowChecker, reader: Any, names: list[str], index: dict[str, int]) -> list[tuple[int, dict[str, Any]]]:
    """Check every data row on its own; return the parsed rows with their lines."""
    limits = current_limits()
    file = chk.file
    rows: list[tuple[int, dict[str, Any]]] = []
    seen_ids: dict[str, int] = {}
    n_rows = 0
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            n_rows += 1
            if n_rows > limits.bookings:
                try:
                    check_limit("bookings", n_rows, file=file, row=line)
                except InputError as exc:
                    raise InputErrors([exc]) from None
            if len(fields) != len(names):
                chk.add(line, None, _("row has {n} fields, the header has {m}").format(n=len(fields), m=len(names)))
                continue
            rec = _check_row(chk, line, {n: unquote_cell(fields[i].strip()) for n, i in index.items()}, seen_ids)
            if rec is not None:
                rows.append((line, rec))
    except csv.Error as exc:
        chk.add(reader.line_num, None, _("not a valid CSV row ({error})").format(error=exc))
    if n_rows == 0 and not chk.problems:
        chk.add(None, None, _("no bookings in the file (only a header)"))
    return rows


def _check_row(
    chk: _RowChecker, line: int, r: dict[str, str], seen_ids: dict[str, int]
) -> dict[str, Any] | None:
    """Check the values of one row on their own; return parsed fields or None."""
    ok = True
    rid = r["request_id"]
    bad_id = id_problem(rid)
    if bad_id is not None:
        chk.add(line, "request_id", bad_id)
        ok = False
    elif rid in seen_ids:
        # Reported, but the row is still checked in full (snapping, capacity).
        chk.add(line, "request_id", _("duplicate request_id {id} (first on line {line})").format(id=repr(rid), line=seen_ids[rid]))
    else:
        seen_ids[rid] = line
    coords = {}
    for col in ("pickup_lat", "pickup_lon", "dropoff_lat", "dropoff_lon"):
        lim = 90.0 if col.endswith("lat") else 180.0
        coords[col] = chk.number(line, col, r[col], -lim, lim)
    if any(v is None for v in coords.values()):
        ok = False
    elif great_circle_m(
        coords["pickup_lat"], coords["pickup_lon"], coords["dropoff_lat"], coords["dropoff_lon"]
    ) < _SAME_POINT_M:
        chk.add(line, "dropoff_lat", _("drop-off is the same point as the pickup"))
        ok = False
    t = chk.time(line, "time", r["time"])
    ok = ok and t is not None
    tt = r.get("time_type", "").lower() or "departure"
    if tt not in TIME_TYPES:
        chk.add(line, "time_type", _("{value} is not 'departure' or 'arrival'").format(value=repr(r["time_type"])))
        ok = False
    pax = chk.count(line, "passengers", r.get("passengers", ""), 1, 1)
    wc = chk.count(line, "wheelchair", r.get("wheelchair", ""), 0, 0)
    ok = ok and pax is not None and wc is not None
    booked = None
    if r.get("booked_at", ""):
        booked = chk.time(line, "booked_at", r["booked_at"])
        ok = ok and booked is not None
    personal = {c: r.get(c, "") for c in PERSONAL_COLUMNS}
    for c, text in personal.items():
        if len(text) > _MAX_TEXT[c]:
            chk.add(line, c, _("longer than {n} characters").format(n=_MAX_TEXT[c]))
            ok = False
        elif c == "phone" and text and not _PHONE.match(text):
            chk.add(line, c, _("{text} is not a phone number (digits, spaces and + ( ) / - . only)").format(text=repr(text)))
            ok = False
    if not ok:
        return None
    return {
        "request_id": rid,
        **coords,
        "time": t,
        "time_type": tt,
        "passengers": pax,
        "wheelchair": wc,
        "booked_at": booked,
        **personal,
    }


def _resolve_times(
    chk: _RowChecker, rows: list[tuple[int, dict[str, Any]]]
) -> list[tuple[int, Booking]]:
    """Turn parsed times into service-day seconds; apply the service-day rules."""
    if chk.service_date is None:
        for line, rec in rows:
            if rec["time"].date is not None:
                chk.service_date = rec["time"].date
                chk.service_date_line = line
                break
    sd = chk.service_date
    out: list[tuple[int, Booking]] = []
    for line, rec in rows:
        t: ParsedTime = rec["time"]
        if t.date is not None and t.date != sd:
            origin = (
                _("from line {line}").format(line=chk.service_date_line) if chk.service_date_line else _("given")
            )
            chk.add(
                line,
                "time",
                _("date {date} is not the file's service day {day} ({origin}); a file holds one service day").format(
                    date=t.date.isoformat(), day=sd.isoformat(), origin=origin
                ),
            )
            continue
        time_s = t.on(sd)
        booked: ParsedTime | None = rec["booked_at"]
        booked_s: float | None = None
        if booked is not None:
            if booked.date is not None and sd is None:
                chk.add(
                    line,
                    "booked_at",
                    "has a date but the service day is unknown; write 'time' as a "
                    "date-time too, or give the service date",
                )
                continue
            booked_s = booked.on(sd)
            if booked_s > time_s:
                chk.add(
                    line,
                    "booked_at",
                    _("booked at {booked}, after the requested time {time}").format(
                        booked=_show(booked_s, sd), time=_show(time_s, sd)
                    ),
                )
                continue
        out.append(
            (
                line,
                Booking(
                    request_id=rec["request_id"],
                    pickup_lat=rec["pickup_lat"],
                    pickup_lon=rec["pickup_lon"],
                    dropoff_lat=rec["dropoff_lat"],
                    dropoff_lon=rec["dropoff_lon"],
                    time=time_s,
                    time_type=rec["time_type"],
                    passengers=rec["passengers"],
                    wheelchair=rec["wheelchair"],
                    booked_at=booked_s,
                    name=rec["name"],
                    phone=rec["phone"],
                    notes=rec["notes"],
                ),
            )
        )
    return out


def _show(seconds: float, sd: dt.date | None) -> str:
    if sd is not None and not 0 <= seconds < 86_400:
        return format_datetime(seconds, sd)
    return format_clock(seconds, with_seconds=seconds % 60 != 0)


def _check_snapping(
    chk: _RowChecker, bookings: list[tuple[int, Booking]], network: RoadNetwork, max_snap_m: float
) -> None:
    lat = np.array([[b.pickup_lat, b.dropoff_lat] for _, b in bookings], dtype=float).ravel()
    lon = np.array([[b.pickup_lon, b.dropoff_lon] for _, b in bookings], dtype=float).ravel()
    dist = np.asarray(network.snap_distances(lat, lon).distance_m, dtype=float)
    for k, (line, _b) in enumerate(bookings):
        for j, (what, col) in enumerate(((N_("pickup"), "pickup_lat"), (N_("drop-off"), "dropoff_lat"))):
            d = dist[2 * k + j]
            if not d <= max_snap_m:
                chk.add(
                    line,
                    col,
                    _("{what} point is {d} m from the nearest road of the network (at most {max} m allowed)").format(
                        what=_(what), d=f"{d:,.0f}", max=f"{max_snap_m:,.0f}"
                    ),
                )


def _check_capacity(chk: _RowChecker, capacities: Sequence[tuple[int, int]]) -> None:
    if not list(capacities):
        chk.add(None, None, _("the fleet has no vehicles"))


def capacity_problems(
    bookings: Sequence[Booking],
    capacities: Sequence[tuple[int, int]],
    *,
    file: str | None = None,
    lines: Sequence[int] | None = None,
) -> list[InputError]:
    """Return one problem per booking that fits no vehicle (more seats or wheelchair places than any has).

    Such a booking is valid but cannot be served: ``transit bookings check``
    lists it as a warning with its line and column, and dispatch rejects it
    with the reason "larger than every vehicle".

    Parameters
    ----------
    bookings
        Validated bookings.
    capacities
        ``(seats, wheelchair places)`` of each vehicle (none: no problem is reported).
    file, lines
        The bookings file and each booking's line, for the messages.

    Returns
    -------
    list of InputError
        One per such booking, naming the line and the column (``passengers``,
        or ``wheelchair`` when the seats would fit), in file order.
    """
    caps = [(int(s), int(w)) for s, w in capacities]
    if not caps:
        return []
    largest_s = max(s for s, _ in caps)
    largest_w = max(w for _, w in caps)
    out = []
    for i, b in enumerate(bookings):
        if any(b.passengers <= s and b.wheelchair <= w for s, w in caps):
            continue
        col = "passengers" if all(b.passengers > s for s, _ in caps) else "wheelchair"
        msg = _(
            "booking needs {seats} seats and {wheelchair} wheelchair places; no vehicle of the "
            "fleet has that (at most {max_seats} seats, {max_wheelchair} wheelchair places)"
        ).format(seats=b.passengers, wheelchair=b.wheelchair, max_seats=largest_s, max_wheelchair=largest_w)
        row = lines[i] if lines is not None and i < len(lines) else None
        out.append(InputError(msg, file=file, row=row, column=col))
    return out


def read_bookings(
    path: str | os.PathLike[str],
    *,
    network: RoadNetwork | None = None,
    capacities: Sequence[tuple[int, int]] | None = None,
    max_snap_m: float = 500.0,
    service_date: dt.date | None = None,
) -> list[Booking]:
    """Read and validate a bookings file (see :func:`read_bookings_file`).

    Returns
    -------
    list of Booking
        In file order.

    Raises
    ------
    InputErrors
        Listing every problem of the file.
    """
    return list(
        read_bookings_file(
            path,
            network=network,
            capacities=capacities,
            max_snap_m=max_snap_m,
            service_date=service_date,
        ).bookings
    )


# --------------------------------------------------------------------------- writing


def _fmt_coord(x: float) -> str:
    return f"{x:.7f}".rstrip("0").rstrip(".") if x != 0 else "0"


def _fmt_time(seconds: float, service_date: dt.date | None, *, is_time: bool = False) -> str:
    # A requested time after midnight stays on the service day: HH:MM with HH >= 24.
    if service_date is not None and not (is_time and seconds >= 86_400):
        return format_datetime(seconds, service_date)
    if seconds < 0:
        msg = (
            f"time {seconds:g} s is before the service day; give write_bookings a "
            "service_date so it can be written as a date-time"
        )
        raise ValueError(msg)
    return format_clock(seconds)


def write_bookings(
    bookings: Iterable[Booking],
    path: str | os.PathLike[str],
    *,
    service_date: dt.date | None = None,
) -> None:
    """Write bookings as a bookings CSV file, atomically.

    Parameters
    ----------
    bookings
        The bookings to write, in this order.
    path
        The output file (replaced if it exists).
    service_date
        If given, times are written as ISO date-times on this day (needed when
        a ``booked_at`` is negative), except a requested ``time`` after
        midnight, which is written ``HH:MM:SS`` with hours >= 24 so that it
        stays on the service day; without it every time is ``HH:MM:SS``.

    Raises
    ------
    ValueError
        If a time is negative and no ``service_date`` is given, or ids repeat.
    """
    bookings = list(bookings)
    personal = any(b.name or b.phone or b.notes for b in bookings)
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(COLUMNS if personal else COLUMNS[: -len(PERSONAL_COLUMNS)])
    seen: set[str] = set()
    for b in bookings:
        if b.request_id in seen:
            msg = f"duplicate request_id {b.request_id!r}"
            raise ValueError(msg)
        seen.add(b.request_id)
        w.writerow(
            [
                b.request_id,
                _fmt_coord(b.pickup_lat),
                _fmt_coord(b.pickup_lon),
                _fmt_coord(b.dropoff_lat),
                _fmt_coord(b.dropoff_lon),
                _fmt_time(b.time, service_date, is_time=True),
                b.time_type,
                b.passengers,
                b.wheelchair,
                "" if b.booked_at is None else _fmt_time(b.booked_at, service_date),
                *((b.name, b.phone, b.notes) if personal else ()),
            ]
        )
    atomic_write_text(path, buf.getvalue())


