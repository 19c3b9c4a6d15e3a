"""Progress of planning in the dispatcher's terms: bookings placed, not the solver's objective.

The solver reports ``best objective X`` while it searches. The dispatch
objective gives every booking left unplaced a weight far above a whole day of
driving (:data:`transit.darp.build.DISPATCH_WEIGHTS`), so the number of
bookings not yet placed is ``floor(X / rejection weight)``; the progress shown
to the user is "282 of 300 bookings placed". Messages that cannot be read
that way are left out (only the share done is shown).
"""

from __future__ import annotations

import math
import re

from transit.util.i18n import _
from transit.util.progress import Progress

__all__ = ["placed_progress", "silent_progress"]

_OBJECTIVE = re.compile(r"best objective ([-+0-9.eE]+|inf|nan)")


def placed_progress(progress: Progress | None, n_bookings: int, rejection_weight: float) -> Progress | None:
    """Return a callback that reports the solver's progress as bookings placed.

    Parameters
    ----------
    progress
        Where to report (None: nowhere).
    n_bookings
        The bookings of the problem being solved.
    rejection_weight
        The objective's weight of a booking left unplaced.
    """
    if progress is None:
        return None
    outer = progress

    def inner(done: float, total: float, message: str = "") -> None:
        text = ""
        m = _OBJECTIVE.search(message or "")
        if m is not None and rejection_weight > 0:
            value = float(m.group(1))
            if math.isfinite(value):
                unplaced = min(n_bookings, max(0, int(value // rejection_weight)))
                text = _("{placed} of {n} bookings placed").format(placed=n_bookings - unplaced, n=n_bookings)
        outer(done, total, text)

    return inner


def silent_progress(progress: Progress | None) -> Progress | None:
    """Return a callback that passes the share done on but not the (untranslated) message."""
    if progress is None:
        return None
    outer = progress

    def inner(done: float, total: float, message: str = "") -> None:
        outer(done, total, "")

    return inner
