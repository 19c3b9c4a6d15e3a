"""Which assumptions drive the answer: the comparison rerun at low and high settings of each.

The report's sensitivity section (a tornado chart and the settings that flip
the ranking of the models) comes from here. For each factor -- demand
volume, walking limit, detour rule, fleet size, fare level -- the scenario
is changed at one setting at a time (:func:`variants`; the low and high
settings default to ``transit/data/sensitivity.toml``) and the models that
the change touches are run again on the first ``seeds`` demand days of the
main run; the others keep their results. A change of fares alone needs no
new run: fares are recomputed from the logs (:func:`reprice`).

Scenario table (all keys optional; defaults and their reasons in the data
file)::

    [sensitivity]
    enabled = true            # false: no sensitivity runs (a faster comparison)
    seeds = 2                 # demand days per setting (the first seeds of the main run)
    demand_scale = [0.5, 2.0] # factor on the demand generator's scale
    walk_limit_m = [400, 1000]
    max_ride = [[1.2, 5], [2.0, 20]]   # [alpha, beta_min] of the detour rule
    fleet_scale = [0.5, 1.5]  # factor on each vehicle entry's count
    fare_scale = [0.5, 1.5]   # factor on every tariff
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from transit.util.i18n import _
from transit.util.tomltable import Table, describe, read_toml

#: A :class:`transit.compare.scenario.Scenario` (not imported: the scenario module imports this one).
Scenario = Any

__all__ = [
    "FACTORS",
    "SENSITIVITY_KEYS",
    "SensitivitySpec",
    "Variant",
    "flips",
    "parse_sensitivity",
    "reprice",
    "sensitivity_table",
    "variants",
]

#: The factors, in report order.
FACTORS: tuple[str, ...] = ("demand_scale", "walk_limit_m", "max_ride", "fleet_scale", "fare_scale")

SENSITIVITY_KEYS = ("enabled", "seeds", *FACTORS)

#: The KPIs of the sensitivity table.
SENSITIVITY_KPIS: tuple[str, ...] = ("cost_per_passenger", "subsidy_per_passenger", "served_share")


def _defaults() -> dict[str, Any]:
    text = resources.files("transit.data").joinpath("sensitivity.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class SensitivitySpec:
    """Whether and how the sensitivity runs are made (see the module docstring).

    Attributes
    ----------
    enabled
        Run them at all.
    seeds
        Demand days per setting.
    settings
        Per factor of :data:`FACTORS`: ``(low, high)``; ``max_ride`` values
        are ``(alpha, beta_min)`` pairs.
    """

    enabled: bool = True
    seeds: int = 2
    settings: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)


def _pair(t: Table, key: str, default: Any) -> tuple[Any, Any] | None:
    """Return ``[low, high]`` of a factor (``max_ride``: two ``[alpha, beta_min]`` pairs)."""
    v = t.data.get(key, default)
    nested = key == "max_ride"

    def ok(x: Any) -> bool:
        if nested:
            return (isinstance(x, list) and len(x) == 2 and all(isinstance(y, (int, float)) and not isinstance(y, bool)
                                                                 and y >= 0 for y in x) and x[0] >= 1)
        return isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0

    if not (isinstance(v, list) and len(v) == 2 and all(ok(x) for x in v)):
        what = "two [alpha >= 1, beta_min >= 0] pairs" if nested else "two positive numbers [low, high]"
        t.add(key, f"must be {what}, got {describe(v)}")
        return None
    if nested:
        return (float(v[0][0]), float(v[0][1])), (float(v[1][0]), float(v[1][1]))
    return float(v[0]), float(v[1])


def parse_sensitivity(table: Table | None) -> SensitivitySpec:
    """Read a scenario's ``[sensitivity]`` table over the defaults (None: the defaults)."""
    d = _defaults()
    t = table if table is not None else Table({}, source=None, table="sensitivity")
    t.check_keys(SENSITIVITY_KEYS)
    settings = {}
    for f in FACTORS:
        p = _pair(t, f, d[f])
        if p is not None:
            settings[f] = p
    return SensitivitySpec(
        enabled=bool(t.boolean("enabled", default=True)),
        seeds=t.integer("seeds", default=int(d["seeds"]), lo=1, hi=100) or int(d["seeds"]),
        settings=settings,
    )


