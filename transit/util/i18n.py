"""German and English (and the passenger notices' languages): message catalogues and locale formats.

Every text a user reads (CLI messages, driver manifests, passenger notices)
is written in English in the code, marked for translation, and looked up in
a gettext message catalogue of the chosen language. Numbers, dates and times
are formatted with Babel's locale data.

The small API
-------------
:func:`translator(lang) <translator>`
    A :class:`Translator` for a language: ``tr.gettext`` / ``tr.ngettext``
    and the locale-aware formats ``tr.number``, ``tr.clock``, ``tr.date``,
    ``tr.minutes``. Library code that renders a document in a given language
    (manifests, notices) takes a translator explicitly.
:func:`_` and :func:`ngettext`
    Translate with the *current* language, the one the command line chose
    (:func:`use_lang` / :func:`set_lang`; English when nothing was chosen).
    Messages of errors raised deep in the library follow the user's language
    this way without passing a translator through every call.
:func:`N_`
    Marks a constant for extraction without translating it (translate it
    where it is shown).
:func:`resolve_lang`
    The language of a command: ``--lang`` if given, else the locale
    (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, in this order of
    precedence; German where the locale is German), else English.

Catalogues
----------
``transit/locale/<lang>/LC_MESSAGES/transit.po`` (gettext PO files, domain
``transit``; the template is ``transit/locale/transit.pot``). They are
compiled in memory with Babel the first time a language is used, so a
source checkout, an editable install and a wheel all work from the same
``.po`` files (package data in ``setup.py``); a ``transit.mo`` next to a
``.po`` and at least as new is used directly instead.

Message ids are English with named ``{placeholders}`` filled with
``str.format`` after translation, so a translation may reorder them.
English is the source language: it has no catalogue.

Languages: :data:`UI_LANGUAGES` (``de``, ``en``) for everything;
:data:`NOTICE_LANGUAGES` adds Arabic, Ukrainian and Russian for passenger
notices. Babel locales: ``de`` -> ``de_DE``, ``en`` -> ``en_GB`` (a 24-hour
clock and day-month dates, as the German users expect), ``ar``, ``uk``, ``ru``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext
import io
import logging
import math
import numbers
import os
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from transit.errors import InputError

__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "NOTICE_LANGUAGES",
    "UI_LANGUAGES",
    "N_",
    "Translator",
    "_",
    "current",
    "isolate",
    "ngettext",
    "resolve_lang",
    "set_lang",
    "translator",
    "use_lang",
]

log = logging.getLogger(__name__)

DOMAIN = "transit"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
UI_LANGUAGES = ("de", "en")
NOTICE_LANGUAGES = ("de", "en", "ar", "uk", "ru")
_BABEL_LOCALE = {"de": "de_DE", "en": "en_GB", "ar": "ar", "uk": "uk_UA", "ru": "ru_RU"}
_RTL = frozenset({"ar"})
_FSI, _PDI = "\u2068", "\u2069"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction; return it unchanged."""
    return message


