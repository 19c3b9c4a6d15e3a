"""Every user-facing sentence of the comparison report, in one place (English, translated when shown).

The report (:mod:`transit.compare.report`) and its first section
(:mod:`transit.compare.conclusion`) take their words from :data:`TEXTS`
through :func:`text`, which translates them into the current language
(:mod:`transit.util.i18n`; the message id is the English sentence) and fills
in their ``str.format`` fields, numbers in the language's format. The
sentences stay plain strings here: the catalogue update finds them as a
table of texts (:mod:`transit.util.msgextract`), and ``tests/test_i18n.py``
fails until a new or changed sentence has its German translation.
"""

from __future__ import annotations

import math
import re
from typing import Any

from transit.util.i18n import N_, _, current

__all__ = ["DATA_LABELS", "TEXTS", "label", "money", "setting_text", "text"]

TEXTS: dict[str, str] = {
    # ------------------------------------------------------------------ page
    "meta": "Region: {region} · Models: {models} · Seeds: {seeds} · Baseline: {baseline}",
    "footer_osm": "Map and road data © OpenStreetMap contributors (ODbL). Made with transit.",
    "footer_synthetic": "Synthetic data: the region is the bundled synthetic district (instances/default); it "
                        "contains no OpenStreetMap data and describes no real place. Made with transit.",
    "attribution_synthetic": "Synthetic data (no OpenStreetMap data)",
    "note_synthetic": "The region is the bundled synthetic district (instances/default): its places, roads, "
                      "services and bus lines are made up; it describes no real place.",
    "note_bookings_file": "Demand: the bookings file {name} (the same for every seed; seeds vary only the models' "
                          "own randomness).",
    # ------------------------------------------------------------------ the answer in brief
    "h_conclusion": "The answer in brief",
    "intro": "{n_models} operating models served the same demand on {n_seeds} simulated weekdays "
             "(about {requests:.0f} requests a day from the district's {residents:,.0f} residents). "
             "Figures are means over the days with their 95% confidence interval.",
    "h_who": "Who is served",
    "who_model": "{model}: serves {share} of all requests; at least half of the residents' requests in "
                 "{good} of {villages} villages{worst}.",
    "who_worst": "; least served: {names}",
    "who_purposes": "By purpose: {items}.",
    "who_groups": "By group: {items}.",
    "share_item": "{name} {share} (of {n})",
    "h_cost": "At what cost",
    "cost_model": "{model}: {cost} per passenger carried; subsidy {subsidy} per passenger, {per_resident} per "
                  "resident and year ({days:.0f} service days).",
    "ranking": "Cheapest per passenger: {order}.",
    "ranking_clear": "The difference between {first} and {second} ({diff} per passenger, 95% CI {lo} to {hi}) is "
                     "clear at the 95% level.",
    "ranking_unclear": "The difference between {first} and {second} ({diff} per passenger, 95% CI {lo} to {hi}) "
                       "is within the uncertainty: the two are not clearly ranked.",
    "ranking_one": "Only one model has a cost per passenger.",
    "flips_intro": "Settings that change this ranking (sensitivity runs, {seeds} days each):",
    "flips_intro_one": "Settings that change this ranking (sensitivity runs, one day each):",
    "flip_item": "{setting}: {order} (at the base on the same days: {base_order}; {swapped})",
    "flips_none": "None of the tested settings ({n} runs: demand, walk limit, detour rule, fleet size, fares) "
                  "changes this ranking.",
    "flips_off": "The sensitivity runs were turned off ([sensitivity] enabled = false): how robust the ranking is "
                 "was not tested.",
    "precision_met": "Precision: {seeds} days; every main KPI's 95% interval is within its target ({targets}).",
    "precision_capped": "Precision: stopped at the cap of {seeds} days with some intervals still wider than their "
                        "target ({targets}): {widest}.",
    "precision_fixed": "Precision: {seeds} days, as asked (--seeds); intervals wider than the target "
                       "({targets}): {widest}.",
    "precision_targets": "half-width at most {rel:.0%} of the mean, or {abs}",
    "points": "{points:.1f} percentage points",
    "h_published": "Against published figures",
    "published_outside": "Outside the published range:",
    "published_item": "{model} {kpi} {value} ({verdict} {range}: {what})",
    "published_none": "Every KPI with a published range lies inside it.",
    "published_table_note": "Each KPI beside the range real services publish (sources in "
                            "transit/data/published_ranges.toml, from shared/REFERENCES.md).",
    "h_coverage": "Residents within walking reach of a stop",
    "coverage_model": "{model}: {within:,.0f} of {total:,.0f} residents ({share}) — {method}.",
    "coverage_none": "Not computed for this comparison.",
    "costing_basis": "Costs are on one basis for every model: paid hours (own buses: duties from pull-out to "
                     "pull-in with layovers; a Rufbus contractor: trips run; on-demand vehicles: shifts), every "
                     "km including empty runs, dispatch only for bookings served, and one fare system with "
                     "{season:.0%} of riders holding a Deutschlandticket.",
    "no_empty_runs": "No depot is given for {models}: empty runs to and from a depot are not in their costs.",
    "coverage_method": "homes sampled as the demand generator places them, walks on the walk graph (roads and "
                       "footpaths) within each group's walk limit",
    # ------------------------------------------------------------------ school transport (transit.compare.school)
    "h_school": "School transport: the same in every model",
    "school_base": "Pupils' school trips ride the school buses in every model, as school transport in German "
                   "districts runs whatever the operating form of the rest of the service: {bookings:.0f} group "
                   "bookings with {pupils:,.0f} pupils a day, carried by {name} ({trips:.0f} school-day trips of "
                   "the timetable, {extra:.0f} reinforcement buses a day): {carried:,.0f} pupils carried "
                   "({share:.0%}), {cost} a day, {per_pupil} per pupil, subsidy {subsidy} per pupil. This cost is "
                   "common to every model and shown apart; every model below is compared on the everyday trips "
                   "(Jedermannverkehr) it competes for, and line models run the timetable without the school "
                   "buses' trips.",
    "school_unserved": "Pupils not carried by {name} (the same in every model) most often because: {reason}.",
    "school_with": "The whole service with the school buses (the figure published network averages describe), "
                   "cost per passenger: {items}.",
    "school_partial": "n/a for {models}: they run only some of the lines while the school buses serve the whole "
                      "district, and no published network figure describes such a part.",
    "school_none": "The day's bookings have no pupils' school trips (trip purpose 'school'): every model serves all "
                   "bookings.",
    # ------------------------------------------------------------------ sensitivity
    "h_sensitivity": "Which assumptions drive the answer",
    "sensitivity_note": "Each bar is the comparison rerun with one assumption at its low or high setting "
                        "(transit/data/sensitivity.toml; the first {seeds} days of the main run), against the same "
                        "days at the base. Longer bars: the answer depends more on that assumption.",
    "sensitivity_skipped": "Left out: {items}.",
    "tornado_title": "{kpi}: change from the base per assumption ({seeds} days)",
    "tornado_axis": "Change in {kpi}",
    "tornado_yaxis": "Assumption",
    "level_low": "low setting",
    "level_high": "high setting",
    "factor_demand_scale": "Demand volume",
    "factor_walk_limit_m": "Walk limit to a stop",
    "factor_max_ride": "Detour rule",
    "factor_fleet_scale": "Fleet size",
    "factor_fare_scale": "Fare level",
    # ------------------------------------------------------------------ other sections
    "h_comparison": "Comparison",
    "comparison_note": "Mean across seeds with the 95% confidence interval (Student t): ± half-width, or [low–high] "
                       "where the interval is cut at 0 or 100% (a KPI that cannot be negative). The grey line gives "
                       "the paired difference to the baseline (every model saw the same demand for a seed). "
                       "▲/▼: above/below the published range in the last column. n/a: not defined.",
    "published_column": "Published",
    "h_access": "Access to services per village",
    "access_note": "Per village: the share of the residents' own requests served on the simulated days, the hours "
                   "of the day in which a trip to the middle-order centre was possible with what the day's vehicles "
                   "had to spare, beside the hours the timetable or free vehicles offer, and door-to-door times to "
                   "the centre, the nearest doctor, Jobcenter and station from probe journeys on every full hour "
                   "(access.csv, transit.evaluate.access). Why a door-to-door cell is empty:",
    "why_table_col_model": "Model",
    "why_table_col_dest": "Destination",
    "why_table_col_reason": "Why no trip",
    "why_table_col_villages": "Villages",
    "h_rejections": "Why requests were rejected",
    "h_about": "About these numbers",
    "about_1": "Every model was run on identical demand for each seed; seeds vary the demand and the booking "
               "behaviour. KPI definitions: transit.evaluate.kpis; access method: transit.evaluate.access; cost "
               "rates and their sources: transit.evaluate.costs.",
    "about_2": "The full tables are beside this report: kpis.csv (one row per model and seed), summary.csv (mean and "
               "confidence interval per model and KPI), access.csv and access_groups.csv, sensitivity.csv, "
               "trips.csv and stops.csv (trip and vehicle logs).",
}


