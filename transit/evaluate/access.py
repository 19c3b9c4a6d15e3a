"""Access to services of general interest, per village and operating model.

The planners' questions behind this table: can people from each village reach
the middle-order centre's services (doctor, Jobcenter, railway station), how
long does it take, how early can they be there, how late can they come back,
and in how many hours of the day is a trip possible at all?

What is measured, and how
-------------------------
Two kinds of figures stand side by side: what the **simulated days**
actually gave the residents (with the vehicles busy with everyone else's
trips, so a model with too few vehicles shows it), and what the service
**offers** a traveller who is alone (the timetable, or free vehicles).

From the simulated days:

``requests``, ``served``, ``served_share``, ``served_per_day``
    From the comparison's trip logs: the bookings of residents of the village
    (the trip log's ``home_zone``, known when the demand generator made the
    bookings), pooled over all seeds, the share of them served, and the mean
    number served per day. With a bookings file (no home zones) these are
    empty. :func:`served_by_group` splits them by population group (the trip
    log's ``group`` column, when the demand has one) and trip purpose
    (``access_groups.csv``).
``hours_to_centre_day``, ``hours_from_centre_day``
    The hourly probes (below) answered with what each simulated day's
    vehicles had to spare (:func:`transit.evaluate.probes.spare_capacity_trips`:
    an empty vehicle that can fit the trip in without delaying anyone
    booked), averaged over the seeds. For timetabled models without a
    capacity limit (fixed line, Rufbus) this equals the offer; NaN for models
    the spare capacity cannot be read for (hybrid, AST, a Rufbus with a
    capacity).

All other figures come from **probes**: synthetic journeys sent through each
model exactly as bookings are, but on their own, so that they measure what the
service offers and not how busy it happens to be. For every village and every
full hour from ``first_hour`` to ``last_hour`` (scenario ``[access]``):

- an *outbound* probe leaves the village's centre point at the full hour
  towards each destination: the middle-order centre (its centre point), the
  nearest doctor (by car travel time), the nearest Jobcenter and the nearest
  railway station;
- a *return* probe leaves the middle-order centre at the full hour towards
  the village.

Probes are departure bookings of one passenger, booked the evening before
(so booking lead times never prevent them), each answered as if the
traveller were alone: what the service *offers*, not how busy it happens to
be (that is in the served shares and the KPIs). A model with a method
``probe(bookings, ctx)`` answers them itself; the on-demand models answer
with their service availability with free vehicles (area, stops, shifts,
pickup window; :mod:`transit.evaluate.probes`); fixed lines (whose buses have no
capacity limit and whose passengers choose independently) run all probes in
one day; any other model runs them as days of their own, one day per village
(a hundred bookings spread over the day from and to one village, which
vehicles can pool, so they hardly compete for vehicles). Probes do not depend on the demand
seed; they are run once per model.

From the probes, per village:

``d2d_<destination>_min``
    The typical (median) door-to-door time of the outbound probes served in
    that hour, i.e. with at most ``max_wait_min`` between the full hour and
    boarding. Door to door is counted from the full hour (the time the
    traveller wanted to leave), so it includes waiting for a bus at home.
``earliest_arrival_centre``
    The earliest arrival at the centre of any outbound centre probe.
``latest_return``
    The latest departure from the centre (boarding time) of a return probe
    that brings the traveller home.
``hours_to_centre``, ``hours_from_centre``
    The number of full hours in which a trip to (from) the centre is possible
    (a probe served with at most ``max_wait_min`` of waiting).

``why_<destination>``
    Why a ``d2d_<destination>_min`` cell is empty: ``walkable (N m)`` (the
    destination lies within the walking limit of the village's centre
    point, :mod:`transit.road.walking`), ``no service: <reason>`` (no probe
    can be served at any hour for a reason of place: no stop within walking
    reach, outside the service area, ...), or ``not reachable: <reason>``
    (service exists, but not within ``max_wait_min`` of any full hour; the
    most frequent reason given). Empty when the cell has a value.

Times of day are seconds since midnight in the ``*_s`` columns and ``HH:MM``
text in the columns without the suffix.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from transit.util.progress import Progress, report

if TYPE_CHECKING:
    from transit.demand.bookings import Booking
    from transit.demand import DemandRegion
    from transit.opmodels.base import DayContext, OperatingModel

__all__ = [
    "ACCESS_COLUMNS",
    "PROBE_COLUMNS",
    "TARGETS",
    "AccessRegion",
    "access_from_probes",
    "access_region",
    "access_on_days",
    "access_table",
    "probe_bookings",
    "probe_plan",
    "run_probes",
    "served_by_group",
    "served_shares",
    "why_empty",
]

log = logging.getLogger(__name__)

#: The destinations access is measured to.
TARGETS: tuple[str, ...] = ("centre", "doctor", "jobcenter", "station")

#: Destination categories (:mod:`transit.demand.destinations`) per target.
_TARGET_CATEGORIES: dict[str, tuple[str, ...]] = {
    "doctor": ("doctor",),
    "jobcenter": ("jobcenter",),
    "station": ("station",),
}

#: Columns of the probe plan.
PROBE_COLUMNS: tuple[str, ...] = (
    "probe_id",
    "village",
    "target",
    "target_name",
    "direction",
    "batch",
    "origin_lat",
    "origin_lon",
    "dest_lat",
    "dest_lon",
    "time",
    "walk_m",
)

#: Columns of the access table (``access.csv``).
ACCESS_COLUMNS: tuple[str, ...] = (
    "model",
    "village",
    "kind",
    "population",
    "lat",
    "lon",
    "requests",
    "served",
    "served_share",
    "served_per_day",
    "d2d_centre_min",
    "d2d_doctor_min",
    "d2d_jobcenter_min",
    "d2d_station_min",
    "earliest_arrival_centre",
    "earliest_arrival_centre_s",
    "latest_return",
    "latest_return_s",
    "hours_to_centre",
    "hours_from_centre",
    "hours_to_centre_day",
    "hours_from_centre_day",
    "why_centre",
    "why_doctor",
    "why_jobcenter",
    "why_station",
)

#: Columns of :func:`served_by_group` (``access_groups.csv``).
GROUP_COLUMNS: tuple[str, ...] = ("model", "village", "group", "purpose", "requests", "served", "served_share")

#: Parts of rejection reasons that are about the place, not the time: a probe rejected for one of
#: them at every hour has no service (rather than no service in time).
NO_SERVICE_REASONS: tuple[str, ...] = (
    "no stop within",
    "outside the service area",
    "outside the feeder area",
    "from the nearest road",
    "share the same stop",
    "no bus line",
    "no line",
    "beyond walking reach",
)

_BOOKED_BEFORE_S = 12 * 3600.0


@dataclass(frozen=True)
class AccessRegion:
    """The villages and the destinations access is measured to.

    Attributes
    ----------
    centre
        Name of the middle-order centre.
    villages
        One row per village (every zone except the centre): ``name, kind,
        population, lat, lon``.
    targets
        One row per village and target: ``village, target, name, lat, lon,
        walk_m`` (the centre's point, the nearest doctor, ...; ``walk_m``:
        the walk from the village's centre point, ``inf`` beyond the walking
        limit). A target the region lacks (e.g. no station) has no row.
    """

    centre: str
    villages: pd.DataFrame
    targets: pd.DataFrame


def _centre_index(zones: Sequence[Any], centre: str | None) -> int:
    from transit.errors import InputError

    if centre is not None:
        for i, z in enumerate(zones):
            if z.name == centre:
                return i
        names = ", ".join(sorted(z.name for z in zones if z.place in ("town", "city"))) or "none"
        msg = f"no place named {centre!r} in the region (towns: {names})"
        raise InputError(msg, column="access.centre")
    towns = [i for i, z in enumerate(zones) if z.place in ("city", "town")]
    pool = towns or list(range(len(zones)))
    return max(pool, key=lambda i: (zones[i].population, -i))


def _unique_names(names: Sequence[str]) -> list[str]:
    """Return the names with later repeats numbered: ``Au``, ``Au (2)``, ... (real OSM data repeats names)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0) + 1
        seen[n] = k
        out.append(n if k == 1 else f"{n} ({k})")
    return out


