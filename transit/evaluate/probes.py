"""Answer access probes without simulating a day: what each model offers a traveller who is alone.

:func:`transit.evaluate.access.run_probes` asks :func:`probe_trips` first. A model
that has its own ``probe(bookings, ctx)`` method answers for itself. Fixed lines (and a
Rufbus without a capacity limit) answer each booking independently of the
others, so one run of the model answers all probes. For the
on-demand models (:class:`transit.opmodels.ondemand.OnDemandModel` and the
Bürgerbus, :class:`transit.opmodels.buergerbus.BuergerbusModel`, whose
vehicles are its rostered duties) the answer is the **service availability**
with free vehicles:

- a probe outside the service area, or too far from a road, is not served
  (as in the model); between stops, the traveller walks to the stop nearest
  the door and from the stop nearest the destination, within the walking
  limit (a probe whose two stops coincide is not served);
- a Bürgerbus probe outside the service hours is not served;
- otherwise a vehicle ``v`` can serve it if, leaving its depot at the start
  of its shift, it reaches the pickup within the pickup window
  (``[t, t + pickup_window]``, :class:`transit.darp.service.ServiceRules`) and can
  still take the passenger to the destination and drive back to its end
  depot by the end of its shift;
- the probe boards at the earliest such pickup over all vehicles, rides the
  direct drive plus the boarding time, and its door-to-door time counts from
  the requested time (plus walking).

This ignores other passengers (no waiting for a busy vehicle, no pooling
detours) and driver breaks, exactly as the fixed-line model ignores bus
capacity: the probes measure what the service offers, the comparison's
served shares and KPIs measure how it copes with the day's demand. Models
without either answer are probed by simulating small days
(:func:`transit.evaluate.access.run_probes`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from transit.sim.columns import TRIP_COLUMNS

if TYPE_CHECKING:
    from transit.demand.bookings import Booking
    from transit.opmodels.base import DayContext

__all__ = [
    "NO_SPARE_VEHICLE",
    "ondemand_availability",
    "ondemand_spare_capacity",
    "probe_trips",
    "spare_capacity_trips",
]


def probe_trips(model: Any, bookings: Sequence[Booking], ctx: DayContext) -> pd.DataFrame | None:
    """Return the trip log of probe ``bookings`` each answered as if alone, or None if the model cannot say."""
    probe = getattr(model, "probe", None)
    if callable(probe):
        return probe(bookings, ctx)
    from transit.opmodels.buergerbus import BuergerbusModel
    from transit.opmodels.fixed_line import FixedLineModel
    from transit.opmodels.ondemand import OnDemandModel
    from transit.opmodels.rufbus import RufbusModel

    # Timetabled lines without a capacity limit answer every booking on its own (the order and the
    # other bookings do not matter; probes are booked the evening before, so every Rufbus trip can
    # still be called): one run answers all probes.
    independent = isinstance(model, FixedLineModel) or (
        isinstance(model, RufbusModel) and model.rufbus.capacity is None and not model.rufbus.ast
    )
    if independent:
        return model.run(bookings, ctx, seed=0, rng=np.random.default_rng(0)).trips

    if isinstance(model, OnDemandModel):
        return ondemand_availability(model.name, model.fleet, model.options, bookings, ctx)
    if isinstance(model, BuergerbusModel):
        return ondemand_availability(
            model.name, model.fleet, model.options.ondemand, bookings, ctx,
            hours=model.options.service_hours, hours_label="outside the Bürgerbus service hours",
        )
    return None


def _row(model: str, b: Booking) -> dict[str, Any]:
    row: dict[str, Any] = {c: math.nan for c in TRIP_COLUMNS}
    row.update(
        model=model, seed=0, request_id=b.request_id, passengers=b.passengers, wheelchair=b.wheelchair,
        pickup_lat=b.pickup_lat, pickup_lon=b.pickup_lon, dropoff_lat=b.dropoff_lat, dropoff_lon=b.dropoff_lon,
        time_type=b.time_type, requested_time=b.time, booked_at=b.booked_at if b.booked_at is not None else math.nan,
        home_zone="", purpose="", status="rejected", reason="", vehicle_id="", transfers=0,
    )
    return row


@dataclass
class _Points:
    """Where and when each probe would board and alight an on-demand vehicle, and which cannot at all."""

    rows: list[dict[str, Any]]
    ok: np.ndarray
    reason: list[str]
    pickup_node: np.ndarray
    dropoff_node: np.ndarray
    t_req: np.ndarray
    t_stop: np.ndarray
    walk_s: np.ndarray
    direct: np.ndarray
    service: np.ndarray
    window_s: float


def _probe_points(
    name: str,
    fleet: Any,
    opts: Any,
    bookings: Sequence[Booking],
    ctx: DayContext,
    *,
    hours: tuple[float, float] | None,
    hours_label: str,
) -> _Points:
    """Return the probes' boarding points (doors, or the nearest stops) and what rules them out regardless of vehicles."""
    from transit.opmodels.ondemand import rules_for, service_stops
    from transit.road.travel import DEFAULT_MAX_SNAP_M
    from transit.road.walking import walk_matrix

    net = ctx.network
    rules = rules_for(opts.service, ctx, fleet)
    n = len(bookings)
    rows = [_row(name, b) for b in bookings]
    plat = np.array([b.pickup_lat for b in bookings], dtype=float)
    plon = np.array([b.pickup_lon for b in bookings], dtype=float)
    dlat = np.array([b.dropoff_lat for b in bookings], dtype=float)
    dlon = np.array([b.dropoff_lon for b in bookings], dtype=float)
    t_req = np.array([b.time for b in bookings], dtype=float)
    ok = np.ones(n, dtype=bool)
    reason = [""] * n
    if hours is not None:
        closed = (t_req < hours[0]) | (t_req > hours[1])
        for k in np.flatnonzero(closed):
            reason[k] = hours_label
        ok &= ~closed
    if opts.area is not None:
        inside = opts.area.contains(plat, plon) & opts.area.contains(dlat, dlon)
        for k in np.flatnonzero(~inside & ok):
            reason[k] = "outside the service area"
        ok &= inside
    walk_a = np.zeros(n)
    walk_e = np.zeros(n)
    walk_s = np.zeros(n)
    if opts.stop_based and n:
        stops = service_stops(opts, net)
        slat, slon = stops.lat, stops.lon
        acc = walk_matrix(plat, plon, slat, slon, opts.walk, network=net)
        egr = walk_matrix(dlat, dlon, slat, slon, opts.walk, network=net)
        i = np.argmin(acc, axis=1)
        j = np.argmin(egr, axis=1)
        a_m = acc[np.arange(n), i]
        e_m = egr[np.arange(n), j]
        for k in range(n):
            if not ok[k]:
                continue
            if not math.isfinite(a_m[k]):
                reason[k] = f"no stop within {opts.walk.max_walk_m:.0f} m of the pickup"
            elif not math.isfinite(e_m[k]):
                reason[k] = f"no stop within {opts.walk.max_walk_m:.0f} m of the drop-off"
            elif i[k] == j[k]:
                reason[k] = "pickup and drop-off share the same stop (a walk, not a ride)"
            if reason[k]:
                ok[k] = False
        fin = np.isfinite(a_m) & np.isfinite(e_m)
        walk_a = np.where(fin, a_m, 0.0)
        walk_e = np.where(fin, e_m, 0.0)
        walk_s = np.where(fin, opts.walk.time_s(walk_a) + opts.walk.time_s(walk_e), 0.0)
        plat, plon = slat[i], slon[i]
        dlat, dlon = slat[j], slon[j]
    sp = net.snap_distances(plat, plon)
    sd = net.snap_distances(dlat, dlon)
    far = np.maximum(sp.distance_m, sd.distance_m) > DEFAULT_MAX_SNAP_M if n else np.zeros(0, dtype=bool)
    for k in np.flatnonzero(far & ok):
        reason[k] = f"more than {DEFAULT_MAX_SNAP_M:.0f} m from the nearest road"
    ok &= ~far
    up, ui = np.unique(sp.node, return_inverse=True)
    ud, di = np.unique(sd.node, return_inverse=True)
    t_pd, m_pd = net.matrix(up, ud) if n else (np.zeros((0, 0)), np.zeros((0, 0)))
    direct = t_pd[ui, di] if n else np.zeros(0)
    direct_m = m_pd[ui, di] if n else np.zeros(0)
    for k, b in enumerate(bookings):
        rows[k].update(direct_s=float(direct[k]), direct_m=float(direct_m[k]), walk_access_m=float(walk_a[k]),
                       walk_egress_m=float(walk_e[k]), walk_s=float(walk_s[k]))
        if b.time_type != "departure":
            reason[k] = "probes are departure bookings"
            ok[k] = False
    # the pickup window opens when the traveller reaches the stop (at the door: at once)
    t_stop = t_req + (opts.walk.time_s(walk_a) if opts.stop_based else 0.0)
    service = np.array([rules.service_time_s(b.passengers, b.wheelchair) for b in bookings])
    return _Points(rows, ok, reason, np.asarray(sp.node), np.asarray(sd.node), t_req, t_stop, walk_s,
                   np.asarray(direct, dtype=float), service, rules.pickup_window_s)


