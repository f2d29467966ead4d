"""The normalised panel `androcast labs` renders: each result as read and in its canonical
unit, the semen analyses with their counts, and the references it cites."""

from __future__ import annotations

import datetime as dt

import pytest

from androcast import DISCLAIMER
from androcast.labs import Case, LabReport, derive, lab_report, parse_case
from androcast.labs._catalogue import citation
from androcast.labs.report import ResultRow, SemenRow

AS_OF = dt.date(2025, 11, 1)


def _report() -> tuple[Case, LabReport]:
    local = {"low": 1.0, "high": 8.0, "unit": "IU/L", "source": "local laboratory 2024"}
    verified = {"low": 1.5, "high": 9.0, "unit": "IU/L", "source": "famhes; verified locally"}
    case = parse_case(
        {
            "patient": {"id": "R", "age_years": 38},
            "goal": "fertility",
            "labs": [
                {"date": "2025-09-01", "analyte": "fsh", "value": 3, "unit": "IU/L",
                 "reference": local},
                {"date": "2025-09-02", "analyte": "lh", "value": "<0.2", "unit": "IU/L",
                 "reference": verified},
                {"date": "2025-10-01", "analyte": "testosterone_total", "value": 250,
                 "unit": "ng/dL"},
            ],
            "semen": [
                {"date": "2025-09-15", "volume_ml": 1.5, "concentration_m_per_ml": "<0.1"},
                {"date": "2025-10-02", "volume_ml": 2, "concentration_m_per_ml": 10,
                 "progressive_motility_pct": 30, "total_motility_pct": 40,
                 "normal_forms_pct": 3, "abstinence_days": 3},
            ],
        },
        as_of=AS_OF,
    )
    return case, lab_report(case)


def test_a_result_row_shows_the_canonical_value_beside_the_reported_one() -> None:
    case, report = _report()
    (row,) = [r for r in report.results if r.analyte == "testosterone_total"]
    # 250 ng/dL x 0.03467 = 8.668 nmol/L (clinical.md section 9), below the 9.153 nmol/L
    # lower limit of the Bhasin 2018 harmonised interval
    assert row == ResultRow(
        analyte="testosterone_total",
        name="Total testosterone",
        date=dt.date(2025, 10, 1),
        display="8.668",
        value=pytest.approx(8.668, abs=5e-4),  # type: ignore[arg-type]
        unit="nmol/L",
        censor=None,
        reported_value=250.0,
        reported_unit="ng/dL",
        reference=case.latest("testosterone_total").reference,  # type: ignore[union-attr]
        flag="low",
        confirmed=False,
    )
    assert row.reference.low == 9.153
    (lh,) = [r for r in report.results if r.analyte == "lh"]
    assert (lh.display, lh.censor, lh.flag, lh.reference.source) == (
        "<0.2", "<", "low", "famhes; verified locally"
    )


def test_the_report_keeps_the_case_its_semen_rows_and_derived_values() -> None:
    case, report = _report()
    assert (report.patient, report.goal, report.as_of) == (case.patient, "fertility", AS_OF)
    assert report.semen == (
        # below the quantification limit: the row keeps the censor beside the limit
        SemenRow(dt.date(2025, 9, 15), 1.5, 0.1, "<", None, None, None, None,
                 pytest.approx(0.15), None),  # type: ignore[arg-type]
        SemenRow(dt.date(2025, 10, 2), 2.0, 10.0, None, 30.0, 40.0, 3.0, 3.0, 20.0, 6.0),
    )
    assert report.derived == derive(case)
    assert report.disclaimer == DISCLAIMER


def test_the_report_cites_each_bibliography_key_it_uses_and_no_laboratory_text() -> None:
    # a laboratory's interval citing a key first ("famhes; verified locally") is cited; its own
    # text ("local laboratory 2024") is not a reference, and the keys after it are still read
    _, report = _report()
    keys = ["who2010", "hamilton2015", "cooper2010", "who2021", "famhes", "bhasin2018"]
    assert report.citations == {key: citation(key) for key in keys}
