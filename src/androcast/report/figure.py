"""The report's figures as inline SVG (matplotlib): the hormone timeline and the prognosis.

The timeline: one small panel per analyte, the results as points joined by a line, the
reference interval as a band, censored results (``<0.3``) drawn as open markers at their
limit. The prognosis: the probability by each month under each protocol, its 90 %
interval as a band.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from androcast.report.timeline import Timeline

MAX_PANELS = 8
MARGIN = dt.timedelta(days=30)
# One colour per protocol, distinguishable by colour-blind readers (Okabe-Ito); the web
# app's charts use the same.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#7f7f7f")


def _svg_text(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog: the SVG is inlined in HTML


def prognosis_svg(prognosis: Mapping[str, Any]) -> str | None:
    """An inline SVG of ``Prognosis.to_dict()``'s curves, or None without a protocol."""
    rows = prognosis.get("protocols") or []  # a declined forecast has none
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.4))
    try:
        for i, row in enumerate(rows):
            colour = PALETTE[i % len(PALETTE)]
            months = row["months"]
            ax.fill_between(
                months,
                [lo for lo, _ in row["interval_90"]],
                [hi for _, hi in row["interval_90"]],
                color=colour,
                alpha=0.12,
                lw=0,
            )
            ax.plot(
                months,
                row["probability"],
                marker="o",
                ms=3,
                lw=1.4,
                color=colour,
                label=row["id"] + (" *" if row.get("note") else ""),
            )
        ax.set_xlabel(f"months from {prognosis['t0']}", fontsize=8)
        ax.set_ylabel(f"P({prognosis['outcome']})", fontsize=8)
        ax.set_ylim(0, 1.02)  # a curve at 100 % stays visible above the frame line
        ax.set_xlim(left=0)
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3, lw=0.5)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        fig.tight_layout()
        return _svg_text(fig)
    finally:
        plt.close(fig)


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
        return _svg_text(fig)
    finally:
        plt.close(fig)
