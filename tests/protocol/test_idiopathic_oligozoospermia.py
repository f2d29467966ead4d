"""Idiopathic oligozoospermia with a normal testosterone: the assessment advises a SERM and
FSH (chua2013, santi2015) and cautions against hCG (IOL-HCG-1, schlegel2021: hCG is for
infertile men with low testosterone), so no hCG arm is offered or ranked, and a SERM that
does not raise LH and FSH escalates to FSH, not to hCG."""

from __future__ import annotations

import datetime as dt

from androcast.interpret import interpret
from androcast.labs import parse_case
from androcast.prognosis import get_protocol
from androcast.prognosis.protocols import appropriate_protocols, why_not
from androcast.protocol import escalations_for

AS_OF = dt.date(2026, 12, 7)
CAUTION = "avoid_hcg_normal_testosterone"


def _man(testosterone_nmol_l: float, lh: float) -> dict[str, object]:
    return {"patient": {"id": "IO1", "age_years": 33}, "goal": "fertility",
            "labs": [{"date": "2026-10-01", "analyte": a, "value": v, "unit": u} for a, v, u in (
                ("testosterone_total", testosterone_nmol_l, "nmol/L"), ("lh", lh, "IU/L"),
                ("fsh", 5.0, "IU/L"))],
            "semen": [{"date": "2026-10-05", "volume_ml": 3, "concentration_m_per_ml": 8,
                       "progressive_motility_pct": 25}]}


def test_no_hcg_arm_for_a_man_whose_testosterone_is_normal() -> None:
    assessment = interpret(parse_case(_man(17.0, 4.0), as_of=AS_OF))
    assert "idiopathic_oligozoospermia" in assessment.cause_codes()
    assert CAUTION in assessment.caution_codes()
    assert {"serm", "fsh"} <= set(assessment.action_codes())
    offered = {p.id for p in appropriate_protocols(assessment)}
    assert offered == {"watchful_waiting", "serm_clomiphene", "serm_tamoxifen"}
    assert why_not(get_protocol("hcg_fsh"), assessment) == f"caution {CAUTION}"


def test_a_serm_that_does_not_work_escalates_to_fsh_not_hcg() -> None:
    clomiphene = get_protocol("serm_clomiphene")
    idiopathic = {e.id for e in escalations_for(clomiphene, {CAUTION})}
    assert "ESC-SERM-NO-RESPONSE-FSH" in idiopathic
    assert "ESC-SERM-NO-RESPONSE" not in idiopathic
    usual = {e.id for e in escalations_for(clomiphene, set())}
    assert "ESC-SERM-NO-RESPONSE" in usual
    assert "ESC-SERM-NO-RESPONSE-FSH" not in usual


def test_an_aromatase_inhibitor_is_not_added_when_cautioned_against() -> None:
    hcg = get_protocol("hcg")
    assert "ESC-AI" in {e.id for e in escalations_for(hcg, set())}
    assert "ESC-AI" not in {e.id for e in escalations_for(hcg, {"avoid_aromatase_inhibitor"})}