# ----------------------------------------------------------------------------- variants


@dataclass(frozen=True)
class Variant:
    """The scenario at one setting of one factor.

    Attributes
    ----------
    key
        ``"<factor>:<level>"``.
    factor, level
        The factor and ``low`` or ``high``.
    setting
        The setting in words (``demand x 0.5``).
    scenario
        The changed scenario.
    rerun
        The models to run again (the others keep the main run's results).
    reprice
        Only fares changed: recompute them from the main run's logs.
    """

    key: str
    factor: str
    level: str
    setting: str
    scenario: Scenario
    rerun: tuple[str, ...]
    reprice: bool


def _models(doc: dict[str, Any]) -> list[dict[str, Any]]:
    m = doc.get("models")
    return [x for x in m if isinstance(x, dict)] if isinstance(m, list) else []


def _set_demand(doc: dict[str, Any], value: float, sc: Scenario) -> str | None:
    if sc.demand.bookings is not None:
        return None
    gen = doc.setdefault("demand", {}).setdefault("generator", {})
    base = float(gen.get("scale", 1.0))
    gen["scale"] = base * value
    return f"demand × {value:g}"


def _set_walk(doc: dict[str, Any], value: float, sc: Scenario) -> str | None:
    touched = False
    for m in _models(doc):
        kind = m.get("kind")
        if kind in ("fixed_line", "rufbus", "ast", "ondemand_stops") or (kind == "buergerbus" and m.get("stop_based")):
            target = m
        elif kind == "hybrid":
            target = m.setdefault("line", {})
        else:
            continue
        walk = target.get("walk", {})
        if isinstance(walk, dict):
            target["walk"] = {**walk, "max_walk_m": value}
            touched = True
    return f"walk limit {value:.0f} m" if touched else None


def _set_ride(doc: dict[str, Any], value: tuple[float, float], sc: Scenario) -> str | None:
    alpha, beta = value
    rule = {"max_ride_alpha": alpha, "max_ride_beta_min": beta}
    doc["service"] = {**doc.get("service", {}), **rule}
    for m in _models(doc):
        for holder in (m, m.get("feeder") if isinstance(m.get("feeder"), dict) else None):
            if holder is not None and isinstance(holder.get("service"), dict):
                holder["service"] = {**holder["service"], **rule}
    return f"ride ≤ {alpha:g} × direct + {beta:g} min"


def _set_fleet(doc: dict[str, Any], value: float, sc: Scenario) -> str | None:
    touched = False
    for m in _models(doc):
        if m.get("kind") == "buergerbus":
            continue  # its roster of volunteer duties names the buses: the roster, not the fleet, sets its size
        fleet = m.get("fleet")
        if isinstance(fleet, str):
            p = Path(fleet).expanduser()
            fleet = read_toml(p if p.is_absolute() else sc.base_dir / p, what="fleet file")
        if not isinstance(fleet, dict) or not isinstance(fleet.get("vehicle"), list):
            continue
        vehicles = []
        for v in fleet["vehicle"]:
            if isinstance(v, dict):
                count = int(v.get("count", 1))
                new = max(1, int(round(count * value)))
                touched |= new != count
                v = {**v, "count": new}
            vehicles.append(v)
        m["fleet"] = {**fleet, "vehicle": vehicles}
    return f"fleet × {value:g}" if touched else None


def _set_fares(doc: dict[str, Any], value: float, sc: Scenario) -> str | None:
    tariffs = getattr(sc.costs, "tariffs", None)
    if not tariffs:
        return None
    costs = doc.setdefault("costs", {})
    out = dict(costs.get("tariffs", {}))
    for name, t in tariffs.items():
        out[name] = {"base": t.base * value, "per_km": t.per_km * value, "season_base": t.season_base * value,
                     "season_per_km": t.season_per_km * value}
    costs["tariffs"] = out
    return f"fares × {value:g}"


