"""``manifests.html``: one printable page per driver, in German or English.

Each vehicle gets a ``<section class="manifest">`` (a page break follows it
when printed, ``@media print``) with:

* the vehicle, the date, its shift and seats, and whether it is out of
  service (from when, and the dispatcher's note);
* after an update, the time of the update and the list of *this vehicle's*
  changes (new bookings, bookings taken over from or handed to another
  vehicle, cancellations, no-shows, new pickup times, passengers to fetch
  from a broken-down vehicle), each with its reason;
* every stop in order: arrival and departure, the place (street and house
  number where OpenStreetMap has one, village, coordinates, a map link and a
  link for a navigation app; the depot named as the depot), what happens
  there, who (booking, "3 people: 2 seated, 1 wheelchair", and the
  passenger's name, phone and notes when the bookings file gives them), the
  people on board after the stop and notes (the promised pickup window,
  "must arrive by", waits over 10 minutes flagged, change marks). Stops done
  before the update are grey; stops the update took away are struck through.

Passengers' names, phone numbers and notes appear here and nowhere else.
Every page ends with "© OpenStreetMap contributors".
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from transit.darp.data import Stop, StopKind
from transit.dispatch.changes import Change, reason_text
from transit.dispatch.places import PlaceNamer
from transit.dispatch.tables import StopInfo, noshow_ids, stop_infos
from transit.util.i18n import N_, Translator

__all__ = ["LONG_WAIT_S", "manifests_html", "people"]

LONG_WAIT_S = 600.0
"""Waits longer than this (10 minutes) are flagged on the manifest."""

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; margin: 1.5em; color: #111; }
h1 { font-size: 16pt; margin: 0 0 .2em 0; }
h2 { font-size: 12pt; margin: .8em 0 .2em 0; }
.meta { margin: .1em 0; }
table { border-collapse: collapse; width: 100%; margin-top: .8em; }
th, td { border: 1px solid #999; padding: .25em .4em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.t { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.depot td { background: #f6f6f6; }
tr.break td { background: #fff7e0; }
tr.done td { color: #888; }
tr.gone td { color: #a00; text-decoration: line-through; }
tr.changed td { background: #eef6ff; }
.badge { display: inline-block; font-weight: bold; font-size: 8.5pt; padding: 0 .3em; border: 1px solid #246; color: #246; }
.badge.bad { border-color: #a00; color: #a00; }
.wait { font-weight: bold; color: #a40; }
.wc { font-weight: bold; }
.coord { font-size: 8.5pt; color: #444; }
.out { border: 2px solid #a00; padding: .3em .5em; color: #a00; font-weight: bold; }
ul.changes { margin: .2em 0 .4em 1.2em; padding: 0; }
footer { margin-top: 1em; font-size: 8.5pt; color: #444; }
nav { margin-bottom: 2em; }
section.manifest { margin-bottom: 3em; }
@page { size: A4; margin: 12mm; }
@media print {
  nav { display: none; }
  body { margin: 0; font-size: 9pt; }
  thead { display: table-header-group; }
  section.manifest { break-after: page; page-break-after: always; margin: 0; }
  section.manifest:last-of-type { break-after: auto; page-break-after: auto; }
  tr { break-inside: avoid; page-break-inside: avoid; }
}
"""

