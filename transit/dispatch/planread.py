"""Read ``plan.json`` back, validated like any other input.

A ``plan.json`` may have been edited by hand (or damaged). Every problem is
reported at once as :class:`~transit.errors.InputErrors` naming the file, the
JSON path of the wrong value (``plan.routes[2].stops[5].arrival``) and what is
wrong: a time that is not a finite number, a stop kind or place that does
not exist, a request or vehicle the day does not know, a booking that
appears twice, a drop-off before its pickup, a request served twice or both
served and rejected, a booking neither served nor rejected. What the
structure cannot show (windows, ride times, loads, travel times) is checked
by the independent checker once the day's problem is rebuilt
(:func:`check_stored_plan`), and reported the same way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from transit.darp.build import Location
from transit.darp.checker import check
from transit.darp.data import ObjectiveWeights, Plan, Problem, Rejection, Route, SolverStats, Stop, StopKind, TimeWindow
from transit.darp.fleet import parse_fleet
from transit.demand.bookings import Booking
from transit.dispatch.state import STATES, Override, RequestStatus
from transit.errors import InputError, InputErrors, ProblemDataError
from transit.util.i18n import _

__all__ = ["FORMAT", "VERSIONS", "check_stored_plan", "parse_plan_file"]

FORMAT = "transit-dispatch-plan"
VERSIONS = (1, 2)
_BOOKING_FIELDS = {f.name: f for f in dataclasses.fields(Booking)}
_STOP_KEYS = ("kind", "location", "arrival", "start", "departure", "load", "wheelchair_load", "request_id")


class _Problems:
    """Collect problems of one file, each at a JSON path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[InputError] = []

    def add(self, path: str | None, message: str) -> None:
        self.items.append(InputError(message, file=self.file, column=path))

    def raise_if_any(self) -> None:
        if self.items:
            raise InputErrors(self.items)


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _finite(pb: _Problems, path: str, x: Any, *, nullable: bool = False) -> float | None:
    if x is None and nullable:
        return None
    if not _is_num(x):
        pb.add(path, _("must be a number, got {value}").format(value=json.dumps(x)[:40]))
        return None
    if not math.isfinite(x):
        pb.add(path, _("must be a finite number, got {value}").format(value=x))
        return None
    return float(x)


def _int(pb: _Problems, path: str, x: Any, lo: int = 0) -> int | None:
    if isinstance(x, bool) or not isinstance(x, int):
        pb.add(path, _("must be a whole number, got {value}").format(value=json.dumps(x)[:40]))
        return None
    if x < lo:
        pb.add(path, _("must be at least {minimum}, got {value}").format(minimum=lo, value=x))
        return None
    return x


def _obj(pb: _Problems, d: Any, key: str, kind: type, path: str = "") -> Any:
    where = f"{path}{key}"
    if not isinstance(d, dict) or key not in d:
        pb.add(where, _("missing; is this a plan.json written by 'transit dispatch'?"))
        return None
    if not isinstance(d[key], kind):
        pb.add(where, _("has the wrong type ({type})").format(type=type(d[key]).__name__))
        return None
    return d[key]


def _bookings(pb: _Problems, items: list[Any]) -> tuple[Booking, ...]:
    out: list[Booking] = []
    first: dict[str, int] = {}
    for i, b in enumerate(items):
        path = f"bookings[{i}]"
        if not isinstance(b, dict):
            pb.add(path, _("must be an object"))
            continue
        unknown = sorted(set(b) - set(_BOOKING_FIELDS))
        if unknown:
            pb.add(f"{path}.{unknown[0]}", _("unknown key"))
            continue
        rid = b.get("request_id")
        if not isinstance(rid, str) or not rid:
            pb.add(f"{path}.request_id", _("must be a non-empty text"))
            continue
        if rid in first:
            pb.add(f"{path}.request_id", _("booking {id} appears twice (first at bookings[{first}])").format(id=repr(rid), first=first[rid]))
            continue
        first[rid] = i
        ok = True
        for key in ("pickup_lat", "pickup_lon", "dropoff_lat", "dropoff_lon", "time"):
            ok = _finite(pb, f"{path}.{key}", b.get(key)) is not None and ok
        if b.get("booked_at") is not None:
            ok = _finite(pb, f"{path}.booked_at", b.get("booked_at")) is not None and ok
        if b.get("time_type", "departure") not in ("departure", "arrival"):
            pb.add(f"{path}.time_type", _("must be 'departure' or 'arrival'"))
            ok = False
        for key, lo in (("passengers", 1), ("wheelchair", 0)):
            if key in b:
                ok = _int(pb, f"{path}.{key}", b[key], lo) is not None and ok
        for key in ("name", "phone", "notes"):
            if not isinstance(b.get(key, ""), str):
                pb.add(f"{path}.{key}", _("must be a text"))
                ok = False
        if ok:
            out.append(Booking(**b))
    return tuple(out)


