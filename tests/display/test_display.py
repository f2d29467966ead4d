"""Words, units and numbers as a person reads them (codes stay in JSON and FHIR)."""

from __future__ import annotations

from importlib import resources

import pytest

from androcast import display
from androcast._yaml import load_data


@pytest.mark.parametrize(
    ("value", "text"),
    [(3.294, "3.29"), (1150.4, "1150"), (0.30001, "0.3"), (31.76, "31.8"), (22.53, "22.5"),
     (256.99, "257"), (0.000136, "0.000136"), (0.0, "0"), (None, "-")],
)
def test_results_have_three_significant_figures_and_no_trailing_zeros(
    value: float | None, text: str
) -> None:
    assert display.number(value) == text


def test_reference_intervals_are_rounded_as_laboratories_print_them() -> None:
    # the catalogue's testosterone interval (9.153-31.76) and FAMHES oestradiol (65.4-207.7)
    assert display.interval(9.153, 31.76, "nmol/L") == "9.2–31.8 nmol/L"
    assert display.interval(65.4, 207.7, "pmol/L") == "65.4–208 pmol/L"
    assert display.interval(0.2731, 4.2, "m[IU]/L") == "0.27–4.2 mIU/L"
    assert display.interval(None, 20.0, "ng/L") == "≤ 20 ng/L"
    assert display.interval(None, None) == "none"


def test_units_read_as_clinicians_write_them() -> None:
    assert [display.unit(u) for u in ("[IU]/L", "m[IU]/mL", "10*6/mL", "ug/L", "nmol/L")] == [
        "IU/L", "mIU/mL", "million/mL", "µg/L", "nmol/L"]


def test_codes_read_as_words_and_unknown_codes_never_read_as_code() -> None:
    assert display.label("pattern", "exogenous_suppression") == "Suppressed by androgens"
    assert display.label("drug", "testosterone_cypionate") == "Testosterone cypionate"
    assert display.label("cause", "a_code_added_tomorrow") == "A code added tomorrow"
    assert display.outcome("concentration_ge_20m_per_ml") == (
        "sperm concentration ≥ 20 million/mL")
    assert display.outcome("concentration_ge_50pct_baseline") == (
        "sperm concentration ≥ 50 % of his own baseline")
    assert display.every(2) == "every other day" and display.every(7) == "weekly"
    assert display.parse_every("90 min") == pytest.approx(90 / 1440)


def test_every_vocabulary_code_has_words_of_its_own() -> None:
    text = resources.files("androcast.interpret").joinpath("vocabulary.yaml").read_text("utf-8")
    vocabulary = load_data(text)
    kinds = {"pattern": "pattern", "causes": "cause", "actions": "action",
             "cautions": "caution", "findings": "finding", "prognosis": "prognosis_class"}
    missing = [f"{kind}: {code}" for key, kind in kinds.items() for code in vocabulary[key]
               if code not in display.known(kind)]
    assert missing == []


def test_the_couples_words_exist() -> None:
    """Issue 22: the pregnancy outcome and the sperm of the plan's ICSI option in words."""
    assert display.outcome("pregnancy_natural") == "a natural pregnancy (conception)"
    assert set(display.known("art_sperm")) == {"current_or_banked", "none_now",
                                                "post_ejaculate_urine"}