_WHAT = {
    StopKind.START: N_("Leave the depot"),
    StopKind.PICKUP: N_("Pick up"),
    StopKind.DROPOFF: N_("Drop off"),
    StopKind.BREAK: N_("Break"),
    StopKind.END: N_("Back to the depot"),
}
_BADGE = {
    "new": N_("NEW"),
    "moved_in": N_("TAKEN OVER"),
    "moved_out": N_("HANDED OVER"),
    "cancelled": N_("CANCELLED"),
    "noshow": N_("NO-SHOW"),
    "retimed": N_("NEW TIME"),
    "dropped": N_("DROPPED"),
    "transfer_in": N_("FETCH FROM BROKEN-DOWN VEHICLE"),
    "transfer_out": N_("PASSENGERS CHANGE VEHICLE"),
    "time": N_("TIME CHANGED"),
}
_BAD = {"cancelled", "noshow", "dropped", "moved_out", "transfer_out"}


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def people(tr: Translator, n: int, wheelchair: int) -> str:
    """Return ``"3 people: 2 seated, 1 wheelchair"`` (``passengers`` counts everybody)."""
    if wheelchair <= 0:
        return tr.ngettext("{n} person", "{n} people", n).format(n=n)
    if wheelchair >= n:
        return tr.ngettext("{n} person in a wheelchair", "{n} people in wheelchairs", n).format(n=n)
    who = tr.ngettext("{n} person", "{n} people", n).format(n=n)
    wc = tr.ngettext("{n} wheelchair", "{n} wheelchairs", wheelchair).format(n=wheelchair)
    return tr.gettext("{people}: {seated} seated, {wheelchairs}").format(people=who, seated=n - wheelchair, wheelchairs=wc)


@dataclass(frozen=True)
class _Mark:
    key: str
    change: Change


def _marks(changes: Iterable[Change], vehicle_id: str) -> tuple[dict[str, _Mark], list[_Mark]]:
    """This vehicle's changes: marks on its stops (by request) and stops taken away."""
    on: dict[str, _Mark] = {}
    gone: list[_Mark] = []
    for c in changes:
        if not c.touches(vehicle_id):
            continue
        if c.new_vehicle == vehicle_id:
            on[c.request_id] = _Mark({"moved": "moved_in", "transfer": "transfer_in"}.get(c.kind, c.kind), c)
        else:
            gone.append(_Mark({"moved": "moved_out", "transfer": "transfer_out"}.get(c.kind, c.kind), c))
    return on, gone


def _badge(tr: Translator, key: str) -> str:
    cls = "badge bad" if key in _BAD else "badge"
    return f'<span class="{cls}">{_e(tr.gettext(_BADGE[key]))}</span>'


def _window(tr: Translator, w) -> str:  # noqa: ANN001
    return f"{tr.clock(w.earliest)}–{tr.clock(w.latest)}" if w is not None else "–"


def _change_line(tr: Translator, m: _Mark, place: str) -> str:
    c = m.change
    parts = [_badge(tr, m.key), _e(tr.gettext("booking {id}").format(id=c.booking or c.request_id))]
    if m.key in ("moved_in", "transfer_in") and c.old_vehicle:
        parts.append(_e(tr.gettext("from {vehicle}").format(vehicle=c.old_vehicle)))
    if m.key in ("moved_out", "transfer_out") and c.new_vehicle:
        parts.append(_e(tr.gettext("to {vehicle}").format(vehicle=c.new_vehicle)))
    if c.new_window is not None and m.key not in ("moved_out", "cancelled", "dropped", "noshow"):
        parts.append(_e(tr.gettext("pickup {window}").format(window=_window(tr, c.new_window))))
    if c.old_window is not None and (m.key in ("retimed", "cancelled", "dropped", "moved_out")):
        parts.append(_e(tr.gettext("(was {window})").format(window=_window(tr, c.old_window))))
    if place:
        parts.append(_e(place))
    if m.key not in ("new",):
        parts.append("– " + _e(reason_text(c.reason, tr)))
    return " ".join(parts)


