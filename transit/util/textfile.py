"""Decode text files as users save them: UTF-8 with or without BOM, UTF-16, or Windows-1252."""

from __future__ import annotations

import logging

from transit.errors import InputError

__all__ = ["decode_text"]

log = logging.getLogger(__name__)

_MANGLED_BOM = "\u00ef\u00bb\u00bf"
"""A UTF-8 byte order mark read as Windows-1252 and saved again as UTF-8 ('ï»¿')."""


def decode_text(data: bytes, *, file: str) -> tuple[str, str]:
    """Decode a text file's bytes; return (text, encoding name).

    UTF-8 (a BOM is dropped, also one mangled into ``ï»¿``) first, UTF-16
    when a UTF-16 BOM is present, else Windows-1252 with a logged warning
    (bytes undefined there fall back to Latin-1). Never raises for encoding
    reasons.

    Raises
    ------
    InputError
        If the data holds NUL bytes (a binary file, not text).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        msg = "not a CSV text file (it contains binary data)"
        raise InputError(msg, file=file)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _drop_mangled_bom(text, file), "utf-8"
    try:
        text = data.decode("cp1252")
        enc = "cp1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        enc = "latin-1"
    log.warning("%s: not UTF-8; read as %s (save the file as UTF-8 to avoid this)", file, enc)
    return _drop_mangled_bom(text, file), enc


def _drop_mangled_bom(text: str, file: str) -> str:
    """Drop a byte order mark that another program turned into text (``ï»¿``, once or twice)."""
    for mark in (_MANGLED_BOM, _MANGLED_BOM.encode("utf-8").decode("cp1252")):
        if text.startswith(mark):
            log.warning("%s: starts with a byte order mark mangled by another program; dropped it", file)
            return text[len(mark) :]
    return text
