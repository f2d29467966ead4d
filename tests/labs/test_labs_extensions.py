"""The case-file extensions of the clinic suite (EXTENSIONS.md), read into the Case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from androcast.errors import AndrocastError, DateError, LabValueError, UnknownCodeError
from androcast.labs import MedicationCourse, load_case, parse_case

CASES = Path(__file__).parents[1] / "reference" / "clinic_cases" / "cases"
AS_OF = dt.date(2026, 12, 7)


def test_medication_course_with_dose_is_current_without_stop() -> None:
    case = load_case(CASES / "c15_on_hcg_supraphys.yaml", as_of=AS_OF)
    assert case.current_medications() == (
        MedicationCourse("hcg", None, 3000.0, "IU", 2.0, dt.date(2026, 6, 1), None),
    )
    assert case.history.medications == ("hcg",)


def test_a_stopped_course_is_history_not_state() -> None:
    case = load_case(CASES / "c17_post_aas_gyno.yaml", as_of=AS_OF)
    (course,) = case.history.courses
    assert (course.agent, course.stop) == ("tamoxifen", dt.date(2026, 4, 5))
    assert case.current_medications() == ()


def test_code_form_still_means_taken_now() -> None:
    case = parse_case({"patient": {"id": "x"}, "history": {"medications": ["opioid"]}}, as_of=AS_OF)
    assert [c.agent for c in case.current_medications()] == ["opioid"]


def test_partner_exam_reproductive_and_gonadotoxic_history() -> None:
    c13 = load_case(CASES / "c13_obstructive_azoospermia.yaml", as_of=AS_OF)
    assert c13.exam is not None and c13.exam.vas_deferens == ("not_palpable", "not_palpable")
    assert c13.partner is not None and c13.partner.age_years == 31
    assert c13.history.reproductive is not None and c13.history.reproductive.children == 0
    assert [s.ph for s in c13.semen] == [6.6, 6.5]
    c10 = load_case(CASES / "c10_post_chemo.yaml", as_of=AS_OF)
    chemo, radio = c10.history.gonadotoxic_treatment
    assert (chemo.type, chemo.cycles, chemo.sperm_banked_before) == ("chemotherapy", 6, False)
    assert (radio.type, radio.dose_gy) == ("radiotherapy", 30)
    c02 = load_case(CASES / "c02_trt_5y_child_6mo.yaml", as_of=AS_OF)
    assert c02.goal_within_months == 6
    assert c02.semen[0].cryptozoospermia and not c02.semen[1].cryptozoospermia


def test_lab_time_fasting_and_post_ejaculate_urine() -> None:
    c19 = load_case(CASES / "c19_only_T.yaml", as_of=AS_OF)
    (result,) = c19.labs
    assert (result.time, result.fasting) == (dt.time(16, 30), False)
    c14 = load_case(CASES / "c14_retrograde.yaml", as_of=AS_OF)
    urine = c14.semen[-1].post_ejaculate_urine
    assert urine is not None and (urine.sperm_seen, urine.total_sperm_million) == (True, 48)


def test_new_analytes_convert_to_their_canonical_units() -> None:
    labs = [
        {"date": "2026-11-01", "analyte": "hematocrit", "value": 0.49, "unit": "L/L"},
        {"date": "2026-11-01", "analyte": "alt", "value": 1.2, "unit": "ukat/L"},
        {"date": "2026-11-01", "analyte": "cortisol_morning", "value": 2.5, "unit": "ug/dL"},
        {"date": "2026-11-01", "analyte": "prolactin_monomeric", "value": 212, "unit": "mIU/L"},
        {"date": "2026-11-01", "analyte": "ferritin", "value": 300, "unit": "ng/mL"},
    ]
    case = parse_case({"patient": {"id": "x"}, "labs": labs}, as_of=AS_OF)
    values = {r.analyte: (round(r.value, 2), r.unit) for r in case.labs}
    assert values == {
        "hematocrit": (49.0, "%"),
        "alt": (72.0, "U/L"),
        "cortisol_morning": (68.97, "nmol/L"),  # 27.59 nmol/L per ug/dL
        "prolactin_monomeric": (10.0, "ng/mL"),  # 21.2 mIU/L per ng/mL
        "ferritin": (300.0, "ug/L"),
    }


@pytest.mark.parametrize(
    ("case", "error", "field"),
    [
        ({"partner": {"age_years": 34, "evaluation": "ok"}}, UnknownCodeError, "partner"),
        ({"goal_within_months": 0}, LabValueError, "goal_within_months"),
        ({"exam": {"varicocele": {"left": "grade_4"}}}, UnknownCodeError, "exam.varicocele"),
        (
            {"history": {"gonadotoxic_treatment": [{"type": "surgery"}]}},
            UnknownCodeError,
            "history.gonadotoxic_treatment[0].type",
        ),
        (
            {"history": {"medications": [{"agent": "tamsulosin"}]}},
            UnknownCodeError,
            "history.medications[0].agent",
        ),
        (
            {"history": {"medications": [{"agent": "hcg", "start": "2027-01-01"}]}},
            DateError,
            "history.medications[0].start",
        ),
    ],
)
def test_bad_extension_fields_name_the_field(case: dict, error: type, field: str) -> None:
    with pytest.raises(error) as caught:
        parse_case({"patient": {"id": "x"}, **case}, as_of=AS_OF)
    assert str(caught.value).startswith(field)


def test_a_restoration_dose_outside_its_accepted_range_is_refused_at_once() -> None:
    """interpret read hCG 30,000 IU and clomiphene 500 mg that plan refused (clinical review):
    the case itself refuses them, each named with the range its route accepts and its source,
    in one message; a dose at the edge of the range is taken."""
    def medication(agent: str, dose: str) -> dict[str, str]:
        return {"agent": agent, "dose": dose, "every": "2 d", "start": "2026-06-01"}

    with pytest.raises(AndrocastError) as caught:
        parse_case({"patient": {"id": "x"}, "history": {"medications": [
            medication("hcg", "30000 IU"), medication("clomiphene_citrate", "0.5 g")]}},
            as_of=AS_OF)
    text = str(caught.value)
    assert "history.medications[0].dose: '30000 IU' is outside the accepted dose range" in text
    assert "expected 15-6000 IU per administration of hcg by the sc route" in text
    assert "history.medications[1].dose: '500 mg' is outside the accepted dose range" in text
    assert "12.5-150 mg per administration of clomiphene_citrate" in text
    case = parse_case({"patient": {"id": "x"}, "history": {"medications": [
        medication("hcg", "6000 IU"), medication("clomiphene_citrate", "12.5 mg")]}}, as_of=AS_OF)
    assert [c.dose for c in case.history.courses] == [6000, 12.5]
