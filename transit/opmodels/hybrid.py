"""Operating model 4: a fixed trunk line with on-demand feeders and timed transfers.

The trunk (one or more timetabled lines, e.g. to the railway station) runs
as a fixed line (:class:`transit.opmodels.fixed_line.FixedLineModel`: every
trip runs). On-demand minibuses (a :class:`transit.darp.fleet.Fleet`) serve the
*feeder zone*: the doors inside the feeder area (a polygon; default the
whole network) that are beyond walking reach of every trunk stop. Each
booking is handled as follows:

1. **trunk only**: if the fixed line alone serves it (walk, ride, walk), it
   is served that way (no booking needed);
2. **outbound feeder** (pickup in the feeder zone, drop-off within walking
   reach of the trunk): a minibus takes the passengers from their door to
   the hub (the trunk stop quickest to reach by road among the hubs) and the
   trunk takes them on. The trunk journey is chosen first (the first trip
   the feeder can reach, or for arrival bookings the last one arriving in
   time), and the feeder's **drop-off window at the hub ends
   ``transfer_min`` minutes before the trunk leaves**;
3. **inbound feeder** (the reverse): the trunk brings the passengers to the
   hub and the feeder's **pickup window at the hub starts ``transfer_min``
   minutes after the trunk arrives**;
4. **local**: both doors in the feeder zone, or both in the feeder area
   when the trunk cannot take them (no connection at that time): the feeder
   takes them door to door;
5. otherwise the booking is rejected with the reason (the fixed line's, or
   "outside the feeder area and beyond walking reach of the trunk line").

The feeders run through the simulated service day
(:func:`transit.sim.simulate_day`): a feeder leg is decided when the booking
is made, with promises and re-optimisation as for any on-demand request; a
booking whose feeder leg is rejected is rejected as a whole. The trip log
joins both legs (``vehicle_id`` = feeder vehicle and trunk trip ids joined
by ``+`` in riding order, ``transfers`` counts the changes); the vehicle log
holds the feeder vehicles' stops and the trunk's timetabled trips with the
loads of everyone who rode them.

Access probes (:meth:`HybridModel.probe`) take the same steps with each
feeder leg answered by the earliest free feeder instead of a simulated day
(the service availability of :mod:`transit.evaluate.probes`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from transit.demand.bookings import Booking
from transit.errors import InputError
from transit.darp.fleet import Fleet
from transit.timetable.lines import Timetable
from transit.darp.data import Plan, TimeWindow
from transit.opmodels.base import DayContext, ModelRun
from transit.opmodels.fixed_line import FixedLineModel
from transit.opmodels.linerules import LineRules, parse_line_rules
from transit.opmodels.ondemand import SCHOOL_REASON, OnDemandOptions, direct_trips, parse_ondemand_options, rules_for
from transit.darp.build import build_problem
from transit.util.progress import Progress, report
from transit.darp.service import ServiceRules
from transit.sim.day import DayResult, simulate_day
from transit.sim.logs import trip_log, vehicle_log
from transit.sim.columns import STOP_COLUMNS, TRIP_COLUMNS
from transit.util.tomltable import build, check_keys, get_number, get_text_list, join
from transit.road.walking import walk_matrix

__all__ = ["HybridModel", "HybridOptions", "parse_hybrid_options"]

log = logging.getLogger(__name__)

OUTBOUND, INBOUND, LOCAL = "outbound", "inbound", "local"


@dataclass(frozen=True)
class HybridOptions:
    """How the trunk and the feeders work together.

    Parameters
    ----------
    hubs
        Trunk stops (ids or names) where feeders meet the trunk; empty:
        every trunk stop.
    transfer_min
        Minutes between the feeder's drop-off at the hub and the trunk's
        departure (and between the trunk's arrival and the feeder's pickup).
    line
        How passengers use the trunk (walking, waiting, changes).
    feeder
        The feeder service (area, service rules, simulation settings; the
        feeders run door to door).
    """

    hubs: tuple[str, ...] = ()
    transfer_min: float = 3.0
    line: LineRules = field(default_factory=LineRules)
    feeder: OnDemandOptions = field(default_factory=OnDemandOptions)

    KEYS = ("hubs", "transfer_min", "line", "feeder")

    def __post_init__(self) -> None:
        if not (math.isfinite(self.transfer_min) and self.transfer_min >= 0):
            msg = f"must be a number >= 0, got {self.transfer_min!r}"
            raise InputError(msg, column="transfer_min")


def parse_hybrid_options(data: Mapping[str, Any], *, source: str | None = None, table: str = "", extra: tuple[str, ...] = ()
) -> HybridOptions:
    """Build from a scenario's model table: ``hubs = ["..."]``, ``transfer_min``,
    ``line = {...}`` (:class:`LineRules` keys), ``feeder = {...}``
    (:class:`OnDemandOptions` keys).

    Raises
    ------
    InputError
        Naming ``source`` and the key.
    """
    check_keys(data, HybridOptions.KEYS + extra, source=source, table=table)
    values: dict[str, Any] = {}
    if "hubs" in data:
        values["hubs"] = get_text_list(data, "hubs", None, source=source, table=table, what="stop ids or names")
    x = get_number(data, "transfer_min", None, source=source, table=table)
    if x is not None:
        values["transfer_min"] = x
    if "line" in data:
        values["line"] = parse_line_rules(data["line"], source=source, table=join(table, "line"))
    if "feeder" in data:
        values["feeder"] = parse_ondemand_options(data["feeder"], source=source, table=join(table, "feeder"))
    return build(HybridOptions, values, source=source, table=table)


@dataclass
class _Leg:
    """The plan for one booking that needs a feeder."""

    case: str
    hub: int = -1
    trunk: dict[str, Any] | None = None  # the trunk leg's trip-log row
    in_area: bool = False  # both doors inside the feeder area (door to door is a fallback)


class HybridModel:
    """A fixed trunk line with on-demand feeders (see the module docstring).

    Parameters
    ----------
    name
        The model's name in the scenario.
    trunk
        The trunk line(s) timetable.
    fleet
        The feeder minibuses.
    options
        Hubs, transfer time, line rules and the feeder service.

    Raises
    ------
    InputError
        If a hub is not a stop of the trunk.
    """

    kind = "hybrid"

    def __init__(self, name: str, trunk: Timetable, fleet: Fleet, options: HybridOptions | None = None) -> None:
        self.name = name
        self.trunk = trunk
        self.fleet = fleet
        self.options = options if options is not None else HybridOptions()
        if self.options.hubs:
            hubs = []
            for h in self.options.hubs:
                hit = [i for i, s in enumerate(trunk.stops) if h in (s.stop_id, s.name)]
                if not hit:
                    msg = f"hub {h!r} is not a stop of the trunk line"
                    raise InputError(msg, column="hubs")
                hubs.extend(hit)
            self.hubs = tuple(sorted(set(hubs)))
        else:
            self.hubs = tuple(range(len(trunk.stops)))

    # ------------------------------------------------------------------ run
    def run(
        self,
        bookings: Sequence[Booking],
        ctx: DayContext,
        *,
        seed: int,
        rng: np.random.Generator,
        progress: Progress | None = None,
    ) -> ModelRun:
        """Serve the day: every booking ends up served (trunk, feeder + trunk, feeder) or rejected."""
        return self._serve(bookings, ctx, seed=seed, rng=rng, progress=progress, free_feeders=False)

    def probe(self, bookings: Sequence[Booking], ctx: DayContext) -> pd.DataFrame:
        """Answer access probes as if each traveller were alone; return their trip log.

        The trunk line runs as timetabled; a feeder leg is served by the
        earliest free feeder that, leaving its depot at the start of its
        shift, reaches the pickup within its window, delivers in time for
        the connection and gets back by the end of its shift (the service
        availability of :mod:`transit.evaluate.probes`: no other passengers,
        no pooling detours).
        """
        return self._serve(bookings, ctx, seed=0, rng=np.random.default_rng(0), progress=None, free_feeders=True).trips

    def _serve(
        self, bookings: Sequence[Booking], ctx: DayContext, *, seed: int, rng: np.random.Generator,
        progress: Progress | None, free_feeders: bool,
    ) -> ModelRun:
        """Serve the bookings; the feeders simulated over the day, or (``free_feeders``) answered with free vehicles."""
        opts = self.options
        net = ctx.network
        rules = rules_for(opts.feeder.service, ctx, self.fleet)
        line = FixedLineModel(self.name, self.trunk, opts.line)
        report(progress, 0, 3, f"{self.name}: trunk line")
        alone = line.run(bookings, ctx, seed=seed, rng=rng).trips.set_index("request_id")
        direct = direct_trips(net, bookings)
        legs = self._classify(bookings, alone, net, ctx)
        hub_lat, hub_lon = self._hub_points()
        # Trunk legs of the feeder bookings.
        pseudo = []
        buffer = 60.0 * opts.transfer_min
        drive = self._hub_drive_times(bookings, legs, net)
        for b in bookings:
            leg = legs.get(b.request_id)
            if leg is None or leg.case not in (OUTBOUND, INBOUND):
                continue
            s = rules.service_time_s(b.passengers, b.wheelchair)
            d = drive[b.request_id]
            h = leg.hub
            if leg.case == OUTBOUND:
                t = b.time if b.time_type == "arrival" else b.time + 2 * s + d + buffer
                pseudo.append(dataclasses.replace(b, pickup_lat=hub_lat[h], pickup_lon=hub_lon[h], time=t))
            else:
                t = b.time - (buffer + 2 * s + d) if b.time_type == "arrival" else b.time
                pseudo.append(dataclasses.replace(b, dropoff_lat=hub_lat[h], dropoff_lon=hub_lon[h], time=t))
        trunk_rows = line.run(pseudo, ctx, seed=seed, rng=rng).trips.set_index("request_id") if pseudo else None
        reasons, feeder_bookings, windows = self._feeder_legs(bookings, legs, alone, trunk_rows, rules, drive)
        report(progress, 1, 3, f"{self.name}: feeders")
        if free_feeders:
            feeder_log = self._feeders_alone(feeder_bookings, windows, rules, ctx, seed, reasons)
            stops_feeder, result = pd.DataFrame(columns=list(STOP_COLUMNS)), None
            promises = {rid: (math.nan, math.nan) for rid in feeder_log.index[feeder_log["status"] == "served"]}
        else:
            plan, promises, stops_feeder, result = self._feeders(feeder_bookings, windows, rules, ctx, seed, reasons)
            feeder_log = trip_log(
                feeder_bookings, plan, model=self.name, seed=seed, promises=promises, reasons=reasons,
                direct={}, labels=ctx.labels,
            ).set_index("request_id")
        served_feeder = set(promises)
        # The trunk's vehicle log with everyone who rode it.
        riders = [b for b in bookings if b.request_id not in legs]
        riders += [p for p in pseudo if p.request_id in served_feeder and legs[p.request_id].case != LOCAL]
        report(progress, 2, 3, f"{self.name}: trunk loads")
        trunk_run = line.run(riders, ctx, seed=seed, rng=rng)
        rows = []
        for b in bookings:
            rid = b.request_id
            if rid not in legs:
                row = alone.loc[rid].to_dict()
            else:
                row = self._joined_row(b, legs[rid], feeder_log, reasons, rid in served_feeder)
            row["request_id"] = rid
            row["direct_s"], row["direct_m"] = direct[rid]
            rows.append(row)
        trips = pd.DataFrame(rows, columns=list(TRIP_COLUMNS))
        for col in ("home_zone", "purpose", "group"):  # rejected rows carry their labels too
            trips[col] = [getattr(ctx.labels[r], col) if r in ctx.labels else v
                          for r, v in zip(trips["request_id"], trips[col].fillna(""))]
        trips["model"] = self.name
        trips["seed"] = seed
        stops = pd.concat([stops_feeder, trunk_run.stops], ignore_index=True)[list(STOP_COLUMNS)]
        info = {f"trunk_{k}": v for k, v in trunk_run.info.items()}
        info["feeder_vehicles"] = float(len(self.fleet.vehicles))
        for case in (OUTBOUND, INBOUND, LOCAL):
            info[f"bookings_{case}"] = float(sum(1 for x in legs.values() if x.case == case))
        info["bookings_trunk_only"] = float(len(bookings) - len(legs))
        report(progress, 3, 3, f"{self.name}: done")
        return ModelRun(model=self.name, kind=self.kind, trips=trips, stops=stops, info=info, day=result)

    # ------------------------------------------------------------------ parts
    def _hub_points(self) -> tuple[list[float], list[float]]:
        lat = [self.trunk.stops[i].lat for i in range(len(self.trunk.stops))]
        lon = [self.trunk.stops[i].lon for i in range(len(self.trunk.stops))]
        return lat, lon

    def _classify(self, bookings: Sequence[Booking], alone: pd.DataFrame, net, ctx: DayContext) -> dict[str, _Leg]:
        """Return the feeder plan of every booking the trunk alone does not serve.

        Walking reach of the trunk is measured on the walk graph, with each
        traveller's group walk limit.
        """
        opts = self.options
        todo = [b for b in bookings if alone.loc[b.request_id, "status"] != "served"]
        if not todo:
            return {}
        lat = np.array([b.pickup_lat for b in todo] + [b.dropoff_lat for b in todo])
        lon = np.array([b.pickup_lon for b in todo] + [b.dropoff_lon for b in todo])
        groups = ctx.groups(todo)
        walk = walk_matrix(lat, lon, self.trunk.stop_lat, self.trunk.stop_lon, opts.line.walk, network=ctx.walker,
                           limits=opts.line.walk.limits(groups + groups, 2 * len(todo)))
        near = np.isfinite(walk).any(axis=1)
        area = opts.feeder.area
        inside = area.contains(lat, lon) if area is not None else np.ones(len(lat), bool)
        zone = inside & ~near
        n = len(todo)
        hub_nodes = net.snap_distances(
            np.array([self.trunk.stops[i].lat for i in self.hubs]), np.array([self.trunk.stops[i].lon for i in self.hubs])
        ).node
        door_nodes = net.snap_distances(lat, lon).node
        t_to, _ = net.matrix(door_nodes, hub_nodes)
        t_from, _ = net.matrix(hub_nodes, door_nodes)
        legs: dict[str, _Leg] = {}
        for k, b in enumerate(todo):
            if opts.feeder.leaves_to_school_buses(ctx.labels.get(b.request_id)):
                legs[b.request_id] = _Leg("reject", trunk={"reason": f"{alone.loc[b.request_id, 'reason']}; feeders: "
                                                                    f"{SCHOOL_REASON}"})
                continue
            zp, zd = zone[k], zone[n + k]
            both = bool(inside[k] and inside[n + k])
            if zp and zd:
                legs[b.request_id] = _Leg(LOCAL, in_area=both)
            elif zp and near[n + k]:
                legs[b.request_id] = _Leg(OUTBOUND, hub=self.hubs[int(np.argmin(t_to[k]))], in_area=both)
            elif zd and near[k]:
                legs[b.request_id] = _Leg(INBOUND, hub=self.hubs[int(np.argmin(t_from[:, n + k]))], in_area=both)
            elif both:
                legs[b.request_id] = _Leg(LOCAL, in_area=True)  # near the trunk, but the trunk cannot take it
            elif near[k] and near[n + k]:
                continue  # the trunk's own reason stands
            else:
                reason = "outside the feeder area and beyond walking reach of the trunk line"
                legs[b.request_id] = _Leg("reject", trunk={"reason": reason})
        return legs

    def _hub_drive_times(self, bookings: Sequence[Booking], legs: Mapping[str, _Leg], net) -> dict[str, float]:
        """Return the direct driving time between each feeder booking's door and its hub."""
        out: dict[str, float] = {}
        todo = [b for b in bookings if b.request_id in legs and legs[b.request_id].case in (OUTBOUND, INBOUND)]
        if not todo:
            return out
        doors = [
            (b.pickup_lat, b.pickup_lon) if legs[b.request_id].case == OUTBOUND else (b.dropoff_lat, b.dropoff_lon)
            for b in todo
        ]
        hubs = [(self.trunk.stops[legs[b.request_id].hub].lat, self.trunk.stops[legs[b.request_id].hub].lon) for b in todo]
        dn = net.snap_distances(np.array([d[0] for d in doors]), np.array([d[1] for d in doors])).node
        hn = net.snap_distances(np.array([h[0] for h in hubs]), np.array([h[1] for h in hubs])).node
        ud, di = np.unique(dn, return_inverse=True)
        uh, hi = np.unique(hn, return_inverse=True)
        t_dh, _ = net.matrix(ud, uh)
        t_hd, _ = net.matrix(uh, ud)
        for k, b in enumerate(todo):
            out[b.request_id] = float(t_dh[di[k], hi[k]] if legs[b.request_id].case == OUTBOUND else t_hd[hi[k], di[k]])
        return out

    def _feeders(
        self,
        feeder_bookings: list[Booking],
        windows: Mapping[str, tuple[TimeWindow | None, TimeWindow | None]],
        rules: ServiceRules,
        ctx: DayContext,
        seed: int,
        reasons: dict[str, str],
    ) -> tuple[Plan, dict[str, tuple[float, float]], pd.DataFrame, DayResult]:
        """Simulate the feeders; return the executed plan, promises, vehicle log and the day."""
        max_seats = max(v.seats for v in self.fleet.vehicles)
        max_wc = max(v.wheelchair for v in self.fleet.vehicles)
        ok = []
        for b in feeder_bookings:
            if b.passengers > max_seats or b.wheelchair > max_wc:
                reasons[b.request_id] = "larger than every feeder vehicle (seats or wheelchair places)"
            else:
                ok.append(b)
        # Even without feeder bookings the feeders are on duty (and cost their shifts).
        bp = build_problem(ok, dataclasses.replace(self.fleet, service=rules), ctx.network)
        reqs = []
        for r in bp.problem.requests:
            pick, drop = windows.get(r.id, (None, None))
            if pick is not None or drop is not None:
                r = _with_windows(r, pick, drop, bp.problem.direct_time(r))
            reqs.append(r)
        problem = bp.problem.replace(requests=tuple(reqs))
        result = simulate_day(
            problem, [b.booked_at for b in ok], rules, settings=self.options.feeder.sim, seed=seed
        )
        promises = {}
        for rid, d in result.decisions.items():
            if d.accepted and d.promise is not None:
                promises[rid] = (d.promise.earliest, d.promise.latest)
            else:
                reasons[rid] = d.reason
        lat = np.array([loc.lat for loc in bp.locations])
        lon = np.array([loc.lon for loc in bp.locations])
        stops = vehicle_log(result.plan, model=self.name, seed=seed, lat=lat, lon=lon, distance=bp.problem.distance)
        return result.plan, promises, stops, result

    def _feeder_legs(
        self, bookings: Sequence[Booking], legs: dict[str, _Leg], alone: pd.DataFrame,
        trunk_rows: pd.DataFrame | None, rules: ServiceRules, drive: Mapping[str, float],
    ) -> tuple[dict[str, str], list[Booking], dict[str, tuple[TimeWindow | None, TimeWindow | None]]]:
        """Return the reasons of bookings already decided, the feeder legs to serve and their time windows.

        A timed transfer: an outbound feeder picks its passengers up in the
        pickup window that ends when, driving straight to the hub (``drive``:
        seconds door to hub), they arrive ``transfer_min`` before the trunk
        leaves, but not before the time they asked for. They wait for the
        trunk at home, not at the hub (a departure booking's pickup window
        started at the asked time, however long the wait at the hub then was).
        """
        opts = self.options
        hub_lat, hub_lon = self._hub_points()
        buffer = 60.0 * opts.transfer_min
        reasons: dict[str, str] = {}
        feeder_bookings: list[Booking] = []
        windows: dict[str, tuple[TimeWindow, TimeWindow | None]] = {}
        for b in bookings:
            rid = b.request_id
            leg = legs.get(rid)
            if leg is None:
                reasons[rid] = str(alone.loc[rid, "reason"])
                continue
            if leg.case == "reject":
                reasons[rid] = leg.trunk["reason"] if leg.trunk else "not served"
                continue
            if leg.case == LOCAL:
                feeder_bookings.append(b)
                continue
            row = trunk_rows.loc[rid]
            if row["status"] != "served":
                if leg.in_area:
                    # No trunk connection: the feeder takes them all the way (both doors in its area).
                    leg.case = LOCAL
                    feeder_bookings.append(b)
                else:
                    reasons[rid] = f"no trunk connection from the hub: {row['reason']}"
                continue
            leg.trunk = row.to_dict()
            h = leg.hub
            w = rules.pickup_window_s
            if leg.case == OUTBOUND:
                leave_hub = float(row["board_time"]) - float(row["walk_access_m"]) / opts.line.walk.speed_ms
                deadline = leave_hub - buffer
                if b.time_type == "arrival":
                    drop = TimeWindow(deadline - w, deadline)
                    pick = None
                else:
                    s = rules.service_time_s(b.passengers, b.wheelchair)
                    start = max(b.time, deadline - float(drive[rid]) - 2.0 * s - w)
                    pick = TimeWindow(start, start + w)
                    drop = TimeWindow(-math.inf, deadline)
                feeder_bookings.append(
                    dataclasses.replace(b, dropoff_lat=hub_lat[h], dropoff_lon=hub_lon[h], time_type="departure")
                )
                windows[rid] = (pick, drop) if pick is not None else (None, drop)
            else:
                at_hub = float(row["alight_time"]) + float(row["walk_egress_m"]) / opts.line.walk.speed_ms
                pick = TimeWindow(at_hub + buffer, at_hub + buffer + w)
                drop = TimeWindow(b.time - w, b.time) if b.time_type == "arrival" else None
                feeder_bookings.append(
                    dataclasses.replace(b, pickup_lat=hub_lat[h], pickup_lon=hub_lon[h], time=at_hub + buffer,
                                        time_type="departure")
                )
                windows[rid] = (pick, drop)
        return reasons, feeder_bookings, windows

    def _feeders_alone(
        self,
        feeder_bookings: list[Booking],
        windows: Mapping[str, tuple[TimeWindow | None, TimeWindow | None]],
        rules: ServiceRules,
        ctx: DayContext,
        seed: int,
        reasons: dict[str, str],
    ) -> pd.DataFrame:
        """Answer each feeder leg with the earliest free feeder (see :meth:`probe`); return the legs' trip log."""
        from transit.opmodels.journeys import trip_row

        net = ctx.network
        vehicles = list(self.fleet.vehicles)
        rows = []
        if feeder_bookings:
            n = len(feeder_bookings)
            ends = np.array([[b.pickup_lat, b.pickup_lon, b.dropoff_lat, b.dropoff_lon] for b in feeder_bookings])
            pick = net.snap_distances(ends[:, 0], ends[:, 1]).node
            drop = net.snap_distances(ends[:, 2], ends[:, 3]).node
            dep = net.snap_distances(np.array([v.depot_lat for v in vehicles]),
                                     np.array([v.depot_lon for v in vehicles])).node
            end = net.snap_distances(np.array([v.end_point[0] for v in vehicles]),
                                     np.array([v.end_point[1] for v in vehicles])).node
            to_pick = net.matrix(dep, pick)[0]  # vehicles x legs
            ride = net.matrix(pick, drop)[0][np.arange(n), np.arange(n)]
            back = net.matrix(drop, end)[0].T  # vehicles x legs
        for k, b in enumerate(feeder_bookings):
            row = trip_row(self.name, seed, b, ctx.labels, math.nan, math.nan)
            s = rules.service_time_s(b.passengers, b.wheelchair)
            pw, dw = windows.get(b.request_id, (None, None))
            if pw is None and dw is None:
                pw = TimeWindow(b.time, b.time + rules.pickup_window_s) if b.time_type == "departure" else None
                dw = TimeWindow(b.time - rules.pickup_window_s, b.time) if b.time_type == "arrival" else None
            best = None
            for v, veh in enumerate(vehicles):
                if b.passengers > veh.seats or b.wheelchair > veh.wheelchair:
                    continue
                board = max(veh.shift_start + to_pick[v, k], pw.earliest if pw is not None else -math.inf)
                if dw is not None and math.isfinite(dw.earliest):
                    board = max(board, dw.earliest - s - ride[k])
                alight = board + s + ride[k]
                if pw is not None and board > pw.latest + 1e-6:
                    continue
                if dw is not None and alight > dw.latest + 1e-6:
                    continue
                if alight + s + back[v, k] > veh.shift_end or not math.isfinite(alight):
                    continue
                if best is None or board < best[1]:
                    best = (veh.id, board, alight)
            if best is None:
                reasons[b.request_id] = "no feeder free in time (even without other passengers)"
                row["reason"] = reasons[b.request_id]
            else:
                row.update(status="served", vehicle_id=best[0], board_time=best[1], alight_time=best[2],
                           transfers=0, walk_access_m=0.0, walk_egress_m=0.0, walk_s=0.0)
            rows.append(row)
        return pd.DataFrame(rows, columns=list(TRIP_COLUMNS)).set_index("request_id")

    def _joined_row(
        self, b: Booking, leg: _Leg, feeder: pd.DataFrame, reasons: Mapping[str, str], served: bool
    ) -> dict[str, Any]:
        """Return the trip-log row of a booking handled with a feeder."""
        rid = b.request_id
        f = feeder.loc[rid].to_dict() if rid in feeder.index else None
        if not served or f is None or f["status"] != "served":
            row = {c: math.nan for c in TRIP_COLUMNS}
            base = f if f is not None else {}
            row.update({k: base.get(k, row[k]) for k in TRIP_COLUMNS})
            row.update(
                passengers=b.passengers, wheelchair=b.wheelchair, pickup_lat=b.pickup_lat, pickup_lon=b.pickup_lon,
                dropoff_lat=b.dropoff_lat, dropoff_lon=b.dropoff_lon, time_type=b.time_type, requested_time=b.time,
                booked_at=math.nan if b.booked_at is None else b.booked_at, status="rejected",
                reason=reasons.get(rid, "not served"), vehicle_id="", transfers=0,
                home_zone=base.get("home_zone", ""), purpose=base.get("purpose", ""),
                group=base.get("group", ""),
            )
            for k in ("promised_earliest", "promised_latest", "board_time", "alight_time", "walk_access_m",
                      "walk_egress_m", "walk_s", "wait_s", "in_vehicle_s", "door_to_door_s"):
                row[k] = math.nan
            return row
        row = dict(f)
        row.update(
            pickup_lat=b.pickup_lat, pickup_lon=b.pickup_lon, dropoff_lat=b.dropoff_lat, dropoff_lon=b.dropoff_lon,
            time_type=b.time_type, requested_time=b.time,
        )
        if leg.case == LOCAL:
            row["transfers"] = 0
            _times(row, b, row["board_time"], row["alight_time"], 0.0, 0.0)
            return row
        t = leg.trunk
        assert t is not None
        speed = self.options.line.walk.speed_ms
        if leg.case == OUTBOUND:
            board, alight = f["board_time"], t["alight_time"]
            row["vehicle_id"] = f"{f['vehicle_id']}+{t['vehicle_id']}"
            row["walk_access_m"], row["walk_egress_m"] = 0.0, t["walk_egress_m"]
            walk_a, walk_e = 0.0, t["walk_egress_m"] / speed
        else:
            board, alight = t["board_time"], f["alight_time"]
            row["vehicle_id"] = f"{t['vehicle_id']}+{f['vehicle_id']}"
            row["walk_access_m"], row["walk_egress_m"] = t["walk_access_m"], 0.0
            walk_a, walk_e = t["walk_access_m"] / speed, 0.0
        row["transfers"] = 1 + int(t["transfers"] or 0)
        row["walk_s"] = walk_a + walk_e
        _times(row, b, board, alight, walk_a, walk_e)
        return row


def _times(row: dict[str, Any], b: Booking, board: float, alight: float, walk_a: float, walk_e: float) -> None:
    """Fill boarding, alighting, in-vehicle, wait and door-to-door times (see transit.sim.columns)."""
    row["board_time"], row["alight_time"] = board, alight
    row["in_vehicle_s"] = alight - board
    leave, arrive = board - walk_a, alight + walk_e
    if b.time_type == "arrival":
        row["wait_s"] = b.time - arrive
        row["door_to_door_s"] = arrive - leave
    else:
        row["wait_s"] = leave - b.time
        row["door_to_door_s"] = arrive - b.time


def _with_windows(r, pick: TimeWindow | None, drop: TimeWindow | None, direct: float):
    """Return request ``r`` with the feeder's windows (the missing one left open)."""
    s = r.service_time
    if pick is None and drop is not None:
        pick = TimeWindow(-math.inf, drop.latest - s - direct)
    if drop is None and pick is not None:
        drop = TimeWindow(-math.inf, math.inf)
    assert pick is not None and drop is not None
    # An impossible pair of windows stays impossible: the day rejects the booking.
    return r.replace(pickup_window=pick, dropoff_window=drop)
