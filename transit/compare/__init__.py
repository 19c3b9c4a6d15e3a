"""Comparing operating models: scenario files, the comparison run, its tables, plots and report.

``scenario`` (the scenario TOML), ``models`` (operating models from a scenario),
``run`` (:func:`~transit.compare.run.run.compare_scenario`), ``table`` (the comparison
table), ``plots`` and ``mapdata`` (plotly figures), ``report`` (report.html).
"""
