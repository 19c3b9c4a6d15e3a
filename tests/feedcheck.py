"""Check a GTFS / GTFS-Flex feed: the canonical validator's notices, and a few Flex rules read directly.

The validator is PyPI's ``gtfs-validator`` (a pure-Python reimplementation of
MobilityData's canonical GTFS Schedule validator, tested against its jar;
GTFS-Flex rules included). It is run in-process on a fixed validation date,
with the country code of the district.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from gtfs_validator.cli import main as validator_main

#: The validation date: inside the calendars of every feed the tests write.
VALIDATION_DATE = "2025-03-04"


def validate(feed: Path, out: Path, *, date: str = VALIDATION_DATE) -> list[dict]:
    """Run the canonical validator on ``feed``; return its notices (each with severity, code, samples)."""
    rc = validator_main(["-i", str(feed), "-o", str(out), "-c", "de", "-d", date])
    assert rc == 0, f"the validator could not read {feed} (exit {rc})"
    system = json.loads((out / "system_errors.json").read_text(encoding="utf-8"))
    assert system["notices"] == [], f"validator system errors: {system['notices']}"
    return json.loads((out / "report.json").read_text(encoding="utf-8"))["notices"]


def errors(notices: list[dict]) -> list[str]:
    """The ERROR notices, as ``code: first sample`` lines."""
    return [f"{n['code']} x{n['totalNotices']}: {n['sampleNotices'][:1]}" for n in notices if n["severity"] == "ERROR"]


def read_tables(feed: Path) -> dict[str, list[dict[str, str]]]:
    """The ``.txt`` files of a zipped feed as lists of rows, plus ``locations.geojson`` under its name."""
    out: dict[str, list] = {}
    with zipfile.ZipFile(feed) as zf:
        for name in zf.namelist():
            text = zf.read(name).decode("utf-8")
            if name.endswith(".txt"):
                out[name] = list(csv.DictReader(io.StringIO(text)))
            else:
                out[name] = json.loads(text)["features"]
    return out


def flex_rule_problems(tables: dict[str, list]) -> list[str]:
    """Flex rules of the reference's stop_times table, checked row by row."""
    problems = []
    zones = {f["id"] for f in tables.get("locations.geojson", [])}
    groups = {r["location_group_id"] for r in tables.get("location_groups.txt", [])}
    stops = {r["stop_id"] for r in tables.get("stops.txt", [])}
    rules = {r["booking_rule_id"] for r in tables.get("booking_rules.txt", [])}
    for k, r in enumerate(tables["stop_times.txt"], start=2):
        refs = [c for c in ("stop_id", "location_group_id", "location_id") if r.get(c)]
        if len(refs) != 1:
            problems.append(f"line {k}: {len(refs)} of stop_id/location_group_id/location_id")
            continue
        known = {"stop_id": stops, "location_group_id": groups, "location_id": zones}[refs[0]]
        if r[refs[0]] not in known:
            problems.append(f"line {k}: unknown {refs[0]} {r[refs[0]]!r}")
        start, end = bool(r.get("start_pickup_drop_off_window")), bool(r.get("end_pickup_drop_off_window"))
        window = start or end
        timed = bool(r.get("arrival_time")) or bool(r.get("departure_time"))
        if refs[0] != "stop_id" and not (start and end):
            problems.append(f"line {k}: a zone or group row needs a window (start and end)")
        if window and timed:
            problems.append(f"line {k}: window and arrival/departure time together")
        if window and (r.get("pickup_type") in ("", "0", "3") or r.get("drop_off_type") in ("", "0")):
            problems.append(f"line {k}: pickup_type/drop_off_type {r.get('pickup_type')}/{r.get('drop_off_type')} "
                            "with a window")
        for col in ("pickup_booking_rule_id", "drop_off_booking_rule_id"):
            if r.get(col) and r[col] not in rules:
                problems.append(f"line {k}: unknown {col} {r[col]!r}")
    return problems
