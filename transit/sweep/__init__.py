"""Sweeps: a scenario run over the combinations of some of its keys and many seeds (``transit sweep``).

``spec`` (the sweep file), ``dotted`` (keys by dotted path), ``task`` (one
combination x seed, a pure function), ``store`` (finished tasks on disk),
``run`` (:func:`run_sweep` on the engine of :mod:`transit.compare.engine`),
``summary``, ``plots`` and ``report`` (``sweep.html``).
"""
