"""Tiny OSM XML files written by tests (no shared data needed)."""

from __future__ import annotations

from pathlib import Path

# A 3 x 3 block of nodes about 500 m apart near 51.65 N 11.51 E:
#
#   7 --- 8 --- 9
#   |     |     |
#   4 --- 5 --- 6
#   |     |     |
#   1 --- 2 --- 3
#
# plus node 10 east of 6 reached by a farm track only, and node 11 north of 9
# reached by a private road only.
_NODES = {
    1: (51.6500, 11.5000),
    2: (51.6500, 11.5072),
    3: (51.6500, 11.5144),
    4: (51.6545, 11.5000),
    5: (51.6545, 11.5072),
    6: (51.6545, 11.5144),
    7: (51.6590, 11.5000),
    8: (51.6590, 11.5072),
    9: (51.6590, 11.5144),
    10: (51.6545, 11.5216),
    11: (51.6635, 11.5144),
}

_WAYS = [
    # id, nodes, tags
    (100, [1, 2, 3], {"highway": "primary", "maxspeed": "DE:rural", "name": "B 180"}),
    (101, [7, 8, 9], {"highway": "secondary", "maxspeed": "70"}),
    (102, [1, 4, 7], {"highway": "residential", "maxspeed": "DE:urban"}),
    (103, [3, 6, 9], {"highway": "tertiary"}),
    (104, [4, 5, 6], {"highway": "living_street"}),
    (105, [2, 5], {"highway": "unclassified", "oneway": "yes"}),
    (106, [5, 8], {"highway": "residential", "access": "no", "bus": "yes"}),
    (107, [6, 10], {"highway": "track"}),
    (108, [9, 11], {"highway": "residential", "access": "private"}),
    (109, [8, 5], {"highway": "service"}),
]


def osm_xml(ways: list[tuple[int, list[int], dict[str, str]]] | None = None) -> str:
    """Return OSM XML text of the block (or of other ways over the same nodes)."""
    ways = _WAYS if ways is None else ways
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<osm version="0.6" generator="transit-tests">',
        '  <bounds minlat="51.6400" minlon="11.4900" maxlat="51.6700" maxlon="11.5300"/>',
    ]
    for nid, (lat, lon) in _NODES.items():
        lines.append(f'  <node id="{nid}" version="1" lat="{lat}" lon="{lon}"/>')
    lines.append(
        '  <node id="50" version="1" lat="51.6545" lon="11.5072"><tag k="place" v="village"/>'
        '<tag k="name" v="Testdorf"/><tag k="population" v="420"/></node>'
    )
    for wid, nodes, tags in ways:
        lines.append(f'  <way id="{wid}" version="1">')
        lines.extend(f'    <nd ref="{n}"/>' for n in nodes)
        lines.extend(f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_block(path: Path, ways: list[tuple[int, list[int], dict[str, str]]] | None = None) -> Path:
    """Write the tiny OSM file to ``path`` and return it."""
    path.write_text(osm_xml(ways), encoding="utf-8")
    return path
