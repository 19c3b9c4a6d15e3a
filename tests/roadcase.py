"""Four villages on one straight road, for the problem builder and dispatch tests.

A(1) -- B(2) -- C(3) -- D(4) along latitude 50, 0.01 degrees (~715 m) apart;
every link takes 60 s and is 715 m long, both ways.
"""

from __future__ import annotations

import networkx as nx

from transit.road.travel import RoadNetwork

LAT = 50.0
LON = {1: 11.00, 2: 11.01, 3: 11.02, 4: 11.03}
LINK_S = 60.0
LINK_M = 715.0


def village_road() -> RoadNetwork:
    """Return the road network of the four villages."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    for n, lon in LON.items():
        G.add_node(n, x=lon, y=LAT)
    for u, v in [(1, 2), (2, 3), (3, 4)]:
        for a, b in [(u, v), (v, u)]:
            G.add_edge(a, b, travel_time=LINK_S, length=LINK_M)
    return RoadNetwork.from_graph(G)
