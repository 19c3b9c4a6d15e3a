"""A dispatcher's scripted day through the CLI on real OSM data (north-bayreuth).

Plan at the cut-off, then at 08:30 three cancellations, a no-show at its
pickup, a breakdown of the vehicle carrying the long ride "across" while it is
under way (about 10:45; the time is taken from the plan) and two late bookings
at 11:30 (one a return trip after a vehicle's last ride). After every step:
the independent checker accepts the stored plan, every booking appears
exactly once, every promise not kept is in changes.csv, and stops done
before the update never change. The manifests are rendered in German and
English in headless Chromium (screenshots in artifacts/), and the Arabic
passenger notices are checked to run right to left there.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chromium_render import dump_dom, find_chromium, screenshot
from cli import app
from transit.darp.checker import check
from transit.darp.data import StopKind
from transit.demand.bookings import write_bookings
from transit.dispatch import read_plan_json, rebuild_problem
from transit.road.travel import RoadNetwork

pytestmark = pytest.mark.slow

runner = CliRunner()
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ITER = "300"

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
cost_per_hour = 37
cost_per_km = 0.3
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
cost_per_hour = 37
cost_per_km = 0.3
"""


def secs(text: str) -> float:
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600.0 + m * 60 + s


def hm(t: float) -> str:
    t = int(round(t))
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> dict[str, Path]:
    from transit.demand.generator import generate_bookings
    from transit.demand.params import DemandParams
    from transit.demand.region import region_from_osm
    from transit.road.graph import build_graph, save_graph

    d = tmp_path_factory.mktemp("dispatchday")
    osm = shared_dir / "data" / "osm" / "north-bayreuth.osm.gz"
    G = build_graph(osm)
    save_graph(G, d / "nb.graphml")
    net = RoadNetwork.from_graph(G)
    params = DemandParams.default().replace(scale=1.0)
    region = region_from_osm(osm, network=net)
    bookings = generate_bookings(region, params, 7)
    assert 40 <= len(bookings) <= 150, len(bookings)
    bookings = [
        dataclasses.replace(b, name=f"Fahrgast {i}", phone=f"+49 921 {1000 + i}", notes="Rollator" if i % 5 == 0 else "")
        for i, b in enumerate(bookings)
    ]
    # a long ride across the region, under way when its vehicle breaks down (see scripted)
    far = max(
        ((a, b) for a in bookings for b in bookings),
        key=lambda ab: (ab[0].pickup_lat - ab[1].dropoff_lat) ** 2 + (ab[0].pickup_lon - ab[1].dropoff_lon) ** 2,
    )
    bookings.append(
        dataclasses.replace(
            far[0], request_id="across", dropoff_lat=far[1].dropoff_lat, dropoff_lon=far[1].dropoff_lon,
            time=10 * 3600 + 40 * 60, time_type="departure", booked_at=6 * 3600.0, wheelchair=0, passengers=2,
        )
    )
    write_bookings(bookings, d / "bookings.csv", service_date=params.service_date)
    late = [dataclasses.replace(b, request_id="late-0", booked_at=11.5 * 3600) for b in generate_bookings(region, params, 8)[:1]]
    (d / "fleet.toml").write_text(FLEET, encoding="utf-8")
    return {"dir": d, "graph": d / "nb.graphml", "bookings": d / "bookings.csv", "late": d / "late.csv",
            "late_bookings": late, "service_date": params.service_date, "fleet": d / "fleet.toml", "net": net}


def cli(*args: str) -> str:
    res = runner.invoke(app, ["dispatch", *args, "--iterations", ITER])
    assert res.exit_code == 0, res.output
    return res.stdout


