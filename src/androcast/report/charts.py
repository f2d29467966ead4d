"""The charts of the patient page and of the printable report, as Plotly figures (plain
dicts: the locally served plotly.js draws them).

Names and units are in words (``androcast.display``); every time axis shows today. The
timeline: his treatments as bars, one panel per hormone with the latest reference interval
as a band, censored results as open markers, and his sperm concentration against the WHO
2021 lower limit. The prognosis: recovery curves per protocol with their 90 % intervals. The plan:
its ranked alternatives and dated checks on a time axis. The monitoring chart: a forecast's
band per observable with the observations and alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from androcast import display
from androcast.population import DAYS_PER_MONTH
from androcast.report.flowsheet import who_limit
from androcast.report.timeline import Timeline

# One colour per protocol, distinguishable by colour-blind readers (Okabe-Ito).
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#7f7f7f")
MAX_PANELS = 6
_BLUE = "#1f5f8b"
_BAND = "rgba(60, 150, 90, 0.15)"
_TODAY = "#b3261e"
_MARGIN = dt.timedelta(days=30)
_TREATMENT = "#e69f00"
# The legend across the top of the figure, above the first panel's title (two lines fit).
_TOP_LEGEND = {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0.995,
               "yanchor": "top", "font": {"size": 11}}


def _axis(i: int, name: str) -> str:
    return name if i == 1 else f"{name}{i}"


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def treatments(case: Any, adopted: Mapping[str, Any] | None,
               today: dt.date) -> list[tuple[str, dt.date, dt.date, str]]:
    """His treatments as (name, from, to, dose text): androgen courses, dated medication
    courses (when the case has them) and his adopted plan's drugs from its start (an open
    course runs to today)."""
    bars: list[tuple[str, dt.date, dt.date, str]] = []
    for a in case.history.androgens:
        if a.start is None:
            continue
        dose = f"{display.dose(a.dose, a.dose_unit)} {display.every(a.every_d)}"
        bars.append((display.label("drug", a.agent), a.start, a.stop or today, dose))
    start = None if adopted is None else _date(adopted.get("start"))
    planned = ({str(e["drug"]) for e in adopted.get("regimen", ())}
               if adopted is not None and start is not None else set())
    for m in case.history.courses:  # (history.medications holds only their codes)
        if m.start is None or (m.agent in planned and m.start == start):
            continue  # undated, or his adopted plan's own course (drawn below, with its dose)
        amount = "" if m.dose is None else display.dose(m.dose, m.dose_unit)
        dose = " ".join(p for p in (amount, display.every(m.every_d)) if p)
        bars.append((display.label("drug", m.agent), m.start, m.stop or today, dose))
    if adopted is not None and start is not None and start <= today:
        for e in adopted.get("regimen", ()):
            schedule = display.every(display.parse_every(e.get("every")))
            dose = f"{display.dose(e.get('dose', ''))} {schedule}"
            bars.append((display.label("drug", e["drug"]), start, today, dose.strip()))
    return bars


def _vline(when: str, colour: str, *, name: str | None = None, dash: str = "dot",
           width: int = 2) -> dict[str, Any]:
    """A vertical line through every panel (``name``: its legend entry)."""
    line = {"type": "line", "xref": "x", "yref": "paper", "x0": when, "x1": when, "y0": 0,
            "y1": 1, "line": {"color": colour, "width": width, "dash": dash}}
    if name:
        line.update(name=name, showlegend=True)
    return line


def _hline(y: float, x: str, yaxis: str, name: str, *, legend: bool) -> dict[str, Any]:
    return {"type": "line", "xref": f"{x} domain", "yref": yaxis, "x0": 0, "x1": 1, "y0": y,
            "y1": y, "line": {"color": "#5a6270", "width": 1.5, "dash": "dash"},
            "name": name, "showlegend": legend, "legendgroup": name}


def timeline_figure(
    timeline: Timeline,
    case: Any = None,
    *,
    today: dt.date | None = None,
    adopted: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """His results over time for ``Plotly.newPlot`` (None without results): his treatments
    as bars on top, one panel per hormone (axis hormones first) with the reference interval
    of the latest result as a band, the sperm concentration with the WHO 2021 lower limit,
    and today as a line through every panel."""
    today = today or dt.date.today()
    series = timeline.series[: MAX_PANELS - 1]
    semen = [s for s in timeline.semen if s.concentration_m_per_ml is not None]
    if not series and not semen:
        return None
    bars = treatments(case, adopted, today) if case is not None else []
    every_date = ([r.date for s in series for r in s.results] + [s.date for s in semen]
                  + [today] + [b[1] for b in bars])
    span = [(min(every_date) - _MARGIN).isoformat(), (max(every_date) + _MARGIN).isoformat()]
    # Panels top to bottom with their relative heights: treatments, hormones, semen.
    panels: list[tuple[str, float]] = (
        ([("treatments", 0.25 + 0.12 * len({b[0] for b in bars}))] if bars else [])
        + [(s.analyte, 1.0) for s in series] + ([("semen", 1.0)] if semen else []))
    gap = 0.05
    total = sum(w for _, w in panels)
    usable = 1.0 - gap * (len(panels) - 1)
    layout = _stacked_layout(len(panels), panel_px=150, extra_px=110)
    layout.update(showlegend=True, legend=_TOP_LEGEND, hovermode="closest")
    layout["margin"] = {"l": 70, "r": 20, "t": 100, "b": 40}
    traces: list[dict[str, Any]] = []
    top = 1.0
    legend = {"result": True, "censored": True, "reference": True}
    by_key = {s.analyte: s for s in series}
    for i, (key, weight) in enumerate(panels, start=1):
        height = usable * weight / total
        x, y = _axis(i, "x"), _axis(i, "y")
        on = {"xaxis": x, "yaxis": y}
        y_axis: dict[str, Any] = {"domain": [max(top - height, 0.0), top], "anchor": x,
                                  "rangemode": "tozero"}
        if key == "treatments":
            for name, start, stop, dose in bars:
                traces.append({
                    "type": "scatter", "mode": "lines", "x": [start.isoformat(), stop.isoformat()],
                    "y": [name, name], "showlegend": False,
                    "line": {"color": _TREATMENT, "width": 12},
                    "text": [f"{name} {dose}", f"{name} {dose}"],
                    "hovertemplate": f"{name} {dose}: {start} to {stop}<extra></extra>", **on})
            y_axis = {"domain": y_axis["domain"], "anchor": x, "type": "category",
                      "autorange": "reversed", "automargin": True}
            layout["annotations"].append(_panel_title("Treatment", top))
        elif key == "semen":
            x_dates = [s.date.isoformat() for s in semen]
            values = [float(s.concentration_m_per_ml or 0.0) for s in semen]
            traces.append({
                "type": "scatter", "mode": "lines+markers", "x": x_dates, "y": values,
                "name": "semen analysis", "showlegend": True, "line": {"color": _BLUE},
                "marker": {"size": 9, "symbol": "diamond",
                           "color": ["white" if s.concentration_censor else _BLUE for s in semen],
                           "line": {"color": _BLUE, "width": 2}},
                "text": [f"{s.concentration_censor or ''}{display.number(v)} million/mL"
                         for s, v in zip(semen, values, strict=True)],
                "hovertemplate": "%{x}: %{text}<extra></extra>", **on})
            limit = who_limit("concentration")
            layout["shapes"].append(_hline(limit, x, y, "WHO 2021 lower limit", legend=True))
            y_axis["range"] = [0, max([*values, limit]) * 1.15]
            y_axis["title"] = {"text": "million/mL", "font": {"size": 11}}
            layout["annotations"].append(_panel_title("Sperm concentration (million/mL)", top))
        else:
            s = by_key[key]
            unit = display.unit(s.unit)
            traces.append({
                "type": "scatter", "mode": "lines+markers",
                "x": [r.date.isoformat() for r in s.results], "y": [r.value for r in s.results],
                "name": "result", "legendgroup": "result", "showlegend": legend["result"],
                "line": {"color": _BLUE},
                "marker": {"size": 8, "color": ["white" if r.censor else _BLUE for r in s.results],
                           "line": {"color": _BLUE, "width": 2}},
                "text": [f"{r.censor or ''}{display.number(r.value)} {unit} "
                         f"({display.label('flag', r.flag)})" for r in s.results],
                "hovertemplate": "%{x}: %{text}<extra></extra>", **on})
            legend["result"] = False
            if any(r.censor for r in s.results) and legend["censored"]:
                legend["censored"] = False
                traces.append({"type": "scatter", "mode": "markers", "x": [None], "y": [None],
                               "name": "beyond the assay limit (as reported)",
                               "marker": {"size": 8, "color": "white",
                                          "line": {"color": _BLUE, "width": 2}}, **on})
            ref = s.latest.reference
            if ref.low is not None or ref.high is not None:
                top_value = max([r.value for r in s.results] + [ref.low or 0])
                layout["shapes"].append({
                    "type": "rect", "xref": f"{x} domain", "yref": y, "x0": 0, "x1": 1,
                    "y0": ref.low if ref.low is not None else 0,
                    "y1": ref.high if ref.high is not None else top_value * 1.2,
                    "fillcolor": _BAND, "line": {"width": 0}, "layer": "below",
                    "name": "reference interval", "showlegend": legend["reference"]})
                legend["reference"] = False
            y_axis["title"] = {"text": unit, "font": {"size": 11}}
            layout["annotations"].append(
                _panel_title(f"{display.label('analyte', key)} ({unit})", top))
        layout[_axis(i, "xaxis")] = {"type": "date", "anchor": y, "domain": [0, 1],
                                     "range": span, **({"matches": "x"} if i > 1 else {})}
        layout[_axis(i, "yaxis")] = y_axis
        top -= height + gap
    layout["shapes"].append(_vline(today.isoformat(), _TODAY, name="today"))
    return {"data": traces, "layout": layout}


_ALERT = "#b3261e"
_MEDIAN = "#1f5f8b"
_FORECAST_BAND = "rgba(31, 95, 139, 0.18)"


def _fill(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _font() -> dict[str, Any]:
    return {"family": "Source Sans 3, sans-serif", "size": 12}


def _panel_title(name: str, top: float) -> dict[str, Any]:
    """A panel's name, bold, above its top left corner."""
    return {"text": f"<b>{name}</b>", "xref": "paper", "yref": "paper", "x": 0, "y": top,
            "xanchor": "left", "yanchor": "bottom", "showarrow": False}


