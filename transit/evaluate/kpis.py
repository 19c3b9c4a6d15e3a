"""Key performance indicators of a model run: one tidy row per model and seed.

Every KPI is computed from the trip log and the vehicle log
(:mod:`transit.sim.columns`) and the cost rates (:mod:`transit.evaluate.costs`), never
inside a model, so every model is measured the same way. This docstring is
the one place where the KPIs are defined; :data:`KPI_COLUMNS` lists them in
table order.

Conventions: "served" means the trip-log rows with status ``served``; means
and percentiles over served bookings are per booking (not weighted by
passengers); a KPI whose denominator is zero is NaN. Times are minutes,
distances km, money in the rates' currency, unless the name says otherwise.
The vehicle log's legs: the leg *into* row k of a vehicle is driven with the
load and ``onboard_bookings`` of row k-1 (what was on board leaving the
previous stop) and is ``km_from_prev`` of row k long.

Identity
    ``model``, ``kind``, ``seed``.
Demand and service
    ``requests`` bookings in the trip log; ``passengers_requested`` their
    passengers; ``served`` and ``served_passengers``; ``rejected``;
    ``served_share`` = served / requests; ``rejected_share`` = rejected /
    requests; ``rejection_reasons``: ``"kind: count"`` joined by ``"; "``,
    most frequent first, the kinds of the reasons without each booking's
    details (:func:`transit.evaluate.reasons.reason_kind`; see
    :func:`rejection_table` for a long table of the reasons as written).
Times (served bookings)
    ``wait_mean_min``, ``wait_p50_min``, ``wait_p90_min``, ``wait_p95_min``:
    the trip log's ``wait_s`` (deviation from the requested time: late
    pickup for departure bookings, early arrival for arrival bookings);
    ``in_vehicle_mean_min`` (``in_vehicle_s``: from the start of boarding
    to the start of alighting, so the boarding time counts; transfer waits
    count too); ``door_to_door_mean_min``
    and ``door_to_door_p90_min`` (``door_to_door_s``);
    ``car_time_ratio`` = mean of door_to_door_s / direct_s (1 = as fast as a
    car from door to door); ``detour_factor`` = mean of in_vehicle_s /
    direct_s; ``walk_mean_m`` = mean of walk_access_m + walk_egress_m;
    ``walk_mean_min`` = mean of walk_s; ``transfer_share`` = share of served
    bookings with a transfer.
Vehicles
    ``vehicles`` = number of vehicles (or timetabled trips) in the vehicle
    log; ``vehicle_km`` = sum of km_from_prev; ``empty_km_share`` = sum of
    empty_km_from_prev / vehicle_km; ``deadhead_km`` = km of legs not in
    service (``in_service`` false: to and from the depot);
    ``vehicle_hours`` = hours in service (duty): per vehicle the last minus
    the first time it appears in the log, summed; ``vehicle_hours_productive``
    = hours with passengers on board: the sum over legs leaving a stop with
    load > 0 of (departure at the next stop - departure at this one).
Efficiency
    ``passengers_per_vehicle_hour`` = served_passengers / vehicle_hours;
    ``boardings_per_vehicle_hour`` = boardings / vehicle_hours, where a
    served booking boards ``1 + transfers`` vehicles (each with all its
    passengers): passengers as a bus counts them, so a passenger who changes
    is counted on both buses (as operators' line statistics count them);
    equal to ``passengers_per_vehicle_hour`` for models without changes;
    ``passenger_km`` = passenger-km on board, sum over legs of km x load;
    ``occupancy`` = passenger_km / vehicle_km; ``pooling_rate`` = share of
    passenger_km driven with at least two bookings on board
    (``onboard_bookings`` >= 2); ``shared_trip_share`` = share of served
    bookings that had another booking on board during some driven leg of
    their ride (the EcoBus definition; a hand-over at one stop, one booking
    dropped off where the next boards, is not a shared ride; NaN when the
    log cannot tell, e.g. fixed lines whose stop rows carry no request id);
    ``passengers_per_booking`` = served_passengers / served;
    ``passenger_km_direct`` = sum over served
    bookings of passengers x direct_m (car distance door to door, km).
Costs and environment (:func:`transit.evaluate.costs.day_costs`; every model on the same basis)
    ``cost_vehicle``, ``cost_staff`` (driver wage or volunteer allowance),
    ``cost_dispatch`` (per booking served), ``cost_platform`` (dispatch
    platform per on-demand vehicle), ``cost_standby`` (per timetabled trip,
    if the kind has a standby fee), ``cost_total``, ``fare_revenue`` (one
    fare system, a share of riders with a Deutschlandticket); ``subsidy`` =
    cost_total - fare_revenue; ``paid_hours`` = the vehicle hours paid
    (duties from pull-out to pull-in for own timetabled buses, trips run for
    a Rufbus contractor, shifts for on-demand vehicles);
    ``cost_per_vehicle_km`` = cost_total / vehicle_km (the figure published
    production costs are quoted in); ``cost_per_passenger`` = cost_total /
    served_passengers; ``subsidy_per_passenger`` = subsidy /
    served_passengers; ``subsidy_per_pkm`` = subsidy / passenger_km_direct;
    ``cost_recovery`` = fare_revenue / cost_total; ``co2_kg``;
    ``co2_per_pkm_g`` = co2_kg x 1000 / passenger_km_direct. Per
    passenger-km figures use the direct (car) distance so that detours do
    not make a service look cheaper or cleaner.
Model-specific figures from ``ModelRun.info`` are appended after these
columns with the prefix ``info_``.

With a common base (:func:`with_base`)
    A comparison can give every model the same base service, run once per
    day (the school buses: :mod:`transit.compare.school`). The model's own
    KPIs leave it out; :data:`WITH_SCHOOL_COLUMNS` add it, per model and
    seed: ``cost_per_passenger_with_school`` = (cost_total + the base's) /
    (served_passengers + the base's); ``subsidy_per_passenger_with_school``
    likewise with the subsidies; ``passengers_per_vehicle_hour_with_school``
    = both fleets' passengers / both fleets' vehicle_hours. These are the
    figures published averages of whole bus networks (school traffic
    included) describe.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from transit.evaluate.costs import CostRates, day_costs, vehicle_table
from transit.evaluate.reasons import count_kinds
from transit.opmodels.base import ModelRun

__all__ = ["KPI_BOUNDS", "KPI_COLUMNS", "WITH_SCHOOL_COLUMNS", "kpi_frame", "kpis", "rejection_table", "with_base"]

KPI_COLUMNS: tuple[str, ...] = (
    "model",
    "kind",
    "seed",
    "requests",
    "passengers_requested",
    "served",
    "served_passengers",
    "rejected",
    "served_share",
    "rejected_share",
    "rejection_reasons",
    "wait_mean_min",
    "wait_p50_min",
    "wait_p90_min",
    "wait_p95_min",
    "in_vehicle_mean_min",
    "door_to_door_mean_min",
    "door_to_door_p90_min",
    "car_time_ratio",
    "detour_factor",
    "ride_ratio_median",
    "ride_ratio_p90",
    "walk_mean_m",
    "walk_mean_min",
    "transfer_share",
    "vehicles",
    "vehicle_km",
    "empty_km_share",
    "deadhead_km",
    "vehicle_hours",
    "vehicle_hours_productive",
    "passengers_per_vehicle_hour",
    "boardings_per_vehicle_hour",
    "passenger_km",
    "occupancy",
    "pooling_rate",
    "shared_trip_share",
    "passengers_per_booking",
    "passenger_km_direct",
    "cost_vehicle",
    "cost_staff",
    "cost_dispatch",
    "cost_platform",
    "cost_standby",
    "cost_total",
    "fare_revenue",
    "subsidy",
    "paid_hours",
    "cost_per_vehicle_km",
    "cost_per_passenger",
    "subsidy_per_passenger",
    "subsidy_per_pkm",
    "cost_recovery",
    "co2_kg",
    "co2_per_pkm_g",
)
"""The KPI columns, in table order (see the module docstring)."""


#: KPIs of a model together with the common base every model shares (see the module docstring).
WITH_SCHOOL_COLUMNS: tuple[str, ...] = (
    "cost_per_passenger_with_school",
    "subsidy_per_passenger_with_school",
    "passengers_per_vehicle_hour_with_school",
)


_SHARES = ("served_share", "rejected_share", "transfer_share", "empty_km_share", "pooling_rate", "shared_trip_share")
_SIGNED = ("model", "kind", "seed", "rejection_reasons", "wait_mean_min", "wait_p50_min", "wait_p90_min",
           "wait_p95_min", "subsidy", "subsidy_per_passenger", "subsidy_per_pkm")

#: The values each numeric KPI can take: shares lie in [0, 1]; counts, times, distances and costs are never
#: negative. Waits (an AST door tour can arrive a little late) and subsidies (fares can exceed costs) can be.
#: Confidence intervals are cut to these ranges (:func:`transit.evaluate.stats.summarize`).
KPI_BOUNDS: dict[str, tuple[float, float]] = {
    k: ((0.0, 1.0) if k in _SHARES else (0.0, math.inf)) for k in KPI_COLUMNS if k not in _SIGNED
}


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def _div(a: float, b: float) -> float:
    return a / b if b and math.isfinite(b) and b != 0 else math.nan


def _mean(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else math.nan


def _pct(x: np.ndarray, q: float) -> float:
    x = x[np.isfinite(x)]
    return float(np.percentile(x, q)) if x.size else math.nan


def _seed(run: ModelRun) -> Any:
    for df in (run.trips, run.stops):
        if len(df) and "seed" in df:
            vals = pd.unique(df["seed"].dropna())
            if len(vals) == 1:
                v = vals[0]
                return int(v) if isinstance(v, (int, np.integer)) or float(v).is_integer() else v
    return math.nan


def _legs(stops: pd.DataFrame) -> pd.DataFrame:
    """Return per leg: km, load and onboard bookings when leaving the previous stop."""
    if stops.empty:
        return pd.DataFrame(
            {"km": [], "empty_km": [], "load": [], "onboard": [], "dt": [], "in_service": pd.Series([], dtype=bool)}
        )
    df = stops.copy()
    df["_vid"] = df["vehicle_id"].astype(str)
    df["_seq"] = pd.to_numeric(df["seq"], errors="coerce")
    df = df.sort_values(["_vid", "_seq"], kind="stable")
    same = df["_vid"].eq(df["_vid"].shift(1))
    dep = pd.to_numeric(df["departure"], errors="coerce")
    dep = dep.fillna(pd.to_numeric(df["arrival"], errors="coerce"))
    legs = pd.DataFrame(
        {
            "km": pd.to_numeric(df["km_from_prev"], errors="coerce").fillna(0.0),
            "empty_km": pd.to_numeric(df["empty_km_from_prev"], errors="coerce").fillna(0.0),
            "load": pd.to_numeric(df["load"], errors="coerce").shift(1).fillna(0.0),
            "onboard": pd.to_numeric(df["onboard_bookings"], errors="coerce").shift(1).fillna(0.0),
            "dt": (dep - dep.shift(1)),
            "in_service": df["in_service"].astype(bool),
        }
    )
    return legs[same.to_numpy()]


def _shared_trip_share(trips: pd.DataFrame, stops: pd.DataFrame) -> float:
    """Share of served bookings with another booking on board on a driven leg of their ride.

    A leg counts when the vehicle drives (``km_from_prev`` > 0) with two or
    more bookings on board: the bookings picked up and not yet dropped off
    (or, where a log gives no request ids, its ``onboard_bookings`` leaving
    the previous stop). Bookings that only meet at a stop, one getting off
    where another gets on, did not share a ride, whatever order the stops
    of that place are logged in.
    """
    served = trips[trips["status"].astype(str) == "served"]
    if served.empty or stops.empty:
        return math.nan
    rid = stops["request_id"].astype(str)
    kinds = stops["kind"].astype(str)
    if not ((kinds == "pickup") & (rid != "")).any():
        return math.nan
    shared: set[str] = set()
    seen: set[str] = set()
    df = stops.assign(_seq=pd.to_numeric(stops["seq"], errors="coerce")).sort_values(
        ["vehicle_id", "_seq"], kind="stable"
    )
    for _, g in df.groupby(df["vehicle_id"].astype(str), sort=False):
        onboard_now: set[str] = set()
        ob_prev = 0.0
        for kind, r, ob, km in zip(
            g["kind"].astype(str), g["request_id"].astype(str), _num(g["onboard_bookings"]), _num(g["km_from_prev"])
        ):
            if not km <= 0.0 and max(len(onboard_now), ob_prev) >= 2:  # a driven leg (unknown km: driven)
                shared.update(onboard_now)
            if kind == "pickup":
                onboard_now.add(r)
                seen.add(r)
            elif kind == "dropoff":
                onboard_now.discard(r)
            ob_prev = ob if math.isfinite(ob) else 0.0
    ids = set(served["request_id"].astype(str))
    known = ids & seen
    if not known:
        return math.nan
    return len(known & shared) / len(known)


def _cost_kpis(run: ModelRun, costs: CostRates, *, served_pax: float, pkm_direct: float, vkm: float) -> dict[str, Any]:
    """Return the cost, revenue and emission KPIs of a run (see the module docstring)."""
    money = day_costs(run.trips, run.stops, run.kind, costs, info=run.info)
    subsidy = money["cost_total"] - money["fare_revenue"]
    return {
        "cost_vehicle": money["cost_vehicle"],
        "cost_staff": money["cost_staff"],
        "cost_dispatch": money["cost_dispatch"],
        "cost_platform": money["cost_platform"],
        "cost_standby": money["cost_standby"],
        "cost_total": money["cost_total"],
        "fare_revenue": money["fare_revenue"],
        "subsidy": subsidy,
        "paid_hours": money["paid_hours"],
        "cost_per_vehicle_km": _div(money["cost_total"], vkm),
        "cost_per_passenger": _div(money["cost_total"], served_pax),
        "subsidy_per_passenger": _div(subsidy, served_pax),
        "subsidy_per_pkm": _div(subsidy, pkm_direct),
        "cost_recovery": _div(money["fare_revenue"], money["cost_total"]),
        "co2_kg": money["co2_kg"],
        "co2_per_pkm_g": _div(money["co2_kg"] * 1000.0, pkm_direct),
    }


def kpis(run: ModelRun, costs: CostRates, *, seed: Any = None) -> dict[str, Any]:
    """Return the KPIs of one run as a dict (keys :data:`KPI_COLUMNS`, then ``info_*``).

    Parameters
    ----------
    run
        A model's run on one day of demand.
    costs
        Cost rates, fares and emission factors.
    seed
        The demand seed; default: the ``seed`` column of the logs.
    """
    trips, stops = run.trips, run.stops
    status = trips["status"].astype(str)
    served_mask = (status == "served").to_numpy()
    pax = _num(trips["passengers"]) if len(trips) else np.zeros(0)
    sv = trips[served_mask]
    n_req = len(trips)
    n_served = int(served_mask.sum())
    served_pax = float(np.nansum(pax[served_mask]))
    reasons = trips.loc[~served_mask, "reason"].fillna("").astype(str)
    out: dict[str, Any] = {
        "model": run.model,
        "kind": run.kind,
        "seed": _seed(run) if seed is None else seed,
        "requests": n_req,
        "passengers_requested": float(np.nansum(pax)),
        "served": n_served,
        "served_passengers": served_pax,
        "rejected": n_req - n_served,
        "served_share": _div(n_served, n_req),
        "rejected_share": _div(n_req - n_served, n_req),
        "rejection_reasons": count_kinds(reasons),
    }
    wait = _num(sv["wait_s"]) / 60.0
    ivt = _num(sv["in_vehicle_s"])
    d2d = _num(sv["door_to_door_s"])
    direct = _num(sv["direct_s"])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(direct > 0, d2d / direct, np.nan)
        detour = np.where(direct > 0, ivt / direct, np.nan)
    out.update(
        {
            "wait_mean_min": _mean(wait),
            "wait_p50_min": _pct(wait, 50),
            "wait_p90_min": _pct(wait, 90),
            "wait_p95_min": _pct(wait, 95),
            "in_vehicle_mean_min": _mean(ivt / 60.0),
            "door_to_door_mean_min": _mean(d2d / 60.0),
            "door_to_door_p90_min": _pct(d2d / 60.0, 90),
            "car_time_ratio": _mean(ratio),
            "detour_factor": _mean(detour),
            "ride_ratio_median": _pct(detour, 50),
            "ride_ratio_p90": _pct(detour, 90),
            "walk_mean_m": _mean(np.nan_to_num(_num(sv["walk_access_m"])) + np.nan_to_num(_num(sv["walk_egress_m"])))
            if n_served
            else math.nan,
            "walk_mean_min": _mean(_num(sv["walk_s"]) / 60.0),
            "transfer_share": _div(float(np.nansum(_num(sv["transfers"]) > 0)), n_served),
        }
    )
    veh = vehicle_table(stops)
    legs = _legs(stops)
    vkm = float(legs["km"].sum())
    pkm = float((legs["km"] * legs["load"]).sum())
    pkm_shared = float((legs["km"] * legs["load"])[legs["onboard"] >= 2].sum())
    vh = float(veh["hours"].sum())
    productive = float(legs["dt"][legs["load"] > 0].clip(lower=0).sum()) / 3600.0
    pkm_direct = float(np.nansum(_num(sv["passengers"]) * _num(sv["direct_m"]) / 1000.0)) if n_served else 0.0
    boardings = float(np.nansum(_num(sv["passengers"]) * (1.0 + np.nan_to_num(_num(sv["transfers"]))))) if n_served else 0.0
    out.update(
        {
            "vehicles": len(veh),
            "vehicle_km": vkm,
            "empty_km_share": _div(float(legs["empty_km"].sum()), vkm),
            "deadhead_km": float(legs["km"][~legs["in_service"]].sum()),
            "vehicle_hours": vh,
            "vehicle_hours_productive": productive,
            "passengers_per_vehicle_hour": _div(served_pax, vh),
            "boardings_per_vehicle_hour": _div(boardings, vh),
            "passenger_km": pkm,
            "occupancy": _div(pkm, vkm),
            "pooling_rate": _div(pkm_shared, pkm),
            "shared_trip_share": _shared_trip_share(trips, stops),
            "passengers_per_booking": _div(served_pax, n_served),
            "passenger_km_direct": pkm_direct,
        }
    )
    out.update(_cost_kpis(run, costs, served_pax=served_pax, pkm_direct=pkm_direct, vkm=vkm))
    for key, value in sorted(run.info.items()):
        out[f"info_{key}"] = value
    return out


def kpi_frame(runs: Iterable[ModelRun | tuple[ModelRun, Any]], costs: CostRates) -> pd.DataFrame:
    """Return the KPI table: one row per run (model and seed).

    Parameters
    ----------
    runs
        Runs, or ``(run, seed)`` pairs when the logs do not carry the seed.
    costs
        Cost rates.
    """
    rows = []
    for item in runs:
        run, seed = item if isinstance(item, tuple) else (item, None)
        rows.append(kpis(run, costs, seed=seed))
    df = pd.DataFrame(rows)
    extra = sorted(c for c in df.columns if c not in KPI_COLUMNS)
    return df.reindex(columns=[*KPI_COLUMNS, *extra])


def rejection_table(runs: Iterable[ModelRun]) -> pd.DataFrame:
    """Return rejected bookings counted per model, seed and reason (long format)."""
    frames = []
    for run in runs:
        t = run.trips
        rej = t[t["status"].astype(str) != "served"]
        if rej.empty:
            continue
        g = rej.groupby([rej["seed"], rej["reason"].fillna("").astype(str)], dropna=False).size()
        df = g.rename("count").reset_index()
        df.insert(0, "model", run.model)
        frames.append(df)
    if not frames:
        return pd.DataFrame({"model": [], "seed": [], "reason": [], "count": []})
    return pd.concat(frames, ignore_index=True)



def with_base(kpis: pd.DataFrame, base: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``kpis`` with :data:`WITH_SCHOOL_COLUMNS`: every row together with the base's row of its seed.

    Parameters
    ----------
    kpis
        One row per model and seed (:data:`KPI_COLUMNS`).
    base
        One row per seed of the common base (the school buses), or None
        (then ``kpis`` is returned unchanged). A base with no requests on
        any seed (a region with no school traffic) is no base: the
        ``*_with_school`` KPIs are then NaN, as the published network
        figures they are compared with include school traffic.
    """
    if base is None or base.empty or kpis.empty:
        return kpis
    out = kpis.copy()
    carried = "requests" if "requests" in base else "served_passengers"
    if float(pd.to_numeric(base[carried], errors="coerce").fillna(0.0).sum()) == 0.0:
        for name in WITH_SCHOOL_COLUMNS:
            out[name] = np.nan
        return out
    b = base.set_index("seed")

    def of_base(col: str) -> pd.Series:
        return pd.to_numeric(out["seed"].map(b[col]), errors="coerce").fillna(0.0)

    def own(col: str) -> pd.Series:
        return pd.to_numeric(out[col], errors="coerce").fillna(0.0)

    pax = own("served_passengers") + of_base("served_passengers")
    hours = own("vehicle_hours") + of_base("vehicle_hours")
    out["cost_per_passenger_with_school"] = (own("cost_total") + of_base("cost_total")) / pax.where(pax > 0)
    out["subsidy_per_passenger_with_school"] = (own("subsidy") + of_base("subsidy")) / pax.where(pax > 0)
    out["passengers_per_vehicle_hour_with_school"] = pax / hours.where(hours > 0)
    return out
