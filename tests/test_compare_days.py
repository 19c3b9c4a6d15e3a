"""Several weekdays in one run (`--days N`): the calendar, day 1 = the single day, week totals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from transit.compare.days import day_seed, join_runs, service_days
from transit.compare.scenario import load_scenario
from transit.errors import InputErrors


def test_service_days_are_consecutive_weekdays() -> None:
    tue = dt.date(2025, 3, 4)
    assert service_days(tue, 5) == [dt.date(2025, 3, d) for d in (4, 5, 6, 7, 10)]
    assert service_days(tue, 1) == [tue]
    assert service_days(None, 3) == [None, None, None]


def test_day_one_keeps_the_seed_and_later_days_differ() -> None:
    assert day_seed(7, 0) == 7
    seeds = {day_seed(7, d) for d in range(1, 6)}
    assert len(seeds) == 5 and day_seed(7, 3) == day_seed(7, 3)


def test_joined_runs_tag_vehicles_and_days_and_sum_info() -> None:
    from transit.opmodels.base import ModelRun
    from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS

    def run(vehicle: str, hours: float) -> ModelRun:
        trips = pd.DataFrame([{c: None for c in TRIP_COLUMNS} | {"request_id": "r1@x", "vehicle_id": vehicle}])
        stops = pd.DataFrame([{c: None for c in STOP_COLUMNS} | {"vehicle_id": vehicle.split("+")[0]}])
        return ModelRun("m", "buergerbus", trips, stops, info={"driver_hours_rostered": hours, "label": "x"})

    joined = join_runs([run("bb", 10.0), run("t1+t2", 9.5)], ["2025-03-04", "2025-03-05"])
    assert joined.trips["vehicle_id"].tolist() == ["bb@2025-03-04", "t1@2025-03-05+t2@2025-03-05"]
    assert joined.stops["vehicle_id"].tolist() == ["bb@2025-03-04", "t1@2025-03-05"]
    assert joined.trips["day"].tolist() == ["2025-03-04", "2025-03-05"]
    assert joined.info == {"driver_hours_rostered": 19.5, "days": 2.0}


def test_days_is_a_scenario_key_checked_like_the_others(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    p.write_text('[scenario]\ndays = 0\n[region]\ninstance = "default"\n[[models]]\nname = "L"\nkind = "fixed_line"\n',
                 encoding="utf-8")
    with pytest.raises(InputErrors) as err:
        load_scenario(p)
    assert f"{p}: scenario.days: must be >= 1, got 0" in str(err.value)


WEEK = """
[scenario]
name = "Week"
seeds = 1
[region]
instance = "default"
[demand.generator]
scale = 0.15
[access]
enabled = false
[precision]
enabled = false   # exactly the scenario's seed: the loop would add seeds by each run's own KPIs
[[models]]
name = "Linienbus"
kind = "fixed_line"
[[models]]
name = "Bürgerbus"
kind = "buergerbus"
service_hours = ["08:00", "18:00"]
roster = [{ vehicle = "bb", start = "07:45", end = "12:45" }, { vehicle = "bb", start = "13:00", end = "18:15" }]
[models.fleet]
[[models.fleet.vehicle]]
id = "bb"
depot_lat = 51.6576244
depot_lon = 11.4367837
seats = 8
shift_start = "07:45"
shift_end = "18:15"
"""


@pytest.mark.slow
def test_a_week_in_one_run_starts_with_the_single_day(tmp_path: Path) -> None:
    from transit.compare.run import run_comparison

    p = tmp_path / "week.toml"
    p.write_text(textwrap.dedent(WEEK), encoding="utf-8")
    sc = load_scenario(p)
    one = run_comparison(sc, access=False)
    week = run_comparison(dataclasses.replace(sc, days=3), access=False)
    k1 = one.kpis.set_index("model")
    kw = week.kpis.set_index("model")
    # day 1 of the week is the single day: same bookings, same decisions, same vehicle log
    first = week.trips[week.trips["day"] == "2025-03-04"].reset_index(drop=True)
    assert first["request_id"].str.removesuffix("@2025-03-04").tolist() == one.trips["request_id"].tolist()
    cols = ["model", "status", "reason", "board_time", "alight_time"]
    pd.testing.assert_frame_equal(first[cols], one.trips[cols])
    # the week: three weekdays of bookings, each booking once, volunteer hours of three rosters
    assert sorted(week.trips["day"].unique()) == ["2025-03-04", "2025-03-05", "2025-03-06"]
    assert kw.loc["Bürgerbus", "requests"] == week.trips[week.trips["model"] == "Bürgerbus"]["request_id"].nunique()
    assert kw.loc["Bürgerbus", "requests"] > 2 * k1.loc["Bürgerbus", "requests"]
    assert kw.loc["Bürgerbus", "info_driver_hours_rostered"] == pytest.approx(3 * 10.25)
    assert kw.loc["Bürgerbus", "info_days"] == 3
    assert kw.loc["Bürgerbus", "cost_total"] > 2 * k1.loc["Bürgerbus", "cost_total"]
    shares = week.trips.assign(ok=week.trips["status"] == "served").groupby("model")["ok"].mean()
    assert kw.loc["Linienbus", "served_share"] == pytest.approx(shares["Linienbus"])


@pytest.mark.slow
def test_compare_days_option(tmp_path: Path) -> None:
    p = tmp_path / "week.toml"
    p.write_text(textwrap.dedent(WEEK), encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["compare", str(p), "--out", str(out), "--days", "2"])
    assert res.exit_code == 0, res.output
    assert "2 models x 1 seed x 2 weekdays" in res.output
    trips = pd.read_csv(out / "trips.csv")
    assert sorted(trips["day"].unique()) == ["2025-03-04", "2025-03-05"]
    assert pd.read_csv(out / "kpis.csv")["info_days"].tolist() == [2.0, 2.0]


@pytest.mark.slow
def test_a_week_serves_every_days_school_trips_on_the_school_buses(tmp_path: Path) -> None:
    """With school buses and several days, each day's pupils ride the school buses, never the models."""
    from transit.compare.run import run_comparison
    from transit.demand import is_school_trip

    p = tmp_path / "week.toml"
    text = textwrap.dedent(WEEK).replace("[[models]]", '[school]\nservices = ["SCHOOL"]\n\n[[models]]', 1)
    p.write_text(text, encoding="utf-8")
    sc = load_scenario(p)
    sc = dataclasses.replace(sc, models=sc.models[:1])  # the fixed line only
    one = run_comparison(sc, access=False)
    week = run_comparison(dataclasses.replace(sc, days=2), access=False)
    assert one.school is not None and week.school is not None
    day1 = int(one.school["requests"].iloc[0])
    both = int(week.school["requests"].iloc[0])
    assert day1 > 0 and both > day1  # the second weekday's pupils too
    assert week.school["info_days"].tolist() == [2.0]
    purposes = week.trips["purpose"]
    assert purposes.notna().all() and purposes.astype(str).str.len().gt(0).all()
    assert not purposes.map(is_school_trip).any()  # no school trip reached the model
    assert "school_bus" not in set(week.kpis["kind"])
    assert "cost_per_passenger_with_school" in week.kpis.columns
