"""Tests of the bundled instances (instances/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from transit.errors import InputError
from transit.util.instances import instance_names, instance_osm, instances_dir


def test_default_instance_is_listed_and_small() -> None:
    assert "default" in instance_names()
    osm = instance_osm("default")
    assert osm.name == "district.osm.gz"
    total = sum(p.stat().st_size for p in (instances_dir() / "default").rglob("*") if p.is_file())
    assert total < 2_000_000


def test_unknown_instance_names_the_known_ones() -> None:
    with pytest.raises(InputError, match="known: .*default"):
        instance_osm("atlantis")


def test_readme_says_synthetic() -> None:
    text = (instances_dir() / "default" / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in text.lower()
    assert "Everything here is synthetic" in text


def test_rebuild_reproduces_committed_files_byte_for_byte(tmp_path: Path) -> None:
    from cli import app

    out = tmp_path / "default"
    res = CliRunner().invoke(app, ["instance", "build-default", "--out", str(out)])
    assert res.exit_code == 0, res.output
    committed = instances_dir() / "default"
    built = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert built, "nothing built"
    for rel in built:
        assert (out / rel).read_bytes() == (committed / rel).read_bytes(), f"{rel} differs from the committed file"
    res = CliRunner().invoke(app, ["instance", "build-default", "--out", str(out)])
    assert res.exit_code == 2 and "--force" in res.stderr


def test_real_extract_instances_point_to_shared(shared_dir: Path) -> None:
    assert instance_osm("north-bayreuth") == (shared_dir / "data" / "osm" / "north-bayreuth.osm.gz").resolve()
    assert instance_osm("liechtenstein").name == "liechtenstein-latest.osm.pbf"
    assert instance_osm("liechtenstein").is_file()


def test_environment_variable_names_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "district.osm.gz").write_bytes(b"")
    monkeypatch.setenv("TRANSIT_INSTANCES", str(tmp_path))
    assert instances_dir() == tmp_path and instance_names() == ["mine"]
    monkeypatch.setenv("TRANSIT_INSTANCES", str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match="TRANSIT_INSTANCES"):
        instances_dir()
