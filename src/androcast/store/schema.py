"""The tables (SQLAlchemy 2 declarative models). Migrations in ``migrations/`` create them.

Every record of a patient carries a source key (``key_system``, ``key_value``: the FHIR
identifier it came with, or a ``urn:uuid`` given here) and a hash of its content, so the
same import twice changes nothing. ``patient.version`` is an optimistic lock: every change
to a patient or his records bumps it, and a writer that read an older version fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ClinicRow(Base):
    __tablename__ = "clinic"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserRow(Base):
    """A clinician or researcher; the web adapter fills ``password_hash`` (argon2).

    User names are unique within a clinic (0005): two clinics may each have an "alice".
    ``password_change_required``: the password is a one-time password (printed by ``androcast
    demo`` or ``user add``, or set by an admin) that must be changed at the first login, and
    it stops working at ``password_expires_at``. ``active`` false: the user cannot log in and
    his sessions end.
    """

    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("clinic_id", "username"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    username: Mapped[str] = mapped_column(String(200), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40), default="clinician")
    password_hash: Mapped[str | None] = mapped_column(String(400))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    password_change_required: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    password_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PatientRow(Base):
    __tablename__ = "patient"
    __table_args__ = (UniqueConstraint("clinic_id", "identifier"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    identifier: Mapped[str] = mapped_column(String(200))  # the case file's patient.id
    identifier_system: Mapped[str | None] = mapped_column(String(400))
    goal: Mapped[str] = mapped_column(String(20))
    age_years: Mapped[float | None] = mapped_column(Float)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    bmi: Mapped[float | None] = mapped_column(Float)
    testis_left_ml: Mapped[float | None] = mapped_column(Float)
    testis_right_ml: Mapped[float | None] = mapped_column(Float)
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    gender: Mapped[str | None] = mapped_column(String(20))  # FHIR administrative gender (0003)
    names: Mapped[list[Any] | None] = mapped_column(JSON)  # FHIR HumanName list, as given
    partner_age_years: Mapped[float | None] = mapped_column(Float)  # the couple's goal (0004)
    goal_within_months: Mapped[float | None] = mapped_column(Float)
    partner_evaluation: Mapped[str | None] = mapped_column(String(20))  # (0007)
    infertility_months: Mapped[float | None] = mapped_column(Float)
    children: Mapped[int | None] = mapped_column(Integer)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    exam: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the case file's exam (0009)
    gonadotoxic: Mapped[list[Any] | None] = mapped_column(JSON)  # history.gonadotoxic_treatment
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads a dict)


class _ObservationColumns:
    """What a FHIR Observation says beyond the value (0003): its status as the laboratory
    gave it, its effective time exactly as given (partial dates, instants, periods) and the
    range it covers, and the elements kept for the export (interpretation, performer, note,
    issued)."""

    status: Mapped[str] = mapped_column(String(20), server_default="final")
    effective: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The range the effective time covers (``spans.stored_span``), naive UTC: what a search
    #: by date queries (0008).
    effective_start: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    effective_end: Mapped[dt.datetime | None] = mapped_column(DateTime)


class _PatientRecord:
    """Columns every record of a patient has: owner, source key and content hash."""

    @declared_attr
    def patient_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_system: Mapped[str] = mapped_column(String(400))
    key_value: Mapped[str] = mapped_column(String(400))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        name = str(cls.__tablename__)  # type: ignore[attr-defined]
        return (
            UniqueConstraint("patient_id", "key_system", "key_value"),
            Index(f"ix_{name}_content", "patient_id", "content_hash"),
        )


class AndrogenCourseRow(_PatientRecord, Base):
    __tablename__ = "androgen_course"
    agent: Mapped[str] = mapped_column(String(80))
    dose: Mapped[float] = mapped_column(Float)
    dose_unit: Mapped[str] = mapped_column(String(10))
    every_d: Mapped[float] = mapped_column(Float)
    start: Mapped[dt.date | None] = mapped_column(Date)
    stop: Mapped[dt.date | None] = mapped_column(Date)
    route: Mapped[str | None] = mapped_column(String(20))


class MedicationCourseRow(_PatientRecord, Base):
    __tablename__ = "medication_course"
    code: Mapped[str] = mapped_column(String(80))
    dose: Mapped[float | None] = mapped_column(Float)
    dose_unit: Mapped[str | None] = mapped_column(String(10))
    every_d: Mapped[float | None] = mapped_column(Float)
    start: Mapped[dt.date | None] = mapped_column(Date)
    stop: Mapped[dt.date | None] = mapped_column(Date)


class LabObservationRow(_ObservationColumns, _PatientRecord, Base):
    """A result in the analyte's canonical unit, what the laboratory reported, its interval."""

    __tablename__ = "lab_observation"
    analyte: Mapped[str] = mapped_column(String(60))
    loinc: Mapped[str | None] = mapped_column(String(20))
    date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40))
    censor: Mapped[str | None] = mapped_column(String(1))
    reported_value: Mapped[float] = mapped_column(Float)
    reported_unit: Mapped[str] = mapped_column(String(40))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    reference_low: Mapped[float | None] = mapped_column(Float)
    reference_high: Mapped[float | None] = mapped_column(Float)
    reference_unit: Mapped[str] = mapped_column(String(40))
    reference_source: Mapped[str] = mapped_column(Text)
    reference_population: Mapped[str] = mapped_column(Text)
    sample_time: Mapped[dt.time | None] = mapped_column(Time)  # clock time of the draw (0006)
    fasting: Mapped[bool | None] = mapped_column(Boolean)