class _Page:
    """Renders one vehicle's page."""

    def __init__(self, day, namer: PlaceNamer, tr: Translator) -> None:
        self.day = day
        self.namer = namer
        self.tr = tr
        self.problem = day.problem
        self.bookings = day.built.bookings
        self.noshow = noshow_ids(day)
        self.legs = dict(getattr(day, "legs", {}))

    def place(self, info: StopInfo) -> str:
        tr = self.tr
        s = info.stop
        text = self.namer.name(info.node, info.lat, info.lon, near_word=tr.gettext("near {village}"))
        lat, lon = info.lat, info.lon
        osm = f"https://www.openstreetmap.org/?mlat={lat:.6f}&amp;mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"
        geo = f"geo:{lat:.6f},{lon:.6f}"
        head = _e(text)
        map_word, nav_word = tr.gettext("map"), tr.gettext("navigation")
        if s.kind in (StopKind.START, StopKind.END):
            depot = tr.gettext("Depot")
            head = f"<strong>{_e(depot)}</strong>: {head}"
        return (
            f"{head}<br><span class=\"coord\">{lat:.5f}, {lon:.5f} · "
            f'<a href="{osm}">{_e(map_word)}</a> · <a href="{geo}">{_e(nav_word)}</a></span>'
        )

    def who(self, s: Stop) -> str:
        tr = self.tr
        r = self.problem.request(s.request_id)
        b = self.bookings.get(s.request_id)
        parts = [f"<strong>{_e(self.legs.get(r.id, r.id))}</strong>", _e(people(tr, r.passengers, r.wheelchair))]
        if b is not None and b.name:
            parts.append(_e(b.name))
        if b is not None and b.phone:
            tel = "".join(ch for ch in b.phone if ch.isdigit() or ch == "+")
            parts.append(f'<a href="tel:{_e(tel)}">{_e(b.phone)}</a>')
        if b is not None and b.notes:
            parts.append(f"<em>{_e(b.notes)}</em>")
        return "<br>".join(parts)

    def notes(self, s: Stop, now: float | None) -> list[str]:
        tr = self.tr
        out: list[str] = []
        if s.kind in (StopKind.PICKUP, StopKind.DROPOFF):
            r = self.problem.request(s.request_id)
            b = self.bookings.get(s.request_id)
            if s.kind == StopKind.PICKUP and s.request_id in self.noshow:
                out.append(_badge(tr, "noshow"))
            elif s.kind == StopKind.PICKUP:
                p = self.day.promises.get(r.id)
                if p is not None:
                    out.append(_e(tr.gettext("promised pickup {window}").format(window=_window(tr, p))))
            if b is not None and b.time_type == "arrival" and r.id not in self.legs:
                out.append(_e(tr.gettext("must arrive by {time}").format(time=tr.clock(b.time))))
            if r.wheelchair:
                out.append(_e(tr.gettext("wheelchair: use the ramp, secure the chair")))
            wait = (s.start - s.arrival) + max(0.0, s.departure - s.start - r.service_time)
            if wait > LONG_WAIT_S and s.request_id not in self.noshow:
                text = tr.gettext("wait {minutes}").format(minutes=tr.minutes(wait))
                out.append(f'<span class="wait">⚠ {_e(text)}</span>')
        elif s.kind == StopKind.BREAK:
            out.append(_e(tr.gettext("{minutes} break, vehicle empty").format(minutes=tr.minutes(s.departure - s.start))))
        if now is not None and s.departure < now:
            out.append(_e(tr.gettext("done")))
        return out

    def row(self, info: StopInfo, mark: _Mark | None, now: float | None) -> str:
        tr = self.tr
        s = info.stop
        cls = []
        if s.kind in (StopKind.START, StopKind.END):
            cls.append("depot")
        if s.kind == StopKind.BREAK:
            cls.append("break")
        if now is not None and s.departure < now:
            cls.append("done")
        notes = self.notes(s, now)
        if mark is not None and mark.key != "noshow" and (now is None or s.departure >= now):
            cls.append("changed")
            notes.insert(0, _badge(tr, mark.key))
        who = self.who(s) if s.kind in (StopKind.PICKUP, StopKind.DROPOFF) else ""
        seats, wcs = s.load, s.wheelchair_load
        if s.kind == StopKind.PICKUP and s.request_id in self.noshow:  # nobody boarded
            r = self.problem.request(s.request_id)
            seats, wcs = seats - r.passengers, wcs - r.wheelchair
        load = people(tr, seats, wcs) if seats else "0"
        return (
            f'<tr class="{" ".join(cls)}"><td>{info.seq}</td>'
            f'<td class="t">{_e(tr.clock(s.arrival))}</td><td class="t">{_e(tr.clock(s.departure))}</td>'
            f"<td>{self.place(info)}</td><td>{_e(tr.gettext(_WHAT[s.kind]))}</td>"
            f"<td>{who}</td><td>{_e(load)}</td><td>{'<br>'.join(notes)}</td></tr>"
        )

    def ghost(self, m: _Mark, kind: StopKind, t: float) -> str:
        tr = self.tr
        b = self.bookings.get(m.change.request_id)
        lat, lon = (b.pickup_lat, b.pickup_lon) if kind == StopKind.PICKUP else (b.dropoff_lat, b.dropoff_lon)
        place = self.namer.name(None, lat, lon, near_word=tr.gettext("near {village}"))
        return (
            f'<tr class="gone"><td></td><td class="t">{_e(tr.clock(t))}</td><td></td><td>{_e(place)}</td>'
            f"<td>{_e(tr.gettext(_WHAT[kind]))}</td><td>{_e(m.change.booking or m.change.request_id)}</td><td></td>"
            f"<td>{_badge(tr, m.key)}</td></tr>"
        )


