"""The shipped example cases as a senior andrologist reviewed them (issue 3, clinical review):
each assertion is an error the review found, or the behaviour it asked for instead. Every
example is read on the day it was written and a year later, because time since stopping
androgens is read at the results, while the age of the results is read today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from androcast.interpret import Assessment, interpret
from androcast.labs import load_case

EXAMPLES = Path(__file__).parents[2] / "examples" / "cases"
READ_ON = [dt.date(2025, 10, 25), dt.date(2026, 11, 22)]


def _assess(name: str, as_of: dt.date) -> Assessment:
    return interpret(load_case(EXAMPLES / f"{name}.yaml", as_of=as_of))


def _missing(assessment: Assessment) -> set[str]:
    return {m.measure for m in assessment.missing}


@pytest.mark.parametrize("as_of", READ_ON, ids=str)
def test_post_trt_suppression_6_weeks_after_stopping_is_recent_not_persistent(
    as_of: dt.date,
) -> None:
    assessment = _assess("post_trt", as_of)
    assert assessment.cause_codes()[0] == "exogenous_testosterone"
    assert "post_androgen_persistent" not in assessment.cause_codes()
    assert {"stop_exogenous_androgen", "hcg"} <= set(assessment.action_codes())
    (panel,) = [m for m in assessment.missing if m.measure == "repeat_hormone_panel"]
    assert "AND-RECHECK-1" in panel.needed_by
    assert panel.reason is not None and "more than 6 months after t0" in panel.reason


def test_post_trt_panel_older_than_3_months_is_due_for_repeat() -> None:
    (panel,) = [
        m
        for m in _assess("post_trt", dt.date(2026, 11, 22)).missing
        if m.measure == "repeat_hormone_panel"
    ]
    assert set(panel.needed_by) == {"AND-RECHECK-1", "LAB-STALE-1"}
    assert set(panel.inputs) == {"testosterone_total", "lh", "fsh"}


@pytest.mark.parametrize("as_of", READ_ON, ids=str)
def test_post_trt_low_ratio_with_low_estradiol_is_no_estradiol_excess(as_of: dt.date) -> None:
    # T 95 ng/dL / E2 12 pg/mL = 7.9 < 10, but E2 is below 65.4-207.7 pmol/L (famhes)
    assessment = _assess("post_trt", as_of)
    assert "estradiol_excess" not in assessment.cause_codes()
    assert "aromatase_inhibitor" not in assessment.action_codes()
    (caution,) = [c for c in assessment.cautions if c.code == "avoid_aromatase_inhibitor"]
    assert caution.rule == "E2-LOW-E2-1"
    assert "estradiol 44.1 pmol/L" in caution.basis and "famhes" in caution.basis


@pytest.mark.parametrize("name", ["post_trt", "post_aas"])
def test_no_thyroid_tests_when_androgens_explain_the_suppression(name: str) -> None:
    assert "thyroid_tests" not in _assess(name, READ_ON[1]).action_codes()


def test_post_aas_stack_is_aas_use_first_and_not_persistent() -> None:
    assessment = _assess("post_aas", READ_ON[1])
    assert assessment.cause_codes()[:2] == ("exogenous_aas", "exogenous_testosterone")
    assert "defer_pituitary_imaging" in assessment.caution_codes()
    assert "art_counseling" not in assessment.action_codes()  # recovery comes first
    assert assessment.prognosis.class_ == "guarded"


def test_klinefelter_profile_gets_no_estradiol_excess_and_no_third_semen_analysis() -> None:
    assessment = _assess("primary_testicular_failure", READ_ON[0])
    assert "estradiol_excess" not in assessment.cause_codes()
    assert "avoid_aromatase_inhibitor" in assessment.caution_codes()
    assert "repeat_semen_analysis" not in assessment.action_codes()
    assert assessment.prognosis.class_ == "poor"


def test_hyperprolactinaemia_raised_twice_is_high_confidence_with_a_good_prognosis() -> None:
    assessment = _assess("hyperprolactinaemia", READ_ON[0])
    causes = {c.code: c.confidence for c in assessment.causes}
    assert causes["hyperprolactinemia"] == "high"
    assert assessment.prognosis.class_ == "good"
    assert assessment.prognosis.rule == "PROG-PRL-1"


def test_idiopathic_oligozoospermia_prognosis_rests_on_chua2013() -> None:
    prognosis = _assess("idiopathic_oligozoospermia", READ_ON[0]).prognosis
    assert (prognosis.class_, prognosis.rule) == ("guarded", "PROG-IOL-1")
    assert prognosis.citation is not None and prognosis.citation.startswith("chua2013")


def test_insulin_resistance_on_trt_is_not_a_cause_of_the_suppression() -> None:
    assessment = _assess("mixed_units", READ_ON[0])
    assert assessment.cause_codes() == ("exogenous_testosterone",)
    assert "insulin_resistance" in {f.code for f in assessment.findings}
