"""transit.util.i18n: language choice, catalogues, locale formats; and the catalogues are complete."""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from transit.errors import InputError
from transit.util.i18n import (
    LOCALE_DIR,
    NOTICE_LANGUAGES,
    _,
    current,
    isolate,
    ngettext,
    resolve_lang,
    translator,
    use_lang,
)

REPO = Path(__file__).resolve().parents[1]
#: The modules whose user-facing texts are marked for translation (see README, "Languages").
SOURCES = [
    "transit/util/i18n.py",
    "transit/dispatch",
    "transit/commands/dispatch.py",
    "transit/commands/bookings.py",
    "transit/commands/_lang.py",
    "transit/demand/bookings.py",
]


def test_language_from_option_then_locale() -> None:
    assert resolve_lang("de", {}) == "de" and resolve_lang("EN", {}) == "en" and resolve_lang("de_DE.UTF-8", {}) == "de"
    assert resolve_lang(None, {"LANG": "de_DE.UTF-8"}) == "de"
    assert resolve_lang(None, {"LANG": "C.UTF-8"}) == "en"
    assert resolve_lang(None, {"LC_ALL": "de_AT.UTF-8", "LANG": "en_US.UTF-8"}) == "de"
    assert resolve_lang(None, {"LC_MESSAGES": "fr_FR.UTF-8"}) == "en"  # not a language of the program
    assert resolve_lang(None, {"LANGUAGE": "de:en", "LANG": "en_GB.UTF-8"}) == "de"
    assert resolve_lang(None, {"LANGUAGE": "de", "LANG": "C"}) == "en"  # as gettext: LANGUAGE needs a real locale
    assert resolve_lang(None, {}) == "en"
    with pytest.raises(InputError, match="--lang: 'fr' is not a language of this program"):
        resolve_lang("fr", {})


def test_translations_and_plurals() -> None:
    de, en = translator("de"), translator("en")
    assert de.gettext("Pick up") == "Abholen" and en.gettext("Pick up") == "Pick up"
    assert de.ngettext("{n} person", "{n} people", 1).format(n=1) == "1 Person"
    assert de.ngettext("{n} person", "{n} people", 3).format(n=3) == "3 Personen"
    assert de.gettext("a text nobody translated") == "a text nobody translated"
    with use_lang("de"):
        assert _("missing value") == "Wert fehlt" and current().lang == "de"
        assert ngettext("{n} seat", "{n} seats", 2) == "{n} Sitzplätze"
    assert _("missing value") == "missing value"  # back to the default language
    with pytest.raises(InputError, match="unknown language 'xx'"):
        translator("xx")


def test_locale_formats() -> None:
    de, en, ar = translator("de"), translator("en"), translator("ar")
    assert de.number(1646.53, 1) == "1.646,5" and en.number(1646.53, 1) == "1,646.5"
    assert de.clock(14 * 3600 + 5 * 60 + 29.6) == "14:05" and en.clock(14 * 3600 + 5 * 60) == "14:05"
    assert de.clock(25 * 3600 + 10 * 60) == "01:10 (+1)"
    assert de.date(dt.date(2026, 11, 25)) == "Mittwoch, 25. November 2026"
    assert en.date(dt.date(2026, 11, 25)) == "Wednesday, 25 November 2026"
    assert de.minutes(14 * 60) == "14 Min." and en.minutes(60) == "1 min"
    assert "€" in de.money(1234.5) and "1.234,50" in de.money(1234.5)
    assert ar.direction == "rtl" and de.direction == "ltr"
    assert ar.ltr("10:05") == isolate("10:05") == "\u206810:05\u2069" and de.ltr("10:05") == "10:05"


def _extract() -> dict:
    from babel.messages.extract import extract_from_file

    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    found = {}
    for src in SOURCES:
        paths = [REPO / src] if src.endswith(".py") else sorted((REPO / src).rglob("*.py"))
        for p in paths:
            for _lineno, msg, _comments, _ctx in extract_from_file("python", p, keywords=keywords):
                found[msg] = p.relative_to(REPO)
    return found


def _fields(text: str) -> set[str]:
    return {f for _l, f, _s, _c in string.Formatter().parse(text) if f}


def test_german_catalogue_is_complete_and_keeps_the_placeholders() -> None:
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "transit.po").open("rb") as fh:
        cat = read_po(fh)
    messages = _extract()
    assert len(messages) > 150
    missing = []
    for msg, where in messages.items():
        m = cat.get(msg)
        if m is None or not m.string or (isinstance(m.string, tuple) and not all(m.string)):
            missing.append((msg, str(where)))
            continue
        ids = msg if isinstance(msg, tuple) else (msg,)
        strs = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strs:
            assert _fields(s) == _fields(ids[0]), (msg, s)
    assert missing == [], "untranslated (run the update in the README, 'Languages')"


def test_notice_languages_have_every_notice() -> None:
    from transit.dispatch.notices import _TEXT

    for lang in NOTICE_LANGUAGES:
        tr = translator(lang)
        for key, msg in _TEXT.items():
            text = tr.gettext(msg)
            assert lang == "en" or text != msg, (lang, key)
            assert _fields(text) == _fields(msg), (lang, key)
    assert re.search(r"[\u0600-\u06ff]", translator("ar").gettext(_TEXT["confirmed"]))
    assert re.search(r"[а-яіїє]", translator("uk").gettext(_TEXT["confirmed"]))


@pytest.mark.slow
def test_a_wheel_carries_the_catalogues(tmp_path: Path) -> None:
    """A non-editable install works from the package data declared in setup.py."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(tmp_path.glob("transit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in ("de", "ar", "uk", "ru"):
        assert f"transit/locale/{lang}/LC_MESSAGES/transit.po" in names
    # unpacked on its own (no checkout beside it), the catalogue is found and compiled
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = "from transit.util.i18n import translator; print(translator('de').gettext('Pick up'))"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANG", "LC_"))}
    env["PYTHONPATH"] = str(site)
    probe = code + "; import transit.util.i18n as m; print(m.LOCALE_DIR)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    word, where = out.stdout.split()
    assert word == "Abholen" and Path(where) == site / "transit" / "locale"