def _rows(page: _Page, infos: list[StopInfo], on: Mapping[str, _Mark], gone: list[_Mark], now: float | None) -> list[str]:
    ghosts: list[tuple[float, str]] = []
    for m in gone:
        c = m.change
        for kind, t in ((StopKind.PICKUP, c.old_pickup), (StopKind.DROPOFF, c.old_dropoff)):
            if t is not None and (now is None or t >= now) and page.bookings.get(c.request_id) is not None:
                ghosts.append((t, page.ghost(m, kind, t)))
    ghosts.sort(key=lambda x: x[0])
    out: list[str] = []
    for info in infos:
        while ghosts and ghosts[0][0] < info.stop.arrival:
            out.append(ghosts.pop(0)[1])
        out.append(page.row(info, on.get(info.stop.request_id or ""), now))
    out.extend(g for _t, g in ghosts)
    return out


def _header(day, tr: Translator, page: _Page, route, spec, infos, on, gone) -> list[str]:  # noqa: ANN001
    vid = route.vehicle_id
    date = tr.date(day.service_date) if day.service_date is not None else tr.gettext("service day")
    heading = tr.gettext("Vehicle {id}").format(id=vid)
    parts = [f"<h1>{_e(heading)}</h1>"]
    wc = tr.ngettext("{n} wheelchair place", "{n} wheelchair places", spec.wheelchair).format(n=spec.wheelchair)
    shift = tr.gettext("shift {start}–{end}").format(start=tr.clock(spec.shift_start), end=tr.clock(spec.shift_end))
    seats = tr.ngettext("{n} seat", "{n} seats", spec.seats).format(n=spec.seats)
    parts.append(f'<p class="meta">{_e(date)} · {_e(shift)} · {_e(seats)}, {_e(wc)}</p>')
    out = getattr(day, "vehicles_out", {}).get(vid)
    if out is not None:
        text = tr.gettext("Out of service from {time}").format(time=tr.clock(float(out["from"])))
        if out.get("until") is not None:
            text += " " + tr.gettext("until {time} (then as {run})").format(time=tr.clock(float(out["until"])), run=out.get("run") or "-")
        if out.get("note"):
            text += f" – {out['note']}"
        parts.append(f'<p class="out">{_e(text)}</p>')
    if day.now is not None:
        updated = tr.gettext("Updated at {time}; grey stops are done.").format(time=tr.clock(day.now))
        parts.append(f'<p class="meta">{_e(updated)}</p>')
        marks = sorted([*on.values(), *gone], key=lambda m: (m.change.new_pickup or m.change.old_pickup or 0.0))
        if marks:
            heading = tr.gettext("Changes at {time}").format(time=tr.clock(day.now))
            parts.append(f'<h2>{_e(heading)}</h2><ul class="changes">')
            for m in marks:
                b = page.bookings.get(m.change.request_id)
                place = ""
                if b is not None:
                    place = page.namer.name(None, b.pickup_lat, b.pickup_lon, near_word=tr.gettext("near {village}"))
                parts.append(f"<li>{_change_line(tr, m, place)}</li>")
            parts.append("</ul>")
        else:
            none = tr.gettext("No changes for this vehicle in this update.")
            parts.append(f'<p class="meta">{_e(none)}</p>')
    return parts