def access_region(region: DemandRegion, *, centre: str | None = None) -> AccessRegion:
    """Pick the villages, the centre and each village's nearest destinations.

    Parameters
    ----------
    region
        The demand region (zones, destinations and car travel times between
        them, :class:`transit.demand.DemandRegion`).
    centre
        Name of the middle-order centre; default the most populous town.

    Notes
    -----
    Places that share a name (real OSM data has them) are numbered in zone
    order (``Au``, ``Au (2)``); the residents' served share, which the trip
    log knows only by name, is shown for the first of them.

    Raises
    ------
    InputError
        If ``centre`` names no zone of the region.
    """
    zones = list(region.zones)
    ci = _centre_index(zones, centre)
    c = zones[ci]
    names = _unique_names([z.name for z in zones])
    kinds = {"city": "town", "town": "town"}
    villages = pd.DataFrame(
        [
            {"name": names[i], "kind": kinds.get(z.place, "village"), "population": float(z.population),
             "lat": float(z.lat), "lon": float(z.lon)}
            for i, z in enumerate(zones)
            if i != ci
        ],
        columns=["name", "kind", "population", "lat", "lon"],
    )
    rows = []
    cats = np.array([d.category for d in region.destinations], dtype=object)
    t = np.asarray(region.zone_to_dest_s, dtype=float)
    for i, z in enumerate(zones):
        if i == ci:
            continue
        v = names[i]
        rows.append({"village": v, "target": "centre", "name": c.name, "lat": float(c.lat), "lon": float(c.lon)})
        for target, wanted in _TARGET_CATEGORIES.items():
            idx = np.flatnonzero(np.isin(cats, wanted)) if len(cats) else np.zeros(0, dtype=int)
            if idx.size == 0:
                continue
            times = t[i, idx]
            if not np.isfinite(times).any():
                continue
            j = int(idx[int(np.nanargmin(np.where(np.isfinite(times), times, np.inf)))])
            d = region.destinations[j]
            rows.append({"village": v, "target": target, "name": d.name, "lat": float(d.lat), "lon": float(d.lon)})
    targets = pd.DataFrame(rows, columns=["village", "target", "name", "lat", "lon"])
    targets["walk_m"] = _walks(region, villages, targets)
    return AccessRegion(centre=c.name, villages=villages, targets=targets)


