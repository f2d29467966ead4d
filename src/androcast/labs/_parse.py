"""Case files (YAML or JSON) into a validated, frozen Case."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from androcast.errors import DateError, InputFileError, LabValueError, UnknownCodeError
from androcast.labs import _fields
from androcast.labs._catalogue import ReferenceInterval, analyte
from androcast.labs._history import parse_history
from androcast.labs._model import (
    Case,
    Exam,
    Goal,
    History,
    LabResult,
    Partner,
    PartnerEvaluation,
    Patient,
    SemenAnalysis,
    VaricoceleGrade,
    VasDeferens,
    VisualFields,
)
from androcast.labs._results import parse_result, reference_interval
from androcast.labs._semen_parse import parse_semen

CASE_KEYS = (
    "patient",
    "goal",
    "goal_within_months",
    "partner",
    "exam",
    "history",
    "labs",
    "semen",
    "reference_intervals",
)
PARTNER_KEYS = ("age_years", "evaluation")
PARTNER_EVALUATIONS: tuple[PartnerEvaluation, ...] = ("not_done", "pending", "normal", "abnormal")
EXAM_KEYS = ("date", "vas_deferens", "varicocele", "visual_fields")
VAS_DEFERENS: tuple[VasDeferens, ...] = ("palpable", "not_palpable", "thickened")
VARICOCELE_GRADES: tuple[VaricoceleGrade, ...] = (
    "none",
    "subclinical",
    "grade_1",
    "grade_2",
    "grade_3",
)
VISUAL_FIELDS: tuple[VisualFields, ...] = ("full", "bitemporal_defect", "other_defect")
GOAL_HORIZON_MONTHS = (0.0, 240.0)  # androcast_bounds: beyond any couple's plan
PATIENT_KEYS = ("id", "age_years", "bmi", "testis_volume_ml", "ethnicity")
GOALS: tuple[Goal, ...] = ("fertility", "testosterone", "both")
ETHNICITIES = ("asian", "white", "black", "hispanic", "other")
TESTIS_VOLUME_ML = (0.0, 80.0)  # androcast_bounds: beyond any adult testis


def _testis_volume(raw: Any, field: str) -> tuple[float | None, float | None] | None:
    low, high = TESTIS_VOLUME_ML
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        _fields.only_keys(raw, ("left", "right"), field)
        return (
            _fields.bounded(raw.get("left"), f"{field}.left", low, high, "mL"),
            _fields.bounded(raw.get("right"), f"{field}.right", low, high, "mL"),
        )
    if isinstance(raw, list | tuple) and len(raw) == 2:
        return (
            _fields.bounded(raw[0], f"{field}[0]", low, high, "mL"),
            _fields.bounded(raw[1], f"{field}[1]", low, high, "mL"),
        )
    both = _fields.bounded(raw, field, low, high, "mL", allow_none=False)
    return both, both


def _patient(raw: Any) -> Patient:
    if raw is None:
        raise InputFileError("patient", None, "a patient section, e.g. patient: {id: P001}")
    data = _fields.mapping(raw, "patient", "a mapping, e.g. {id: P001, age_years: 38}")
    _fields.only_keys(data, PATIENT_KEYS, "patient")
    identifier = _fields.identifier(data.get("id"), "patient.id")
    ethnicity = data.get("ethnicity")
    if ethnicity is not None and ethnicity not in ETHNICITIES:
        raise UnknownCodeError("patient.ethnicity", ethnicity, f"one of {', '.join(ETHNICITIES)}")
    return Patient(
        id=identifier,
        age_years=_fields.bounded(data.get("age_years"), "patient.age_years", 10, 120, "years"),
        bmi=_fields.bounded(data.get("bmi"), "patient.bmi", 10, 100, "kg/m2"),
        testis_volume_ml=_testis_volume(data.get("testis_volume_ml"), "patient.testis_volume_ml"),
        ethnicity=ethnicity,
    )


def _goal(raw: Any) -> Goal:
    for goal in GOALS:
        if raw == goal:
            return goal
    if raw is None:
        return "fertility"
    raise UnknownCodeError("goal", raw, f"one of {', '.join(GOALS)}")


def _lab_intervals(raw: Any) -> dict[str, ReferenceInterval]:
    if raw is None:
        return {}
    data = _fields.mapping(raw, "reference_intervals", "a mapping of analyte -> interval")
    out: dict[str, ReferenceInterval] = {}
    for key, interval in data.items():
        entry = analyte(key, field=f"reference_intervals.{key}")
        out[entry.key] = reference_interval(
            entry.key, interval, f"reference_intervals.{key}", default_source="laboratory"
        )
    return out


def _partner(raw: Any) -> Partner | None:
    if raw is None:
        return None
    data = _fields.mapping(raw, "partner", "a mapping, e.g. {age_years: 34}")
    problems = _fields.Problems()
    problems.check(_fields.only_keys, data, PARTNER_KEYS, "partner")
    age = problems.check(
        _fields.bounded, data.get("age_years"), "partner.age_years", 10, 80, "years"
    )
    evaluation = None
    if data.get("evaluation") is not None:
        evaluation = problems.check(
            _fields.code, data.get("evaluation"), "partner.evaluation", PARTNER_EVALUATIONS
        )
    problems.raise_if_any("partner")
    return Partner(age, next((e for e in PARTNER_EVALUATIONS if e == evaluation), None))


def _goal_within_months(raw: Any) -> float | None:
    if raw is None:
        return None
    low, high = GOAL_HORIZON_MONTHS
    months = _fields.bounded(raw, "goal_within_months", low, high, "months", allow_none=False)
    if months is None or months <= 0:
        raise LabValueError("goal_within_months", raw, "a number of months greater than 0")
    return months


def _sides(raw: Any, field: str, known: tuple[str, ...], problems: _fields.Problems) -> Any:
    """A ``{left, right}`` mapping of codes as (left, right)."""
    if raw is None:
        return None
    data = problems.check(_fields.mapping, raw, field, "a mapping with left and right")
    if data is None:
        return None
    problems.check(_fields.only_keys, data, ("left", "right"), field)
    return tuple(
        None
        if data.get(side) is None
        else problems.check(_fields.code, data.get(side), f"{field}.{side}", known)
        for side in ("left", "right")
    )


def _exam(raw: Any, as_of: dt.date) -> Exam | None:
    if raw is None:
        return None
    data = _fields.mapping(raw, "exam", "a mapping, e.g. {date: 2026-10-02, visual_fields: full}")
    problems = _fields.Problems()
    problems.check(_fields.only_keys, data, EXAM_KEYS, "exam")
    when = problems.check(_fields.optional_date, data.get("date"), "exam.date", as_of=as_of)
    vasa = _sides(data.get("vas_deferens"), "exam.vas_deferens", VAS_DEFERENS, problems)
    varicocele = _sides(data.get("varicocele"), "exam.varicocele", VARICOCELE_GRADES, problems)
    fields = None
    if data.get("visual_fields") is not None:
        fields = problems.check(
            _fields.code, data.get("visual_fields"), "exam.visual_fields", VISUAL_FIELDS
        )
    problems.raise_if_any("exam")
    return Exam(when, vasa, varicocele, next((v for v in VISUAL_FIELDS if v == fields), None))


def parse_case(
    data: Mapping[str, Any], *, source: str = "case", as_of: dt.date | None = None
) -> Case:
    """Validate a case mapping (as read from YAML or JSON) into a Case.

    ``as_of`` (default today) is the date of the assessment: no date may lie after it.
    Every problem is named with its field (e.g. ``labs[3].unit``); all problems of a case
    are reported together: one problem raises its own AndrocastError, several raise
    :class:`androcast.errors.CaseProblems` listing each.
    """
    today = as_of or dt.date.today()
    body = _fields.mapping(data, source, "a mapping with a patient section")
    problems = _fields.Problems()
    problems.check(_fields.only_keys, body, CASE_KEYS, source)
    patient = problems.check(_patient, body.get("patient"))
    age = patient.age_years if patient is not None else None
    intervals = problems.check(_lab_intervals, body.get("reference_intervals")) or {}
    lab_items = problems.check(_fields.sequence, body.get("labs"), "labs", "a list of results")
    results = [
        problems.check(
            parse_result,
            item,
            f"labs[{index}]",
            as_of=today,
            lab_intervals=intervals,
            age_years=age,
        )
        for index, item in enumerate(lab_items or [])
    ]
    semen_items = problems.check(
        _fields.sequence, body.get("semen"), "semen", "a list of semen analyses"
    )
    semen = [
        problems.check(parse_semen, item, f"semen[{index}]", as_of=today)
        for index, item in enumerate(semen_items or [])
    ]
    goal = problems.check(_goal, body.get("goal"))
    horizon = problems.check(_goal_within_months, body.get("goal_within_months"))
    partner = problems.check(_partner, body.get("partner"))
    exam = problems.check(_exam, body.get("exam"), today)
    history = problems.check(parse_history, body.get("history"), as_of=today)
    if patient is not None:
        _after_birth(problems, patient, today, history, results, semen)
    problems.raise_if_any(source)
    assert patient is not None and goal is not None and history is not None
    return Case(
        patient=patient,
        goal=goal,
        history=history,
        labs=tuple(sorted((r for r in results if r is not None), key=lambda r: r.date)),
        semen=tuple(sorted((s for s in semen if s is not None), key=lambda s: s.date)),
        as_of=today,
        partner=partner,
        goal_within_months=horizon,
        exam=exam,
    )


def _after_birth(
    problems: _fields.Problems,
    patient: Patient,
    as_of: dt.date,
    history: History | None,
    labs: list[LabResult | None],
    semen: list[SemenAnalysis | None],
) -> None:
    """No result or androgen course before he was born (his age as of ``as_of``, give or
    take the year his age rounds away)."""
    if patient.age_years is None:
        return
    born_by = as_of - dt.timedelta(days=round((patient.age_years + 1.0) * 365.25))
    courses = history.androgens if history is not None else ()
    dated: list[tuple[str, dt.date | None]] = [
        *((f"labs[{i}].date", r.date if r else None) for i, r in enumerate(labs)),
        *((f"semen[{i}].date", s.date if s else None) for i, s in enumerate(semen)),
        *((f"history.androgens[{i}].start", a.start) for i, a in enumerate(courses)),
    ]
    expected = (
        f"a date after his birth (about {born_by.year + 1}, aged {patient.age_years:g} on "
        f"{as_of.isoformat()})"
    )
    for field, when in dated:
        if when is not None and when < born_by:
            problems.add(DateError(field, when.isoformat(), expected))


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputFileError(
            str(path), path.name, "a readable UTF-8 case file", hint=str(err)
        ) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        where = getattr(err, "problem_mark", None)
        position = f"line {where.line + 1}, column {where.column + 1}" if where else str(err)
        raise InputFileError(str(path), position, "valid YAML or JSON") from None


def load_case(path: str | Path, *, as_of: dt.date | None = None) -> Case:
    """Read a YAML or JSON case file and validate it (see ``parse_case``)."""
    file = Path(path)
    data = _read(file)
    if not isinstance(data, Mapping):
        raise InputFileError(
            str(path), type(data).__name__, "a mapping with a patient section at the top level"
        )
    return parse_case(data, source=file.name, as_of=as_of)
