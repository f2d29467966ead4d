"""A case's androgen history placed before time 0 (Handelsman 2005: last dose + one interval)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from androcast.errors import DoseRangeError, RegimenError
from androcast.evidence import evidence
from androcast.labs import Case, parse_case
from androcast.regimens import (
    T0_CONVENTION,
    Regimen,
    compile_regimen,
    regimen_from_history,
    time_zero,
)

AS_OF = dt.date(2025, 10, 20)


def _case(*androgens: dict[str, Any]) -> Case:
    return parse_case(
        {
            "patient": {"id": "P1", "age_years": 38},
            "goal": "fertility",
            "history": {"androgens": list(androgens), "conditions": [], "medications": []},
            "labs": [],
            "semen": [],
        },
        as_of=AS_OF,
    )


TC = {"agent": "testosterone_cypionate", "dose": "200 mg", "every": "7 d",
      "start": "2024-03-01", "stop": "2025-09-01"}  # fmt: skip


def test_t0_is_last_dose_plus_one_interval_handelsman2005() -> None:
    assert "last dose + one dosing interval" in str(evidence(T0_CONVENTION).value)
    case = _case(TC)
    assert time_zero(case) == dt.date(2025, 9, 8)
    schedule = compile_regimen(regimen_from_history(case), t_start_d=-1000.0, t_end_d=100.0)
    times = [d.t_d for d in schedule.doses]
    assert times[-1] == -7.0  # the last injection, on the stop date
    assert all(b - a == 7.0 for a, b in itertools.pairwise(times))
    first = dt.date(2025, 9, 8) + dt.timedelta(days=times[0])
    assert dt.date(2024, 3, 1) <= first < dt.date(2024, 3, 8)
    assert all(d.amount == 200.0 and d.route == "im" for d in schedule.doses)


def test_several_courses_share_the_latest_t0() -> None:
    nandrolone = {"agent": "nandrolone_decanoate", "dose": "300 mg", "every": "7 d",
                  "start": "2025-01-01", "stop": "2025-06-01"}  # fmt: skip
    regimen = regimen_from_history(_case(TC, nandrolone))
    tc, nd = regimen.entries
    assert tc.stop_d == 0.0
    assert nd.stop_d == float((dt.date(2025, 6, 8) - dt.date(2025, 9, 8)).days)
    assert nd.route == "im" and nd.dose == 300.0


def test_course_still_taken_is_assumed_to_stop_at_as_of() -> None:
    gel = {"agent": "testosterone_gel", "dose": "50 mg", "every": "1 d", "start": "2025-01-01"}
    case = _case(gel)
    assert time_zero(case) == AS_OF + dt.timedelta(days=1)
    entry = regimen_from_history(case).entries[0]
    assert (entry.route, entry.stop_d, entry.every_d) == ("transdermal", 0.0, 1.0)


def test_no_androgen_history_is_an_empty_regimen() -> None:
    case = _case()
    assert time_zero(case) is None
    assert regimen_from_history(case) == Regimen(())


def test_course_without_start_needs_a_default_duration() -> None:
    no_start = {**TC, "start": None}
    with pytest.raises(RegimenError) as err:
        regimen_from_history(_case(no_start))
    assert str(err.value) == (
        "history.androgens[0].start: None is not a valid regimen entry; "
        "expected a start date, or a default duration for the course"
    )
    entry = regimen_from_history(_case(no_start), default_duration_d=364.0).entries[0]
    assert entry.start_d == -7.0 - 364.0


def test_implausible_history_dose_is_a_dose_range_error() -> None:
    with pytest.raises(DoseRangeError) as err:
        regimen_from_history(_case({**TC, "dose": "5000 mg"}))
    assert str(err.value) == (
        "history.androgens[0].dose: '5000.0 mg' is outside the accepted dose range; expected "
        "25-1000 mg per administration of testosterone_cypionate by the im route "
        "(bi2018; nankin1987; mcbride2016)"
    )
