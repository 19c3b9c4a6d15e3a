"""The tables of a feed being written, and writing them as a zip, all or nothing.

:class:`FeedTables` collects rows per file (columns in a fixed order, each
file's header the union of its rows' keys in the order of
:data:`COLUMNS`) and the features of ``locations.geojson``;
:func:`write_feed` writes them to a ``.zip`` (or a folder) atomically.
Files are written in a fixed order with fixed zip timestamps, so the same
feed gives byte-identical output.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from transit.util.csvsafe import data_csv_writer
from transit.util.atomic import atomic_write_bytes, check_free, output_dir

__all__ = ["COLUMNS", "FeedTables", "feed_bytes", "write_feed"]

#: Files and their columns, in the order they are written (GTFS Schedule reference).
COLUMNS: dict[str, tuple[str, ...]] = {
    "agency.txt": ("agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang", "agency_phone"),
    "feed_info.txt": ("feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date", "feed_end_date",
                      "feed_version", "feed_contact_email", "feed_contact_url"),
    "stops.txt": ("stop_id", "stop_name", "stop_desc", "stop_lat", "stop_lon", "location_type"),
    "routes.txt": ("route_id", "agency_id", "route_short_name", "route_long_name", "route_desc", "route_type"),
    "calendar.txt": ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                     "start_date", "end_date"),
    "shapes.txt": ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence", "shape_dist_traveled"),
    "trips.txt": ("route_id", "service_id", "trip_id", "trip_headsign", "direction_id", "shape_id"),
    "booking_rules.txt": ("booking_rule_id", "booking_type", "prior_notice_duration_min", "message",
                          "phone_number", "info_url", "booking_url"),
    "location_groups.txt": ("location_group_id", "location_group_name"),
    "location_group_stops.txt": ("location_group_id", "stop_id"),
    "stop_times.txt": ("trip_id", "arrival_time", "departure_time", "stop_id", "location_group_id", "location_id",
                       "stop_sequence", "start_pickup_drop_off_window", "end_pickup_drop_off_window",
                       "pickup_type", "drop_off_type", "pickup_booking_rule_id", "drop_off_booking_rule_id",
                       "shape_dist_traveled", "timepoint"),
}

#: Fixed timestamp of the zip entries (reproducible files).
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass
class FeedTables:
    """Rows of each file of a feed, and the zones of ``locations.geojson``."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    locations: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, row: Mapping[str, Any]) -> None:
        """Add a row to ``name`` (keys must be columns of :data:`COLUMNS`)."""
        unknown = set(row) - set(COLUMNS[name])
        if unknown:
            msg = f"{name}: no columns {sorted(unknown)}"
            raise KeyError(msg)
        self.rows.setdefault(name, []).append(dict(row))

    def extend(self, name: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Add several rows to ``name``."""
        for r in rows:
            self.add(name, r)

    def has(self, name: str, key: str, value: Any) -> bool:
        """Return whether a row of ``name`` has ``row[key] == value``."""
        return any(r.get(key) == value for r in self.rows.get(name, []))

    def merge(self, other: FeedTables) -> None:
        """Add the rows and zones of ``other`` (rows already present, by their full content, are skipped)."""
        for name, rows in other.rows.items():
            mine = self.rows.setdefault(name, [])
            for r in rows:
                if r not in mine:
                    mine.append(r)
        ids = {f["id"] for f in self.locations}
        self.locations += [f for f in other.locations if f["id"] not in ids]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # The shortest text that reads back as the same float, never in exponent form.
        return np.format_float_positional(value, trim="-")
    return str(value)


def _csv(name: str, rows: list[dict[str, Any]]) -> bytes:
    present = {k for r in rows for k, v in r.items() if _text(v) != ""}
    header = [c for c in COLUMNS[name] if c in present or c in COLUMNS[name][:1]]
    buf = io.StringIO(newline="")
    w = data_csv_writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_text(r.get(c)) for c in header])
    return buf.getvalue().encode("utf-8")


def feed_bytes(tables: FeedTables) -> dict[str, bytes]:
    """Return the files of the feed by name, in the order they are written."""
    out: dict[str, bytes] = {}
    for name in COLUMNS:
        rows = tables.rows.get(name)
        if rows:
            out[name] = _csv(name, rows)
    if tables.locations:
        doc = {"type": "FeatureCollection", "features": tables.locations}
        out["locations.geojson"] = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return out


def write_feed(tables: FeedTables, path: str | Path, *, force: bool = False) -> Path:
    """Write the feed to ``path``: a ``.zip`` file, else a folder; atomically.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``force`` is False.
    """
    target = Path(path)
    check_free(target, force=force)
    files = feed_bytes(tables)
    if target.suffix.lower() == ".zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        atomic_write_bytes(target, buf.getvalue())
    else:
        with output_dir(target, force=force) as tmp:
            for name, data in files.items():
                (tmp / name).write_bytes(data)
    return target