def _locations(pb: _Problems, items: list[Any]) -> tuple[Location, ...]:
    out = []
    for i, x in enumerate(items):
        path = f"locations[{i}]"
        try:
            loc = Location(**x)
        except TypeError:
            pb.add(path, _("must be an object with index, node, osm_id, lat, lon, label"))
            continue
        if loc.index != i:
            pb.add(f"{path}.index", _("is {value}, expected {expected}").format(value=loc.index, expected=i))
        for key in ("lat", "lon"):
            _finite(pb, f"{path}.{key}", getattr(loc, key))
        if _int(pb, f"{path}.node", loc.node) is not None:
            out.append(loc)
    return tuple(out)


def _stop(pb: _Problems, path: str, d: Any, n_loc: int, known: set[str]) -> Stop | None:
    if not isinstance(d, dict):
        pb.add(path, _("must be an object"))
        return None
    unknown = sorted(set(d) - set(_STOP_KEYS))
    if unknown:
        pb.add(f"{path}.{unknown[0]}", _("unknown key"))
        return None
    kind = d.get("kind")
    if kind not in [k.value for k in StopKind]:
        pb.add(f"{path}.kind", _("{value} is not a stop kind ({kinds})").format(
            value=json.dumps(kind), kinds=", ".join(k.value for k in StopKind)))
        return None
    n_before = len(pb.items)
    loc = _int(pb, f"{path}.location", d.get("location"))
    if loc is not None and loc >= n_loc:
        pb.add(f"{path}.location", _("{value} is not a place of the day (there are {n})").format(value=loc, n=n_loc))
    times = [_finite(pb, f"{path}.{k}", d.get(k)) for k in ("arrival", "start", "departure")]
    for k in ("load", "wheelchair_load"):
        _int(pb, f"{path}.{k}", d.get(k, 0))
    rid = d.get("request_id")
    if kind in ("pickup", "dropoff"):
        if not isinstance(rid, str) or rid not in known:
            pb.add(f"{path}.request_id", _("unknown request {id}").format(id=json.dumps(rid)))
    elif rid is not None:
        pb.add(f"{path}.request_id", _("a {kind} stop has no request").format(kind=kind))
    if len(pb.items) > n_before:
        return None
    a, s, dep = times  # type: ignore[misc]
    if not a <= s <= dep:  # type: ignore[operator]
        pb.add(path, _("its times must satisfy arrival <= start <= departure"))
        return None
    return Stop.from_dict(d)


def _route_order(pb: _Problems, path: str, stops: list[Stop], served: dict[str, str]) -> None:
    picked: dict[str, int] = {}
    for j, s in enumerate(stops):
        if j and s.arrival < stops[j - 1].departure - 1e-6:
            pb.add(f"{path}.stops[{j}].arrival", _("is before the departure from the stop before"))
        if s.kind not in (StopKind.PICKUP, StopKind.DROPOFF):
            continue
        rid = s.request_id or ""
        if s.kind == StopKind.PICKUP:
            if rid in picked or rid in served:
                pb.add(f"{path}.stops[{j}]", _("request {id} is picked up twice").format(id=repr(rid)))
            picked[rid] = j
        else:
            if rid not in picked:
                pb.add(f"{path}.stops[{j}]", _("request {id} is dropped off before it is picked up").format(id=repr(rid)))
            elif rid in served:
                pb.add(f"{path}.stops[{j}]", _("request {id} is dropped off twice").format(id=repr(rid)))
            served[rid] = path
    for rid, j in picked.items():
        if rid not in served:
            pb.add(f"{path}.stops[{j}]", _("request {id} is picked up but never dropped off").format(id=repr(rid)))


