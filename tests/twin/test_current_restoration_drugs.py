"""A restoration drug he takes now is part of his state (clinic suite G-CURRENT-MEDS): it
changes the Assessment and the twin's dosing history. One test per drug."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast.interpret import interpret
from androcast.labs import parse_case
from androcast.regimens import current_restoration_courses
from androcast.twin.prior import androgen_history, case_time_zero

AS_OF = dt.date(2026, 12, 7)
# his current course of each drug: (dose, interval) as a clinic would write them
CURRENT = {
    "hcg": ("2000 IU", "2 d"),
    "fsh": ("150 IU", "2 d"),
    "clomiphene_citrate": ("25 mg", "1 d"),
    "enclomiphene": ("12.5 mg", "1 d"),
    "tamoxifen": ("20 mg", "1 d"),
    "anastrozole": ("1 mg", "1 d"),
    "letrozole": ("2.5 mg", "7 d"),
    "gonadorelin": ("5 ug", "90 min"),
}


def _case(medications: list[Any]) -> dict[str, Any]:
    """A man 8 months after stopping testosterone, LH still low, 3 M/mL."""
    return {
        "patient": {"id": "M1", "age_years": 34, "testis_volume_ml": {"left": 15, "right": 15}},
        "goal": "fertility",
        "history": {
            "androgens": [
                {
                    "agent": "testosterone_cypionate",
                    "dose": "150 mg",
                    "every": "7 d",
                    "start": "2024-01-01",
                    "stop": "2026-04-01",
                }
            ],
            "medications": medications,
        },
        "labs": [
            {
                "date": "2026-11-20",
                "analyte": "testosterone_total",
                "value": 250,
                "unit": "ng/dL",
                "time": "08:30",
                "fasting": True,
            },
            {"date": "2026-11-20", "analyte": "lh", "value": 0.8, "unit": "IU/L"},
            {"date": "2026-11-20", "analyte": "fsh", "value": 0.9, "unit": "IU/L"},
        ],
        "semen": [{"date": "2026-11-22", "volume_ml": 2.5, "concentration_m_per_ml": 3}],
    }


@pytest.mark.parametrize("drug", sorted(CURRENT))
def test_a_current_restoration_drug_changes_assessment_and_twin_history(drug: str) -> None:
    dose, every = CURRENT[drug]
    course = {"agent": drug, "dose": dose, "every": every, "start": "2026-08-01"}
    without = parse_case(_case([]), as_of=AS_OF)
    on_it = parse_case(_case([course]), as_of=AS_OF)

    before, now = interpret(without), interpret(on_it)
    assert before.pattern == "exogenous_suppression"
    assert now.pattern == "on_treatment"
    assert "current_restoration_therapy" in {f.code for f in now.findings}
    # low gonadotropins on a restoration drug are not "persistent suppression"
    assert "persistent_suppression_after_androgens" in {f.code for f in before.findings}
    assert "persistent_suppression_after_androgens" not in {f.code for f in now.findings}

    assert drug not in androgen_history(without).drugs()
    history = androgen_history(on_it)
    (entry,) = [e for e in history.entries if e.drug == drug]
    t0 = case_time_zero(on_it)
    assert entry.start_d == pytest.approx((dt.date(2026, 8, 1) - t0).days)
    # dosed up to the assessment date: the last dose lies within one interval of it
    last_dose = entry.stop_d - entry.every_d
    assert (AS_OF - t0).days - entry.every_d < last_dose <= (AS_OF - t0).days


def test_a_stopped_course_is_not_in_the_twin_history() -> None:
    course = {
        "agent": "tamoxifen",
        "dose": "20 mg",
        "every": "1 d",
        "start": "2026-04-08",
        "stop": "2026-05-05",
    }
    case = parse_case(_case([course]), as_of=AS_OF)
    assert current_restoration_courses(case) == ()
    assert "tamoxifen" not in androgen_history(case).drugs()
    assert interpret(case).pattern == "exogenous_suppression"


def test_an_adopted_plan_takes_over_his_drugs_from_its_start_and_is_never_dosed_twice() -> None:
    """On an adopted plan (``treatment_start``) the twin doses his earlier drugs up to the
    day before the plan and none after it: the plan's own drugs, kept on his chart as
    courses from its start, are the treatment's (dosed by the monitoring twin itself)."""
    start = dt.date(2026, 11, 1)
    before = {"agent": "hcg", "dose": "2000 IU", "every": "2 d", "start": "2026-08-01",
              "stop": start.isoformat()}  # stopped by the adoption on the plan's start
    plan = [{"agent": "hcg", "dose": "3000 IU", "every": "2 d", "start": start.isoformat()},
            {"agent": "clomiphene_citrate", "dose": "25 mg", "every": "1 d",
             "start": start.isoformat()}]
    unrecorded = parse_case(_case([{**before, "stop": None}]), as_of=AS_OF)
    recorded = parse_case(_case([before, *plan]), as_of=AS_OF)
    assert interpret(recorded).pattern == "on_treatment"
    history = androgen_history(recorded, treatment_start=start)
    assert history == androgen_history(unrecorded, treatment_start=start)
    assert "clomiphene_citrate" not in history.drugs()
    (entry,) = [e for e in history.entries if e.drug == "hcg"]
    t0 = case_time_zero(recorded)
    assert entry.dose == 2000
    assert entry.stop_d <= (start - t0).days  # his last earlier dose is before the plan
    # without a plan, the courses he takes on the assessment date are his state
    assert {e.dose for e in androgen_history(recorded).entries if e.drug == "hcg"} == {3000}
