"""Roads: OpenStreetMap -> drivable graph with travel times -> snapping, matrices, walking.

``osmfile`` (filter a raw OSM file), ``osmdata`` (places and tagged features),
``rules`` (road classes and speeds, ``data/roads.toml``), ``graph`` (build, save
and load the graph; the only module that imports osmnx), ``travel``
(:class:`~transit.road.travel.RoadNetwork`: snapping, matrices, paths),
``points`` (points on road arcs), ``walking`` (walking times to stops).
"""
