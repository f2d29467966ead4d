"""One source for a declined forecast (issue 15): the table ``interpret/declines.yaml``,
applied by the Assessment itself; the forecast and the plan read the Assessment's decline,
so the assessment's prognosis and the forecast's can never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from androcast.interpret import interpret
from androcast.interpret.declines import REASONS, decline_rules, with_decline
from androcast.interpret.rules import load_rules
from androcast.labs import parse_case
from androcast.prognosis import decline_for, prognose

AS_OF = dt.date(2025, 12, 1)
T_LOW = [{"date": "2025-10-01", "analyte": "testosterone_total", "value": 200, "unit": "ng/dL"},
         {"date": "2025-11-01", "analyte": "testosterone_total", "value": 210, "unit": "ng/dL"}]
NORMAL_SEMEN = {"date": "2025-11-01", "volume_ml": 3.2, "concentration_m_per_ml": 34,
                "progressive_motility_pct": 42, "total_motility_pct": 55, "normal_forms_pct": 5}


def _case(**parts: Any) -> Any:
    return parse_case({"patient": {"id": "D1", "age_years": 33}, "goal": "fertility", **parts},
                      as_of=AS_OF)


def test_the_table_holds_the_declines_that_had_a_second_definition() -> None:
    """The four interpretation rules that repeated the table (Klinefelter, NOA, no semen
    analysis, normal semen) are table rules now; a rule that declines for its own cited
    finding (obstruction, retrograde ejaculation, a red flag, ...) is merged by the
    Assessment, which the forecast reads."""
    ids = {r.id for r in load_rules()}
    assert not ids & {"DECLINE-KS-1", "DECLINE-NOA-1", "DECLINE-DATA-1", "DECLINE-NORMAL-1"}
    rules, sentences = decline_rules()
    assert {"DECLINE-KS", "DECLINE-NOA", "DECLINE-NO-SEMEN"} <= {r.id for r in rules}
    assert set(sentences) == set(REASONS) and {r.reason for r in rules} <= set(REASONS)


def test_no_shipped_interpretation_rule_declines_for_itself() -> None:
    """The seven rules that declined for their own finding (red flag, iron, vasal agenesis,
    obstruction, retrograde ejaculation, varicocele, age) are table rules now, in the order
    their priorities gave them, each with the sentence and source it had."""
    own = [r.id for r in load_rules() if r.spec.prognosis is not None
           and r.spec.prognosis.declined is not None]
    assert own == []
    rules, _ = decline_rules()
    order = [r.id for r in rules]
    assert order[:7] == ["DECLINE-URGENT", "DECLINE-IRON", "DECLINE-VASAL-AGENESIS",
                         "DECLINE-EJACULATION", "DECLINE-VARICOCELE", "DECLINE-OBSTRUCTION",
                         "DECLINE-AGE"]
    assert all(r.text for r in rules[:7])


CASES = {
    "klinefelter profile": (dict(
        patient={"id": "D2", "testis_volume_ml": {"left": 3, "right": 3}},
        labs=[{"date": "2025-11-01", "analyte": "lh", "value": 22, "unit": "IU/L"},
              {"date": "2025-11-01", "analyte": "fsh", "value": 38, "unit": "IU/L"}],
        semen=[{"date": "2025-11-01", "volume_ml": 1.6, "concentration_m_per_ml": 0}]),
        "genetic_spermatogenic_failure"),
    "azoospermia with FSH 24": (dict(
        labs=[{"date": "2025-11-01", "analyte": "testosterone_total", "value": 16,
               "unit": "nmol/L"},
              {"date": "2025-11-01", "analyte": "lh", "value": 7, "unit": "IU/L"},
              {"date": "2025-11-01", "analyte": "fsh", "value": 24, "unit": "IU/L"}],
        semen=[{"date": "2025-11-01", "volume_ml": 3, "concentration_m_per_ml": 0}]),
        "primary_spermatogenic_failure"),
    "only a testosterone": (dict(labs=T_LOW[:1]), "insufficient_data"),
    "normal semen": (dict(semen=[NORMAL_SEMEN]), "no_spermatogenic_deficit"),
    # not "no deficit": his confirmed low testosterone is one (no class yet without LH)
    "normal semen with confirmed low testosterone": (dict(labs=T_LOW, semen=[NORMAL_SEMEN]),
                                                     "insufficient_data"),
    "low-volume acidic azoospermia, vasa not palpable": (dict(
        exam={"date": "2025-11-01", "vas_deferens": {"left": "not_palpable",
                                                     "right": "not_palpable"}},
        labs=[{"date": "2025-11-01", "analyte": "fsh", "value": 4, "unit": "IU/L"}],
        semen=[{"date": "2025-11-01", "volume_ml": 0.8, "concentration_m_per_ml": 0,
                "ph": 6.6}]), "obstruction"),
    "after testosterone, no semen analysis yet": (dict(
        history={"androgens": [{"agent": "testosterone_cypionate", "dose": "200 mg",
                                "every": "7 d", "start": "2024-03-01", "stop": "2025-09-01"}]},
        labs=[{"date": "2025-11-01", "analyte": "lh", "value": 0.4, "unit": "IU/L"}]), None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_assessment_declines_and_the_forecast_says_the_same(name: str) -> None:
    parts, reason = CASES[name]
    case = _case(**parts)
    assessment = interpret(case)
    own = assessment.prognosis.declined
    assert (None if own is None else own.reason) == reason
    decline = decline_for(assessment)
    assert (None if decline is None else decline.reason) == reason
    if reason is not None:
        assert own is not None and own.rule is not None and own.citations
        assert assessment.to_dict()["prognosis"]["declined"]["reason"] == reason
        (forecast,) = prognose(case, n=2)
        assert forecast.declined is not None and forecast.declined.reason == reason
        assert forecast.declined.rule == own.rule


def _table(rule_id: str) -> tuple[str, str]:
    """The reason and sentence the table gives a rule (its own text, else its reason's)."""
    rules, sentences = decline_rules()
    (rule,) = [r for r in rules if r.id == rule_id]
    return rule.reason, rule.text or sentences[rule.reason]


def test_a_decline_without_a_class_is_the_prognosis_with_its_rule_and_citations() -> None:
    parts, _ = CASES["low-volume acidic azoospermia, vasa not palpable"]
    prognosis = interpret(_case(**parts)).prognosis
    reason, sentence = _table("DECLINE-VASAL-AGENESIS")
    assert (reason, sentence) == (
        "obstruction",
        "spermatogenesis is intact and the sperm cannot get out; hormonal recovery curves do "
        "not apply",
    )  # the rule's own sentence, not the reason's
    assert prognosis.class_ is None
    assert prognosis.declined is not None and prognosis.declined.text == sentence
    note = f"recovery forecast declined ({reason}, DECLINE-VASAL-AGENESIS): {sentence}"
    assert prognosis.basis == note
    assert prognosis.rule == "DECLINE-VASAL-AGENESIS"
    assert prognosis.citation == "schlegel2021; eau_srh"


def test_a_decline_over_a_class_keeps_the_class_and_leads_its_basis() -> None:
    parts, _ = CASES["klinefelter profile"]
    prognosis = interpret(_case(**parts)).prognosis
    reason, sentence = _table("DECLINE-KS")
    assert prognosis.class_ == "poor"
    assert prognosis.declined is not None and prognosis.declined.text == sentence
    note = f"recovery forecast declined ({reason}, DECLINE-KS): {sentence} "
    assert prognosis.basis.startswith(note)
    assert "surgical sperm retrieval" in prognosis.basis[len(note):]  # the class's own basis
    assert prognosis.rule == "PROG-KS-1"


def test_a_decline_without_a_class_keeps_the_prognosis_own_reason_after_its_note() -> None:
    # a prognosis without a class that says why (not just "no rule yet") keeps that reason,
    # in brackets after the decline's note
    parts, _ = CASES["low-volume acidic azoospermia, vasa not palpable"]
    case = _case(**parts)
    assessment = interpret(case)
    undecided = replace(assessment.prognosis, basis="LH and FSH not measured", declined=None)
    shown = with_decline(replace(assessment, prognosis=undecided), case).prognosis
    reason, sentence = _table("DECLINE-VASAL-AGENESIS")
    assert shown.basis == (
        f"recovery forecast declined ({reason}, DECLINE-VASAL-AGENESIS): {sentence} "
        "(LH and FSH not measured)"
    )
