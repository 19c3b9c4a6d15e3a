"""Building a Problem from bookings, a fleet and a tiny hand-made road network."""

from __future__ import annotations

import numpy as np
import pytest

from roadcase import LAT, LINK_M, LINK_S, LON, village_road
from transit.demand.bookings import Booking
from transit.errors import InputErrors
from transit.darp.fleet import parse_fleet
from transit.darp.data import Break, TimeWindow
from transit.darp.build import DISPATCH_WEIGHTS, build_problem
from transit.road.travel import RoadNetwork
from transit.solver import solve

# Four villages on a straight road (tests/roadcase.py):
#   A(1) -- B(2) -- C(3) -- D(4), every link 60 s and 715 m, both ways.


@pytest.fixture(scope="module")
def line_network() -> RoadNetwork:
    return village_road()


def at(osm: int, dlat: float = 0.0001) -> tuple[float, float]:
    """A point ~11 m north of village ``osm`` (next to the road)."""
    return (LAT + dlat, LON[osm])


def booking(rid: str, frm: int, to: int, time_h: float, **kw: object) -> Booking:
    (plat, plon), (dlat, dlon) = at(frm), at(to)
    return Booking(rid, plat, plon, dlat, dlon, time_h * 3600.0, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def fleet():
    return parse_fleet(
        {
            "service": {"pickup_window_min": 10, "max_ride_alpha": 2.0, "max_ride_beta_min": 5, "dwell_min": 1},
            "vehicle": [
                {
                    "id": "v1",
                    "depot_lat": LAT,
                    "depot_lon": LON[1],
                    "seats": 4,
                    "wheelchair": 1,
                    "shift_start": "06:00",
                    "shift_end": "20:00",
                    "cost_per_hour": 30,
                    "cost_per_km": 0.5,
                    "break": {"earliest": "11:00", "latest": "13:00", "duration_min": 30},
                },
                {
                    "id": "v2",
                    "depot_lat": LAT,
                    "depot_lon": LON[4],
                    "end_lat": LAT,
                    "end_lon": LON[3],
                    "seats": 8,
                    "shift_start": "07:00",
                    "shift_end": "19:00",
                    "max_route_duration_min": 480,
                },
            ],
        },
        source="fleet.toml",
    )


def test_locations_are_distinct_nodes_in_order(line_network: RoadNetwork, fleet) -> None:
    bookings = [booking("r1", 2, 3, 8), booking("r2", 1, 2, 9), booking("r3", 2, 4, 10)]
    built = build_problem(bookings, fleet, line_network)
    # depots first (v1 at A, v2 at D, v2 ends at C), then B from r1's pickup; nothing repeats
    assert [loc.osm_id for loc in built.locations] == [1, 4, 3, 2]
    assert [loc.index for loc in built.locations] == [0, 1, 2, 3]
    assert built.depots == {"v1": (0, 0), "v2": (1, 2)}
    assert built.locations[0].label == "depot v1; pickup r2"
    assert "pickup r1" in built.locations[3].label and "drop-off r2" in built.locations[3].label
    p = built.problem
    assert p.n_locations == 4
    # one matrix, in location order: A->D is three links
    assert p.travel_time[0, 1] == pytest.approx(3 * LINK_S)
    assert p.distance[0, 1] == pytest.approx(3 * LINK_M)
    assert np.all(np.diag(p.travel_time) == 0)
    # the booking's own coordinates are kept for the outputs
    assert built.booking_point("r1", "pickup") == at(2)


def test_requests_follow_the_service_rules(line_network: RoadNetwork, fleet) -> None:
    dep = booking("dep", 1, 3, 8, passengers=2, wheelchair=1)
    arr = booking("arr", 4, 2, 9, time_type="arrival")
    p = build_problem([dep, arr], fleet, line_network).problem
    r = p.request("dep")
    s = 60 + 2 * 30 + 1 * 180  # dwell + 2 x boarding + wheelchair
    assert r.service_time == s
    assert r.pickup_window == TimeWindow(8 * 3600, 8 * 3600 + 600)
    assert p.direct_time(r) == pytest.approx(2 * LINK_S)
    assert p.ride_limit(r) == pytest.approx(2.0 * 2 * LINK_S + 300)
    assert r.dropoff_window.earliest == pytest.approx(8 * 3600 + s + 2 * LINK_S)
    assert r.dropoff_window.latest == pytest.approx(8 * 3600 + 600 + s + p.ride_limit(r))
    a = p.request("arr")
    assert a.dropoff_window == TimeWindow(9 * 3600 - 600, 9 * 3600)
    assert a.pickup_window.latest == pytest.approx(9 * 3600 - a.service_time - 2 * LINK_S)
    assert (a.passengers, a.wheelchair) == (1, 0)


def test_vehicles_keep_shifts_breaks_and_costs(line_network: RoadNetwork, fleet) -> None:
    p = build_problem([booking("r1", 2, 3, 8)], fleet, line_network).problem
    v1, v2 = p.vehicles
    assert v1.shift == TimeWindow(6 * 3600, 20 * 3600)
    assert v1.breaks == (Break(11 * 3600, 13 * 3600, 1800.0, None),)
    assert (v1.cost_per_hour, v1.cost_per_km, v1.seats, v1.wheelchair) == (30, 0.5, 4, 1)
    assert (v2.start_depot, v2.end_depot, v2.max_route_duration) == (1, 2, 480 * 60)


def test_default_weights_rank_rejection_far_above_driving(line_network: RoadNetwork, fleet) -> None:
    p = build_problem([booking("r1", 2, 3, 8)], fleet, line_network).problem
    # the passenger weight is the fleet's service rule (transit/data/service.toml), the rest DISPATCH_WEIGHTS
    assert p.weights == DISPATCH_WEIGHTS.replace(ride_time=fleet.service.ride_time_weight)
    w = p.weights
    assert 0 < w.ride_time and w.travel_time > 0
    assert w.rejection > 16 * 3600 * w.travel_time * len(p.vehicles)


def test_base_nodes_keep_their_indices(line_network: RoadNetwork, fleet) -> None:
    first = build_problem([booking("r1", 2, 3, 8)], fleet, line_network)
    again = build_problem(
        [booking("r1", 2, 3, 8), booking("r2", 3, 1, 9)], fleet, line_network, base_nodes=first.nodes
    )
    n = len(first.locations)
    assert [loc.node for loc in again.locations[:n]] == list(first.nodes)
    assert again.problem.request("r1") == first.problem.request("r1")


def test_points_far_from_roads_name_the_booking_and_column(line_network: RoadNetwork, fleet) -> None:
    far = Booking("lost", LAT + 0.05, LON[2], *at(3), 8 * 3600.0)  # ~5.5 km north of the road
    far2 = Booking("lost2", *at(2), LAT - 0.05, LON[3], 8 * 3600.0)
    with pytest.raises(InputErrors) as info:
        build_problem([booking("ok", 1, 2, 8), far, far2], fleet, line_network, source="b.csv")
    msgs = [str(p) for p in info.value.problems]
    assert len(msgs) == 2
    assert msgs[0].startswith("b.csv: booking 'lost': pickup_lat/pickup_lon: pickup point at (50.050000")
    assert "m from the nearest road" in msgs[0]
    assert msgs[1].startswith("b.csv: booking 'lost2': dropoff_lat/dropoff_lon")


def test_far_depot_names_the_vehicle(line_network: RoadNetwork) -> None:
    fleet = parse_fleet(
        {"vehicle": [{"id": "v9", "depot_lat": 50.2, "depot_lon": 11.0, "seats": 4, "shift_start": "06:00", "shift_end": "20:00"}]},
        source="fleet.toml",
    )
    with pytest.raises(InputErrors) as info:
        build_problem([booking("r1", 2, 3, 8)], fleet, line_network)
    assert str(info.value).startswith("fleet.toml: vehicle 'v9': depot_lat/depot_lon")


def test_duplicate_ids_and_a_request_larger_than_every_vehicle(line_network: RoadNetwork, fleet) -> None:
    with pytest.raises(InputErrors, match="duplicate request ids: r1"):
        build_problem([booking("r1", 2, 3, 8), booking("r1", 3, 4, 9)], fleet, line_network)
    # a group larger than every vehicle is a valid booking that cannot be served: rejected with that reason
    built = build_problem([booking("big", 2, 3, 8, passengers=9), booking("r2", 3, 4, 9)], fleet, line_network)
    plan = solve(built.problem, iterations=50)
    assert [(x.request_id, x.reason) for x in plan.rejected] == [
        ("big", "larger than every vehicle (seats or wheelchair places)")]
    assert plan.served_ids == {"r2"}


def test_progress_is_reported(line_network: RoadNetwork, fleet) -> None:
    seen: list[tuple[float, float]] = []
    build_problem([booking("r1", 2, 3, 8)], fleet, line_network, progress=lambda d, t, m="": seen.append((d, t)))
    assert seen[0][0] == 0.0 and seen[-1] == (1.0, 1.0)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
