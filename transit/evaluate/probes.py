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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from transit.sim.columns import TRIP_COLUMNS

if TYPE_CHECKING:
    from transit.demand.bookings import Booking
    from transit.opmodels.base import DayContext

__all__ = ["ondemand_availability", "probe_trips"]


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
    from transit.opmodels.ondemand import rules_for, service_stops
    from transit.road.travel import DEFAULT_MAX_SNAP_M
    from transit.road.walking import walk_matrix

    net = ctx.network
    rules = rules_for(opts.service, ctx, fleet)
    rows = [_row(name, b) for b in bookings]
    n = len(bookings)
    if n == 0:
        return pd.DataFrame(rows, columns=list(TRIP_COLUMNS))
    plat = np.array([b.pickup_lat for b in bookings], dtype=float)
    plon = np.array([b.pickup_lon for b in bookings], dtype=float)
    dlat = np.array([b.dropoff_lat for b in bookings], dtype=float)
    dlon = np.array([b.dropoff_lon for b in bookings], dtype=float)
    ok = np.ones(n, dtype=bool)
    reason = [""] * n
    if hours is not None:
        t = np.array([b.time for b in bookings], dtype=float)
        closed = (t < hours[0]) | (t > hours[1])
        for k in np.flatnonzero(closed):
            reason[k] = hours_label
        ok &= ~closed
    if opts.area is not None:
        inside = opts.area.contains(plat, plon) & opts.area.contains(dlat, dlon)
        for k in np.flatnonzero(~inside):
            reason[k] = "outside the service area"
        ok &= inside
    walk_a = np.zeros(n)
    walk_e = np.zeros(n)
    walk_s = np.zeros(n)
    if opts.stop_based:
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
    far = np.maximum(sp.distance_m, sd.distance_m) > DEFAULT_MAX_SNAP_M
    for k in np.flatnonzero(far & ok):
        reason[k] = f"more than {DEFAULT_MAX_SNAP_M:.0f} m from the nearest road"
    ok &= ~far
    vehicles = list(fleet.vehicles)
    depots = net.snap_distances(np.array([v.depot_lat for v in vehicles]),
                                np.array([v.depot_lon for v in vehicles])).node
    ends = net.snap_distances(np.array([v.end_point[0] for v in vehicles]),
                              np.array([v.end_point[1] for v in vehicles])).node
    up, ui = np.unique(sp.node, return_inverse=True)
    ud, di = np.unique(sd.node, return_inverse=True)
    t_dp = net.matrix(depots, up)[0][:, ui]  # vehicles x probes
    t_pd, m_pd = net.matrix(up, ud)
    direct = t_pd[ui, di]
    direct_m = m_pd[ui, di]
    t_de = net.matrix(ud, ends)[0][di, :]  # probes x vehicles
    start = np.array([v.shift_start for v in vehicles])[:, None]
    end = np.array([v.shift_end for v in vehicles])[:, None]
    seats = np.array([v.seats for v in vehicles])[:, None]
    wc = np.array([v.wheelchair for v in vehicles])[:, None]
    t_req = np.array([b.time for b in bookings], dtype=float)
    # the pickup window opens when the traveller reaches the stop (at the door: at once)
    t_stop = t_req + (opts.walk.time_s(walk_a) if opts.stop_based else 0.0)
    pax = np.array([b.passengers for b in bookings])[None, :]
    wheel = np.array([b.wheelchair for b in bookings])[None, :]
    service = np.array([rules.service_time_s(b.passengers, b.wheelchair) for b in bookings])
    reach = start + t_dp
    pickup = np.maximum(t_stop[None, :], reach)
    back = pickup + service[None, :] + direct[None, :] + service[None, :] + t_de.T
    fits = (pax <= seats) & (wheel <= wc)
    feasible = (pickup <= t_stop[None, :] + rules.pickup_window_s) & (back <= end) & fits & np.isfinite(back)
    for k, b in enumerate(bookings):
        row = rows[k]
        row.update(direct_s=float(direct[k]), direct_m=float(direct_m[k]), walk_access_m=float(walk_a[k]),
                   walk_egress_m=float(walk_e[k]), walk_s=float(walk_s[k]))
        if b.time_type != "departure":
            row["reason"] = "probes are departure bookings"
            continue
        if not ok[k]:
            row["reason"] = reason[k]
            continue
        cand = np.flatnonzero(feasible[:, k])
        if cand.size == 0:
            row["reason"] = "no vehicle on duty can reach the pickup in its window and finish in its shift"
            continue
        v = int(cand[np.argmin(pickup[cand, k])])
        board = float(pickup[v, k])
        ride = float(service[k] + direct[k])
        row.update(
            status="served", vehicle_id=vehicles[v].id, board_time=board, alight_time=board + ride,
            wait_s=board - float(t_stop[k]), in_vehicle_s=ride,
            door_to_door_s=board - float(t_req[k]) + ride + float(walk_s[k]) - float(t_stop[k] - t_req[k]),
        )
    return pd.DataFrame(rows, columns=list(TRIP_COLUMNS))
