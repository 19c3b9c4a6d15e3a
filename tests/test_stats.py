"""Confidence intervals across seeds, checked against numbers computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from transit.evaluate.stats import SUMMARY_COLUMNS, mean_ci, paired_difference_ci, summarize

# Student's t quantiles from printed tables (two-sided 95%): df=1: 12.706, df=4: 2.776.
T_975_DF1 = 12.7062047
T_975_DF4 = 2.7764451


def test_five_values_match_the_textbook_interval() -> None:
    iv = mean_ci([1, 2, 3, 4, 5])
    # mean 3, sample sd sqrt(2.5), half width t(4) * sd / sqrt(5)
    half = T_975_DF4 * math.sqrt(2.5) / math.sqrt(5)
    assert iv.n == 5
    assert iv.mean == pytest.approx(3.0)
    assert iv.low == pytest.approx(3.0 - half, abs=1e-6)
    assert iv.high == pytest.approx(3.0 + half, abs=1e-6)
    assert iv.low == pytest.approx(1.0368, abs=1e-4)
    assert iv.high == pytest.approx(4.9632, abs=1e-4)
    assert iv.half_width == pytest.approx(half, abs=1e-6)


def test_two_values_use_the_wide_t_quantile() -> None:
    iv = mean_ci([10.0, 12.0])
    assert iv.mean == pytest.approx(11.0)
    assert iv.low == pytest.approx(11.0 - T_975_DF1, abs=1e-5)
    assert iv.high == pytest.approx(11.0 + T_975_DF1, abs=1e-5)


def test_other_level() -> None:
    # 90%: t(0.95, 4) = 2.1318
    iv = mean_ci([1, 2, 3, 4, 5], level=0.90)
    assert iv.high - 3.0 == pytest.approx(2.1318468 * math.sqrt(2.5) / math.sqrt(5), abs=1e-6)
    with pytest.raises(ValueError):
        mean_ci([1, 2], level=1.5)


def test_single_value_has_no_interval() -> None:
    iv = mean_ci([4.2])
    assert iv.n == 1
    assert iv.mean == 4.2
    assert math.isnan(iv.low) and math.isnan(iv.high)


def test_zero_variance_gives_a_point_interval() -> None:
    iv = mean_ci([7.0, 7.0, 7.0])
    assert (iv.mean, iv.low, iv.high, iv.n) == (7.0, 7.0, 7.0, 3)


def test_nan_values_are_left_out_and_empty_is_nan() -> None:
    iv = mean_ci([1.0, float("nan"), 3.0])
    assert iv.n == 2 and iv.mean == pytest.approx(2.0)
    empty = mean_ci([float("nan")])
    assert empty.n == 0 and math.isnan(empty.mean)


def test_paired_difference_removes_the_shared_seed_effect() -> None:
    base = np.array([10.0, 20.0, 30.0])
    model = base + np.array([1.0, 2.0, 3.0])
    d = paired_difference_ci(model, base)
    # differences 1, 2, 3: mean 2, sd 1, t(2)=4.3027
    assert d.mean == pytest.approx(2.0)
    assert d.high - d.mean == pytest.approx(4.3026527 / math.sqrt(3), abs=1e-6)
    # unpaired the interval would be far wider
    assert mean_ci(model).half_width > 5 * d.half_width
    with pytest.raises(ValueError):
        paired_difference_ci([1.0], [1.0, 2.0])


def test_summarize_rows_per_model_and_kpi() -> None:
    kpis = pd.DataFrame(
        {
            "model": ["line", "line", "drt", "drt"],
            "seed": [1, 2, 2, 1],
            "served_share": [0.5, 0.7, 0.9, 0.8],
            "wait_mean_s": [600.0, 600.0, 300.0, float("nan")],
        }
    )
    s = summarize(kpis, baseline="line")
    assert tuple(s.columns) == SUMMARY_COLUMNS
    assert list(s["model"]) == ["line", "line", "drt", "drt"]
    row = s[(s.model == "drt") & (s.kpi == "served_share")].iloc[0]
    assert row["mean"] == pytest.approx(0.85)
    # paired by seed: drt - line = (0.8-0.5, 0.9-0.7) = (0.3, 0.2)
    assert row["diff"] == pytest.approx(0.25)
    assert row["diff_ci_high"] - row["diff"] == pytest.approx(T_975_DF1 * 0.05, abs=1e-6)
    w = s[(s.model == "drt") & (s.kpi == "wait_mean_s")].iloc[0]
    assert w["n"] == 1 and w["mean"] == 300.0 and math.isnan(w["ci_low"])
    base_row = s[(s.model == "line") & (s.kpi == "wait_mean_s")].iloc[0]
    assert base_row["ci_low"] == base_row["ci_high"] == 600.0
    assert base_row["diff"] == 0.0
    with pytest.raises(ValueError, match="baseline"):
        summarize(kpis, baseline="nope")


def test_bounded_kpis_are_cut_at_zero_and_one() -> None:
    import math

    from transit.evaluate.stats import clip

    iv = clip(mean_ci([0.0, 0.0, 3.0]), 0.0, math.inf)
    assert iv.low == 0.0 and iv.high > 3.0 and iv.mean == 1.0
    kpis = pd.DataFrame({"model": ["a"] * 3, "seed": [1, 2, 3], "served_share": [0.9, 1.0, 1.0],
                         "subsidy": [-5.0, 0.0, 5.0]})
    s = summarize(kpis, bounds={"served_share": (0.0, 1.0)}).set_index("kpi")
    assert s.loc["served_share", "ci_high"] == 1.0 and s.loc["served_share", "ci_low"] < 0.967
    assert s.loc["subsidy", "ci_low"] < -5.0  # a subsidy can be negative: not cut