def _answer(pts: _Points, k: int, vehicle: str, board: float) -> None:
    """Mark probe ``k`` served by ``vehicle``, boarding at ``board`` (ride: the direct drive plus boarding)."""
    ride = float(pts.service[k] + pts.direct[k])
    pts.rows[k].update(
        status="served", vehicle_id=vehicle, board_time=board, alight_time=board + ride,
        wait_s=board - float(pts.t_stop[k]),
        in_vehicle_s=ride,
        door_to_door_s=board - float(pts.t_req[k]) + ride + float(pts.walk_s[k])
        - float(pts.t_stop[k] - pts.t_req[k]),
    )


def ondemand_availability(
    name: str,
    fleet: Any,
    opts: Any,
    bookings: Sequence[Booking],
    ctx: DayContext,
    *,
    hours: tuple[float, float] | None = None,
    hours_label: str = "outside the service hours",
) -> pd.DataFrame:
    """Answer departure probes of an on-demand service with free vehicles (see the module docstring).

    Parameters
    ----------
    name
        The model's name.
    fleet
        Its vehicles (for a Bürgerbus: one per rostered duty).
    opts
        Its :class:`~transit.opmodels.ondemand.OnDemandOptions`.
    bookings
        The probes.
    ctx
        The day (network, service rules).
    hours
        Service hours ``(open, close)``: a probe requested outside is not served.
    hours_label
        The reason given then.
    """
    pts = _probe_points(name, fleet, opts, bookings, ctx, hours=hours, hours_label=hours_label)
    if not bookings:
        return pd.DataFrame(pts.rows, columns=list(TRIP_COLUMNS))
    net = ctx.network
    vehicles = list(fleet.vehicles)
    depots = net.snap_distances(np.array([v.depot_lat for v in vehicles]),
                                np.array([v.depot_lon for v in vehicles])).node
    ends = net.snap_distances(np.array([v.end_point[0] for v in vehicles]),
                              np.array([v.end_point[1] for v in vehicles])).node
    t_dp = net.matrix(depots, pts.pickup_node)[0]  # vehicles x probes
    t_de = net.matrix(pts.dropoff_node, ends)[0]  # probes x vehicles
    start = np.array([v.shift_start for v in vehicles])[:, None]
    end = np.array([v.shift_end for v in vehicles])[:, None]
    seats = np.array([v.seats for v in vehicles])[:, None]
    wc = np.array([v.wheelchair for v in vehicles])[:, None]
    pax = np.array([b.passengers for b in bookings])[None, :]
    wheel = np.array([b.wheelchair for b in bookings])[None, :]
    pickup = np.maximum(pts.t_stop[None, :], start + t_dp)
    back = pickup + pts.service[None, :] + pts.direct[None, :] + pts.service[None, :] + t_de.T
    fits = (pax <= seats) & (wheel <= wc)
    feasible = (pickup <= pts.t_stop[None, :] + pts.window_s) & (back <= end) & fits & np.isfinite(back)
    for k in range(len(bookings)):
        if not pts.ok[k]:
            pts.rows[k]["reason"] = pts.reason[k]
            continue
        cand = np.flatnonzero(feasible[:, k])
        if cand.size == 0:
            pts.rows[k]["reason"] = "no vehicle on duty can reach the pickup in its window and finish in its shift"
            continue
        v = int(cand[np.argmin(pickup[cand, k])])
        _answer(pts, k, vehicles[v].id, float(pickup[v, k]))
    return pd.DataFrame(pts.rows, columns=list(TRIP_COLUMNS))


