"""plan.json is validated like any input: a damaged or hand-edited file names the file, the JSON path and the problem."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from dispatchcase import DAY, H, bk, fleet, stored_day
from roadcase import village_road
from transit.demand.bookings import write_bookings
from transit.dispatch import read_plan_json, update_day
from transit.errors import InputErrors
from transit.road.travel import RoadNetwork

runner = CliRunner()


@pytest.fixture(scope="module")
def net() -> RoadNetwork:
    return village_road()


@pytest.fixture()
def planfile(net: RoadNetwork, tmp_path: Path) -> Path:
    stored_day(net, DAY, fleet(), tmp_path)
    return tmp_path / "plan.json"


def edit(path: Path, change) -> Path:
    d = json.loads(path.read_text(encoding="utf-8"))
    change(d)
    out = path.with_name("edited.json")
    out.write_text(json.dumps(d, allow_nan=True), encoding="utf-8")
    return out


def _route_with(d: dict, rid: str) -> tuple[int, int, int]:
    for i, r in enumerate(d["plan"]["routes"]):
        ks = [k for k, s in enumerate(r["stops"]) if s["request_id"] == rid]
        if ks:
            return i, ks[0], ks[1]
    raise AssertionError(rid)


def swap(d: dict) -> None:
    i, p, q = _route_with(d, "a")
    stops = d["plan"]["routes"][i]["stops"]
    stops[p]["kind"], stops[q]["kind"] = "dropoff", "pickup"


def nan_time(d: dict) -> None:
    i, p, _q = _route_with(d, "b")
    d["plan"]["routes"][i]["stops"][p]["arrival"] = math.nan


def unknown_vehicle(d: dict) -> None:
    d["plan"]["routes"][1]["vehicle_id"] = "bus-9"


def unknown_request(d: dict) -> None:
    i, p, _q = _route_with(d, "c")
    d["plan"]["routes"][i]["stops"][p]["request_id"] = "zz"


def duplicate_booking(d: dict) -> None:
    d["bookings"].append(dict(d["bookings"][0]))


CASES = [
    (swap, r"plan\.routes\[\d\]\.stops\[\d+\]: request 'a' is dropped off before it is picked up"),
    (nan_time, r"plan\.routes\[\d\]\.stops\[\d+\]\.arrival: must be a finite number, got nan"),
    (unknown_vehicle, r"plan\.routes\[1\]\.vehicle_id: unknown vehicle \"bus-9\" \(the fleet has v1, v2\)"),
    (unknown_request, r"plan\.routes\[\d\]\.stops\[\d+\]\.request_id: unknown request \"zz\""),
    (duplicate_booking, r"bookings\[6\]\.request_id: booking 'a' appears twice \(first at bookings\[0\]\)"),
]


@pytest.mark.parametrize(("change", "message"), CASES, ids=[c[0].__name__ for c in CASES])
def test_damaged_plan_names_file_and_json_path(planfile: Path, change, message: str) -> None:
    bad = edit(planfile, change)
    with pytest.raises(InputErrors) as info:
        read_plan_json(bad)
    text = str(info.value)
    assert text.startswith(f"{bad}: ")
    assert re.search(message, text), text


@pytest.mark.parametrize(("change", "message"), CASES, ids=[c[0].__name__ for c in CASES])
def test_cli_exit_2_blames_the_plan_not_the_new_bookings(planfile: Path, tmp_path: Path, change, message: str) -> None:
    bad = edit(planfile, change)
    new = tmp_path / "new.csv"
    write_bookings([bk("n1", 1, 2, 15.0, booked_at=9 * H)], new)
    out = tmp_path / "out"
    res = runner.invoke(app, ["dispatch", "add", str(new), "--plan", str(bad), "--out", str(out), "--now", "09:00"])
    assert res.exit_code == 2, res.output
    assert re.search(message, res.output) and str(bad) in res.output
    assert str(new) not in res.output and "internal error" not in res.output
    assert not out.exists()


def test_a_plan_breaking_the_rules_is_an_input_error(net: RoadNetwork, planfile: Path) -> None:
    # a pickup moved by hand outside its promised window: only the independent checker sees it
    def early(d: dict) -> None:
        i, p, _q = _route_with(d, "e")
        s = d["plan"]["routes"][i]["stops"][p]
        s["start"] = s["arrival"]
        s["departure"] = s["arrival"] + 90

    stored = read_plan_json(edit(planfile, early))
    with pytest.raises(InputErrors, match=r"edited\.json: plan\.routes\[\d\]: the stored plan breaks the rules of the day: \[pickup_window\]"):
        update_day(stored, net, now=9 * H, new_bookings=[bk("n1", 1, 2, 15.0)], network_path="x", iterations=10)


def test_version_1_plans_are_read(planfile: Path) -> None:
    def v1(d: dict) -> None:
        d["version"] = 1
        for key in ("status", "overrides", "legs", "vehicles_out"):
            d.pop(key)

    stored = read_plan_json(edit(planfile, v1))
    assert stored.status == {} and stored.legs == {} and len(stored.bookings) == len(DAY)
