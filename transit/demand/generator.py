"""Generate a day of bookings from zones, population groups, destinations and trip purposes.

For every zone, population group and purpose the number of tours is Poisson
with mean ``residents * share(group) * params.tour_rate(group, purpose)``. A
tour picks its destination with the gravity model on travel time, an arrival
time at the activity (one of the purpose's fixed times, e.g. a shift start
or a train, or from its daily profile), a home point around the zone centre
(snapped to the nearest road node), a group size, a wheelchair need and a
booking lead time; it gives an outbound booking and, with ``return_share``,
a return booking after the activity. Trips shorter than ``min_trip_m`` are
walked and left out; tours that would start before midnight or return after
the end of the day lose that leg.

On school days pupils go to school (:func:`school_bookings`): the pupils of
a zone ride together to the nearest school of their level (the catchment)
for the first lesson and back at the bell times, one booking per zone,
school and time, if the school is beyond walking distance.

The same region, parameters and generator state give the same bookings.
"""

from __future__ import annotations

import dataclasses
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
from transit.demand.zones import Zone
from transit.util.progress import Progress, report

__all__ = [
    "GeneratedDemand",
    "TripInfo",
    "generate_bookings",
    "generate_demand",
    "home_spread_m",
    "school_bookings",
    "write_trip_info",
    "zone_group_shares",
]

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
    group
        The travellers' population group (``pupil``, ``senior``, ...).
    """

    request_id: str
    home_zone: str
    purpose: str
    leg: str
    destination: str
    group: str = ""


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


def home_spread_m(params: DemandParams, place: str, population: float) -> float:
    """Return the standard deviation (m) of home locations around a zone's centre."""
    if place in _TOWN_CLASSES or population >= 2000:
        return params.town_spread_m * math.sqrt(max(population, 2000.0) / 10_000.0)
    return params.village_spread_m


def zone_group_shares(zone: Zone, params: DemandParams) -> dict[str, float]:
    """Return the share of ``zone``'s residents in each population group.

    Shares the zone gives (a zones CSV) are kept; the other groups share the
    rest in proportion to their default shares.
    """
    given = dict(zone.group_shares)
    rest = max(0.0, 1.0 - sum(given.values()))
    default_rest = sum(g.share for g in params.groups if g.name not in given)
    out = {}
    for g in params.groups:
        if g.name in given:
            out[g.name] = given[g.name]
        else:
            out[g.name] = g.share * rest / default_rest if default_rest > 0 else 0.0
    return out


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
                np.array([home_spread_m(params, z.place, z.population) for z in zones]),
            )
            continue
        idx = [k for k, d in enumerate(dests) if d.category in p.destinations]
        if not idx:
            if any(g.rate(p.name) > 0 for g in params.groups):
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


def _activity_time(p: Purpose, rng: np.random.Generator) -> float:
    """Draw when the passenger wants to arrive at the activity (seconds)."""
    if p.fixed_share > 0 and rng.random() < p.fixed_share:
        k = int(rng.choice(len(p.fixed_times), p=p.fixed_probabilities))
        return float(p.fixed_times[k][0])
    return float(rng.choice(24, p=p.hour_probabilities)) * 3600.0 + float(rng.uniform(0.0, 3600.0))


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
        Groups, rates, profiles, school rules and booking behaviour.
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
    tours: list[dict] = []
    n_zones = len(region.zones)
    for zi, z in enumerate(region.zones):
        report(progress, zi, n_zones + 1, f"zone {z.name}")
        shares = zone_group_shares(z, params)
        for g in params.groups:
            for p in params.purposes:
                ch = choices[p.name]
                mean = z.population * shares[g.name] * params.tour_rate(g, p)
                if ch is None or mean <= 0:
                    continue
                n = int(rng.poisson(mean))
                probs = ch.probs[zi]
                if n == 0 or probs.sum() <= 0:
                    continue
                for _ in range(n):
                    tours.append(_tour(zi, z, g.name, p, ch, probs, params, rng))
    school = school_bookings(region, params, rng) if params.is_school_day else []
    report(progress, n_zones, n_zones + 1, "travel times")
    demand = _bookings_from_tours(region, params, tours, school)
    report(progress, n_zones + 1, n_zones + 1, f"{len(demand.bookings)} bookings")
    return demand


def _tour(
    zi: int, z: Zone, group: str, p: Purpose, ch: _Choice, probs: np.ndarray, params: DemandParams,
    rng: np.random.Generator,
) -> dict:
    """Draw one tour of purpose ``p`` from zone ``z``."""
    group_p = np.asarray(params.group_size, dtype=float)
    group_p = group_p / group_p.sum()
    j = int(rng.choice(len(probs), p=probs))
    t_act = _activity_time(p, rng)
    hx, hy = rng.normal(0.0, home_spread_m(params, z.place, z.population), size=2)
    dx, dy = rng.normal(0.0, 1.0, size=2) * ch.spread_m[j]
    return {
        "zone": zi,
        "group": group,
        "purpose": p,
        "dest_name": ch.names[j],
        "home": offset_deg(z.lat, z.lon, float(hx), float(hy)),
        "dest": offset_deg(float(ch.lat[j]), float(ch.lon[j]), float(dx), float(dy)),
        "t_act": t_act,
        "arrival": bool(rng.random() < p.arrival_share),
        "duration_h": max(0.25, float(rng.normal(*p.duration_h))),
        "group_size": int(rng.choice(len(group_p), p=group_p)) + 1,
        "wheelchair": int(rng.random() < params.wheelchair_share),
        "lead_kind": int(rng.choice(3, p=params.lead.shares)),
        "lead_u": float(rng.random()),
        "ret": bool(rng.random() < params.return_share),
        "ret_with": bool(rng.random() < params.lead.return_with_outbound),
        "ret_u": float(rng.random()),
    }


