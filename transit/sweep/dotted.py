"""Set a scenario key by its dotted path: ``models.On-demand.fleet.vehicle.count``.

A sweep axis names a key of the scenario document (the parsed TOML, before
validation) by the keys leading to it. Tables are entered by their keys; a key
a table does not have yet is added (with the tables on the way), and the
scenario's own validation then says whether it is a key it knows. An array
of tables (``[[models]]``, ``[[models.fleet.vehicle]]``) is entered by the
table that the next key picks:

- a number: the table at that position, counted from 1 (``models.2``);
- a ``name`` or ``id`` (``models.On-demand``, ``fleet.vehicle.minibus``);
- a ``kind`` that only one table has (``models.ondemand``);
- with a single table in the array, any other key goes into that table
  (``fleet.vehicle.count`` when the fleet has one ``[[vehicle]]`` table).

One shortcut looks through a table to the only table of its only array of
tables, for a key that table already has: ``fleet.count`` means
``fleet.vehicle.count`` when the fleet has one ``[[vehicle]]`` table with a
``count``.

:func:`set_path` returns where the key landed, written as the scenario's
messages write it (``models[3].fleet.vehicle[1].count``), so that the
scenario's own errors can be traced back to the axis.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from transit.util.tomltable import describe, join

__all__ = ["PathError", "set_path"]


class PathError(ValueError):
    """A dotted path that leads nowhere in the scenario (the message says where it stops)."""


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(x, Mapping) for x in value)


def _pick(tables: Sequence[Mapping[str, Any]], key: str, where: str) -> tuple[int, bool]:
    """Return the 0-based table of an array ``key`` picks, and whether ``key`` was used up."""
    if key.isdigit():
        k = int(key)
        if not 1 <= k <= len(tables):
            msg = f"{where} has {len(tables)} table(s); there is no {where}[{k}]"
            raise PathError(msg)
        return k - 1, True
    for field in ("name", "id"):
        hits = [i for i, t in enumerate(tables) if t.get(field) == key]
        if len(hits) == 1:
            return hits[0], True
    kinds = [i for i, t in enumerate(tables) if t.get("kind") == key]
    if len(kinds) == 1:
        return kinds[0], True
    if len(kinds) > 1:
        msg = f"{len(kinds)} tables of {where} have kind {key!r}; pick one by its name or position"
        raise PathError(msg)
    if len(tables) == 1:
        return 0, False
    names = [str(t.get("name", t.get("id", i + 1))) for i, t in enumerate(tables)]
    msg = f"no table named {key!r} in {where} (tables: {', '.join(names)})"
    raise PathError(msg)


def _look_through(table: Mapping[str, Any], key: str) -> str | None:
    """Return the key of the only array of one table that has ``key``, else None."""
    arrays = [k for k, v in table.items() if _is_table_array(v)]
    if len(arrays) == 1:
        only = table[arrays[0]]
        if len(only) == 1 and key in only[0]:
            return arrays[0]
    return None


def set_path(doc: MutableMapping[str, Any], path: Sequence[str], value: Any) -> str:
    """Set the key at ``path`` of ``doc`` (changed in place) to ``value``.

    Parameters
    ----------
    doc
        A parsed scenario document.
    path
        The keys leading to the value (at least one).
    value
        The new value.

    Returns
    -------
    str
        Where the key is, as scenario messages write it (``models[3].fleet.vehicle[1].count``).

    Raises
    ------
    PathError
        If the path runs into a value that is not a table or an array of
        tables, or picks no table of an array.
    """
    if not path:
        msg = "empty path"
        raise PathError(msg)
    node: Any = doc
    where = ""
    k = 0
    while True:
        key = str(path[k])
        last = k == len(path) - 1
        if _is_table_array(node):
            i, used = _pick(node, key, where)
            node, where = node[i], f"{where}[{i + 1}]"
            if used:
                k += 1
                if k == len(path):
                    msg = f"{where} is a table; name a key inside it"
                    raise PathError(msg)
            continue
        if not isinstance(node, MutableMapping):  # pragma: no cover - guarded below
            msg = f"{where} is not a table"
            raise PathError(msg)
        if key not in node:
            through = _look_through(node, key)
            if through is not None:
                node, where = node[through], join(where, through)
                continue
            if last:
                node[key] = value
                return join(where, key)
            node[key] = {}
        if last:
            node[key] = value
            return join(where, key)
        child = node[key]
        if not (isinstance(child, MutableMapping) or _is_table_array(child)):
            msg = f"{join(where, key)} is {describe(child)}, not a table: it has no key {path[k + 1]!r}"
            raise PathError(msg)
        node, where = child, join(where, key)
        k += 1