def _stacked_layout(n: int, *, panel_px: int, extra_px: int) -> dict[str, Any]:
    """The layout of n panels stacked on one page (their axes, shapes and notes added later)."""
    return {
        "height": panel_px * n + extra_px,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 40},
        "showlegend": False,
        "font": _font(),
        "annotations": [],
        "shapes": [],
    }


def _curve_traces(rows: list[Mapping[str, Any]], colours: Mapping[str, str], x: str, y: str,
                  *, legend: bool, what: str) -> list[dict[str, Any]]:
    """Per protocol: its 90 % interval as a band and its probability by each month."""
    traces: list[dict[str, Any]] = []
    for row in rows:
        colour = colours[row["id"]]
        months = list(row["months"])
        group = {"legendgroup": row["id"], "xaxis": x, "yaxis": y}
        name = display.protocol(row)
        traces.append({"type": "scatter", "mode": "lines", "x": months,
                       "y": [lo for lo, _ in row["interval_90"]], "showlegend": False,
                       "line": {"width": 0, "color": colour}, "hoverinfo": "skip", **group})
        traces.append({"type": "scatter", "mode": "lines", "x": months,
                       "y": [hi for _, hi in row["interval_90"]], "showlegend": False,
                       "fill": "tonexty", "fillcolor": _fill(colour, 0.12),
                       "line": {"width": 0, "color": colour}, "hoverinfo": "skip", **group})
        traces.append({
            "type": "scatter", "mode": "lines+markers", "x": months,
            "y": list(row["probability"]), "name": name + (" *" if row.get("note") else ""),
            "showlegend": legend, "line": {"color": colour, "width": 2},
            "marker": {"size": 6, "color": colour},
            "customdata": [[lo, hi] for lo, hi in row["interval_90"]],
            "hovertemplate": (f"{name}, {what}: month %{{x}}: %{{y:.0%}} (90 % interval "
                              "%{customdata[0]:.0%}-%{customdata[1]:.0%})<extra></extra>"),
            **group})
    return traces


