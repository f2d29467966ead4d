"""Patient reports: his bottom line, assessment, results, charts, prognosis, plan and
monitoring as printable HTML.

``patient_report(case, assessment, ...)`` gathers what a report shows and
``render_report(report)`` renders it as a page that prints on A4 (inline CSS; the charts
are the patient page's Plotly figures, drawn by the locally served plotly.js). The web app
serves it.
"""

from androcast.report.build import PatientReport, environment, patient_report, render_report
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
]
