"""The patient report: the assessment, lab timeline, prognosis and plan of one man, as
printable HTML."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from androcast import DISCLAIMER, __version__, display
from androcast.interpret import references
from androcast.labs import Case
from androcast.report.charts import (
    forecast_band_figure,
    plan_figure,
    prognosis_figure,
    timeline_figure,
)
from androcast.report.flowsheet import ARROWS, STEADY_SHARE, flowsheet
from androcast.report.summary import BottomLine
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
    bottom: BottomLine | None = None
    monitoring: Mapping[str, Any] | None = None  # his adopted plan, band, results, alerts
    pregnancy: Mapping[str, Any] | None = None  # the couple's pregnancy_natural prognosis
    disclaimer: str = DISCLAIMER
    version: str = __version__

    @property
    def references(self) -> dict[str, str]:
        """The full references of every citation the report shows, by key."""
        refs = dict(self.assessment.get("references", {})) if self.assessment else {}
        known = references()
        keys = _outlook_citations(self.prognosis, self.plan)
        if self.pregnancy:
            keys += list(self.pregnancy["basis"]["citations"])
        if self.plan and self.plan.get("art_comparison"):
            keys += list(self.plan["art_comparison"]["citations"])
        if self.monitoring:
            keys += list(self.monitoring["plan"]["citations"])
            keys += [c.strip() for a in self.monitoring["alerts"]
                     for c in str(a["citation"]).split(";")]
        for key in keys:
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
    bottom: BottomLine | None = None,
    monitoring: Mapping[str, Any] | None = None,
    pregnancy: Mapping[str, Any] | None = None,
) -> PatientReport:
    return PatientReport(
        case, timeline(case), assessment, assessed_on, clinic, generated_on, prognosis, plan,
        bottom, monitoring, pregnancy,
    )


def json_script(data: Any) -> Markup:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` break-out).
    What this returned already (Markup) passes unchanged: a page may keep a figure
    serialised once and show it on every view."""
    if isinstance(data, Markup):
        return data
    text = json.dumps(data, default=str).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


def display_globals() -> dict[str, Any]:
    """What the report's and the pages' templates use to show codes, units and numbers."""
    return {
        "label": display.label,
        "protocol_label": display.protocol,
        "humanise": display.humanise,
        "unit": display.unit,
        "number": display.number,
        "interval": display.interval,
        "outcome": display.outcome,
        "every": display.every,
        "check": display.check,
        "parse_every": display.parse_every,
        "ARROWS": ARROWS,
        "STEADY_SHARE": STEADY_SHARE,
    }


@cache
def environment() -> jinja2.Environment:
    """Templates of the report (also included by the web app's pages)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("androcast.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["json_script"] = json_script
    env.globals.update(
        reference_label=reference_label,
        display_unit=display_unit,
        full_reference=full_reference,
        references=references(),
        **display_globals(),
    )
    return env


def report_figures(report: PatientReport) -> dict[str, dict[str, Any]]:
    """The report's charts: the same Plotly figures as the patient page."""
    adopted = None if report.monitoring is None else report.monitoring["plan"]
    figures = {
        "timeline": timeline_figure(report.timeline, report.case, today=report.generated_on,
                                    adopted=adopted),
        "prognosis": prognosis_figure(
            report.prognosis, report.pregnancy,
            None if not report.pregnancy else report.pregnancy["basis"].get("partner_age_years"),
        ) if report.prognosis else None,
        "plan": plan_figure(report.plan) if report.plan else None,
        "monitoring": None if report.monitoring is None else forecast_band_figure(
            report.monitoring["forecast"], report.monitoring["observations"],
            report.monitoring["alerts"], today=report.generated_on),
    }
    return {name: figure for name, figure in figures.items() if figure is not None}


def render_report(report: PatientReport, *, compute_url: str | None = None) -> str:
    """The report as one printable HTML page (inline CSS; its charts are drawn by the
    locally served plotly.js, the same figures as the page's).

    ``compute_url``: where the prognosis and plan can be computed when the report has none
    (a link on screen, not printed).
    """
    return (
        environment()
        .get_template("report.html")
        .render(report=report, figures=report_figures(report), compute_url=compute_url,
                sheet=flowsheet(report.case, report.timeline), bottom=report.bottom)
    )
