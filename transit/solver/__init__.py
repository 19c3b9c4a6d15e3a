"""The dial-a-ride solver: :func:`solve` turns a Problem into a Plan.

Modules: :mod:`~transit.solver.compiled` (the problem as arrays),
:mod:`~transit.solver.schedule` (exact route timing), :mod:`~transit.solver.state`
(solution and insertion), :mod:`~transit.solver.alns` (the search),
:mod:`~transit.solver.warmstart`, :mod:`~transit.solver.reasons`,
:mod:`~transit.solver.output` and :mod:`~transit.solver.ortools_adapter`
(the only module that imports OR-Tools).

The interface for the rest of the package is what this module exports:
:func:`solve`, its :class:`SearchSettings`, and :class:`LivePlan` (a plan kept
in compiled form for fast live insertion, used by the simulation) with the
node kinds ``PICK``, ``DROP`` and ``BREAK`` of its sequences; ``kernels_ready`` and
``compile_kernels`` tell whether the compiled kernels are cached and compile them.
"""

from transit.solver._jitcache import compile_kernels, kernels_ready, route_solver_kernels

# Before any kernel module is imported: numba's cache in the user's cache folder.
route_solver_kernels()

from transit.solver.compiled import BREAK, DROP, PICK  # noqa: E402
from transit.solver.insert import LivePlan  # noqa: E402
from transit.solver.settings import SearchSettings, default_iterations, parse_search_settings  # noqa: E402
from transit.solver.solve import solve  # noqa: E402

__all__ = [
    "BREAK",
    "DROP",
    "PICK",
    "LivePlan",
    "SearchSettings",
    "compile_kernels",
    "default_iterations",
    "kernels_ready",
    "parse_search_settings",
    "solve",
]
