"""Generate a day of bookings from zones, destinations and trip purposes.

For every zone and purpose the number of tours is Poisson with mean
``population * params.tour_rate(purpose)``. A tour picks its destination with
the gravity model on travel time, an arrival time at the activity from the
purpose's daily profile, a home point around the zone centre (snapped to the
nearest road node), a group size, a wheelchair need and a booking lead time;
it gives an outbound booking and, with ``return_share``, a return booking
after the activity. Trips shorter than ``min_trip_m`` are walked and left
out; tours that would start before midnight or return after the end of the
day lose that leg.

The same region, parameters and generator state give the same bookings.
"""

from __future__ import annotations

import io
import logging
import math
import os
from dataclasses import dataclass

import numpy as np

from transit.util.geo import offset_deg
from transit.util.atomic import atomic_write_text
from transit.util.csvsafe import csv_writer
from transit.demand.bookings import Booking
from transit.demand.gravity import gravity_probabilities
from transit.demand.params import DemandParams, Purpose
from transit.demand.region import DemandRegion
from transit.util.progress import Progress, report

__all__ = ["GeneratedDemand", "TripInfo", "generate_bookings", "generate_demand", "write_trip_info"]

log = logging.getLogger(__name__)

DAY = 86_400.0
_BUFFER_S = 600.0  # a departure booking leaves this much slack before the activity
_TOWN_CLASSES = ("town", "city")


@dataclass(frozen=True, slots=True)
class TripInfo:
    """What the generator knows about a booking beyond the bookings file.

    Parameters
    ----------
    request_id
        The booking's id.
    home_zone
        Name of the zone the passengers live in.
    purpose
        Trip purpose.
    leg
        ``"outbound"`` (home to activity) or ``"return"``.
    destination
        Name of the destination (a service or a zone).
    """

    request_id: str
    home_zone: str
    purpose: str
    leg: str
    destination: str


@dataclass(frozen=True)
class GeneratedDemand:
    """Generated bookings with their trip information, in the same order."""

    bookings: tuple[Booking, ...]
    trips: tuple[TripInfo, ...]


@dataclass
class _Choice:
    """Destination choice set of one purpose."""

    names: list[str]
    probs: np.ndarray  # (zones, candidates)
    lat: np.ndarray
    lon: np.ndarray
    spread_m: np.ndarray  # 0 for a service, > 0 for a zone (points spread around it)


def _spread(params: DemandParams, place: str, population: float) -> float:
    if place in _TOWN_CLASSES or population >= 2000:
        return params.town_spread_m * math.sqrt(max(population, 2000.0) / 10_000.0)
    return params.village_spread_m


def _choice_sets(region: DemandRegion, params: DemandParams) -> dict[str, _Choice | None]:
    zones, dests = region.zones, region.destinations
    out: dict[str, _Choice | None] = {}
    for p in params.purposes:
        if p.destinations == ("zones",):
            w = np.array([z.population * (2.0 if z.place in _TOWN_CLASSES else 1.0) for z in zones])
            out[p.name] = _Choice(
                [z.name for z in zones],
                gravity_probabilities(region.zone_to_zone_s, w, p.beta_per_min),
                np.array([z.lat for z in zones]),
                np.array([z.lon for z in zones]),
                np.array([_spread(params, z.place, z.population) for z in zones]),
            )
            continue
        idx = [k for k, d in enumerate(dests) if d.category in p.destinations]
        if not idx:
            log.warning("no destination for purpose %r (categories %s); no such trips", p.name, ", ".join(p.destinations))
            out[p.name] = None
            continue
        w = np.array([dests[k].weight for k in idx])
        out[p.name] = _Choice(
            [dests[k].name or dests[k].category for k in idx],
            gravity_probabilities(region.zone_to_dest_s[:, idx], w, p.beta_per_min),
            np.array([dests[k].lat for k in idx]),
            np.array([dests[k].lon for k in idx]),
            np.zeros(len(idx)),
        )
    return out




