"""The error contract: structured fields, exact messages, builtin bases, pickling."""

import pickle

import pytest

from androcast.errors import (
    AndrocastError,
    DoseRangeError,
    LabValueError,
    UnitMixupError,
    UnknownCodeError,
)


def test_message_names_field_value_and_expectation() -> None:
    err = LabValueError("labs[0].value", -3.0, "a number >= 0 in ng/dL")
    assert str(err) == "labs[0].value: -3.0 is impossible; expected a number >= 0 in ng/dL"


def test_hint_is_appended_in_parentheses() -> None:
    err = UnitMixupError("labs[1].value", 15, "10-1500 ng/dL", hint="15 nmol/L = 433 ng/dL")
    assert str(err).endswith("(15 nmol/L = 433 ng/dL)")


def test_unknown_code_is_a_key_error_without_key_error_quoting() -> None:
    err = UnknownCodeError("analyte", "testo", "one of: lh, fsh")
    assert isinstance(err, KeyError)
    assert str(err) == "analyte: 'testo' is not a known code; expected one of: lh, fsh"


@pytest.mark.parametrize(
    "err",
    [
        LabValueError("f", 1, "x"),
        UnitMixupError("f", 1, "x", hint="h"),
        UnknownCodeError("f", "v", "x"),
        DoseRangeError("clomiphene_citrate.dose", "5 g", "12.5-100 mg per dose"),
    ],
)
def test_errors_pickle_with_their_fields(err: AndrocastError) -> None:
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is type(err)
    assert (clone.field, clone.value, clone.expected, clone.hint) == (
        err.field,
        err.value,
        err.expected,
        err.hint,
    )
    assert str(clone) == str(err)


def test_dose_range_error_is_a_value_error() -> None:
    assert isinstance(DoseRangeError("d", 1, "x"), ValueError)
