"""What people read: manifests (German/English), passenger notices, summary, lead time, progress; personal data kept in."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from dispatchcase import DAY, H, SPARE, bk, fleet, stored_day
from roadcase import LAT, LON, village_road
from transit.darp.build import build_problem
from transit.demand.bookings import read_bookings_file, write_bookings
from transit.dispatch import plan_day, update_day
from transit.dispatch.events import Event
from transit.dispatch.files import render_day
from transit.dispatch.leadtime import REASON_TOO_LATE, lead_time_problems
from transit.dispatch.manifests import people
from transit.dispatch.places import PlaceNamer
from transit.dispatch.progress import placed_progress
from transit.dispatch.tables import summary
from transit.errors import InputError
from transit.road.travel import RoadNetwork
from transit.util.i18n import isolate, translator, use_lang

runner = CliRunner()
PERSONAL = {"name": "Erika Mustermann", "phone": "+49 3475 123456", "notes": "Rollator, bitte klingeln"}


@pytest.fixture(scope="module")
def net() -> RoadNetwork:
    return village_road()


@pytest.fixture(scope="module")
def namer() -> PlaceNamer:
    streets = {i: name for i, name in enumerate(["Dorfstraße", "Kirchweg", "Am Anger", "Bahnhofstraße"])}
    villages = tuple((name, LAT, LON[k]) for k, name in zip((1, 2, 3, 4), ("Ahorn", "Birkenau", "Carlsdorf", "Dornbach")))
    addresses = ((LAT + 1e-4, LON[1], "Dorfstraße", "12a"),)
    return PlaceNamer(streets=streets, villages=villages, addresses=addresses)


def personal_day() -> list:
    return [dataclasses.replace(b, **PERSONAL) if b.request_id == "d" else b for b in DAY]


def test_people_wording_is_unambiguous() -> None:
    en, de = translator("en"), translator("de")
    assert people(en, 3, 1) == "3 people: 2 seated, 1 wheelchair"
    assert people(de, 3, 1) == "3 Personen: 2 sitzend, 1 Rollstuhl"
    assert people(en, 1, 0) == "1 person" and people(en, 1, 1) == "1 person in a wheelchair"
    assert people(de, 2, 2) == "2 Personen im Rollstuhl"


def test_manifests_in_german_and_english(net, namer, tmp_path: Path) -> None:
    day, _ = stored_day(net, personal_day(), fleet(), tmp_path)
    de = render_day(day, net, namer, tr=translator("de"))["manifests.html"]
    en = render_day(day, net, namer, tr=translator("en"))["manifests.html"]
    assert '<html lang="de">' in de and '<html lang="en">' in en
    for word in ("Fahraufträge", "Fahrzeug v1", "Abholen", "Absetzen", "Betriebshof", "Ankunft", "Danach an Bord",
                 "zugesagte Abholung", "Kartendaten © OpenStreetMap-Mitwirkende"):
        assert word in de, word
    for word in ("Driver manifests", "Vehicle v1", "Pick up", "Drop off", "Depot", "promised pickup"):
        assert word in en, word
    assert "Pick up" not in de and "Abholen" not in en
    assert "Mittwoch" not in de or day.service_date is not None
    # the depot is named as the depot, places carry house number, coordinates and links
    assert re.search(r"<strong>Betriebshof</strong>: Dorfstraße 12a, Ahorn", de)
    assert re.search(r"50\.00010, 11\.00000 · <a href=\"https://www\.openstreetmap\.org/\?mlat=50\.000100&amp;mlon=11\.000000", de)
    assert 'href="geo:50.000100,11.000000"' in de
    # the wheelchair booking d: unambiguous wording, and the long wait before its pickup is flagged
    assert "1 Person im Rollstuhl" in de and "Rollstuhl: Rampe benutzen" in de
    assert re.search(r'class="wait">⚠ \d+ Min\. Wartezeit', de) and re.search(r'class="wait">⚠ wait \d+ min', en)


def test_personal_data_only_on_the_manifests(net, namer, tmp_path: Path) -> None:
    day, _ = stored_day(net, personal_day(), fleet(), tmp_path)
    texts = render_day(day, net, namer, tr=translator("de"))
    man = texts["manifests.html"]
    assert "Erika Mustermann" in man and 'href="tel:+493475123456"' in man and "Rollator, bitte klingeln" in man
    assert "personenbezogene Daten" in man
    for name, text in texts.items():
        if name in ("manifests.html", "plan.json"):  # plan.json keeps them for the next update
            continue
        for value in PERSONAL.values():
            assert value not in text, (name, value)


def test_notices_in_five_languages_arabic_right_to_left(net, namer, tmp_path: Path) -> None:
    day, stored = stored_day(net, DAY, fleet(extra=(SPARE,)), tmp_path)
    texts = render_day(day, net, namer, tr=translator("en"))
    rows = list(csv.DictReader(io.StringIO(texts["notices.csv"])))
    assert [r["request_id"] for r in rows] == [b.request_id for b in DAY]
    a = rows[0]
    assert a["status"] == "confirmed" and a["send"] == "yes" and a["pickup_from"] == "08:00"
    assert "bestätigt" in a["text_de"] and "zwischen 08:00 und 08:05 Uhr" in a["text_de"]
    assert "confirmed" in a["text_en"] and "Dorfstraße 12a, Ahorn" in a["text_en"]
    assert "підтверджено" in a["text_uk"] and "подтверждена" in a["text_ru"]
    ar = a["text_ar"]
    assert re.match(r"[\u0600-\u06ff]", ar)  # starts with an Arabic letter: a right-to-left paragraph
    tr = translator("ar")
    assert isolate(tr.clock(8 * H)) in ar and isolate("a") in ar and isolate("Dorfstraße 12a, Ahorn") in ar
    assert '<p class="notice" lang="ar" dir="rtl">' in texts["notices.html"]
    # after a cancellation only the changed notices are to be sent
    day2 = update_day(stored, net, now=10 * H, events=[Event("cancel", request_id="e")], network_path="x", iterations=30)
    rows2 = {r["request_id"]: r for r in csv.DictReader(io.StringIO(render_day(day2, net, namer)["notices.csv"]))}
    assert rows2["e"]["status"] == "cancelled" and rows2["e"]["send"] == "yes" and "storniert" in rows2["e"]["text_de"]
    assert rows2["a"]["send"] == "no"


def test_operating_cost_from_the_fleet_rates(net, tmp_path: Path) -> None:
    day, _ = stored_day(net, DAY, fleet(cost_per_hour=37.0, cost_per_km=0.3), tmp_path)
    s = summary(day)
    v1 = next(v for v in s["per_vehicle"] if v["vehicle_id"] == "v1")
    assert v1["cost"] == pytest.approx(37.0 * v1["hours"] + 0.3 * v1["km"], abs=0.05)
    assert s["operating_cost"] == pytest.approx(sum(v["cost"] for v in s["per_vehicle"]), abs=0.05) and s["operating_cost"] > 0
    bare, _ = stored_day(net, DAY, fleet(), tmp_path, name="bare.json")
    assert summary(bare)["operating_cost"] is None and "no cost rates" in summary(bare)["operating_cost_basis"]


def test_no_pickup_before_booked_at_plus_lead_time(net) -> None:
    fl = fleet(service={"min_lead_min": 30})
    b = bk("x", 1, 3, 9.0, booked_at=8.6 * H)  # departure 09:00 (window to 09:10), booked 08:36: pickup from 09:06
    built = build_problem([b], fl, net)
    assert built.problem.request("x").pickup_window.earliest == pytest.approx(9.1 * H)
    assert lead_time_problems([b], fl.service, network=net) == []
    # booked 07:59 for an arrival at 08:00 over a 2-minute trip: the pickup would be before the call
    late = bk("y", 1, 3, 8.0, time_type="arrival", booked_at=8 * H - 60)
    (p,) = lead_time_problems([late], fleet().service, network=net, file="b.csv", lines=[7])
    assert (p.file, p.row, p.column) == ("b.csv", 7, "booked_at")
    assert "booked at 07:59 for an arrival by 08:00: the pickup would have to be by 07:56" in p.message
    # dispatch rejects it with that reason instead of picking the passenger up before the call
    day = plan_day(build_problem([late, b], fleet(), net), network_path="x", iterations=20)
    assert {x.request_id: x.reason for x in day.plan.rejected} == {"y": REASON_TOO_LATE}
    assert translator("de").gettext(REASON_TOO_LATE).startswith("zu spät gebucht")


def test_a_late_booking_made_too_late_is_turned_away(net, tmp_path: Path) -> None:
    _, stored = stored_day(net, DAY, fleet(), tmp_path)
    late = bk("y", 1, 3, 13.0, time_type="arrival", booked_at=13 * H - 60)
    day = update_day(stored, net, now=12.9 * H, new_bookings=[late], network_path="x", iterations=20)
    assert {x.request_id: x.reason for x in day.plan.rejected} == {"y": REASON_TOO_LATE}


def test_bookings_check_reports_bookings_made_too_late(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        "request_id,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,time,time_type,booked_at\n"
        "ok,51.60,11.50,51.62,11.52,09:00,departure,08:00\n"
        "late,51.60,11.50,51.62,11.52,08:00,arrival,07:59\n",
        encoding="utf-8",
    )
    fl = tmp_path / "fleet.toml"
    fl.write_text('[service]\nmin_lead_min = 10\n[[vehicle]]\nid = "v"\ndepot_lat = 51.6\ndepot_lon = 11.5\nseats = 8\n'
                  'shift_start = "06:00"\nshift_end = "20:00"\n', encoding="utf-8")
    res = runner.invoke(app, ["bookings", "check", str(path), "--fleet", str(fl)])
    assert res.exit_code == 0  # a valid file; the booking is reported, and dispatch rejects it
    assert f"warning: {path}:3: booked_at: booked at 07:59 for an arrival by 08:00" in res.output
    assert "minimum lead time of 10 min" in res.output and ":2:" not in res.output
    assert "1 of them booked too late to be served" in res.stdout
    res = runner.invoke(app, ["bookings", "check", str(path), "--fleet", str(fl), "--lang", "de"])
    assert f"{path}:3: booked_at: um 07:59 gebucht für eine Ankunft bis 08:00" in res.output
    res = runner.invoke(app, ["bookings", "check", str(path)])  # without a fleet: no rules to judge
    assert res.exit_code == 0 and "warning" not in res.output


def test_personal_columns_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        "request_id,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,time,name,phone,notes\n"
        "r1,51.60,11.50,51.62,11.52,09:00,Erika Mustermann,+49 3475 123456,Rollator\n"
        "r2,51.60,11.50,51.62,11.52,09:00,,call me,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"b\.csv:3: phone: 'call me' is not a phone number"):
        read_bookings_file(path)
    path.write_text(path.read_text(encoding="utf-8").replace("call me", "0345 99 88"), encoding="utf-8")
    bf = read_bookings_file(path)
    assert (bf.bookings[0].name, bf.bookings[0].phone, bf.bookings[0].notes) == ("Erika Mustermann", "+49 3475 123456", "Rollator")
    assert bf.lines == (2, 3)
    out = tmp_path / "again.csv"
    write_bookings(bf.bookings, out)
    assert read_bookings_file(out).bookings == bf.bookings


def test_progress_in_bookings_placed() -> None:
    seen = []
    cb = placed_progress(lambda d, t, m="": seen.append((d, t, m)), 300, 1e7)
    cb(10, 100, "best objective 1.80132e+08")
    cb(20, 100, "something else")
    assert seen == [(10, 100, "282 of 300 bookings placed"), (20, 100, "")]
    with use_lang("de"):
        cb(30, 100, "best objective 162795.2")
    assert seen[-1][2] == "300 von 300 Buchungen eingeplant"
