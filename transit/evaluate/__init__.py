"""From trip and vehicle logs to figures: KPIs, costs, statistics across seeds, profiles, access."""
