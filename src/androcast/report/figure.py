"""The hormone timeline as an SVG figure (matplotlib), for the printable report.

One small panel per analyte: the results as points joined by a line, the reference
interval as a band, censored results (``<0.3``) drawn as open markers at their limit.
"""

from __future__ import annotations

import datetime as dt
import io

from androcast.report.timeline import Timeline

MAX_PANELS = 8
MARGIN = dt.timedelta(days=30)


def timeline_svg(timeline: Timeline) -> str | None:
    """An inline SVG of the first ``MAX_PANELS`` analytes, or None without results."""
    series = timeline.series[:MAX_PANELS]
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    every_date = [r.date for s in series for r in s.results]
    span = (min(every_date) - MARGIN, max(every_date) + MARGIN)  # one range for all panels
    columns = 2
    rows = (len(series) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(7.2, 1.9 * rows), squeeze=False)
    try:
        for ax, s in zip(axes.flat, series, strict=False):
            dates = [r.date for r in s.results]
            values = [r.value for r in s.results]
            ref = s.latest.reference
            if ref.low is not None or ref.high is not None:
                low = ref.low if ref.low is not None else 0.0
                high = ref.high if ref.high is not None else max([*values, low]) * 1.2
                ax.axhspan(low, high, color="#d8eadf", zorder=0, lw=0)
            ax.plot(dates, values, color="#1f5f8b", lw=1.0, zorder=1)
            for r in s.results:
                censored = r.censor is not None
                ax.plot(
                    [r.date],
                    [r.value],
                    marker="o",
                    ms=4,
                    color="#1f5f8b",
                    mfc="white" if censored else "#1f5f8b",
                    zorder=2,
                )
            ax.set_title(f"{s.name} [{s.unit}]", fontsize=8, loc="left")
            ax.tick_params(labelsize=7)
            ax.set_ylim(bottom=0)
            ax.set_xlim(*span)
            fig.autofmt_xdate(rotation=30)
        for ax in list(axes.flat)[len(series) :]:
            ax.set_visible(False)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
    finally:
        plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog: the SVG is inlined in HTML
