"""Plot functions: take results, return a plotly figure.

They compute nothing (every number comes from the tables of a comparison:
``summary.csv``, ``kpis.csv``, ``access.csv``, the trip and vehicle logs and
the profiles/map layers prepared by :mod:`transit.evaluate.profiles` and
:mod:`transit.compare.mapdata`) and never call ``.show()``: the caller decides
whether to show, save or embed the figure. Titles and axes say their units.
Maps are drawn as ``Scattergeo`` traces on a blank background (no tile
server, so they render offline) and carry the OpenStreetMap attribution.
Every word is in the current language (:mod:`transit.util.i18n`), numbers
shown by plotly with its decimal and grouping symbols.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from transit.compare.mapdata import RegionMap
from transit.compare.texts import setting_text
from transit.util.i18n import N_, _, current

__all__ = [
    "ACCESS_LABELS",
    "KPI_LABELS",
    "KpiLabel",
    "access_heatmap",
    "access_map",
    "cost_per_passenger",
    "kpi_bars",
    "occupancy_over_day",
    "tornado",
    "travel_time_distribution",
    "wait_time_distribution",
]

#: Colours of the models, in report order (colour-blind safe, Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass(frozen=True)
class KpiLabel:
    """How to show a KPI: a title, its unit, and a display factor (100 for shares in %).

    ``title`` and ``unit`` are English (message ids); :attr:`title_text`,
    :attr:`unit_text` and :attr:`axis` are in the current language.
    """

    title: str
    unit: str
    factor: float = 1.0

    @property
    def title_text(self) -> str:
        """The title in the current language."""
        return _(self.title) if self.title else self.title

    @property
    def unit_text(self) -> str:
        """The unit in the current language."""
        return _(self.unit) if self.unit else self.unit

    @property
    def axis(self) -> str:
        """Axis title with the unit (current language)."""
        return f"{self.title_text} ({self.unit_text})" if self.unit else self.title_text


#: Display labels of the KPIs of :mod:`transit.evaluate.kpis` shown in the report.
KPI_LABELS: dict[str, KpiLabel] = {
    "served_share": KpiLabel("Requests served", "%", 100.0),
    "wait_mean_min": KpiLabel("Mean wait", "min"),
    "wait_p90_min": KpiLabel("Wait, 90th percentile", "min"),
    "in_vehicle_mean_min": KpiLabel("Mean in-vehicle time", "min"),
    "door_to_door_mean_min": KpiLabel("Mean door-to-door time", "min"),
    "car_time_ratio": KpiLabel("Door-to-door time / car time", "ratio"),
    "detour_factor": KpiLabel("Detour factor", "ratio"),
    "walk_mean_m": KpiLabel("Mean walk", "m"),
    "vehicle_km": KpiLabel("Vehicle-km", "km/day"),
    "empty_km_share": KpiLabel("Empty km", "%", 100.0),
    "vehicle_hours": KpiLabel("Vehicle-hours", "h/day"),
    "passengers_per_vehicle_hour": KpiLabel("Passengers per vehicle-hour", "pax/h"),
    "boardings_per_vehicle_hour": KpiLabel("Boardings per vehicle-hour", "boardings/h"),
    "occupancy": KpiLabel("Occupancy (pkm / vkm)", "pax"),
    "pooling_rate": KpiLabel("Pooling rate (shared pkm)", "%", 100.0),
    "passengers_per_booking": KpiLabel("Passengers per booking", "pax"),
    "cost_total": KpiLabel("Operating cost", "€/day"),
    "fare_revenue": KpiLabel("Fare revenue", "€/day"),
    "subsidy": KpiLabel("Subsidy", "€/day"),
    "cost_per_passenger": KpiLabel("Cost per passenger", "€"),
    "subsidy_per_passenger": KpiLabel("Subsidy per passenger", "€"),
    "cost_per_passenger_with_school": KpiLabel("Cost per passenger, with the school buses", "€"),
    "subsidy_per_passenger_with_school": KpiLabel("Subsidy per passenger, with the school buses", "€"),
    "passengers_per_vehicle_hour_with_school": KpiLabel("Passengers per vehicle-hour, with the school buses",
                                                        "pax/h"),
    "subsidy_per_pkm": KpiLabel("Subsidy per passenger-km", "€/pkm"),
    "cost_recovery": KpiLabel("Cost recovery", "%", 100.0),
    "cost_per_vehicle_km": KpiLabel("Cost per vehicle-km", "€/km"),
    "shared_trip_share": KpiLabel("Trips shared", "%", 100.0),
    "paid_hours": KpiLabel("Paid vehicle-hours", "h/day"),
    "info_share_run": KpiLabel("Timetabled trips that run", "%", 100.0),
    "co2_per_pkm_g": KpiLabel("CO₂ per passenger-km", "g/pkm"),
}

#: Display labels of the access measures (:mod:`transit.evaluate.access`).
ACCESS_LABELS: dict[str, KpiLabel] = {
    "served_share": KpiLabel("Residents' requests served", "%", 100.0),
    "hours_to_centre": KpiLabel("Hours with a trip to the centre", "h/day"),
    "hours_from_centre": KpiLabel("Hours with a trip back from the centre", "h/day"),
    "hours_to_centre_day": KpiLabel("Hours with a trip to the centre on the simulated days", "h/day"),
    "hours_from_centre_day": KpiLabel("Hours with a trip back on the simulated days", "h/day"),
    "served_per_day": KpiLabel("Residents' trips served", "per day"),
    "d2d_centre_min": KpiLabel("Door to door to the centre", "min"),
    "d2d_doctor_min": KpiLabel("Door to door to the nearest doctor", "min"),
    "d2d_jobcenter_min": KpiLabel("Door to door to the Jobcenter", "min"),
    "d2d_station_min": KpiLabel("Door to door to the railway station", "min"),
    "earliest_arrival_centre_s": KpiLabel("Earliest arrival in the centre", "h", 1 / 3600.0),
    "latest_return_s": KpiLabel("Latest return from the centre", "h", 1 / 3600.0),
}

#: The legend names of the road classes of the map.
_ROAD_NAMES = {"minor": N_("minor roads"), "major": N_("major roads")}

_FONT = {"family": "Arial, Helvetica, sans-serif", "size": 12}


def _colours(models: Sequence[str]) -> dict[str, str]:
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(models)}


def _layout(fig: go.Figure, title: str, *, height: int = 420) -> go.Figure:
    fig.update_layout(
        separators=current().separators,
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        font=_FONT,
        height=height,
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
    )
    return fig


def kpi_bars(
    summary: pd.DataFrame,
    kpis: Sequence[str],
    *,
    labels: Mapping[str, KpiLabel] | None = None,
    title: str | None = None,
    columns: int = 3,
) -> go.Figure:
    """Draw one small bar chart per KPI, models side by side, with 95% CI error bars.

    Parameters
    ----------
    summary
        Rows of ``summary.csv`` (``model, kpi, mean, ci_low, ci_high``).
    kpis
        The KPI names to draw, in order.
    labels
        Titles and units per KPI (default :data:`KPI_LABELS`).
    title
        Figure title (default: key figures by operating model, in the current language).
    columns
        Panels per row.
    """
    labels = dict(KPI_LABELS if labels is None else labels)
    if title is None:
        title = _("Key figures by operating model (mean and 95% confidence interval across seeds)")
    kpis = [k for k in kpis if k in set(summary["kpi"])]
    models = list(dict.fromkeys(summary["model"]))
    colours = _colours(models)
    rows = max(1, int(np.ceil(len(kpis) / columns)))
    titles = [labels.get(k, KpiLabel(k, "")).axis for k in kpis]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.08,
                        vertical_spacing=0.16 if rows > 1 else 0.1)
    for i, k in enumerate(kpis):
        lab = labels.get(k, KpiLabel(k, ""))
        s = summary[summary["kpi"] == k].set_index("model").reindex(models)
        mean = s["mean"].astype(float) * lab.factor
        hi = (s["ci_high"].astype(float) * lab.factor - mean).fillna(0.0)
        lo = (mean - s["ci_low"].astype(float) * lab.factor).fillna(0.0)
        fig.add_trace(
            go.Bar(
                x=models,
                y=mean,
                marker_color=[colours[m] for m in models],
                error_y={"type": "data", "symmetric": False, "array": hi.to_numpy(), "arrayminus": lo.to_numpy(),
                         "color": "#333", "thickness": 1.2, "width": 4},
                name=lab.title_text,
                showlegend=False,
                hovertemplate="%{x}: %{y:.3g} " + lab.unit_text + "<extra>" + lab.title_text + "</extra>",
            ),
            row=i // columns + 1,
            col=i % columns + 1,
        )
        fig.update_yaxes(title_text=lab.unit_text, row=i // columns + 1, col=i % columns + 1)
    _layout(fig, title, height=max(320, 280 * rows + 60))
    fig.update_annotations(font_size=12)
    return fig


def _distribution(trips: pd.DataFrame, column: str, *, title: str, axis: str, factor: float) -> go.Figure:
    served = trips[trips["status"] == "served"]
    models = list(dict.fromkeys(trips["model"]))
    colours = _colours(models)
    fig = go.Figure()
    for m in models:
        v = pd.to_numeric(served.loc[served["model"] == m, column], errors="coerce").dropna() * factor
        fig.add_trace(go.Box(y=v.to_numpy(), name=m, marker_color=colours[m], boxmean=True, boxpoints=False))
    fig.update_yaxes(title_text=axis, rangemode="tozero")
    fig.update_xaxes(title_text=_("Operating model"))
    _layout(fig, title)
    fig.update_layout(showlegend=False)
    return fig


def wait_time_distribution(trips: pd.DataFrame) -> go.Figure:
    """Draw the distribution of waits (deviation from the requested time) of served bookings per model.

    Parameters
    ----------
    trips
        Trip logs of the comparison (all seeds).
    """
    return _distribution(trips, "wait_s", title=_("Wait relative to the requested time, served bookings (all seeds)"),
                         axis=_("Wait (min)"), factor=1 / 60.0)


def travel_time_distribution(trips: pd.DataFrame) -> go.Figure:
    """Draw the distribution of door-to-door times of served bookings per model.

    Parameters
    ----------
    trips
        Trip logs of the comparison (all seeds).
    """
    return _distribution(trips, "door_to_door_s", title=_("Door-to-door travel time, served bookings (all seeds)"),
                         axis=_("Door-to-door time (min)"), factor=1 / 60.0)


def occupancy_over_day(profile: pd.DataFrame) -> go.Figure:
    """Draw passengers on board and vehicles on duty over the day, per model.

    Parameters
    ----------
    profile
        :func:`transit.evaluate.profiles.occupancy_profile` output.
    """
    models = list(dict.fromkeys(profile["model"]))
    colours = _colours(models)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(_("Passengers on board (all vehicles)"), _("Vehicles on duty")))
    for m in models:
        p = profile[profile["model"] == m]
        fig.add_trace(go.Scatter(x=p["time_h"], y=p["passengers_on_board"], name=m, mode="lines",
                                 line={"color": colours[m], "shape": "hv"}, legendgroup=m), row=1, col=1)
        fig.add_trace(go.Scatter(x=p["time_h"], y=p["vehicles_on_duty"], name=m, mode="lines", showlegend=False,
                                 line={"color": colours[m], "shape": "hv", "dash": "dot"}, legendgroup=m), row=2, col=1)
    fig.update_yaxes(title_text=_("Passengers (pax)"), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=_("Vehicles"), rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text=_("Time of day (h)"), dtick=2, row=2, col=1)
    _layout(fig, _("Vehicle occupancy over the day (mean over seeds)"), height=520)
    return fig


def cost_per_passenger(summary: pd.DataFrame) -> go.Figure:
    """Draw cost and subsidy per passenger per model, with 95% confidence intervals.

    Parameters
    ----------
    summary
        Rows of ``summary.csv``.
    """
    models = list(dict.fromkeys(summary["model"]))
    fig = go.Figure()
    for k, colour in (("cost_per_passenger", "#0072B2"), ("subsidy_per_passenger", "#D55E00")):
        s = summary[summary["kpi"] == k].set_index("model").reindex(models)
        if s["mean"].isna().all():
            continue
        mean = s["mean"].astype(float)
        fig.add_trace(
            go.Bar(
                x=models,
                y=mean,
                name=KPI_LABELS[k].title_text,
                marker_color=colour,
                error_y={"type": "data", "symmetric": False,
                         "array": (s["ci_high"].astype(float) - mean).fillna(0.0).to_numpy(),
                         "arrayminus": (mean - s["ci_low"].astype(float)).fillna(0.0).to_numpy()},
            )
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=_("€ per passenger"), rangemode="tozero")
    fig.update_xaxes(title_text=_("Operating model"))
    return _layout(fig, _("Cost and subsidy per passenger (mean and 95% CI across seeds)"))


def access_heatmap(
    access: pd.DataFrame, measure: str = "hours_to_centre", *, label: KpiLabel | None = None
) -> go.Figure:
    """Draw one access measure as a village x model heat map.

    Parameters
    ----------
    access
        Rows of ``access.csv``.
    measure
        The column to draw.
    label
        Title and unit (default from :data:`ACCESS_LABELS`).
    """
    lab = label or ACCESS_LABELS.get(measure, KpiLabel(measure, ""))
    models = list(dict.fromkeys(access["model"]))
    villages = list(dict.fromkeys(access["village"]))
    grid = (
        access.pivot_table(index="village", columns="model", values=measure, aggfunc="first", dropna=False)
        .reindex(index=villages, columns=models)
        .astype(float)
        * lab.factor
    )
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=models,
            y=villages,
            colorscale="Viridis",
            colorbar={"title": {"text": lab.unit_text}},
            hovertemplate="%{y}, %{x}: %{z:.3g} " + lab.unit_text + "<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=_("Operating model"), side="top")
    fig.update_yaxes(title_text=_("Village"), autorange="reversed")
    _layout(fig, _("{title} ({unit}) per village").format(title=lab.title_text, unit=lab.unit_text),
            height=max(420, 18 * len(villages) + 180))
    fig.update_layout(margin={"t": 120})
    return fig


def access_map(
    region: RegionMap,
    access: pd.DataFrame,
    *,
    measure: str = "hours_to_centre",
    label: KpiLabel | None = None,
    show_routes: bool = True,
) -> go.Figure:
    """Draw the region: roads, bus lines, vehicle routes, and villages coloured by access.

    A menu switches between models (one village layer per model). Drawn
    with ``Scattergeo`` on a blank background, so no tiles are fetched.

    Parameters
    ----------
    region
        Map layers (:class:`transit.compare.mapdata.RegionMap`).
    access
        Rows of ``access.csv``.
    measure
        The access column that colours the villages.
    label
        Title and unit (default from :data:`ACCESS_LABELS`).
    show_routes
        Draw the sample of vehicle routes.
    """
    lab = label or ACCESS_LABELS.get(measure, KpiLabel(measure, ""))
    models = list(dict.fromkeys(access["model"]))
    colours = _colours(models)
    fig = go.Figure()
    _add_roads_and_lines(fig, region)
    route_traces: dict[str, list[int]] = {m: [] for m in models}
    if show_routes and len(region.routes):
        for (m, vid), g in region.routes.groupby(["model", "vehicle_id"], sort=False):
            route_traces.setdefault(m, []).append(len(fig.data))
            fig.add_trace(go.Scattergeo(lat=g["lat"], lon=g["lon"], mode="lines",
                                        name=_("{model}: vehicle {vehicle}").format(model=m, vehicle=vid),
                                        line={"width": 2, "color": colours.get(m, "#444")}, opacity=0.7,
                                        hovertext=f"{m}: {vid}", hoverinfo="text", visible=m == models[0]))
    if len(region.services):
        fig.add_trace(go.Scattergeo(lat=region.services["lat"], lon=region.services["lon"], mode="markers",
                                    marker={"symbol": "diamond", "size": 7, "color": "#222"}, name=_("services"),
                                    hovertext=region.services["name"] + " (" + region.services["category"] + ")",
                                    hoverinfo="text"))
    centre = region.places[region.places["kind"] == "centre"]
    if len(centre):
        fig.add_trace(go.Scattergeo(lat=centre["lat"], lon=centre["lon"], mode="markers",
                                    marker={"symbol": "star", "size": 16, "color": "#D55E00"},
                                    name=_("middle-order centre"), hovertext=centre["name"], hoverinfo="text"))
    values = access[measure].astype(float) * lab.factor
    cmin = float(np.nanmin(values)) if values.notna().any() else 0.0
    cmax = float(np.nanmax(values)) if values.notna().any() else 1.0
    village_traces: dict[str, int] = {}
    tr, no_data = current(), _("{name}: no data")
    for m in models:
        a = access[access["model"] == m]
        v = a[measure].astype(float) * lab.factor
        size = 7 + 10 * np.sqrt(a["population"].astype(float).fillna(0).to_numpy() / max(1.0, a["population"].max()))
        text = [tr.format("{name}: {x:.3g} {unit}", name=n, x=x, unit=lab.unit_text) if np.isfinite(x)
                else no_data.format(name=n) for n, x in zip(a["village"], v)]
        village_traces[m] = len(fig.data)
        fig.add_trace(
            go.Scattergeo(
                lat=a["lat"], lon=a["lon"], mode="markers", name=_("villages ({model})").format(model=m),
                marker={"size": size, "color": v.fillna(cmin).to_numpy(), "cmin": cmin, "cmax": cmax,
                        "colorscale": "Viridis", "line": {"width": 0.8, "color": "#333"},
                        "colorbar": {"title": {"text": lab.unit_text}, "x": 1.0}},
                hovertext=text, hoverinfo="text", visible=m == models[0],
            )
        )
    buttons = []
    for m in models:
        vis = []
        for i in range(len(fig.data)):
            if i in village_traces.values():
                vis.append(i == village_traces[m])
            elif any(i in t for t in route_traces.values()):
                vis.append(i in route_traces.get(m, []))
            else:
                vis.append(True)
        buttons.append({"label": m, "method": "update", "args": [{"visible": vis}]})
    _fit_geo(fig, region)
    _layout(fig, _("Villages by {measure} ({unit}), bus lines and sample vehicle routes").format(
        measure=current().inline(lab.title_text), unit=lab.unit_text), height=640)
    fig.update_layout(
        updatemenus=[{"buttons": buttons, "direction": "down", "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "top",
                      "showactive": True}],
        legend={"orientation": "v", "x": 1.12, "y": 1.0, "xanchor": "left", "yanchor": "top"},
        margin={"l": 10, "r": 10, "t": 70, "b": 30},
    )
    fig.add_annotation(text=_(region.attribution), showarrow=False, xref="paper", yref="paper", x=1.0, y=0.0,
                       xanchor="right", yanchor="top", font={"size": 10, "color": "#555"})
    return fig


def tornado(
    table: pd.DataFrame,
    kpi: str,
    *,
    factor_labels: Mapping[str, str],
    level_labels: Mapping[str, str],
    title: str,
    axis: str,
    yaxis: str,
    label: KpiLabel | None = None,
) -> go.Figure:
    """Draw a tornado chart per model: the change of ``kpi`` at the low and high setting of each assumption.

    Parameters
    ----------
    table
        The sensitivity table (:func:`transit.compare.sensitivity.sensitivity_table`).
    kpi
        The KPI drawn.
    factor_labels, level_labels
        Words for the factors and for ``low``/``high``.
    title, axis, yaxis
        Figure title, x axis (the change, with its unit) and y axis titles.
    label
        Display factor of the KPI (default from :data:`KPI_LABELS`).
    """
    lab = label or KPI_LABELS.get(kpi, KpiLabel(kpi, ""))
    t = table[table["kpi"] == kpi]
    models = list(dict.fromkeys(t["model"]))
    rows = max(1, len(models))
    fig = make_subplots(rows=rows, cols=1, subplot_titles=models or [""], vertical_spacing=min(0.5 / rows, 0.2))
    colours = {"low": "#56B4E9", "high": "#D55E00"}
    swing = t.assign(d=(t["value"] - t["base"]).abs()).groupby("factor")["d"].max().sort_values()
    settings = t.drop_duplicates(["factor", "level"]).set_index(["factor", "level"])["setting"]

    def ylabel(f: str) -> str:
        low, high = setting_text(settings.get((f, "low"), "")), setting_text(settings.get((f, "high"), ""))
        return f"{factor_labels.get(f, f)}<br><span style='font-size:10px'>{low} / {high}</span>"

    order = [ylabel(f) for f in swing.index]
    for i, m in enumerate(models):
        g = t[t["model"] == m]
        for level in ("low", "high"):
            r = g[g["level"] == level].set_index("factor").reindex(swing.index)
            x = ((r["value"] - r["base"]) * lab.factor).to_numpy(dtype=float)
            fig.add_trace(go.Bar(
                x=x, y=order, orientation="h", name=level_labels.get(level, level), marker_color=colours[level],
                showlegend=i == 0, legendgroup=level, customdata=r["setting"].fillna("").map(setting_text).to_numpy(),
                hovertemplate="%{customdata}: %{x:+.3g} " + lab.unit_text + "<extra>" + m + "</extra>",
            ), row=i + 1, col=1)
        fig.update_xaxes(title_text=axis, zeroline=True, zerolinecolor="#333", row=i + 1, col=1)
        fig.update_yaxes(title_text=yaxis, row=i + 1, col=1)
    fig.update_layout(barmode="overlay")
    _layout(fig, title, height=max(360, rows * (45 * len(order) + 110) + 80))
    fig.update_layout(margin={"l": 190})
    return fig


def _add_roads_and_lines(fig: go.Figure, region: RegionMap) -> None:
    """Draw the region's roads (minor, major) and bus lines onto ``fig``."""
    for cls, width, colour in (("minor", 0.6, "#c8c8c8"), ("major", 1.6, "#9a9a9a")):
        r = region.roads[region.roads["cls"] == cls]
        if len(r):
            fig.add_trace(go.Scattergeo(lat=r["lat"], lon=r["lon"], mode="lines",
                                        line={"width": width, "color": colour}, name=_(_ROAD_NAMES[cls]),
                                        hoverinfo="skip"))
    for i, (line, g) in enumerate(region.lines.groupby("line", sort=False)):
        fig.add_trace(go.Scattergeo(lat=g["lat"], lon=g["lon"], mode="lines",
                                    name=_("bus line {line}").format(line=line),
                                    line={"width": 2.5, "color": "#555", "dash": "dash" if i % 2 else "solid"},
                                    hovertext=_("line {line}").format(line=line), hoverinfo="text",
                                    legendgroup="lines"))


def _fit_geo(fig: go.Figure, region: RegionMap) -> None:
    """Fit the map to the region's roads and places on a blank background (no tiles)."""
    lat_all = pd.concat([region.roads["lat"], region.places["lat"]]).dropna()
    lon_all = pd.concat([region.roads["lon"], region.places["lon"]]).dropna()
    pad_lat = 0.02 * max(1e-3, float(lat_all.max() - lat_all.min())) if len(lat_all) else 0.01
    pad_lon = 0.02 * max(1e-3, float(lon_all.max() - lon_all.min())) if len(lon_all) else 0.01
    fig.update_geos(
        projection_type="mercator",
        showland=False, showcoastlines=False, showcountries=False, showframe=False, showlakes=False,
        showrivers=False, showocean=False, showsubunits=False, bgcolor="white",
        lataxis_range=[float(lat_all.min()) - pad_lat, float(lat_all.max()) + pad_lat] if len(lat_all) else None,
        lonaxis_range=[float(lon_all.min()) - pad_lon, float(lon_all.max()) + pad_lon] if len(lon_all) else None,
    )
