"""Write a laid-out district as OSM XML (optionally gzip-compressed), byte-stable.

Node and way ids are positive and consistent: road nodes 1..N in creation
order, then the tagged stand-alone nodes; ways 1..M. Every object carries
``version="1"``. The gzip header holds no time stamp or file name, so the same
district always gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
from xml.sax.saxutils import quoteattr

from transit.district.layout import District

__all__ = ["district_osm_xml", "gzip_bytes"]


def _tags(tags: dict[str, str]) -> str:
    return "".join(f"\n    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(tags.items()))


def district_osm_xml(d: District) -> str:
    """Return the district as an OSM XML document."""
    coords = [d.latlon(x, y) for x, y in d.nodes] + [d.latlon(p.x, p.y) for p in d.pois]
    lats = [c[0] for c in coords]
    lons = [c[1] for c in coords]
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<osm version="0.6" generator="transit district (synthetic)">\n')
    out.write(
        f'  <bounds minlat="{min(lats):.7f}" minlon="{min(lons):.7f}" '
        f'maxlat="{max(lats):.7f}" maxlon="{max(lons):.7f}"/>\n'
    )
    for i, (lat, lon) in enumerate(coords[: len(d.nodes)], start=1):
        out.write(f'  <node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
    base = len(d.nodes)
    for k, p in enumerate(d.pois, start=1):
        lat, lon = coords[base + k - 1]
        out.write(f'  <node id="{base + k}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">')
        out.write(_tags(p.tags))
        out.write("\n  </node>\n")
    for j, w in enumerate(d.ways, start=1):
        out.write(f'  <way id="{j}" version="1">')
        out.write("".join(f'\n    <nd ref="{n}"/>' for n in w.nodes))
        out.write(_tags(w.tags))
        out.write("\n  </way>\n")
    out.write("</osm>\n")
    return out.getvalue()


def gzip_bytes(data: bytes) -> bytes:
    """Compress ``data`` with gzip without a time stamp or a file name."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()
