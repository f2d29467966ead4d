"""Assess a stored patient again and keep the assessment (in the caller's transaction).

The CLI and the web app call this after every write that changes his state: new results,
an import, a plan adopted (whose drugs become current courses on his chart).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from androcast.interpret import interpret
from androcast.store import Chart, load_chart, save_assessment

__all__ = ["assess_chart", "out_of_scope", "reassess"]


def reassess(session: Session, identifier: str, *, clinic: str, as_of: dt.date
             ) -> dict[str, Any]:
    """Interpret his stored record as of a date and keep the assessment.

    A record whose stated gender is not male (an imported FHIR Patient) is outside the
    scope of the rules, all written for men: the assessment says so instead of reading a
    woman's results against male ranges.
    """
    assessment = assess_chart(load_chart(session, identifier, clinic=clinic), as_of)
    save_assessment(session, identifier, assessment, as_of=as_of, clinic=clinic)
    return assessment


def assess_chart(chart: Chart, as_of: dt.date) -> dict[str, Any]:
    """The assessment of a stored chart as of a date (no database: a caller may compute it
    outside its write transaction and keep it in a short one)."""
    assessment = interpret(chart.to_case(as_of=as_of)).to_dict()
    if chart.gender not in (None, "male", "unknown"):
        assessment = out_of_scope(assessment, chart.gender)
    return assessment


#: The assessment sections that are clinical conclusions (dropped when out of scope).
_CONCLUSIONS = ("causes", "findings", "actions", "cautions")


def out_of_scope(assessment: dict[str, Any], gender: str | None) -> dict[str, Any]:
    """The assessment of a record outside androcast's scope: no conclusions, the reason."""
    text = (
        f"The record's gender is {gender!r}: androcast interprets the male "
        "hypothalamic-pituitary-gonadal axis only, against male reference ranges, so no "
        "finding, cause, action or prognosis is given."
    )
    return {
        **assessment,
        **{name: [] for name in _CONCLUSIONS},
        "pattern": "indeterminate",
        "prognosis": {"class": None, "basis": text},
        "out_of_scope": {"code": "not_male", "text": text},
    }

