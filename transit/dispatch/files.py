"""Write a dispatched day into an output folder, atomically.

The folder gets ``routes.csv``, ``unserved.csv``, ``routes.geojson``,
``manifests.html``, ``changes.csv``, ``notices.csv``, ``notices.html``,
``plan.json`` and ``summary.json`` (see :mod:`transit.dispatch.tables`,
:mod:`transit.dispatch.geojson`, :mod:`transit.dispatch.manifests`,
:mod:`transit.dispatch.changes`, :mod:`transit.dispatch.notices`,
:mod:`transit.dispatch.dayplan`). Manifests, notices' page and the reasons in
``changes.csv`` are in the language of the translator given. Every text
is made before anything touches the disk; then the files are written into a
staging folder that replaces the output folder in one rename
(:func:`transit.util.atomic.output_dir`). An existing non-empty folder is only
replaced with ``force``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from transit.util.atomic import output_dir
from transit.dispatch.changes import changes_csv
from transit.dispatch.geojson import routes_geojson_text
from transit.dispatch.manifests import manifests_html
from transit.dispatch.notices import notices, notices_csv, notices_html
from transit.dispatch.places import PlaceNamer
from transit.dispatch.dayplan import plan_dict
from transit.dispatch.tables import routes_csv, summary_json, unserved_csv
from transit.dispatch.tables import summary as day_summary
from transit.road.travel import RoadNetwork
from transit.util.i18n import Translator, translator

__all__ = ["OUTPUT_FILES", "render_day", "write_day"]

OUTPUT_FILES = (
    "routes.csv",
    "unserved.csv",
    "routes.geojson",
    "manifests.html",
    "changes.csv",
    "notices.csv",
    "notices.html",
    "plan.json",
    "summary.json",
)


def render_day(
    day,
    network: RoadNetwork,
    namer: PlaceNamer,
    *,
    summary: dict[str, Any] | None = None,
    tr: Translator | None = None,
) -> dict[str, str]:
    """Return the text of every output file, by file name.

    ``summary`` is the day's :func:`~transit.dispatch.tables.summary` if it was
    already made (it is made here otherwise); ``tr`` the language of the
    manifests (default: the current language).
    """
    tr = translator(None) if tr is None else tr
    summary = day_summary(day) if summary is None else summary
    notes = notices(day, namer)
    return {
        "routes.csv": routes_csv(day),
        "unserved.csv": unserved_csv(day, tr),
        "routes.geojson": routes_geojson_text(day, network, namer),
        "manifests.html": manifests_html(day, namer, tr),
        "changes.csv": changes_csv(getattr(day, "changes", ()), day.now, tr),
        "notices.csv": notices_csv(notes),
        "notices.html": notices_html(notes, tr),
        "plan.json": json.dumps(plan_dict(day), indent=1, ensure_ascii=False, allow_nan=False) + "\n",
        "summary.json": summary_json(summary),
    }


def write_day(
    day,
    out: str | os.PathLike[str],
    *,
    network: RoadNetwork,
    namer: PlaceNamer,
    force: bool = False,
    tr: Translator | None = None,
) -> dict[str, Any]:
    """Write the day's outputs into the folder ``out``; return the day's summary (``summary.json``).

    Raises
    ------
    OutputExistsError
        If ``out`` exists, is not empty and ``force`` is not set.
    """
    summary = day_summary(day)
    texts = render_day(day, network, namer, summary=summary, tr=tr)
    with output_dir(out, force=force) as tmp:
        for name in OUTPUT_FILES:
            (tmp / name).write_text(texts[name], encoding="utf-8", newline="")
    return summary
