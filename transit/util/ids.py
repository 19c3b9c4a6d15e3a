"""The character set of ids in input files (bookings, points).

An id is 1 to 100 characters: letters of any alphabet, digits, spaces and
``_ - . , : ; / # ( ) & ' +``, starting with a letter, a digit or ``_``. So an
id never starts a spreadsheet formula (see :mod:`transit.util.csvsafe`), never
holds a control character or a line break, and prints the same everywhere.
"""

from __future__ import annotations

import re

__all__ = ["ID_CHARSET", "MAX_ID_LENGTH", "id_problem"]

MAX_ID_LENGTH = 100

ID_CHARSET = "letters, digits, spaces and _ - . , : ; / # ( ) & ' +, starting with a letter, digit or _"
"""The documented character set, as error messages quote it."""

_ID = re.compile(r"[^\W][\w .,:;/#()&'+-]*")


def id_problem(text: str) -> str | None:
    """Return what is wrong with ``text`` as an id, or None when it is a valid id."""
    if not text:
        return "missing value"
    if len(text) > MAX_ID_LENGTH:
        return f"an id has at most {MAX_ID_LENGTH} characters, got {len(text)}"
    if not _ID.fullmatch(text):
        bad = next((c for c in text if not re.fullmatch(r"[\w .,:;/#()&'+-]", c)), text[0])
        shown = repr(bad) if bad.isprintable() else f"U+{ord(bad):04X}"
        return f"{text[:40]!r} is not an id: character {shown} (an id has {ID_CHARSET})"
    return None