def prognosis_figure(prognosis: Mapping[str, Any], pregnancy: Mapping[str, Any] | None = None,
                     partner_age: float | None = None) -> dict[str, Any] | None:
    """Recovery curves of ``Prognosis.to_dict()``: per protocol its probability by each
    month with the 90 % interval as a band (None without a protocol). With ``pregnancy``
    (the ``pregnancy_natural`` prognosis of the same man), the couple's chance of a natural
    conception under the same protocols stands beside it, in the same colours, titled with
    the partner's age."""
    rows = list(prognosis.get("protocols") or [])  # a declined forecast has none
    if not rows:
        return None
    colours = {row["id"]: PALETTE[i % len(PALETTE)] for i, row in enumerate(rows)}
    semen_words = display.outcome(str(prognosis["outcome"]))
    traces = _curve_traces(rows, colours, "x", "y", legend=True, what=semen_words)
    pregnancy_rows = [r for r in (pregnancy or {}).get("protocols") or [] if r["id"] in colours]
    layout: dict[str, Any] = {
        "height": 380,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "font": _font(),
        "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"title": {"text": f"months from {prognosis['t0']}"}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": f"chance of {semen_words}"}, "range": [0, 1.02],
                  "tickformat": ".0%"},
    }
    if pregnancy is not None and pregnancy_rows:
        words = display.outcome(str(pregnancy["outcome"]))
        traces += _curve_traces(pregnancy_rows, colours, "x2", "y2", legend=False, what=words)
        age = "" if partner_age is None else f", partner aged {partner_age:g}"
        layout.update(
            height=400, margin={"l": 60, "r": 20, "t": 40, "b": 50},
            xaxis={**layout["xaxis"], "domain": [0, 0.46]},
            xaxis2={"title": {"text": f"months from {pregnancy['t0']}"}, "rangemode": "tozero",
                    "domain": [0.58, 1], "anchor": "y2"},
            yaxis={**layout["yaxis"], "title": {"text": f"chance of {semen_words}",
                                                 "font": {"size": 11}}},
            yaxis2={"range": [0, 1.02], "tickformat": ".0%", "anchor": "x2",
                    "title": {"text": "chance of conception", "font": {"size": 11}}},
            annotations=[
                {"text": f"His semen: {semen_words}", "x": 0, "xref": "paper", "y": 1.0,
                 "yref": "paper", "yanchor": "bottom", "xanchor": "left", "showarrow": False,
                 "font": {"size": 12}},
                {"text": f"The couple: {words}{age}", "x": 0.58, "xref": "paper", "y": 1.0,
                 "yref": "paper", "yanchor": "bottom", "xanchor": "left", "showarrow": False,
                 "font": {"size": 12}}])
    return {"data": traces, "layout": layout}