def manifests_html(day, namer: PlaceNamer, tr: Translator) -> str:
    """Return the driver manifests of the day as one HTML document in the language of ``tr``."""
    fleet = day.built.fleet
    date = tr.date(day.service_date) if day.service_date is not None else ""
    title = tr.gettext("Driver manifests") + (f" – {date}" if date else "")
    if day.now is not None:
        title += " – " + tr.gettext("as of {time}").format(time=tr.clock(day.now))
    page = _Page(day, namer, tr)
    changes = tuple(getattr(day, "changes", ()))
    personal = any(b.name or b.phone or b.notes for b in day.built.bookings.values())
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{tr.lang}"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<nav><h1>" + _e(title) + "</h1><ul>",
    ]
    infos_all = stop_infos(day)
    for route in day.plan.routes:
        n = sum(1 for c in changes if c.touches(route.vehicle_id))
        count = tr.ngettext("{n} change", "{n} changes", n).format(n=n)
        extra = f" ({_e(count)})" if n else ""
        parts.append(f'<li><a href="#v-{_e(route.vehicle_id)}">{_e(route.vehicle_id)}</a>{extra}</li>')
    parts.append("</ul></nav>")
    for route, infos in zip(day.plan.routes, infos_all):
        spec = fleet.vehicle(route.vehicle_id)
        on, gone = _marks(changes, route.vehicle_id)
        stops = route.stops
        parts.append(f'<section class="manifest" id="v-{_e(route.vehicle_id)}">')
        parts.extend(_header(day, tr, page, route, spec, infos, on, gone))
        if not stops and not gone:
            none = tr.gettext("No trips for this vehicle today.")
            parts.append(f'<p class="meta"><strong>{_e(none)}</strong></p>')
        else:
            if stops:
                reqs = [rid for rid in route.request_ids if rid not in page.noshow]
                pax = sum(day.problem.request(r).passengers for r in reqs)
                km = sum(float(day.problem.distance[a.location, b.location]) for a, b in zip(stops, stops[1:])) / 1000.0
                leave = tr.gettext("Leave the depot {start} · back {end}").format(
                    start=tr.clock(stops[0].departure), end=tr.clock(stops[-1].arrival)
                )
                n_b = tr.ngettext("{n} booking", "{n} bookings", len(reqs)).format(n=len(reqs))
                n_p = tr.ngettext("{n} passenger", "{n} passengers", pax).format(n=pax)
                dist = tr.gettext("{km} km").format(km=tr.number(km, 1))
                parts.append(f'<p class="meta">{_e(leave)} · {_e(n_b)}, {_e(n_p)} · {_e(dist)}</p>')
            parts.append(
                "<table><thead><tr>"
                + "".join(
                    f"<th>{_e(tr.gettext(h))}</th>"
                    for h in ("#", N_("Arrive"), N_("Leave"), N_("Place"), N_("What"), N_("Who"), N_("On board after"), N_("Notes"))
                )
                + "</tr></thead><tbody>"
            )
            parts.extend(_rows(page, infos, on, gone, day.now))
            parts.append("</tbody></table>")
        foot = tr.gettext("Map data © OpenStreetMap contributors (ODbL) · planned with transit dispatch")
        if personal:
            foot += " · " + tr.gettext("Contains passengers' personal data: for the driver only.")
        parts.append(f"<footer>{_e(foot)}</footer>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
