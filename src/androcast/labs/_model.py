"""The Case: a patient, his history, laboratory results and semen analyses (frozen data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from androcast.labs._catalogue import ReferenceInterval

Censor = Literal["<", ">"]
Goal = Literal["fertility", "testosterone", "both"]
Flag = Literal["low", "normal", "high", "indeterminate", "no_interval"]


@dataclass(frozen=True)
class Patient:
    id: str
    age_years: float | None
    bmi: float | None
    testis_volume_ml: tuple[float | None, float | None] | None  # (left, right)
    ethnicity: str | None  # e.g. "asian", "white", "other"


@dataclass(frozen=True)
class AndrogenUse:
    """One androgen (TRT or AAS) course; ``stop`` None means still taking it."""

    agent: str
    dose: float
    dose_unit: str  # "mg", "IU", "ug"
    every_d: float
    start: dt.date | None
    stop: dt.date | None
    route: str | None = None  # None = the drug's usual route


@dataclass(frozen=True)
class MedicationCourse:
    """A non-androgen drug or drug class he takes or took (``stop`` None = still taking).

    The code form of a case file (``medications: [opioid]``) is a course with nothing but
    its code: a drug listed without dates is one he takes now.
    """

    agent: str
    name: str | None = None  # the product within a class (methadone, tamsulosin)
    dose: float | None = None
    dose_unit: str | None = None  # "mg", "ug", "IU"
    every_d: float | None = None
    start: dt.date | None = None
    stop: dt.date | None = None

    def current(self, as_of: dt.date) -> bool:
        """Taken on ``as_of``: no stop date, or a stop date after it."""
        started = self.start is None or self.start <= as_of
        return started and (self.stop is None or self.stop > as_of)


GonadotoxicType = Literal["chemotherapy", "radiotherapy", "other"]


@dataclass(frozen=True)
class GonadotoxicTreatment:
    """Past chemotherapy or radiotherapy (EXTENSIONS.md ``history.gonadotoxic_treatment``)."""

    type: GonadotoxicType
    regimen: str | None = None
    cycles: int | None = None
    field: str | None = None  # radiotherapy field
    dose_gy: float | None = None
    start: dt.date | None = None
    stop: dt.date | None = None
    sperm_banked_before: bool | None = None


@dataclass(frozen=True)
class Reproductive:
    infertility_months: float | None = None
    children: int | None = None  # 0 = primary infertility


@dataclass(frozen=True)
class History:
    androgens: tuple[AndrogenUse, ...]
    conditions: tuple[str, ...]
    medications: tuple[str, ...]  # the code of every medication listed, current or past
    courses: tuple[MedicationCourse, ...] = ()  # one per listed medication, with its dates
    gonadotoxic_treatment: tuple[GonadotoxicTreatment, ...] = ()
    reproductive: Reproductive | None = None

    def __post_init__(self) -> None:
        # A history built from codes alone (older callers) lists them as current courses.
        if self.medications and not self.courses:
            object.__setattr__(
                self, "courses", tuple(MedicationCourse(code) for code in self.medications)
            )


PartnerEvaluation = Literal["not_done", "pending", "normal", "abnormal"]


@dataclass(frozen=True)
class Partner:
    age_years: float | None = None
    evaluation: PartnerEvaluation | None = None


VasDeferens = Literal["palpable", "not_palpable", "thickened"]
VaricoceleGrade = Literal["none", "subclinical", "grade_1", "grade_2", "grade_3"]
VisualFields = Literal["full", "bitemporal_defect", "other_defect"]


@dataclass(frozen=True)
class Exam:
    """The clinician's examination (EXTENSIONS.md ``exam``); sides are (left, right)."""

    date: dt.date | None = None
    vas_deferens: tuple[VasDeferens | None, VasDeferens | None] | None = None
    varicocele: tuple[VaricoceleGrade | None, VaricoceleGrade | None] | None = None
    visual_fields: VisualFields | None = None


