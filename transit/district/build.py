"""Build the synthetic default district: OSM XML, a GTFS feed and a README.

``build_district(out_dir)`` writes, atomically:

- ``district.osm.gz``: roads, places (with population), services, bus stops;
- ``gtfs/``: agency, stops, routes, trips, stop_times, calendar of the bus lines;
- ``places.csv``: the places with their kind, population and position;
- ``README.md``: what the instance holds, generated from the same data.

The same spec and seed always give byte-identical files.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from transit.util.atomic import output_dir
from transit.util.csvsafe import csv_writer
from transit.util.tomltable import read_toml
from transit.district.layout import KM_PER_DEG_LAT, District, lay_out
from transit.district.busplan import BusLine, GtfsTables, plan_lines, timetable
from transit.district.osmxml import district_osm_xml, gzip_bytes
from transit.util.progress import Progress, report

__all__ = ["DISTRICT_FILE", "build_district", "load_spec"]

log = logging.getLogger(__name__)

#: File name of the district's OSM data inside an instance folder.
DISTRICT_FILE = "district.osm.gz"


def load_spec(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Load a district spec (default: the bundled ``data/district_default.toml``)."""
    if path is None:
        text = resources.files("transit.data").joinpath("district_default.toml").read_text(encoding="utf-8")
    else:
        return read_toml(path, what="district spec")
    return tomllib.loads(text)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _places_table(d: District) -> bytes:
    rows = []
    for p in d.places:
        lat, lon = d.latlon(p.x, p.y)
        services = sorted(d.pois[k].tags["name"] for k in p.services)
        rows.append([p.name, p.osm_place, p.kind, str(p.population), f"{lat:.7f}", f"{lon:.7f}", "; ".join(services)])
    return _csv(["name", "place", "kind", "population", "lat", "lon", "services"], rows)


def _readme(d: District, lines: list[BusLine], gtfs: GtfsTables, spec: Mapping[str, Any], seed: int) -> bytes:
    towns = [p for p in d.places if p.kind != "village"]
    villages = [p for p in d.places if p.kind == "village"]
    n_serv = sum(len(p.services) for p in d.places)
    trips = gtfs.tables["trips.txt"][1]
    lat_lo, lon_lo = d.latlon(-spec["size_km"] / 2, -spec["size_km"] / 2)
    lat_hi, lon_hi = d.latlon(spec["size_km"] / 2, spec["size_km"] / 2)
    road_km: dict[str, float] = {}
    for w in d.ways:
        hw = w.tags.get("highway")
        if hw is None:
            continue
        length = sum(
            float(np.hypot(d.nodes[u - 1][0] - d.nodes[v - 1][0], d.nodes[u - 1][1] - d.nodes[v - 1][1]))
            for u, v in zip(w.nodes, w.nodes[1:])
        )
        road_km[hw] = road_km.get(hw, 0.0) + length
    L: list[str] = []
    L.append("# The default instance: a synthetic rural district\n")
    L.append(
        "**Everything here is synthetic.** The places, their names, populations, roads, services and bus "
        "lines are made up by the project's own generator (`transit instance build-default`). The district "
        f"is placed at a fictitious location around {spec['origin_lat']:.2f} N {spec['origin_lon']:.2f} E "
        "only so that tools expecting real coordinates work; it does not describe any real place, and any "
        "resemblance of a name to a real one is coincidence. It is modelled on a rural district such as "
        "Mansfeld-Südharz: one middle-order centre, a few basic centres and many small villages.\n"
    )
    L.append("Rebuild it (byte for byte identical) with:\n")
    L.append(f"```\ntransit instance build-default --out instances/default --force   # seed {seed}\n```\n")
    L.append("## Files\n")
    L.append(f"- `{DISTRICT_FILE}`: OSM XML (gzip) with the roads, place nodes with `population`, services "
             "as tagged nodes, bus stops (`highway=bus_stop`) and a railway line; read it like any OSM extract, "
             "e.g. `transit network build instances/default/district.osm.gz --out district.graphml`.")
    L.append("- `gtfs/`: a GTFS feed (agency, stops, routes, trips, stop_times, calendar) of the bus lines.")
    L.append("- `places.csv`: the places with kind, population, position and services (a summary of the OSM "
             "file, usable as a zones file).\n")
    L.append("## The district\n")
    L.append(f"About {spec['size_km']:.0f} x {spec['size_km']:.0f} km (lat {lat_lo:.3f}–{lat_hi:.3f}, "
             f"lon {lon_lo:.3f}–{lon_hi:.3f}); {sum(p.population for p in d.places):,} residents.\n")
    L.append("| place | kind | population | services |")
    L.append("|---|---|---:|---|")
    for p in towns:
        kinds: dict[str, int] = {}
        for k in p.services:
            t = d.pois[k].tags
            key = next((f"{a}={t[a]}" for a in ("railway", "amenity", "shop", "office", "leisure") if a in t), "?")
            kinds[key] = kinds.get(key, 0) + 1
        desc = ", ".join(f"{n} x {k}" if n > 1 else k for k, n in kinds.items())
        label = "middle-order centre" if p.kind == "centre" else "basic centre"
        L.append(f"| {p.name} | {label} (`place=town`) | {p.population:,} | {desc} |")
    L.append(f"| {len(villages)} villages | `place=village` | {min(v.population for v in villages):,}–"
             f"{max(v.population for v in villages):,} (total {sum(v.population for v in villages):,}) | none |\n")
    L.append(f"{n_serv} service nodes in all. Roads (km of way, each direction counted once):\n")
    L.append("| highway | km | maxspeed |")
    L.append("|---|---:|---|")
    speeds = {
        "primary": "100 outside, DE:urban (50) inside places (federal roads `B ..`)",
        "secondary": "DE:rural / DE:urban (state roads `L ..` between basic centres)",
        "tertiary": "DE:rural / DE:urban (district roads `K ..`; main streets in towns)",
        "unclassified": "none tagged (class default) / DE:urban in villages",
        "residential": "DE:urban, some 30 zones",
        "living_street": "walking pace",
    }
    for hw in ("primary", "secondary", "tertiary", "unclassified", "residential", "living_street"):
        if hw in road_km:
            L.append(f"| {hw} | {road_km[hw]:.1f} | {speeds[hw]} |")
    L.append("\nAll roads are two-way, so the road graph is strongly connected.\n")
    L.append("## Bus lines (GTFS in `gtfs/`)\n")
    sat_lines = [ln.short_name for ln in lines if ln.spec.get("saturday_headway_min")]
    sat = ("line" + ("s " if len(sat_lines) > 1 else " ") + ", ".join(sat_lines)) if sat_lines else "no line"
    L.append("Radial lines from the railway station of the middle-order centre, a town line through the "
             "centre and school lines to the villages the others miss; inside towns a stop about every "
             f"{spec['lines'].get('stop_spacing_m', 0)} m along the route. Weekday service (`WD`) at "
             "the headway below, extra trips on school days (`SCHOOL`: one inbound trip arriving by "
             f"{spec['lines']['school_arrival']}, outbound trips at "
             f"{', '.join([spec['lines'].get('school_morning_out', '')] + spec['lines']['school_returns']).strip(', ')}), "
             f"Saturday service (`SA`) on {sat}, no Sunday service. School holidays are not modelled "
             "(calendar.txt runs `SCHOOL` on every weekday).\n")
    L.append("| line | route | stops | run time (min) | weekday headway | trips (all services) |")
    L.append("|---|---|---:|---:|---|---:|")
    for ln in lines:
        n = sum(1 for t in trips if t[0] == f"L{ln.short_name}")
        head = (f"{ln.spec['headway_min']} min, {ln.spec['first']}–{ln.spec['last']}" if ln.spec.get("headway_min")
                else "school days only")
        L.append(f"| {ln.short_name} | {ln.long_name} | {len(ln.stops)} | {ln.run_s[-1] / 60:.0f} | {head} | {n} |")
    served = {s[1].split(",")[0] for ln in lines for s in ln.stops}
    L.append(f"\n{len(served)} of {len(d.places)} places have a bus stop; the others are reachable only by "
             "car, on foot, or by an on-demand service: this is what the comparison is about.\n")
    L.append("## Licence\n")
    L.append("Generated data, no OpenStreetMap data is included; it may be used freely (same licence as the "
             "project).\n")
    return ("\n".join(L)).encode("utf-8")