# --------------------------------------------------------------------------- the simulated day


#: The reason a probe gets when the simulated day's vehicles had no room for it.
NO_SPARE_VEHICLE = "no vehicle free on the simulated day (without delaying a booked passenger)"


def _gaps(stops: pd.DataFrame, vehicles: Sequence[Any], service_s: float) -> pd.DataFrame:
    """Return each vehicle's idle gaps on a simulated day: empty between two stops of its log.

    One row per gap: ``vehicle`` (index into ``vehicles``), ``lat, lon`` where
    the vehicle is, ``free`` (when it is done there: arrival plus one
    boarding at a pickup or drop-off, the end of a break), ``next_lat,
    next_lon`` and ``deadline`` (when it must be at its next stop: that
    stop's logged arrival; after its last stop: its home depot at the end of
    its shift).
    """
    index = {v.id: i for i, v in enumerate(vehicles)}
    out: list[dict[str, Any]] = []
    df = stops.assign(_seq=pd.to_numeric(stops["seq"], errors="coerce")).sort_values(["vehicle_id", "_seq"])
    for vid, g in df.groupby(df["vehicle_id"].astype(str), sort=True):
        if vid not in index or (g["kind"].astype(str) == "stop").any():
            continue
        v = vehicles[index[vid]]
        kinds = g["kind"].astype(str).to_numpy()
        lat = pd.to_numeric(g["lat"], errors="coerce").to_numpy()
        lon = pd.to_numeric(g["lon"], errors="coerce").to_numpy()
        arr = pd.to_numeric(g["arrival"], errors="coerce").to_numpy()
        dep = pd.to_numeric(g["departure"], errors="coerce").to_numpy()
        load = pd.to_numeric(g["load"], errors="coerce").fillna(0).to_numpy()
        for i in range(len(g)):
            if load[i] > 0:
                continue
            free = dep[i] if kinds[i] == "break" else arr[i] + (service_s if kinds[i] in ("pickup", "dropoff") else 0.0)
            if i + 1 < len(g):
                nxt = (lat[i + 1], lon[i + 1], arr[i + 1])
            else:
                nxt = (v.end_point[0], v.end_point[1], float(v.shift_end))
            out.append({"vehicle": index[vid], "lat": lat[i], "lon": lon[i], "free": free,
                        "next_lat": nxt[0], "next_lon": nxt[1], "deadline": nxt[2]})
    return pd.DataFrame(out, columns=["vehicle", "lat", "lon", "free", "next_lat", "next_lon", "deadline"])