def generate_demand(
    region: DemandRegion,
    params: DemandParams,
    rng: np.random.Generator | int,
    *,
    progress: Progress | None = None,
) -> GeneratedDemand:
    """Generate one day of bookings with trip information.

    Parameters
    ----------
    region
        Network, zones and destinations (build once, reuse for many seeds).
    params
        Rates, profiles and booking behaviour.
    rng
        A numpy Generator, or an int seed for one.
    progress
        Progress callback (per zone).

    Returns
    -------
    GeneratedDemand
        Bookings sorted by requested time, ids ``r00001``, ``r00002``, ...
    """
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    choices = _choice_sets(region, params)
    group_p = np.asarray(params.group_size, dtype=float)
    group_p = group_p / group_p.sum()
    lead_p = params.lead.shares
    tours: list[dict] = []
    n_zones = len(region.zones)
    for zi, z in enumerate(region.zones):
        report(progress, zi, n_zones + 1, f"zone {z.name}")
        home_spread = _spread(params, z.place, z.population)
        for p in params.purposes:
            ch = choices[p.name]
            n = int(rng.poisson(z.population * params.tour_rate(p)))
            if ch is None or n == 0:
                continue
            probs = ch.probs[zi]
            if probs.sum() <= 0:
                continue
            hour_p = p.hour_probabilities
            for _ in range(n):
                j = int(rng.choice(len(probs), p=probs))
                t_act = float(rng.choice(24, p=hour_p)) * 3600.0 + float(rng.uniform(0.0, 3600.0))
                hx, hy = rng.normal(0.0, home_spread, size=2)
                dx, dy = rng.normal(0.0, 1.0, size=2) * ch.spread_m[j]
                tours.append(
                    {
                        "zone": zi,
                        "purpose": p,
                        "dest_name": ch.names[j],
                        "home": offset_deg(z.lat, z.lon, float(hx), float(hy)),
                        "dest": offset_deg(float(ch.lat[j]), float(ch.lon[j]), float(dx), float(dy)),
                        "t_act": t_act,
                        "arrival": bool(rng.random() < p.arrival_share),
                        "duration_h": max(0.25, float(rng.normal(*p.duration_h))),
                        "group": int(rng.choice(len(group_p), p=group_p)) + 1,
                        "wheelchair": int(rng.random() < params.wheelchair_share),
                        "lead_kind": int(rng.choice(3, p=lead_p)),
                        "lead_u": float(rng.random()),
                        "ret": bool(rng.random() < params.return_share),
                        "ret_with": bool(rng.random() < params.lead.return_with_outbound),
                        "ret_u": float(rng.random()),
                    }
                )
    report(progress, n_zones, n_zones + 1, "travel times")
    demand = _bookings_from_tours(region, params, tours)
    report(progress, n_zones + 1, n_zones + 1, f"{len(demand.bookings)} bookings")
    return demand


