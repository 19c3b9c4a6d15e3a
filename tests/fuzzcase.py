"""A tiny world and a corpus of malformed inputs for the hardening tests, made by code.

The world: the 3 x 3 block of ``osm_fixtures`` (an OSM file and its road
graph), three bookings, a one-vehicle fleet, points, zones and a two-request
Cordeau instance. Every command runs on it in a second or two once the
solver is compiled. The corpus: malformed variants of each input file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from osm_fixtures import _NODES, osm_xml, write_block

BOOKINGS_HEADER = "request_id,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,time,time_type,passengers,wheelchair,booked_at\n"


def _pt(node: int) -> str:
    lat, lon = _NODES[node]
    return f"{lat},{lon}"


def booking_row(rid: str, a: int = 1, b: int = 9, time: str = "08:00", pax: str = "1", booked: str = "07:00") -> str:
    """One bookings row from block node ``a`` to ``b``."""
    return f"{rid},{_pt(a)},{_pt(b)},{time},departure,{pax},0,{booked}\n"


BOOKINGS = BOOKINGS_HEADER + booking_row("r1", 1, 9) + booking_row("r2", 3, 7, "08:10") + booking_row("r3", 2, 8, "09:00")

FLEET = """\
[service]
pickup_window_min = 15
max_ride_alpha = 1.5
max_ride_beta_min = 15

[[vehicle]]
id = "bus"
depot_lat = 51.6500
depot_lon = 11.5000
seats = 4
shift_start = "06:00"
shift_end = "20:00"
"""

POINTS = "id,lat,lon\nA,51.6500,11.5000\nB,51.6590,11.5144\nC,51.6545,11.5072\n"

ZONES = "name,lat,lon,population\nTestdorf,51.6545,11.5072,400\nNachbar,51.6590,11.5000,250\n"

DESTINATIONS = (
    "name,category,lat,lon\n"
    "Praxis,doctor,51.6500,11.5144\nSchule,school,51.6590,11.5144\nMarkt,supermarket,51.6500,11.5072\n"
    "Amt,townhall,51.6500,11.5144\nBahnhof,station,51.6590,11.5072\n"
)

CORDEAU = """\
1 2 480 3 30
  0   0.000   0.000   0   0    0  480
  1   1.000   1.000   3   1    0 1440
  2   2.000  -1.000   3   1   60   75
  3   3.000   2.000   3  -1   30   45
  4  -2.000   1.000   3  -1    0 1440
  5   0.000   0.000   0   0    0  480
"""


@dataclass(frozen=True)
class World:
    """Paths of the tiny world's files."""

    dir: Path
    osm: Path
    graph: Path
    bookings: Path
    fleet: Path
    points: Path
    zones: Path
    destinations: Path
    cordeau: Path

    def demand_args(self) -> list[str]:
        """Arguments of ``transit demand generate`` that give bookings on the block."""
        return [str(self.osm), "--zones", str(self.zones), "--destinations", str(self.destinations), "--scale", "20"]


def make_world(d: Path) -> World:
    """Write the tiny world into the folder ``d``."""
    from transit.road.graph import build_graph, save_graph

    d.mkdir(parents=True, exist_ok=True)
    osm = write_block(d / "block.osm")
    graph = d / "block.graphml"
    save_graph(build_graph(osm), graph)
    files = {
        "bookings": ("bookings.csv", BOOKINGS),
        "fleet": ("fleet.toml", FLEET),
        "points": ("points.csv", POINTS),
        "zones": ("zones.csv", ZONES),
        "destinations": ("destinations.csv", DESTINATIONS),
        "cordeau": ("a1-2.txt", CORDEAU),
    }
    paths = {}
    for key, (name, text) in files.items():
        paths[key] = d / name
        paths[key].write_text(text, encoding="utf-8")
    return World(dir=d, osm=osm, graph=graph, **paths)


# --------------------------------------------------------------------------- corpus

def bad_osm_coordinate() -> str:
    """The block with a node at latitude 951.6 (a slipped decimal point)."""
    text = osm_xml()
    return text.replace('lat="51.659" lon="11.5072"', 'lat="951.6" lon="11.5072"')


def bookings_corpus() -> dict[str, tuple[bytes, str, str]]:
    """Malformed bookings files: name -> (bytes, column or text the message must name, what)."""
    row = booking_row
    h = BOOKINGS_HEADER
    return {
        "formula id": ((h + row('=HYPERLINK("http://x";"y")')).encode(), "request_id", "not an id"),
        "at id": ((h + row("@SUM(A1)")).encode(), "request_id", "not an id"),
        "minus id": ((h + row("-2+3")).encode(), "request_id", "not an id"),
        "control char": ((h + row("a\x07b")).encode(), "request_id", "U+0007"),
        "long id": ((h + row("x" * 101)).encode(), "request_id", "at most 100"),
        "1e300 passengers": ((h + row("r1", pax="1e300")).encode(), "passengers", "'1e300' is more than"),
        "huge passengers": ((h + row("r1", pax="9" * 40)).encode(), "passengers", "is more than"),
        "nan coordinate": ((h + "r1,nan,11.5,51.659,11.5144,08:00,,,,\n").encode(), "pickup_lat", "not a number"),
        "inf time": ((h + row("r1", time="inf")).encode(), "time", ""),
        "binary": (b"\x00\x01\x02garbage\xff", "binary", "binary"),
        "only header": (h.encode(), "no bookings", "only a header"),
        "ragged": ((h + "r1,51.65,11.5\n").encode(), ":2", "fields"),
    }


def points_corpus() -> dict[str, tuple[bytes, str]]:
    """Malformed points files: name -> (bytes, text the message must hold)."""
    return {
        "duplicate ids": (b"id,lat,lon\nA,51.65,11.5\nB,51.659,11.5144\nA,51.6545,11.5072\n", "appears twice"),
        "formula id": (b"id,lat,lon\n=1+1,51.65,11.5\nB,51.659,11.5144\n", "not an id"),
        "no id column": (b"ident,lat,lon\nA,51.65,11.5\n", "no 'id' or 'name'"),
        "extra fields": (b"id,lat,lon\nA,51.65,11.5,9\n", "more fields"),
        "lat 951.6": (b"id,lat,lon\nA,951.6,11.5\n", "outside"),
        "nan": (b"id,lat,lon\nA,nan,11.5\n", "outside"),
    }


def fleet_with_count(count: str) -> str:
    """The fleet with ``count = ...`` on its vehicle."""
    return FLEET.replace('id = "bus"', f'id = "bus"\ncount = {count}')


def points_encodings() -> dict[str, bytes]:
    """The points file ``id,lat,lon / Köln,...`` as editors save it: each must keep its ids."""
    text = "id,lat,lon\nK\u00f6ln,51.65,11.5\nB\u00fcro,51.659,11.5144\n"
    bom = b"\xef\xbb\xbf"
    mangled = bom.decode("cp1252")  # the BOM shown as text by a Latin-1 editor
    return {
        "utf-8": text.encode("utf-8"),
        "BOM + utf-8": bom + text.encode("utf-8"),
        "BOM + latin-1": bom + text.encode("latin-1"),
        "mangled BOM + utf-8": (mangled + text).encode("utf-8"),
        "mangled BOM + latin-1": mangled.encode("utf-8") + text.encode("latin-1"),
        "utf-16": text.encode("utf-16"),
        "latin-1": text.encode("latin-1"),
    }
