"""Seeds are added until the main KPIs' intervals are narrow enough, or the cap says stop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from transit.compare.precision import PrecisionSpec, more_seeds, parse_precision, precision_status
from transit.errors import InputErrors
from transit.util.tomltable import Table


def _kpis(values: dict[str, list[float]], kpi: str = "cost_per_passenger") -> pd.DataFrame:
    rows = [{"model": m, "seed": s + 1, kpi: v} for m, vs in values.items() for s, v in enumerate(vs)]
    return pd.DataFrame(rows)


def test_narrow_intervals_need_no_more_seeds() -> None:
    spec = PrecisionSpec(kpis=("cost_per_passenger",), relative=0.10, absolute={})
    k = _kpis({"a": [10.0, 10.1, 9.9], "b": [20.0, 20.2, 19.8]})
    st = precision_status(k, spec)
    assert st.met and not st.capped and st.seeds == 3 and more_seeds(k, spec) == 0


def test_a_wide_interval_asks_for_the_seeds_its_spread_needs() -> None:
    spec = PrecisionSpec(kpis=("cost_per_passenger",), relative=0.10, absolute={}, max_seeds=50, step=100)
    k = _kpis({"a": [10.0, 14.0, 6.0], "b": [20.0, 20.2, 19.8]})
    st = precision_status(k, spec)
    assert not st.met and list(st.widest) == [("a", "cost_per_passenger")]
    half, target = st.widest[("a", "cost_per_passenger")]
    assert target == pytest.approx(1.0) and half > 9
    # sd 4, t(2 dof) 4.30: (4.30 * 4 / 1)^2 = 296 seeds wanted, capped at 50 - 3
    assert more_seeds(k, spec) == 47
    assert more_seeds(k, PrecisionSpec(kpis=("cost_per_passenger",), absolute={}, max_seeds=50, step=4)) == 4


def test_the_cap_stops_and_is_reported() -> None:
    spec = PrecisionSpec(kpis=("cost_per_passenger",), relative=0.01, absolute={}, max_seeds=3)
    k = _kpis({"a": [10.0, 14.0, 6.0]})
    st = precision_status(k, spec)
    assert st.capped and more_seeds(k, spec) == 0


def test_a_share_near_zero_uses_the_absolute_width() -> None:
    spec = PrecisionSpec(kpis=("served_share",), relative=0.10, absolute={"served_share": 0.03})
    k = _kpis({"a": [0.02, 0.03, 0.025]}, "served_share")
    assert precision_status(k, spec).met  # 10% of 2.5% would be 0.25 points; 3 points are enough
    assert not precision_status(k, PrecisionSpec(kpis=("served_share",), absolute={})).met


def test_one_seed_is_never_enough_and_undefined_kpis_are_skipped() -> None:
    spec = PrecisionSpec(kpis=("cost_per_passenger",), absolute={})
    assert not precision_status(_kpis({"a": [10.0]}), spec).met
    nan = _kpis({"a": [np.nan, np.nan], "b": [5.0, 5.0]})
    assert precision_status(nan, spec).met  # nothing served by a: more seeds would not help


def test_parse_precision_defaults_and_errors() -> None:
    assert parse_precision(None) == PrecisionSpec()
    t = Table({"relative": 0.2, "absolute": {"served_share": 0.05}, "max_seeds": 6}, source="s.toml",
              table="precision")
    spec = parse_precision(t)
    assert (spec.relative, spec.absolute["served_share"], spec.max_seeds) == (0.2, 0.05, 6)
    bad = Table({"max_seed": 4, "relative": -1}, source="s.toml", table="precision")
    parse_precision(bad)
    with pytest.raises(InputErrors) as ei:
        bad.raise_problems()
    text = str(ei.value)
    assert "unknown key 'max_seed'" in text and "precision.relative" in text
