"""The ``--lang`` option every command with user-facing text shares."""

from __future__ import annotations

from typing import Annotated

import typer

from transit.util.i18n import resolve_lang, set_lang

__all__ = ["LangOption", "apply_lang"]

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of messages and documents: de or en (default: from the locale, German where it is German).",
    ),
]


def apply_lang(lang: str | None) -> str:
    """Make the command's language current (``--lang``, else the locale); return it.

    Raises
    ------
    InputError
        If ``lang`` is not de or en (names ``--lang``).
    """
    code = resolve_lang(lang)
    set_lang(code)
    return code
