"""The fleet TOML file: parsing, validation messages, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from transit.errors import InputErrors
from transit.darp.fleet import BreakSpec, parse_fleet, read_fleet
from transit.darp.service import ServiceRules

ISSUE_FLEET = """\
[service]
pickup_window_min = 15        # a departure booking is picked up in [time, time + 15 min]
max_ride_alpha = 1.5          # maximum ride time = alpha * direct time + beta
max_ride_beta_min = 15
dwell_min = 1                 # per stop
boarding_min_per_passenger = 0.5

[[vehicle]]
id = "bus-1"
depot_lat = 51.6503
depot_lon = 11.5115
seats = 8
wheelchair = 1
shift_start = "06:00"
shift_end = "22:00"
"""


def vehicle(**over: object) -> dict:
    v: dict = {
        "id": "bus-1",
        "depot_lat": 50.0,
        "depot_lon": 11.5,
        "seats": 8,
        "shift_start": "06:00",
        "shift_end": "22:00",
    }
    v.update(over)
    return {k: x for k, x in v.items() if x is not None}


def errors_of(data: dict, *, table: str = "") -> list[str]:
    with pytest.raises(InputErrors) as info:
        parse_fleet(data, source="FLEET.toml", table=table)
    return [str(p) for p in info.value.problems]


def test_issue_example(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text(ISSUE_FLEET, encoding="utf-8")
    fleet = read_fleet(path)
    assert fleet.service == ServiceRules(
        pickup_window_min=15, max_ride_alpha=1.5, max_ride_beta_min=15, dwell_min=1, boarding_min_per_passenger=0.5
    )
    (v,) = fleet.vehicles
    assert (v.id, v.seats, v.wheelchair) == ("bus-1", 8, 1)
    assert (v.depot_lat, v.depot_lon) == (51.6503, 11.5115)
    assert (v.shift_start, v.shift_end) == (6 * 3600, 22 * 3600)
    assert v.end_point == (51.6503, 11.5115)
    assert v.breaks == () and v.cost_per_hour == 0
    assert fleet.capacities == [(8, 1)]
    assert fleet.source == str(path)


def test_service_table_is_optional() -> None:
    fleet = parse_fleet({"vehicle": [vehicle()]}, source="f")
    assert fleet.service == ServiceRules()


def test_break_forms_and_extras() -> None:
    data = {
        "vehicle": [
            vehicle(
                id="a",
                end_lat=50.1,
                end_lon=11.6,
                cost_per_hour=35,
                cost_per_km=0.4,
                fixed_cost=20,
                max_route_duration_min=600,
                **{"break": {"earliest": "11:00", "latest": "14:00", "duration_min": 30}},
            ),
            vehicle(
                id="b",
                shift_end="26:00",
                **{
                    "break": [
                        {"earliest": "10:00", "latest": "12:00", "duration_min": 15},
                        {"earliest": "18:00", "latest": "20:00", "duration_min": 30},
                    ]
                },
            ),
        ]
    }
    a, b = parse_fleet(data, source="f").vehicles
    assert a.breaks == (BreakSpec(11 * 3600, 14 * 3600, 30),)
    assert a.end_point == (50.1, 11.6)
    assert (a.cost_per_hour, a.cost_per_km, a.fixed_cost, a.max_route_duration_min) == (35, 0.4, 20, 600)
    assert len(b.breaks) == 2 and b.shift_end == 26 * 3600


def test_toml_time_values_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_text(ISSUE_FLEET.replace('"06:00"', "06:00:00"), encoding="utf-8")
    assert read_fleet(path).vehicles[0].shift_start == 6 * 3600


def test_count_expands_vehicles() -> None:
    fleet = parse_fleet({"vehicle": [vehicle(id="van", count=3), vehicle(id="bus")]}, source="f")
    assert [v.id for v in fleet.vehicles] == ["van-1", "van-2", "van-3", "bus"]


def test_unknown_key_names_key_and_table() -> None:
    errs = errors_of({"vehicle": [vehicle(), vehicle(id="bus-2", seats=None, seet=8)]})
    assert "FLEET.toml: vehicle[2]: unknown key 'seet' (did you mean 'seats'?)" in errs
    assert "FLEET.toml: vehicle[2].seats: required key is missing" in errs


def test_unknown_top_level_key_and_embedded_table_path() -> None:
    assert errors_of({"vehicles": [], "vehicle": [vehicle()]})[0].startswith(
        "FLEET.toml: unknown key 'vehicles' (did you mean 'vehicle'?)"
    )
    errs = errors_of({"vehicle": [vehicle(colour="red")]}, table="models.drt")
    assert errs[0].startswith("FLEET.toml: models.drt.vehicle[1]: unknown key 'colour'")


@pytest.mark.parametrize(
    ("over", "where", "what"),
    [
        ({"seats": "8"}, "vehicle[1].seats", "must be a whole number, got the text '8'"),
        ({"seats": 8.5}, "vehicle[1].seats", "must be a whole number"),
        ({"seats": 0}, "vehicle[1].seats", "must be >= 1"),
        ({"wheelchair": -1}, "vehicle[1].wheelchair", "must be >= 0"),
        ({"depot_lat": 95.0}, "vehicle[1].depot_lat", "must be <= 90"),
        ({"depot_lon": "11.5"}, "vehicle[1].depot_lon", "must be a number, got the text"),
        ({"id": 7}, "vehicle[1].id", "must be text"),
        ({"id": ""}, "vehicle[1].id", "must not be empty"),
        ({"shift_start": "6 Uhr"}, "vehicle[1].shift_start", "is not a time"),
        ({"shift_start": 6}, "vehicle[1].shift_start", "must be a time"),
        ({"shift_end": "05:00"}, "vehicle[1].shift_end", "before it starts"),
        ({"cost_per_km": -0.1}, "vehicle[1].cost_per_km", "must be >= 0"),
        ({"end_lat": 50.1}, "vehicle[1].end_lon", "give both end_lat and end_lon"),
        ({"count": 0}, "vehicle[1].count", "must be >= 1"),
        (
            {"break": {"earliest": "05:00", "latest": "07:00", "duration_min": 30}},
            "vehicle[1].break",
            "lies outside the shift",
        ),
        (
            {"break": {"earliest": "11:00", "latest": "11:20", "duration_min": 30}},
            "vehicle[1].break",
            "shorter than the break",
        ),
        ({"break": {"earliest": "11:00", "latest": "14:00"}}, "vehicle[1].break.duration_min", "required"),
        ({"break": {"earliest": "11:00", "latest": "14:00", "duration_min": 30, "at": 1}}, "vehicle[1].break", "unknown key 'at'"),
        ({"break": "lunch"}, "vehicle[1].break", "must be a table"),
    ],
)
def test_bad_values_name_the_key(over: dict, where: str, what: str) -> None:
    errs = errors_of({"vehicle": [vehicle(**over)]})
    assert len(errs) == 1, errs
    assert errs[0].startswith(f"FLEET.toml: {where}: ")
    assert what in errs[0]


def test_every_problem_is_reported_at_once() -> None:
    errs = errors_of(
        {"service": {"dwell_min": "one"}, "vehicle": [vehicle(seats=0), vehicle(id="b", depot_lat=None)]}
    )
    assert len(errs) == 3


def test_duplicate_ids_and_no_vehicles() -> None:
    errs = errors_of({"vehicle": [vehicle(), vehicle()]})
    assert errs == ["FLEET.toml: vehicle[2].id: duplicate vehicle id 'bus-1' (also in vehicle[1])"]
    assert "no vehicles" in errors_of({"service": {}})[0]
    assert "no vehicles" in errors_of({"vehicle": []})[0]
    assert "array of tables" in errors_of({"vehicle": {"id": "x"}})[0]


def test_missing_folder_not_toml_not_utf8(tmp_path: Path) -> None:
    for path, what in [
        (tmp_path / "nope.toml", "fleet file not found"),
        (tmp_path, "is a folder"),
    ]:
        with pytest.raises(InputErrors, match=what):
            read_fleet(path)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[vehicle]\nid = 'x'\n", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        read_fleet(bad)
    assert str(info.value).startswith(f"{bad}: not a valid TOML file")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[[vehicle]]\nid = "Bürgerbus"\n'.encode("latin-1"))
    with pytest.raises(InputErrors, match="not a UTF-8 text file"):
        read_fleet(latin)


def test_to_dict_round_trip() -> None:
    data = {
        "service": {"pickup_window_min": 10, "max_ride_min": 50},
        "vehicle": [
            vehicle(
                id="a",
                wheelchair=2,
                end_lat=50.1,
                end_lon=11.6,
                cost_per_hour=35,
                max_route_duration_min=480,
                **{"break": {"earliest": "11:00", "latest": "14:00", "duration_min": 30}},
            ),
            vehicle(id="b", shift_start="05:30:30"),
        ],
    }
    fleet = parse_fleet(data, source="f")
    again = parse_fleet(fleet.to_dict(), source="g")
    assert again.vehicles == fleet.vehicles
    assert again.service == fleet.service
