"""Identifiers and dates at the boundary: one identifier per patient however it is typed,
no invisible or look-alike characters, no dates before 1900 or his birth."""

from __future__ import annotations

import datetime as dt

import pytest

from androcast.errors import DateError, IdentifierError
from androcast.labs import parse_case, patient_identifier

AS_OF = dt.date(2025, 11, 1)


@pytest.mark.parametrize(
    "typed", [" P001", "P001 ", "\tP001", "Ｐ００１", "P001\u3000", "P001\r\n"]
)
def test_the_same_identifier_however_it_is_typed(typed: str) -> None:
    assert patient_identifier(typed, "patient.id") == "P001"


def test_inner_spaces_are_single_and_numbers_are_text() -> None:
    assert patient_identifier("tst   1", "id") == "tst 1"
    assert patient_identifier(12, "id") == "12"


@pytest.mark.parametrize(
    "typed",
    [
        "\ufeffP001",  # byte-order mark
        "P\u200b001",  # zero-width space
        "\u0420001",  # Cyrillic Er, a look-alike of P
        "P0\r\n01",
        "P0\t01",
        "P\x00001",
        "P\ud800",  # lone surrogate
        "x" * 65,
        "a/b",
        "new",
        "NEW",
        "",
        "   ",
        "-P001",
        "P\u0301",  # a combining accent
    ],
)
def test_invisible_look_alike_reserved_and_long_identifiers_are_refused(typed: str) -> None:
    with pytest.raises(IdentifierError) as refused:
        patient_identifier(typed, "patient.id")
    assert refused.value.field == "patient.id"
    assert "letters A-Z, digits" in refused.value.expected
    assert len(str(refused.value)) < 400  # a long value is cut in the message
    str(refused.value).encode("utf-8")  # and printable as it is shown


def test_a_huge_identifier_is_refused_without_being_echoed() -> None:
    with pytest.raises(IdentifierError) as refused:
        parse_case({"patient": {"id": "x" * 100_000}}, as_of=AS_OF)
    assert "(100000 characters)" in str(refused.value) and len(str(refused.value)) < 400


def test_dates_before_1900_are_refused() -> None:
    case = {"patient": {"id": "P1"},
            "labs": [{"date": "1899-12-31", "analyte": "lh", "value": 1, "unit": "IU/L"}]}
    with pytest.raises(DateError) as refused:
        parse_case(case, as_of=AS_OF)
    assert refused.value.field == "labs[0].date" and "1900-01-01" in refused.value.expected


def test_results_and_courses_before_his_birth_are_refused() -> None:
    lab = {"date": "1980-05-01", "analyte": "lh", "value": 1, "unit": "IU/L"}
    with pytest.raises(DateError) as refused:
        parse_case({"patient": {"id": "P1", "age_years": 38}, "labs": [lab]}, as_of=AS_OF)
    assert refused.value.field == "labs[0].date" and "after his birth" in refused.value.expected
    course = {"agent": "testosterone_cypionate", "dose": "200 mg", "every": "7 d",
              "start": "1950-01-01", "stop": "2025-01-01"}
    with pytest.raises(DateError) as again:
        parse_case({"patient": {"id": "P1", "age_years": 38},
                    "history": {"androgens": [course]}}, as_of=AS_OF)
    assert again.value.field == "history.androgens[0].start"
    # Born in 1987 (aged 38 in 2025): a result of early 1987 is within his rounding year.
    fine = {"date": "1987-01-01", "analyte": "lh", "value": 1, "unit": "IU/L"}
    parse_case({"patient": {"id": "P1", "age_years": 38}, "labs": [fine]}, as_of=AS_OF)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("\u0420001", "\u0420001"),  # a printable look-alike is shown as typed
        ("P\u200b001", "P\\u200b001"),  # an invisible character is shown escaped
        ("P\ud800", "P?"),  # a lone surrogate cannot be encoded: replaced
        ("x" * 300, "x" * 80 + "... (300 characters)"),  # too long to normalise: cut
    ],
)
def test_a_refused_identifier_is_shown_so_the_user_can_find_the_fault(
    typed: str, shown: str
) -> None:
    with pytest.raises(IdentifierError) as refused:
        patient_identifier(typed, "patient.id")
    assert (refused.value.field, refused.value.value) == ("patient.id", shown)
    assert refused.value.expected.startswith("1-64 characters: letters A-Z, digits")


def test_an_identifier_of_64_characters_is_kept() -> None:
    assert patient_identifier("x" * 64, "patient.id") == "x" * 64