def build_district(
    out_dir: str | os.PathLike[str],
    *,
    spec: Mapping[str, Any] | None = None,
    seed: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Generate the synthetic district and write it to ``out_dir``.

    Parameters
    ----------
    out_dir
        The instance folder to write (replaced only with ``force``).
    spec
        The district description; default :func:`load_spec`.
    seed
        Random seed; default the spec's ``seed``.
    force
        Replace the generated files of an existing non-empty ``out_dir``;
        other files there (scenarios, notes) are kept.
    progress
        Progress callback.

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    OutputExistsError
        If ``out_dir`` exists, is not empty and ``force`` is False.
    """
    spec = dict(spec or load_spec())
    seed = int(spec["seed"] if seed is None else seed)
    rng = np.random.default_rng(seed)
    report(progress, 0, 4, "laying out places and roads")
    d = lay_out(spec, rng)
    report(progress, 1, 4, "planning bus lines")
    lines = plan_lines(d, spec)
    gtfs = timetable(d, lines, spec)
    _add_bus_stop_nodes(d, gtfs)
    report(progress, 2, 4, "writing OSM XML")
    osm = gzip_bytes(district_osm_xml(d).encode("utf-8"))
    with output_dir(out_dir, force=force) as tmp:
        (tmp / DISTRICT_FILE).write_bytes(osm)
        (tmp / "gtfs").mkdir()
        for name, (header, rows) in gtfs.tables.items():
            (tmp / "gtfs" / name).write_bytes(_csv(header, rows))
        (tmp / "places.csv").write_bytes(_places_table(d))
        report(progress, 3, 4, "writing README")
        (tmp / "README.md").write_bytes(_readme(d, lines, gtfs, spec, seed))
        _keep_other_files(Path(out_dir), tmp)
    report(progress, 4, 4, "done")
    return Path(out_dir)


def _keep_other_files(target: Path, staging: Path) -> None:
    """Copy files of an existing instance folder that the builder does not write (e.g. scenarios)."""
    if not target.is_dir():
        return
    for f in sorted(target.rglob("*")):
        rel = f.relative_to(target)
        if f.is_file() and not (staging / rel).exists():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, staging / rel)
            log.info("kept %s (not made by the district builder)", rel)


def _add_bus_stop_nodes(d: District, gtfs: GtfsTables) -> None:
    from transit.district.layout import Poi

    header, rows = gtfs.tables["stops.txt"]
    lat0, lon0 = d.origin_lat, d.origin_lon
    for sid, name, lat, lon in rows:
        # back to the local plane (the inverse of to_latlon)
        y = (float(lat) - lat0) * KM_PER_DEG_LAT
        x = (float(lon) - lon0) * KM_PER_DEG_LAT * np.cos(np.radians(lat0))
        d.pois.append(Poi(float(x), float(y), {"highway": "bus_stop", "name": name, "ref": sid}))
