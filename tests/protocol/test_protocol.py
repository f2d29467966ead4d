"""The phased planner: pathways, escalation rules as cited data, monitoring, ranking."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from androcast.evidence import bibliography, evidence
from androcast.interpret import Assessment, interpret
from androcast.interpret.assessment import Cause, Finding, Recommendation
from androcast.labs import load_case
from androcast.prognosis import get_protocol, protocol_ids
from androcast.protocol import (
    PATHWAYS,
    all_citations,
    escalations_for,
    monitoring_checks,
    pathway_for,
    pathway_rules,
    phases,
    plan,
    plan_rules,
)

EXAMPLES = resources.files("androcast").joinpath("examples/cases")


def test_every_plan_citation_resolves_in_the_bibliography() -> None:
    assert set(all_citations(plan_rules())) <= set(bibliography())


def test_semen_is_checked_about_once_per_spermatogenic_cycle() -> None:
    # amann2008: 64-74 d; one analysis every 3 months covers one cycle plus transit
    low, high = evidence("spermatogenesis_kinetics.duration_quoted_range").value
    every_d = plan_rules().monitoring.semen_every_months * 30.4375
    assert high <= every_d <= high + 30
    assert low == 64


def test_pathway_after_androgens_is_to_stop_them_as_his_assessment_advises() -> None:
    case = load_case(str(EXAMPLES.joinpath("post_trt.yaml")))
    assessment = interpret(case)
    pathway = pathway_for(assessment, case)
    assert (pathway.id, pathway.first, pathway.rule) == (
        "treat_cause_first", "stop_exogenous_androgen", "PW-STOP-ANDROGENS")
    raised = next(a for a in assessment.actions if a.code == "stop_exogenous_androgen")
    assert pathway.basis is not None and pathway.basis.startswith(raised.rule)
    # he stopped before his panel: he is told to stay off them, never "stop now"
    assert raised.rule == "AND-STAYOFF-1"
    assert pathway.first_text.startswith("stay off testosterone and all anabolic steroids")


def test_a_man_still_injecting_is_told_to_stop_now() -> None:
    case = load_case(str(EXAMPLES.joinpath("post_trt.yaml")))
    still = replace(case, history=replace(case.history, androgens=tuple(
        replace(u, stop=None) for u in case.history.androgens)))
    pathway = pathway_for(interpret(still), still)
    assert pathway.first == "stop_exogenous_androgen"
    assert pathway.first_text.startswith("stop all testosterone and anabolic steroids now")


def test_hyperprolactinaemia_is_treated_at_its_cause_not_with_a_serm() -> None:
    # The old planner gave every man without androgens "a SERM first" (issue 15); his
    # assessment finds a prolactinoma and advises a dopamine agonist, so that comes first and
    # the forecast declines: the virtual patient holds no prolactin.
    case = load_case(str(EXAMPLES.joinpath("hyperprolactinaemia.yaml")))
    result = plan(case, n=4)
    data = result.to_dict()
    assert (data["pathway"], data["first_step"]["code"]) == ("treat_cause_first",
                                                             "dopamine_agonist")
    assert data["forecast"] == {"declined": "cause_outside_model"}
    assert data["alternatives"] == [] and result.prognosis is not None
    assert {x["id"] for x in data["excluded"]} == set(protocol_ids())
    assert all(x["why"] == "forecast declined (cause_outside_model)" for x in data["excluded"])
    assert "pituitary_mri" in [s["code"] for s in data["phases"][0]["actions"]]


def test_klinefelter_azoospermia_goes_to_surgical_retrieval_without_curves() -> None:
    case = load_case(str(EXAMPLES.joinpath("primary_testicular_failure.yaml")))
    data = plan(case, n=4).to_dict()
    assert (data["pathway"], data["first_step"]["code"]) == ("surgical_sperm_retrieval_icsi",
                                                             "micro_tese_counseling")
    assert data["forecast"] == {"declined": "genetic_spermatogenic_failure"}
    first = [s["code"] for s in data["phases"][0]["actions"]]
    assert {"karyotype", "genetic_counseling"} <= set(first)


def test_a_normal_man_of_a_female_factor_couple_gets_no_male_treatment() -> None:
    """The README's no_male_treatment example: normal hormones (two morning values) and
    normal semen, her tubal evaluation abnormal; the couple's care continues in reproductive
    medicine (MGT-FEMALE-2: she has been evaluated, so not 'evaluate her'), no curve."""
    case = load_case(str(EXAMPLES.joinpath("female_factor.yaml")))
    data = plan(case, n=4).to_dict()
    assert (data["pathway"], data["first_step"]["code"], data["first_step"]["rule"]) == (
        "no_male_treatment", "art_counseling", "PW-FEMALE-FACTOR")
    assert "female_partner_evaluation" not in interpret(case).action_codes()
    assert data["forecast"] == {"declined": "no_spermatogenic_deficit"}
    assert data["alternatives"] == []
    assert interpret(case).pattern == "eugonadal"


def test_a_man_on_testosterone_for_his_testosterone_has_its_safety_checked_first() -> None:
    """examples/cases/mixed_units.yaml: 42 y on testosterone gel, goal testosterone, obese and
    snoring, no hematocrit. His assessment raises safety labs, sleep apnoea and weight loss;
    the pathway rules had none for a man whose testosterone therapy is his treatment, so he
    fell through to no_male_treatment with no first step. His therapy continues, checked."""
    case = load_case(str(EXAMPLES.joinpath("mixed_units.yaml")))
    data = plan(case, n=4).to_dict()
    assert (data["pathway"], data["first_step"]["code"]) == ("adjust_current_therapy",
                                                             "safety_labs_on_treatment")
    first = {a["code"] for a in data["phases"][0]["actions"]}
    assert {"sleep_apnea_assessment", "weight_loss"} <= first
    assert data["alternatives"] == []
    assert "stop_exogenous_androgen" not in {a.code for a in interpret(case).actions}


SUITE = Path(__file__).parents[1] / "reference" / "clinic_cases" / "cases"


@pytest.mark.parametrize("path", sorted(
    [EXAMPLES.joinpath(name) for name in ("female_factor.yaml", "hyperprolactinaemia.yaml",
                                          "idiopathic_oligozoospermia.yaml", "mixed_units.yaml",
                                          "post_aas.yaml", "post_trt.yaml",
                                          "primary_testicular_failure.yaml")]
    + sorted(SUITE.glob("*.yaml")), key=str), ids=lambda p: p.name)
def test_a_plan_has_no_first_step_only_when_his_assessment_raises_no_action(path: Any) -> None:
    """The pathway rules cover every assessment that asks for something: a first step is
    missing only where his assessment raises no action at all (``Pathway.first``)."""
    case = load_case(str(path))
    assessment = interpret(case)
    pathway = pathway_for(assessment, case)
    assert pathway.first is not None or not assessment.actions, (
        f"{path.name}: {pathway.rule} with no first step although his assessment raises "
        f"{[a.code for a in assessment.actions]}")


def test_idiopathic_oligozoospermia_is_stimulated_with_what_his_assessment_advises() -> None:
    case = load_case(str(EXAMPLES.joinpath("idiopathic_oligozoospermia.yaml")))
    pathway = pathway_for(interpret(case), case)
    assert (pathway.id, pathway.first) == ("hormonal_stimulation", "serm")


def _assessment(base: Assessment, *, causes: tuple[str, ...] = (), actions: tuple[str, ...] = (),
                findings: tuple[str, ...] = (), cautions: tuple[str, ...] = ()) -> Assessment:
    """``base`` with these codes instead of its own (rules for codes not yet raised)."""
    def rec(code: str) -> Recommendation:
        return Recommendation(code, "TEST-1", "test", "test", None, ())
    return replace(
        base,
        causes=tuple(Cause(c, "high", ("TEST-1",), ("test",), "test") for c in causes),
        actions=tuple(rec(a) for a in actions), cautions=tuple(rec(c) for c in cautions),
        findings=tuple(Finding(f, "TEST-1", "test", "test", None, ()) for f in findings),
        missing=())


@pytest.mark.parametrize(("causes", "findings", "actions", "cautions", "expected"), [
    # a red flag outranks the cause it comes with
    (("hyperprolactinemia",), ("pituitary_red_flag",),
     ("dopamine_agonist", "urgent_pituitary_referral"), (),
     ("urgent_referral", "urgent_pituitary_referral")),
    # an unconfirmed diagnosis is completed before anything is treated
    ((), ("low_testosterone_unconfirmed",), ("repeat_morning_testosterone", "serm"),
     ("confirm_before_treating",), ("work_up_first", "repeat_morning_testosterone")),
    # current restoration therapy is changed, not started anew; stopping androgens he no
    # longer takes is not the step
    (("exogenous_testosterone",), ("current_restoration_therapy", "recent_androgen_stop"),
     ("stop_exogenous_androgen", "adjust_hcg_dose", "sperm_cryopreservation"), (),
     ("adjust_current_therapy", "adjust_hcg_dose")),
    (("obstructive_azoospermia",), ("azoospermia",), ("cftr_testing", "surgical_sperm_retrieval"),
     (), ("surgical_sperm_retrieval_icsi", "surgical_sperm_retrieval")),
    (("retrograde_ejaculation",), (), ("review_causative_medication",
                                       "urine_sperm_retrieval_art"), (),
     ("treat_cause_first", "review_causative_medication")),
    (("iron_overload",), (), ("hfe_genotyping", "hepatology_referral"), (),
     ("treat_cause_first", "hepatology_referral")),
    (("varicocele",), (), ("varicocele_repair",), (), ("treat_cause_first", "varicocele_repair")),
    (("opioid",), (), ("review_opioid_therapy", "hcg"), (),
     ("treat_cause_first", "review_opioid_therapy")),
    # a work-up of a cause not yet found precedes empirical stimulation
    ((), ("low_testosterone",), ("iron_studies", "serm"), (), ("work_up_first", "iron_studies")),
    (("age_related",), ("low_tmsc",), ("art_counseling",), (),
     ("assisted_reproduction", "art_counseling")),
    # persistent suppression long after androgens: stimulation, not "stop" again
    (("post_androgen_persistent", "exogenous_aas"), ("persistent_suppression_after_androgens",),
     ("hcg", "serm", "stop_exogenous_androgen"), (), ("hormonal_stimulation", "hcg")),
    ((), ("normozoospermia",), ("female_partner_evaluation",), (),
     ("no_male_treatment", "female_partner_evaluation")),
])
def test_pathway_rules_follow_the_assessment(
        causes: tuple[str, ...], findings: tuple[str, ...], actions: tuple[str, ...],
        cautions: tuple[str, ...], expected: tuple[str, str]) -> None:
    case = load_case(str(EXAMPLES.joinpath("post_trt.yaml")))
    assessment = _assessment(interpret(case), causes=causes, findings=findings,
                             actions=actions, cautions=cautions)
    pathway = pathway_for(assessment, case)
    assert (pathway.id, pathway.first) == expected


def test_every_pathway_rule_ends_in_no_male_treatment_and_names_known_pathways() -> None:
    rules = pathway_rules()
    assert {r.pathway for r in rules} == set(PATHWAYS)
    assert rules[-1].pathway == "no_male_treatment" and not rules[-1].when.tests


def test_escalations_follow_the_regimen() -> None:
    serm = {e.id for e in escalations_for(get_protocol("serm_clomiphene"), set())}
    hcg = {e.id for e in escalations_for(get_protocol("hcg"), set())}
    hcg_fsh = {e.id for e in escalations_for(get_protocol("hcg_fsh"), set())}
    with_ai = {e.id for e in escalations_for(get_protocol("hcg_serm_ai"), set())}
    cautioned = {e.id for e in escalations_for(get_protocol("hcg"),
                                               {"avoid_aromatase_inhibitor"})}
    assert serm == {"ESC-SERM-NO-RESPONSE", "ESC-AI", "CRYO"}
    assert hcg == {"ESC-HCG-T", "ESC-AI", "ESC-FSH", "CRYO"}
    assert "ESC-FSH" not in hcg_fsh  # FSH is already there
    assert "ESC-AI" not in with_ai and "ESC-AI" not in cautioned


def _hcg_advice(regimen: list[dict[str, str]]) -> str:
    protocol = replace(get_protocol("hcg"), regimen=tuple(regimen))
    (advice,) = [e.then for e in escalations_for(protocol, set()) if e.id == "ESC-HCG-T"]
    return advice


def test_escalation_advice_never_exceeds_the_dose_he_is_already_on() -> None:
    """Issue 15: a raise of hCG is advised only below its ceiling (3000 IU every other day,
    wenker2015), naming his dose; at or above it the advice keeps the dose he is on."""
    entry = {"drug": "hcg", "route": "sc", "start": "0 d"}
    below = _hcg_advice([{**entry, "dose": "1500 IU", "every": "2 d"}])
    assert below.startswith("raise hCG within its range (up to 3000 IU every other day)")
    assert below.endswith("(he is on 1500 IU every other day)")
    for dose, every, shown in (("3000 IU", "2 d", "3000 IU every other day"),
                               ("5000 IU", "3 d", "5000 IU every 3 days")):
        at_or_above = _hcg_advice([{**entry, "dose": dose, "every": every}])
        assert at_or_above.startswith(f"keep hCG at {shown}, already at or above the top of "
                                      "its range (3000 IU every other day)")
        assert "raise" not in at_or_above
    # the shipped protocols give hCG at the ceiling: none advises raising it
    for protocol_id in ("hcg", "hcg_serm", "hcg_fsh"):
        advice = [e.then for e in escalations_for(get_protocol(protocol_id), set())]
        assert not any(a.startswith("raise hCG") for a in advice)


def test_monitoring_has_hormones_after_the_start_and_semen_every_three_months() -> None:
    start = dt.date(2026, 1, 1)
    esc = escalations_for(get_protocol("hcg"), set())
    checks = monitoring_checks(start, esc, plan_rules().monitoring, 12.0)
    hormone_days = [(c.date - start).days for c in checks if c.what.startswith("hormones")]
    semen_days = [(c.date - start).days for c in checks
                  if c.what == "semen analysis" and c.why.startswith("one spermatogenic")]
    assert hormone_days == [14, 42]
    # month 6 (day 183) is the same sample as ESC-FSH's week-26 analysis (day 182): one check
    assert semen_days == [91, 274, 365]
    assert any(c.why.startswith("ESC-FSH") and (c.date - start).days == 182 for c in checks)
    all_semen = sorted((c.date - start).days for c in checks if c.what == "semen analysis")
    assert all_semen == [91, 182, 274, 365]


def test_waiting_off_all_drugs_follows_his_axis_with_each_semen_analysis() -> None:
    """Watchful waiting scheduled 'hormones 2 weeks after starting' when no drug starts
    (clinical review): off every drug, the panel goes with each semen analysis."""
    start = dt.date(2026, 1, 1)
    checks = monitoring_checks(start, (), plan_rules().monitoring, 12.0, drug_change=False)
    assert not any("after starting" in c.why for c in checks)
    hormone_days = [(c.date - start).days for c in checks if c.what.startswith("hormones")]
    semen_days = [(c.date - start).days for c in checks if c.what == "semen analysis"]
    assert hormone_days == semen_days == [91, 183, 274, 365]


def test_plan_ranks_the_appropriate_alternatives_by_probability_at_the_target() -> None:
    case = load_case(str(EXAMPLES.joinpath("post_trt.yaml")))
    result = plan(case, target_month=6.0, n=6)
    probabilities = [a.probability_by_target for a in result.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    assert [a.rank for a in result.alternatives] == list(range(1, len(probabilities) + 1))
    assert ("hcg_serm_ai", "caution avoid_aromatase_inhibitor") in result.excluded
    data = result.to_dict()
    assert data["pathway"] == "treat_cause_first" and data["target_month"] == 6.0
    assert data["forecast"] == "curves" and data["first_step"]["code"] == "stop_exogenous_androgen"
    # dated checks start from his as-of date, never in the past
    assert all(c["date"] >= case.as_of.isoformat() for a in data["alternatives"]
               for c in a["checks"])
    assert data["alternatives"][0]["checks"][0]["what"].startswith("hormones")


def test_results_too_old_to_treat_on_are_repeated_in_the_first_phase() -> None:
    """His LH/FSH of 2025-10-15 read on 2026-12-07 are 13.7 months old (LAB-STALE-1: older
    than about one spermatogenic cycle, amann2008): the repeat panel is part of the first
    phase, before a drug is chosen on them; read a month after the panel it is not asked."""
    path = str(EXAMPLES.joinpath("post_trt.yaml"))
    stale = load_case(path, as_of=dt.date(2026, 12, 7))
    assessment = interpret(stale)
    (first, *_) = phases(assessment, pathway_for(assessment, stale), stale)
    step = next(s for s in first.steps if s.code == "repeat_hormone_panel")
    assert (step.rule, step.citation) == ("LAB-STALE-1", "amann2008")
    fresh = load_case(path, as_of=dt.date(2025, 11, 15))
    assessment = interpret(fresh)
    (first, *_) = phases(assessment, pathway_for(assessment, fresh), fresh)
    assert "repeat_hormone_panel" not in {s.code for s in first.steps}
