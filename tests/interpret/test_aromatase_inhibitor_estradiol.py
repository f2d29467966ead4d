"""An aromatase inhibitor only with a high estradiol, or a low T/E2 with high-normal
estradiol (clinical review; issue 15: "AI only with high E2 or a low T/E2"). A low ratio
from a low testosterone with a mid-normal estradiol is not estrogen excess."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from androcast.interpret import interpret
from androcast.interpret.knowledge import threshold
from androcast.labs import load_case

AS_OF = dt.date(2026, 12, 7)
CLINIC = Path(__file__).parents[1] / "reference" / "clinic_cases" / "cases"


def _actions(case_file: str) -> tuple[str, ...]:
    return interpret(load_case(CLINIC / case_file, as_of=AS_OF)).action_codes()


def test_the_high_normal_floor_is_the_fertile_mens_mean_estradiol() -> None:
    # pavlovich2001: fertile controls 43.5 pg/mL (infertile men 58.4)
    floor = threshold("interpret.estradiol_ai_floor")
    assert (floor.value, floor.unit) == (43.5, "pg/mL")


def test_no_ai_for_a_low_ratio_with_mid_normal_estradiol() -> None:
    """c20: E2 110 pmol/L (30 pg/mL), T/E2 7.6 only because T is low."""
    assert "aromatase_inhibitor" not in _actions("c20_mixed_units.yaml")


def test_an_ai_for_a_low_ratio_with_high_normal_estradiol() -> None:
    """c04: E2 52 pg/mL (17.8-56.6), T/E2 4.8: the AI alongside weight loss stays."""
    assert "aromatase_inhibitor" in _actions("c04_obesity_functional.yaml")
