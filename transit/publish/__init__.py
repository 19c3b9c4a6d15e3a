"""Publish a designed service: GTFS and GTFS-Flex feeds of a scenario's operating models."""