#: The demand's own names (trip purposes, population groups, destinations of the access table) as
#: the report shows them: English message ids, translated by :func:`label`. A name not listed is shown
#: as it is (a purpose or group a planner added in a data file).
DATA_LABELS: dict[str, str] = {
    # trip purposes (transit/data/purpose_profiles.toml)
    "work": "work",
    "station": "to the station",
    "school": "school",
    "doctor": "doctor",
    "errands": "errands",
    "shopping": "shopping",
    "leisure": "leisure",
    "jobcenter": "Jobcenter",
    "course": "course",
    "visit": "visit",
    # population groups (transit/data/population_groups.toml)
    "pupil": "pupils",
    "commuter": "commuters",
    "senior": "seniors",
    "jobseeker": "jobseekers",
    "refugee": "refugees",
    "other": "others",
    "all": "all",
    # destinations of the access table (transit.evaluate.access.TARGETS)
    "centre": "centre",
}


def text(key: str, **fields: Any) -> str:
    """Return the text ``key`` of :data:`TEXTS` in the current language with ``fields`` filled in."""
    tr = current()
    message = tr.gettext(TEXTS[key])
    return tr.format(message, **fields) if fields else message


def money(x: float | None) -> str:
    """Return an amount of euros in the current language (``1.234 €`` from 100 on, else ``3,74 €``; n/a if none)."""
    if x is None or not math.isfinite(x):
        return _("n/a")
    sign = "\u2212" if x < 0 else ""
    return sign + current().money(abs(x), digits=0 if abs(x) >= 100 else 2)