def check_step(world, before: Path | None, after: Path, now: float | None) -> None:
    """The invariants of every step (see the module docstring)."""
    stored = read_plan_json(after / "plan.json")
    problem = rebuild_problem(stored, world["net"]).problem
    assert check(problem, stored.plan) == []
    # every booking (and leg) exactly once: in routes.csv (served / no-show) or unserved.csv
    routes, unserved = read_csv(after / "routes.csv"), read_csv(after / "unserved.csv")
    in_routes = {r["request_id"] for r in routes if r["request_id"]}
    in_unserved = [r["request_id"] for r in unserved]
    assert len(in_unserved) == len(set(in_unserved)) and not in_routes & set(in_unserved)
    assert in_routes | set(in_unserved) == {r.id for r in problem.requests}
    for rid in in_routes:
        kinds = [r["kind"] for r in routes if r["request_id"] == rid]
        assert sorted(kinds) in (["dropoff", "pickup"], ["noshow"]), (rid, kinds)
    if before is None:
        return
    old = read_plan_json(before / "plan.json")
    assert len(stored.history) == len(old.history) + 1  # the history is kept in plan.json
    # done stops never change
    new_routes = {r.vehicle_id: r for r in stored.plan.routes}
    for r in old.plan.routes:
        done = tuple(s for s in r.stops if s.departure < now)
        assert new_routes[r.vehicle_id].stops[: len(done)] == done, r.vehicle_id
    # every promise not kept is listed with its reason
    changes = {c["request_id"]: c for c in read_csv(after / "changes.csv")}
    pick = {s.request_id: (r.vehicle_id, s.start) for r in stored.plan.routes for s in r.stops if s.kind == StopKind.PICKUP}
    old_vehicle = {s.request_id: r.vehicle_id for r in old.plan.routes for s in r.stops if s.kind == StopKind.PICKUP}
    for rid, w in old.promises.items():
        kept = rid in pick and stored.promises.get(rid) == w and w.contains(pick[rid][1], 1e-6)
        if not kept or pick[rid][0] != old_vehicle.get(rid):
            assert rid in changes and changes[rid]["reason"], rid
        if not kept and rid not in stored.status:
            assert changes[rid]["promise_broken"] == "yes", rid


def write_late(world, stored) -> None:
    """Write the late bookings made at 11:30: one for 12:30 and the return trip of a vehicle's last ride of the day.

    The return trip (from that ride's destination, five minutes after its drop-off, back to its
    origin) is chosen so that the vehicle, standing there with time left in its shift, can take it:
    the late step changes at least one manifest.
    """
    problem = rebuild_problem(stored, world["net"]).problem
    bookings = {b.request_id: b for b in stored.bookings}
    ret = None
    for r in stored.plan.routes:
        if r.vehicle_id in stored.vehicles_out or len(r.stops) < 3 or r.stops[-1].kind != StopKind.END:
            continue
        drop, end = r.stops[-2], r.stops[-1]
        if drop.kind != StopKind.DROPOFF or drop.departure < 12 * 3600:
            continue
        req, v = problem.request(drop.request_id), problem.vehicle(r.vehicle_id)
        t = drop.departure + 300
        back = t + 15 * 60 + 2 * req.service_time + problem.travel_time[req.dropoff, req.pickup] + problem.travel_time[req.pickup, v.end_depot]
        if back + 600 <= v.shift.latest:
            b = bookings[drop.request_id]
            ret = dataclasses.replace(
                b, request_id="late-1", pickup_lat=b.dropoff_lat, pickup_lon=b.dropoff_lon, dropoff_lat=b.pickup_lat,
                dropoff_lon=b.pickup_lon, time=t, time_type="departure", passengers=1, wheelchair=0, booked_at=11.5 * 3600,
            )
            break
    assert ret is not None, "no vehicle ends its day with time left in its shift for a return trip"
    first = world["late_bookings"][0]
    write_bookings([dataclasses.replace(first, time=max(first.time, 12.5 * 3600)), ret], world["late"], service_date=world["service_date"])


