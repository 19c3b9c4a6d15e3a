"""``manifests.html``: one printable page per driver.

Each vehicle gets a ``<section class="manifest">`` (a page break follows it
when printed, ``@media print``): the shift, then every stop in order with
its times, the name of the place (street and village), what happens there
(booking id, how many passengers board or alight, wheelchair places), the
seats taken after the stop and notes (the pickup window promised to the
passenger, the latest arrival of an arrival booking). Stops already done at
the time of a late-booking update are greyed. A vehicle without work gets a
page saying so. Every page ends with "© OpenStreetMap contributors".
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from transit.dispatch.places import PlaceNamer
from transit.dispatch.tables import stop_infos
from transit.darp.data import StopKind
from transit.util.timeparse import format_clock

__all__ = ["manifests_html"]

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; margin: 1.5em; color: #111; }
h1 { font-size: 16pt; margin: 0 0 .2em 0; }
.meta { margin: .1em 0; }
table { border-collapse: collapse; width: 100%; margin-top: .8em; }
th, td { border: 1px solid #999; padding: .25em .4em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.t { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.depot td { background: #f6f6f6; }
tr.break td { background: #fff7e0; }
tr.done td { color: #888; }
.wc { font-weight: bold; }
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
    StopKind.START: "Leave depot",
    StopKind.PICKUP: "Pick up",
    StopKind.DROPOFF: "Drop off",
    StopKind.BREAK: "Break",
    StopKind.END: "Return to depot",
}


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _hm(t: float) -> str:
    return format_clock(t, with_seconds=False)


def _people(n: int, wheelchair: int, verb: str) -> str:
    text = f"{n} passenger{'s' if n != 1 else ''} {verb}"
    if wheelchair:
        text += f' <span class="wc">+ {wheelchair} wheelchair{"s" if wheelchair != 1 else ""}</span>'
    return text


def _rows(day, infos, namer: PlaceNamer) -> Iterable[str]:
    problem = day.problem
    bookings = day.built.bookings
    now = day.now
    for info in infos:
        s = info.stop
        cls = []
        if s.kind in (StopKind.START, StopKind.END):
            cls.append("depot")
        if s.kind == StopKind.BREAK:
            cls.append("break")
        if now is not None and s.departure < now:
            cls.append("done")
        place = namer.name(info.node, info.lat, info.lon)
        booking = who = notes = ""
        if s.kind in (StopKind.PICKUP, StopKind.DROPOFF):
            r = problem.request(s.request_id)
            b = bookings[s.request_id]
            booking = _e(s.request_id)
            if s.kind == StopKind.PICKUP:
                who = _people(r.passengers, r.wheelchair, "board")
                p = day.promises.get(r.id)
                if p is not None:
                    notes = f"promised pickup {_hm(p.earliest)}–{_hm(p.latest)}"
                if b.time_type == "arrival":
                    notes += ("; " if notes else "") + f"must arrive by {_hm(b.time)}"
            else:
                who = _people(r.passengers, r.wheelchair, "alight")
                if b.time_type == "arrival":
                    notes = f"arrive by {_hm(b.time)}"
            if r.wheelchair:
                notes += ("; " if notes else "") + "wheelchair: use the ramp, secure the chair"
        elif s.kind == StopKind.BREAK:
            notes = f"{round((s.departure - s.start) / 60):d} min break, vehicle empty"
        if now is not None and s.departure < now:
            notes += ("; " if notes else "") + "done"
        load = f"{s.load}" + (f" + {s.wheelchair_load} wc" if s.wheelchair_load else "")
        yield (
            f'<tr class="{" ".join(cls)}">'
            f"<td>{info.seq}</td>"
            f'<td class="t">{_e(_hm(s.arrival))}</td>'
            f'<td class="t">{_e(_hm(s.start))}</td>'
            f'<td class="t">{_e(_hm(s.departure))}</td>'
            f"<td>{_e(place)}</td>"
            f"<td>{_e(_WHAT[s.kind])}</td>"
            f"<td>{booking}</td>"
            f"<td>{who}</td>"
            f"<td>{_e(load)}</td>"
            f"<td>{_e(notes)}</td>"
            "</tr>"
        )


def manifests_html(day, namer: PlaceNamer) -> str:
    """Return the driver manifests of the day as one HTML document."""
    fleet = day.built.fleet
    date = day.service_date.isoformat() if day.service_date is not None else "Service day"
    title = f"Driver manifests – {date}" if day.service_date is not None else "Driver manifests"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<nav><h1>" + _e(title) + "</h1><ul>",
    ]
    infos_all = stop_infos(day)
    for route in day.plan.routes:
        parts.append(f'<li><a href="#v-{_e(route.vehicle_id)}">{_e(route.vehicle_id)}</a></li>')
    parts.append("</ul></nav>")
    for route, infos in zip(day.plan.routes, infos_all):
        spec = fleet.vehicle(route.vehicle_id)
        stops = route.stops
        n_req = len(route.request_ids)
        pax = sum(day.problem.request(r).passengers for r in route.request_ids)
        km = sum(float(day.problem.distance[a.location, b.location]) for a, b in zip(stops, stops[1:])) / 1000.0
        parts.append(f'<section class="manifest" id="v-{_e(route.vehicle_id)}">')
        parts.append(f"<h1>Vehicle {_e(route.vehicle_id)}</h1>")
        parts.append(
            f'<p class="meta">{_e(date)} · shift {_e(_hm(spec.shift_start))}–{_e(_hm(spec.shift_end))}'
            f" · {spec.seats} seats, {spec.wheelchair} wheelchair place{'s' if spec.wheelchair != 1 else ''}</p>"
        )
        if day.now is not None:
            parts.append(f'<p class="meta">Updated at {_e(_hm(day.now))}; grey stops are done.</p>')
        if not route.is_used and not stops:
            parts.append('<p class="meta"><strong>No trips for this vehicle today.</strong></p>')
        else:
            parts.append(
                f'<p class="meta">Leave depot {_e(_hm(stops[0].departure))} · back {_e(_hm(stops[-1].arrival))}'
                f" · {n_req} booking{'s' if n_req != 1 else ''}, {pax} passenger{'s' if pax != 1 else ''}"
                f" · {km:.1f} km</p>"
            )
            parts.append(
                "<table><thead><tr><th>#</th><th>Arrive</th><th>Service</th><th>Leave</th><th>Place</th>"
                "<th>What</th><th>Booking</th><th>Passengers</th><th>On board after</th><th>Notes</th>"
                "</tr></thead><tbody>"
            )
            parts.extend(_rows(day, infos, namer))
            parts.append("</tbody></table>")
        parts.append("<footer>Map data © OpenStreetMap contributors (ODbL) · planned with transit dispatch</footer>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
