"""Round trip: a model run on its own exported feed gives the same KPIs as the model itself.

For each model kind the exported feed replaces what it publishes in the
model's scenario table: the lines (``lines = FEED`` for fixed line and the
hybrid's trunk, ``flex = FEED`` for Rufbus and AST, whose lead times then
come from the booking rules and the AST's door zones from
``locations.geojson``), or the area, stops, windows and booking rules
(``flex = FEED`` for on-demand and the Bürgerbus). Both models run in one
comparison, on the same demand, and every numeric KPI must be equal.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from transit.compare.run import load_region, run_comparison
from transit.compare.scenario import load_scenario, parse_scenario
from transit.publish.feed import write_feed
from transit.publish.model import export_model
from transit.road.travel import RoadNetwork

REPO = Path(__file__).resolve().parents[1]

#: What the feed replaces in a model's table.
PUBLISHED_KEYS = ("lines", "routes", "lead_time_min", "area", "stops", "virtual_stops", "grid_spacing_m")

CASES = [
    ("instances/default/scenario.toml", ["Linienbus", "Rufbus", "On-demand"]),
    ("instances/examples/ast.toml", ["AST 402+403"]),
    ("instances/examples/ondemand_stops.toml", ["Virtual stops"]),
    ("instances/examples/hybrid.toml", ["401 + feeders"]),
    ("instances/examples/buergerbus.toml", ["Bürgerbus Helmsrode"]),
]


def _from_feed(table: dict, feed: Path) -> dict:
    m = copy.deepcopy(table)
    m["name"] = f"{table['name']} (feed)"
    for key in PUBLISHED_KEYS:
        m.pop(key, None)
    m["lines" if table["kind"] in ("fixed_line", "hybrid") else "flex"] = str(feed)
    return m


@pytest.fixture(scope="module")
def network() -> RoadNetwork:
    return RoadNetwork.from_graph(load_region(load_scenario(REPO / CASES[0][0])).graph)


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "names"), CASES, ids=[c[0].split("/")[-1] for c in CASES])
def test_round_trip_gives_the_same_kpis(scenario: str, names: list[str], network: RoadNetwork, tmp_path: Path) -> None:
    src = REPO / scenario
    doc = tomllib.loads(src.read_text(encoding="utf-8"))
    sc = load_scenario(src)
    models = []
    for table in doc["models"]:
        if table["name"] in names:
            feed = write_feed(export_model(sc, table["name"], network=network), tmp_path / f"{len(models)}.zip")
            models += [table, _from_feed(table, feed)]
    doc["models"] = models
    doc["scenario"].pop("baseline", None)
    for key in ("bookings", "trips"):
        if key in doc.get("demand", {}):
            doc["demand"][key] = str(src.parent / doc["demand"][key])
    comp = run_comparison(parse_scenario(doc, source=src), seeds=[1], access=False)
    kpis = comp.kpis.set_index("model")
    numeric = [c for c in kpis.columns if c not in ("kind", "seed") and pd.api.types.is_numeric_dtype(kpis[c])]
    assert len(numeric) > 20
    for name in names:
        original, back = kpis.loc[name, numeric], kpis.loc[f"{name} (feed)", numeric]
        assert original["served"] > 0
        pd.testing.assert_series_equal(original, back, check_names=False, obj=name)
