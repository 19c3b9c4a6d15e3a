"""Atomic outputs: all or nothing, usual file modes, refusal without force."""

from __future__ import annotations

import os
import stat

import pytest

from transit.util.atomic import atomic_path, atomic_write_text, output_dir
from transit.errors import OutputExistsError


def _mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


def test_written_file_has_the_usual_mode(tmp_path):
    mask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.txt", "hello")
    finally:
        os.umask(mask)
    assert (tmp_path / "a.txt").read_text() == "hello"
    assert _mode(tmp_path / "a.txt") == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failed_write_leaves_old_content_and_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_output_dir_replaces_only_on_success(tmp_path):
    out = tmp_path / "out"
    with output_dir(out) as d:
        (d / "x.csv").write_text("1")
    assert (out / "x.csv").read_text() == "1"
    assert _mode(out) & 0o055  # readable by others, not private
    with pytest.raises(OutputExistsError, match="--force"), output_dir(out):
        pass
    with pytest.raises(RuntimeError), output_dir(out, force=True) as d:
        (d / "y.csv").write_text("2")
        raise RuntimeError("boom")
    assert sorted(p.name for p in out.iterdir()) == ["x.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with output_dir(out, force=True) as d:
        (d / "y.csv").write_text("2")
    assert sorted(p.name for p in out.iterdir()) == ["y.csv"]
