"""The dial-a-ride problem: its frozen data, how it is built, and the independent checker.

``data`` (the frozen :class:`~transit.darp.data.Problem` and
:class:`~transit.darp.data.Plan`), ``service`` (service rules), ``fleet`` (fleet
files), ``build`` (bookings + fleet + rules + road graph -> problem),
``checker`` (verify a plan independently of the solver), ``cordeau`` (the
published benchmark instances).
"""
