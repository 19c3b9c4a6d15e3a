"""A regular (non-editable) install: the wheel carries the catalogues and the bundled instances.

Both tests use one wheel, built once here: ``pip wheel`` builds in the repository's ``build/``
folder, so two builds at once (the suite's two processes) would trip over each other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """The wheel of the repository, unpacked on its own (no checkout beside it); and its file names."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = out.glob("transit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    zipfile.ZipFile(wheel).extractall(out / "site")
    return out / "site", names


def _probe(code: str, site: Path, cwd: Path, drop: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_a_wheel_carries_the_catalogues(site: tuple[Path, set[str]], tmp_path: Path) -> None:
    """The message catalogues are package data (setup.py): found and compiled without the checkout."""
    folder, names = site
    for lang in ("de", "ar", "uk", "ru"):
        assert f"transit/locale/{lang}/LC_MESSAGES/transit.po" in names
    code = ("from transit.util.i18n import translator; print(translator('de').gettext('Pick up'))"
            "; import transit.util.i18n as m; print(m.LOCALE_DIR)")
    out = _probe(code, folder, tmp_path, ("LANG", "LC_"))
    assert out.returncode == 0, out.stderr[-2000:]
    word, where = out.stdout.split()
    assert word == "Abholen" and Path(where) == folder / "transit" / "locale"


def test_a_wheel_carries_the_default_instance(site: tuple[Path, set[str]], tmp_path: Path) -> None:
    """The bundled instances are found without the repository."""
    folder, _names = site
    code = ("from transit.util.instances import instances_dir, instance_osm;"
            "print(instances_dir()); print(instance_osm('default'))")
    out = _probe(code, folder, tmp_path, ("TRANSIT_INSTANCES",))
    assert out.returncode == 0, out.stderr[-2000:]
    where, osm = out.stdout.split()
    assert Path(where) == folder / "transit_instances"
    assert Path(osm).is_file() and Path(osm).parent.name == "default"