class SemenAnalysisRow(_ObservationColumns, _PatientRecord, Base):
    __tablename__ = "semen_analysis"
    date: Mapped[dt.date] = mapped_column(Date)
    volume_ml: Mapped[float | None] = mapped_column(Float)
    concentration_m_per_ml: Mapped[float | None] = mapped_column(Float)
    concentration_censor: Mapped[str | None] = mapped_column(String(1))
    progressive_motility_pct: Mapped[float | None] = mapped_column(Float)
    total_motility_pct: Mapped[float | None] = mapped_column(Float)
    normal_forms_pct: Mapped[float | None] = mapped_column(Float)
    abstinence_days: Mapped[float | None] = mapped_column(Float)
    pellet_sperm_seen: Mapped[bool | None] = mapped_column(Boolean)
    ph: Mapped[float | None] = mapped_column(Float)  # 0006
    urine_sperm_seen: Mapped[bool | None] = mapped_column(Boolean)  # post-ejaculate urine
    urine_total_sperm_million: Mapped[float | None] = mapped_column(Float)
    urine_progressive_motility_pct: Mapped[float | None] = mapped_column(Float)


class AssessmentRow(Base):
    """``interpret(case).to_dict()`` as of a date, with the androcast version that made it."""

    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    as_of: Mapped[dt.date] = mapped_column(Date)
    androcast_version: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanRow(Base):
    """A phased treatment plan (``protocol.plan``) the clinician adopted."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    protocol: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="active")
    start: Mapped[dt.date | None] = mapped_column(Date)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    androcast_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ForecastRow(Base):
    """A personalised forecast (bands per observable) as of a date, optionally under a plan."""

    __tablename__ = "forecast"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    androcast_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertRow(Base):
    """A monitoring alert with the rule that raised it and its citation."""

    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    forecast_id: Mapped[int | None] = mapped_column(ForeignKey("forecast.id", ondelete="SET NULL"))
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("lab_observation.id", ondelete="SET NULL")
    )
    code: Mapped[str] = mapped_column(String(80))
    rule: Mapped[str] = mapped_column(String(80))
    citation: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)  # the result it judged (0002)
    observable: Mapped[str | None] = mapped_column(String(60))
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(40))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRow(Base):
    """Who changed what, when: one row per inserted, updated or deleted row.

    Written in the same transaction as the change (see ``audit.py``); no foreign key, so the
    trail outlives the rows it describes.
    """

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(10))  # insert | update | delete
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[int] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)


RECORD_TABLES = (AndrogenCourseRow, MedicationCourseRow, LabObservationRow, SemenAnalysisRow)
