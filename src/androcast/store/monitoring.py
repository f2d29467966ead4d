"""Plans, forecasts and alerts of monitored patients in and out of the tables.

Only persistence: the monitoring core (``androcast.monitoring``) makes the payloads and the
alerts. As in ``records.py`` every function works in the caller's transaction, finds the
patient within his clinic (another clinic's patients do not exist for it), locks his row
before writing, and every row written gets its audit entry from the flush hook.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from androcast import __version__
from androcast.errors import StoreError, UnknownCodeError
from androcast.store.records import DEFAULT_CLINIC, find_patient
from androcast.store.schema import (
    AlertRow,
    ClinicRow,
    ForecastRow,
    LabObservationRow,
    PatientRow,
    PlanRow,
    utcnow,
)

ACTIVE = "active"
SUPERSEDED = "superseded"
STOPPED = "stopped"  # withdrawn by a clinician before its end (the date and reason in payload)


@dataclass(frozen=True)
class StoredPlan:
    id: int
    patient: str
    protocol: str
    start: dt.date
    status: str
    payload: Mapping[str, Any]
    created_at: dt.datetime


@dataclass(frozen=True)
class StoredForecast:
    id: int
    plan_id: int | None
    as_of: dt.date
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class StoredAlert:
    id: int
    patient: str
    forecast_id: int | None
    code: str
    rule: str
    severity: str
    message: str
    citation: str
    date: dt.date | None
    observable: str | None
    value: float | None
    unit: str | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "code": self.code, "rule": self.rule, "severity": self.severity,
            "message": self.message, "citation": self.citation,
            "date": None if self.date is None else self.date.isoformat(),
            "observable": self.observable, "value": self.value, "unit": self.unit,
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": (None if self.acknowledged_at is None
                                else self.acknowledged_at.isoformat()),
        }


def _json(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as the JSON column keeps it (dates as text; NaN/inf refused)."""
    out: dict[str, Any] = json.loads(json.dumps(payload, default=str, allow_nan=False))
    return out


def _plan(row: PlanRow, patient: str) -> StoredPlan:
    assert row.start is not None
    return StoredPlan(row.id, patient, row.protocol, row.start, row.status, row.payload,
                      row.created_at)


def adopt_plan(
    session: Session,
    identifier: str,
    *,
    protocol: str,
    start: dt.date,
    payload: Mapping[str, Any],
    clinic: str = DEFAULT_CLINIC,
) -> StoredPlan:
    """Make this plan his active one; an earlier active plan becomes ``superseded``."""
    patient = find_patient(session, identifier, clinic=clinic, lock=True)
    for row in session.scalars(select(PlanRow).where(PlanRow.patient_id == patient.id,
                                                     PlanRow.status == ACTIVE)):
        row.status = SUPERSEDED
    row = PlanRow(patient_id=patient.id, protocol=protocol, status=ACTIVE, start=start,
                  payload=_json(payload), androcast_version=__version__)
    session.add(row)
    session.flush()
    return _plan(row, identifier)


def stop_plan(
    session: Session,
    identifier: str,
    *,
    stop: dt.date,
    reason: str,
    clinic: str = DEFAULT_CLINIC,
) -> StoredPlan:
    """Withdraw his active plan from ``stop``: status ``stopped``, the date and the reason
    kept in its payload (``stopped``); the audit trail records who did it and when."""
    patient = find_patient(session, identifier, clinic=clinic, lock=True)
    row = session.scalar(select(PlanRow).where(PlanRow.patient_id == patient.id,
                                               PlanRow.status == ACTIVE)
                         .order_by(PlanRow.id.desc()).limit(1))
    if row is None:
        raise StoreError("plan", identifier, "a patient with an adopted plan to stop")
    row.status = STOPPED
    row.payload = {**row.payload, "stopped": {"date": stop.isoformat(), "reason": reason}}
    session.flush()
    return _plan(row, identifier)


def last_plan(
    session: Session, identifier: str, *, clinic: str = DEFAULT_CLINIC
) -> StoredPlan | None:
    """His most recently adopted plan, whatever its status (active, superseded, stopped)."""
    patient = find_patient(session, identifier, clinic=clinic)
    row = session.scalar(select(PlanRow).where(PlanRow.patient_id == patient.id)
                         .order_by(PlanRow.id.desc()).limit(1))
    return None if row is None else _plan(row, identifier)


def active_plan(
    session: Session, identifier: str, *, clinic: str = DEFAULT_CLINIC
) -> StoredPlan | None:
    """His active plan, if he has one."""
    patient = find_patient(session, identifier, clinic=clinic)
    row = session.scalar(select(PlanRow).where(PlanRow.patient_id == patient.id,
                                               PlanRow.status == ACTIVE)
                         .order_by(PlanRow.id.desc()).limit(1))
    return None if row is None else _plan(row, identifier)