def _plan(pb: _Problems, d: dict[str, Any], n_loc: int, known: set[str], vehicles: set[str]) -> Plan | None:
    routes_in = _obj(pb, d, "routes", list, "plan.")
    rejected_in = d.get("rejected", [])
    if routes_in is None:
        return None
    routes: list[Route] = []
    served: dict[str, str] = {}
    seen_v: dict[str, int] = {}
    for i, r in enumerate(routes_in):
        path = f"plan.routes[{i}]"
        vid = r.get("vehicle_id") if isinstance(r, dict) else None
        if not isinstance(vid, str) or vid not in vehicles:
            pb.add(f"{path}.vehicle_id", _("unknown vehicle {id} (the fleet has {ids})").format(
                id=json.dumps(vid), ids=", ".join(sorted(vehicles))))
            continue
        if vid in seen_v:
            pb.add(f"{path}.vehicle_id", _("vehicle {id} has a second route (first at plan.routes[{first}])").format(id=repr(vid), first=seen_v[vid]))
            continue
        seen_v[vid] = i
        stops_in = r.get("stops")
        if not isinstance(stops_in, list):
            pb.add(f"{path}.stops", _("must be a list"))
            continue
        stops = [_stop(pb, f"{path}.stops[{j}]", s, n_loc, known) for j, s in enumerate(stops_in)]
        if any(s is None for s in stops):
            continue
        _route_order(pb, path, stops, served)  # type: ignore[arg-type]
        routes.append(Route(vid, tuple(stops)))  # type: ignore[arg-type]
    rejected: list[Rejection] = []
    if not isinstance(rejected_in, list):
        pb.add("plan.rejected", _("must be a list"))
        rejected_in = []
    for i, x in enumerate(rejected_in):
        path = f"plan.rejected[{i}]"
        rid = x.get("request_id") if isinstance(x, dict) else None
        if not isinstance(rid, str) or rid not in known:
            pb.add(f"{path}.request_id", _("unknown request {id}").format(id=json.dumps(rid)))
        elif rid in served:
            pb.add(f"{path}.request_id", _("request {id} is both rejected and served ({where})").format(id=repr(rid), where=served[rid]))
        elif any(y.request_id == rid for y in rejected):
            pb.add(f"{path}.request_id", _("request {id} is rejected twice").format(id=repr(rid)))
        elif not isinstance(x.get("reason"), str):
            pb.add(f"{path}.reason", _("must be a text"))
        else:
            rejected.append(Rejection(rid, x["reason"]))
    for rid in sorted(known - set(served) - {x.request_id for x in rejected}):
        pb.add("plan", _("booking {id} is neither served nor rejected").format(id=repr(rid)))
    try:
        stats = SolverStats.from_dict(d.get("stats") or {})
    except ProblemDataError as exc:
        pb.add("plan.stats", str(exc))
        return None
    objective = d.get("objective")
    return Plan(tuple(routes), tuple(rejected), math.nan if not _is_num(objective) else float(objective), stats)


def _states(pb: _Problems, d: dict[str, Any], known: set[str]) -> tuple[dict, dict, dict, dict]:
    status: dict[str, RequestStatus] = {}
    for rid, v in as_mapping(d.get("status")).items():
        path = f"status.{rid}"
        if rid not in known:
            pb.add(path, _("unknown request {id}").format(id=repr(rid)))
        elif not isinstance(v, dict) or v.get("state") not in STATES or _finite(pb, f"{path}.at", v.get("at")) is None:
            pb.add(path, _("must be {{\"state\": \"cancelled\"|\"noshow\", \"at\": seconds, \"note\": text}}"))
        else:
            status[rid] = RequestStatus(v["state"], float(v["at"]), str(v.get("note") or ""))
    overrides: dict[str, Override] = {}
    for rid, v in as_mapping(d.get("overrides")).items():
        if rid not in known:
            pb.add(f"overrides.{rid}", _("unknown request {id}").format(id=repr(rid)))
            continue
        try:
            overrides[rid] = Override.from_dict(v)
        except (ValueError, TypeError, AttributeError) as exc:
            pb.add(f"overrides.{rid}", str(exc))
    legs: dict[str, str] = {}
    for lid, base in as_mapping(d.get("legs")).items():
        if lid not in known or base not in known:
            pb.add(f"legs.{lid}", _("unknown request {id}").format(id=repr(lid if lid not in known else base)))
        else:
            legs[lid] = base
    out = d.get("vehicles_out") or {}
    if not isinstance(out, dict):
        pb.add("vehicles_out", _("must be an object"))
        out = {}
    return status, overrides, legs, dict(out)


