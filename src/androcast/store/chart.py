"""A patient's chart: the core's records (Patient, LabResult, ...) as the store keeps them.

The store persists what the core produced. A chart is that, plus where each record came from
(``SourceKey``: a FHIR identifier or fullUrl), so re-importing the same data changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast

from androcast.labs import (
    AndrogenUse,
    Case,
    Exam,
    GonadotoxicTreatment,
    History,
    LabResult,
    MedicationCourse,
    Partner,
    Patient,
    Reproductive,
    SemenAnalysis,
)

T = TypeVar("T")
Goal = Literal["fertility", "testosterone", "both"]

#: The system of identifiers that are URIs themselves (``urn:uuid:...``), as FHIR uses it.
URI_SYSTEM = "urn:ietf:rfc:3986"


@dataclass(frozen=True)
class SourceKey:
    """An identifier a record carries in other systems (FHIR ``identifier`` system and value)."""

    system: str
    value: str


@dataclass(frozen=True)
class Keyed(Generic[T]):
    """A record with the identifier it was imported under (None: match it by content)."""

    item: T
    key: SourceKey | None = None
    code: str | None = None  # the code the source used for it (a lab result's LOINC)
    #: The FHIR status of a result (registered, preliminary, final, amended, corrected,
    #: entered-in-error, unknown); None: final (a case file or form entry).
    status: str | None = None
    #: The effective time as the source gave it when a date alone does not say it:
    #: ``{"dateTime": "2025-10"}`` (partial), ``{"instant": ...}``, ``{"period": {...}}``.
    effective: Mapping[str, Any] | None = None
    #: FHIR elements kept for the export: interpretation, performer, note, issued, method.
    details: Mapping[str, Any] | None = None


RETRACTED = "entered-in-error"


@dataclass(frozen=True)
class MedicationUse:
    """A non-androgen drug from the catalogue (restoration drug or medication class) taken.

    Dose and schedule are optional: a history often only says *that* a drug was taken.
    """

    code: str
    start: dt.date | None = None
    stop: dt.date | None = None
    dose: float | None = None
    dose_unit: str | None = None
    every_d: float | None = None


@dataclass(frozen=True)
class Chart:
    """Everything the store knows of one man, as core records."""

    patient: Patient
    goal: Goal
    androgens: tuple[Keyed[AndrogenUse], ...] = ()
    medications: tuple[Keyed[MedicationUse], ...] = ()
    conditions: tuple[str, ...] = ()
    labs: tuple[Keyed[LabResult], ...] = ()
    semen: tuple[Keyed[SemenAnalysis], ...] = ()
    patient_key: SourceKey | None = None
    birth_date: dt.date | None = None
    gender: str | None = None  # FHIR administrative gender as given; None: not stated
    names: tuple[Mapping[str, Any], ...] = ()  # FHIR HumanName elements as given
    #: Source keys of records the source says were entered in error: removed on save.
    retracted: tuple[SourceKey, ...] = ()
    #: The couple's goal: the female partner's age and the months they hope to conceive in
    partner_age_years: float | None = None
    goal_within_months: float | None = None
    #: The partner's evaluation and the couple's reproductive history (case file's
    #: partner.evaluation and history.reproductive)
    partner_evaluation: str | None = None
    infertility_months: float | None = None
    children: int | None = None
    #: The clinician's examination and past chemotherapy or radiotherapy (case file's exam
    #: and history.gonadotoxic_treatment)
    exam: Exam | None = None
    gonadotoxic: tuple[GonadotoxicTreatment, ...] = ()

    def to_case(self, *, as_of: dt.date) -> Case:
        """The Case the core works on (records after ``as_of`` are left out)."""
        medications = [m for m in self.medications if m.status != RETRACTED]
        codes = tuple(dict.fromkeys(m.item.code for m in medications))
        courses = tuple(
            MedicationCourse(
                agent=m.item.code,
                dose=m.item.dose,
                dose_unit=m.item.dose_unit,
                every_d=m.item.every_d,
                start=m.item.start,
                stop=m.item.stop,
            )
            for m in medications
        )
        return Case(
            patient=self.patient,
            goal=self.goal,
            history=History(
                tuple(a.item for a in self.androgens if a.status != RETRACTED),
                self.conditions,
                codes,
                courses,
                reproductive=(
                    None if self.infertility_months is None and self.children is None
                    else Reproductive(self.infertility_months, self.children)),
                gonadotoxic_treatment=self.gonadotoxic,
            ),
            labs=tuple(
                sorted(
                    (
                        r.item
                        for r in self.labs
                        if r.item.date <= as_of and r.status != RETRACTED
                    ),
                    key=lambda r: r.date,
                )
            ),
            semen=tuple(
                sorted(
                    (
                        s.item
                        for s in self.semen
                        if s.item.date <= as_of and s.status != RETRACTED
                    ),
                    key=lambda s: s.date,
                )
            ),
            as_of=as_of,
            partner=(None if self.partner_age_years is None and self.partner_evaluation is None
                     else Partner(age_years=self.partner_age_years,
                                  evaluation=cast(Any, self.partner_evaluation))),
            goal_within_months=self.goal_within_months,
            exam=self.exam,
        )


def chart_from_case(case: Case) -> Chart:
    """A case file's content as a chart (no source identifiers: records match by content)."""
    return Chart(
        patient=case.patient,
        goal=case.goal,
        androgens=tuple(Keyed(a) for a in case.history.androgens),
        medications=tuple(
            Keyed(MedicationUse(c.agent, c.start, c.stop, c.dose, c.dose_unit, c.every_d))
            for c in case.history.courses
        ),
        conditions=case.history.conditions,
        labs=tuple(Keyed(r) for r in case.labs),
        semen=tuple(Keyed(s) for s in case.semen),
        **couple_of(case),
    )