def _check_kind(check: Mapping[str, Any], escalation_ids: set[str]) -> str:
    if check["why"].split(":")[0] in escalation_ids:
        return "escalation check"
    return "semen analysis" if check["what"] == "semen analysis" else "hormones"


_CHECK_SYMBOLS = {"hormones": "circle", "semen analysis": "diamond", "escalation check": "x"}


def plan_figure(plan: Mapping[str, Any]) -> dict[str, Any] | None:
    """``Plan.to_dict()`` on a time axis: one row per ranked alternative, from the start to
    the target month, with its dated checks (hormones, semen, escalation checks)."""
    alternatives = plan["alternatives"]
    if not alternatives:
        return None
    start = dt.date.fromisoformat(plan["start"])
    target = start + dt.timedelta(days=round(float(plan["target_month"]) * DAYS_PER_MONTH))
    labels = [
        f"{'tied' if a.get('tied_with') else str(a['rank']) + '.'} {display.protocol(a)} "
        f"({a['probability_by_target']:.0%})"
        for a in alternatives
    ]
    traces: list[dict[str, Any]] = []
    shown: set[str] = set()
    for a, label in zip(alternatives, labels, strict=True):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [start.isoformat(), target.isoformat()],
                "y": [label, label],
                "showlegend": False,
                "hoverinfo": "skip",
                "line": {"color": _fill(_MEDIAN, 0.25), "width": 10},
            }
        )
        escalation_ids = {e["id"] for e in a["escalations"]}
        by_kind: dict[str, list[Mapping[str, Any]]] = {}
        for check in a["checks"]:
            by_kind.setdefault(_check_kind(check, escalation_ids), []).append(check)
        for kind, checks in by_kind.items():
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [c["date"] for c in checks],
                    "y": [label] * len(checks),
                    "name": kind,
                    "legendgroup": kind,
                    "showlegend": kind not in shown,
                    "marker": {
                        "symbol": _CHECK_SYMBOLS[kind],
                        "size": 11,
                        "color": _ALERT if kind == "escalation check" else _MEDIAN,
                        "line": {"color": "white", "width": 1},
                    },
                    "text": [f"{display.check(c['what'])} ({c['why']})" for c in checks],
                    "hovertemplate": "%{x}: %{text}<extra></extra>",
                }
            )
            shown.add(kind)
    return {
        "data": traces,
        "layout": {
            "height": 90 + 42 * len(alternatives),
            "margin": {"l": 20, "r": 20, "t": 30, "b": 40},
            "font": _font(),
            "legend": {"orientation": "h", "y": 1.12, "x": 0},
            "xaxis": {"type": "date"},
            "yaxis": {"type": "category", "autorange": "reversed", "automargin": True},
            "shapes": [
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": d,
                    "x1": d,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#5a6270", "width": 1, "dash": "dot"},
                }
                for d in (start.isoformat(), target.isoformat())
            ],
        },
    }


