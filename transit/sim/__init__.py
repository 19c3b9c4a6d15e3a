"""The simulated service day of an on-demand service.

:func:`~transit.sim.day.simulate_day` runs one day: pre-booked requests are
planned together at a cut-off, later bookings get an immediate decision
(accept with a promised pickup window, or reject with a reason), the plan is
re-optimised on a rolling horizon without breaking promises, and vehicles
drive the plan. :mod:`transit.sim.logs` turns the executed plan into the
trip log and the vehicle log of :mod:`transit.sim.columns`.
"""

from transit.sim.day import DayResult, DayStats, Decision, SimSettings, simulate_day

__all__ = ["DayResult", "DayStats", "Decision", "SimSettings", "simulate_day"]