def ondemand_spare_capacity(
    name: str,
    fleet: Any,
    opts: Any,
    bookings: Sequence[Booking],
    ctx: DayContext,
    stops: pd.DataFrame,
    *,
    hours: tuple[float, float] | None = None,
    hours_label: str = "outside the service hours",
) -> pd.DataFrame:
    """Answer departure probes with what the simulated day's vehicles had to spare.

    A probe is served when some vehicle, in a gap of its logged day in which
    it is empty (:func:`_gaps`), can drive to the probe's pickup, board it
    within the pickup window, take it straight to its drop-off and still
    reach its next logged stop by the time it reached it that day (or its
    depot by the end of its shift). Nobody booked is delayed and no ride is
    shared, so this is a lower bound of what one more traveller would have
    been offered; :func:`ondemand_availability` (free vehicles) is the upper
    bound. Parameters as :func:`ondemand_availability`, plus ``stops``, the
    vehicle log of one simulated day of this model.
    """
    pts = _probe_points(name, fleet, opts, bookings, ctx, hours=hours, hours_label=hours_label)
    if not bookings:
        return pd.DataFrame(pts.rows, columns=list(TRIP_COLUMNS))
    net = ctx.network
    vehicles = list(fleet.vehicles)
    gaps = _gaps(stops, vehicles, float(np.median(pts.service)) if len(pts.service) else 0.0)
    seats = np.array([v.seats for v in vehicles])
    wc = np.array([v.wheelchair for v in vehicles])
    if len(gaps):
        here = net.snap_distances(gaps["lat"].to_numpy(), gaps["lon"].to_numpy()).node
        there = net.snap_distances(gaps["next_lat"].to_numpy(), gaps["next_lon"].to_numpy()).node
        to_pick = net.matrix(here, pts.pickup_node)[0]  # gaps x probes
        from_drop = net.matrix(pts.dropoff_node, there)[0].T  # gaps x probes
        free = gaps["free"].to_numpy()[:, None]
        deadline = gaps["deadline"].to_numpy()[:, None]
        gv = gaps["vehicle"].to_numpy()
        pickup = np.maximum(pts.t_stop[None, :], free + to_pick)
        done = pickup + pts.service[None, :] + pts.direct[None, :] + pts.service[None, :] + from_drop
        pax = np.array([b.passengers for b in bookings])[None, :]
        wheel = np.array([b.wheelchair for b in bookings])[None, :]
        fits = (pax <= seats[gv][:, None]) & (wheel <= wc[gv][:, None])
        feasible = (pickup <= pts.t_stop[None, :] + pts.window_s) & (done <= deadline) & fits & np.isfinite(done)
    for k in range(len(bookings)):
        if not pts.ok[k]:
            pts.rows[k]["reason"] = pts.reason[k]
            continue
        cand = np.flatnonzero(feasible[:, k]) if len(gaps) else np.zeros(0, dtype=int)
        if cand.size == 0:
            pts.rows[k]["reason"] = NO_SPARE_VEHICLE
            continue
        g = int(cand[np.argmin(pickup[cand, k])])
        _answer(pts, k, vehicles[int(gv[g])].id, float(pickup[g, k]))
    return pd.DataFrame(pts.rows, columns=list(TRIP_COLUMNS))