def _walks(region: Any, villages: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    """Return the walk from each target's village centre point to the target (``inf`` beyond the limit)."""
    from transit.road.walking import WalkParams, walk_matrix

    if targets.empty:
        return np.zeros(0)
    vill = villages.set_index("name")
    net = getattr(region, "network", None)
    out = np.full(len(targets), math.inf)
    for village, idx in targets.groupby("village", sort=False).indices.items():
        t = targets.iloc[idx]
        out[idx] = walk_matrix(np.array([float(vill.at[village, "lat"])]), np.array([float(vill.at[village, "lon"])]),
                               t["lat"].to_numpy(dtype=float), t["lon"].to_numpy(dtype=float), WalkParams(),
                               network=net)[0]
    return out


def probe_plan(
    region: AccessRegion,
    *,
    first_hour: int = 5,
    last_hour: int = 23,
    targets: Sequence[str] = TARGETS,
) -> pd.DataFrame:
    """Return the probe journeys: outbound to each target and back from the centre, every hour.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROBE_COLUMNS`; ``direction`` is ``out`` or ``back``,
        ``batch`` groups the probes run as one day (one village's probes,
        both directions), ``time`` is the departure time in seconds.
    """
    hours = range(int(first_hour), int(last_hour) + 1)
    vill = region.villages.set_index("name")
    rows = []
    for v_idx, village in enumerate(region.villages["name"]):
        vlat, vlon = float(vill.at[village, "lat"]), float(vill.at[village, "lon"])
        tv = region.targets[region.targets["village"] == village].set_index("target")
        for target in targets:
            if target not in tv.index:
                continue
            tr = tv.loc[target]
            for h in hours:
                rows.append(
                    {
                        "probe_id": f"probe-{v_idx:03d}-{target}-{h:02d}",
                        "village": village,
                        "target": target,
                        "target_name": str(tr["name"]),
                        "direction": "out",
                        "batch": village,
                        "origin_lat": vlat,
                        "origin_lon": vlon,
                        "dest_lat": float(tr["lat"]),
                        "dest_lon": float(tr["lon"]),
                        "time": h * 3600.0,
                        "walk_m": float(tr["walk_m"]) if "walk_m" in tr.index else math.inf,
                    }
                )
        if "centre" in tv.index:
            tr = tv.loc["centre"]
            for h in hours:
                rows.append(
                    {
                        "probe_id": f"probe-{v_idx:03d}-back-{h:02d}",
                        "village": village,
                        "target": "centre",
                        "target_name": str(tr["name"]),
                        "direction": "back",
                        "batch": village,
                        "origin_lat": float(tr["lat"]),
                        "origin_lon": float(tr["lon"]),
                        "dest_lat": vlat,
                        "dest_lon": vlon,
                        "time": h * 3600.0,
                        "walk_m": float(tr["walk_m"]) if "walk_m" in tr.index else math.inf,
                    }
                )
    return pd.DataFrame(rows, columns=list(PROBE_COLUMNS))


def probe_bookings(plan: pd.DataFrame) -> dict[str, list[Booking]]:
    """Turn a probe plan into bookings, grouped by batch (in plan order)."""
    from transit.demand.bookings import Booking

    out: dict[str, list[Booking]] = {}
    for r in plan.itertuples(index=False):
        out.setdefault(str(r.batch), []).append(
            Booking(
                request_id=str(r.probe_id),
                pickup_lat=float(r.origin_lat),
                pickup_lon=float(r.origin_lon),
                dropoff_lat=float(r.dest_lat),
                dropoff_lon=float(r.dest_lon),
                time=float(r.time),
                time_type="departure",
                passengers=1,
                wheelchair=0,
                booked_at=float(r.time) - _BOOKED_BEFORE_S,
            )
        )
    return out


def run_probes(
    model: OperatingModel,
    ctx: DayContext,
    plan: pd.DataFrame,
    *,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Send the probes through ``model`` and return their trip log.

    Uses :func:`transit.evaluate.probes.probe_trips` when it can answer for the model
    (its own ``probe`` method, or the on-demand service availability), else
    runs each batch as a day of its own.
    """
    from transit.evaluate.probes import probe_trips

    batches = probe_bookings(plan)
    allb = [b for bs in batches.values() for b in bs]
    report(progress, 0, 1, f"probing {model.name}")
    direct = probe_trips(model, allb, ctx)
    if direct is not None:
        report(progress, 1, 1, f"probed {model.name}")
        return direct.reset_index(drop=True)
    frames = []
    n = len(batches)
    for k, (name, bookings) in enumerate(batches.items()):
        report(progress, k, n, f"probing {model.name}: {name}")
        run = model.run(bookings, ctx, seed=0, rng=np.random.default_rng(0))
        frames.append(run.trips)
    report(progress, n, n, f"probed {model.name}")
    if not frames:
        from transit.sim.columns import empty_trips

        return empty_trips()
    return pd.concat(frames, ignore_index=True)


def _clock(seconds: float) -> str:
    if seconds is None or not math.isfinite(seconds):
        return ""
    m = int(round(seconds / 60.0))
    return f"{m // 60:02d}:{m % 60:02d}"


def access_from_probes(
    plan: pd.DataFrame,
    probe_trips: pd.DataFrame,
    *,
    max_wait_min: float = 60.0,
    targets: Sequence[str] = TARGETS,
) -> pd.DataFrame:
    """Return the probed access figures of one model, one row per village.

    Parameters
    ----------
    plan
        The probe plan (:func:`probe_plan`).
    probe_trips
        The trip log of the probes (``request_id`` = ``probe_id``).
    max_wait_min
        A probe counts for its hour if boarding is at most this many minutes
        after the full hour.
    targets
        The targets to report ``d2d_<target>_min`` for.

    Returns
    -------
    pandas.DataFrame
        ``village`` and the probed columns of :data:`ACCESS_COLUMNS`.
    """
    t = probe_trips.set_index("request_id")
    p = plan.join(
        t[["status", "reason", "board_time", "wait_s", "door_to_door_s"]], on="probe_id", how="left"
    )
    served = p["status"].eq("served")
    in_hour = served & (pd.to_numeric(p["wait_s"], errors="coerce") <= max_wait_min * 60.0)
    d2d = pd.to_numeric(p["door_to_door_s"], errors="coerce")
    arrive = p["time"] + d2d
    board = pd.to_numeric(p["board_time"], errors="coerce")
    rows = []
    for village, g in p.groupby("village", sort=False):
        idx = g.index
        out = g["direction"].eq("out")
        back = g["direction"].eq("back")
        row: dict[str, Any] = {"village": village}
        for target in targets:
            to = out & g["target"].eq(target)
            m = to & in_hour.loc[idx]
            row[f"d2d_{target}_min"] = float(d2d.loc[idx][m].median()) / 60.0 if m.any() else math.nan
            row[f"why_{target}"] = "" if m.any() else why_empty(g[to], max_wait_min=max_wait_min)
        oc = out & g["target"].eq("centre") & served.loc[idx]
        row["earliest_arrival_centre_s"] = float(arrive.loc[idx][oc].min()) if oc.any() else math.nan
        bc = back & served.loc[idx]
        row["latest_return_s"] = float(board.loc[idx][bc].max()) if bc.any() else math.nan
        row["hours_to_centre"] = int((out & g["target"].eq("centre") & in_hour.loc[idx]).sum())
        row["hours_from_centre"] = int((back & in_hour.loc[idx]).sum())
        rows.append(row)
    df = pd.DataFrame(rows)
    if df.empty:
        df = pd.DataFrame(columns=["village"])
    df["earliest_arrival_centre"] = [_clock(x) for x in df.get("earliest_arrival_centre_s", [])]
    df["latest_return"] = [_clock(x) for x in df.get("latest_return_s", [])]
    return df


def why_empty(probes: pd.DataFrame, *, max_wait_min: float) -> str:
    """Say why the outbound probes of one village to one destination give no door-to-door time.

    Parameters
    ----------
    probes
        The probe plan rows of that village and destination, joined with
        their outcome (``status``, ``reason``; ``walk_m`` if known).
    max_wait_min
        The wait that counts a probe for its hour.

    Returns
    -------
    str
        ``walkable (N m)``, ``no service: <reason>`` or ``not reachable:
        <reason>`` (see the module docstring); ``no probe`` when there were
        none (the region lacks the destination).
    """
    if probes.empty:
        return "no probe"
    walk = pd.to_numeric(probes.get("walk_m", pd.Series(dtype=float)), errors="coerce")
    if len(walk) and np.isfinite(walk.iloc[0]):
        return f"walkable ({walk.iloc[0]:.0f} m)"
    if probes["status"].eq("served").any():
        return f"not reachable: every trip leaves more than {max_wait_min:.0f} min after the hour"
    reasons = probes["reason"].astype(object).where(probes["reason"].notna(), "").astype(str)
    reasons = reasons.replace({"": "(no reason given)", "nan": "(no reason given)"})
    counts = reasons.value_counts()
    top = str(counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable").index[0])
    if any(part in top for part in NO_SERVICE_REASONS):
        return f"no service: {top}"
    return f"not reachable: {top}"


def served_shares(trips: pd.DataFrame) -> pd.DataFrame:
    """Return per model and home village the residents' requests, served, share served and served per day.

    Pooled over all seeds in ``trips`` (one simulated day each); rows without
    a home zone are left out.
    """
    t = trips[trips["home_zone"].fillna("").astype(str) != ""]
    if t.empty:
        return pd.DataFrame(columns=["model", "village", "requests", "served", "served_share", "served_per_day"])
    g = t.assign(_served=t["status"].eq("served")).groupby(["model", "home_zone"], sort=False)
    df = g.agg(requests=("request_id", "size"), served=("_served", "sum")).reset_index()
    df = df.rename(columns={"home_zone": "village"})
    df["served"] = df["served"].astype(int)
    df["served_share"] = df["served"] / df["requests"]
    days = trips.groupby("model")["seed"].nunique() if "seed" in trips else pd.Series(dtype=float)
    df["served_per_day"] = df["served"] / df["model"].map(days).fillna(1).clip(lower=1)
    return df


def served_by_group(trips: pd.DataFrame) -> pd.DataFrame:
    """Return per model, home village, population group and purpose: requests, served and share served.

    Pooled over all seeds. The group is the trip log's ``group`` column when
    the demand has population groups (else ``all``); the purpose its
    ``purpose`` (``unknown`` when empty). Rows without a home zone are left
    out. Columns :data:`GROUP_COLUMNS`.
    """
    t = trips[trips["home_zone"].fillna("").astype(str) != ""]
    if t.empty:
        return pd.DataFrame(columns=list(GROUP_COLUMNS))
    group = t["group"].fillna("").astype(str).replace("", "all") if "group" in t else pd.Series("all", index=t.index)
    purpose = t["purpose"].fillna("").astype(str).replace("", "unknown")
    keys = pd.DataFrame({"model": t["model"], "village": t["home_zone"], "group": group, "purpose": purpose,
                         "_served": t["status"].eq("served")})
    g = keys.groupby(["model", "village", "group", "purpose"], sort=False)
    df = g.agg(requests=("_served", "size"), served=("_served", "sum")).reset_index()
    df["served"] = df["served"].astype(int)
    df["served_share"] = df["served"] / df["requests"]
    return df[list(GROUP_COLUMNS)]


def access_on_days(plan: pd.DataFrame, day_trips: Sequence[pd.DataFrame], *, max_wait_min: float = 60.0) -> pd.DataFrame:
    """Return per village the hours with a trip to and from the centre on the simulated days, averaged.

    Parameters
    ----------
    plan
        The probe plan.
    day_trips
        One probe trip log per simulated day (seed), answered with what that
        day's vehicles had to spare
        (:func:`transit.evaluate.probes.spare_capacity_trips`).
    max_wait_min
        As in :func:`access_from_probes`.

    Returns
    -------
    pandas.DataFrame
        ``village, hours_to_centre_day, hours_from_centre_day``.
    """
    cols = ["village", "hours_to_centre_day", "hours_from_centre_day"]
    if not day_trips:
        return pd.DataFrame(columns=cols)
    frames = [access_from_probes(plan, t, max_wait_min=max_wait_min, targets=("centre",)) for t in day_trips]
    both = pd.concat(frames, ignore_index=True)
    mean = both.groupby("village", sort=False)[["hours_to_centre", "hours_from_centre"]].mean().reset_index()
    return mean.rename(columns={"hours_to_centre": "hours_to_centre_day",
                                "hours_from_centre": "hours_from_centre_day"})[cols]


def access_table(
    region: AccessRegion,
    models: Sequence[str],
    *,
    trips: pd.DataFrame | None = None,
    probed: Mapping[str, pd.DataFrame] | None = None,
    days: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Assemble the access table: one row per model and village.

    Parameters
    ----------
    region
        Villages and targets.
    models
        Model names, in report order.
    trips
        The comparison's trip logs (all models and seeds) for the served
        shares, or None.
    probed
        Per model, the result of :func:`access_from_probes`, or None.
    days
        Per model, the result of :func:`access_on_days` (models the spare
        capacity is unknown for are left out), or None.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ACCESS_COLUMNS`.
    """
    base = region.villages.rename(columns={"name": "village"})
    shares = served_shares(trips) if trips is not None else None
    frames = []
    for m in models:
        df = base.copy()
        df.insert(0, "model", m)
        if shares is not None and not shares.empty:
            s = shares[shares["model"] == m].drop(columns="model")
            df = df.merge(s, on="village", how="left")
        if probed is not None and m in probed and not probed[m].empty:
            df = df.merge(probed[m], on="village", how="left")
        if days is not None and m in days and not days[m].empty:
            df = df.merge(days[m], on="village", how="left")
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    text = [c for c in ACCESS_COLUMNS if c in ("earliest_arrival_centre", "latest_return") or c.startswith("why_")]
    for c in ACCESS_COLUMNS:
        if c not in out.columns:
            out[c] = "" if c in text else math.nan
    out["requests"] = out["requests"].fillna(0).astype(int)
    out["served"] = out["served"].fillna(0).astype(int)
    for c in text:
        out[c] = out[c].fillna("")
    return out[list(ACCESS_COLUMNS)]
