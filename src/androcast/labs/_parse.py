"""Case files (YAML or JSON) into a validated, frozen Case."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from androcast.errors import DateError, InputFileError, UnknownCodeError
from androcast.labs import _fields
from androcast.labs._catalogue import ReferenceInterval, analyte
from androcast.labs._history import parse_history
from androcast.labs._model import Case, Goal, History, LabResult, Patient, SemenAnalysis
from androcast.labs._results import parse_result, reference_interval
from androcast.labs._semen_parse import parse_semen

CASE_KEYS = ("patient", "goal", "history", "labs", "semen", "reference_intervals")
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


def parse_case(
    data: Mapping[str, Any], *, source: str = "case", as_of: dt.date | None = None
) -> Case:
    """Validate a case mapping (as read from YAML or JSON) into a Case.

    ``as_of`` (default today) is the date of the assessment: no date may lie after it.
    Every problem raises an AndrocastError naming the field, e.g. ``labs[3].unit``.
    """
    today = as_of or dt.date.today()
    body = _fields.mapping(data, source, "a mapping with a patient section")
    _fields.only_keys(body, CASE_KEYS, source)
    patient = _patient(body.get("patient"))
    intervals = _lab_intervals(body.get("reference_intervals"))
    lab_items = _fields.sequence(body.get("labs"), "labs", "a list of results")
    results = [
        parse_result(
            item,
            f"labs[{index}]",
            as_of=today,
            lab_intervals=intervals,
            age_years=patient.age_years,
        )
        for index, item in enumerate(lab_items)
    ]
    semen_items = _fields.sequence(body.get("semen"), "semen", "a list of semen analyses")
    semen = [
        parse_semen(item, f"semen[{index}]", as_of=today) for index, item in enumerate(semen_items)
    ]
    history = parse_history(body.get("history"), as_of=today)
    _after_birth(patient, today, history, results, semen)
    return Case(
        patient=patient,
        goal=_goal(body.get("goal")),
        history=history,
        labs=tuple(sorted(results, key=lambda r: r.date)),
        semen=tuple(sorted(semen, key=lambda s: s.date)),
        as_of=today,
    )


def _after_birth(
    patient: Patient,
    as_of: dt.date,
    history: History,
    labs: list[LabResult],
    semen: list[SemenAnalysis],
) -> None:
    """No result or androgen course before he was born (his age as of ``as_of``, give or
    take the year his age rounds away)."""
    if patient.age_years is None:
        return
    born_by = as_of - dt.timedelta(days=round((patient.age_years + 1.0) * 365.25))
    dated: list[tuple[str, dt.date | None]] = [
        *((f"labs[{i}].date", r.date) for i, r in enumerate(labs)),
        *((f"semen[{i}].date", s.date) for i, s in enumerate(semen)),
        *(
            (f"history.androgens[{i}].start", a.start)
            for i, a in enumerate(history.androgens)
        ),
    ]
    for field, when in dated:
        if when is not None and when < born_by:
            raise DateError(
                field,
                when.isoformat(),
                f"a date after his birth (about {born_by.year + 1}, aged "
                f"{patient.age_years:g} on {as_of.isoformat()})",
            )


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