def couple_of(case: Case) -> dict[str, Any]:
    """The couple's part of a chart from a case: the partner, the goal's horizon and their
    reproductive history, with his examination and gonadotoxic treatment (the fields every
    way into the store carries alike)."""
    partner, reproductive = case.partner, case.history.reproductive
    return {
        "exam": case.exam,
        "gonadotoxic": case.history.gonadotoxic_treatment,
        "partner_age_years": None if partner is None else partner.age_years,
        "goal_within_months": case.goal_within_months,
        "partner_evaluation": None if partner is None else partner.evaluation,
        "infertility_months": None if reproductive is None else reproductive.infertility_months,
        "children": None if reproductive is None else reproductive.children,
    }


# -- the examination and gonadotoxic treatment as the store keeps them (JSON) -----------------


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(text: Any) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def exam_json(exam: Exam | None) -> dict[str, Any] | None:
    """His examination as the patient row keeps it (the case file's keys)."""
    if exam is None:
        return None
    return {"date": _iso(exam.date),
            "vas_deferens": None if exam.vas_deferens is None else list(exam.vas_deferens),
            "varicocele": None if exam.varicocele is None else list(exam.varicocele),
            "visual_fields": exam.visual_fields}


def exam_of(data: Mapping[str, Any] | None) -> Exam | None:
    if data is None:
        return None
    vasa, varicocele = data.get("vas_deferens"), data.get("varicocele")
    return Exam(date=_day(data.get("date")),
                vas_deferens=None if vasa is None else cast(Any, tuple(vasa)),
                varicocele=None if varicocele is None else cast(Any, tuple(varicocele)),
                visual_fields=data.get("visual_fields"))


_GONADOTOXIC = ("type", "regimen", "cycles", "field", "dose_gy", "sperm_banked_before")


def gonadotoxic_json(treatments: tuple[GonadotoxicTreatment, ...]) -> list[dict[str, Any]] | None:
    """His gonadotoxic treatments as the patient row keeps them (the case file's keys)."""
    if not treatments:
        return None
    return [{**{k: getattr(t, k) for k in _GONADOTOXIC},
             "start": _iso(t.start), "stop": _iso(t.stop)} for t in treatments]


def gonadotoxic_of(data: list[Mapping[str, Any]] | None) -> tuple[GonadotoxicTreatment, ...]:
    return tuple(
        GonadotoxicTreatment(**cast(dict[str, Any], {k: d.get(k) for k in _GONADOTOXIC}),
                             start=_day(d.get("start")), stop=_day(d.get("stop")))
        for d in data or ()
    )
