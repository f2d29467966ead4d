"""Web forms into case-file data, with every invalid field named next to its input.

Form inputs are named by their path in the case file (``patient.age_years``,
``labs[2].value``), so an AndrocastError's ``field`` says which input to mark. Sections are
checked one at a time so that a form with several mistakes shows all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from androcast.errors import AndrocastError, InputFileError
from androcast.labs import Case, LabResult, SemenAnalysis, parse_case

LAB_ROWS = 8
ANDROGEN_ROWS = 2
DEFAULT_LAB_ANALYTES = (
    "testosterone_total",
    "lh",
    "fsh",
    "estradiol",
    "prolactin",
    "shbg",
    "albumin",
    "tsh",
)
SEMEN_FIELDS = (
    "volume_ml",
    "concentration_m_per_ml",
    "progressive_motility_pct",
    "total_motility_pct",
    "normal_forms_pct",
    "abstinence_days",
)
PATIENT_FIELDS = ("id", "age_years", "bmi", "ethnicity")
DOSE_UNITS = ("mg", "IU", "ug")


@dataclass(frozen=True)
class FieldError:
    """One invalid input: what was entered, what was expected (from the AndrocastError)."""

    field: str
    value: Any
    expected: str
    hint: str
    message: str

    @classmethod
    def of(cls, err: AndrocastError, field: str | None = None) -> FieldError:
        return cls(field or err.field, err.value, err.expected, err.hint, str(err))


FormValues = Mapping[str, Any]  # one value per input; lists for multi-selects
Errors = dict[str, FieldError]


def _text(form: FormValues, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


_DECIMAL_COMMA = re.compile(r"^[<>]?[+-]?\d+,\d+$")  # "12,5", or a censored "<0,3"


def decimal_text(text: str) -> str:
    """``12,5`` (a decimal comma, as most of Europe types it) as ``12.5``; else unchanged."""
    return text.replace(",", ".") if _DECIMAL_COMMA.match(text) else text


def _number_or_text(text: str) -> Any:
    """Numbers as numbers (the parser's bounds apply), anything else as typed."""
    try:
        return float(decimal_text(text))
    except ValueError:
        return text


def _optional(form: FormValues, name: str) -> Any:
    text = _text(form, name)
    return None if text == "" else _number_or_text(text)


def _readdress(err: AndrocastError, prefix: str, index: int) -> FieldError:
    """``labs[0].value`` of a one-row check is ``labs[index].value`` of the form."""
    field = re.sub(rf"^{re.escape(prefix)}\[0\]", f"{prefix}[{index}]", err.field)
    return FieldError.of(type(err)(field, err.value, err.expected, err.hint))


def _patient(form: FormValues) -> dict[str, Any]:
    patient: dict[str, Any] = {"id": _text(form, "patient.id")}
    for name in ("age_years", "bmi"):
        value = _optional(form, f"patient.{name}")
        if value is not None:
            patient[name] = value
    left = _optional(form, "patient.testis_volume_ml.left")
    right = _optional(form, "patient.testis_volume_ml.right")
    if left is not None or right is not None:
        patient["testis_volume_ml"] = {"left": left, "right": right}
    ethnicity = _text(form, "patient.ethnicity")
    if ethnicity:
        patient["ethnicity"] = ethnicity
    return patient


def _couple(form: FormValues) -> dict[str, Any]:
    """The partner's age and the months the couple hope to conceive in, where entered."""
    out: dict[str, Any] = {}
    age = _optional(form, "partner.age_years")
    if age is not None:
        out["partner"] = {"age_years": age}
    months = _optional(form, "goal_within_months")
    if months is not None:
        out["goal_within_months"] = months
    return out


def lab_item(form: FormValues, index: int) -> dict[str, Any] | None:
    """Lab row ``index`` as a case-file entry; None when no value was entered."""
    base = f"labs[{index}]"
    value = _text(form, f"{base}.value")
    if value == "":
        return None
    return {
        "date": _text(form, f"{base}.date"),
        "analyte": _text(form, f"{base}.analyte"),
        "value": decimal_text(value),
        "unit": _text(form, f"{base}.unit"),
        "confirmed": form.get(f"{base}.confirmed") in ("on", "true", "1"),
    }


def semen_item(form: FormValues, index: int) -> dict[str, Any] | None:
    """Semen row ``index`` as a case-file entry; None when nothing was entered."""
    base = f"semen[{index}]"
    values = {name: _optional(form, f"{base}.{name}") for name in SEMEN_FIELDS}
    if all(v is None for v in values.values()):
        return None
    return {"date": _text(form, f"{base}.date"), **values}


def _androgen_item(form: FormValues, index: int) -> dict[str, Any] | None:
    base = f"history.androgens[{index}]"
    agent = _text(form, f"{base}.agent")
    if agent == "":
        return None
    item: dict[str, Any] = {
        "agent": agent,
        "dose": f"{_text(form, f'{base}.dose')} {_text(form, f'{base}.dose_unit')}".strip(),
        "every": f"{_text(form, f'{base}.every_d')} d",
        "start": _text(form, f"{base}.start") or None,
    }
    stop = _text(form, f"{base}.stop")
    if stop:
        item["stop"] = stop
    return item


def _many(form: FormValues, name: str) -> list[str]:
    value = form.get(name)
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Sequence):
        return [str(v) for v in value if v]
    return []


