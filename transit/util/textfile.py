"""Decode text files as users save them: UTF-8 with or without BOM, UTF-16, or Windows-1252."""

from __future__ import annotations

import logging

from transit.errors import InputError

__all__ = ["decode_text"]

log = logging.getLogger(__name__)


def decode_text(data: bytes, *, file: str) -> tuple[str, str]:
    """Decode a text file's bytes; return (text, encoding name).

    UTF-8 (a BOM is dropped) first, UTF-16 when a UTF-16 BOM is present, else
    Windows-1252 with a logged warning (bytes undefined there fall back to
    Latin-1). Never raises for encoding reasons.

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
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        enc = "cp1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        enc = "latin-1"
    log.warning("%s: not UTF-8; read as %s (save the file as UTF-8 to avoid this)", file, enc)
    return text, enc
