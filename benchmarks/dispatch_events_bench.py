"""Dispatch events benchmark: a dispatcher's scripted day of 300 bookings on the north-bayreuth extract.

Protocol
--------
1. Inputs as in ``benchmarks/dispatch_bench.py`` (road graph of
   ``north-bayreuth.osm.gz``, 300 bookings drawn with seed 1 from a generated
   day, 6 minibuses at Neudrossenfeld, 06:00-22:00, a 30-minute break).
2. The day, each step a new process exactly as a dispatcher types it, with
   the default solver budget (4 iterations per booking still to plan):

   * ``transit dispatch BOOKINGS ...`` (the plan at the cut-off);
   * 08:30 ``dispatch update --events`` with 9 cancellations (3%) of
     bookings picked up after 10:00;
   * ``dispatch noshow`` of the first booking whose pickup window opens
     after 09:00, a minute after the window opened and its vehicle left the
     stop before;
   * 11:00 ``dispatch vehicle-out`` of the vehicle with the most passengers
     on board at 11:00 (a breakdown);
   * 11:30 ``dispatch add`` of 10 late bookings (another generated day,
     asked for 12:30 or later, booked at 11:30).
3. After every step (not timed) the stored plan is checked by the
   independent checker against the rebuilt day.

Run::

    python benchmarks/dispatch_events_bench.py

The machine is shared while developing: timings are noisy (the load is printed).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from dispatch_bench import make_inputs, solve_run  # noqa: E402


def step(name: str, args: list[str]) -> float:
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, str(REPO / "cli.py"), "dispatch", *args, "--force"], capture_output=True, text=True, check=False)
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        print(res.stdout, res.stderr)
        raise SystemExit(f"{name} failed with exit code {res.returncode}")
    print(f"{name:<28s} {dt:6.1f} s   {res.stdout.strip().splitlines()[-1]}", flush=True)
    return dt


def checked(out: Path) -> None:
    from transit.darp.checker import check
    from transit.dispatch import load_network, read_plan_json, rebuild_problem

    stored = read_plan_json(out / "plan.json")
    _, net = load_network(stored.network_path)
    violations = check(rebuild_problem(stored, net).problem, stored.plan)
    if violations:
        raise SystemExit(f"{out}: the stored plan fails the checker: {violations[:3]}")


def late_bookings(work: Path, n: int) -> Path:
    from transit.demand.bookings import write_bookings
    from transit.demand.generator import generate_bookings
    from transit.demand.params import DemandParams
    from transit.demand.region import region_from_osm
    from transit.dispatch import load_network

    osm = REPO.parent / "shared" / "data" / "osm" / "north-bayreuth.osm.gz"
    _, net = load_network(work / "north-bayreuth.graphml")
    params = DemandParams.default().replace(scale=2.0)
    day = generate_bookings(region_from_osm(osm, network=net), params, 99)
    late = [
        dataclasses.replace(b, request_id=f"late-{i}", time=max(b.time, 12.5 * 3600), booked_at=11.5 * 3600)
        for i, b in enumerate(day[:n])
    ]
    path = work / "late.csv"
    write_bookings(late, path, service_date=params.service_date)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bookings", type=int, default=300)
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="dispatch-events-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}; python {platform.python_version()}", flush=True)
    graph, bookings, fleet = make_inputs(work, args.bookings, 1)
    late = late_bookings(work, 10)
    solve_run(graph, bookings, fleet, time_limit=None, iterations=0)  # load the compiled solver once

    from transit.darp.data import StopKind
    from transit.dispatch import read_plan_json

    total = 0.0
    total += step("plan", [str(bookings), "--network", str(graph), "--fleet", str(fleet), "--out", str(work / "d0")])
    checked(work / "d0")
    with (work / "d0" / "routes.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    later = [r["request_id"] for r in rows if r["kind"] == "pickup" and r["arrival"] > "10:00:00"]
    (work / "cancel.csv").write_text("event,request_id\n" + "".join(f"cancel,{rid}\n" for rid in later[::7][:9]), encoding="utf-8")
    total += step("08:30 9 cancellations", ["update", "--plan", str(work / "d0" / "plan.json"), "--events",
                                            str(work / "cancel.csv"), "--now", "08:30", "--out", str(work / "d1")])
    checked(work / "d1")
    stored = read_plan_json(work / "d1" / "plan.json")
    t, rid = min(
        (max(stored.promises[s.request_id].earliest, r.stops[i - 1].departure) + 60, s.request_id)
        for r in stored.plan.routes for i, s in enumerate(r.stops)
        if s.kind == StopKind.PICKUP and stored.promises[s.request_id].earliest > 9 * 3600
    )
    now = f"{int(t + 59) // 3600:02d}:{int(t + 59) % 3600 // 60:02d}"
    total += step(f"{now} no-show", ["noshow", rid, "--plan", str(work / "d1" / "plan.json"), "--now", now, "--out", str(work / "d2")])
    checked(work / "d2")
    stored = read_plan_json(work / "d2" / "plan.json")

    def load_at_11(route) -> int:
        done = [s for s in route.stops if s.start < 11 * 3600 - 300]
        return done[-1].load if done and done[-1].kind != StopKind.END else 0

    broken = max(stored.plan.routes, key=load_at_11)
    total += step(f"11:00 breakdown ({load_at_11(broken)} on board)", [
        "vehicle-out", broken.vehicle_id, "--plan", str(work / "d2" / "plan.json"), "--now", "11:00",
        "--note", "breakdown", "--out", str(work / "d3")])
    checked(work / "d3")
    total += step("11:30 10 late bookings", ["add", str(late), "--plan", str(work / "d3" / "plan.json"), "--now", "11:30",
                                             "--out", str(work / "d4")])
    checked(work / "d4")
    summ = json.loads((work / "d4" / "summary.json").read_text(encoding="utf-8"))
    print(f"scripted day: {total:.1f} s in all; at the end {summ['served']} served, {summ['cancelled']} cancelled, "
          f"{summ['noshow']} no-show, {summ['stranded']} stranded, {summ['km']:.1f} km, "
          f"operating cost {summ['operating_cost']}; load now {os.getloadavg()[0]:.2f}")
    broken_promises = sum(json.loads((work / f"d{k}" / "summary.json").read_text())["update"]["broken_promises"] for k in (1, 2, 3, 4))
    print(f"promises broken over the day: {broken_promises} (changes.csv of each step)")
    print(f"inputs and outputs in {work}")


if __name__ == "__main__":
    main()
