"""A clinic's results chosen by query: what the FHIR API's Observation search reads.

The patient, code, date and status of a search are SQL conditions on the result tables,
always joined to the clinic (tenancy), so a search reads the rows it may return, not every
result of every patient. Code conditions may return more rows than the caller wants (a
result stored without a LOINC is found by its analyte; a semen analysis by the parameters
it measured): the caller checks the exact code of each resource it writes. Dates follow
R4 search on the stored ranges (``spans.DateParam``, ``effective_start``/``effective_end``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, false, not_, or_, select, true
from sqlalchemy.orm import Session

from androcast.store.chart import Chart
from androcast.store.records import DEFAULT_CLINIC, bare_chart, keyed_labs, keyed_semen
from androcast.store.schema import ClinicRow, LabObservationRow, PatientRow, SemenAnalysisRow
from androcast.store.spans import DateParam, naive_utc


@dataclass(frozen=True)
class CodeMatch:
    """The results one code of a search may name: laboratory results stored with one of
    ``loincs`` or, stored without a LOINC, of one of ``analytes`` (every one: ``all_labs``);
    semen analyses, every one (``all_semen``) or those that measured one of
    ``semen_fields`` (column names)."""

    loincs: frozenset[str] = frozenset()
    analytes: frozenset[str] = frozenset()
    all_labs: bool = False
    all_semen: bool = False
    semen_fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ResultQuery:
    """Each tuple of alternatives ORs; the tuples AND (a search's repeated parameters)."""

    identifiers: frozenset[str] | None = None  # his patients; None: every patient
    codes: tuple[tuple[CodeMatch, ...], ...] = ()
    dates: tuple[tuple[DateParam, ...], ...] = ()
    statuses: tuple[tuple[str, ...], ...] = ()
    semen_only: bool = False  # semen analyses alone (the DiagnosticReports that group them)


Row = LabObservationRow | SemenAnalysisRow


def _date_clause(row: type[Row], wanted: DateParam) -> ColumnElement[bool]:
    """``DateParam.matches`` as SQL on the stored range (R4 search, 3.1.1.4.2)."""
    start, end = row.effective_start, row.effective_end
    low, high = naive_utc(wanted.span.start), naive_utc(wanted.span.end)
    contains = and_(start >= low, end <= high)
    return {
        "eq": contains,
        "ne": not_(contains),
        "gt": end > high,
        "sa": start >= high,
        "lt": start < low,
        "eb": end <= low,
        "ge": or_(contains, end > high),
        "le": or_(contains, start < low),
    }[wanted.prefix]


def _lab_code(match: CodeMatch) -> ColumnElement[bool]:
    if match.all_labs:
        return true()
    row = LabObservationRow
    return or_(row.loinc.in_(sorted(match.loincs)),
               and_(row.loinc.is_(None), row.analyte.in_(sorted(match.analytes))))


def _semen_code(match: CodeMatch) -> ColumnElement[bool]:
    if match.all_semen:
        return true()
    measured = [getattr(SemenAnalysisRow, name).is_not(None) for name in sorted(match.semen_fields)]
    return or_(*measured) if measured else false()


def _conditions(row: type[Row], query: ResultQuery) -> list[ColumnElement[bool]]:
    code = _lab_code if row is LabObservationRow else _semen_code
    out: list[ColumnElement[bool]] = []
    for matches in query.codes:
        out.append(or_(*(code(m) for m in matches)) if matches else false())
    for dates in query.dates:
        out.append(or_(*(_date_clause(row, d) for d in dates)) if dates else false())
    for statuses in query.statuses:
        out.append(row.status.in_(sorted(statuses)))
    return out


def _wanted(row: type[Row], query: ResultQuery) -> bool:
    """False when the codes exclude the whole table (no query needed)."""
    if row is LabObservationRow:
        if query.semen_only:
            return False
        return all(any(m.all_labs or m.loincs or m.analytes for m in ms) for ms in query.codes)
    return all(any(m.all_semen or m.semen_fields for m in ms) for ms in query.codes)


R = TypeVar("R", LabObservationRow, SemenAnalysisRow)


def _selected(session: Session, row: type[R], query: ResultQuery,
              patient_where: list[ColumnElement[bool]]) -> Sequence[R]:
    """The rows of one table the query selects, of the patients ``patient_where`` names."""
    if not _wanted(row, query):
        return ()
    return session.scalars(
        select(row)
        .join(PatientRow, row.patient_id == PatientRow.id)
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .where(*patient_where, *_conditions(row, query))
        .order_by(row.id)
    ).all()


def result_charts(session: Session, query: ResultQuery, *, clinic: str = DEFAULT_CLINIC
                  ) -> list[Chart]:
    """Every patient of ``clinic`` with a result the query selects, as a chart holding only
    those results (laboratory results and semen analyses), by identifier."""
    if query.identifiers is not None and not query.identifiers:
        return []
    patient_where: list[ColumnElement[bool]] = [ClinicRow.name == clinic]
    if query.identifiers is not None:
        patient_where.append(PatientRow.identifier.in_(sorted(query.identifiers)))
    found: dict[int, dict[str, list[Any]]] = {}
    for kind, rows in (("labs", _selected(session, LabObservationRow, query, patient_where)),
                       ("semen", _selected(session, SemenAnalysisRow, query, patient_where))):
        for r in rows:
            found.setdefault(r.patient_id, {"labs": [], "semen": []})[kind].append(r)
    if not found:
        return []
    patients = session.scalars(
        select(PatientRow).where(PatientRow.id.in_(sorted(found))).order_by(PatientRow.identifier)
    ).all()
    return [replace(bare_chart(p), labs=keyed_labs(found[p.id]["labs"]),
                    semen=keyed_semen(found[p.id]["semen"])) for p in patients]


def patient_identifiers(session: Session, *, clinic: str = DEFAULT_CLINIC) -> list[str]:
    """The identifiers of a clinic's patients (one column, one query)."""
    return list(session.scalars(
        select(PatientRow.identifier)
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .where(ClinicRow.name == clinic)
        .order_by(PatientRow.identifier)
    ))



def patient_entry(session: Session, identifier: str, *, clinic: str = DEFAULT_CLINIC
                  ) -> tuple[Chart, int] | None:
    """One patient of ``clinic`` without his records, with his record version (None: no such
    patient in this clinic)."""
    row = session.scalar(
        select(PatientRow)
        .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
        .where(ClinicRow.name == clinic, PatientRow.identifier == identifier)
    )
    return None if row is None else (bare_chart(row), row.version)
