"""Find the texts to translate in a Python module: marked calls and tables of texts.

A Babel extraction method (``pybabel extract -F babel.cfg``, see README,
"Languages"). It yields what Babel's own Python extractor finds (``_()``,
``N_()``, ``ngettext()``, ...) and, in addition, every text in the values of
the module-level tables named by the option ``tables`` (space-separated;
default ``TEXTS KPI_LABELS ACCESS_LABELS REASON_KINDS DATA_LABELS``): a dict literal of texts
(:data:`transit.compare.texts.TEXTS`) or of calls whose text arguments are
shown translated (:data:`transit.compare.plots.KPI_LABELS`). Such a table
keeps its texts plain (no ``N_()`` on every entry), so a sentence added to it
is found and checked (``tests/test_i18n.py``) without further marking.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

__all__ = ["DEFAULT_TABLES", "extract", "extract_toml", "table_texts", "toml_texts"]

#: The tables whose texts are translated where they are shown.
DEFAULT_TABLES = ("TEXTS", "KPI_LABELS", "ACCESS_LABELS", "REASON_KINDS", "DATA_LABELS")


def _texts_of(node: ast.expr) -> Iterator[tuple[int, str]]:
    """The texts of one table value: a string, or the string arguments of a call."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.Call):
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.strip():
                yield arg.lineno, arg.value


def table_texts(source: str, tables: Collection[str] = DEFAULT_TABLES) -> list[tuple[int, str]]:
    """Return ``(line, text)`` of every text in the module-level tables ``tables`` of ``source``."""
    found: list[tuple[int, str]] = []
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.AnnAssign):
            targets, value = [stmt.target], stmt.value
        elif isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        else:
            continue
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if not names & set(tables) or not isinstance(value, ast.Dict):
            continue
        for v in value.values:
            found.extend(_texts_of(v))
    return found


def extract(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str, str | tuple[str, ...], list[str]]]:
    """Babel extraction method: Babel's Python extractor plus the texts of the tables (see the module)."""
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    tables = str(options.get("tables", " ".join(DEFAULT_TABLES))).split()
    for lineno, text in table_texts(source, tables):
        yield lineno, "N_", text, []


#: The keys of a TOML data file whose texts the report shows translated (``what`` of each published range).
TOML_KEYS = ("what",)


def toml_texts(source: str, keys: Collection[str] = TOML_KEYS) -> list[tuple[int, str]]:
    """Return ``(line, text)`` of every value of ``keys`` in the tables and arrays of tables of a TOML ``source``."""
    import tomllib

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in keys and isinstance(v, str):
                    found.append(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(tomllib.loads(source))
    lines = source.splitlines()
    out = []
    for text in found:
        line = next((i + 1 for i, ln in enumerate(lines) if text in ln), 0)
        out.append((line, text))
    return out


def extract_toml(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str, str | tuple[str, ...], list[str]]]:
    """Babel extraction method for a TOML data file: the values of the keys ``keys`` (default ``what``)."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    keys = str(options.get("keys", " ".join(TOML_KEYS))).split()
    for lineno, text in toml_texts(source, keys):
        yield lineno, "N_", text, []
