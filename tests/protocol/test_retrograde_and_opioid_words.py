"""Clinical review item 5: retrograde ejaculation is not severe oligozoospermia and its
sperm for ICSI come from his urine, not surgery (c14); the opioid advice says the same in
the assessment and the plan (c05)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from androcast.interpret import interpret
from androcast.labs import load_case
from androcast.protocol import pathway_for, plan

AS_OF = dt.date(2026, 12, 7)
CLINIC = Path(__file__).parents[1] / "reference" / "clinic_cases" / "cases"


def test_sperm_in_the_urine_is_not_severe_oligozoospermia() -> None:
    """c14: 0 M/mL in 0.2 mL antegrade, 48 M motile sperm in the post-ejaculate urine."""
    case = load_case(CLINIC / "c14_retrograde.yaml", as_of=AS_OF)
    findings = {f.code for f in interpret(case).findings}
    assert "sperm_in_post_ejaculate_urine" in findings
    assert not {"severe_oligozoospermia", "oligozoospermia", "azoospermia"} & findings


def test_icsi_sperm_come_from_his_urine_not_surgery() -> None:
    """The plan's ICSI-now line (partner 35) names alkalinised post-ejaculate urine."""
    case = load_case(CLINIC / "c14_retrograde.yaml", as_of=AS_OF)
    art = plan(case, n=4).art
    assert art is not None and art.sperm == "post_ejaculate_urine"


def test_the_opioid_advice_is_one_voice() -> None:
    """c05, methadone for opioid use disorder: the assessment's note and the plan's first
    step both say a review with the addiction service, never an abrupt taper."""
    case = load_case(CLINIC / "c05_opioid.yaml", as_of=AS_OF)
    assessment = interpret(case)
    (note,) = [a.note for a in assessment.actions if a.code == "review_opioid_therapy"]
    pathway = pathway_for(assessment, case)
    assert pathway.first == "review_opioid_therapy"
    for text in (note or "", pathway.first_text):
        assert "addiction service" in text and "never an abrupt taper" in text
        assert "taper or switch" not in text
    assert "tapered or stopped" not in assessment.prognosis.basis
