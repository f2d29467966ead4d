"""The history section: androgen courses, conditions and medications, checked against catalogues."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pint import DimensionalityError, UndefinedUnitError

from androcast.errors import (
    DateError,
    DoseRangeError,
    MissingDoseError,
    RegimenError,
    UnknownCodeError,
)
from androcast.labs import _fields
from androcast.labs._catalogue import condition_codes
from androcast.labs._model import (
    AndrogenUse,
    GonadotoxicTreatment,
    GonadotoxicType,
    History,
    MedicationCourse,
    Reproductive,
)
from androcast.units import ureg

HISTORY_KEYS = (
    "androgens",
    "conditions",
    "medications",
    "gonadotoxic_treatment",
    "reproductive",
)
ANDROGEN_KEYS = ("agent", "dose", "every", "start", "stop", "route")
MEDICATION_KEYS = ("agent", "name", "dose", "every", "start", "stop")
GONADOTOXIC_KEYS = (
    "type",
    "regimen",
    "cycles",
    "field",
    "dose_gy",
    "start",
    "stop",
    "sperm_banked_before",
)
GONADOTOXIC_TYPES: tuple[GonadotoxicType, ...] = ("chemotherapy", "radiotherapy", "other")
REPRODUCTIVE_KEYS = ("infertility_months", "children")


def _drugs() -> Any:
    # Imported here: the drug catalogue is a sibling core package, needed only for histories.
    import androcast.drugs as drugs

    return drugs


def androgen_codes() -> tuple[str, ...]:
    """Codes of testosterone preparations and other anabolic-androgenic steroids."""
    drugs = _drugs()
    return tuple(drugs.drug_codes(drugs.DrugKind.testosterone)) + tuple(
        drugs.drug_codes(drugs.DrugKind.aas)
    )


def _agent(value: Any, field: str) -> str:
    codes = androgen_codes()
    if isinstance(value, str) and value in codes:
        return value
    drugs = _drugs()
    if isinstance(value, str) and value in drugs.drug_codes():
        kind = drugs.get_drug(value).kind
        raise RegimenError(
            field,
            value,
            f"an androgen (testosterone preparation or AAS): one of {', '.join(codes)}",
            hint=f"{value} is a {kind}; list it under medications",
        )
    raise UnknownCodeError(field, value, f"an androgen code: one of {', '.join(codes)}")


def _route(agent: str, value: Any, field: str) -> str | None:
    if value is None:
        return None
    routes = tuple(_drugs().get_drug(agent).routes)
    if value not in routes:
        raise UnknownCodeError(field, value, f"a route of {agent}: one of {', '.join(routes)}")
    return str(value)


def _androgen(raw: Any, field: str, as_of: dt.date) -> AndrogenUse:
    data = _fields.mapping(raw, field, "a mapping with agent, dose, every, start and stop")
    _fields.only_keys(data, ANDROGEN_KEYS, field)
    agent = _agent(data.get("agent"), f"{field}.agent")
    dose, dose_unit = _fields.dose(data.get("dose"), f"{field}.dose")
    every_d = _fields.interval_days(data.get("every"), f"{field}.every")
    start = _fields.optional_date(data.get("start"), f"{field}.start", as_of=as_of)
    stop = _fields.optional_date(data.get("stop"), f"{field}.stop", as_of=as_of)
    if start is not None and stop is not None and stop < start:
        raise DateError(f"{field}.stop", stop.isoformat(), f"a date on or after start {start}")
    route = _route(agent, data.get("route"), f"{field}.route")
    return AndrogenUse(agent, dose, dose_unit, every_d, start, stop, route)


def _dates(
    data: Any, field: str, as_of: dt.date, problems: _fields.Problems
) -> tuple[dt.date | None, dt.date | None]:
    """``start`` and ``stop`` of a course; a stop before its start is a problem."""
    start = problems.check(_fields.optional_date, data.get("start"), f"{field}.start", as_of=as_of)
    stop = problems.check(_fields.optional_date, data.get("stop"), f"{field}.stop", as_of=as_of)
    if start is not None and stop is not None and stop < start:
        problems.add(
            DateError(f"{field}.stop", stop.isoformat(), f"a date on or after start {start}")
        )
    return start, stop


def _needs_dose(course: MedicationCourse, field: str, as_of: dt.date) -> MissingDoseError | None:
    """A restoration drug he takes now without its dose or interval: the problem, naming the
    field that lacks it (a bare code names the entry)."""
    drugs = _drugs()
    if (drugs.get_drug(course.agent).kind not in drugs.RESTORATION_KINDS
            or not course.current(as_of)):
        return None
    if course.dose is not None and course.every_d is not None:
        return None
    example = f"{{agent: {course.agent}, dose: AMOUNT UNIT, every: INTERVAL, start: DATE}}"
    where = field if course.dose is None and course.every_d is None and course.start is None \
        else f"{field}.{'dose' if course.dose is None else 'every'}"
    return MissingDoseError(
        where, course.agent,
        "the dose and interval of a restoration drug he takes now (dose needed: it is part "
        f"of his state for the assessment, the twin and the plan), e.g. {example}")


def _dose_out_of_range(course: MedicationCourse, field: str) -> DoseRangeError | None:
    """A restoration drug's dose outside the range its route accepts: refused here, as the
    plan and the twin refuse it (issue 15: interpret took hCG 30,000 IU that plan refused).
    The route is the one his course is simulated by (the drug's first)."""
    drugs = _drugs()
    drug = drugs.get_drug(course.agent)
    if drug.kind not in drugs.RESTORATION_KINDS or course.dose is None or not drug.routes:
        return None
    route = drug.routes[next(iter(drug.routes))]
    try:
        amount = float(ureg.Quantity(course.dose, course.dose_unit).to(route.dose_unit).magnitude)
    except (DimensionalityError, UndefinedUnitError):
        return DoseRangeError(f"{field}.dose", f"{course.dose:g} {course.dose_unit}",
                              route.accepted(drug.code))
    if route.accepts(amount, course.every_d):
        return None
    return DoseRangeError(f"{field}.dose", f"{course.dose:g} {course.dose_unit}",
                          route.accepted(drug.code))


def _medication(raw: Any, field: str, as_of: dt.date) -> MedicationCourse:
    """A medication as a code (taken now) or as a dated course with dose, like an androgen.

    A restoration drug he takes now needs its dose and interval (``MissingDoseError``)."""
    codes = tuple(_drugs().drug_codes())
    if isinstance(raw, str) or not isinstance(raw, Mapping):
        course = MedicationCourse(_fields.code(raw, field, codes))
        missing = _needs_dose(course, field, as_of)
        if missing is not None:
            raise missing
        return course
    problems = _fields.Problems()
    problems.check(_fields.only_keys, raw, MEDICATION_KEYS, field)
    agent = problems.check(_fields.code, raw.get("agent"), f"{field}.agent", codes)
    name = problems.check(_fields.text, raw.get("name"), f"{field}.name")
    dose = unit = every = None
    if raw.get("dose") is not None:
        amount = problems.check(_fields.dose, raw.get("dose"), f"{field}.dose")
        dose, unit = amount if amount is not None else (None, None)
    if raw.get("every") is not None:
        every = problems.check(_fields.interval_days, raw.get("every"), f"{field}.every")
    start, stop = _dates(raw, field, as_of, problems)
    # a bad dose, interval or date is named already (a bad start cannot say he takes it now)
    parsed = all((value is None) == (raw.get(key) is None) for key, value in
                 (("dose", dose), ("every", every), ("start", start), ("stop", stop)))
    missing = None if agent is None or not parsed else _needs_dose(
        MedicationCourse(agent, name, dose, unit, every, start, stop), field, as_of)
    if missing is not None:
        problems.add(missing)
    out_of_range = None if agent is None or dose is None else _dose_out_of_range(
        MedicationCourse(agent, name, dose, unit, every, start, stop), field)
    if out_of_range is not None:
        problems.add(out_of_range)
    problems.raise_if_any(field)
    assert agent is not None
    return MedicationCourse(agent, name, dose, unit, every, start, stop)


def _gonadotoxic(raw: Any, field: str, as_of: dt.date) -> GonadotoxicTreatment:
    data = _fields.mapping(raw, field, "a mapping with type (chemotherapy, radiotherapy, other)")
    problems = _fields.Problems()
    problems.check(_fields.only_keys, data, GONADOTOXIC_KEYS, field)
    kind = problems.check(_fields.code, data.get("type"), f"{field}.type", GONADOTOXIC_TYPES)
    regimen = problems.check(_fields.text, data.get("regimen"), f"{field}.regimen")
    where = problems.check(_fields.text, data.get("field"), f"{field}.field")
    cycles = problems.check(_fields.bounded, data.get("cycles"), f"{field}.cycles", 1, 100, "")
    dose_gy = problems.check(_fields.bounded, data.get("dose_gy"), f"{field}.dose_gy", 0, 200, "Gy")
    banked = problems.check(
        _fields.flag, data.get("sperm_banked_before"), f"{field}.sperm_banked_before"
    )
    start, stop = _dates(data, field, as_of, problems)
    problems.raise_if_any(field)
    return GonadotoxicTreatment(
        type=next(t for t in GONADOTOXIC_TYPES if t == kind),
        regimen=regimen,
        cycles=None if cycles is None else int(cycles),
        field=where,
        dose_gy=dose_gy,
        start=start,
        stop=stop,
        sperm_banked_before=banked,
    )


def _reproductive(raw: Any) -> Reproductive | None:
    if raw is None:
        return None
    field = "history.reproductive"
    data = _fields.mapping(raw, field, "a mapping with infertility_months and children")
    problems = _fields.Problems()
    problems.check(_fields.only_keys, data, REPRODUCTIVE_KEYS, field)
    months = problems.check(
        _fields.bounded,
        data.get("infertility_months"),
        f"{field}.infertility_months",
        0,
        600,
        "months",
    )
    children = problems.check(_fields.bounded, data.get("children"), f"{field}.children", 0, 50, "")
    if children is not None and children != int(children):
        problems.add(RegimenError(f"{field}.children", children, "a whole number"))
    problems.raise_if_any(field)
    return Reproductive(months, None if children is None else int(children))


def parse_history(raw: Any, *, as_of: dt.date) -> History:
    """The ``history:`` section (absent = no androgens, conditions or medications).

    Every bad entry is reported together (:class:`androcast.errors.CaseProblems`).
    """
    data: Mapping[str, Any] = {} if raw is None else _fields.mapping(raw, "history", "a mapping")
    problems = _fields.Problems()
    problems.check(_fields.only_keys, data, HISTORY_KEYS, "history")

    def items(key: str) -> list[Any]:
        return problems.check(_fields.sequence, data.get(key), f"history.{key}", "a list") or []

    androgens = [
        problems.check(_androgen, item, f"history.androgens[{index}]", as_of)
        for index, item in enumerate(items("androgens"))
    ]
    known_conditions = tuple(condition_codes())
    conditions = [
        problems.check(_fields.code, item, f"history.conditions[{index}]", known_conditions)
        for index, item in enumerate(items("conditions"))
    ]
    courses = [
        problems.check(_medication, item, f"history.medications[{index}]", as_of)
        for index, item in enumerate(items("medications"))
    ]
    gonadotoxic = [
        problems.check(_gonadotoxic, item, f"history.gonadotoxic_treatment[{index}]", as_of)
        for index, item in enumerate(items("gonadotoxic_treatment"))
    ]
    reproductive = problems.check(_reproductive, data.get("reproductive"))
    problems.raise_if_any("history")
    kept = tuple(c for c in courses if c is not None)
    return History(
        androgens=tuple(a for a in androgens if a is not None),
        conditions=tuple(c for c in conditions if c is not None),
        medications=tuple(c.agent for c in kept),
        courses=kept,
        gonadotoxic_treatment=tuple(g for g in gonadotoxic if g is not None),
        reproductive=reproductive,
    )
