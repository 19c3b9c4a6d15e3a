"""Time-of-day profiles from the vehicle log: passengers on board and vehicles on duty.

The leg into row ``k`` of a vehicle carries what was on board leaving row
``k - 1`` (the convention of :mod:`transit.evaluate.kpis`); this module holds that
load from the departure at row ``k - 1`` until the departure at row ``k``. A
vehicle is on duty from its first to its last time in the log.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PROFILE_COLUMNS", "occupancy_profile"]

#: Columns of :func:`occupancy_profile`.
PROFILE_COLUMNS: tuple[str, ...] = ("model", "time_h", "passengers_on_board", "vehicles_on_duty", "occupancy")


def _count_intervals(t0: np.ndarray, t1: np.ndarray, weight: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Sum ``weight`` over intervals ``[t0, t1)`` that contain each grid time."""
    out = np.zeros(len(grid))
    if len(t0) == 0:
        return out
    i0 = np.searchsorted(grid, t0, side="left")
    i1 = np.searchsorted(grid, t1, side="left")
    diff = np.zeros(len(grid) + 1)
    np.add.at(diff, i0, weight)
    np.add.at(diff, i1, -weight)
    return np.cumsum(diff)[:-1]


def occupancy_profile(stops: pd.DataFrame, *, step_min: float = 15.0) -> pd.DataFrame:
    """Return passengers on board and vehicles on duty over the day, per model.

    Parameters
    ----------
    stops
        Vehicle logs (:data:`transit.sim.columns.STOP_COLUMNS`), any number of
        models and seeds.
    step_min
        Spacing of the sample times, minutes.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROFILE_COLUMNS`: at each sample time (hours since
        midnight) the mean over seeds of the passengers on board of all the
        model's vehicles, of the vehicles on duty, and their ratio
        (passengers per vehicle on duty, NaN when none is).
    """
    if stops.empty:
        return pd.DataFrame(columns=list(PROFILE_COLUMNS))
    s = stops.copy()
    for c in ("arrival", "departure", "load"):
        s[c] = pd.to_numeric(s[c], errors="coerce")
    order = list(dict.fromkeys(s["model"]))
    s["model"] = pd.Categorical(s["model"], categories=order, ordered=True)
    s = s.sort_values(["model", "seed", "vehicle_id", "seq"], kind="stable")
    lo = float(np.nanmin(s["arrival"])) if s["arrival"].notna().any() else 0.0
    hi = float(np.nanmax(s["departure"])) if s["departure"].notna().any() else 86_400.0
    step = step_min * 60.0
    grid = np.arange(np.floor(lo / step) * step, np.ceil(hi / step) * step + step, step)
    rows = []
    for model, g in s.groupby("model", sort=True, observed=True):
        model = str(model)
        seeds = g["seed"].nunique()
        key = g["seed"].astype(str) + "\x00" + g["vehicle_id"].astype(str)
        same_vehicle = key.eq(key.shift(-1)).to_numpy()
        dep = g["departure"].to_numpy(dtype=float)
        nxt = np.roll(dep, -1)
        load = g["load"].fillna(0).to_numpy(dtype=float)
        legs = same_vehicle & np.isfinite(dep) & np.isfinite(nxt) & (nxt > dep)
        on_board = _count_intervals(dep[legs], nxt[legs], load[legs], grid)
        duty = g.groupby(key, sort=False).agg(t0=("arrival", "min"), t1=("departure", "max"))
        duty = duty[np.isfinite(duty["t0"]) & np.isfinite(duty["t1"])]
        on_duty = _count_intervals(duty["t0"].to_numpy(float), duty["t1"].to_numpy(float), np.ones(len(duty)), grid)
        pax = on_board / seeds
        veh = on_duty / seeds
        with np.errstate(invalid="ignore", divide="ignore"):
            occ = np.where(veh > 0, pax / np.where(veh > 0, veh, 1.0), np.nan)
        rows.append(pd.DataFrame({"model": model, "time_h": grid / 3600.0, "passengers_on_board": pax,
                                  "vehicles_on_duty": veh, "occupancy": occ}))
    return pd.concat(rows, ignore_index=True)[list(PROFILE_COLUMNS)]
