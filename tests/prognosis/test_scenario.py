"""One voice for a man who takes androgens now: every protocol starts at a stop of them, so
the curves are his plan when his assessment asks him to stop (he wants fertility) and a
labelled what-if when his plan continues them (his goal is his testosterone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from androcast.interpret import interpret
from androcast.labs import parse_case
from androcast.prognosis.curves import Curve
from androcast.prognosis.forecast import AssessmentClass, ProtocolForecast, class_difference
from androcast.prognosis.protocols import get_protocol
from androcast.prognosis.scenario import STOP_ACTION, scenario_of
from androcast.report.summary import unranked_forecast

AS_OF = dt.date(2026, 12, 7)
GEL = {"agent": "testosterone_gel", "dose": "50 mg", "every": "1 d", "start": "2023-01-10"}


def _case(goal: str, androgens: list[dict[str, Any]]) -> Any:
    return parse_case({"patient": {"id": "S1", "age_years": 42}, "goal": goal,
                       "history": {"androgens": androgens}}, as_of=AS_OF)


def test_a_man_who_keeps_his_testosterone_reads_a_what_if() -> None:
    case = _case("testosterone", [GEL])
    assessment = interpret(case)
    assert STOP_ACTION not in assessment.action_codes()
    scenario = scenario_of(case, assessment)
    assert scenario is not None
    assert (scenario.code, scenario.what_if, scenario.drugs) == (
        "what_if_stops_androgens", True, ("testosterone_gel",))
    assert scenario.text.startswith("What if he stopped testosterone gel now")
    assert "not his plan" in scenario.text


def test_a_man_who_wants_fertility_stops_them_as_planned() -> None:
    case = _case("fertility", [GEL])
    assessment = interpret(case)
    assert STOP_ACTION in assessment.action_codes()
    scenario = scenario_of(case, assessment)
    assert scenario is not None
    assert (scenario.code, scenario.what_if) == ("stops_androgens_now", False)
    assert scenario.to_dict()["drugs"] == ["testosterone_gel"]


def test_no_scenario_once_he_has_stopped() -> None:
    case = _case("testosterone", [{**GEL, "stop": "2026-06-01"}])
    assert scenario_of(case, interpret(case)) is None


def test_the_bottom_line_of_a_plan_without_protocols_names_the_what_if() -> None:
    plan = {"pathway": "adjust_current_therapy", "alternatives": []}
    scenario = {"code": "what_if_stops_androgens", "what_if": True,
                "text": "What if he stopped testosterone gel now: ..."}
    assert unranked_forecast(plan, {"basis": {"scenario": scenario}}) == (
        "No protocol ranked on his pathway. What if he stopped testosterone gel now: ...")
    assert unranked_forecast(plan, None) == (
        "No protocol ranked: his pathway (Adjust his current therapy) does not lead to hormonal "
        "stimulation now")


def test_classes_are_compared_only_for_the_same_endpoint() -> None:
    curve = Curve(months=(12.0,), probability=(0.95,), interval_90=((0.9, 0.99),),
                  median_months=2.0, mc_se=(0.01,))
    forecast = ProtocolForecast(get_protocol("watchful_waiting"), curve, "good", None)
    sperm = AssessmentClass("moderate", "PROG-TRT-LONG-1", "70 % ...", "spermatogenesis")
    assert class_difference(forecast, sperm, "testosterone_normal") == (
        "the assessment's class 'moderate' (PROG-TRT-LONG-1) speaks of spermatogenesis; this "
        "forecast is of testosterone_normal, so the two classes are not compared")
    same = class_difference(forecast, sperm, "concentration_ge_20m_per_ml")
    assert same is not None and same.startswith("the twin's 95% by 12 months")
    both = AssessmentClass("moderate", "PROG-NORMAL-1", "...", "both")
    assert "the twin's" in str(class_difference(forecast, both, "testosterone_normal"))
    agreeing = AssessmentClass("good", "PROG-AGE-1", "...", "testosterone")
    assert class_difference(forecast, agreeing, "concentration_ge_20m_per_ml") is None


def test_a_drug_the_model_does_not_dose_is_named_beside_his_curves() -> None:
    from androcast.prognosis.forecast import caveat_unsimulated

    on_methadone = parse_case({"patient": {"id": "S2", "age_years": 46}, "goal": "fertility",
                               "history": {"medications": [{"agent": "opioid",
                                                            "name": "methadone"}]}},
                              as_of=AS_OF)
    text = caveat_unsimulated(on_methadone)
    assert text is not None and text.startswith("He takes methadone, which the model does not "
                                                "simulate (history only)")
    stopped = parse_case({"patient": {"id": "S3"}, "goal": "fertility", "history": {
        "medications": [{"agent": "opioid", "start": "2020-01-01", "stop": "2024-01-01"}]}},
        as_of=AS_OF)
    assert caveat_unsimulated(stopped) is None
    on_hcg = parse_case({"patient": {"id": "S4"}, "goal": "fertility", "history": {
        "medications": [{"agent": "hcg", "dose": "2000 IU", "every": "3 d",
                         "start": "2026-06-01"}]}}, as_of=AS_OF)
    assert caveat_unsimulated(on_hcg) is None  # dosed by the model