def _catalogue(lang: str) -> gettext.NullTranslations:
    """Load the compiled catalogue of ``lang`` (compiling its ``.po`` in memory if needed)."""
    if lang == "en":
        return gettext.NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    if not po.is_file():
        log.warning("no message catalogue for %r at %s; using English", lang, po)
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@dataclass(frozen=True, eq=False)
class Translator:
    """Translations and locale formats of one language.

    Parameters
    ----------
    lang
        Language code (``"de"``, ``"en"``, ``"ar"``, ``"uk"``, ``"ru"``).
    locale
        The Babel locale name used for numbers, dates and times.
    catalogue
        The compiled gettext catalogue.
    """

    lang: str
    locale: str
    catalogue: gettext.NullTranslations

    # ----------------------------------------------------------------- text
    def gettext(self, message: str) -> str:
        """Return the translation of ``message`` (``message`` itself if there is none)."""
        return self.catalogue.gettext(message)

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Return the translation of the form of ``singular``/``plural`` that fits ``n``."""
        return self.catalogue.ngettext(singular, plural, n)

    @property
    def direction(self) -> str:
        """``"rtl"`` for right-to-left scripts, else ``"ltr"``."""
        return "rtl" if self.lang in _RTL else "ltr"

    def ltr(self, text: str) -> str:
        """Return ``text`` isolated inside right-to-left text (unchanged otherwise); see :func:`isolate`."""
        return isolate(text) if self.direction == "rtl" else text

    # -------------------------------------------------------------- formats
    def number(self, value: float, digits: int = 1) -> str:
        """Return ``value`` with ``digits`` decimals and the locale's separators (``1.234,5``)."""
        from babel.numbers import format_decimal

        if not math.isfinite(value):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(round(value, digits), format=pattern, locale=self.locale)

    def integer(self, value: int) -> str:
        """Return a whole number with the locale's grouping."""
        return self.number(float(value), 0)

    def money(self, value: float, currency: str = "EUR", digits: int | None = None) -> str:
        """Return an amount of money in the locale's format (``1.234,50 €``).

        ``digits`` decimals (None: the currency's, 2 for the euro; 0 gives ``1.235 €``).
        """
        from babel.numbers import format_currency

        if not math.isfinite(value):
            return "–"
        if digits is None:
            return format_currency(value, currency, locale=self.locale)
        pattern = _with_decimals(self._pattern("currency"), digits)
        return format_currency(round(value, digits), currency, format=pattern, locale=self.locale,
                               currency_digits=False)

    def percent(self, share: float, digits: int = 0) -> str:
        """Return a share (0.746) as a percentage in the locale's format (``74,6 %`` / ``74.6%``)."""
        from babel.numbers import format_percent

        if not math.isfinite(share):
            return "–"
        pattern = _with_decimals(self._pattern("percent"), digits)
        return format_percent(round(share, digits + 2), format=pattern, locale=self.locale)

    def _pattern(self, kind: str) -> str:
        return _locale_pattern(self.locale, kind)

    @functools.cached_property
    def separators(self) -> str:
        """The decimal and grouping symbols, in this order (``",."`` in German; plotly's ``separators``)."""
        from babel.numbers import get_decimal_symbol, get_group_symbol

        return get_decimal_symbol(self.locale) + get_group_symbol(self.locale)

    def format(self, message: str, /, **fields: object) -> str:
        """Fill ``message``'s ``{fields}`` like :meth:`str.format`, numbers in the locale's format.

        A number field keeps its format spec (``{x:,.1f}``, ``{share:.0%}``);
        in a language other than English its decimal point, grouping comma
        and percent sign become the locale's (``1.234,5``, ``75 %``). In
        English the result is exactly ``message.format(**fields)``.
        """
        if self.lang == "en":
            return message.format(**fields)
        return _LocaleFormatter(self).format(message, **fields)

    def inline(self, label: str) -> str:
        """Return a label (a heading word, a KPI title) as it reads inside a sentence.

        English lower-cases it; German keeps its capitals (nouns).
        """
        return label.lower() if self.lang == "en" else label

    def clock(self, seconds: float) -> str:
        """Return a time of the service day in the locale's short format (``14:05``).

        Times after midnight of the service day (``seconds >= 86400``) get a
        ``+1`` (day) mark; times before it a ``-1``. Seconds are dropped after
        rounding to the whole second, as in ``HH:MM`` of
        :func:`transit.util.timeparse.format_clock`.
        """
        from babel.dates import format_time

        if not math.isfinite(seconds):
            return "–"
        total = int(round(seconds)) // 60
        day, minute = divmod(total, 24 * 60)
        text = format_time(dt.time(minute // 60, minute % 60), format="short", locale=self.locale)
        if day:
            text += f" ({day:+d})"
        return text

    def date(self, day: dt.date, form: str = "full") -> str:
        """Return a date in the locale's ``"full"``, ``"long"``, ``"medium"`` or ``"short"`` form."""
        from babel.dates import format_date

        return format_date(day, format=form, locale=self.locale)

    def minutes(self, seconds: float) -> str:
        """Return a duration as whole minutes (``"14 min"`` / ``"14 Min."``)."""
        n = int(round(seconds / 60.0))
        return self.ngettext("{n} min", "{n} min", n).format(n=self.integer(n))


@functools.cache
def _locale_pattern(locale: str, kind: str) -> str:
    """The locale's standard ``"currency"`` or ``"percent"`` pattern (positive part)."""
    from babel import Locale

    loc = Locale.parse(locale)
    formats = loc.currency_formats["standard"] if kind == "currency" else loc.percent_formats[None]
    return str(formats.pattern).split(";")[0]


def _with_decimals(pattern: str, digits: int) -> str:
    """Return a Babel number pattern with exactly ``digits`` decimals (``#,##0.00 ¤`` -> ``#,##0 ¤``)."""
    head, _sep, rest = pattern.partition("0")
    tail = rest.lstrip(".0#")
    core = "0" + ("." + "0" * digits if digits > 0 else "")
    return head + core + tail


class _LocaleFormatter(string.Formatter):
    """:meth:`str.format` whose number fields use a locale's decimal, grouping and percent symbols."""

    def __init__(self, tr: Translator) -> None:
        super().__init__()
        self.tr = tr

    def format_field(self, value: object, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            return text
        decimal, group = self.tr.separators[0], self.tr.separators[1:]
        text = text.translate({ord("."): "\0", ord(","): "\1"}).replace("\0", decimal).replace("\1", group)
        if text.endswith("%"):
            suffix = self.tr._pattern("percent").rpartition("0")[2]
            text = text[:-1] + suffix.replace("%", "") + "%" if suffix.endswith("%") else text
        return text


def translator(lang: str | None = None) -> Translator:
    """Return the :class:`Translator` of ``lang`` (None: the current language).

    Raises
    ------
    InputError
        If ``lang`` is not one of :data:`NOTICE_LANGUAGES`.
    """
    if lang is None:
        return current()
    code = _normalise(lang)
    if code not in _BABEL_LOCALE:
        msg = f"unknown language {lang!r} (use one of: {', '.join(NOTICE_LANGUAGES)})"
        raise InputError(msg, column="--lang")
    return _translator(code)


@functools.cache
def _translator(code: str) -> Translator:
    return Translator(code, _BABEL_LOCALE[code], _catalogue(code))


def _normalise(lang: str) -> str:
    return lang.strip().replace("-", "_").split("_")[0].split(".")[0].lower()


def _locale_lang(environ: Mapping[str, str]) -> str | None:
    """Return the language the locale variables ask for, or None (C/POSIX or unset)."""
    language = environ.get("LANGUAGE", "")
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            if value.split(".")[0] in ("C", "POSIX"):
                return None
            # LANGUAGE is a priority list that gettext honours only with a non-C locale.
            first = next((x for x in language.split(":") if x), value) if language else value
            return _normalise(first)
    if language:
        return _normalise(language.split(":")[0])
    return None


def resolve_lang(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Return the user-interface language: ``option`` (``--lang``), else the locale's, else ``"en"``.

    Only :data:`UI_LANGUAGES` are possible; a locale in another language
    gives English.

    Raises
    ------
    InputError
        If ``option`` is given and is not ``de`` or ``en`` (names ``--lang``).
    """
    if option is not None:
        code = _normalise(option)
        if code not in UI_LANGUAGES:
            msg = f"{option!r} is not a language of this program (use de or en)"
            raise InputError(msg, column="--lang")
        return code
    found = _locale_lang(os.environ if environ is None else environ)
    return found if found in UI_LANGUAGES else "en"


_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("transit_lang", default="en")


def current() -> Translator:
    """Return the translator of the current language (English unless a command chose one)."""
    return _translator(_CURRENT.get())


def set_lang(lang: str) -> None:
    """Make ``lang`` the current language of this thread of work (a command's whole run)."""
    translator(lang)  # validate
    _CURRENT.set(_normalise(lang))


@contextlib.contextmanager
def use_lang(lang: str) -> Iterator[Translator]:
    """Make ``lang`` the current language inside a ``with`` block; yield its translator."""
    tr = translator(lang)
    token = _CURRENT.set(tr.lang)
    try:
        yield tr
    finally:
        _CURRENT.reset(token)


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate the form of ``singular``/``plural`` fitting ``n`` into the current language."""
    return current().ngettext(singular, plural, n)


def isolate(text: str) -> str:
    """Wrap ``text`` in Unicode first-strong isolate marks (FSI ... PDI).

    Used for times, ids and Latin-script place names inside right-to-left
    (Arabic) text: the bidirectional algorithm lays each out on its own (a
    German street name left to right, an Arabic time such as "8:00 ص" right
    to left, by its first strong letter), neither reorders it with the
    text around it nor lets it decide the paragraph's direction.
    """
    return f"{_FSI}{text}{_PDI}"