def _field(item: Any, name: str) -> Any:
    """A field of an observation given as a mapping or as an object (``twin.Observation``)."""
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


#: The band is drawn weekly, each point the envelope of the fortnight around it: 14 days
#: hold whole cycles of daily, every-other-day and weekly drugs alike.
ENVELOPE_STEP_DAYS = 7
ENVELOPE_HALF_WIDTH_DAYS = 7


def _weekly_envelope(
    dates: list[str], band: Mapping[str, Any]
) -> tuple[list[str], list[float], list[float], list[float]]:
    """A daily band drawn as a weekly envelope: at each week, the lowest 5 % edge, the mean
    median and the highest 95 % edge of the fortnight around it. A daily band of an
    every-other-day drug swings from day to day; drawn point by point at a year's width it
    beats against the screen's pixels, and any 7-day sample of it zigzags with a two-week
    period (7 = 1 mod 2): both read as an oscillation that is not there. The envelope shows
    where his results should fall around that week, whichever day he is sampled. A band on
    a weekly or coarser grid is drawn as it is."""
    p05, p50, p95 = list(band["p05"]), list(band["p50"]), list(band["p95"])
    if len(dates) < 2 or (dt.date.fromisoformat(dates[1][:10])
                          - dt.date.fromisoformat(dates[0][:10])).days >= ENVELOPE_STEP_DAYS:
        return dates, p05, p50, p95
    out: tuple[list[str], list[float], list[float], list[float]] = ([], [], [], [])
    for i in range(0, len(dates), ENVELOPE_STEP_DAYS):
        window = slice(max(0, i - ENVELOPE_HALF_WIDTH_DAYS), i + ENVELOPE_HALF_WIDTH_DAYS)
        out[0].append(dates[i])
        out[1].append(min(p05[window]))
        out[2].append(sum(p50[window]) / len(p50[window]))
        out[3].append(max(p95[window]))
    return out


