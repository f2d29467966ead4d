"""The normalised laboratory panel of a case: what ``androcast labs`` renders."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from androcast import DISCLAIMER
from androcast.errors import UnknownCodeError
from androcast.labs._catalogue import ReferenceInterval, analyte, citation
from androcast.labs._model import Case, Censor, Flag, Goal, Patient
from androcast.labs.derived import DerivedValues, derive

# a bibliography key (bhasin2018, gavleborg_shbg) at the start of an interval's source text
# ("famhes (evidence lh.famhes_ri, flag V)", a laboratory's "famhes; verified 2024")
_CITATION_KEY = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class ResultRow:
    analyte: str
    name: str
    date: dt.date
    display: str  # canonical value as read, with censoring ("<0.2")
    value: float
    unit: str
    censor: Censor | None
    reported_value: float
    reported_unit: str
    reference: ReferenceInterval
    flag: Flag
    confirmed: bool


@dataclass(frozen=True)
class SemenRow:
    date: dt.date
    volume_ml: float | None
    concentration_m_per_ml: float | None
    concentration_censor: Censor | None
    progressive_motility_pct: float | None
    total_motility_pct: float | None
    normal_forms_pct: float | None
    abstinence_days: float | None
    total_count_m: float | None
    tmsc_m: float | None


@dataclass(frozen=True)
class LabReport:
    patient: Patient
    goal: Goal
    as_of: dt.date
    results: tuple[ResultRow, ...]
    semen: tuple[SemenRow, ...]
    derived: DerivedValues
    citations: dict[str, str]  # every key cited above -> full reference
    disclaimer: str


def _citation_keys(derived: DerivedValues, case: Case) -> list[str]:
    keys: list[str] = []
    for item in (
        derived.free_testosterone_pmol_per_l,
        derived.bioavailable_testosterone_nmol_per_l,
        derived.t_e2_ratio,
        derived.total_count_million,
        derived.tmsc_million,
        derived.homa_ir,
        derived.semen_who2010,
        derived.semen_who2021,
    ):
        if item is not None:
            keys.extend(item.citation)
    for result in case.labs:
        key = _CITATION_KEY.match(result.reference.source)
        if key:
            keys.append(key.group())
    return list(dict.fromkeys(keys))


def _resolve(keys: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in keys:
        try:
            out[key] = citation(key)
        except UnknownCodeError:
            continue  # a laboratory's own source text, not a bibliography key
    return out


def lab_report(case: Case) -> LabReport:
    """Every result in its canonical unit with its interval and flag, plus derived values."""
    results = tuple(
        ResultRow(
            analyte=r.analyte,
            name=analyte(r.analyte).name,
            date=r.date,
            display=r.display,
            value=r.value,
            unit=r.unit,
            censor=r.censor,
            reported_value=r.reported_value,
            reported_unit=r.reported_unit,
            reference=r.reference,
            flag=r.flag,
            confirmed=r.confirmed,
        )
        for r in case.labs
    )
    semen = tuple(
        SemenRow(
            s.date,
            s.volume_ml,
            s.concentration_m_per_ml,
            s.concentration_censor,
            s.progressive_motility_pct,
            s.total_motility_pct,
            s.normal_forms_pct,
            s.abstinence_days,
            s.total_count_m,
            s.tmsc_m,
        )
        for s in case.semen
    )
    derived = derive(case)
    return LabReport(
        patient=case.patient,
        goal=case.goal,
        as_of=case.as_of,
        results=results,
        semen=semen,
        derived=derived,
        citations=_resolve(_citation_keys(derived, case)),
        disclaimer=DISCLAIMER,
    )