def _check(
    errors: Errors, data: dict[str, Any], as_of: dt.date, prefix: str = "", index: int = 0
) -> None:
    """Parse one section on its own; its error (readdressed to form row ``index``) is kept."""
    try:
        parse_case(data, as_of=as_of)
    except AndrocastError as err:
        found = _readdress(err, prefix, index) if prefix else FieldError.of(err)
        errors.setdefault(found.field, found)


def parse_case_form(form: FormValues, *, as_of: dt.date) -> tuple[Case | None, Errors]:
    """The case a new-patient form describes, or the errors of each invalid input."""
    errors: Errors = {}
    patient = _patient(form)
    _check(errors, {"patient": patient}, as_of)
    # Later sections are checked against the patient's age (age-banded intervals).
    # A placeholder identifier while his own is missing or refused (reported once above).
    valid_id = patient["id"] and "patient.id" not in errors
    known = {"id": patient["id"] if valid_id else "PLACEHOLDER"}
    if "patient.age_years" not in errors and "age_years" in patient:
        known["age_years"] = patient["age_years"]
    history: dict[str, Any] = {
        "conditions": _many(form, "history.conditions"),
        "medications": _many(form, "history.medications"),
    }
    for name in ("conditions", "medications"):
        _check(errors, {"patient": known, "history": {name: history[name]}}, as_of)
    couple = _couple(form)  # the couple's goal: the partner's age and the horizon
    if couple:
        _check(errors, {"patient": known, **couple}, as_of)
    androgens = [
        (i, item) for i in range(ANDROGEN_ROWS) if (item := _androgen_item(form, i)) is not None
    ]
    for i, item in androgens:
        _check(
            errors,
            {"patient": known, "history": {"androgens": [item]}},
            as_of,
            "history.androgens",
            i,
        )
    rows: dict[str, list[dict[str, Any]]] = {"labs": [], "semen": []}
    for section, read in (("labs", lab_item), ("semen", semen_item)):
        for i in range(_row_count(form, section)):
            entry = read(form, i)
            if entry is not None:
                rows[section].append(entry)
                _check(errors, {"patient": known, section: [entry]}, as_of, section, i)
    if errors:
        return None, errors
    history["androgens"] = [item for _, item in androgens]
    data = {
        "patient": patient,
        "goal": _text(form, "goal") or "fertility",
        "history": history,
        **couple,
        **rows,
    }
    try:
        return parse_case(data, as_of=as_of), {}
    except AndrocastError as err:  # a check across sections (none is known to fail here)
        return None, {err.field: FieldError.of(err)}


def _row_count(form: FormValues, section: str) -> int:
    indices = [int(m.group(1)) for key in form if (m := re.match(rf"^{section}\[(\d+)\]\.", key))]
    return min(max(indices, default=-1) + 1, 50)


def parse_lab_form(
    form: FormValues, *, patient_id: str, age_years: float | None, as_of: dt.date
) -> tuple[LabResult | None, Errors]:
    """One follow-up laboratory result (inputs ``labs[0].*``) for a stored patient."""
    item = lab_item(form, 0)
    if item is None:
        keys = ("date", "analyte", "unit")
        item = {"value": "", **{k: _text(form, f"labs[0].{k}") for k in keys}}
    patient = {"id": patient_id, "age_years": age_years}
    try:
        case = parse_case({"patient": patient, "labs": [item]}, as_of=as_of)
    except AndrocastError as err:
        return None, {err.field: FieldError.of(err)}
    return case.labs[0], {}


def parse_semen_form(
    form: FormValues, *, patient_id: str, as_of: dt.date
) -> tuple[SemenAnalysis | None, Errors]:
    """One follow-up semen analysis (inputs ``semen[0].*``) for a stored patient."""
    item = semen_item(form, 0)
    if item is None:  # an analysis with no measured value is no analysis: store nothing
        names = ", ".join(SEMEN_FIELDS)
        # Shown at the concentration input, the one value a semen analysis exists for.
        field = "semen[0].concentration_m_per_ml"
        err = InputFileError(field, "no value entered", f"at least one of {names}")
        return None, {err.field: FieldError.of(err)}
    try:
        case = parse_case({"patient": {"id": patient_id}, "semen": [item]}, as_of=as_of)
    except AndrocastError as err:
        return None, {err.field: FieldError.of(err)}
    return case.semen[0], {}
