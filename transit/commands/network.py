"""`transit network` commands: build a road graph, summarise it, compute a matrix."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from transit.commands._common import check_output_files, fail, progress_bar, user_errors
from transit.commands._lang import LangOption, apply_lang
from transit.util.i18n import _, current
from transit.errors import InputError

app = typer.Typer(help="Road graphs from OpenStreetMap and travel-time matrices.", no_args_is_help=True)


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    parts = text.replace(" ", "").split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        msg = _("--bbox {text!r}: expected four numbers SOUTH,WEST,NORTH,EAST").format(text=text)
        raise InputError(msg, column="--bbox")
    return values  # type: ignore[return-value]


def _places_by_class(source: Path | None) -> dict[str, list[str]]:
    if source is None:
        return {}
    from transit.road.osmdata import read_places

    places = read_places(source)
    out: dict[str, list[str]] = {}
    for cls, group in places.groupby("place", sort=False):
        out[str(cls)] = sorted(str(n) for n in group["name"])
    return out


@app.command("build")
def build(
    source: Annotated[
        Path | None,
        typer.Argument(help="OSM file: .osm, .osm.gz, .osm.bz2 or .osm.pbf.", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output GraphML file.")] = Path("graph.graphml"),
    place: Annotated[
        str | None, typer.Option(help='Place name to download instead of a file, e.g. "Hettstedt, Germany".')
    ] = None,
    bbox: Annotated[
        str | None, typer.Option(help="Bounding box SOUTH,WEST,NORTH,EAST to download instead of a file.")
    ] = None,
    speed_cap: Annotated[float | None, typer.Option(help="Vehicle speed cap in km/h (default 80).")] = None,
    cache_dir: Annotated[
        Path, typer.Option(help="Cache folder for downloads (place / bbox).")
    ] = Path.home() / ".cache" / "transit" / "osm",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file.")] = False,
    lang: LangOption = None,
) -> None:
    """Build the drivable road graph of an OSM file, a place or a bounding box."""
    with user_errors():
        from transit.road.graph import build_graph, save_graph, summarize

        apply_lang(lang)
        given = sum(x is not None for x in (source, place, bbox))
        if given != 1:
            raise fail(_("give exactly one of SOURCE (an OSM file), --place or --bbox"))
        if speed_cap is not None and not speed_cap > 0:
            raise fail(_("--speed-cap: must be a positive speed in km/h, got {value}").format(value=speed_cap))
        box = _parse_bbox(bbox) if bbox is not None else None
        check_output_files(out, force=force)
        started = time.perf_counter()
        with progress_bar(_("building road graph")) as progress:
            G = build_graph(
                source,
                place=place,
                bbox=box,
                speed_cap_kmh=speed_cap,
                cache_dir=cache_dir,
                progress=progress,
            )
        places = _places_by_class(source)
        save_graph(G, out)
        summary = summarize(G, places=places)
        typer.echo(current().format(_("road graph written to {path} ({seconds:.1f} s)"), path=out,
                                    seconds=time.perf_counter() - started))
        for line in summary.lines():
            typer.echo("  " + line)


@app.command("info")
def info(
    graph: Annotated[Path, typer.Argument(help="A GraphML file written by 'transit network build'.")],
    lang: LangOption = None,
) -> None:
    """Print the summary of a road graph file."""
    with user_errors():
        apply_lang(lang)
        from transit.road.graph import load_graph, summarize

        G = load_graph(graph)
        for line in summarize(G).lines():
            typer.echo(line)


@app.command("matrix")
def matrix(
    graph: Annotated[Path, typer.Argument(help="A GraphML file written by 'transit network build'.")],
    points: Annotated[
        Path, typer.Option("--points", "-p", help="CSV with columns id (or name), lat, lon; ids unique.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV: from, to, time_s, distance_m.")],
    max_snap: Annotated[float, typer.Option(min=0.0, help="Largest distance from a point to a road, metres.")] = 500.0,
    kernel: Annotated[str, typer.Option(help="Matrix kernel: auto, scipy or cch (compiled).")] = "auto",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file.")] = False,
    lang: LangOption = None,
) -> None:
    """Compute the travel-time and distance matrix between points."""
    with user_errors():
        apply_lang(lang)
        from transit.kernels import KINDS
        from transit.road.pointsfile import read_points_csv
        from transit.road.travel import RoadNetwork
        from transit.util.atomic import atomic_write_text
        from transit.util.csvsafe import csv_writer

        if kernel not in KINDS:
            msg = _("unknown kernel {kernel!r}; choose one of {kinds}").format(kernel=kernel, kinds=", ".join(KINDS))
            raise InputError(msg, column="--kernel")
        check_output_files(out, force=force)
        ids, lat, lon = read_points_csv(points)
        started = time.perf_counter()
        net = RoadNetwork.load(graph, kernel_kind=kernel)
        point = _("{file}: point {id!r}")
        snapped = net.snap(lat, lon, max_distance=max_snap, labels=[point.format(file=points, id=i) for i in ids])
        with progress_bar(_("travel-time matrix")) as progress:
            progress(0, 1, _("{n} points").format(n=len(ids)))
            t, d = net.matrix(snapped.node)
            progress(1, 1, _("done"))
        buf = io.StringIO()
        w = csv_writer(buf, lineterminator="\n")
        w.writerow(["from", "to", "time_s", "distance_m"])
        for i, a in enumerate(ids):
            for j, b in enumerate(ids):
                w.writerow([a, b, f"{t[i, j]:.3f}", f"{d[i, j]:.1f}"])
        atomic_write_text(out, buf.getvalue())
        finite = t[np.isfinite(t)]
        typer.echo(current().format(
            _("{n} points snapped (max {snap:.0f} m from a road); matrix {n}x{n} written to {path} in "
              "{seconds:.1f} s; longest trip {longest:.1f} min"),
            n=len(ids), snap=snapped.distance_m.max(), path=out, seconds=time.perf_counter() - started,
            longest=finite.max() / 60,
        ))