@pytest.fixture(scope="module")
def scripted(world) -> dict[str, Path]:
    d = world["dir"]
    out = {"plan": d / "day0"}
    text = cli(str(world["bookings"]), "--network", str(world["graph"]), "--fleet", str(world["fleet"]), "--out", str(out["plan"]))
    assert re.search(r"\d+ of \d+ bookings placed", text)
    check_step(world, None, out["plan"], None)
    # 08:30: three passengers cancel
    rows = read_csv(out["plan"] / "routes.csv")
    later = [r["request_id"] for r in rows if r["kind"] == "pickup" and secs(r["arrival"]) > 9.5 * 3600 and r["request_id"] != "across"]
    (d / "cancel.csv").write_text(
        "event,request_id,time,note\n" + "".join(f"cancel,{rid},08:2{k},\n" for k, rid in enumerate(later[:3])), encoding="utf-8"
    )
    out["cancel"] = d / "day1"
    cli("update", "--plan", str(out["plan"] / "plan.json"), "--events", str(d / "cancel.csv"), "--now", "08:30", "--out", str(out["cancel"]))
    check_step(world, out["plan"], out["cancel"], 8.5 * 3600)
    # a no-show, recorded at its pickup once the promised window is open
    stored = read_plan_json(out["cancel"] / "plan.json")
    cand = sorted(
        (max(s.start, stored.promises[s.request_id].earliest), s.request_id)
        for r in stored.plan.routes for s in r.stops
        if s.kind == StopKind.PICKUP and 9.5 * 3600 < s.start < 10.5 * 3600
    )
    t_ns, rid_ns = cand[0]
    out["noshow"] = d / "day2"
    now_ns = hm(t_ns + 60)
    cli("noshow", rid_ns, "--plan", str(out["cancel"] / "plan.json"), "--now", now_ns, "--out", str(out["noshow"]))
    check_step(world, out["cancel"], out["noshow"], secs(now_ns + ":00"))
    out["noshow_id"] = rid_ns  # type: ignore[assignment]
    # the vehicle carrying "across" breaks down while the ride is under way (a minute after boarding)
    stored = read_plan_json(out["noshow"] / "plan.json")
    busy = next(r for r in stored.plan.routes if any(s.request_id == "across" for s in r.stops))
    board, arrive = (s for s in busy.stops if s.request_id == "across")
    t_out = 60.0 * math.ceil(board.departure / 60 + 1)
    assert secs(now_ns + ":00") <= t_out < arrive.start, (hm(board.departure), hm(arrive.start))
    (d / "breakdown.csv").write_text(f"event,vehicle_id,time,note\nvehicle_out,{busy.vehicle_id},{hm(t_out)},Motorschaden\n", encoding="utf-8")
    out["breakdown"] = d / "day3"
    text = cli("update", "--plan", str(out["noshow"] / "plan.json"), "--events", str(d / "breakdown.csv"), "--now", hm(t_out), "--out", str(out["breakdown"]))
    assert "events: 1 applied" in text
    check_step(world, out["noshow"], out["breakdown"], t_out)
    out["broken"] = busy.vehicle_id  # type: ignore[assignment]
    out["t_out"] = t_out  # type: ignore[assignment]
    picked = {s.request_id for s in busy.stops if s.kind == StopKind.PICKUP and s.departure < t_out}
    out["on_board"] = picked - {s.request_id for s in busy.stops if s.kind == StopKind.DROPOFF and s.start <= t_out}  # type: ignore[assignment]
    write_late(world, read_plan_json(out["breakdown"] / "plan.json"))
    # 11:30: late bookings, the day written in German
    out["late"] = d / "day4"
    text = cli("add", str(world["late"]), "--plan", str(out["breakdown"] / "plan.json"), "--now", "11:30", "--out", str(out["late"]), "--lang", "de")
    assert re.search(r"neue Buchungen: \d von 2 bedient", text) and "Buchungen eingeplant" in text
    check_step(world, out["breakdown"], out["late"], 11.5 * 3600)
    return out


def test_the_day_goes_through(world, scripted) -> None:
    cancelled = [c for c in read_csv(scripted["cancel"] / "changes.csv") if c["change"] == "cancelled"]
    assert len(cancelled) == 3
    ns = [c for c in read_csv(scripted["noshow"] / "changes.csv") if c["change"] == "noshow"]
    assert [c["request_id"] for c in ns] == [scripted["noshow_id"]]
    broken = read_csv(scripted["breakdown"] / "changes.csv")
    assert broken and all(c["reason"] for c in broken)
    t_out = scripted["t_out"]
    assert any(f"vehicle {scripted['broken']} out of service from {hm(t_out)} (Motorschaden)" in c["reason"] for c in broken)
    after = read_plan_json(scripted["breakdown"] / "plan.json")
    route = after.plan.route(scripted["broken"]).stops
    assert route[-1].kind == StopKind.END and all(s.start < t_out or s.kind in (StopKind.DROPOFF, StopKind.END) for s in route)
    # nobody on board is lost: each passenger on board at the breakdown has a second leg served, or is listed for a taxi
    assert "across" in scripted["on_board"]  # the breakdown strands passengers (the ride "across" is under way)
    assert "across" in after.legs.values() and {c["change"] for c in broken} & {"transfer", "dropped"}
    for lid, base in after.legs.items():
        assert lid in after.plan.served_ids or "send a taxi" in {x.request_id: x.reason for x in after.plan.rejected}[lid]
        assert base in after.plan.served_ids
    de = read_csv(scripted["late"] / "changes.csv")
    assert {c["change"] for c in de} >= {"new"} or {c["change"] for c in de} >= {"rejected"}
    assert all(c["reason"] for c in de)
    summary = (scripted["late"] / "summary.json").read_text(encoding="utf-8")
    assert '"operating_cost": null' not in summary and '"cancelled": 3' in summary and '"noshow": 1' in summary