def _bookings_from_tours(region: DemandRegion, params: DemandParams, tours: list[dict]) -> GeneratedDemand:
    if not tours:
        return GeneratedDemand((), ())
    net = region.network
    home_lat = np.array([t["home"][0] for t in tours])
    home_lon = np.array([t["home"][1] for t in tours])
    dest_lat = np.array([t["dest"][0] for t in tours])
    dest_lon = np.array([t["dest"][1] for t in tours])
    hn, _ = region.locator.nearest(home_lat, home_lon)
    dn, _ = region.locator.nearest(dest_lat, dest_lon)
    uh, hi = np.unique(hn, return_inverse=True)
    ud, di = np.unique(dn, return_inverse=True)
    t_out, _ = net.matrix(uh, ud)
    t_back, _ = net.matrix(ud, uh)
    xy_h = region.locator.xy(net.lat[hn], net.lon[hn])
    xy_d = region.locator.xy(net.lat[dn], net.lon[dn])
    straight = np.hypot(*(xy_h - xy_d).T)
    R = params.round_minutes * 60.0
    lt = params.lead
    rows: list[tuple[float, int, int, Booking, TripInfo]] = []
    for k, t in enumerate(tours):
        if hn[k] == dn[k] or straight[k] < params.min_trip_m:
            continue
        direct = float(t_out[hi[k], di[k]])
        back = float(t_back[di[k], hi[k]])
        if not (math.isfinite(direct) and math.isfinite(back)):
            continue
        p: Purpose = t["purpose"]
        if t["arrival"]:
            time = math.floor(t["t_act"] / R) * R
            pickup_ref = time - direct
            ttype = "arrival"
        else:
            time = math.floor((t["t_act"] - direct - _BUFFER_S) / R) * R
            pickup_ref = time
            ttype = "departure"
        if pickup_ref < 0:
            continue
        kind, u = t["lead_kind"], t["lead_u"]
        if kind == 0:
            lo, hi_ = lt.day_before_window_s
            booked = -DAY + lo + u * (hi_ - lo)
        else:
            lo, hi_ = lt.short_notice_min if kind == 1 else lt.immediate_min
            booked = pickup_ref - (lo + u * (hi_ - lo)) * 60.0
        booked = min(math.floor(booked / 60.0) * 60.0, time)
        home_node, dest_node = int(hn[k]), int(dn[k])
        h = (round(float(net.lat[home_node]), 7), round(float(net.lon[home_node]), 7))
        d = (round(float(net.lat[dest_node]), 7), round(float(net.lon[dest_node]), 7))
        zone_name = region.zones[t["zone"]].name
        rows.append(
            (time, t["zone"], 2 * k, Booking("", h[0], h[1], d[0], d[1], time, ttype, t["group"], t["wheelchair"], booked),
             TripInfo("", zone_name, p.name, "outbound", t["dest_name"]))
        )
        if not t["ret"]:
            continue
        activity_start = time if ttype == "arrival" else time + direct
        ret_time = math.ceil((max(t["t_act"], activity_start) + t["duration_h"] * 3600.0) / R) * R
        if ret_time + back > DAY - 60.0:
            continue
        if t["ret_with"]:
            ret_booked = booked
        else:
            start = max(activity_start, booked)
            ret_booked = math.floor((start + t["ret_u"] * max(0.0, ret_time - 300.0 - start)) / 60.0) * 60.0
        ret_booked = min(ret_booked, ret_time)
        rows.append(
            (ret_time, t["zone"], 2 * k + 1,
             Booking("", d[0], d[1], h[0], h[1], ret_time, "departure", t["group"], t["wheelchair"], ret_booked),
             TripInfo("", zone_name, p.name, "return", t["dest_name"]))
        )
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    bookings, trips = [], []
    for n, (_t, _z, _k, b, info) in enumerate(rows, start=1):
        rid = f"r{n:05d}"
        bookings.append(Booking(rid, b.pickup_lat, b.pickup_lon, b.dropoff_lat, b.dropoff_lon, b.time,
                                b.time_type, b.passengers, b.wheelchair, b.booked_at))
        trips.append(TripInfo(rid, info.home_zone, info.purpose, info.leg, info.destination))
    return GeneratedDemand(tuple(bookings), tuple(trips))


def generate_bookings(
    region: DemandRegion,
    params: DemandParams,
    rng: np.random.Generator | int,
    *,
    progress: Progress | None = None,
) -> list[Booking]:
    """Generate one day of bookings (see :func:`generate_demand`)."""
    return list(generate_demand(region, params, rng, progress=progress).bookings)


def write_trip_info(trips: tuple[TripInfo, ...] | list[TripInfo], path: str | os.PathLike[str]) -> None:
    """Write the trip information as CSV (``request_id, home_zone, purpose, leg, destination``), atomically."""
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(["request_id", "home_zone", "purpose", "leg", "destination"])
    for t in trips:
        w.writerow([t.request_id, t.home_zone, t.purpose, t.leg, t.destination])
    atomic_write_text(path, buf.getvalue())
