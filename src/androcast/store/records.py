"""Repository functions: charts, results and assessments in and out of the tables.

Every function takes the session of one transaction (``Store.transaction``) and does not
commit: the caller's command is the unit of work. Writers lock the patient row first
(``FOR UPDATE`` on PostgreSQL; SQLite writers are already serialised by ``BEGIN IMMEDIATE``)
and bump its version, so two concurrent writers to one man queue instead of losing updates.
A record that comes back with the same source key and content changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from androcast import __version__
from androcast.errors import IdentifierError, InputFileError, StoreError, UnknownCodeError
from androcast.labs import (
    MAX_IDENTIFIER,
    AndrogenUse,
    LabResult,
    Patient,
    PostEjaculateUrine,
    ReferenceInterval,
    SemenAnalysis,
    patient_identifier,
)
from androcast.store import _bulk
from androcast.store.audit import audit_inserts, plain
from androcast.store.chart import (
    RETRACTED,
    URI_SYSTEM,
    Chart,
    Goal,
    Keyed,
    MedicationUse,
    SourceKey,
    exam_json,
    exam_of,
    gonadotoxic_json,
    gonadotoxic_of,
)
from androcast.store.schema import (
    RECORD_TABLES,
    AndrogenCourseRow,
    AssessmentRow,
    AuditRow,
    ClinicRow,
    LabObservationRow,
    MedicationCourseRow,
    PatientRow,
    SemenAnalysisRow,
    utcnow,
)
from androcast.store.spans import naive_utc, stored_span

DEFAULT_CLINIC = "default"
Row = TypeVar("Row", AndrogenCourseRow, MedicationCourseRow, LabObservationRow, SemenAnalysisRow)


@dataclass
class SaveSummary:
    """What a write did: records created, updated and left unchanged (per patient)."""

    patients_created: list[str] = field(default_factory=list)
    patients_updated: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retracted: int = 0  # entered-in-error results removed (kept in the audit trail)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def to_dict(self) -> dict[str, Any]:
        """The summary as the CLI and the web answer it (JSON)."""
        return {
            "patients_created": list(self.patients_created),
            "patients_updated": list(self.patients_updated),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "retracted": self.retracted,
        }


@dataclass(frozen=True)
class PatientSummary:
    identifier: str
    clinic: str
    goal: str
    age_years: float | None
    lab_results: int
    semen_analyses: int
    last_result: dt.date | None
    version: int


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    table: str
    row_id: int
    patient_id: int | None
    changes: Mapping[str, Any]


# -- row values -------------------------------------------------------------------------------


def _lab_values(result: LabResult) -> dict[str, Any]:
    ref = result.reference
    return {
        "analyte": result.analyte,
        "date": result.date,
        "value": result.value,
        "unit": result.unit,
        "censor": result.censor,
        "reported_value": result.reported_value,
        "reported_unit": result.reported_unit,
        "confirmed": result.confirmed,
        "reference_low": ref.low,
        "reference_high": ref.high,
        "reference_unit": ref.unit,
        "reference_source": ref.source,
        "reference_population": ref.population,
        "sample_time": result.time,
        "fasting": result.fasting,
    }


def _lab_result(row: LabObservationRow) -> LabResult:
    return LabResult(
        analyte=row.analyte,
        date=row.date,
        value=row.value,
        unit=row.unit,
        censor=cast(Any, row.censor),
        reported_value=row.reported_value,
        reported_unit=row.reported_unit,
        reference=ReferenceInterval(
            row.reference_low,
            row.reference_high,
            row.reference_unit,
            row.reference_source,
            row.reference_population,
        ),
        confirmed=row.confirmed,
        time=row.sample_time,
        fasting=row.fasting,
    )


_SEMEN_FIELDS = (
    "date",
    "volume_ml",
    "concentration_m_per_ml",
    "concentration_censor",
    "progressive_motility_pct",
    "total_motility_pct",
    "normal_forms_pct",
    "abstinence_days",
    "pellet_sperm_seen",
    "ph",
)
#: The post-ejaculate urine examination, as its own columns (0006).
_URINE_COLUMNS = {"urine_sperm_seen": "sperm_seen",
                  "urine_total_sperm_million": "total_sperm_million",
                  "urine_progressive_motility_pct": "progressive_motility_pct"}
#: Values added by 0006: left out of a record's content hash while empty, so records
#: stored before keep their hash (a re-import still finds them).
_LATER = ("sample_time", "fasting", "ph", *_URINE_COLUMNS)


def _semen_values(item: SemenAnalysis) -> dict[str, Any]:
    urine = item.post_ejaculate_urine
    return {**_values(item, _SEMEN_FIELDS),
            **{column: None if urine is None else getattr(urine, name)
               for column, name in _URINE_COLUMNS.items()}}


def _semen_analysis(row: SemenAnalysisRow) -> SemenAnalysis:
    urine = {name: getattr(row, column) for column, name in _URINE_COLUMNS.items()}
    seen = any(v is not None for v in urine.values())
    return SemenAnalysis(**_values(row, _SEMEN_FIELDS),
                         post_ejaculate_urine=PostEjaculateUrine(**urine) if seen else None)
_ANDROGEN_FIELDS = ("agent", "dose", "dose_unit", "every_d", "start", "stop", "route")
_MEDICATION_FIELDS = ("code", "dose", "dose_unit", "every_d", "start", "stop")


def _values(item: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(item, name) for name in names}


def _content_hash(values: Mapping[str, Any]) -> str:
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- patients -------------------------------------------------------------------------------


def ensure_clinic(session: Session, name: str = DEFAULT_CLINIC) -> ClinicRow:
    """The clinic called ``name``, created on first use."""
    clinic = session.scalar(select(ClinicRow).where(ClinicRow.name == name))
    if clinic is None:
        clinic = ClinicRow(name=name)
        session.add(clinic)
        session.flush()
    return clinic


def find_patient(
    session: Session, identifier: str, *, clinic: str = DEFAULT_CLINIC, lock: bool = False
) -> PatientRow:
    """The patient ``identifier`` of ``clinic`` (normalised as on entry: " P001" is "P001");
    ``lock`` holds his row until commit."""
    try:
        identifier = patient_identifier(identifier, "patient")
    except IdentifierError:
        raise UnknownCodeError("patient", identifier[:MAX_IDENTIFIER], "a patient identifier"
                               ) from None
    query = (
        select(PatientRow)
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .where(ClinicRow.name == clinic, PatientRow.identifier == identifier)
    )
    if lock:
        query = query.with_for_update(of=PatientRow)
    patient = session.scalar(query)
    if patient is None:
        known = session.scalars(
            select(PatientRow.identifier)
            .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
            .where(ClinicRow.name == clinic)
            .order_by(PatientRow.identifier)
            .limit(20)
        ).all()
        listed = ", ".join(known) if known else "none yet (androcast patient add CASE)"
        raise UnknownCodeError("patient", identifier, f"a patient of clinic {clinic}: {listed}")
    return patient


def _patient_values(chart: Chart) -> dict[str, Any]:
    p = chart.patient
    left, right = p.testis_volume_ml if p.testis_volume_ml is not None else (None, None)
    return {
        "identifier_system": chart.patient_key.system if chart.patient_key else None,
        "goal": chart.goal,
        "age_years": p.age_years,
        "birth_date": chart.birth_date,
        "bmi": p.bmi,
        "testis_left_ml": left,
        "testis_right_ml": right,
        "ethnicity": p.ethnicity,
        "gender": chart.gender,
        "names": [dict(n) for n in chart.names] or None,
        "partner_age_years": chart.partner_age_years,
        "goal_within_months": chart.goal_within_months,
        "partner_evaluation": chart.partner_evaluation,
        "infertility_months": chart.infertility_months,
        "children": chart.children,
        "exam": exam_json(chart.exam),
        "gonadotoxic": gonadotoxic_json(chart.gonadotoxic),
    }


def _touch(patient: PatientRow) -> None:
    """Mark the patient changed: bumps ``version`` (the optimistic lock) at flush."""
    patient.updated_at = utcnow()


def _shown_key(system: str | None, value: str) -> str:
    return f"{system}|{value}" if system else f"{value} (no identifier system: a local id)"


def _upsert_patient(
    session: Session, chart: Chart, clinic: ClinicRow, summary: SaveSummary
) -> PatientRow:
    """The chart's patient, matched on identifier system and value, never on the value alone.

    A stored patient with the same value under another system (another hospital's MRN) is a
    conflict: an error naming both, nothing merged.
    """
    identifier = chart.patient.id
    values = {k: v for k, v in _patient_values(chart).items() if v is not None}
    try:
        patient = find_patient(session, identifier, clinic=clinic.name, lock=True)
    except UnknownCodeError:
        patient = PatientRow(
            clinic_id=clinic.id, identifier=identifier, conditions=list(chart.conditions), **values
        )
        session.add(patient)
        session.flush()
        summary.patients_created.append(identifier)
        return patient
    system = chart.patient_key.system if chart.patient_key else None
    if (patient.identifier_system or None) != (system or None):
        stored = _shown_key(patient.identifier_system, identifier)
        raise InputFileError(
            "patient.identifier",
            _shown_key(system, identifier),
            f"the identifier of the stored patient {stored}, or a value no patient of this "
            "clinic has (same value, different system: two different men, never merged)",
        )
    changed = False
    for name, value in values.items():
        if getattr(patient, name) != value:
            setattr(patient, name, value)
            changed = True
    conditions = list(dict.fromkeys([*patient.conditions, *chart.conditions]))
    if conditions != patient.conditions:
        patient.conditions = conditions
        changed = True
    if changed:
        summary.patients_updated.append(identifier)
    return patient


#: What a record *is*, per table: a key that comes back naming something else is a conflict
#: (an identifier reused for another analyte or drug), never an update of the old record.
_IDENTITY = {
    "lab_observation": ("analyte",),
    "androgen_course": ("agent",),
    "medication_course": ("code",),
    "semen_analysis": (),
}


def _unidentified(row: Any) -> bool:
    """A record stored without an identity of its own (we minted its urn:uuid key)."""
    return bool(row.key_system == URI_SYSTEM and row.key_value.startswith("urn:uuid:"))


class _Pending:
    """A new record, inserted with the others of its table in one statement (``_Existing.
    insert``) instead of one ORM object each: 5,000 results are one executemany.
    ``prepared``: the record as made before the write transaction (its audit columns, and
    on SQLite its bound row)."""

    patient_id: int
    key_system: str
    key_value: str
    content_hash: str

    def __init__(self, values: Mapping[str, Any], prepared: _Prepared) -> None:
        self.__dict__.update(values)
        self.__dict__[_PREPARED] = prepared

    def row(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != _PREPARED}

    @property
    def prepared(self) -> _Prepared:
        made: _Prepared = self.__dict__[_PREPARED]
        return made


_PREPARED = "_prepared_record"


@dataclass
class _Existing:
    """One patient's stored records of one table, by key and by content (read once), and
    the new ones waiting to be inserted."""

    row_type: type[Any]
    by_key: dict[tuple[str, str], Any]
    by_hash: dict[str, Any]
    unidentified_by_hash: dict[str, Any]
    new: list[_Pending] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session, row_type: type[Row], patient: PatientRow) -> _Existing:
        rows = session.scalars(select(row_type).where(row_type.patient_id == patient.id)).all()
        return cls(
            row_type,
            {(r.key_system, r.key_value): r for r in rows},
            {r.content_hash: r for r in rows},
            {r.content_hash: r for r in rows if _unidentified(r)},
        )

    def insert(self, session: Session) -> None:
        """The new records in one INSERT (executemany, their ids drawn first), audited as
        the flush hook audits a row (``audit.audit_inserts``)."""
        if not self.new:
            return
        now = utcnow()
        table = self.row_type
        ids = _new_ids(session, table, len(self.new))
        dialect = session.get_bind().dialect
        if all(p.prepared.bound_for is dialect for p in self.new):
            self._insert_bound(session, ids, now)
            return
        values = [{**p.row(), "id": i, "created_at": now}
                  for i, p in zip(ids, self.new, strict=True)]
        # A plain executemany: an INSERT ... RETURNING of thousands of rows is one huge
        # statement psycopg parses on the client, and one statement per row on SQLite.
        session.connection().execute(insert(table.__table__), values)
        stamp = now.isoformat()
        audit_inserts(session, table.__tablename__, [
            {**p.prepared.audit, "id": i, "patient_id": p.patient_id,
             "key_system": p.key_system, "key_value": p.key_value,
             "content_hash": p.content_hash, "created_at": stamp}
            for i, p in zip(ids, self.new, strict=True)
        ], plain=True)
        self.new.clear()

    def _insert_bound(self, session: Session, ids: list[int], now: dt.datetime) -> None:
        """``insert`` for rows bound before the transaction (``prepare_chart`` with the
        store's SQLite dialect): their ids and patient added, one executemany each for
        the rows and their audit entries."""
        actor = session.info.get("actor")
        if not actor:
            raise StoreError("actor", None, "the user making the change (every change is "
                             "audited)")
        dialect = session.get_bind().dialect
        table = self.row_type.__tablename__
        rows = _bulk.binder(self.row_type.__table__, dialect)
        created = now if rows.created_at is None else rows.created_at(now)
        connection = session.connection()
        _bulk.insert_rows(connection, rows.sql, [
            (i, p.patient_id, created, *p.prepared.bound)
            for i, p in zip(ids, self.new, strict=True)
        ])
        at = _bulk.audit_at(dialect)
        at_value = now if at is None else at(now)
        stamp = now.isoformat()
        _bulk.insert_rows(connection, _bulk.AUDIT_SQL, [
            (at_value, actor, "insert", table, i, p.patient_id,
             _bulk.audit_json(p.prepared.audit_head, i, p.patient_id, stamp))
            for i, p in zip(ids, self.new, strict=True)
        ])
        self.new.clear()


def _new_ids(session: Session, table: type[Any], n: int) -> list[int]:
    """``n`` ids for new rows of ``table``: from its sequence on PostgreSQL; on SQLite the
    ones it would give them itself (after the largest), which no other writer can take
    while this transaction holds the write lock (``BEGIN IMMEDIATE``)."""
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :n)"),
            {"table": table.__tablename__, "n": n},
        ))
    last = session.scalar(select(func.max(table.id))) or 0
    return list(range(last + 1, last + 1 + n))


#: Row values that say how a source wrote a result, not what it is: a record matched by
#: content ignores them (the same result may come coded or not, with a time or a date).
_PRESENTATION = ("loinc", "effective", "details", "effective_start", "effective_end")


def _retract(
    session: Session, row_type: type[Row], keyed: Keyed[Any], digest: str, stored: _Existing
) -> str:
    """Remove the record an entered-in-error result names (the audit trail keeps it)."""
    existing = (
        stored.by_key.get((keyed.key.system, keyed.key.value)) if keyed.key is not None else None
    )
    if existing is None:
        existing = stored.by_hash.get(digest)
    if existing is None:
        return "unchanged"  # never stored: nothing to retract
    if isinstance(existing, _Pending):
        stored.new.remove(existing)  # created by this same import: never inserted
    else:
        session.delete(existing)
    stored.by_key.pop((existing.key_system, existing.key_value), None)
    stored.by_hash.pop(existing.content_hash, None)
    stored.unidentified_by_hash.pop(existing.content_hash, None)
    return "retracted"


def _retract_key(session: Session, patient: PatientRow, key: SourceKey) -> str:
    """Remove whichever of his records carries ``key`` (entered in error at the source)."""
    for row_type in RECORD_TABLES:
        row = session.scalar(
            select(row_type).where(
                row_type.patient_id == patient.id,
                row_type.key_system == key.system,
                row_type.key_value == key.value,
            )
        )
        if row is not None:
            session.delete(row)
            session.flush()
            return "retracted"
    return "unchanged"


@dataclass(frozen=True)
class _Prepared:
    """One record as its row will be: values, content hash, its key (one minted for a
    record without one, used only if it is new) and its values as the audit trail keeps
    them, all computed from the record alone, before any transaction; for SQLite
    (``bound_for``) also the row bound as the driver takes it and its audit entry's JSON
    (``store._bulk``)."""

    keyed: Keyed[Any]
    values: dict[str, Any]
    digest: str
    key: SourceKey
    audit: dict[str, Any]
    bound: tuple[Any, ...] = ()
    audit_head: str = ""
    bound_for: Dialect | None = None


def _prepared(keyed: Keyed[Any], values: dict[str, Any], row_type: type[Any] | None = None,
              dialect: Dialect | None = None) -> _Prepared:
    digest = _content_hash(
        {k: v for k, v in values.items()
         if k not in (*_PRESENTATION, "status") and not (k in _LATER and v is None)}
    )
    key = keyed.key or SourceKey(URI_SYSTEM, f"urn:uuid:{uuid.uuid4()}")
    audit = {k: plain(v) for k, v in values.items()}
    if dialect is None or row_type is None or dialect.name != "sqlite":
        return _Prepared(keyed, values, digest, key, audit)
    ours = {"key_system": key.system, "key_value": key.value, "content_hash": digest}
    bound = _bulk.binder(row_type.__table__, dialect).bind({**values, **ours})
    return _Prepared(keyed, values, digest, key, audit, bound,
                     _bulk.audit_head({**audit, **ours}), dialect)


@dataclass(frozen=True)
class PreparedChart:
    """A chart with each record's row made (``prepare_chart``): what ``save_charts`` keeps
    with no more than lookups and inserts, so the write transaction of a large import is
    short (an import prepares its charts before it opens one)."""

    chart: Chart
    androgens: tuple[_Prepared, ...]
    medications: tuple[_Prepared, ...]
    labs: tuple[_Prepared, ...]
    semen: tuple[_Prepared, ...]


def prepare_chart(chart: Chart, dialect: Dialect | None = None) -> PreparedChart:
    """The rows of a chart's records, made holding no lock (``PreparedChart``); with the
    store's ``dialect`` (``store.engine.dialect``), bound for it as well (SQLite)."""
    return PreparedChart(
        chart,
        tuple(_prepared(a, _values(a.item, _ANDROGEN_FIELDS), AndrogenCourseRow, dialect)
              for a in chart.androgens),
        tuple(_prepared(m, _values(m.item, _MEDICATION_FIELDS), MedicationCourseRow, dialect)
              for m in chart.medications),
        tuple(_prepared(r, _lab_row_values(r), LabObservationRow, dialect) for r in chart.labs),
        tuple(_prepared(s, _semen_row_values(s), SemenAnalysisRow, dialect)
              for s in chart.semen),
    )


def _put(
    session: Session,
    patient: PatientRow,
    row_type: type[Row],
    keyed: Keyed[Any],
    values: dict[str, Any],
    existing_rows: _Existing | None = None,
) -> str:
    """Insert, update, retract or leave one record: ``created``, ``updated``, ``retracted``
    or ``unchanged``.

    A record comes back (unchanged or updated) under its key. A record without a key, or
    whose key is new but whose content equals a stored record that had no identity of its
    own (a case-file entry, a bundle entry with only a urn:uuid), is that record again: a
    re-import with re-minted urn:uuids changes nothing. An entered-in-error result removes
    the record it names; a corrected or amended one replaces its values (the audit trail
    keeps the old ones).
    """
    stored = existing_rows if existing_rows is not None else _Existing.load(
        session, row_type, patient)
    outcome = _put_one(patient, row_type, _prepared(keyed, values), stored, session)
    if existing_rows is None:
        stored.insert(session)
    return outcome


def _put_one(
    patient: PatientRow,
    row_type: type[Row],
    prepared: _Prepared,
    stored: _Existing,
    session: Session,
) -> str:
    keyed, values, digest = prepared.keyed, prepared.values, prepared.digest
    if keyed.status == RETRACTED:
        return _retract(session, row_type, keyed, digest, stored)
    if keyed.key is not None:
        existing = stored.by_key.get((keyed.key.system, keyed.key.value))
        if existing is None:
            existing = stored.unidentified_by_hash.get(digest)
            if existing is not None:
                return "unchanged"
    else:
        existing = stored.by_hash.get(digest)
    if existing is not None:
        # The LOINC a source coded it with is not a change (our export adds the catalogue's).
        if all(getattr(existing, k) == v for k, v in values.items() if k != "loinc"):
            return "unchanged"
        for name in _IDENTITY[row_type.__tablename__]:
            if getattr(existing, name) != values[name]:
                raise InputFileError(
                    "identifier",
                    _shown_key(existing.key_system, existing.key_value),
                    f"one identifier per record: it names a stored {row_type.__tablename__} "
                    f"of {name} {getattr(existing, name)!r}, this one is {values[name]!r}",
                )
        for name, value in values.items():
            if getattr(existing, name) != value:
                setattr(existing, name, value)
        stored.by_hash.pop(existing.content_hash, None)
        existing.content_hash = digest
        stored.by_hash[digest] = existing
        return "updated"
    key = prepared.key
    row = _Pending({
        "patient_id": patient.id,
        "key_system": key.system,
        "key_value": key.value,
        "content_hash": digest,
        **values,
    }, prepared)
    stored.new.append(row)
    stored.by_key[(key.system, key.value)] = row
    stored.by_hash[digest] = row
    if keyed.key is None:
        stored.unidentified_by_hash[digest] = row
    return "created"


_DAY = dt.timedelta(days=1)


def _effective_range(keyed: Keyed[Any]) -> tuple[dt.datetime, dt.datetime]:
    """The range its effective time covers, naive UTC (a plain day without the parsing:
    5,000 results of an import are mostly days)."""
    if not keyed.effective:
        day = keyed.item.date
        start = dt.datetime(day.year, day.month, day.day)
        return start, start + _DAY
    span = stored_span(keyed.item.date, keyed.effective)
    return naive_utc(span.start), naive_utc(span.end)


def _observation_values(keyed: Keyed[Any]) -> dict[str, Any]:
    start, end = _effective_range(keyed)
    return {
        "status": keyed.status or "final",
        "effective": dict(keyed.effective) if keyed.effective else None,
        "details": dict(keyed.details) if keyed.details else None,
        "effective_start": start,
        "effective_end": end,
    }


def _semen_row_values(keyed: Keyed[SemenAnalysis]) -> dict[str, Any]:
    return {**_semen_values(keyed.item), **_observation_values(keyed)}


def _lab_row_values(keyed: Keyed[LabResult]) -> dict[str, Any]:
    return {**_lab_values(keyed.item), "loinc": keyed.code, **_observation_values(keyed)}


def save_chart(session: Session, chart: Chart, *, clinic: str = DEFAULT_CLINIC) -> SaveSummary:
    """Add or merge a chart: new records are inserted, known ones (same key) updated if changed.

    Patient fields that the chart leaves empty keep their stored value; conditions add up.
    """
    summary = SaveSummary()
    save_charts(session, (chart,), clinic=clinic, summary=summary)
    return summary


def save_charts(
    session: Session,
    charts: Iterable[Chart | PreparedChart],
    *,
    clinic: str = DEFAULT_CLINIC,
    summary: SaveSummary | None = None,
) -> SaveSummary:
    """``save_chart`` for several patients in the caller's one transaction (charts
    ``prepare_chart`` made beforehand are kept with lookups and inserts only)."""
    summary = summary if summary is not None else SaveSummary()
    clinic_row = ensure_clinic(session, clinic)
    for given in charts:
        prepared = given if isinstance(given, PreparedChart) else prepare_chart(given)
        chart = prepared.chart
        patient = _upsert_patient(session, chart, clinic_row, summary)
        before = (summary.created, summary.updated, summary.retracted)
        for key in chart.retracted:
            summary.count(_retract_key(session, patient, key))
        tables: tuple[tuple[type[Any], tuple[_Prepared, ...]], ...] = (
            (AndrogenCourseRow, prepared.androgens),
            (MedicationCourseRow, prepared.medications),
            (LabObservationRow, prepared.labs),
            (SemenAnalysisRow, prepared.semen),
        )
        for row_type, records in tables:
            existing = _Existing.load(session, row_type, patient)
            for record in records:
                summary.count(_put_one(patient, row_type, record, existing, session))
            existing.insert(session)
        if (summary.created, summary.updated, summary.retracted) != before:
            _touch(patient)
        session.flush()
    return summary


def add_lab_results(
    session: Session,
    identifier: str,
    results: Iterable[Keyed[LabResult]],
    *,
    clinic: str = DEFAULT_CLINIC,
) -> SaveSummary:
    """New laboratory results for a patient already in the store."""
    patient = find_patient(session, identifier, clinic=clinic, lock=True)
    summary = SaveSummary()
    existing = _Existing.load(session, LabObservationRow, patient)
    for keyed in results:
        values = _lab_row_values(keyed)
        summary.count(_put(session, patient, LabObservationRow, keyed, values, existing))
    existing.insert(session)
    if summary.created or summary.updated or summary.retracted:
        _touch(patient)
    session.flush()
    return summary


def update_patient(
    session: Session, identifier: str, *, clinic: str = DEFAULT_CLINIC, **values: Any
) -> PatientRow:
    """Change patient fields (``bmi=31.2``); the row is locked, read and written in one go."""
    patient = find_patient(session, identifier, clinic=clinic, lock=True)
    for name, value in values.items():
        if name not in _PATIENT_FIELDS:
            raise UnknownCodeError("patient field", name, f"one of {', '.join(_PATIENT_FIELDS)}")
        setattr(patient, name, value)
    _touch(patient)
    session.flush()
    return patient


_PATIENT_FIELDS = ("goal", "age_years", "bmi", "testis_left_ml", "testis_right_ml", "ethnicity",
                   "partner_age_years", "goal_within_months")


# -- reading ----------------------------------------------------------------------------------


def _rows(session: Session, row_type: type[Row], patient: PatientRow) -> Sequence[Row]:
    return session.scalars(
        select(row_type).where(row_type.patient_id == patient.id).order_by(row_type.id)
    ).all()


def _key(row: Any) -> SourceKey:
    return SourceKey(row.key_system, row.key_value)


def keyed_labs(rows: Iterable[LabObservationRow]) -> tuple[Keyed[LabResult], ...]:
    """Stored laboratory results with their keys, by date (then as stored)."""
    return tuple(sorted((Keyed(_lab_result(r), _key(r), r.loinc, *_observation_of(r))
                         for r in rows), key=lambda k: k.item.date))


def keyed_semen(rows: Iterable[SemenAnalysisRow]) -> tuple[Keyed[SemenAnalysis], ...]:
    """Stored semen analyses with their keys, by date (then as stored)."""
    return tuple(sorted((Keyed(_semen_analysis(r), _key(r), None, *_observation_of(r))
                         for r in rows), key=lambda k: k.item.date))


def load_chart(session: Session, identifier: str, *, clinic: str = DEFAULT_CLINIC) -> Chart:
    """The stored chart of a patient, each record with its source key."""
    patient = find_patient(session, identifier, clinic=clinic)
    labs = keyed_labs(_rows(session, LabObservationRow, patient))
    semen = keyed_semen(_rows(session, SemenAnalysisRow, patient))
    return replace(
        bare_chart(patient),
        androgens=tuple(
            Keyed(AndrogenUse(**_values(r, _ANDROGEN_FIELDS)), _key(r))
            for r in _rows(session, AndrogenCourseRow, patient)
        ),
        medications=tuple(
            Keyed(MedicationUse(**_values(r, _MEDICATION_FIELDS)), _key(r))
            for r in _rows(session, MedicationCourseRow, patient)
        ),
        labs=labs,
        semen=semen,
    )


def bare_chart(patient: PatientRow) -> Chart:
    """A patient's chart without his records (who he is: identity, names, birth date)."""
    testes = (
        None
        if patient.testis_left_ml is None and patient.testis_right_ml is None
        else (patient.testis_left_ml, patient.testis_right_ml)
    )
    return Chart(
        patient=Patient(
            id=patient.identifier,
            age_years=patient.age_years,
            bmi=patient.bmi,
            testis_volume_ml=testes,
            ethnicity=patient.ethnicity,
        ),
        goal=cast(Goal, patient.goal),
        conditions=tuple(patient.conditions),
        patient_key=(
            SourceKey(patient.identifier_system, patient.identifier)
            if patient.identifier_system
            else None
        ),
        birth_date=patient.birth_date,
        gender=patient.gender,
        partner_age_years=patient.partner_age_years,
        goal_within_months=patient.goal_within_months,
        partner_evaluation=patient.partner_evaluation,
        infertility_months=patient.infertility_months,
        children=patient.children,
        names=tuple(patient.names or ()),
        exam=exam_of(patient.exam),
        gonadotoxic=gonadotoxic_of(patient.gonadotoxic),
    )


def patient_charts(session: Session, *, clinic: str = DEFAULT_CLINIC) -> list[tuple[Chart, int]]:
    """Every patient of a clinic as a chart without records, with his record version (one
    query: what a search over patients reads)."""
    rows = session.scalars(
        select(PatientRow)
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .where(ClinicRow.name == clinic)
        .order_by(PatientRow.identifier)
    ).all()
    return [(bare_chart(row), row.version) for row in rows]


def _observation_of(
    row: LabObservationRow | SemenAnalysisRow,
) -> tuple[str | None, Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """Status (None when final), effective and details of a stored result, for Keyed."""
    return (None if row.status == "final" else row.status), row.effective, row.details


def list_patients(session: Session, *, clinic: str = DEFAULT_CLINIC) -> list[PatientSummary]:
    """Every patient of a clinic with counts of his records, by identifier."""
    labs = (
        select(
            LabObservationRow.patient_id,
            func.count().label("n"),
            func.max(LabObservationRow.date).label("last"),
        )
        .group_by(LabObservationRow.patient_id)
        .subquery()
    )
    semen = (
        select(
            SemenAnalysisRow.patient_id,
            func.count().label("n"),
            func.max(SemenAnalysisRow.date).label("last"),
        )
        .group_by(SemenAnalysisRow.patient_id)
        .subquery()
    )
    query = (
        select(PatientRow, labs.c.n, labs.c.last, semen.c.n, semen.c.last)
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .outerjoin(labs, labs.c.patient_id == PatientRow.id)
        .outerjoin(semen, semen.c.patient_id == PatientRow.id)
        .where(ClinicRow.name == clinic)
        .order_by(PatientRow.identifier)
    )
    out = []
    for patient, n_labs, last_lab, n_semen, last_semen in session.execute(query):
        dates = [d for d in (last_lab, last_semen) if d is not None]
        out.append(
            PatientSummary(
                identifier=patient.identifier,
                clinic=clinic,
                goal=patient.goal,
                age_years=patient.age_years,
                lab_results=n_labs or 0,
                semen_analyses=n_semen or 0,
                last_result=max(dates) if dates else None,
                version=patient.version,
            )
        )
    return out


def save_assessment(
    session: Session,
    identifier: str,
    payload: Mapping[str, Any],
    *,
    as_of: dt.date,
    clinic: str = DEFAULT_CLINIC,
) -> int:
    """Keep an assessment (``Assessment.to_dict()``) made as of ``as_of``; returns its id."""
    patient = find_patient(session, identifier, clinic=clinic, lock=True)
    row = AssessmentRow(
        patient_id=patient.id,
        as_of=as_of,
        androcast_version=__version__,
        payload=json.loads(json.dumps(payload, default=str)),
    )
    session.add(row)
    session.flush()
    return row.id


def latest_assessment(
    session: Session, identifier: str, *, clinic: str = DEFAULT_CLINIC
) -> Mapping[str, Any] | None:
    """The most recently stored assessment of a patient, if any."""
    patient = find_patient(session, identifier, clinic=clinic)
    row = session.scalar(
        select(AssessmentRow)
        .where(AssessmentRow.patient_id == patient.id)
        .order_by(AssessmentRow.id.desc())
        .limit(1)
    )
    return None if row is None else row.payload


def audit_trail(session: Session, *, patient_id: int | None = None) -> list[AuditEntry]:
    """The audit log, oldest first (optionally one patient's rows only)."""
    query = select(AuditRow).order_by(AuditRow.id)
    if patient_id is not None:
        query = query.where(AuditRow.patient_id == patient_id)
    return [
        AuditEntry(r.at, r.actor, r.action, r.table_name, r.row_id, r.patient_id, dict(r.changes))
        for r in session.scalars(query)
    ]
