"""Errors: messages name file, row and column, and survive pickling (worker processes)."""

from __future__ import annotations

import pickle

from transit.errors import InputError, InputErrors, SnapError


def test_message_names_file_row_column():
    assert str(InputError("not a number", file="b.csv", row=3, column="pickup_lat")) == "b.csv:3: pickup_lat: not a number"
    assert str(InputError("unknown key", column="--fleet")) == "--fleet: unknown key"


def test_errors_survive_pickling():
    errors = InputErrors([InputError("bad", file="f.csv", row=3, column="x"), SnapError("far", file="f.csv", row=4)])
    back = pickle.loads(pickle.dumps(errors))
    assert type(back) is InputErrors
    assert str(back) == "f.csv:3: x: bad\nf.csv:4: far"
    assert [type(p) for p in back.problems] == [InputError, SnapError]
    assert back.problems[0].row == 3 and back.problems[0].column == "x"
