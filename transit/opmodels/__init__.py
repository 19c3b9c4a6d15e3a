"""Operating models: each turns a day of bookings into a trip log and a vehicle log.

See :mod:`transit.opmodels.base` for the common interface and
:mod:`transit.sim.columns` for the two tables.
"""
