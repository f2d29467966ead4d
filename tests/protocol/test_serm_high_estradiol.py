"""A SERM he keeps taking with a high estradiol and tender gynaecomastia (clinical review,
c16 without its visual symptoms): the regimen changes (a lower dose or tamoxifen) rather
than continuing as it is, hCG is not added to a normal testosterone, and the first step's
words say what it does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from androcast.interpret import interpret
from androcast.labs import Case, parse_case
from androcast.prognosis import get_protocol
from androcast.prognosis.protocols import why_not
from androcast.protocol import pathway_for, phases

AS_OF = dt.date(2026, 12, 7)
C16 = Path(__file__).parents[1] / "reference" / "clinic_cases" / "cases" / (
    "c16_clomiphene_high_e2.yaml")


def _c16(visual: bool) -> Case:
    data = yaml.safe_load(C16.read_text(encoding="utf-8"))
    if not visual:
        conditions = data["history"]["conditions"]
        data["history"]["conditions"] = [c for c in conditions
                                         if c not in ("visual_disturbance", "mood_change")]
    return parse_case(data, as_of=AS_OF)


def test_high_estradiol_with_gynaecomastia_on_a_serm_changes_the_regimen() -> None:
    case = _c16(visual=False)
    assessment = interpret(case)
    assert "adjust_serm" in assessment.action_codes()
    assert "continue_current_therapy" not in assessment.action_codes()
    pathway = pathway_for(assessment, case)
    assert (pathway.id, pathway.first) == ("adjust_current_therapy", "adjust_serm")
    assert phases(assessment, pathway, case)[0].steps[0].code == "adjust_serm"


def test_no_hcg_is_added_to_a_normal_testosterone_on_a_serm() -> None:
    assessment = interpret(_c16(visual=False))  # T 780 ng/dL on clomiphene 50 mg
    assert "avoid_hcg_normal_testosterone" in assessment.caution_codes()
    for protocol in ("hcg", "hcg_serm", "hcg_fsh"):
        assert why_not(get_protocol(protocol), assessment) is not None


def test_with_visual_symptoms_the_serm_stops_and_hcg_stays_open() -> None:
    """c16 itself: stop_serm first; his low testosterone returns off clomiphene, so hCG is
    the next option (plan_checks) and is not withheld."""
    assessment = interpret(_c16(visual=True))
    assert "stop_serm" in assessment.action_codes()
    assert "adjust_serm" not in assessment.action_codes()
    assert "avoid_hcg_normal_testosterone" not in assessment.caution_codes()


def test_continuing_therapy_reads_as_continuing() -> None:
    case = parse_case({
        "patient": {"id": "K1", "age_years": 35}, "goal": "fertility",
        "history": {
            "androgens": [{"agent": "testosterone_cypionate", "dose": "100 mg", "every": "7 d",
                           "start": "2023-01-01", "stop": "2026-03-01"}],
            "medications": [{"agent": "hcg", "dose": "1500 IU", "every": "2 d",
                             "start": "2026-06-01"}]},
        "labs": [{"date": "2026-11-20", "analyte": a, "value": v, "unit": u}
                 for a, v, u in (("testosterone_total", 600, "ng/dL"), ("lh", 0.3, "IU/L"),
                                 ("fsh", 0.5, "IU/L"), ("estradiol", 30, "pg/mL"))],
        "semen": [{"date": "2026-11-22", "volume_ml": 3.0, "concentration_m_per_ml": 5,
                   "progressive_motility_pct": 30, "total_motility_pct": 40}],
    }, as_of=AS_OF)
    assessment = interpret(case)
    pathway = pathway_for(assessment, case)
    assert pathway.first == "continue_current_therapy"
    assert pathway.first_text.startswith("continue the restoration regimen he is on")
    assert "change" not in pathway.first_text.split("(")[0]


