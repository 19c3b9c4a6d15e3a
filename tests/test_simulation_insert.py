"""LivePlan: single-request insertion and moving vehicles along their routes."""

from __future__ import annotations

import numpy as np
import pytest

from transit.darp.checker import check
from transit.darp.data import ObjectiveWeights, Problem, Request, TimeWindow, Vehicle
from transit.solver.compiled import DROP, PICK
from transit.solver.insert import LivePlan

H = 3600.0


@pytest.fixture
def line_world() -> Problem:
    """Ten places on a line, 120 s apart; bus A at place 0, bus B at place 9."""
    pos = np.arange(10) * 120.0
    tt = np.abs(pos[:, None] - pos[None, :])
    reqs = tuple(
        Request(rid, p, d, pickup_window=TimeWindow(t, t + 900), max_ride_alpha=1.5, max_ride_beta=600.0,
                service_fixed=30.0)
        for rid, p, d, t in (("near_b", 8, 9, 8 * H), ("near_a", 1, 2, 8 * H), ("long", 0, 9, 9 * H))
    )
    vehs = (
        Vehicle("A", 0, 0, seats=4, shift=TimeWindow(6 * H, 20 * H)),
        Vehicle("B", 9, 9, seats=4, shift=TimeWindow(6 * H, 20 * H)),
    )
    return Problem(reqs, vehs, tt, tt * 10.0, ObjectiveWeights(ride_time=0.25))


def test_cheapest_vehicle_and_a_checked_plan(line_world):
    live = LivePlan(line_world)
    ins = live.best_insertion(0)
    assert ins.vehicle == 1 and np.isfinite(ins.cost)  # bus B is next door
    live.insert(0, ins)
    for r in (1, 2):
        live.insert(r, live.best_insertion(r))
    assert live.vehicle_of(1) == 0
    assert check(line_world, live.to_plan()) == []


def test_promise_and_serving_stops(line_world):
    live = LivePlan(line_world)
    live.insert(2, live.best_insertion(2))
    v = live.vehicle_of(2)
    nodes, times = live.nodes(v), live.times(v)
    pos = int(np.flatnonzero(nodes == 4)[0])
    planned = float(times[pos])
    promise = TimeWindow(planned - 60, planned + 60)
    live.narrow_pickup(2, promise)
    # The bus leaves the depot, serves the pickup: the passengers are on board from then on.
    t = live.times(v)
    assert live.node_kind(int(live.nodes(v)[1])) == PICK
    free = float(t[1]) + live.service_time(4)
    live.serve_next(v, free)
    assert live.node_kind(int(live.nodes(v)[1])) == DROP
    assert live.node_location(int(live.nodes(v)[0])) == 0  # START moved to the pickup place
    plan = live.to_plan()
    on_board = line_world.requests[2].replace(pickup_window=promise, assigned_vehicle="A", picked_up_at=free)
    later = line_world.replace(
        requests=(on_board,),
        vehicles=(line_world.vehicles[0].replace(shift=TimeWindow(free, 20 * H)), line_world.vehicles[1]),
    )
    assert check(later, plan) == []
    # Vehicles out of service take nothing more.
    assert live.best_insertion(0).vehicle == 1
    live.close(0)
    live.close(1)
    assert live.best_insertion(1).vehicle == -1
