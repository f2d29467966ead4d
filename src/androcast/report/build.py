"""The patient report: the assessment, lab timeline, prognosis and plan of one man, as
printable HTML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from androcast import DISCLAIMER, __version__
from androcast.interpret import references
from androcast.labs import Case
from androcast.report.figure import prognosis_svg, timeline_svg
from androcast.report.timeline import Timeline, full_reference, reference_label, timeline
from androcast.units import display_unit


@dataclass(frozen=True)
class PatientReport:
    """What the report shows; ``assessment`` is ``Assessment.to_dict()`` (as stored),
    ``prognosis`` a ``Prognosis.to_dict()`` and ``plan`` a ``Plan.to_dict()`` when computed."""

    case: Case
    timeline: Timeline
    assessment: Mapping[str, Any] | None
    assessed_on: dt.date | None
    clinic: str
    generated_on: dt.date
    prognosis: Mapping[str, Any] | None = None
    plan: Mapping[str, Any] | None = None
    disclaimer: str = DISCLAIMER
    version: str = __version__

    @property
    def references(self) -> dict[str, str]:
        """The full references of every citation the report shows, by key."""
        refs = dict(self.assessment.get("references", {})) if self.assessment else {}
        known = references()
        for key in _outlook_citations(self.prognosis, self.plan):
            refs.setdefault(key, known.get(key, key))
        return refs


def _outlook_citations(
    prognosis: Mapping[str, Any] | None, plan: Mapping[str, Any] | None
) -> list[str]:
    keys: list[str] = list(prognosis["basis"]["citations"]) if prognosis else []
    if plan:
        keys += plan["first_step"]["citations"] + plan["monitoring"]["citations"]
        keys += plan["basis"]["citations"]
        for a in plan["alternatives"]:
            keys += a["citations"] + [c for e in a["escalations"] for c in e["citations"]]
    return list(dict.fromkeys(keys))


def patient_report(
    case: Case,
    assessment: Mapping[str, Any] | None,
    *,
    assessed_on: dt.date | None,
    clinic: str,
    generated_on: dt.date,
    prognosis: Mapping[str, Any] | None = None,
    plan: Mapping[str, Any] | None = None,
) -> PatientReport:
    return PatientReport(
        case, timeline(case), assessment, assessed_on, clinic, generated_on, prognosis, plan
    )


@cache
def environment() -> jinja2.Environment:
    """Templates of the report (also included by the web app's pages)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("androcast.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(
        reference_label=reference_label,
        display_unit=display_unit,
        full_reference=full_reference,
        references=references(),
    )
    return env


def render_report(
    report: PatientReport, *, include_figure: bool = True, compute_url: str | None = None
) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG; prints on A4).

    ``compute_url``: where the prognosis and plan can be computed when the report has none
    (a link on screen, not printed).
    """
    figure = timeline_svg(report.timeline) if include_figure else None
    curves = prognosis_svg(report.prognosis) if include_figure and report.prognosis else None
    return (
        environment()
        .get_template("report.html")
        .render(report=report, figure=figure, curves=curves, compute_url=compute_url)
    )
