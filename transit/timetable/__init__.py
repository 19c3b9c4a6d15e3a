"""Timetables of line-based service: GTFS feeds and line files (``lines.toml``)."""
