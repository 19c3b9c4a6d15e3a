"""`transit dispatch` and `transit dispatch add` end to end on the north-bayreuth OSM extract."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from transit.demand.bookings import Booking, read_bookings, write_bookings
from transit.darp.checker import check
from transit.dispatch import read_plan_json, rebuild_problem
from transit.darp.data import StopKind
from transit.road.travel import RoadNetwork

pytestmark = pytest.mark.slow

runner = CliRunner()

FLEET = """\
[service]
pickup_window_min = 15
max_ride_alpha = 1.5
max_ride_beta_min = 15
dwell_min = 1
boarding_min_per_passenger = 0.5

[[vehicle]]
id = "bus"
count = 2
depot_lat = 50.0183
depot_lon = 11.5012
seats = 8
wheelchair = 1
shift_start = "06:00"
shift_end = "22:00"
cost_per_hour = 35
[vehicle.break]
earliest = "11:00"
latest = "14:00"
duration_min = 30

[[vehicle]]
id = "van"
depot_lat = 50.0275
depot_lon = 11.5686
seats = 4
shift_start = "07:00"
shift_end = "19:00"
"""

ITER = "300"  # a small, fixed work budget: fast and reproducible
NOW = 11 * 3600.0


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> dict[str, Path]:
    from transit.demand.generator import generate_bookings
    from transit.demand.params import DemandParams
    from transit.demand.region import region_from_osm
    from transit.road.graph import build_graph, save_graph

    d = tmp_path_factory.mktemp("dispatch")
    osm = shared_dir / "data" / "osm" / "north-bayreuth.osm.gz"
    G = build_graph(osm)
    graph = d / "nb.graphml"
    save_graph(G, graph)
    net = RoadNetwork.from_graph(G)
    params = DemandParams.default().replace(scale=0.8)
    region = region_from_osm(osm, network=net)
    bookings = generate_bookings(region, params, 7)
    assert 20 <= len(bookings) <= 120, len(bookings)
    path = d / "bookings.csv"
    write_bookings(bookings, path, service_date=params.service_date)
    # late bookings: another generated day, renamed, asked for after NOW and booked at NOW
    late = [
        dataclasses.replace(b, request_id=f"late-{i}", time=max(b.time, NOW + 3600.0), booked_at=NOW)
        for i, b in enumerate(generate_bookings(region, params, 8)[:8])
    ]
    late_path = d / "late.csv"
    write_bookings(late, late_path, service_date=params.service_date)
    fleet = d / "fleet.toml"
    fleet.write_text(FLEET, encoding="utf-8")
    return {"dir": d, "graph": graph, "bookings": path, "late": late_path, "fleet": fleet}


def dispatch(world: dict[str, Path], out: Path, *extra: str, bookings: Path | None = None, fleet: Path | None = None):
    args = [
        "dispatch",
        str(bookings or world["bookings"]),
        "--network",
        str(world["graph"]),
        "--fleet",
        str(fleet or world["fleet"]),
        "--out",
        str(out),
        "--iterations",
        ITER,
        *extra,
    ]
    return runner.invoke(app, args)


@pytest.fixture(scope="module")
def planned(world: dict[str, Path]) -> Path:
    out = world["dir"] / "day"
    res = dispatch(world, out)
    assert res.exit_code == 0, res.output
    assert re.search(r"\d+ of \d+ bookings placed · \d+ not served · \d+ of 3 vehicles · [\d.,]+ km · [\d.,]+ vehicle-hours", res.stdout)
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def secs(text: str) -> int:
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def test_every_booking_exactly_once(world: dict[str, Path], planned: Path) -> None:
    ids = [b.request_id for b in read_bookings(world["bookings"])]
    rows = read_csv(planned / "routes.csv")
    unserved = read_csv(planned / "unserved.csv")
    assert all(u["reason"] for u in unserved)
    seen: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        if r["kind"] in ("pickup", "dropoff"):
            seen.setdefault(r["request_id"], []).append((r["kind"], r["vehicle_id"]))
    for rid, visits in seen.items():
        assert sorted(k for k, _ in visits) == ["dropoff", "pickup"], rid
        assert len({v for _, v in visits}) == 1, rid
    assert sorted([*seen, *(u["request_id"] for u in unserved)]) == sorted(ids)
    summary = json.loads((planned / "summary.json").read_text(encoding="utf-8"))
    assert summary["served"] == len(seen) and summary["unserved"] == len(unserved)
    assert summary["bookings"] == len(ids)
    assert summary["checker"] == {"ok": True, "violations": 0}
    assert summary["km"] > 0 and summary["vehicle_hours"] > 0
    assert len(seen) >= 0.8 * len(ids)  # a modest demand for three vehicles: most is served


def test_plan_json_passes_the_checker_on_its_own(world: dict[str, Path], planned: Path) -> None:
    stored = read_plan_json(planned / "plan.json")
    net = RoadNetwork.load(stored.network_path)
    built = rebuild_problem(stored, net)
    assert check(built.problem, stored.plan) == []
    assert {b.request_id for b in stored.bookings} == {b.request_id for b in read_bookings(world["bookings"])}
    assert [v.id for v in stored.fleet.vehicles] == ["bus-1", "bus-2", "van"]
    # every served booking was promised a pickup window containing its planned pickup
    for route in stored.plan.routes:
        for s in route.stops:
            if s.kind == StopKind.PICKUP:
                assert stored.promises[s.request_id].contains(s.start, 1e-6)


def test_routes_csv_format(planned: Path) -> None:
    text = (planned / "routes.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert header == "vehicle_id,seq,kind,request_id,lat,lon,arrival,departure,load,wheelchair_load"
    rows = read_csv(planned / "routes.csv")
    for r in rows:
        assert re.fullmatch(r"\d\d:[0-5]\d:[0-5]\d", r["arrival"]), r
        assert re.fullmatch(r"\d\d:[0-5]\d:[0-5]\d", r["departure"]), r
        assert secs(r["departure"]) >= secs(r["arrival"])
        assert r["kind"] in ("start", "pickup", "dropoff", "break", "end")
        assert (r["request_id"] != "") == (r["kind"] in ("pickup", "dropoff"))
        assert 49.9 < float(r["lat"]) < 50.1 and 11.4 < float(r["lon"]) < 11.7
        assert int(r["load"]) >= 0 and int(r["wheelchair_load"]) >= 0
    by_vehicle: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_vehicle.setdefault(r["vehicle_id"], []).append(r)
    for stops in by_vehicle.values():
        assert [int(s["seq"]) for s in stops] == list(range(len(stops)))
        assert stops[0]["kind"] == "start" and stops[-1]["kind"] == "end"
        assert stops[-1]["load"] == "0"
        if any(s["kind"] == "pickup" for s in stops) and stops[0]["vehicle_id"].startswith("bus"):
            assert sum(s["kind"] == "break" for s in stops) == 1


def test_geojson_is_readable_and_follows_roads(planned: Path) -> None:
    gpd = pytest.importorskip("geopandas")
    gdf = gpd.read_file(planned / "routes.geojson")
    lines = gdf[gdf.geometry.geom_type == "LineString"]
    points = gdf[gdf.geometry.geom_type == "Point"]
    rows = read_csv(planned / "routes.csv")
    assert len(points) == len(rows)
    assert set(lines["vehicle_id"]) == {r["vehicle_id"] for r in rows}
    assert (gdf["attribution"] == "© OpenStreetMap contributors").all()
    # RFC 7946: x is longitude, y latitude
    assert points.geometry.x.between(11.4, 11.7).all() and points.geometry.y.between(49.9, 50.1).all()
    for _, line in lines.iterrows():
        # the line follows the roads: far more vertices than stops, and its length is
        # close to the km driven (degrees to km at this latitude, roughly)
        n_stops = sum(r["vehicle_id"] == line["vehicle_id"] for r in rows)
        assert len(line.geometry.coords) > n_stops
    summary = json.loads((planned / "summary.json").read_text(encoding="utf-8"))
    km = {v["vehicle_id"]: v["km"] for v in summary["per_vehicle"]}
    metric = lines.set_crs(4326).to_crs(32632)
    for (_, line), length in zip(lines.iterrows(), metric.geometry.length):
        assert length / 1000.0 == pytest.approx(km[line["vehicle_id"]], rel=0.05)


def test_manifests_list_every_stop(planned: Path) -> None:
    html = (planned / "manifests.html").read_text(encoding="utf-8")
    rows = read_csv(planned / "routes.csv")
    assert "@media print" in html and "page-break-after: always" in html
    assert html.count("© OpenStreetMap contributors") >= 3
    sections = re.findall(r'<section class="manifest" id="v-([^"]+)">(.*?)</section>', html, flags=re.S)
    assert [s[0] for s in sections] == ["bus-1", "bus-2", "van"]
    for vid, body in sections:
        stops = [r for r in rows if r["vehicle_id"] == vid]
        assert body.count("<tr class=") == len(stops)
        for r in stops:
            if r["request_id"]:
                what = "Pick up" if r["kind"] == "pickup" else "Drop off"
                assert re.search(
                    rf"<td>{what}</td><td><strong>{re.escape(r['request_id'])}</strong><br>\d+ (person|people)", body
                )
            hm = r["arrival"][:5]
            assert f'<td class="t">{hm}</td>' in body
    # places are named from the OSM data, not only coordinates
    assert "Neudrossenfeld" in html


def test_same_inputs_and_seed_give_identical_outputs(world: dict[str, Path], planned: Path) -> None:
    again = world["dir"] / "again"
    res = dispatch(world, again)
    assert res.exit_code == 0, res.output
    for name in ("routes.csv", "unserved.csv", "routes.geojson", "manifests.html", "summary.json", "plan.json",
                 "changes.csv", "notices.csv", "notices.html"):
        assert (again / name).read_bytes() == (planned / name).read_bytes(), name


def test_existing_output_refused_without_force(world: dict[str, Path], planned: Path) -> None:
    before = (planned / "routes.csv").read_bytes()
    res = dispatch(world, planned)
    assert res.exit_code == 2
    assert "output exists; use --force" in res.output
    assert (planned / "routes.csv").read_bytes() == before
    forced = world["dir"] / "forced"
    forced.mkdir()
    (forced / "old.txt").write_text("x", encoding="utf-8")
    res = runner.invoke(
        app,
        [
            "dispatch",
            "plan",  # the explicit sub-command works as well
            str(world["bookings"]),
            "--network",
            str(world["graph"]),
            "--fleet",
            str(world["fleet"]),
            "--out",
            str(forced),
            "--iterations",
            ITER,
            "--force",
        ],
    )
    assert res.exit_code == 0, res.output
    assert not (forced / "old.txt").exists()
    assert (forced / "routes.csv").read_bytes() == before


def test_bad_bookings_exit_2_and_write_nothing(world: dict[str, Path]) -> None:
    bad = world["dir"] / "bad.csv"
    text = world["bookings"].read_text(encoding="utf-8").splitlines()
    cols = text[1].split(",")
    cols[1] = "fifty"  # pickup_lat
    text[1] = ",".join(cols)
    text.append(text[2])  # a duplicate request_id
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = world["dir"] / "bad-out"
    res = dispatch(world, out, bookings=bad)
    assert res.exit_code == 2
    assert f"{bad}:2: pickup_lat: 'fifty' is not a number" in res.output
    assert "duplicate request_id" in res.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("seats = 4", "seet = 4"), "vehicle[2]: unknown key 'seet' (did you mean 'seats'?)"),
        (lambda t: t.replace("seats = 4", 'seats = "four"'), "vehicle[2].seats: must be a whole number"),
        (lambda t: t.replace('shift_end = "19:00"', 'shift_end = "late"'), "vehicle[2].shift_end: 'late' is not a time"),
        (lambda t: t.replace("[[vehicle]]\nid = \"bus\"", "[[vehicle]\nid = \"bus\""), "not a valid TOML file"),
    ],
)
def test_bad_fleet_exit_2_and_write_nothing(world: dict[str, Path], edit, message: str) -> None:
    fleet = world["dir"] / "bad-fleet.toml"
    fleet.write_text(edit(FLEET), encoding="utf-8")
    out = world["dir"] / "fleet-out"
    res = dispatch(world, out, fleet=fleet)
    assert res.exit_code == 2, res.output
    assert f"{fleet}: " in res.output and message in res.output
    assert not out.exists()


def test_missing_fleet_file(world: dict[str, Path]) -> None:
    out = world["dir"] / "nofleet-out"
    missing = world["dir"] / "nope.toml"
    res = dispatch(world, out, fleet=missing)
    assert res.exit_code == 2
    assert f"{missing}: fleet file not found" in res.output
    assert not out.exists()


@pytest.fixture(scope="module")
def added(world: dict[str, Path], planned: Path) -> Path:
    out = world["dir"] / "day2"
    res = runner.invoke(
        app,
        [
            "dispatch",
            "add",
            str(world["late"]),
            "--plan",
            str(planned / "plan.json"),
            "--out",
            str(out),
            "--now",
            "11:00",
            "--iterations",
            ITER,
        ],
    )
    assert res.exit_code == 0, res.output
    assert re.search(r"new bookings: \d+ of 8 served", res.stdout)
    return out


def test_add_keeps_done_stops_and_promises(planned: Path, added: Path) -> None:
    old = read_plan_json(planned / "plan.json")
    new = read_plan_json(added / "plan.json")
    assert new.now == NOW
    net = RoadNetwork.load(new.network_path)
    assert check(rebuild_problem(new, net).problem, new.plan) == []
    new_routes = {r.vehicle_id: r for r in new.plan.routes}
    n_done = 0
    for route in old.plan.routes:
        done = [s for s in route.stops if s.departure < NOW]
        n_done += len(done)
        assert new_routes[route.vehicle_id].stops[: len(done)] == tuple(done)
        # passengers on board at NOW are dropped off by the same vehicle
        picked = {s.request_id for s in done if s.kind == StopKind.PICKUP}
        dropped = {s.request_id for s in done if s.kind == StopKind.DROPOFF}
        later = {s.request_id for s in new_routes[route.vehicle_id].stops if s.kind == StopKind.DROPOFF}
        assert picked - dropped <= later
    assert n_done > 0  # the test means something: part of the day is done at 11:00
    # every earlier promise is still served, inside its promised window
    pickups = {s.request_id: s.start for r in new.plan.routes for s in r.stops if s.kind == StopKind.PICKUP}
    for rid, window in old.promises.items():
        assert rid in pickups, rid
        assert window.contains(pickups[rid], 1e-6), rid
        assert new.promises[rid] == window
    # earlier rejections stay, each late booking is served or rejected exactly once
    assert old.plan.rejected_ids <= new.plan.rejected_ids
    late = {f"late-{i}" for i in range(8)}
    assert late <= new.plan.served_ids | new.plan.rejected_ids
    assert not (new.plan.served_ids & new.plan.rejected_ids)
    assert len(new.bookings) == len(old.bookings) + 8


def test_add_rejects_clashing_ids(world: dict[str, Path], planned: Path) -> None:
    clash = world["dir"] / "clash.csv"
    first = read_bookings(world["bookings"])[:2]
    write_bookings(
        [dataclasses.replace(b, time=NOW + 7200, booked_at=None) for b in first]
        + [Booking("fresh", *(first[0].pickup_lat, first[0].pickup_lon, first[0].dropoff_lat, first[0].dropoff_lon), NOW + 7200)],
        clash,
    )
    out = world["dir"] / "clash-out"
    res = runner.invoke(
        app,
        ["dispatch", "add", str(clash), "--plan", str(planned / "plan.json"), "--out", str(out), "--now", "11:00"],
    )
    assert res.exit_code == 2
    assert f"request_id already used in the plan {planned / 'plan.json'}: '{first[0].request_id}', '{first[1].request_id}'" in res.output
    assert not out.exists()


def test_a_plan_failing_the_checker_is_never_written(world: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import transit.solver

    real = transit.solver.solve

    def overloading_solver(problem, **kw):
        plan = real(problem, **kw)
        routes = tuple(
            r.replace(stops=tuple(s.replace(load=s.load + 9) for s in r.stops)) for r in plan.routes
        )
        return plan.replace(routes=routes)

    monkeypatch.setattr(transit.solver, "solve", overloading_solver)
    out = world["dir"] / "never"
    res = dispatch(world, out)
    assert res.exit_code == 3
    assert "internal error: the plan fails the independent check" in res.output
    assert "Nothing was written" in res.output
    assert not out.exists()


def test_each_command_runs_the_checker_once(world: dict[str, Path], planned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transit.dispatch.planning as planning

    calls = []
    real = planning.check

    def counting(problem, plan, **kw):
        calls.append(len(problem.requests))
        return real(problem, plan, **kw)

    monkeypatch.setattr(planning, "check", counting)
    res = dispatch(world, world["dir"] / "once")
    assert res.exit_code == 0, res.output
    assert len(calls) == 1
    res = runner.invoke(
        app,
        ["dispatch", "add", str(world["late"]), "--plan", str(planned / "plan.json"),
         "--out", str(world["dir"] / "once-add"), "--now", "11:00", "--iterations", ITER],
    )
    assert res.exit_code == 0, res.output
    assert len(calls) == 2


def test_a_group_larger_than_every_vehicle_is_rejected_with_the_reason(world: dict[str, Path]) -> None:
    """A generated school day holds classes of pupils: dispatch plans the rest and turns the class away."""
    from transit.demand.bookings import read_bookings_file

    file = read_bookings_file(world["bookings"])
    rows = list(file.bookings)
    group = dataclasses.replace(rows[0], request_id="class-5b", passengers=24)
    path = world["dir"] / "with-class.csv"
    write_bookings([*rows, group], path, service_date=file.service_date)
    out = world["dir"] / "day-class"
    res = dispatch(world, out, "--lang", "de", bookings=path)
    assert res.exit_code == 0, res.output
    unserved = {u["request_id"]: u["reason"] for u in read_csv(out / "unserved.csv")}
    assert unserved["class-5b"] == "größer als jedes Fahrzeug (Sitz- oder Rollstuhlplätze)"
    routes = read_csv(out / "routes.csv")
    assert "class-5b" not in {r["request_id"] for r in routes}
    served = {r["request_id"] for r in routes if r["kind"] == "pickup"}
    assert len(served) + len(unserved) == len(rows) + 1 and len(served) >= 0.8 * len(rows)
