"""The shared TOML table checks: messages, columns, collecting and first-problem use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from transit.errors import InputError, InputErrors
from transit.util.tomltable import (
    Table,
    build,
    check_keys,
    clock_value,
    describe,
    get_bool,
    get_int,
    get_number,
    get_text,
    read_toml,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("x", "the text 'x'"),
        (True, "the boolean true"),
        ({"a": 1}, "a table"),
        ([1], "a list"),
        (dt.date(2025, 3, 4), "the date/time 2025-03-04"),
        (dt.time(6, 30), "the date/time 06:30:00"),
        (3, "3"),
    ],
)
def test_describe(value, text) -> None:
    assert describe(value) == text


def test_unknown_key_names_the_table_and_suggests_a_key() -> None:
    with pytest.raises(InputError) as info:
        check_keys({"seet": 1}, ("seats", "id"), source="f.toml", table="vehicle[2]")
    assert str(info.value) == "f.toml: vehicle[2]: unknown key 'seet' (did you mean 'seats'?)"
    with pytest.raises(InputError) as info:
        check_keys({"zzz": 1}, ("seats", "id"), source="f.toml", table="")
    assert str(info.value) == "f.toml: unknown key 'zzz' (known keys: seats, id)"
    with pytest.raises(InputError, match="f.toml: walk: must be a table, got the text 'fast'"):
        check_keys("fast", ("speed_kmh",), source="f.toml", table="walk")


def test_table_collects_every_problem_with_its_key() -> None:
    t = Table(
        {"n": "x", "k": 2.5, "s": " ", "b": 1, "c": "7h", "typo": 0, "late": 31.0},
        source="f.toml",
        table="a",
    )
    t.check_keys(("n", "k", "s", "b", "c", "late", "need"))
    assert t.number("n", default=1.0) == 1.0
    assert t.integer("k") is None
    assert t.text("s") is None
    assert t.boolean("b", default=False) is False
    assert t.clock("c") is None
    assert t.number("late", hi=30) is None
    assert t.number("need", required=True) is None
    found = [str(p) for p in t.problems]
    assert found == [
        "f.toml: a: unknown key 'typo' (known keys: n, k, s, b, c, late, need)",
        "f.toml: a.n: must be a number, got the text 'x'",
        "f.toml: a.k: must be a whole number, got 2.5",
        "f.toml: a.s: must not be empty",
        "f.toml: a.b: must be true or false, got 1",
        found[5],
        "f.toml: a.late: must be <= 30, got 31",
        "f.toml: a.need: required key is missing",
    ]
    assert found[5].startswith("f.toml: a.c: ") and "7h" in found[5]
    with pytest.raises(InputErrors) as info:
        t.raise_problems()
    assert info.value.problems == t.problems


def test_number_bounds_and_the_values_shown() -> None:
    t = Table({"a": -1.0, "b": 0, "c": 90.0000001, "d": float("nan"), "e": 8.0}, source=None, table="")
    assert t.number("a", lo=0.0) is None
    assert t.number("b", lo=0.0, lo_open=True) is None
    assert t.number("c", hi=90) is None
    assert t.number("d") is None
    assert t.integer("e", whole_floats=True) == 8
    assert t.integer("e") is None
    assert [p.message for p in t.problems] == [
        "must be >= 0, got -1",
        "must be > 0, got 0",
        "must be <= 90, got 90.0000001",
        "must be a finite number, got nan",
        "must be a whole number, got 8.0",
    ]


def test_first_problem_getters_give_the_same_messages() -> None:
    data = {"x": -2, "n": "3", "t": 5, "b": "yes", "m": "fly"}
    cases = [
        (lambda: get_number(data, "x", None, source="s", table="m"), "s: m.x: must be >= 0, got -2"),
        (lambda: get_number(data, "x", None, source="s", table="m", positive=True), "s: m.x: must be > 0, got -2"),
        (lambda: get_int(data, "n", None, source="s", table="m"), "s: m.n: must be a whole number, got the text '3'"),
        (lambda: get_text(data, "t", None, source="s", table="m"), "s: m.t: must be text (in quotes), got 5"),
        (lambda: get_bool(data, "b", None, source="s", table="m"), "s: m.b: must be true or false, got the text 'yes'"),
        (
            lambda: get_text(data, "m", None, source="s", table="m", choices=("walk", "drive")),
            "s: m.m: must be one of 'walk', 'drive', got 'fly'",
        ),
    ]
    for call, message in cases:
        with pytest.raises(InputError) as info:
            call()
        assert str(info.value) == message
    assert get_number(data, "absent", 4.0, source="s", table="m") == 4.0
    assert get_number(data, "x", None, source="s", table="m", minimum=None) == -2.0
    assert get_text({"m": " as written "}, "m", None, source="s", table="m") == " as written "


def test_clock_values() -> None:
    assert clock_value("25:10", source="s", column="c") == 25 * 3600 + 600
    assert clock_value(dt.time(6, 30), source="s", column="c", toml_time=True) == 6.5 * 3600
    with pytest.raises(InputError, match=r's: c: must be a time like "06:30", got the date/time 06:30:00'):
        clock_value(dt.time(6, 30), source="s", column="c")


@dataclass(frozen=True)
class _Opts:
    speed: float = 1.0

    def __post_init__(self) -> None:
        if self.speed > 10:
            msg = f"too fast: {self.speed}"
            raise InputError(msg, column="speed")


def test_build_names_file_and_key_of_the_objects_own_check() -> None:
    assert build(_Opts, {"speed": 2.0}, source="s.toml", table="m") == _Opts(2.0)
    with pytest.raises(InputError) as info:
        build(_Opts, {"speed": 20.0}, source="s.toml", table="m")
    assert (info.value.file, info.value.column, info.value.message) == ("s.toml", "m.speed", "too fast: 20.0")


def test_read_toml_problems(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_bytes(b"\xef\xbb\xbfa = 1\n")
    assert read_toml(good, what="fleet file") == {"a": 1}
    bad = tmp_path / "bad.toml"
    bad.write_text("a = 1\n[b\n", encoding="utf-8")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('a = "Gr\xfc\xdfe"\n'.encode("latin-1"))
    cases = [
        (tmp_path / "nope.toml", "fleet file not found"),
        (tmp_path, "is a folder, not a fleet file"),
        (bad, "not a valid TOML file ("),
        (latin, "not a UTF-8 text file (byte 7)"),
    ]
    for path, message in cases:
        with pytest.raises(InputErrors) as info:
            read_toml(path, what="fleet file")
        assert info.value.file == str(path)
        assert info.value.message.startswith(message)
    with pytest.raises(InputErrors, match="line 2"):
        read_toml(bad, what="fleet file")
