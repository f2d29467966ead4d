"""An urgent referral is urgent only (clinical review): its first phase is the referral and
its urgent work-up (formal fields, MRI, glucocorticoid cover), the confirmatory re-tests
that a red flag makes moot are not raised (macroprolactin testing is for asymptomatic
patients, melmed2011), and a headache alone is a trigger for imaging, not a red flag."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from androcast.interpret import interpret
from androcast.labs import load_case
from androcast.protocol import pathway_for, phases, plan

AS_OF = dt.date(2026, 12, 7)
CLINIC = Path(__file__).parents[1] / "reference" / "clinic_cases" / "cases"
EXAMPLES = Path(__file__).parents[2] / "examples" / "cases"
URGENT_PHASE = ("urgent_pituitary_referral", "visual_field_assessment", "pituitary_mri",
                "glucocorticoid_replacement")


def test_the_urgent_phase_holds_the_referral_and_its_work_up_only() -> None:
    case = load_case(CLINIC / "c06_prolactinoma_visual.yaml", as_of=AS_OF)
    assessment = interpret(case)
    pathway = pathway_for(assessment, case)
    assert (pathway.id, pathway.first) == ("urgent_referral", "urgent_pituitary_referral")
    first, *rest = phases(assessment, pathway, case)
    assert tuple(s.code for s in first.steps) == URGENT_PHASE
    later = {s.code for p in rest for s in p.steps}
    assert {"dopamine_agonist", "treat_thyroid", "art_counseling"} <= later
    # partner 38 would otherwise bring the ART comparison ("ICSI now") into the plan
    assert plan(case, n=4).art is None


def test_a_red_flag_raises_no_confirmatory_re_test() -> None:
    assessment = interpret(load_case(CLINIC / "c06_prolactinoma_visual.yaml", as_of=AS_OF))
    assert "pituitary_red_flag" in {f.code for f in assessment.findings}
    assert not {"repeat_prolactin_macroprolactin", "repeat_morning_testosterone"} & set(
        assessment.action_codes())
    assert "confirm_before_treating" not in assessment.caution_codes()
    assert "low_testosterone_unconfirmed" in {f.code for f in assessment.findings}


def test_a_headache_alone_triggers_imaging_not_an_urgent_referral() -> None:
    """examples/cases/hyperprolactinaemia.yaml: prolactin 61-68 ng/mL, T 210-228 ng/dL,
    headache, no visual loss: imaging is indicated (bhasin2018), after macroprolactin when
    prolactin is below about 250 ng/mL (petersenn2023), but nothing is urgent."""
    case = load_case(EXAMPLES / "hyperprolactinaemia.yaml", as_of=AS_OF)
    assessment = interpret(case)
    findings = {f.code for f in assessment.findings}
    assert "pituitary_imaging_trigger" in findings and "pituitary_red_flag" not in findings
    assert "repeat_prolactin_macroprolactin" in assessment.action_codes()
    pathway = pathway_for(assessment, case)
    assert pathway.id != "urgent_referral"
    first = {s.code for s in phases(assessment, pathway, case)[0].steps}
    assert {"pituitary_mri", "repeat_prolactin_macroprolactin"} <= first


def test_a_protocol_without_a_published_figure_says_so() -> None:
    """c04 ranks hcg_serm_ai (no published outcome for men like him) beside protocols with
    one: each alternative either shows its figures or the note that it has none."""
    case = load_case(CLINIC / "c04_obesity_functional.yaml", as_of=AS_OF)
    alternatives = plan(case, n=4).to_dict()["alternatives"]
    by_id = {a["id"]: a for a in alternatives}
    assert by_id["hcg_serm_ai"]["evidence"] == []
    assert "no published outcome" in by_id["hcg_serm_ai"]["evidence_note"]
    for a in alternatives:
        assert (a["evidence_note"] is None) == bool(a["evidence"])
