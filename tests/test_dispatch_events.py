"""Events on a running day (transit.dispatch.update) on the tiny village road: cancel, no-show, vehicle out, delay."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dispatchcase import DAY, H, SPARE, bk, fleet, stored_day
from roadcase import village_road
from transit.darp.checker import check
from transit.darp.data import StopKind
from transit.dispatch import read_plan_json, rebuild_problem, update_day, write_plan_json
from transit.dispatch.add import freeze_route
from transit.dispatch.changes import changes_csv
from transit.dispatch.events import Event, read_events
from transit.dispatch.freeze_events import release_for_withdrawal
from transit.dispatch.tables import routes_csv, summary, unserved_csv
from transit.errors import InputErrors
from transit.road.travel import RoadNetwork
from transit.util.i18n import translator


@pytest.fixture(scope="module")
def net() -> RoadNetwork:
    return village_road()


def run(stored, net, now_h: float, events=(), new=(), **kw):
    return update_day(stored, net, now=now_h * H, events=list(events), new_bookings=list(new), network_path="tiny",
                      iterations=kw.pop("iterations", 60), seed=2, **kw)


def reread(day, net, tmp_path: Path, name: str):
    """Write plan.json, read it back, and check it independently against the rebuilt day."""
    path = tmp_path / name
    write_plan_json(day, path)
    stored = read_plan_json(path)
    assert check(rebuild_problem(stored, net).problem, stored.plan) == []
    return stored


def assert_each_once(day) -> None:
    ids = [r.id for r in day.problem.requests]
    served, rejected = day.plan.served_ids, day.plan.rejected_ids
    assert not served & rejected
    assert set(ids) == served | rejected and len(set(ids)) == len(ids)


def assert_done_kept(old_plan, new_plan, now: float, skip=()) -> None:
    new = {r.vehicle_id: r for r in new_plan.routes}
    n = 0
    for r in old_plan.routes:
        if r.vehicle_id in skip:
            continue
        done = tuple(s for s in r.stops if s.departure < now)
        assert new[r.vehicle_id].stops[: len(done)] == done, r.vehicle_id
        n += len(done)
    return n


def vehicle_of(plan, rid: str) -> str:
    return next(r.vehicle_id for r in plan.routes for s in r.stops if s.request_id == rid)


def assert_broken_listed(old, day) -> None:
    """Every promise the update did not keep (window, vehicle, served at all) has a change row."""
    listed = {c.request_id for c in day.changes}
    pick_new = {s.request_id: (r.vehicle_id, s.start) for r in day.plan.routes for s in r.stops if s.kind == StopKind.PICKUP}
    pick_old = {s.request_id: r.vehicle_id for r in old.plan.routes for s in r.stops if s.kind == StopKind.PICKUP}
    for rid, w in old.promises.items():
        if rid not in pick_new:
            assert rid in listed, f"{rid} lost without a change"
            continue
        v, t = pick_new[rid]
        if day.promises[rid] != w or not w.contains(t, 1e-6) or v != pick_old.get(rid):
            assert rid in listed, f"{rid} changed without a change row"


# ------------------------------------------------------------------------ cancel


def test_cancel_keeps_everybody_else_on_their_vehicle(net, tmp_path: Path) -> None:
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    car = vehicle_of(stored.plan, "e")
    day = run(stored, net, 10.0, [Event("cancel", request_id="e", note="called")])
    stored2 = reread(day, net, tmp_path, "p2.json")
    assert_each_once(day)
    assert "e" in day.plan.rejected_ids and day.status["e"].state == "cancelled"
    assert stored2.status["e"].state == "cancelled"
    assert_done_kept(stored.plan, day.plan, 10 * H)
    for rid in ("a", "b", "c", "d", "f"):
        assert vehicle_of(day.plan, rid) == vehicle_of(stored.plan, rid)  # default: keep vehicles
    rows = list(csv.DictReader(io.StringIO(changes_csv(day.changes, day.now, translator("en")))))
    cancel = [r for r in rows if r["request_id"] == "e"]
    assert cancel[0]["change"] == "cancelled" and cancel[0]["old_vehicle"] == car
    assert "cancelled by the passenger at 10:00 (called)" == cancel[0]["reason"]
    assert all(r["change"] in ("cancelled", "time") for r in rows)
    assert "e,cancelled by the passenger" in unserved_csv(day)
    assert summary(day)["cancelled"] == 1
    assert day.history[-1]["events"][0]["kind"] == "cancel"  # the history in plan.json
    assert "e" in {c["request_id"] for c in stored2.history[-1]["changes"]}


def test_cancel_the_stop_a_vehicle_is_driving_to(net, tmp_path: Path) -> None:
    # at 10:00 the vehicle of e waits at e's pickup (arrived 08:51, pickup 12:00): its anchor goes
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    car = vehicle_of(stored.plan, "e")
    day = run(stored, net, 10.0, [Event("cancel", request_id="e")])
    reread(day, net, tmp_path, "p2.json")
    assert "e" not in {s.request_id for s in day.plan.route(car).stops}
    assert "f" in day.plan.served_ids


def test_cancel_refused_for_a_passenger_on_board(net, tmp_path: Path) -> None:
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    with pytest.raises(InputErrors, match=r"events.csv:3: request_id: the passenger of booking 'a' is on board"):
        run(stored, net, 8.04, [Event("cancel", request_id="a", source="events.csv", line=3)])
    with pytest.raises(InputErrors, match=r"unknown booking 'zz'"):
        run(stored, net, 8.02, [Event("cancel", request_id="zz")])


# ------------------------------------------------------------------------ no-show


def test_noshow_keeps_the_visit_and_frees_the_seat(net, tmp_path: Path) -> None:
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    car = vehicle_of(stored.plan, "d")
    with pytest.raises(InputErrors, match="the pickup window of booking 'd' opens only at 10:30"):
        run(stored, net, 10.2, [Event("noshow", request_id="d")])
    day = run(stored, net, 10.6, [Event("noshow", request_id="d")])
    stored2 = reread(day, net, tmp_path, "p2.json")
    assert_each_once(day)
    assert_done_kept(stored.plan, day.plan, 10.6 * H)
    stops = day.plan.route(car).stops
    i = next(k for k, s in enumerate(stops) if s.request_id == "d" and s.kind == StopKind.PICKUP)
    drop = stops[i + 1]
    assert (drop.kind, drop.request_id, drop.location) == (StopKind.DROPOFF, "d", stops[i].location)
    assert drop.load == stops[i].load - 1
    assert stored2.status["d"].state == "noshow"
    rows = routes_csv(day).splitlines()
    assert sum(",noshow,d," in x for x in rows) == 1 and not any(",dropoff,d," in x for x in rows)
    assert summary(day)["noshow"] == 1 and summary(day)["served"] == 5
    assert [c.kind for c in day.changes if c.request_id == "d"] == ["noshow"]
    # a later update keeps the no-show as it is
    day3 = run(stored2, net, 12.5, [Event("cancel", request_id="f")])
    reread(day3, net, tmp_path, "p3.json")
    assert day3.status["d"].state == "noshow"


def test_noshow_needs_the_vehicle_at_the_pickup(net, tmp_path: Path) -> None:
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    # a pickup whose vehicle is still busy before it: a minute before it leaves the stop before
    rid, before = next(
        (s.request_id, prev.departure) for r in stored.plan.routes for prev, s in zip(r.stops, r.stops[1:])
        if s.kind == StopKind.PICKUP and prev.kind != StopKind.START
    )
    with pytest.raises(InputErrors, match=rf"reaches the pickup of booking '{rid}' only at"):
        run(stored, net, (before - 60) / H, [Event("noshow", request_id=rid)])


# ------------------------------------------------------------------------ vehicle out


def ride_under_way(stored, net) -> tuple[str, str, str, float]:
    """A breakdown case of the plan: (vehicle, passenger on board alone, a later booking, time of the ride).

    The later booking fits another vehicle, and a third vehicle is still at
    its depot then (free to fetch the passenger).
    """
    problem = rebuild_problem(stored, net).problem
    for r in stored.plan.routes:
        for p, drop in zip(r.stops, r.stops[1:]):
            if p.kind != StopKind.PICKUP or (drop.kind, drop.request_id) != (StopKind.DROPOFF, p.request_id):
                continue
            if p.load != problem.request(p.request_id).passengers:
                continue  # somebody else on board too
            now = (p.departure + drop.start) / 2
            others = [v for v in problem.vehicles if v.id != r.vehicle_id]
            later = [s.request_id for s in r.stops if s.kind == StopKind.PICKUP and s.start > drop.start
                     and any(v.fits(problem.request(s.request_id)) for v in others)]
            free = [o for o in stored.plan.routes if o.vehicle_id != r.vehicle_id and (not o.stops or o.stops[0].departure > now)]
            if later and free:
                return r.vehicle_id, p.request_id, later[-1], now
    raise AssertionError("the plan has no ride under way with a later booking and a vehicle still at its depot")


def test_breakdown_with_a_passenger_on_board(net, tmp_path: Path) -> None:
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    car, on, later, now = ride_under_way(stored, net)
    day = run(stored, net, now / H, [Event("vehicle_out", vehicle_id=car, note="engine")])
    stored2 = reread(day, net, tmp_path, "p2.json")
    assert_each_once(day)
    assert_done_kept(stored.plan, day.plan, now, skip=(car,))
    route = day.plan.route(car).stops
    assert route[-1].kind == StopKind.END and all(s.departure <= route[-1].arrival for s in route)
    # the passenger leaves the broken vehicle where it stands and continues on a second leg on another vehicle
    leg_id = f"{on}~2"
    assert day.legs == {leg_id: on} and stored2.legs == {leg_id: on}
    assert on in day.plan.served_ids and leg_id in day.plan.served_ids
    assert vehicle_of(day.plan, leg_id) != car
    leg = day.built.bookings[leg_id]
    assert (leg.dropoff_lat, leg.dropoff_lon) == (day.built.bookings[on].dropoff_lat, day.built.bookings[on].dropoff_lon)
    kinds = {c.request_id: c.kind for c in day.changes}
    assert kinds[leg_id] == "transfer" and kinds[later] in ("moved", "retimed")
    transfer = next(c for c in day.changes if c.request_id == leg_id)
    assert transfer.old_vehicle == car and transfer.promise_broken
    assert later in day.plan.served_ids and vehicle_of(day.plan, later) != car
    assert day.vehicles_out[car]["note"] == "engine"
    assert_broken_listed(stored, day)
    # the vehicle stays out in later updates
    with pytest.raises(InputErrors, match="is already out of service"):
        run(stored2, net, now / H + 0.5, [Event("vehicle_out", vehicle_id=car)])


def test_breakdown_with_nobody_to_fetch_the_passenger(net, tmp_path: Path) -> None:
    one = fleet()
    one = type(one)(vehicles=one.vehicles[1:], service=one.service, source=one.source)  # only v2
    bookings = [bk("x", 1, 4, 12.0), bk("y", 4, 1, 14.0)]
    _, stored = stored_day(net, bookings, one, tmp_path)
    day = run(stored, net, 12.0 + 3 / 60, [Event("vehicle_out", vehicle_id="v2")])
    reread(day, net, tmp_path, "p2.json")
    assert_each_once(day)
    reasons = {x.request_id: x.reason for x in day.plan.rejected}
    assert "send a taxi" in reasons["x~2"] and "x" in day.plan.served_ids  # nobody lost: listed for a taxi
    assert summary(day)["stranded"] == 1
    assert {c.request_id: c.kind for c in day.changes} == {"x~2": "dropped", "y": "dropped"}
    assert all(c.promise_broken for c in day.changes)


def test_breakdown_of_the_only_vehicle_with_a_wheelchair_place(net, tmp_path: Path) -> None:
    # regression: the wheelchair booking fitted no vehicle left and the re-plan failed (ProblemDataError)
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    car = vehicle_of(stored.plan, "d")  # d needs the wheelchair place only v1 has
    pick = next(s for s in stored.plan.route(car).stops if s.request_id == "d")
    drop = next(s for s in stored.plan.route(car).stops if s.request_id == "d" and s.kind == StopKind.DROPOFF)
    before = run(stored, net, pick.arrival / H, [Event("vehicle_out", vehicle_id=car)])  # d not yet on board
    reread(before, net, tmp_path, "p2.json")
    assert_each_once(before)
    assert {x.request_id: x.reason for x in before.plan.rejected}["d"] == f"vehicle {car} out of service from {translator('en').clock(pick.arrival)}"
    assert [(c.kind, c.promise_broken) for c in before.changes if c.request_id == "d"] == [("dropped", True)]
    under_way = run(stored, net, (pick.departure + drop.start) / 2 / H, [Event("vehicle_out", vehicle_id=car)])
    reread(under_way, net, tmp_path, "p3.json")
    assert_each_once(under_way)
    assert "d" in under_way.plan.served_ids and "send a taxi" in {x.request_id: x.reason for x in under_way.plan.rejected}["d~2"]


def test_planned_withdrawal_and_second_run(net, tmp_path: Path) -> None:
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    car = vehicle_of(stored.plan, "f")
    day = run(stored, net, 10.0, [Event("vehicle_out", vehicle_id=car, time=13 * H, until=13.5 * H)])
    stored2 = reread(day, net, tmp_path, "p2.json")
    assert_each_once(day)
    route = day.plan.route(car).stops
    assert not route or route[-1].arrival <= 13 * H + 1e-6
    run_id = day.vehicles_out[car]["run"]
    assert run_id == f"{car}~2" and any(v.id == run_id for v in stored2.fleet.vehicles)
    assert stored2.fleet.vehicle(run_id).shift_start == 13.5 * H
    assert "f" in day.plan.served_ids and vehicle_of(day.plan, "f") != car
    assert_broken_listed(stored, day)


def test_planned_withdrawal_releases_a_pickup_after_it(net, tmp_path: Path) -> None:
    # regression: a vehicle waiting since the morning at a pickup planned after the withdrawal was bound to it
    # (frozen with that passenger "on board" after its shift), an internal error
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    problem = rebuild_problem(stored, net).problem

    def others_fit(vid: str, rid: str) -> bool:
        return any(v.fits(problem.request(rid)) for v in problem.vehicles if v.id != vid)

    car, rid, left, pickup = next(
        (r.vehicle_id, s.request_id, prev.departure, s.start) for r in stored.plan.routes
        for prev, s in zip(r.stops, r.stops[1:])
        if s.kind == StopKind.PICKUP and s.start - prev.departure >= 2 * H and others_fit(r.vehicle_id, s.request_id)
    )
    now, start = left + 0.5 * H, pickup - 0.5 * H
    fr = freeze_route(problem, problem.vehicle(car), stored.plan.route(car), now)
    assert fr.anchor is not None and fr.anchor.request_id == rid  # committed to the pickup, as the day stood
    released = release_for_withdrawal(problem, fr, now, start)
    assert released.anchor is None and rid not in {s.request_id for s in released.rest}
    assert release_for_withdrawal(problem, fr, now, pickup + 2 * H) is fr  # in time: kept
    day = run(stored, net, now / H, [Event("vehicle_out", vehicle_id=car, time=start)])
    reread(day, net, tmp_path, "p2.json")
    assert_each_once(day)
    assert_done_kept(stored.plan, day.plan, now)
    route = day.plan.route(car).stops
    assert route[-1].kind == StopKind.END and route[-1].arrival <= start + 1e-6
    assert rid in day.plan.served_ids and vehicle_of(day.plan, rid) != car
    assert_broken_listed(stored, day)


def test_planned_withdrawal_delivers_the_passengers_on_board(net, tmp_path: Path) -> None:
    # regression: a withdrawal planned before the drop-off of a passenger on board cut the shift under the
    # passenger (internal error); the vehicle delivers, goes home, and takes no new work
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    drops = {s.request_id: s.start for r in stored.plan.routes for s in r.stops if s.kind == StopKind.DROPOFF}
    car, rid, now = next(
        (r.vehicle_id, s.request_id, s.departure + 30) for r in stored.plan.routes for s in r.stops
        if s.kind == StopKind.PICKUP and drops[s.request_id] > s.departure + 60
    )
    start = now + 30  # before the drop-off
    day = run(stored, net, now / H, [Event("vehicle_out", vehicle_id=car, time=start)])
    stored2 = reread(day, net, tmp_path, "p2.json")
    assert_each_once(day)
    assert_done_kept(stored.plan, day.plan, now)
    assert rid in day.plan.served_ids and vehicle_of(day.plan, rid) == car  # nobody on board lost
    route = day.plan.route(car).stops
    assert route[-1].kind == StopKind.END and route[-1].arrival > start
    assert all(s.start < start for s in route if s.kind == StopKind.PICKUP)  # no new work after the withdrawal
    assert stored2.fleet.vehicle(car).shift_end >= route[-1].arrival
    assert_broken_listed(stored, day)


# ------------------------------------------------------------------------ delay


def test_delay_breaks_only_the_promises_it_must(net, tmp_path: Path) -> None:
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    car = vehicle_of(stored.plan, "e")
    day = run(stored, net, 11.9, [Event("delay", vehicle_id=car, minutes=30)])
    reread(day, net, tmp_path, "p2.json")
    assert_done_kept(stored.plan, day.plan, 11.9 * H)
    e = next(c for c in day.changes if c.request_id == "e")
    # e's vehicle is committed to e's pickup: e is picked up 30 minutes later, a broken promise
    assert e.kind == "retimed" and e.promise_broken and e.new_pickup >= 12.5 * H - 1e-6
    assert e.reason["code"] == "delay" and e.reason["minutes"] == 30
    assert day.promises["e"].contains(e.new_pickup, 1e-6)
    assert_broken_listed(stored, day)


def test_allow_moves_is_off_by_default_and_reported_when_on(net, tmp_path: Path) -> None:
    _, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    day = run(stored, net, 9.0, allow_moves=True, new=[bk("n", 3, 1, 15.0, booked_at=9 * H)])
    for c in day.changes:
        if c.kind == "moved":
            assert c.reason["code"] == "allow_moves"
    day2 = run(stored, net, 9.0, new=[bk("n", 3, 1, 15.0, booked_at=9 * H)])
    assert not [c for c in day2.changes if c.kind == "moved"]


# ------------------------------------------------------------------------ events file


def test_events_file_is_checked_row_by_row(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "event,request_id,vehicle_id,time,until,minutes,lat,lon,note\n"
        "cancel,r1,,09:12,,,,,called\n"
        "noshow,,,,,,,,\n"
        "explode,r2,,,,,,,\n"
        "delay,,bus-1,,,,,,\n"
        "vehicle_out,,bus-2,11:00,10:00,,51.6,,\n"
        "cancel,r3,bus-1,25:99,,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as info:
        read_events(path)
    got = {(p.row, p.column) for p in info.value.problems}
    assert {(3, "request_id"), (4, "event"), (5, "minutes"), (6, "until"), (6, "lon"), (7, "vehicle_id"), (7, "time")} <= got
    assert all(p.file == str(path) for p in info.value.problems)
    path.write_text("event,request_id,time\ncancel,r1,09:12\nno-show,r2,\n", encoding="utf-8")
    evs = read_events(path)
    assert [(e.kind, e.request_id, e.time, e.line) for e in evs] == [("cancel", "r1", 9.2 * H, 2), ("noshow", "r2", None, 3)]
    path.write_text("event,booking\ncancel,r1\n", encoding="utf-8")
    with pytest.raises(InputErrors, match="booking: unknown column"):
        read_events(path)
