"""The read queries behind the web pages, kept in the store like every other query.

Each takes a session and the user's clinic (tenancy: only that clinic's patients) and costs a
fixed number of queries whatever the number of patients: the list page is one line per
patient, the patient page is the busiest, and its stamp decides whether a cached page is
still his.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from androcast.store.monitoring import ACTIVE
from androcast.store.records import PatientSummary, list_patients
from androcast.store.schema import (
    AlertRow,
    AssessmentRow,
    ClinicRow,
    ForecastRow,
    PatientRow,
    PlanRow,
)


def latest_assessment(
    session: Session, patient_id: int
) -> tuple[Mapping[str, Any] | None, dt.date | None]:
    """The newest stored assessment of a patient and the date it was made as of."""
    row = session.execute(
        select(AssessmentRow.payload, AssessmentRow.as_of)
        .where(AssessmentRow.patient_id == patient_id)
        .order_by(AssessmentRow.id.desc())
        .limit(1)
    ).first()
    return (None, None) if row is None else (row[0], row[1])


@dataclass(frozen=True)
class ListLine:
    """A line of the patient list: his summary, pattern, open alerts and adopted plan."""

    summary: PatientSummary
    pattern: str | None
    open_alerts: int
    adopted: Mapping[str, Any] | None  # his active plan's payload (for his next check)


def patient_list(session: Session, clinic: str) -> list[ListLine]:
    """Every patient of the clinic with his latest pattern, the open alerts of his active
    plan and that plan (five queries, whatever the number of patients)."""
    summaries = list_patients(session, clinic=clinic)
    ids = {row.identifier: row.id for row in session.execute(
        select(PatientRow.identifier, PatientRow.id)
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .where(ClinicRow.name == clinic))}
    newest = (select(func.max(AssessmentRow.id))
              .where(AssessmentRow.patient_id.in_(ids.values()))
              .group_by(AssessmentRow.patient_id))
    patterns = {pid: payload.get("pattern") for pid, payload in session.execute(
        select(AssessmentRow.patient_id, AssessmentRow.payload)
        .where(AssessmentRow.id.in_(newest)))}
    plans = {pid: payload for pid, payload in session.execute(
        select(PlanRow.patient_id, PlanRow.payload)
        .where(PlanRow.patient_id.in_(ids.values()), PlanRow.status == ACTIVE)
        .order_by(PlanRow.id))}
    open_alerts = {pid: n for pid, n in session.execute(
        select(AlertRow.patient_id, func.count())
        .join(ForecastRow, AlertRow.forecast_id == ForecastRow.id)
        .join(PlanRow, ForecastRow.plan_id == PlanRow.id)
        .where(AlertRow.patient_id.in_(ids.values()), PlanRow.status == ACTIVE,
               AlertRow.acknowledged_at.is_(None))
        .group_by(AlertRow.patient_id))}
    lines = []
    for summary in summaries:
        pid = ids[summary.identifier]
        lines.append(ListLine(summary, patterns.get(pid), int(open_alerts.get(pid, 0)),
                              plans.get(pid)))
    return lines


def version_and_assessment(
    session: Session, clinic: str, identifier: str
) -> tuple[int, Mapping[str, Any] | None, dt.date | None]:
    """His record version and newest assessment with its date, in one query."""
    version, assessment, assessed_on = session.execute(
        select(PatientRow.version, AssessmentRow.payload, AssessmentRow.as_of)
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .outerjoin(AssessmentRow, AssessmentRow.patient_id == PatientRow.id)
        .where(ClinicRow.name == clinic, PatientRow.identifier == identifier)
        .order_by(AssessmentRow.id.desc())
        .limit(1)
    ).one()
    return int(version), assessment, assessed_on


@dataclass(frozen=True)
class Stamp:
    """What a patient's page shows, named by what changes it: his record version (bumped by
    every change to his record), his newest assessment, his active plan, its newest forecast
    and how many alerts are raised and acknowledged. The same stamp, the same page data."""

    identifier: str  # as stored
    version: int
    assessment: int | None
    plan: int | None
    forecast: int | None
    alerts: int
    acknowledged: int


def page_stamp(session: Session, clinic: str, identifier: str) -> Stamp | None:
    """His page's stamp in one query; None when the clinic has no such patient."""
    mine = PatientRow.id
    active_plan = (select(func.max(PlanRow.id))
                   .where(PlanRow.patient_id == mine, PlanRow.status == ACTIVE)
                   .scalar_subquery())
    query = (
        select(
            PatientRow.identifier,
            PatientRow.version,
            select(func.max(AssessmentRow.id)).where(AssessmentRow.patient_id == mine)
            .scalar_subquery(),
            active_plan,
            select(func.max(ForecastRow.id)).where(ForecastRow.patient_id == mine,
                                                   ForecastRow.plan_id == active_plan)
            .scalar_subquery(),
            select(func.count(AlertRow.id)).where(AlertRow.patient_id == mine)
            .scalar_subquery(),
            select(func.count(AlertRow.acknowledged_at)).where(AlertRow.patient_id == mine)
            .scalar_subquery(),
        )
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .where(ClinicRow.name == clinic, PatientRow.identifier == identifier)
    )
    row = session.execute(query).first()
    if row is None:
        return None
    return Stamp(row[0], int(row[1]), row[2], row[3], row[4], int(row[5]), int(row[6]))


@dataclass(frozen=True)
class ClinicStamp:
    """What the patient list shows, named by what changes it: his clinic's patients and
    the sum of their record versions (every change to a record bumps his), the newest
    assessment and plan, how many plans are active, alerts raised and acknowledged."""

    patients: int
    versions: int
    assessment: int | None
    plan: int | None
    active_plans: int
    alerts: int
    acknowledged: int


def clinic_stamp(session: Session, clinic: str) -> ClinicStamp:
    """The patient list's stamp in one query (a kept list is then shown without reading)."""
    mine = (select(PatientRow.id).join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
            .where(ClinicRow.name == clinic))
    ids = mine.subquery()

    def of(column: Any, table: Any, *where: Any) -> Any:
        return (select(column).where(table.patient_id.in_(select(ids.c.id)), *where)
                .scalar_subquery())

    query = select(
        select(func.count(ids.c.id)).scalar_subquery(),
        select(func.coalesce(func.sum(PatientRow.version), 0))
        .where(PatientRow.id.in_(select(ids.c.id))).scalar_subquery(),
        of(func.max(AssessmentRow.id), AssessmentRow),
        of(func.max(PlanRow.id), PlanRow),
        of(func.count(PlanRow.id), PlanRow, PlanRow.status == ACTIVE),
        of(func.count(AlertRow.id), AlertRow),
        of(func.count(AlertRow.acknowledged_at), AlertRow),
    )
    row = session.execute(query).one()
    return ClinicStamp(int(row[0]), int(row[1]), row[2], row[3], int(row[4]), int(row[5]),
                       int(row[6]))