def label(name: str) -> str:
    """Return a purpose, group or destination name of the demand in the current language (:data:`DATA_LABELS`)."""
    key = str(name)
    return current().gettext(DATA_LABELS[key]) if key in DATA_LABELS else key


_NUM = r"(-?\d+(?:\.\d+)?)"
#: The sensitivity settings as :mod:`transit.compare.sensitivity` writes them (``sensitivity.csv``,
#: language-neutral) and as the report shows them.
_SETTINGS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(rf"demand × {_NUM}"), N_("demand × {value:g}"), ("value",)),
    (re.compile(rf"walk limit {_NUM} m"), N_("walk limit {value:.0f} m"), ("value",)),
    (re.compile(rf"ride ≤ {_NUM} × direct \+ {_NUM} min"), N_("ride ≤ {alpha:g} × direct + {beta:g} min"), ("alpha", "beta")),
    (re.compile(rf"fleet × {_NUM}"), N_("fleet × {value:g}"), ("value",)),
    (re.compile(rf"fares × {_NUM}"), N_("fares × {value:g}"), ("value",)),
)


def setting_text(setting: str) -> str:
    """Return a sensitivity setting (``demand × 0.5``) in the current language (``Nachfrage × 0,5``).

    A setting of another shape is returned as it is.
    """
    tr = current()
    for pattern, message, names in _SETTINGS:
        m = pattern.fullmatch(str(setting))
        if m is not None:
            return tr.format(tr.gettext(message), **{k: float(v) for k, v in zip(names, m.groups())})
    return str(setting)
