"""Road rules: which ways a minibus may drive, and maxspeed parsing."""

from __future__ import annotations

import math

import pytest

from transit.road.rules import default_rules, parse_maxspeed


@pytest.fixture(scope="module")
def rules():
    return default_rules()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        ("30 mph", 30 * 1.609344),
        ("70 km/h", 70.0),
        ("DE:urban", 50.0),
        ("DE:rural", 100.0),
        ("DE:living_street", 7.0),
        ("DE:zone30", 30.0),
        ("none", math.inf),
        ("DE:motorway", math.inf),
        ("50;30", 30.0),
        (["60", "DE:urban"], 50.0),
        ("signals", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_parse_maxspeed(rules, value, expected):
    got = parse_maxspeed(value, rules.implicit_maxspeed_kmh)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("tags", "drivable"),
    [
        ({"highway": "primary"}, True),
        ({"highway": "residential"}, True),
        ({"highway": "living_street"}, True),
        ({"highway": "motorway_link"}, True),
        ({"highway": "track"}, False),
        ({"highway": "service"}, False),
        ({"highway": "footway"}, False),
        ({"highway": "via_ferrata"}, False),
        ({"highway": "cycleway"}, False),
        ({}, False),
        ({"highway": "residential", "access": "private"}, False),
        ({"highway": "residential", "access": "no"}, False),
        ({"highway": "residential", "motor_vehicle": "no"}, False),
        ({"highway": "residential", "motorcar": "no"}, False),
        ({"highway": "residential", "access": "agricultural"}, False),
        ({"highway": "residential", "access": "destination"}, True),
        ({"highway": "residential", "access": "no", "bus": "yes"}, True),
        ({"highway": "residential", "access": "no", "psv": "designated"}, True),
        ({"highway": "residential", "access": "no", "motor_vehicle": "yes"}, True),
        ({"highway": "residential", "access": "yes", "motor_vehicle": "no"}, False),
        ({"highway": "pedestrian", "area": "yes"}, False),
        ({"highway": "primary", "area": "yes"}, False),
    ],
)
def test_is_drivable(rules, tags, drivable):
    assert rules.is_drivable(tags) is drivable


def test_speed_uses_maxspeed_class_default_and_cap(rules):
    assert rules.speed_kmh("residential", "DE:urban") == 50.0
    assert rules.speed_kmh("residential", None) == rules.default_speed_kmh["residential"]
    # A bus does not drive 130: the cap applies to tagged limits and defaults alike.
    assert rules.speed_kmh("motorway", "130") == rules.speed_cap_kmh
    assert rules.speed_kmh("motorway", "none") == rules.speed_cap_kmh
    assert rules.speed_kmh("primary", "DE:rural") == min(100.0, rules.speed_cap_kmh)
    assert rules.with_cap(120).speed_kmh("motorway", "130") == 120.0
    assert rules.speed_kmh("living_street", "DE:living_street") == 7.0
    # merged edges carry several classes: the slowest default counts
    assert rules.speed_kmh(["primary", "residential"], None) == rules.default_speed_kmh["residential"]


def test_cap_must_be_positive(rules):
    with pytest.raises(ValueError, match="positive"):
        rules.with_cap(0)
