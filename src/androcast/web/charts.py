"""The hormone timeline as a Plotly figure (a plain dict: plotly.js draws it in the page).

One panel per analyte (axis hormones first), results in the canonical unit, the latest
result's reference interval as a shaded band, censored results as open markers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from androcast.report import Timeline

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
    layout: dict[str, Any] = {
        "height": 170 * n + 60,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 40},
        "showlegend": False,
        "shapes": [],
        "annotations": [],
        "font": {"family": "Source Sans 3, sans-serif", "size": 12},
    }
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
        layout["annotations"].append(
            {
                "text": f"<b>{s.name}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": top,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    return {"data": traces, "layout": layout}
