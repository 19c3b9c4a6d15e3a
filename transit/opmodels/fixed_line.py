"""Operating model 1: fixed bus lines on a timetable.

Every timetabled trip runs, whether anyone rides or not. A booking is served
if a journey (one trip, or two with one change at a shared stop) takes the
passenger from a stop within walking reach of the pickup to one within
walking reach of the drop-off within the service rules
(:class:`~transit.opmodels.linerules.LineRules`; how a journey is chosen is
described in :mod:`transit.opmodels.journeys`). Otherwise it is rejected
with the reason in plain words ("no stop within 600 m of the pickup", "next
bus 95 min after the requested time (limit 60 min)", "last bus left at
18:05 (requested 19:30)", ...).

Buses have unlimited capacity (a full-size bus); the load per stop is
recorded from the assigned passengers. Every passenger chooses
independently, so the outcome does not depend on the order of bookings.

Vehicle log: one vehicle per timetabled trip (``vehicle_id`` = trip id),
a ``stop`` row per timetabled stop with the load when leaving it and the
road kilometres from the previous stop (empty kilometres when nobody was
on board); with a depot, each vehicle duty (trips chained at their end
stops after the layover) starts and ends there with deadhead rows.
``info`` holds ``timetabled_trips``, ``trips_run``, ``vehicle_duties``,
``duty_hours`` (the duties from pull-out to pull-in, layovers included),
``timetable_vehicle_km`` and ``timetable_vehicle_hours``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from transit.opmodels import journeys as lw
from transit.opmodels.base import DayContext, ModelRun
from transit.opmodels.linerules import LineRules
from transit.util.progress import Progress, report

if TYPE_CHECKING:
    from transit.demand.bookings import Booking
    from transit.timetable.lines import Timetable

__all__ = ["FixedLineModel"]

log = logging.getLogger(__name__)


class FixedLineModel:
    """Fixed lines: every timetabled trip runs.

    Parameters
    ----------
    name
        The model's name in the scenario.
    lines
        The timetable of the day (:func:`transit.timetable.lines.load_timetable`).
    rules
        Walking, waiting and transfer rules (defaults: ``LineRules()``).
    """

    kind = "fixed_line"

    def __init__(self, name: str, lines: Timetable, rules: LineRules | None = None) -> None:
        self.name = name
        self.lines = lines
        self.rules = rules if rules is not None else LineRules()

    def run(
        self,
        bookings: Sequence[Booking],
        ctx: DayContext,
        *,
        seed: int,
        rng: np.random.Generator,
        progress: Progress | None = None,
    ) -> ModelRun:
        """Serve the day: each booking takes its best journey or is rejected with a reason."""
        del rng  # deterministic: no randomness in a timetable
        tt, rules, net = self.lines, self.rules, ctx.network
        stops, prep, conn, loads = lw.start_day(
            bookings, tt, net, rules, ctx.date, walk_network=ctx.walk_network, groups=ctx.groups(bookings)
        )
        rows: list[dict[str, Any]] = []
        n_total = len(bookings)
        for n, b in enumerate(bookings):
            row = lw.trip_row(self.name, seed, b, ctx.labels, prep.direct_s[n], prep.direct_m[n])
            rows.append(row)
            chosen, reason = choose_journey(prep, conn, n, b, rules)
            if chosen is None:
                row["reason"] = reason
                continue
            record_journey(row, b, chosen, tt, loads)
            if progress is not None and (n + 1) % 200 == 0:
                report(progress, n + 1, n_total, "fixed line: bookings")
        report(progress, n_total, n_total, "fixed line: bookings")
        trips = lw.trips_frame(rows)
        stop_km, _ = lw.road_km(net, stops, stops)
        all_trips = list(range(len(tt.trips)))
        vlog, duties = lw.timetable_rows(
            self.name, seed, tt, all_trips, loads, stop_km, network=net, stops=stops, rules=rules
        )
        info = timetable_info(tt, all_trips, stop_km, duties)
        info["duty_hours"] = lw.duty_hours(vlog, tt, all_trips, 60.0 * rules.min_layover_min)
        return ModelRun(model=self.name, kind=self.kind, trips=trips, stops=vlog, info=info)


def choose_journey(
    prep: lw.Prepared, conn: lw.Connections, n: int, b: Booking, rules: LineRules
) -> tuple[np.ndarray | None, str]:
    """Return the best candidate row of booking ``n`` or None and the reason."""
    reason = lw.no_stop_reason(prep, n, rules)
    if reason:
        return None, reason
    reason = lw.no_egress_reason(prep, n)
    if reason:
        return None, reason
    cands = candidate_rows(prep, conn, n, rules)
    if len(cands) == 0:
        return None, lw.no_link_reason(rules)
    order, reason = lw.rank(cands, b, rules)
    if len(order) == 0:
        return None, reason
    return cands[order[0]], ""


def candidate_rows(prep: lw.Prepared, conn: lw.Connections, n: int, rules: LineRules) -> np.ndarray:
    """Return booking ``n``'s journeys with walking at both ends."""
    acc, egr = prep.access_m[n], prep.egress_m[n]
    origins = lw.near_stops(acc, prep.stop_lines)
    dests = lw.near_stops(egr, prep.stop_lines)
    return lw.candidates(conn, origins, dests, acc, egr, rules.walk.time_s(acc), rules.walk.time_s(egr))


def record_journey(row: dict[str, Any], b: Booking, c: np.ndarray, tt: Timetable, loads: lw.Loads) -> None:
    """Fill the trip-log row of a served booking and add it to the trips' loads."""
    t1 = int(c[lw.T1])
    legs = [(t1, int(c[lw.I1]), int(c[lw.J1]))]
    if c[lw.NTR] > 0:
        legs.append((int(c[lw.T2]), int(c[lw.I2]), int(c[lw.J2])))
    for trip, i, j in legs:
        loads.add(trip, i, j, b.passengers, b.wheelchair)
    vehicle = "+".join(tt.trips[t].trip_id for t, _, _ in legs)
    lw.fill_served(
        row, b, vehicle, int(c[lw.NTR]), float(c[lw.DEP]), float(c[lw.ARR]),
        float(c[lw.WA_M]), float(c[lw.WE_M]), float(c[lw.WA_S]), float(c[lw.WE_S]),
    )


def timetable_info(tt: Timetable, trips: Sequence[int], stop_km: np.ndarray, duties: int) -> dict[str, float]:
    """Return the timetable figures of the trips that ran."""
    km = 0.0
    hours = 0.0
    for k in trips:
        t = tt.trips[k]
        km += float(sum(stop_km[a, b] for a, b in zip(t.stops, t.stops[1:])))
        hours += (t.end - t.start) / 3600.0
    return {
        "timetabled_trips": float(len(tt.trips)),
        "trips_run": float(len(trips)),
        "vehicle_duties": float(duties),
        "timetable_vehicle_km": km,
        "timetable_vehicle_hours": hours,
    }
