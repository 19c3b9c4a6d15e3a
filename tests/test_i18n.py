"""transit.util.i18n: language choice, catalogues, locale formats; and the catalogues are complete."""

from __future__ import annotations

import datetime as dt
import re
import string
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
    "transit/commands",
    "transit/compare",
    "transit/sweep",
    "transit/demand/bookings.py",
    "transit/evaluate/reasons.py",
    "transit/data/published_ranges.toml",
    "transit/util/tomltable.py",
    "transit/util/limits.py",
    "transit/util/atomic.py",
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
    nbsp = "\u00a0"
    assert de.percent(0.746, 1) == f"74,6{nbsp}%" and en.percent(0.746, 1) == "74.6%"
    assert de.money(3.475) == f"3,48{nbsp}€" and de.money(1234.4, digits=0) == f"1.234{nbsp}€"
    assert en.money(3.475, digits=2) == "€3.48" and en.money(1234.4, digits=0) == "€1,234"
    assert de.separators == ",." and en.separators == ".,"
    assert "€" in de.money(1234.5) and "1.234,50" in de.money(1234.5)
    assert ar.direction == "rtl" and de.direction == "ltr"
    assert ar.ltr("10:05") == isolate("10:05") == "\u206810:05\u2069" and de.ltr("10:05") == "10:05"


def _extract() -> dict:
    """Every text of :data:`SOURCES` the catalogue update finds (babel.cfg: marked calls and tables of texts)."""
    from babel.messages.extract import extract_from_file

    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    found = {}
    for src in SOURCES:
        paths = [REPO / src] if src.endswith((".py", ".toml")) else sorted((REPO / src).rglob("*.py"))
        for p in paths:
            method = "transit.util.msgextract." + ("extract_toml" if p.suffix == ".toml" else "extract")
            for _lineno, msg, _comments, _ctx in extract_from_file(method, p, keywords=keywords):
                found[msg] = p.relative_to(REPO)
    return found


def test_tables_of_texts_are_found_without_marks() -> None:
    """The report's sentences, KPI labels and range descriptions are plain data; the extraction still finds every one."""
    from transit.compare.plots import ACCESS_LABELS, KPI_LABELS
    from transit.compare.texts import TEXTS

    messages = _extract()
    for sentence in TEXTS.values():
        assert messages.get(sentence) == Path("transit/compare/texts.py"), sentence
    for lab in (*KPI_LABELS.values(), *ACCESS_LABELS.values()):
        assert lab.title in messages and lab.unit in messages, lab
    assert "Service quality" in messages and "error: {message}" in messages  # marked calls as before
    from transit.evaluate.published import published_ranges

    assert {r.what for r in published_ranges()} <= set(messages)  # the data file's descriptions too


def test_format_fills_numbers_in_the_locale_and_leaves_english_as_str_format() -> None:
    de, en = translator("de"), translator("en")
    msg = "{name}: {n} of {total:,.0f} ({share:.0%}), {x:.2f} {ratio} {label!r}"
    fields = {"name": "A.B, C", "n": 3, "total": 12345.6, "share": 0.746, "x": 3.14159, "ratio": 0.5, "label": "x.y"}
    assert en.format(msg, **fields) == msg.format(**fields)
    # numbers get German separators and "75 %"; texts (even with dots and commas) stay as they are
    assert de.format(msg, **fields) == "A.B, C: 3 of 12.346 (75\u00a0%), 3,14 0,5 'x.y'"
    assert de.inline("Kosten je Fahrgast") == "Kosten je Fahrgast"
    assert en.inline("Cost per passenger") == "cost per passenger"


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


def test_command_messages_in_german_and_the_language_ends_with_the_command(tmp_path: Path) -> None:
    """--lang de: the error wrapper, file errors of the scenario file and option errors in German; then English."""
    from typer.testing import CliRunner

    from cli import app

    runner = CliRunner()
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "x"\nseeds = "two"\n', encoding="utf-8")
    res = runner.invoke(app, ["compare", str(tmp_path / "nope.toml"), "--lang", "de"])
    assert res.exit_code == 2 and "nope.toml: Szenariodatei nicht gefunden" in res.output
    res = runner.invoke(app, ["compare", str(bad), "--lang", "de"])
    assert res.exit_code == 2 and "scenario.seeds: muss eine ganze Zahl sein, gefunden: der Text 'two'" in res.output
    res = runner.invoke(app, ["network", "build", "--lang", "de"])
    assert res.exit_code == 2 and res.output.startswith("Fehler: geben Sie genau eines an: SOURCE")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x")
    taken = str(tmp_path / "taken")
    res = runner.invoke(app, ["export", "gtfs", str(bad), "--model", "A", "--out", taken, "--lang", "de"])
    assert res.exit_code == 2 and "Ausgabe existiert bereits; mit --force ersetzen" in res.output
    assert current().lang == "en"  # the command's language ended with it
    res = runner.invoke(app, ["network", "build"])
    assert res.exit_code == 2 and res.output.startswith("error: give exactly one of SOURCE")
