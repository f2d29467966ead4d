"""Lab results from CSV: checked by the case-file rules, errors name the row and column."""

from __future__ import annotations

import datetime as dt

import pytest

from androcast.errors import AndrocastError
from androcast.io.csv_import import parse_lab_csv

AS_OF = dt.date(2025, 11, 1)


def _parse(text: str) -> tuple[object, ...]:
    return parse_lab_csv(text, patient_id="P1", as_of=AS_OF, age_years=38)


def test_rows_become_canonical_results_by_analyte_or_loinc() -> None:
    lh, testosterone = _parse(
        "date,analyte,loinc,value,unit\n2025-10-01,lh,,<0.2,mIU/mL\n2025-10-02,,2986-8,95,ng/dL\n"
    )
    assert (lh.analyte, lh.censor, lh.value, lh.unit) == ("lh", "<", 0.2, "[IU]/L")  # type: ignore[attr-defined]
    assert testosterone.analyte == "testosterone_total"  # type: ignore[attr-defined]
    # 95 ng/dL = 3.294 nmol/L (M = 288.42 g/mol; labs_unit_conversions.yaml)
    assert testosterone.value == pytest.approx(3.294, abs=0.001)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "date,analyte,value,unit\n2025-10-01,lh,2,IU/L\n2025-10-02,lh,3,furlong\n",
            "labs.csv[row 3].unit: 'furlong' is not a usable unit; "
            "expected a unit for lh: one of [IU]/L, m[IU]/mL, m[IU]/L",
        ),
        (
            "date,analyte,value,unit\n2025-13-01,lh,2,IU/L\n",
            "labs.csv[row 2].date: '2025-13-01' is not a valid date here; "
            "expected an ISO date YYYY-MM-DD",
        ),
        (
            "date,analyte,value,unit\n2025-10-01,lh,2,IU/L,extra\n",
            "labs.csv[row 2]: 2 cannot be read; expected 4 columns as in the header",
        ),
        (
            "date,value,unit\n2025-10-01,2,IU/L\n",
            "labs.csv[row 1]: 'date,value,unit' cannot be read; "
            "expected an analyte or loinc column",
        ),
        (
            "date,analyte,value,unit,reference_low,reference_high\n2025-10-01,lh,2,IU/L,low,9\n",
            "labs.csv[row 2].reference_low: 'low' cannot be read; expected a number",
        ),
    ],
)
def test_errors_name_row_and_column(text: str, message: str) -> None:
    with pytest.raises(AndrocastError) as caught:
        _parse(text)
    assert str(caught.value) == message
