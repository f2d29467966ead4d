"""Patient reports: the assessment and the laboratory timeline as printable HTML.

``patient_report(case, assessment, ...)`` gathers what a report shows and
``render_report(report)`` renders it as a self-contained page (inline CSS and an SVG
figure of the hormone timeline) that prints on A4. The web app serves it.
"""

from androcast.report.build import PatientReport, environment, patient_report, render_report
from androcast.report.figure import timeline_svg
from androcast.report.timeline import (
    AnalyteSeries,
    Timeline,
    citation_key,
    full_reference,
    reference_label,
    timeline,
)

__all__ = [
    "AnalyteSeries",
    "PatientReport",
    "Timeline",
    "citation_key",
    "environment",
    "full_reference",
    "patient_report",
    "reference_label",
    "render_report",
    "timeline",
    "timeline_svg",
]
