"""Where the Assessment's prognosis class comes from (clinical review, one voice): a drug he
takes now, his goal and the confidence of the cause it is read from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from androcast.interpret import interpret
from androcast.labs import load_case, parse_case

AS_OF = dt.date(2026, 12, 7)
EXAMPLES = Path(__file__).parents[2] / "examples" / "cases"
CLINIC = Path(__file__).parents[1] / "reference" / "clinic_cases" / "cases"


def _lab(date: str, analyte: str, value: float, unit: str) -> dict[str, Any]:
    return {"date": date, "analyte": analyte, "value": value, "unit": unit}


def _on_clomiphene(before: bool) -> Any:
    """On clomiphene with normal values and semen on the drug; low T and LH before it
    (``before``) or no values from before it."""
    labs = [_lab("2026-11-20", "testosterone_total", 780, "ng/dL"),
            _lab("2026-11-20", "lh", 9.8, "IU/L"), _lab("2026-11-20", "fsh", 10.5, "IU/L")]
    if before:
        labs = [_lab("2026-06-15", "testosterone_total", 250, "ng/dL"),
                _lab("2026-06-15", "lh", 2.5, "IU/L"), *labs]
    return parse_case({
        "patient": {"id": "P1", "age_years": 39}, "goal": "fertility",
        "history": {"medications": [{"agent": "clomiphene_citrate", "dose": "50 mg",
                                     "every": "1 d", "start": "2026-07-20"}]},
        "labs": labs,
        "semen": [{"date": "2026-11-22", "volume_ml": 3.0, "concentration_m_per_ml": 45,
                   "progressive_motility_pct": 45, "total_motility_pct": 55}],
    }, as_of=AS_OF)


def test_on_a_serm_the_class_is_never_no_dysfunction_found() -> None:
    """Normal values on clomiphene are the drug's: PROG-NORMAL-1 ("no HPG or spermatogenic
    dysfunction") must not class him; his values before the drug do (secondary
    hypogonadism: concord_gonadotropin, 78 % any sperm -> moderate)."""
    a = interpret(_on_clomiphene(before=True))
    assert a.pattern == "on_treatment"
    assert a.prognosis.rule == "PROG-ON-TREATMENT-SECONDARY-1"
    assert a.prognosis.class_ == "moderate"
    assert "before the drug" in a.prognosis.basis
    without = interpret(_on_clomiphene(before=False))
    assert without.prognosis.rule != "PROG-NORMAL-1"
    assert without.prognosis.class_ != "good"


def test_clinic_c16_is_classed_from_before_clomiphene() -> None:
    a = interpret(load_case(CLINIC / "c16_clomiphene_high_e2.yaml", as_of=AS_OF))
    assert "PROG-NORMAL-1" not in a.fired
    assert a.prognosis.rule == "PROG-ON-TREATMENT-SECONDARY-1"
    assert a.prognosis.class_ == "moderate"


def test_a_man_who_seeks_only_testosterone_gets_no_sperm_recovery_class() -> None:
    """examples/cases/mixed_units.yaml: goal testosterone, staying on gel. The kohn2017
    figure (TMC > 5 M on hCG + SERM) is about sperm: not his class; his class speaks of
    his testosterone. With a low testosterone on the gel no cited rule classes him, and the
    forecast declines saying why."""
    a = interpret(load_case(EXAMPLES / "mixed_units.yaml", as_of=AS_OF))
    assert a.prognosis.rule == "PROG-ON-TRT-TESTOSTERONE-GOAL-1"
    assert (a.prognosis.class_, a.prognosis.endpoint) == ("good", "testosterone")
    low = parse_case({
        "patient": {"id": "G1", "age_years": 42}, "goal": "testosterone",
        "history": {"androgens": [{"agent": "testosterone_gel", "dose": "50 mg", "every": "1 d",
                                   "start": "2023-01-10"}]},
        "labs": [_lab("2026-10-02", "testosterone_total", 6.0, "nmol/L"),
                 _lab("2026-11-02", "testosterone_total", 6.5, "nmol/L")],
    }, as_of=AS_OF)
    b = interpret(low)
    assert "PROG-TRT-LONG-1" in b.fired and b.prognosis.class_ is None
    assert b.prognosis.declined is not None
    assert b.prognosis.declined.rule == "DECLINE-TESTOSTERONE-GOAL"
    assert "PROG-TRT-LONG-1" in b.prognosis.basis


def test_the_class_is_not_read_from_a_low_confidence_cause() -> None:
    """c08b: iron overload (high) beside age_related (low): never the age_related rule's
    class. c20: age_related (low) is his only cause, and the pattern-level rule for
    secondary hypogonadism gives a class, so the lead does not (it would only where no
    other rule applies)."""
    c08b = interpret(load_case(CLINIC / "c08b_haemochromatosis_ferritin.yaml", as_of=AS_OF))
    assert [(c.code, c.confidence) for c in c08b.causes][:2] == [
        ("iron_overload", "high"), ("age_related", "low")]
    assert "PROG-AGE-1" in c08b.fired and c08b.prognosis.rule != "PROG-AGE-1"
    c20 = interpret(load_case(CLINIC / "c20_mixed_units.yaml", as_of=AS_OF))
    assert [(c.code, c.confidence) for c in c20.causes] == [("age_related", "low")]
    assert "PROG-AGE-1" in c20.fired
    assert (c20.prognosis.rule, c20.prognosis.class_) == ("PROG-SECONDARY-1", "moderate")