def forecast_band_figure(
    payload: Mapping[str, Any],
    observations: Iterable[Any] = (),
    alerts: Iterable[Mapping[str, Any]] = (),
    *,
    today: dt.date | None = None,
) -> dict[str, Any] | None:
    """The monitoring chart: one panel per forecast observable with its 5-95 % band and
    median (a daily band as its weekly envelope), his observations as points and the alerts
    marked (None without a band); the plan start, today and, on the sperm panel, the WHO
    2021 lower limit as lines.

    ``payload`` is a forecast (``dates``, ``bands`` of ``unit``, ``p05``, ``p50``, ``p95``
    per observable, ``protocol``, ``plan_start``, ``as_of``, ...); an observation is a
    mapping or object with ``observable``, ``date``, ``value`` and optionally ``censor``;
    an alert has ``code``, ``rule``, ``severity``, ``message``, ``citation``, ``date``,
    ``observable``, ``value`` and ``unit``. An alert with a value is a marker on its
    observable's panel; one without (or of an observable not drawn) a line at its date.
    """
    bands: Mapping[str, Mapping[str, Any]] = payload["bands"]
    names = list(bands)[:MAX_PANELS]
    if not names:
        return None
    dates = [_iso(d) for d in payload["dates"]]
    points: dict[str, list[Any]] = {name: [] for name in names}
    for item in observations:
        if _field(item, "observable") in points:
            points[_field(item, "observable")].append(item)
    marked: dict[str, list[Mapping[str, Any]]] = {name: [] for name in names}
    lines: list[Mapping[str, Any]] = []
    for alert in alerts:
        on_panel = alert.get("observable") in marked and alert.get("value") is not None
        (marked[alert["observable"]] if on_panel else lines).append(alert)
    n = len(names)
    gap = 0.07
    height = (1.0 - gap * (n - 1)) / n
    traces: list[dict[str, Any]] = []
    layout = _stacked_layout(n, panel_px=190, extra_px=110)
    layout.update(showlegend=True, legend=_TOP_LEGEND)
    layout["margin"] = {"l": 70, "r": 20, "t": 100, "b": 40}
    first = True
    for i, name in enumerate(names, start=1):
        band = bands[name]
        unit = display.unit(band["unit"])
        x_band, p05, p50, p95 = _weekly_envelope(dates, band)
        x, y = _axis(i, "x"), _axis(i, "y")
        top = 1.0 - (i - 1) * (height + gap)
        on = {"xaxis": x, "yaxis": y}
        edge = {"type": "scatter", "mode": "lines", "x": x_band, "hoverinfo": "skip",
                "line": {"width": 0, "color": _MEDIAN}, "showlegend": False,
                "legendgroup": "band", **on}
        traces.append({**edge, "y": p05, "name": "forecast 5 %"})
        # filled down to the 5 % edge drawn just before it
        traces.append({**edge, "y": p95, "name": "forecast 5–95 % band",
                       "fill": "tonexty", "fillcolor": _FORECAST_BAND, "showlegend": first})
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": x_band,
                "y": p50,
                "name": "forecast median",
                "legendgroup": "median",
                "showlegend": first,
                "line": {"color": _MEDIAN, "width": 1.5, "dash": "dash"},
                "customdata": [[lo, hi] for lo, hi in zip(p05, p95, strict=True)],
                "hovertemplate": (
                    f"%{{x}}: median %{{y:.3g}} {unit} "
                    "(5–95 %: %{customdata[0]:.3g}–%{customdata[1]:.3g})<extra></extra>"
                ),
                **on,
            }
        )
        seen = points[name]
        if seen:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [_iso(_field(o, "date")) for o in seen],
                    "y": [_field(o, "value") for o in seen],
                    "name": "his result",
                    "legendgroup": "result",
                    "showlegend": not any(t.get("legendgroup") == "result" for t in traces),
                    "marker": {
                        "size": 8,
                        "color": ["white" if _field(o, "censor") else "#1b1f24" for o in seen],
                        "line": {"color": "#1b1f24", "width": 2},
                    },
                    "text": [f"{_field(o, 'censor') or ''}{display.number(_field(o, 'value'))}"
                             for o in seen],
                    "hovertemplate": f"%{{x}}: his result %{{text}} {unit}<extra></extra>",
                    **on,
                }
            )
        if marked[name]:
            flagged = marked[name]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [_iso(a["date"]) for a in flagged],
                    "y": [a["value"] for a in flagged],
                    "name": "alert",
                    "legendgroup": "alert",
                    "showlegend": not any(t.get("legendgroup") == "alert" for t in traces),
                    "marker": {
                        "symbol": "x-thin-open",
                        "size": 16,
                        "color": _ALERT,
                        "line": {"width": 3, "color": _ALERT},
                    },
                    "text": [_alert_text(a) for a in flagged],
                    "hovertemplate": "%{x}: %{text}<extra></extra>",
                    **on,
                }
            )
        layout[_axis(i, "xaxis")] = {
            "type": "date",
            "anchor": y,
            "domain": [0, 1],
            **({"matches": "x"} if i > 1 else {}),
        }
        layout[_axis(i, "yaxis")] = {
            "domain": [max(top - height, 0.0), top],
            "anchor": x,
            "rangemode": "tozero",
            "title": {"text": unit, "font": {"size": 11}},
        }
        if name == "sperm_concentration":
            layout["shapes"].append(_hline(who_limit("concentration"), x, y,
                                           "WHO 2021 lower limit", legend=True))
        layout["annotations"].append(_panel_title(f"{display.label('analyte', name)} ({unit})",
                                                  top))
        first = False
    for alert in lines:
        when = _iso(alert["date"])
        layout["shapes"].append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": when,
                "x1": when,
                "y0": 0,
                "y1": 1,
                "line": {"color": _ALERT, "width": 2, "dash": "dot"},
            }
        )
        layout["annotations"].append(
            {
                "text": display.label("alert", alert["code"]),
                "hovertext": _alert_text(alert),
                "xref": "x",
                "yref": "paper",
                "x": when,
                "y": 1.0,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": _ALERT},
            }
        )
    if payload.get("plan_start"):
        layout["shapes"].append(_vline(_iso(payload["plan_start"]), "#5a6270",
                                       name="plan start", width=1))
    if today is not None:
        layout["shapes"].append(_vline(today.isoformat(), _TODAY, name="today"))
    return {"data": traces, "layout": layout}


def _alert_text(alert: Mapping[str, Any]) -> str:
    value = alert.get("value")
    measured = ("" if value is None else
                f" ({display.number(value)} {display.unit(alert.get('unit') or '')})")
    return (
        f"{alert['severity']}: {display.label('alert', alert['code'])}{measured}: "
        f"{alert['message']} "
        f"[{alert['rule']}; {alert['citation']}]"
    )
