"""A short comparison scenario on the bundled district, shared by the tests that run `transit compare`."""

from __future__ import annotations

TWO_MODELS = """
[scenario]
name = "Two models"
seeds = 2

[region]
instance = "default"

[demand.generator]
scale = 0.3

[access]
first_hour = 6
last_hour = 21

[precision]
enabled = false             # exactly the two seeds

[sensitivity]
seeds = 1                   # one day per setting: a short run

[[models]]
name = "Linienbus"
kind = "fixed_line"

[[models]]
name = "On-demand"
kind = "ondemand"

[models.fleet]
[[models.fleet.vehicle]]
id = "bus"
count = 2
depot_lat = 51.5915402
depot_lon = 11.5129492
seats = 8
wheelchair = 1
shift_start = "06:00"
shift_end = "21:00"
"""
"""A fixed line and two on-demand minibuses, two seeds at demand scale 0.3, one day per sensitivity setting."""