def parse_plan_file(path: str | Path) -> dict[str, Any]:
    """Read and validate a ``plan.json``; return its parts (the fields of a stored day).

    Raises
    ------
    InputErrors
        Naming the file, the JSON path and what is wrong, for every problem.
    """
    file = str(path)
    pb = _Problems(file)
    p = Path(path)
    if not p.is_file():
        pb.add(None, _("plan file not found") if not p.exists() else _("is a folder, not a plan.json"))
        pb.raise_if_any()
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        pb.add(None, _("not a JSON file ({error})").format(error=exc))
        pb.raise_if_any()
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        pb.add("format", _("not a dispatch plan (expected \"format\": \"{format}\")").format(format=FORMAT))
        pb.raise_if_any()
    if d.get("version") not in VERSIONS:
        pb.add("version", _("unsupported version {value} (this program reads {versions})").format(
            value=repr(d.get("version")), versions=", ".join(map(str, VERSIONS))))
        pb.raise_if_any()
    service_date = None
    if d.get("service_date") is not None:
        try:
            service_date = dt.date.fromisoformat(d["service_date"])
        except (TypeError, ValueError):
            pb.add("service_date", _("{value} is not a date").format(value=repr(d.get("service_date"))))
    now = _finite(pb, "now", d.get("now"), nullable=True)
    net = _obj(pb, d, "network", dict) or {}
    network_path = _obj(pb, net, "path", str, "network.")
    max_snap = _finite(pb, "max_snap_m", d.get("max_snap_m"))
    weights = None
    w = _obj(pb, d, "weights", dict)
    if w is not None:
        try:
            weights = ObjectiveWeights(**w)
        except (TypeError, ProblemDataError) as exc:
            pb.add("weights", str(exc))
    fleet = None
    f = _obj(pb, d, "fleet", dict)
    if f is not None:
        try:
            fleet = parse_fleet(f, source=file, table="fleet")
            fleet = dataclasses.replace(fleet, source=str(d.get("fleet_source") or file))
        except InputErrors as exc:
            pb.items.extend(exc.problems)
    bookings = _bookings(pb, _obj(pb, d, "bookings", list) or [])
    locations = _locations(pb, _obj(pb, d, "locations", list) or [])
    known = {b.request_id for b in bookings}
    promises: dict[str, TimeWindow] = {}
    for rid, v in (_obj(pb, d, "promises", dict) or {}).items():
        lo = _finite(pb, f"promises.{rid}[0]", v[0] if isinstance(v, list) and len(v) == 2 else None)
        hi = _finite(pb, f"promises.{rid}[1]", v[1] if isinstance(v, list) and len(v) == 2 else None)
        if rid not in known:
            pb.add(f"promises.{rid}", _("unknown request {id}").format(id=repr(rid)))
        elif lo is not None and hi is not None:
            if hi < lo:
                pb.add(f"promises.{rid}", _("the window ends before it starts"))
            else:
                promises[rid] = TimeWindow(lo, hi)
    plan = None
    plan_d = _obj(pb, d, "plan", dict)
    if plan_d is not None and fleet is not None and not pb.items:
        plan = _plan(pb, plan_d, len(locations), known, {v.id for v in fleet.vehicles})
    status, overrides, legs, vehicles_out = _states(pb, d, known)
    history = tuple(h for h in d.get("history", []) if isinstance(h, dict))
    pb.raise_if_any()
    return {
        "path": file,
        "service_date": service_date,
        "now": now,
        "network_path": network_path,
        "max_snap_m": max_snap,
        "weights": weights,
        "fleet": fleet,
        "bookings": bookings,
        "locations": locations,
        "promises": promises,
        "plan": plan,
        "history": history,
        "status": status,
        "overrides": overrides,
        "legs": legs,
        "vehicles_out": vehicles_out,
    }


def check_stored_plan(file: str, problem: Problem, plan: Plan) -> None:
    """Check a stored plan against the day's rebuilt problem with the independent checker.

    Raises
    ------
    InputErrors
        One per violation, naming the file and the route (``plan.routes[i]``).
    """
    violations = check(problem, plan)
    if not violations:
        return
    where = {r.vehicle_id: i for i, r in enumerate(plan.routes)}
    pb = _Problems(file)
    for v in violations[:20]:
        path = f"plan.routes[{where[v.vehicle_id]}]" if v.vehicle_id in where else "plan"
        pb.add(path, _("the stored plan breaks the rules of the day: {violation}").format(violation=str(v)))
    if len(violations) > 20:
        pb.add("plan", _("... and {n} more violations").format(n=len(violations) - 20))
    pb.raise_if_any()


def as_mapping(x: Any) -> Mapping[str, Any]:
    """Return ``x`` if it is a mapping, else an empty one."""
    return x if isinstance(x, Mapping) else {}