@dataclass(frozen=True)
class LabResult:
    """One result in the analyte's canonical unit, keeping what the laboratory reported.

    For a censored result (``"<0.2"``) ``value`` is the limit and ``censor`` its side.
    """

    analyte: str
    date: dt.date
    value: float
    unit: str
    censor: Censor | None
    reported_value: float
    reported_unit: str
    reference: ReferenceInterval  # in the canonical unit
    confirmed: bool = False  # the reporter vouched for an unusual value
    time: dt.time | None = None  # clock time the sample was drawn
    fasting: bool | None = None

    @property
    def display(self) -> str:
        """The value as a clinician reads it: ``<0.2`` or ``3.29``."""
        return f"{self.censor or ''}{self.value:.4g}"

    @property
    def flag(self) -> Flag:
        """Low, normal or high against ``reference`` (censoring respected)."""
        low, high = self.reference.low, self.reference.high
        if low is None and high is None:
            return "no_interval"
        if self.censor == "<":  # the true value lies below self.value
            if low is not None and self.value <= low:
                return "low"
            inside = low is None and high is not None and self.value <= high
            return "normal" if inside else "indeterminate"
        if self.censor == ">":  # the true value lies above self.value
            if high is not None and self.value >= high:
                return "high"
            inside = high is None and low is not None and self.value >= low
            return "normal" if inside else "indeterminate"
        if low is not None and self.value < low:
            return "low"
        if high is not None and self.value > high:
            return "high"
        return "normal"


@dataclass(frozen=True)
class PostEjaculateUrine:
    """Urine passed after the same ejaculation, examined for sperm (retrograde ejaculation)."""

    sperm_seen: bool | None = None
    total_sperm_million: float | None = None
    progressive_motility_pct: float | None = None


@dataclass(frozen=True)
class SemenAnalysis:
    date: dt.date
    volume_ml: float | None
    concentration_m_per_ml: float | None
    concentration_censor: Censor | None
    progressive_motility_pct: float | None
    total_motility_pct: float | None
    normal_forms_pct: float | None
    abstinence_days: float | None
    pellet_sperm_seen: bool | None = None  # sperm found only after centrifugation
    ph: float | None = None
    post_ejaculate_urine: PostEjaculateUrine | None = None

    @property
    def cryptozoospermia(self) -> bool:
        """No sperm in the fresh preparation but sperm in the centrifuged pellet (WHO)."""
        return self.concentration_m_per_ml == 0 and self.pellet_sperm_seen is True

    @property
    def total_count_m(self) -> float | None:
        """Total sperm number per ejaculate (10^6): volume x concentration."""
        if self.volume_ml is None or self.concentration_m_per_ml is None:
            return None
        return self.volume_ml * self.concentration_m_per_ml

    @property
    def tmsc_m(self) -> float | None:
        """Total motile sperm count (10^6): volume x concentration x progressive fraction.

        The Hamilton 2015 definition (WHO 2010 PR, grades A + B) [hamilton2015].
        """
        total = self.total_count_m
        if total is None or self.progressive_motility_pct is None:
            return None
        return total * self.progressive_motility_pct / 100.0


@dataclass(frozen=True)
class Case:
    patient: Patient
    goal: Goal
    history: History
    labs: tuple[LabResult, ...]  # sorted by date
    semen: tuple[SemenAnalysis, ...]  # sorted by date
    as_of: dt.date
    partner: Partner | None = None
    goal_within_months: float | None = None
    exam: Exam | None = None

    def current_medications(self) -> tuple[MedicationCourse, ...]:
        """The courses he is taking on the assessment date (part of his state)."""
        return tuple(c for c in self.history.courses if c.current(self.as_of))

    def series(self, analyte: str) -> tuple[LabResult, ...]:
        """Every result of ``analyte``, oldest first."""
        return tuple(result for result in self.labs if result.analyte == analyte)

    def latest(self, analyte: str) -> LabResult | None:
        """The most recent result of ``analyte`` (the last listed on the latest date)."""
        series = self.series(analyte)
        return series[-1] if series else None

    def latest_semen(self) -> SemenAnalysis | None:
        return self.semen[-1] if self.semen else None

    def androgen_stop_date(self) -> dt.date | None:
        """Last stop date of androgen use; None if never used or any course is ongoing."""
        courses = self.history.androgens
        if not courses or any(course.stop is None for course in courses):
            return None
        return max(course.stop for course in courses if course.stop is not None)
