"""transit.evaluate.reasons: rejection reasons counted by kind, and shown in the report's language."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from compare_fakes import synthetic_access, synthetic_results

from transit.compare.report import ReportData, render_report
from transit.evaluate.reasons import REASON_KINDS, count_kinds, parse_counts, reason_kind
from transit.evaluate.stats import summarize
from transit.util.i18n import translator

K = REASON_KINDS

# A reason each model writes (the formats of transit.opmodels and transit.timetable.flex) and its kind.
WRITTEN = [
    ("no stop within 1100 m of the pickup", K["no_stop_pickup"]),
    ("more than 500 m from the nearest road", K["off_road"]),
    ("no taxi line links a stop near the pickup with a stop near the drop-off (without changing)", K["taxi_link"]),
    ("drop-off more than 1.5 km from every stop of the taxi lines", K["taxi_door_far"]),
    ("last taxi left at 18:05 (requested 19:10)", K["taxi_gone"]),
    ("next taxi 75 min after the requested time (limit 60 min)", K["taxi_wait"]),
    ("no taxi arrives in time: the first gets there at 08:20 (requested arrival 08:10)", K["taxi_no_arrival"]),
    ("the last bus arriving in time gets there 70 min before the requested time (limit 60 min)", K["bus_early"]),
    ("the last taxi leaves at 21:40: too soon to walk 9 min to its stop from the requested 21:35", K["taxi_walk"]),
    ("outside the Bürgerbus service hours (08:00-18:00)", K["buergerbus_hours"]),
    ("outside the service window (08:00-20:00, 08:00-22:00)", K["flex_window"]),
    ("booked 12 min ahead; the flex service needs booking by 18:00 1 day(s) before", K["flex_notice"]),
    ("booked 40 min before the 09:05 taxi from Sangerhain, Am Anger 3; it runs only if booked 120 min ahead",
     K["taxi_notice"]),
    ("the 09:05 taxi is full (2 vehicles of 4 seats)", K["taxi_full"]),
    ("no capacity at that time (fleet busy)", K["fleet_busy"]),
]


@pytest.mark.parametrize(("reason", "kind"), WRITTEN, ids=[w[0][:40] for w in WRITTEN])
def test_a_reason_with_a_bookings_details_maps_to_its_kind(reason: str, kind: str) -> None:
    assert reason_kind(reason) == kind


def test_a_reason_no_rule_knows_is_kept_and_an_empty_one_is_named() -> None:
    assert reason_kind("the driver is ill") == "the driver is ill"
    assert reason_kind("a; b") == "a, b"  # so that the counts text stays readable
    assert reason_kind("  ") == "(no reason given)"
    assert reason_kind("no stop within walking distance of the pickup") == K["no_stop_pickup"]  # a kind is its own


def test_counts_by_kind_largest_first_and_read_back() -> None:
    reasons = [
        "booked 12 min ahead; the flex service needs 60 min notice",
        "booked 43 min ahead; the flex service needs 60 min notice",
        "booked 55 min ahead; the flex service needs 60 min notice",
        "outside the service area (no GTFS-Flex zone or stop group serves both ends)",
        "no capacity at that time (fleet busy)",
        "no capacity at that time (fleet busy)",
    ]
    text = count_kinds(reasons)
    assert text == ("booked with less notice than the flex service needs: 3; "
                    "no capacity at that time (fleet busy): 2; "
                    "outside the service area (no GTFS-Flex zone or stop group serves both ends): 1")
    assert parse_counts(text) == [(K["flex_notice"], 3), (K["fleet_busy"], 2), (K["outside_flex_area"], 1)]
    assert parse_counts("") == [] and parse_counts("hand-made") == [("hand-made", 0)]


def test_every_kind_has_a_german_text_without_the_kinds_punctuation() -> None:
    de = translator("de")
    for kind in REASON_KINDS.values():
        assert "; " not in kind and not re.search(r": \d+$", kind), kind  # parse_counts splits on these
        assert de.gettext(kind) != kind, kind


def test_the_report_shows_the_kinds_in_its_language() -> None:
    kp, trips, stops = synthetic_results()
    kp = kp.assign(rejection_reasons=count_kinds(["booked 30 min ahead; the flex service needs 60 min notice",
                                                  "no capacity at that time (fleet busy)"]))
    data = ReportData(title="t", description="", baseline="Linienbus", seeds=[1, 2, 3],
                      models=[("Linienbus", "fixed_line"), ("Rufbus", "rufbus"), ("On-demand", "ondemand")],
                      kpis=kp, summary=summarize(kp, baseline="Linienbus"), access=synthetic_access(), trips=trips, stops=stops)
    de = html.unescape(render_report(data, lang="de"))
    assert "mit kürzerem Vorlauf gebucht, als der Flex-Dienst braucht: 1" in de
    assert "zu dieser Zeit keine Kapazität (Flotte ausgelastet): 1" in de
    en = html.unescape(render_report(dataclasses.replace(data), lang="en"))
    assert "booked with less notice than the flex service needs: 1" in en


def test_an_access_cells_reason_is_shown_by_kind_in_the_reports_language() -> None:
    from transit.compare.report import why_text
    from transit.util.i18n import use_lang

    cell = "no service: no stop within 600 m of the pickup"
    with use_lang("en"):
        assert why_text(cell) == "no service: no stop within walking distance of the pickup"
        assert why_text("walkable (300 m)") == "walkable (300 m)"
    with use_lang("de"):
        assert why_text(cell) == "kein Angebot: keine Haltestelle in Gehweite des Abholorts"
        assert why_text("not reachable: every trip leaves more than 60 min after the hour") == (
            "nicht erreichbar: jede Fahrt fährt mehr als 60 min nach der vollen Stunde")


def test_purposes_groups_and_amounts_in_german() -> None:
    from transit.compare.texts import label, money
    from transit.util.i18n import use_lang

    with use_lang("de"):
        assert [label(x) for x in ("work", "senior", "doctor", "my_purpose")] == ["Arbeit", "Senioren", "Arzt",
                                                                                   "my_purpose"]
        assert (money(3.74), money(1234.5)) == ("3,74\u00a0€", "1.234\u00a0€")  # a no-break space
    with use_lang("en"):
        assert (label("work"), money(3.74)) == ("work", "€3.74")
