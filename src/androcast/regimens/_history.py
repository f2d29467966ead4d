"""A case's androgen history as regimen entries before time 0, and the restoration drugs
he takes now as entries on the same time axis (a current drug is part of his state).

Time 0 is the end of treatment = last dose + one dosing interval, the convention of
Handelsman 2005 (evidence ``recovery_after_testosterone.handelsman2005_t0_convention``):
a depot keeps suppressing for one interval after the last injection. The stop date of a
course is taken as the day of its last dose; a course still being taken is assumed to
stop on the case's ``as_of`` date.
"""

from __future__ import annotations

import datetime as dt
import math

from androcast.drugs import RESTORATION_KINDS, get_drug
from androcast.errors import RegimenError
from androcast.labs import AndrogenUse, Case, MedicationCourse
from androcast.regimens._parse import parse_regimen
from androcast.regimens._spec import Regimen

T0_CONVENTION = "recovery_after_testosterone.handelsman2005_t0_convention"


def _last_dose(use: AndrogenUse, case: Case) -> dt.date:
    return use.stop if use.stop is not None else case.as_of


def _course_end(use: AndrogenUse, case: Case) -> dt.date:
    """Last dose + one dosing interval (whole days; the interval is rounded up)."""
    return _last_dose(use, case) + dt.timedelta(days=float(use.every_d))


def time_zero(case: Case) -> dt.date | None:
    """The date of time 0 for a case: the latest course end; None without androgen history."""
    ends = [_course_end(use, case) for use in case.history.androgens]
    return max(ends) if ends else None


def regimen_from_history(case: Case, *, default_duration_d: float | None = None) -> Regimen:
    """The case's androgen courses as entries ending at or before time 0.

    Each course gives one entry, route = the drug's first (primary) route. A course without
    a start date needs ``default_duration_d`` (days before its last dose); without one it is
    a ``RegimenError``, since exposure length changes recovery (liu2006). Doses fall on a
    grid counted back from the last dose, so the first may move forward by under one
    interval.
    """
    t0 = time_zero(case)
    if t0 is None:
        return Regimen(())
    data = []
    for i, use in enumerate(case.history.androgens):
        field = f"history.androgens[{i}]"
        last = _last_dose(use, case)
        if use.start is not None:
            start_d = float((use.start - t0).days)
        elif default_duration_d is not None:
            start_d = float((last - t0).days) - default_duration_d
        else:
            raise RegimenError(
                f"{field}.start", None, "a start date, or a default duration for the course"
            )
        drug = get_drug(use.agent)
        if not drug.routes:
            raise RegimenError(f"{field}.agent", use.agent, "a drug that can be dosed")
        route = next(iter(drug.routes))
        # Dose on the patient's grid counted back from the last dose (the stop date), so
        # the course ends, one interval after it, exactly at its own end (t0 for the last).
        last_d = float((last - t0).days)
        n_intervals = math.floor((last_d - start_d) / use.every_d + 1e-9) if last_d > start_d else 0
        start_d = last_d - n_intervals * use.every_d
        stop_d = last_d + use.every_d
        data.append(
            {
                "drug": drug.code,
                "dose": f"{use.dose} {use.dose_unit}",
                "route": route,
                "every": f"{use.every_d} d",
                "start": f"{start_d} d",
                "stop": f"{stop_d} d",
            }
        )
    return parse_regimen(data, source="history.androgens")


def _is_restoration(course: MedicationCourse) -> bool:
    return get_drug(course.agent).kind in RESTORATION_KINDS


def current_restoration_courses(case: Case) -> tuple[MedicationCourse, ...]:
    """The restoration drugs (SERM, AI, hCG/FSH, gonadorelin) he takes on ``as_of``."""
    return tuple(c for c in case.current_medications() if _is_restoration(c))


def restoration_history(case: Case, t0: dt.date, *, before: dt.date | None = None
                        ) -> Regimen:
    """His current restoration courses as regimen entries on the axis whose day 0 is ``t0``.

    Each runs from its start (or, without one, from ``t0``) to its last dose on the
    assessment date, so the twin simulates him on the drug he is taking; what happens after
    that (continue, change, stop) belongs to the forecast's protocols. A current course
    without a dose or an interval cannot be simulated: a ``RegimenError`` names the field.

    ``before``: a treatment (his adopted plan) replaces every restoration drug from that
    date, so the courses are those he took the day before it, up to that day; the plan's own
    drugs, kept on his chart as courses from its start, are the treatment's, never dosed
    twice.
    """
    data = []
    last = case.as_of if before is None else min(case.as_of, before - dt.timedelta(days=1))
    for index, course in enumerate(case.history.courses):
        if not (course.current(last) and _is_restoration(course)):
            continue
        field = f"history.medications[{index}]"
        if course.dose is None or course.dose_unit is None:
            raise RegimenError(f"{field}.dose", None, "the dose of a restoration drug taken now")
        if course.every_d is None:
            raise RegimenError(f"{field}.every", None, "the interval of a drug taken now")
        drug = get_drug(course.agent)
        start_d = float(((course.start or t0) - t0).days)
        last_d = float((last - t0).days)
        n_intervals = (
            math.floor((last_d - start_d) / course.every_d + 1e-9) if last_d > start_d else 0
        )
        data.append(
            {
                "drug": drug.code,
                "dose": f"{course.dose} {course.dose_unit}",
                "route": next(iter(drug.routes)),
                "every": f"{course.every_d} d",
                "start": f"{start_d} d",
                "stop": f"{start_d + n_intervals * course.every_d + course.every_d} d",
            }
        )
    return parse_regimen(data, source="history.medications") if data else Regimen(())
