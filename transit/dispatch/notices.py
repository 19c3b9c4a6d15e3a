"""Passenger notices: a confirmation text per booking, in five languages (``notices.csv``, ``notices.html``).

Every booking of the day gets a short text for the passenger (to send as a
text message, read out on the phone, or print) in German, English, Arabic,
Ukrainian and Russian, the languages of the district's newcomers
(:data:`transit.util.i18n.NOTICE_LANGUAGES`):

``confirmed``  served: the date, the pickup place and the promised pickup window
``changed``    the promised window had to change in this update (the new window)
``transfer``   the vehicle broke down: another vehicle fetches the passenger (place, window)
``stranded``   the vehicle broke down and no vehicle can fetch the passenger (dispatch calls)
``rejected``   the booking cannot be served
``dropped``    a promised booking can no longer be served
``cancelled``  the cancellation is confirmed
``noshow``     the passenger was not at the pickup; the trip is closed

``notices.csv`` columns: ``request_id``, ``status``, ``send`` (``yes`` when the
notice is new or different after this update, i.e. it should be sent now),
``pickup_from``, ``pickup_to`` (``HH:MM``), then ``text_de``, ``text_en``,
``text_ar``, ``text_uk``, ``text_ru``. Times and dates follow each language's
conventions (Babel). In the Arabic text, times, booking ids and (Latin) place
names are wrapped in Unicode left-to-right isolates so the text reads right to
left correctly in any viewer; ``notices.html`` shows every text with its
language and direction (``dir="rtl"`` for Arabic). Notices never contain
the passenger's name or phone number.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass

from transit.util.csvsafe import csv_writer
from transit.darp.data import TimeWindow
from transit.dispatch.places import PlaceNamer
from transit.util.i18n import N_, NOTICE_LANGUAGES, Translator, translator
from transit.util.timeparse import format_clock

__all__ = ["NOTICE_COLUMNS", "Notice", "notices", "notices_csv", "notices_html"]

NOTICE_COLUMNS = ("request_id", "status", "send", "pickup_from", "pickup_to", *(f"text_{lang}" for lang in NOTICE_LANGUAGES))

_TEXT = {
    "confirmed": N_("Trip {id} on {date} is confirmed. Please be ready at {place} between {start} and {end}."),
    "changed": N_(
        "The pickup time of trip {id} on {date} has changed. Please be ready at {place} between {start} and {end}. "
        "We apologise for the change."
    ),
    "transfer": N_(
        "Our vehicle on trip {id} has broken down. Another vehicle will pick you up at {place} between {start} and {end}."
    ),
    "stranded": N_(
        "Our vehicle on trip {id} has broken down and no other vehicle can reach you now. Our dispatch will call you about a taxi."
    ),
    "rejected": N_("We are sorry: we cannot offer trip {id} on {date} at the time you asked for. Please call us to find another time."),
    "dropped": N_("We are sorry: we can no longer carry out trip {id} on {date}. Please call us."),
    "cancelled": N_("Trip {id} on {date} has been cancelled as you asked."),
    "noshow": N_("You were not at the pickup of trip {id} on {date}; the trip has been closed."),
}
_SEND_ON = {"new", "rejected", "retimed", "dropped", "transfer", "cancelled", "noshow"}


@dataclass(frozen=True)
class Notice:
    """The notice of one booking.

    Parameters
    ----------
    request_id
        The booking.
    status
        One of the statuses in the module docstring.
    send
        Whether it should be sent after this update.
    window
        The pickup window told to the passenger (None if none).
    texts
        By language code.
    """

    request_id: str
    status: str
    send: bool
    window: TimeWindow | None
    texts: dict[str, str]


def _status(day, rid: str, leg: str | None) -> str:
    st = getattr(day, "status", {}).get(rid)
    if st is not None:
        return st.state
    changes = {c.request_id: c for c in getattr(day, "changes", ())}
    served = day.plan.served_ids
    if leg is not None:
        return "transfer" if leg in served else "stranded"
    if rid in served:
        c = changes.get(rid)
        return "changed" if c is not None and c.kind == "retimed" else "confirmed"
    c = changes.get(rid)
    return "dropped" if c is not None and c.kind == "dropped" else "rejected"


def _text(tr: Translator, status: str, *, rid: str, date: str, place: str, window: TimeWindow | None) -> str:
    start = tr.clock(window.earliest) if window is not None else ""
    end = tr.clock(window.latest) if window is not None else ""
    return tr.gettext(_TEXT[status]).format(
        id=tr.ltr(rid), date=date, place=tr.ltr(place), start=tr.ltr(start), end=tr.ltr(end)
    )


def notices(day, namer: PlaceNamer) -> list[Notice]:
    """Return the notice of every booking of the day, in booking order."""
    legs = dict(getattr(day, "legs", {}))
    last_leg: dict[str, str] = {}
    for lid, base in legs.items():
        last_leg[base] = lid  # legs are numbered in order; the last one counts
    changed = {c.booking or c.request_id for c in getattr(day, "changes", ()) if c.kind in _SEND_ON}
    first_plan = day.now is None
    trs = [translator(lang) for lang in NOTICE_LANGUAGES]
    out = []
    for r in day.problem.requests:
        if r.id in legs:
            continue
        leg = last_leg.get(r.id)
        status = _status(day, r.id, leg)
        shown = leg if status in ("transfer", "stranded") else r.id
        window = day.promises.get(shown) if status in ("confirmed", "changed", "transfer") else None
        b = day.built.bookings[shown]
        loc_node = day.built.locations[day.problem.request(shown).pickup].node
        texts = {}
        for tr in trs:
            date = tr.date(day.service_date, "long") if day.service_date is not None else tr.gettext("the service day")
            place = namer.name(loc_node, b.pickup_lat, b.pickup_lon, near_word=tr.gettext("near {village}"))
            texts[tr.lang] = _text(tr, status, rid=r.id, date=date, place=place, window=window)
        out.append(Notice(r.id, status, first_plan or r.id in changed, window, texts))
    return out


def notices_csv(items: list[Notice]) -> str:
    """Return the text of ``notices.csv``."""
    buf = io.StringIO(newline="")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(NOTICE_COLUMNS)
    for n in items:
        win = n.window
        w.writerow(
            [
                n.request_id,
                n.status,
                "yes" if n.send else "no",
                format_clock(win.earliest, with_seconds=False) if win else "",
                format_clock(win.latest, with_seconds=False) if win else "",
                *(n.texts[lang] for lang in NOTICE_LANGUAGES),
            ]
        )
    return buf.getvalue()


def notices_html(items: list[Notice], tr: Translator) -> str:
    """Return ``notices.html``: every notice in every language, each with its direction."""
    e = html.escape
    names = {lang: translator(lang).locale for lang in NOTICE_LANGUAGES}
    title = tr.gettext("Passenger notices")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{tr.lang}"><head><meta charset="utf-8"><title>{e(title)}</title>',
        "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10.5pt;margin:1.5em}"
        "section{border-bottom:1px solid #999;padding:.4em 0}p{margin:.2em 0}"
        "p[dir=rtl]{text-align:right}.lang{font-size:8pt;color:#555}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    for n in items:
        send = tr.gettext("send now") if n.send else tr.gettext("sent before")
        parts.append(f'<section id="n-{e(n.request_id)}"><h2>{e(n.request_id)} · {e(n.status)} · {e(send)}</h2>')
        for lang in NOTICE_LANGUAGES:
            d = translator(lang).direction
            parts.append(
                f'<p class="notice" lang="{lang}" dir="{d}"><span class="lang" dir="ltr">[{e(names[lang])}]</span> '
                f"{e(n.texts[lang])}</p>"
            )
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
