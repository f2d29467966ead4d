"""One laboratory result as read from a case file: every refusal names its field and says what
was expected, a laboratory's own interval is read in the analyte's unit, the sampling time
and the age-banded default interval are kept, and a likely unit mix-up names the unit meant."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast.errors import AndrocastError, LabValueError, UnitError, UnitMixupError
from androcast.labs import analyte_keys, parse_case
from androcast.labs._model import LabResult
from androcast.labs._results import _fmt

AS_OF = dt.date(2025, 11, 1)
LH = {"date": "2025-10-01", "analyte": "lh", "value": 3, "unit": "IU/L"}


def _result(age_years: float = 38, **changes: Any) -> LabResult:
    data = {"patient": {"id": "P", "age_years": age_years}, "labs": [{**LH, **changes}]}
    (result,) = parse_case(data, as_of=AS_OF).labs
    return result


def _refusal(error: type[AndrocastError], **changes: Any) -> str:
    with pytest.raises(error) as caught:
        _result(**changes)
    return str(caught.value)


def test_a_result_that_is_not_a_mapping_says_what_one_holds() -> None:
    data = {"patient": {"id": "P"}, "labs": ["lh 3 IU/L"]}
    with pytest.raises(AndrocastError) as caught:
        parse_case(data, as_of=AS_OF)
    assert str(caught.value) == (
        "labs[0]: 'lh 3 IU/L' cannot be read; expected a mapping with date, analyte, value "
        "and unit"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "labs[0].colour: 'red' cannot be read; expected one of date, "
         "analyte, value, unit, reference, confirmed, time, fasting"),
        ({"analyte": 5}, "labs[0].analyte: 5 is not a known code; expected one of "
         + ", ".join(analyte_keys())),
        ({"unit": None}, "labs[0].unit: None is not a usable unit; expected a unit for lh: "
         "one of [IU]/L, m[IU]/mL, m[IU]/L"),
        ({"unit": 5}, "labs[0].unit: 5 is not a usable unit; expected a unit for lh: "
         "one of [IU]/L, m[IU]/mL, m[IU]/L"),
        ({"confirmed": "yes"}, "labs[0].confirmed: 'yes' is impossible; expected true or false"),
        ({"time": "8.40"}, "labs[0].time: '8.40' is impossible; expected a clock time HH:MM "
         "(24 h), e.g. '08:40'"),
        ({"time": 1440}, "labs[0].time: 1440 is impossible; expected a clock time HH:MM "
         "(24 h), e.g. '08:40'"),
        ({"time": True}, "labs[0].time: True is impossible; expected a clock time HH:MM "
         "(24 h), e.g. '08:40'"),
    ],
)
def test_a_bad_field_of_a_result_is_named_with_what_was_expected(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(AndrocastError) as caught:
        _result(**changes)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("08:40", dt.time(8, 40)),
        (" 23:59 ", dt.time(23, 59)),
        (520, dt.time(8, 40)),  # YAML 1.1 reads an unquoted 08:40 as 520 minutes
        (600, dt.time(10, 0)),
        (0, dt.time(0, 0)),
        (1439, dt.time(23, 59)),
        (None, None),
    ],
)
def test_the_sampling_time_is_read_as_a_24_hour_clock(time: Any, expected: dt.time) -> None:
    assert _result(time=time).time == expected


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("1-8 IU/L", "labs[0].reference: '1-8 IU/L' cannot be read; expected a mapping with "
         "low and/or high, unit and source"),
        ({"low": 1, "lo": 8}, "labs[0].reference.lo: 8 cannot be read; expected one of low, "
         "high, unit, source, population"),
        ({"low": 1, "unit": 5}, "labs[0].reference.unit: 5 is not a usable unit; expected a "
         "unit for lh"),
        ({"low": "one"}, "labs[0].reference.low: 'one' is impossible; expected a finite number"),
        ({"low": 1, "unit": "nmol/L"}, "labs[0].reference.unit: 'nmol/L' is not a usable unit; "
         "expected a unit for lh: one of [IU]/L, m[IU]/mL, m[IU]/L"),
        ({"unit": "IU/L"}, "labs[0].reference: 'no limits' is impossible; expected a low "
         "and/or a high limit"),
        ({"low": 5, "high": 5}, "labs[0].reference.high: 5 is impossible; expected above "
         "low (5)"),
    ],
)
def test_a_bad_laboratory_interval_is_named_with_what_was_expected(
    reference: Any, message: str
) -> None:
    with pytest.raises(AndrocastError) as caught:
        _result(reference=reference)
    assert str(caught.value) == message


def test_a_laboratory_interval_defaults_to_the_analytes_unit_and_says_whose_it_is() -> None:
    upper_only = _result(reference={"high": 8}).reference
    assert (upper_only.low, upper_only.high, upper_only.unit) == (None, 8.0, "[IU]/L")
    assert (upper_only.source, upper_only.population) == (
        "laboratory", "as reported by the laboratory"
    )
    named = _result(
        reference={"low": 1.5, "high": 9.3, "unit": "mIU/mL", "source": "Lab A",
                   "population": "men 20-70 y"}
    ).reference
    assert (named.low, named.high, named.source, named.population) == (
        1.5, 9.3, "Lab A", "men 20-70 y"
    )


def test_the_default_interval_is_the_one_for_his_age() -> None:
    # SHBG rises with age: Region Gavleborg gives 18-54 nmol/L at 20-49 y and a higher band
    # from 50 y (evidence shbg.roche_gavleborg_20_49y / _50y_plus)
    shbg = {"analyte": "shbg", "value": 40, "unit": "nmol/L"}
    young, old = _result(age_years=38, **shbg), _result(age_years=55, **shbg)
    assert young.reference.source.endswith("shbg.roche_gavleborg_20_49y, flag V)")
    assert old.reference.source.endswith("shbg.roche_gavleborg_50y_plus, flag V)")
    assert old.reference.high > young.reference.high  # type: ignore[operator]


def test_the_plausible_range_includes_its_upper_limit() -> None:
    # 350 nmol/L is the catalogue's highest plausible total testosterone (androcast_bounds);
    # a value there is confirmed (it is far from typical) and accepted, one above it is not
    at_limit = {"analyte": "testosterone_total", "unit": "nmol/L", "confirmed": True}
    assert _result(value=350, **at_limit).value == 350
    assert _refusal(LabValueError, value=350.5, **at_limit) == (
        "labs[0].value: 350.5 is impossible; expected a value from 0 to 350 nmol/L for "
        "testosterone_total"
    )


def test_a_value_at_either_end_of_the_typical_range_is_no_unit_mixup() -> None:
    # testosterone_total is typical from 0.7 to 60 nmol/L (the catalogue's typical range)
    for value in (0.7, 60):
        assert _result(analyte="testosterone_total", value=value, unit="nmol/L").value == value


@pytest.mark.parametrize(
    ("value", "meant", "shown"),
    [
        # 4 ng/dL (0.14 nmol/L) is atypical; 4 nmol/L lies nearer the geometric centre of the
        # typical 0.7-60 nmol/L (6.5 nmol/L) than 4 ng/mL = 13.9 nmol/L does ...
        (4, "nmol/L", "115.4"),
        # ... and 2 ng/mL = 6.9 nmol/L nearer than 2 nmol/L
        (2, "ng/mL", "200"),
    ],
)
def test_a_unit_mixup_names_the_unit_that_makes_the_value_most_typical(
    value: float, meant: str, shown: str
) -> None:
    message = _refusal(UnitMixupError, analyte="testosterone_total", value=value, unit="ng/dL")
    assert message.endswith(
        f"({value} {meant} = {shown} ng/dL would be typical: check the unit, or add "
        f"confirmed: true if {value} ng/dL is right)"
    )


def test_of_two_units_that_mean_the_same_the_mixup_names_the_first_listed() -> None:
    # 5 mIU/L of LH (0.005 IU/L) is atypical; IU/L and mIU/mL are the same unit, and the
    # catalogue's first, the canonical [IU]/L, is named
    message = _refusal(UnitMixupError, value=5, unit="mIU/L")
    assert "(5 [IU]/L = 5000 mIU/L would be typical" in message


def test_a_fraction_in_another_dimensionless_unit_is_not_a_scaling() -> None:
    # HbA1c in IFCC mmol/mol is not a fraction of 1000 of the NGSP %: the two differ by an
    # offset, so only the catalogue's own spellings are read and 0.048 mol/mol is refused
    assert _refusal(UnitError, analyte="hba1c", value=0.048, unit="mol/mol") == (
        "labs[0].unit: 'mol/mol' is not a usable unit; expected a unit for hba1c: one of %, "
        "mmol/mol"
    )


def test_limits_of_ten_thousand_and_more_are_shown_without_an_exponent() -> None:
    assert (_fmt(10000.0), _fmt(9999.4), _fmt(123456.7), _fmt(0.01234)) == (
        "10000", "9999", "123457", "0.01234"
    )
