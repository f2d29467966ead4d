"""Record forms refuse empty or invalid input and read decimal commas (issue 18).

Defects seen on main: an empty semen form saved an all-dash analysis; "12,5" in a number
field was stored as nothing. The page-level behaviour (422, nothing stored) is in
test_pages.py; these check the form parsing that decides it.
"""

from __future__ import annotations

import datetime as dt

from androcast.web.forms import decimal_text, parse_lab_form, parse_semen_form

TODAY = dt.date(2025, 11, 1)


def test_an_empty_semen_form_is_refused_with_a_field_message() -> None:
    analysis, errors = parse_semen_form(
        {"semen[0].date": "2025-10-20"}, patient_id="P001", as_of=TODAY
    )
    assert analysis is None
    (error,) = errors.values()
    assert error.field == "semen[0].concentration_m_per_ml"
    assert "at least one of" in error.message


def test_decimal_commas_are_read_in_semen_and_lab_forms() -> None:
    analysis, errors = parse_semen_form(
        {"semen[0].date": "2025-10-20", "semen[0].concentration_m_per_ml": "12,5"},
        patient_id="P001",
        as_of=TODAY,
    )
    assert errors == {} and analysis is not None
    assert analysis.concentration_m_per_ml == 12.5
    result, errors = parse_lab_form(
        {
            "labs[0].date": "2025-10-20",
            "labs[0].analyte": "lh",
            "labs[0].value": "1,4",
            "labs[0].unit": "IU/L",
        },
        patient_id="P001",
        age_years=38,
        as_of=TODAY,
    )
    assert errors == {} and result is not None
    assert result.value == 1.4


def test_only_a_single_decimal_comma_is_read_as_a_point() -> None:
    assert decimal_text("12,5") == "12.5"
    assert decimal_text("1,000,5") == "1,000,5"  # ambiguous: left for the parser to refuse
    assert decimal_text("<0,3") == "<0.3"