def save_forecast(
    session: Session,
    identifier: str,
    payload: Mapping[str, Any],
    *,
    as_of: dt.date,
    plan_id: int | None,
    clinic: str = DEFAULT_CLINIC,
) -> StoredForecast:
    """Keep a forecast made as of ``as_of`` (under plan ``plan_id``, if any)."""
    patient = find_patient(session, identifier, clinic=clinic, lock=True)
    _check_plan(session, patient, plan_id)
    row = ForecastRow(patient_id=patient.id, plan_id=plan_id, as_of=as_of,
                      payload=_json(payload), androcast_version=__version__)
    session.add(row)
    session.flush()
    return StoredForecast(row.id, row.plan_id, row.as_of, row.payload)


def _check_plan(session: Session, patient: PatientRow, plan_id: int | None) -> None:
    if plan_id is None:
        return
    owner = session.scalar(select(PlanRow.patient_id).where(PlanRow.id == plan_id))
    if owner != patient.id:
        raise UnknownCodeError("plan", plan_id, f"a plan of patient {patient.identifier}")


def latest_forecast(
    session: Session, identifier: str, *, plan_id: int | None = None,
    clinic: str = DEFAULT_CLINIC,
) -> StoredForecast | None:
    """His most recent forecast (of plan ``plan_id`` when given)."""
    patient = find_patient(session, identifier, clinic=clinic)
    query = select(ForecastRow).where(ForecastRow.patient_id == patient.id)
    if plan_id is not None:
        query = query.where(ForecastRow.plan_id == plan_id)
    row = session.scalar(query.order_by(ForecastRow.id.desc()).limit(1))
    return None if row is None else StoredForecast(row.id, row.plan_id, row.as_of, row.payload)


def save_alerts(
    session: Session,
    identifier: str,
    alerts: Iterable[Mapping[str, Any]],
    *,
    forecast_id: int | None,
    clinic: str = DEFAULT_CLINIC,
) -> list[StoredAlert]:
    """Keep alerts (``Alert.to_dict()``); a lab result's alert points at its stored row."""
    patient = find_patient(session, identifier, clinic=clinic, lock=True)
    rows = []
    for alert in alerts:
        day = dt.date.fromisoformat(str(alert["date"])) if alert.get("date") else None
        row = AlertRow(
            patient_id=patient.id, forecast_id=forecast_id,
            observation_id=_observation_id(session, patient, alert.get("observable"), day),
            code=str(alert["code"]), rule=str(alert["rule"]), citation=str(alert["citation"]),
            severity=str(alert["severity"]), message=str(alert["message"]), date=day,
            observable=alert.get("observable"), value=alert.get("value"),
            unit=alert.get("unit"),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return [_alert(r, identifier) for r in rows]


def _observation_id(session: Session, patient: PatientRow, observable: Any,
                    day: dt.date | None) -> int | None:
    if not observable or day is None:
        return None
    return session.scalar(
        select(LabObservationRow.id).where(LabObservationRow.patient_id == patient.id,
                                           LabObservationRow.analyte == observable,
                                           LabObservationRow.date == day)
        .order_by(LabObservationRow.id.desc()).limit(1))


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored UTC time as aware (SQLite hands it back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _alert(row: AlertRow, identifier: str) -> StoredAlert:
    return StoredAlert(
        row.id, identifier, row.forecast_id, row.code, row.rule, row.severity, row.message,
        row.citation, row.date, row.observable, row.value, row.unit, row.acknowledged_by,
        _utc(row.acknowledged_at),
    )


def list_alerts(
    session: Session, identifier: str, *, clinic: str = DEFAULT_CLINIC,
    unacknowledged_only: bool = False, plan_id: int | None = None,
) -> list[StoredAlert]:
    """His alerts, oldest first (raised under plan ``plan_id`` when given)."""
    patient = find_patient(session, identifier, clinic=clinic)
    query = select(AlertRow).where(AlertRow.patient_id == patient.id)
    if plan_id is not None:
        query = query.join(ForecastRow, AlertRow.forecast_id == ForecastRow.id).where(
            ForecastRow.plan_id == plan_id)
    if unacknowledged_only:
        query = query.where(AlertRow.acknowledged_at.is_(None))
    return [_alert(r, identifier) for r in session.scalars(query.order_by(AlertRow.id))]


def acknowledge_alert(
    session: Session, alert_id: int, *, by: str, clinic: str = DEFAULT_CLINIC
) -> StoredAlert:
    """Mark an alert of a patient of ``clinic`` as seen by ``by`` (once; later calls keep it)."""
    found = session.execute(
        select(AlertRow, PatientRow)
        .join(PatientRow, AlertRow.patient_id == PatientRow.id)
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .where(AlertRow.id == alert_id, ClinicRow.name == clinic)
    ).first()
    if found is None:
        raise UnknownCodeError("alert", alert_id, f"an alert of a patient of clinic {clinic}")
    row, patient = found
    # Read it again under a row lock: of two concurrent acknowledgements the second waits,
    # then sees the first's (one winner, one audit row).
    session.refresh(row, with_for_update=True)
    if row.acknowledged_at is None:
        row.acknowledged_by = by
        row.acknowledged_at = utcnow()
        session.flush()
    return _alert(row, patient.identifier)