_SETTERS: dict[str, Callable[[dict[str, Any], Any, Any], str | None]] = {
    "demand_scale": _set_demand,
    "walk_limit_m": _set_walk,
    "max_ride": _set_ride,
    "fleet_scale": _set_fleet,
    "fare_scale": _set_fares,
}


def _rerun(base: Mapping[str, Any], doc: Mapping[str, Any], sc: Scenario) -> tuple[tuple[str, ...], bool]:
    """Return the models a changed document must run again, and whether only the fares changed."""
    from transit.compare.models import KINDS

    new_demand = base.get("demand") != doc.get("demand")
    new_service = base.get("service") != doc.get("service")
    names = []
    for m, old in zip(_models(dict(doc)), _models(dict(base))):
        kind = str(m.get("kind"))
        if new_demand or m != old or (new_service and kind in KINDS and KINDS[kind].needs_fleet):
            names.append(str(m.get("name")))
    only_fares = not names and base.get("costs") != doc.get("costs")
    return tuple(n for n in (m.name for m in sc.models) if n in names), only_fares


def _matches(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios agree on what the sensitivity runs change (models, demand, service, costs)."""
    def models(sc: Scenario) -> list[tuple[Any, ...]]:
        return [(m.name, m.kind, m.lines, m.routes, dict(m.options), m.fleet) for m in sc.models]

    return (models(a) == models(b) and a.demand.bookings == b.demand.bookings and a.demand.params == b.demand.params
            and a.service == b.service and a.costs == b.costs)


def variants(
    scenario: Scenario, parse: Callable[..., Scenario]
) -> tuple[list[Variant], list[str]]:
    """Return the scenario at the low and high setting of each factor, and notes on factors left out.

    Parameters
    ----------
    scenario
        The scenario (its ``document`` and ``sensitivity``).
    parse
        :func:`transit.compare.scenario.parse_scenario` (``parse(doc, source=)``).

    Raises
    ------
    InputErrors
        If a changed scenario is invalid (e.g. a fleet file cannot be read).
    """
    spec = scenario.sensitivity
    doc0 = scenario.document
    if spec is None or not spec.enabled:
        return [], []
    if doc0 is None:
        return [], [_("the scenario's document is not known: no sensitivity runs")]
    if not _matches(parse(copy.deepcopy(dict(doc0)), source=scenario.source), scenario):
        return [], [_("the scenario was changed after it was read from its file: no sensitivity runs")]
    out: list[Variant] = []
    notes: list[str] = []
    for factor in FACTORS:
        if factor not in spec.settings:
            continue
        for level, value in zip(("low", "high"), spec.settings[factor]):
            doc = copy.deepcopy(dict(doc0))
            doc.pop("sensitivity", None)
            doc.pop("precision", None)
            setting = _SETTERS[factor](doc, value, scenario)
            if setting is None:
                notes.append(_("{factor}: does not apply to this scenario").format(factor=factor))
                break
            rerun, only_fares = _rerun(doc0, doc, scenario)
            if not rerun and not only_fares:
                notes.append(_("{factor} ({setting}): changes no model").format(factor=factor, setting=setting))
                continue
            sc = parse(doc, source=scenario.source)
            out.append(Variant(f"{factor}:{level}", factor, level, setting, sc, rerun, only_fares))
    return out, notes


# ----------------------------------------------------------------------------- results


def reprice(kpis: pd.DataFrame, trips: pd.DataFrame, rates: Any) -> pd.DataFrame:
    """Return KPI rows with the fare-dependent KPIs recomputed from the trip logs at other fares."""
    from transit.evaluate.costs import fare_revenue

    out = kpis.copy()
    rev = []
    for r in out.itertuples(index=False):
        t = trips[(trips["model"] == r.model) & (trips["seed"] == r.seed)]
        rev.append(fare_revenue(t, rates.for_kind(str(r.kind)).tariff, rates.season_ticket_share))
    revenue = pd.Series(rev, index=out.index, dtype=float)
    cost = pd.to_numeric(out["cost_total"], errors="coerce")

    def per(den: str) -> pd.Series:
        d = pd.to_numeric(out[den], errors="coerce") if den in out else pd.Series(math.nan, index=out.index)
        return (cost - revenue) / d.where(d > 0)

    out["fare_revenue"] = revenue
    out["subsidy"] = cost - revenue
    out["subsidy_per_passenger"] = per("served_passengers")
    out["subsidy_per_pkm"] = per("passenger_km_direct")
    out["cost_recovery"] = revenue / cost.where(cost > 0)
    return out


def sensitivity_table(
    base: pd.DataFrame,
    results: Mapping[str, pd.DataFrame],
    variant_list: Sequence[Variant],
    *,
    kpis: Sequence[str] = SENSITIVITY_KPIS,
) -> pd.DataFrame:
    """Return the mean of each KPI per model at the base and at every setting (``sensitivity.csv``).

    Parameters
    ----------
    base
        The main run's KPI rows of the sensitivity seeds.
    results
        Per variant key, KPI rows of every model on the same seeds.
    variant_list
        The variants, in order.
    kpis
        The KPIs to tabulate.

    Returns
    -------
    pandas.DataFrame
        ``factor, level, setting, model, kpi, base, value, seeds``.
    """
    cols = ["factor", "level", "setting", "model", "kpi", "base", "value", "seeds"]
    rows = []
    models = list(dict.fromkeys(base["model"]))
    seeds = int(base["seed"].nunique()) if len(base) else 0
    bmean = base.groupby("model")[[k for k in kpis if k in base]].mean()
    for v in variant_list:
        res = results.get(v.key)
        if res is None:
            continue
        vmean = res.groupby("model")[[k for k in kpis if k in res]].mean()
        for m in models:
            for k in kpis:
                if k not in bmean.columns or k not in vmean.columns or m not in vmean.index:
                    continue
                rows.append({"factor": v.factor, "level": v.level, "setting": v.setting, "model": m, "kpi": k,
                             "base": float(bmean.at[m, k]), "value": float(vmean.at[m, k]), "seeds": seeds})
    return pd.DataFrame(rows, columns=cols)


def _order(values: Mapping[str, float]) -> list[str]:
    finite = [(v, m) for m, v in values.items() if isinstance(v, (int, float)) and np.isfinite(v)]
    return [m for _, m in sorted(finite)]


def flips(table: pd.DataFrame, *, kpi: str = "cost_per_passenger") -> pd.DataFrame:
    """Return the settings under which the ranking of the models on ``kpi`` (lowest first) changes.

    Returns
    -------
    pandas.DataFrame
        ``factor, level, setting, base_order, order, swapped``: the orders as
        ``A < B < C`` and the pairs that swapped (``B now below A``); only
        settings that change the order.
    """
    cols = ["factor", "level", "setting", "base_order", "order", "swapped"]
    t = table[table["kpi"] == kpi]
    rows = []
    for (factor, level, setting), g in t.groupby(["factor", "level", "setting"], sort=False):
        base = _order(dict(zip(g["model"], g["base"])))
        new = _order(dict(zip(g["model"], g["value"])))
        if base == new:
            continue
        pos = {m: i for i, m in enumerate(new)}
        below = _("{lower} below {higher}")
        swapped = [below.format(lower=b, higher=a) for i, a in enumerate(base) for b in base[i + 1:]
                   if a in pos and b in pos and pos[b] < pos[a]]
        rows.append({"factor": factor, "level": level, "setting": setting, "base_order": " < ".join(base),
                     "order": " < ".join(new), "swapped": "; ".join(swapped)})
    return pd.DataFrame(rows, columns=cols)

