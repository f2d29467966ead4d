"""The page's charts as Plotly figures (plain dicts: plotly.js draws them in the page).

The hormone timeline: one panel per analyte (axis hormones first), results in the canonical
unit, the latest result's reference interval as a shaded band, censored results as open
markers. The prognosis: recovery curves per protocol with their 90 % intervals. The plan:
its ranked alternatives and dated checks on a time axis. The monitoring chart: a forecast's
band per observable with the observations and alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from androcast.population import DAYS_PER_MONTH
from androcast.report import Timeline
from androcast.report.figure import PALETTE

MAX_PANELS = 6
_BLUE = "#1f5f8b"
_BAND = "rgba(60, 150, 90, 0.15)"
_MARGIN = dt.timedelta(days=30)


def _axis(i: int, name: str) -> str:
    return name if i == 1 else f"{name}{i}"


def timeline_figure(timeline: Timeline) -> dict[str, Any] | None:
    """The figure for ``Plotly.newPlot`` (None without laboratory results)."""
    series = timeline.series[:MAX_PANELS]
    if not series:
        return None
    n = len(series)
    # One date range for every panel (a month either side): the panels read as one timeline
    # and a single result does not get an axis of milliseconds.
    every_date = [r.date for s in series for r in s.results]
    span = [(min(every_date) - _MARGIN).isoformat(), (max(every_date) + _MARGIN).isoformat()]
    gap = 0.06
    height = (1.0 - gap * (n - 1)) / n
    traces: list[dict[str, Any]] = []
    layout = _stacked_layout(n, panel_px=170, extra_px=60)
    for i, s in enumerate(series, start=1):
        top = 1.0 - (i - 1) * (height + gap)
        x, y = _axis(i, "x"), _axis(i, "y")
        dates = [r.date.isoformat() for r in s.results]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": dates,
                "y": [r.value for r in s.results],
                "xaxis": x,
                "yaxis": y,
                "name": s.name,
                "line": {"color": _BLUE},
                "marker": {
                    "size": 8,
                    "color": ["white" if r.censor else _BLUE for r in s.results],
                    "line": {"color": _BLUE, "width": 2},
                },
                "text": [
                    f"{r.display} {r.unit} (reported {r.censor or ''}{r.reported_value:g} "
                    f"{r.reported_unit}); {r.flag}"
                    for r in s.results
                ],
                "hovertemplate": "%{x}: %{text}<extra></extra>",
            }
        )
        ref = s.latest.reference
        if ref.low is not None or ref.high is not None:
            top_value = max(r.value for r in s.results)
            layout["shapes"].append(
                {
                    "type": "rect",
                    "xref": f"{x} domain",
                    "yref": y,
                    "x0": 0,
                    "x1": 1,
                    "y0": ref.low if ref.low is not None else 0,
                    "y1": ref.high if ref.high is not None else top_value * 1.2,
                    "fillcolor": _BAND,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        layout[_axis(i, "xaxis")] = {
            "type": "date",
            "anchor": y,
            "domain": [0, 1],
            "range": span,
            **({"matches": "x"} if i > 1 else {}),
        }
        layout[_axis(i, "yaxis")] = {
            "domain": [max(top - height, 0.0), top],
            "anchor": x,
            "rangemode": "tozero",
            "title": {"text": s.unit, "font": {"size": 11}},
        }
        layout["annotations"].append(_panel_title(s.name, top))
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


def prognosis_figure(prognosis: Mapping[str, Any]) -> dict[str, Any] | None:
    """Recovery curves of ``Prognosis.to_dict()``: per protocol its probability by each
    month with the 90 % interval as a band (None without a protocol)."""
    rows = prognosis.get("protocols") or []  # a declined forecast has none
    if not rows:
        return None
    traces: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        colour = PALETTE[i % len(PALETTE)]
        months = list(row["months"])
        low = [lo for lo, _ in row["interval_90"]]
        high = [hi for _, hi in row["interval_90"]]
        group = {"legendgroup": row["id"], "xaxis": "x", "yaxis": "y"}
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": months,
                "y": low,
                "showlegend": False,
                "line": {"width": 0, "color": colour},
                "hoverinfo": "skip",
                **group,
            }
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": months,
                "y": high,
                "showlegend": False,
                "fill": "tonexty",
                "fillcolor": _fill(colour, 0.12),
                "line": {"width": 0, "color": colour},
                "hoverinfo": "skip",
                **group,
            }
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": months,
                "y": list(row["probability"]),
                "name": row["id"] + (" *" if row.get("note") else ""),
                "line": {"color": colour, "width": 2},
                "marker": {"size": 6, "color": colour},
                "customdata": [[lo, hi] for lo, hi in row["interval_90"]],
                "hovertemplate": (
                    f"{row['id']}: month %{{x}}: %{{y:.0%}} "
                    "(90 % interval %{customdata[0]:.0%}-%{customdata[1]:.0%})<extra></extra>"
                ),
                **group,
            }
        )
    return {
        "data": traces,
        "layout": {
            "height": 380,
            "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
            "font": _font(),
            "legend": {"orientation": "h", "y": -0.2},
            "xaxis": {"title": {"text": f"months from {prognosis['t0']}"}, "rangemode": "tozero"},
            "yaxis": {
                "title": {"text": f"P({prognosis['outcome']})"},
                "range": [0, 1.02],
                "tickformat": ".0%",
            },
        },
    }


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
    labels = [f"{a['rank']}. {a['id']} ({a['probability_by_target']:.0%})" for a in alternatives]
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
                    "text": [f"{c['what']} ({c['why']})" for c in checks],
                    "hovertemplate": "%{x}: %{text}<extra></extra>",
                }
            )
            shown.add(kind)
    return {
        "data": traces,
        "layout": {
            "height": 90 + 42 * len(alternatives),
            "margin": {"l": 230, "r": 20, "t": 30, "b": 40},
            "font": _font(),
            "legend": {"orientation": "h", "y": 1.12, "x": 0},
            "xaxis": {"type": "date"},
            "yaxis": {"type": "category", "autorange": "reversed"},
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


def forecast_band_figure(
    payload: Mapping[str, Any],
    observations: Iterable[Any] = (),
    alerts: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any] | None:
    """The monitoring chart: one panel per forecast observable with its 5-95 % band and
    median, his observations as points and the alerts marked (None without a band).

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
    layout = _stacked_layout(n, panel_px=190, extra_px=70)
    for i, name in enumerate(names, start=1):
        band = bands[name]
        x, y = _axis(i, "x"), _axis(i, "y")
        top = 1.0 - (i - 1) * (height + gap)
        on = {"xaxis": x, "yaxis": y}
        edge = {"type": "scatter", "mode": "lines", "x": dates, "hoverinfo": "skip",
                "line": {"width": 0, "color": _MEDIAN}, **on}
        traces.append({**edge, "y": list(band["p05"]), "name": f"{name} 5 %"})
        # filled down to the 5 % edge drawn just before it
        traces.append({**edge, "y": list(band["p95"]), "name": f"{name} 95 %",
                       "fill": "tonexty", "fillcolor": _FORECAST_BAND})
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": dates,
                "y": list(band["p50"]),
                "name": f"{name} median",
                "line": {"color": _MEDIAN, "width": 2, "dash": "dash"},
                "customdata": [[lo, hi] for lo, hi in zip(band["p05"], band["p95"], strict=True)],
                "hovertemplate": (
                    f"%{{x}}: median %{{y:.3g}} {band['unit']} "
                    "(5-95 %: %{customdata[0]:.3g}-%{customdata[1]:.3g})<extra></extra>"
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
                    "name": f"{name} observed",
                    "marker": {
                        "size": 8,
                        "color": ["white" if _field(o, "censor") else "#1b1f24" for o in seen],
                        "line": {"color": "#1b1f24", "width": 2},
                    },
                    "text": [f"{_field(o, 'censor') or ''}{_field(o, 'value'):g}" for o in seen],
                    "hovertemplate": f"%{{x}}: observed %{{text}} {band['unit']}<extra></extra>",
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
                    "name": f"{name} alerts",
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
            "title": {"text": band["unit"], "font": {"size": 11}},
        }
        layout["annotations"].append(_panel_title(name, top))
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
                "text": f"{alert['code']} [{alert['rule']}]",
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
        start = _iso(payload["plan_start"])
        layout["shapes"].append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": start,
                "x1": start,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#5a6270", "width": 1, "dash": "dot"},
            }
        )
    return {"data": traces, "layout": layout}


def _alert_text(alert: Mapping[str, Any]) -> str:
    value = alert.get("value")
    measured = "" if value is None else f" ({value:g} {alert.get('unit') or ''})"
    return (
        f"{alert['severity']}: {alert['code']}{measured}: {alert['message']} "
        f"[{alert['rule']}; {alert['citation']}]"
    )