# --------------------------------------------------------------------------- school traffic


_PRIMARY = ("primary_school", "school")
_SECONDARY = ("secondary_school", "school")


def _catchment(region: DemandRegion, zi: int, categories: tuple[str, ...]) -> list[int]:
    """Return the schools of zone ``zi``'s catchment for a level.

    The nearest school by road, and every other school of that level at most
    5 minutes farther (pupils share them: e.g. the Gymnasium and the
    Sekundarschule of the same town).
    """
    idx = [k for k, d in enumerate(region.destinations) if d.category in categories]
    if not idx:
        return []
    t = region.zone_to_dest_s[zi, idx]
    if not np.isfinite(t).any():
        return []
    best = float(np.min(t))
    return [k for k, tt in zip(idx, t) if tt <= best + 300.0]


def _split(n: int, cap: int) -> list[int]:
    parts = -(-n // cap)
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)] if n > 0 else []


def school_bookings(
    region: DemandRegion, params: DemandParams, rng: np.random.Generator
) -> list[tuple[Booking, TripInfo]]:
    """Return the school trips of a school day (ids not yet set).

    The pupils of each zone (residents x the ``pupil`` share) are split into
    primary and secondary pupils; each level goes to its catchment schools
    (:func:`_catchment`). Pupils whose school lies within
    ``school.walk_km`` of the zone centre walk; of the others, those at
    school (``attendance``) who ride the bus (``bus_share``) make one
    booking per zone, school and bell time: an arrival booking for the first
    lesson and departure bookings 10 minutes after each closing bell, from
    and to the zone centre's road node, booked the day before.
    """
    from transit.util.geo import great_circle_m

    s = params.school
    try:
        pupil = params.group("pupil")
    except KeyError:
        return []
    out: list[tuple[Booking, TripInfo]] = []
    net = region.network
    booked = -DAY + params.lead.day_before_window_s[0]
    for zi, z in enumerate(region.zones):
        share = zone_group_shares(z, params).get(pupil.name, 0.0)
        pupils = z.population * share * params.scale
        node = int(region.zone_node[zi])
        home = (round(float(net.lat[node]), 7), round(float(net.lon[node]), 7))
        for level, frac, cats, ends in (
            ("primary", s.primary_share, _PRIMARY, s.end_primary),
            ("secondary", 1.0 - s.primary_share, _SECONDARY, s.end_secondary),
        ):
            schools = _catchment(region, zi, cats)
            if not schools:
                continue
            for k in schools:
                d = region.destinations[k]
                if great_circle_m(z.lat, z.lon, d.lat, d.lon) <= s.walk_km * 1000.0:
                    continue
                n = int(rng.binomial(int(round(pupils * frac / len(schools))), s.attendance * s.bus_share))
                dn = int(region.dest_node[k])
                if n == 0 or dn == node:
                    continue
                dest = (round(float(net.lat[dn]), 7), round(float(net.lon[dn]), 7))
                info = dict(home_zone=z.name, purpose="school", destination=d.name or d.category, group=pupil.name)
                for m in _split(n, s.max_group):
                    out.append((Booking("", *home, *dest, s.start_s, "arrival", m, 0, booked),
                                TripInfo("", leg="outbound", **info)))
                w = np.array([x for _, x in ends], dtype=float)
                for (t_end, _), m_end in zip(ends, rng.multinomial(n, w / w.sum())):
                    for m in _split(int(m_end), s.max_group):
                        out.append((Booking("", *dest, *home, t_end + 600.0, "departure", m, 0, booked),
                                    TripInfo("", leg="return", **info)))
    return out


def _bookings_from_tours(
    region: DemandRegion,
    params: DemandParams,
    tours: list[dict],
    fixed: list[tuple[Booking, TripInfo]] | None = None,
) -> GeneratedDemand:
    rows: list[tuple[float, int, int, Booking, TripInfo]] = [
        (b.time, -1, k, b, info) for k, (b, info) in enumerate(fixed or [])
    ]
    if tours:
        rows += _tour_rows(region, params, tours)
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    bookings, trips = [], []
    for n, (_t, _z, _k, b, info) in enumerate(rows, start=1):
        rid = f"r{n:05d}"
        bookings.append(Booking(rid, b.pickup_lat, b.pickup_lon, b.dropoff_lat, b.dropoff_lon, b.time,
                                b.time_type, b.passengers, b.wheelchair, b.booked_at))
        trips.append(dataclasses.replace(info, request_id=rid))
    return GeneratedDemand(tuple(bookings), tuple(trips))


def _tour_rows(
    region: DemandRegion, params: DemandParams, tours: list[dict]
) -> list[tuple[float, int, int, Booking, TripInfo]]:
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
            (time, t["zone"], 2 * k,
             Booking("", h[0], h[1], d[0], d[1], time, ttype, t["group_size"], t["wheelchair"], booked),
             TripInfo("", zone_name, p.name, "outbound", t["dest_name"], t["group"]))
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
             Booking("", d[0], d[1], h[0], h[1], ret_time, "departure", t["group_size"], t["wheelchair"], ret_booked),
             TripInfo("", zone_name, p.name, "return", t["dest_name"], t["group"]))
        )
    return rows


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
    """Write the trip information as CSV (``request_id, home_zone, purpose, leg, destination, group``), atomically."""
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(["request_id", "home_zone", "purpose", "leg", "destination", "group"])
    for t in trips:
        w.writerow([t.request_id, t.home_zone, t.purpose, t.leg, t.destination, t.group])
    atomic_write_text(path, buf.getvalue())
