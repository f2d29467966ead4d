"""The patient report: the assessment and the lab timeline of one man, as printable HTML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from androcast import DISCLAIMER, __version__
from androcast.labs import Case
from androcast.report.figure import timeline_svg
from androcast.report.timeline import Timeline, full_reference, reference_label, timeline
from androcast.units import display_unit


@dataclass(frozen=True)
class PatientReport:
    """What the report shows; ``assessment`` is ``Assessment.to_dict()`` (as stored)."""

    case: Case
    timeline: Timeline
    assessment: Mapping[str, Any] | None
    assessed_on: dt.date | None
    clinic: str
    generated_on: dt.date
    disclaimer: str = DISCLAIMER
    version: str = __version__


def patient_report(
    case: Case,
    assessment: Mapping[str, Any] | None,
    *,
    assessed_on: dt.date | None,
    clinic: str,
    generated_on: dt.date,
) -> PatientReport:
    return PatientReport(case, timeline(case), assessment, assessed_on, clinic, generated_on)


@cache
def environment() -> jinja2.Environment:
    """Templates of the report (also included by the web app's pages)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("androcast.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(
        reference_label=reference_label, display_unit=display_unit, full_reference=full_reference
    )
    return env


def render_report(report: PatientReport, *, include_figure: bool = True) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG; prints on A4)."""
    figure = timeline_svg(report.timeline) if include_figure else None
    return environment().get_template("report.html").render(report=report, figure=figure)
