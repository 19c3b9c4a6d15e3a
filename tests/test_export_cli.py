"""`transit export gtfs` and `transit instance build-from-stops`; the Uckermark RufBus example runs from its feed."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from transit.compare.run import run_comparison
from transit.compare.scenario import load_scenario
from transit.district.stopnet import stop_network, stops_of_feed
from transit.road.graph import build_graph
from transit.road.travel import RoadNetwork
from transit.timetable.flex import read_flex

REPO = Path(__file__).resolve().parents[1]
DEFAULT = str(REPO / "instances" / "default" / "scenario.toml")


def test_export_writes_a_feed_that_reads_back(tmp_path: Path) -> None:
    agency = tmp_path / "agency.toml"
    agency.write_text('agency_name = "VGS"\nagency_url = "https://vgs.example.de/"\nbooking_phone = "+49 1"\n',
                      encoding="utf-8")
    out = tmp_path / "rufbus.zip"
    res = CliRunner().invoke(app, ["export", "gtfs", DEFAULT, "--model", "Rufbus", "--out", str(out),
                                   "--agency", str(agency)])
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(out) as zf:
        n_routes = len(zf.read("routes.txt").decode().strip().splitlines()) - 1
        n_trips = len(zf.read("trips.txt").decode().strip().splitlines()) - 1
        assert n_routes >= 1 and n_trips >= n_routes
        assert f"{n_routes} routes, {n_trips} trips" in res.output  # the summary line tells what the feed holds
        assert "VGS" in zf.read("agency.txt").decode()
        assert set(zf.namelist()) >= {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt",
                                      "calendar.txt", "shapes.txt", "booking_rules.txt", "feed_info.txt"}


@pytest.mark.parametrize(("args", "expected"), [
    (["--model", "Nope"], "no model named 'Nope' in"),
    (["--model", "Nope"], "(models: 'Linienbus', 'Rufbus', 'AST', 'On-demand'"),
    (["--model", "Rufbus", "--agency", "missing.toml"], "missing.toml"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, args: list[str], expected: str) -> None:
    out = tmp_path / "feed.zip"
    res = CliRunner().invoke(app, ["export", "gtfs", DEFAULT, "--out", str(out), *args])
    assert res.exit_code == 2, res.output
    assert expected in res.output
    assert list(tmp_path.iterdir()) == []


def test_bad_agency_key_and_existing_output(tmp_path: Path) -> None:
    agency = tmp_path / "agency.toml"
    agency.write_text('agency_nam = "x"\n', encoding="utf-8")
    out = tmp_path / "feed.zip"
    res = CliRunner().invoke(app, ["export", "gtfs", DEFAULT, "--model", "Rufbus", "--out", str(out),
                                   "--agency", str(agency)])
    assert res.exit_code == 2 and "unknown key 'agency_nam'" in res.output
    out.write_bytes(b"keep me")
    res = CliRunner().invoke(app, ["export", "gtfs", DEFAULT, "--model", "Rufbus", "--out", str(out)])
    assert res.exit_code == 2 and "--force" in res.output
    assert out.read_bytes() == b"keep me"


@pytest.fixture(scope="module")
def uvg(shared_dir: Path) -> Path:
    return shared_dir / "data" / "gtfs" / "uvg-rufbus-flex"


def test_stop_network_puts_every_stop_on_a_connected_road_network(uvg: Path, tmp_path: Path) -> None:
    stops = stops_of_feed(str(uvg))
    osm = tmp_path / "net.osm"
    osm.write_text(stop_network(stops), encoding="utf-8")
    net = RoadNetwork.from_graph(build_graph(osm))
    lat = np.array([s.lat for s in stops])
    lon = np.array([s.lon for s in stops])
    snapped = net.snap_distances(lat, lon)
    assert snapped.distance_m.max() < 160.0  # platforms merge within 150 m
    t, _ = net.matrix(np.unique(snapped.node), np.unique(snapped.node))
    assert np.isfinite(t).all()  # every stop reaches every other
    assert stop_network(stops) == osm.read_text(encoding="utf-8")  # deterministic


def test_the_bundled_network_is_the_one_the_feed_gives(uvg: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["instance", "build-from-stops", str(uvg), "--out", str(tmp_path / "uck")])
    assert res.exit_code == 0, res.output
    bundled = REPO / "instances" / "uckermark-flex" / "district.osm.gz"
    assert (tmp_path / "uck" / "district.osm.gz").read_bytes() == bundled.read_bytes()


@pytest.mark.slow
def test_uckermark_rufbus_runs_from_its_feed() -> None:
    sc = load_scenario(REPO / "instances" / "examples" / "uckermark-flex.toml")
    flex = sc.model("RufBus (GTFS-Flex)").parsed.flex
    assert read_flex(flex.source).service(sc.date).groups  # read from ../shared at run time
    assert sc.date == dt.date(2023, 6, 10)
    comp = run_comparison(sc, seeds=[1], access=False)
    trips = comp.trips
    rb = trips[trips["model"] == "RufBus (GTFS-Flex)"]
    served = rb["reason"].fillna("") == ""
    assert served.sum() > 10
    reasons = rb.loc[~served, "reason"]
    assert reasons.str.startswith("outside the service area (no GTFS-Flex").any()
    assert reasons.str.contains("the flex service needs 60 min notice").any()
    # The buses run only in the windows (08:00-22:00 and 08:00-20:00): nobody boards before 08:00.
    assert pd.to_numeric(rb.loc[served, "board_time"]).min() >= 8 * 3600
    other = trips[trips["model"] == "Same buses, no Flex rules"]
    assert len(other) == len(rb) and (other["reason"].fillna("") == "").sum() > served.sum()
