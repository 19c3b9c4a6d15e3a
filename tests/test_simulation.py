"""The simulated service day on small hand-made problems."""

from __future__ import annotations

import pytest

from simcase import H, line_problem
from transit.darp.checker import check
from transit.darp.data import ObjectiveWeights, Problem, Request, StopKind, TimeWindow, Vehicle
from transit.darp.service import ServiceRules
from transit.sim import SimSettings, simulate_day

FAST = SimSettings(reopt_interval_min=15, cutoff_iterations=30, reopt_iterations=15)


def _line(n: int = 8):
    import numpy as np

    pos = np.arange(n) * 120.0
    tt = np.abs(pos[:, None] - pos[None, :])
    return tt, tt / 120.0 * 1000.0


def _req(rid: str, p: int, d: int, t: float, **kw) -> Request:
    return Request(rid, p, d, pickup_window=TimeWindow(t, t + 900), max_ride_alpha=1.5, max_ride_beta=600.0,
                   service_fixed=30.0, **kw)


def _pickups(plan):
    out = {}
    for route in plan.routes:
        prev = None
        for s in route.stops:
            if s.kind == StopKind.PICKUP:
                out[s.request_id] = (route.vehicle_id, s, prev)
            prev = s
    return out


def test_known_day_one_bus():
    """A is pre-booked, B fits later, C is booked after its window, D after the shift."""
    tt, dist = _line()
    reqs = (
        _req("A", 1, 3, 8 * H),
        _req("B", 2, 5, 9 * H + 600),
        _req("C", 4, 6, 9 * H),
        _req("D", 1, 2, 23 * H),
    )
    veh = (Vehicle("bus", 0, 0, seats=4, shift=TimeWindow(6 * H, 22 * H)),)
    prob = Problem(reqs, veh, tt, dist, ObjectiveWeights(ride_time=0.25))
    booked = [None, 9 * H, 10 * H, 12 * H]
    res = simulate_day(prob, booked, ServiceRules(), settings=FAST, seed=1)
    d = res.decisions
    assert d["A"].accepted and d["A"].prebooked
    assert d["B"].accepted and not d["B"].prebooked and d["B"].decided_at == 9 * H
    assert not d["C"].accepted and "booked too late" in d["C"].reason
    assert not d["D"].accepted and d["D"].reason == "no vehicle is in service at that time"
    assert check(res.problem, res.plan) == []
    picks = _pickups(res.plan)
    assert set(picks) == {"A", "B"}
    for rid in ("A", "B"):
        _, stop, _ = picks[rid]
        assert d[rid].promise.contains(stop.start, 1e-6)
        assert d[rid].promise.latest - d[rid].promise.earliest <= 600 + 1e-6
    # The bus could not leave for B before B was booked.
    _, _, before_b = picks["B"]
    assert before_b.departure >= 9 * H - 1e-6
    route = res.plan.route("bus")
    assert route.stops[0].arrival == 6 * H and route.stops[-1].departure == 22 * H


@pytest.mark.parametrize("reopt", [0.0, 10.0])
def test_promises_kept_and_every_request_decided(reopt):
    prob, booked = line_problem(40, n_vehicles=2, seed=3)
    settings = SimSettings(reopt_interval_min=reopt, cutoff_iterations=30, reopt_iterations=20)
    res = simulate_day(prob, booked, ServiceRules(), settings=settings, seed=5)
    assert check(res.problem, res.plan) == []
    assert set(res.decisions) == {r.id for r in prob.requests}
    served = res.plan.served_ids
    rejected = res.plan.rejected_ids
    assert served | rejected == {r.id for r in prob.requests} and not served & rejected
    picks = _pickups(res.plan)
    for rid, dec in res.decisions.items():
        if dec.accepted:
            assert rid in served
            _, stop, prev = picks[rid]
            assert dec.promise.contains(stop.start, 1e-6), rid
            if not dec.prebooked:
                assert prev.departure >= dec.decided_at - 1e-6
        else:
            assert dec.reason and rid in rejected
    if reopt:
        assert res.stats.reoptimisations > 0
        assert res.stats.reopt_discarded == 0
        assert res.stats.reopt_cut_routes > 0  # the horizon cut routes: later stops kept as they were


def test_same_seed_same_day():
    prob, booked = line_problem(30, n_vehicles=2, seed=11)
    a = simulate_day(prob, booked, ServiceRules(), settings=FAST, seed=2)
    b = simulate_day(prob, booked, ServiceRules(), settings=FAST, seed=2)
    assert a.plan.to_dict() == b.plan.to_dict()
    assert a.decisions == b.decisions


def test_breaks_and_route_duration_are_respected():
    prob, booked = line_problem(25, n_vehicles=2, seed=4)
    from transit.darp.data import Break

    vehicles = tuple(
        v.replace(breaks=(Break(11 * H, 14 * H, 1800.0),), max_route_duration=15 * H) for v in prob.vehicles
    )
    prob = prob.replace(vehicles=vehicles)
    res = simulate_day(prob, booked, ServiceRules(), settings=FAST, seed=0)
    assert check(res.problem, res.plan) == []
    for route in res.plan.routes:
        kinds = [s.kind for s in route.stops]
        if route.is_used:
            assert kinds.count(StopKind.BREAK) == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_breaks_before_a_horizon_cut(seed):
    """A break planned before the horizon cut is still taken at the depot."""
    from transit.darp.data import Break

    prob, booked = line_problem(60, n_vehicles=2, seed=seed)
    prob = prob.replace(vehicles=tuple(v.replace(breaks=(Break(11 * H, 14 * H, 1800.0),)) for v in prob.vehicles))
    settings = SimSettings(reopt_interval_min=10, reopt_horizon_min=60, cutoff_iterations=20, reopt_iterations=20)
    res = simulate_day(prob, booked, ServiceRules(), settings=settings, seed=seed)
    assert check(res.problem, res.plan) == []
    assert res.stats.reopt_discarded == 0 and res.stats.reopt_cut_routes > 0
    for route in res.plan.routes:
        for s in route.stops:
            if s.kind == StopKind.BREAK:
                assert s.location == 0


def test_bad_settings():
    from transit.errors import ProblemDataError

    with pytest.raises(ProblemDataError):
        SimSettings(reopt_iterations=-1)


def test_a_large_fleet_is_reoptimised_in_groups():
    """Six buses re-optimised two by two: every promise kept, nothing discarded, as many served."""
    prob, booked = line_problem(90, n_vehicles=6, seed=8)
    whole = SimSettings(reopt_interval_min=15, cutoff_iterations=30, reopt_iterations=15, reopt_group_vehicles=0)
    pairs = SimSettings(reopt_interval_min=15, cutoff_iterations=30, reopt_iterations=15, reopt_group_vehicles=2)
    one = simulate_day(prob, booked, ServiceRules(), settings=whole, seed=3)
    res = simulate_day(prob, booked, ServiceRules(), settings=pairs, seed=3)
    assert one.stats.reopt_groups == one.stats.reoptimisations
    # whole fleet: one group per re-optimisation; in pairs: more (fewer when only a pair still has work)
    assert res.stats.reopt_groups > res.stats.reoptimisations > 0
    assert res.stats.reopt_discarded == 0
    assert check(res.problem, res.plan) == []
    assert set(res.decisions) == {r.id for r in prob.requests}
    for rid, dec in res.decisions.items():
        if dec.accepted:
            assert rid in res.plan.served_ids
    assert len(res.plan.served_ids) >= 0.95 * len(one.plan.served_ids)