def spare_capacity_trips(
    model: Any, bookings: Sequence[Booking], ctx: DayContext, stops: pd.DataFrame
) -> pd.DataFrame | None:
    """Return the trip log of probes answered with what one simulated day left over, or None if unknown.

    Timetabled models without a capacity limit (fixed lines; a Rufbus
    without a capacity, booked the evening before) offer the same on a busy
    day as on an empty one, so their answer is :func:`probe_trips`. The
    on-demand models and the Bürgerbus answer with
    :func:`ondemand_spare_capacity` on ``stops`` (the day's vehicle log).
    Other models (hybrid, AST, a Rufbus with a capacity) return None.
    """
    from transit.opmodels.buergerbus import BuergerbusModel
    from transit.opmodels.fixed_line import FixedLineModel
    from transit.opmodels.ondemand import OnDemandModel
    from transit.opmodels.rufbus import RufbusModel

    if isinstance(model, FixedLineModel) or (
        isinstance(model, RufbusModel) and model.rufbus.capacity is None and not model.rufbus.ast
    ):
        return probe_trips(model, bookings, ctx)
    if isinstance(model, OnDemandModel):
        return ondemand_spare_capacity(model.name, model.fleet, model.options, bookings, ctx, stops)
    if isinstance(model, BuergerbusModel):
        return ondemand_spare_capacity(
            model.name, model.fleet, model.options.ondemand, bookings, ctx, stops,
            hours=model.options.service_hours, hours_label="outside the Bürgerbus service hours",
        )
    return None
