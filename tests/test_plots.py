"""Plot functions draw what the tables say, with units, and never show anything."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from compare_fakes import synthetic_access, synthetic_region, synthetic_results

from transit.compare import plots
from transit.evaluate.profiles import occupancy_profile
from transit.evaluate.stats import summarize

MODELS = ["Linienbus", "Rufbus", "On-demand"]


@pytest.fixture(scope="module")
def results():
    kpis, trips, stops = synthetic_results()
    return kpis, trips, stops, summarize(kpis, baseline="Linienbus")


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    def boom(*_a, **_k):
        raise AssertionError("a plot function called show()")

    monkeypatch.setattr(go.Figure, "show", boom)


def test_kpi_bars_heights_and_error_bars_are_the_summary(results) -> None:
    _, _, _, s = results
    fig = plots.kpi_bars(s, ["served_share", "wait_mean_min", "not_a_kpi"])
    assert len(fig.data) == 2  # unknown KPIs are skipped
    bar = fig.data[0]
    assert list(bar.x) == MODELS
    row = s[s.kpi == "served_share"].set_index("model").loc[MODELS]
    np.testing.assert_allclose(bar.y, row["mean"] * 100)
    np.testing.assert_allclose(bar.error_y.array, (row["ci_high"] - row["mean"]) * 100)
    np.testing.assert_allclose(bar.error_y.arrayminus, (row["mean"] - row["ci_low"]) * 100)
    titles = [a.text for a in fig.layout.annotations]
    assert "Requests served (%)" in titles and "Mean wait (min)" in titles
    assert fig.layout.title.text


def test_distributions_use_served_bookings_in_minutes(results) -> None:
    _, trips, _, _ = results
    fig = plots.wait_time_distribution(trips)
    assert [t.name for t in fig.data] == MODELS
    served = trips[(trips.status == "served") & (trips.model == "Rufbus")]
    np.testing.assert_allclose(np.sort(fig.data[1].y), np.sort(served["wait_s"].to_numpy() / 60))
    assert "(min)" in fig.layout.yaxis.title.text
    fig2 = plots.travel_time_distribution(trips)
    assert "Door-to-door" in fig2.layout.yaxis.title.text


def test_occupancy_profile_and_plot(results) -> None:
    _, _, stops, _ = results
    prof = occupancy_profile(stops, step_min=30)
    assert list(dict.fromkeys(prof["model"])) == MODELS  # report order kept
    fig = plots.occupancy_over_day(prof)
    assert len(fig.data) == 2 * len(MODELS)
    assert fig.layout.xaxis2.title.text == "Time of day (h)"


def test_occupancy_profile_hand_made() -> None:
    import pandas as pd

    # one vehicle: leaves at 8:00 with 2 on board, drops 1 at 8:30, last at 9:00; duty 7:50-9:10
    stops = pd.DataFrame({
        "model": "m", "seed": 1, "vehicle_id": "v", "seq": [0, 1, 2, 3, 4],
        "arrival": [7.8333 * 3600, 8 * 3600, 8.5 * 3600, 9 * 3600, 9.1667 * 3600],
        "departure": [7.8333 * 3600, 8 * 3600, 8.5 * 3600, 9 * 3600, 9.1667 * 3600],
        "load": [0, 2, 1, 0, 0],
    })
    prof = occupancy_profile(stops, step_min=15).set_index("time_h")
    assert prof.loc[7.75, "vehicles_on_duty"] == 0
    assert prof.loc[8.0, "passengers_on_board"] == 2
    assert prof.loc[8.25, "passengers_on_board"] == 2
    assert prof.loc[8.5, "passengers_on_board"] == 1
    assert prof.loc[9.0, "passengers_on_board"] == 0
    assert prof.loc[9.0, "vehicles_on_duty"] == 1
    assert prof.loc[8.5, "occupancy"] == 1.0


def test_cost_per_passenger_bars(results) -> None:
    _, _, _, s = results
    fig = plots.cost_per_passenger(s)
    assert [t.name for t in fig.data] == ["Cost per passenger", "Subsidy per passenger"]
    assert "€" in fig.layout.yaxis.title.text


def test_access_map_has_attribution_menu_and_offline_geo() -> None:
    access = synthetic_access()
    region = synthetic_region()
    fig = plots.access_map(region, access)
    assert all(isinstance(t, go.Scattergeo) for t in fig.data)
    assert any("© OpenStreetMap contributors" in (a.text or "") for a in fig.layout.annotations)
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == MODELS
    villages = [t for t in fig.data if (t.name or "").startswith("villages")]
    assert len(villages) == 3 and [t.visible for t in villages] == [True, False, False]
    # colours are the table's values
    lin = access[access.model == "Linienbus"]
    np.testing.assert_allclose(villages[0].marker.color, lin["hours_to_centre"].astype(float))
    # the On-demand button shows its own villages and its vehicle route
    vis = buttons[2].args[0]["visible"]
    route = next(i for i, t in enumerate(fig.data) if (t.name or "").startswith("On-demand: vehicle"))
    assert vis[route] is True and buttons[0].args[0]["visible"][route] is False
    assert fig.layout.geo.showland is False  # no base map to download


def test_access_heatmap(results) -> None:
    access = synthetic_access()
    fig = plots.access_heatmap(access, "d2d_centre_min")
    hm = fig.data[0]
    assert list(hm.x) == MODELS and list(hm.y) == ["V0", "V1", "V2", "V3"]
    v = access[(access.model == "Rufbus") & (access.village == "V2")]["d2d_centre_min"].iloc[0]
    assert hm.z[2][1] == pytest.approx(v)
    assert "(min)" in fig.layout.title.text