def test_one_cancellation_moves_nobody_unless_said_why(world, scripted, tmp_path: Path) -> None:
    plan = scripted["plan"] / "plan.json"
    rows = read_csv(scripted["plan"] / "routes.csv")
    rid = next(r["request_id"] for r in rows if r["kind"] == "pickup" and secs(r["arrival"]) > 10 * 3600)
    vehicle_before = {r["request_id"]: r["vehicle_id"] for r in rows if r["kind"] == "pickup"}
    for extra, name in (((), "keep"), (("--allow-moves",), "moves")):
        out = tmp_path / name
        cli("cancel", rid, "--plan", str(plan), "--now", "09:00", "--out", str(out), *extra)
        check_step(world, scripted["plan"], out, 9 * 3600)
        changes = {c["request_id"]: c for c in read_csv(out / "changes.csv")}
        after = {r["request_id"]: r["vehicle_id"] for r in read_csv(out / "routes.csv") if r["kind"] == "pickup"}
        moved = {b for b, v in after.items() if vehicle_before.get(b) not in (None, v)}
        for b in moved:
            assert changes[b]["change"] in ("moved", "retimed") and changes[b]["reason"], b
        if not extra:
            assert moved == set()  # default: every booking keeps its vehicle
        else:
            assert all("--allow-moves" in changes[b]["reason"] for b in moved)


def test_manifests_render_in_german_and_english(world, scripted, tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    # the same day in English (the German one is day4)
    en = tmp_path / "en"
    cli("add", str(world["late"]), "--plan", str(scripted["breakdown"] / "plan.json"), "--now", "11:30", "--out", str(en), "--lang", "en")
    broken = scripted["broken"]
    for lang, folder, words in (
        ("de", scripted["late"], ("Fahraufträge", "Abholen", "Betriebshof", "Änderungen um 11:30", f"Außer Dienst ab {hm(scripted['t_out'])}")),
        ("en", en, ("Driver manifests", "Pick up", "Depot", "Changes at 11:30", f"Out of service from {hm(scripted['t_out'])}")),
    ):
        html_file = folder / "manifests.html"
        dom = dump_dom(chromium, html_file)
        for w in words:
            assert w in dom, (lang, w)
        sections = re.findall(r'<section class="manifest" id="v-([^"]+)">', dom)
        assert broken in sections and len(sections) == 3
        rows = read_csv(folder / "routes.csv")
        assert dom.count("<tr class=") >= len(rows)  # every stop is a row (taken-away ones are struck through)
        assert "Fahrgast " in dom and "tel:+49921" in dom
        screenshot(chromium, html_file, ARTIFACTS / f"manifests-{lang}.png", height=3000)
        assert (ARTIFACTS / f"manifests-{lang}.png").stat().st_size > 10_000


_RTL_PROBE = """
<script>
window.addEventListener('load', () => {
  const out = [];
  for (const p of document.querySelectorAll('p.notice')) {
    const node = [...p.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
    const text = node.textContent; const first = text.search(/\\S/);
    const r = document.createRange(); r.setStart(node, first); r.setEnd(node, first + 1);
    const box = r.getBoundingClientRect(), para = p.getBoundingClientRect();
    out.push([p.lang, getComputedStyle(p).direction, Math.round(para.right - box.right), Math.round(box.left - para.left)].join(':'));
  }
  const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = out.join('\\n');
  document.body.appendChild(pre);
});
</script>
"""


def test_arabic_notices_run_right_to_left(scripted, tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    html = (scripted["late"] / "notices.html").read_text(encoding="utf-8")
    probe = tmp_path / "notices.html"
    probe.write_text(html.replace("</body>", _RTL_PROBE + "</body>"), encoding="utf-8")
    dom = dump_dom(chromium, probe)
    lines = re.search(r'<pre id="probe">(.*?)</pre>', dom, flags=re.S).group(1).split("\n")
    seen = {"ar": 0, "de": 0}
    for line in lines:
        lang, direction, from_right, from_left = line.split(":")
        if lang == "ar":
            # the first letter of the text stands at the right edge (after the language tag)
            assert direction == "rtl" and int(from_right) < int(from_left), line
            seen["ar"] += 1
        elif lang == "de":
            assert direction == "ltr" and int(from_left) < int(from_right), line
            seen["de"] += 1
    assert seen["ar"] == seen["de"] > 20
    screenshot(chromium, scripted["late"] / "notices.html", ARTIFACTS / "notices.png", height=2000)
