"""Demand: zones, destinations, trip purposes and a seeded booking generator.

Typical use (build the region once, draw many seeds)::

    from transit.demand import DemandParams, generate_bookings, region_from_osm

    region = region_from_osm("instances/default/district.osm.gz")
    params = DemandParams.default().replace(scale=2.0)   # groups, rates: transit/data
    bookings = generate_bookings(region, params, np.random.default_rng(1))
    write_bookings(bookings, "bookings.csv", service_date=params.service_date)
"""

from transit.demand.destinations import CATEGORIES, Destination, classify, destinations_from_osm, read_destinations_csv
from transit.demand.generator import (
    GeneratedDemand,
    TripInfo,
    generate_bookings,
    generate_demand,
    school_bookings,
    write_trip_info,
    zone_group_shares,
)
from transit.demand.gravity import gravity_probabilities
from transit.demand.params import (
    DemandParams,
    Figure,
    Group,
    LeadTimes,
    Purpose,
    SchoolRules,
    demand_assumptions,
    demand_figures,
    parse_params,
)
from transit.demand.region import DemandRegion, region_from_osm
from transit.demand.zones import Zone, read_zones_csv, zones_from_osm, zones_from_places

__all__ = [
    "CATEGORIES",
    "DemandParams",
    "DemandRegion",
    "Destination",
    "Figure",
    "GeneratedDemand",
    "Group",
    "LeadTimes",
    "Purpose",
    "SchoolRules",
    "TripInfo",
    "Zone",
    "classify",
    "demand_assumptions",
    "demand_figures",
    "destinations_from_osm",
    "generate_bookings",
    "generate_demand",
    "gravity_probabilities",
    "parse_params",
    "read_destinations_csv",
    "read_zones_csv",
    "region_from_osm",
    "school_bookings",
    "write_trip_info",
    "zone_group_shares",
    "zones_from_osm",
    "zones_from_places",
]
