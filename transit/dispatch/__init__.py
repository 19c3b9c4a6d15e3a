"""Dispatching a service day: plan the bookings, fit late bookings, write the outputs.

Flow (``transit dispatch``)::

    fleet   = transit.darp.fleet.read_fleet(FLEET)
    graph, network = load_network(GRAPH)
    bookings = transit.demand.bookings.read_bookings(BOOKINGS, network=network, capacities=fleet.capacities)
    built   = transit.darp.build.build_problem(bookings, fleet, network)
    day     = plan_day(built, network_path=GRAPH, seed=0)      # solve + independent check
    write_day(day, OUT, network=network, namer=PlaceNamer.from_graph(graph, network))

The running day (``transit dispatch update`` / ``add`` / ``cancel`` ...)::

    stored = read_plan_json(OUT / "plan.json")             # validated like any input
    events = read_events(EVENTS)                            # transit.dispatch.events
    day2   = update_day(stored, network, now=11 * 3600, events=events, new_bookings=new,
                        network_path=GRAPH)
    write_day(day2, OUT2, network=network, namer=namer, tr=translator("de"))

Modules: :mod:`~transit.dispatch.planning` (solve and check),
:mod:`~transit.dispatch.update` (events and late bookings) built on
:mod:`~transit.dispatch.add` (freeze, residual requests, insertion rounds,
stitch), :mod:`~transit.dispatch.events` and :mod:`~transit.dispatch.eventcheck`
(the events file and its checks), :mod:`~transit.dispatch.freeze_events`,
:mod:`~transit.dispatch.outage` (vehicles out of service),
:mod:`~transit.dispatch.tiers` (keeping promises), :mod:`~transit.dispatch.changes`
(``changes.csv``), :mod:`~transit.dispatch.state` (what events did),
:mod:`~transit.dispatch.dayplan` and :mod:`~transit.dispatch.planread`
(``plan.json``), :mod:`~transit.dispatch.leadtime`, :mod:`~transit.dispatch.tables`
(CSV and summary), :mod:`~transit.dispatch.geojson`,
:mod:`~transit.dispatch.manifests`, :mod:`~transit.dispatch.notices`,
:mod:`~transit.dispatch.places` (place names and addresses),
:mod:`~transit.dispatch.progress`, :mod:`~transit.dispatch.files` (atomic writing).
"""

from __future__ import annotations

from pathlib import Path

from transit.dispatch.update import add_bookings, update_day
from transit.dispatch.files import OUTPUT_FILES, render_day, write_day
from transit.dispatch.places import PlaceNamer
from transit.dispatch.planning import PlanCheckError, make_promises, plan_day, verify
from transit.dispatch.dayplan import DayPlan, StoredDay, read_plan_json, rebuild_problem, write_plan_json

__all__ = [
    "OUTPUT_FILES",
    "DayPlan",
    "PlaceNamer",
    "PlanCheckError",
    "StoredDay",
    "add_bookings",
    "load_network",
    "make_promises",
    "plan_day",
    "read_plan_json",
    "rebuild_problem",
    "render_day",
    "update_day",
    "verify",
    "write_day",
    "write_plan_json",
]


_OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf", ".osm.xml")


def load_network(path: str | Path):
    """Load a road graph; return ``(graph, RoadNetwork)``.

    ``path`` is a GraphML file from ``transit network build`` or, for
    convenience, an OSM file, whose drivable graph is then built with the
    default road rules (the same every time, so a plan made from it can be
    continued from it). The graph is kept for street names (manifests); the
    network does the routing.

    Raises
    ------
    NetworkError
        If the file is missing or not a road graph.
    """
    from transit.road.graph import build_graph, load_graph
    from transit.road.travel import RoadNetwork

    name = str(path).lower()
    graph = build_graph(path) if name.endswith(_OSM_SUFFIXES) else load_graph(path)
    return graph, RoadNetwork.from_graph(graph)
