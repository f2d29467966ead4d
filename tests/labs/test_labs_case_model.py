"""The Case model: canonical units, censoring, series, intervals and their sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast.labs import analyte, analyte_for_loinc, default_reference, parse_case
from androcast.labs._model import ReferenceInterval

AS_OF = dt.date(2025, 11, 1)


def _case(labs: list[dict[str, Any]], **extra: Any) -> Any:
    return parse_case({"patient": {"id": "P", "age_years": 40}, "labs": labs, **extra}, as_of=AS_OF)


def _lab(analyte_key: str, value: Any, unit: str, date: str = "2025-10-01", **kw: Any) -> Any:
    return {"date": date, "analyte": analyte_key, "value": value, "unit": unit, **kw}


def test_results_are_stored_in_the_canonical_unit_with_the_reported_value() -> None:
    case = _case([_lab("testosterone_total", 288.42, "ng/dL")])
    result = case.latest("testosterone_total")
    assert result.unit == "nmol/L"
    assert result.value == pytest.approx(10.0, rel=1e-9)
    assert (result.reported_value, result.reported_unit) == (288.42, "ng/dL")


def test_censored_results_keep_their_side_and_limit() -> None:
    case = _case([_lab("lh", "<0.2", "IU/L"), _lab("fsh", ">150", "mIU/mL")])
    lh, fsh = case.latest("lh"), case.latest("fsh")
    assert (lh.censor, lh.value, lh.display, lh.flag) == ("<", 0.2, "<0.2", "low")
    assert (fsh.censor, fsh.value, fsh.flag) == (">", 150.0, "high")


def test_censored_limit_inside_the_interval_is_indeterminate() -> None:
    case = _case([_lab("lh", "<5", "IU/L")])
    assert case.latest("lh").flag == "indeterminate"


def test_series_are_sorted_by_date_and_latest_is_the_newest() -> None:
    case = _case(
        [
            _lab("prolactin", 68, "ng/mL", "2025-08-25"),
            _lab("prolactin", 61, "ng/mL", "2025-08-04"),
        ]
    )
    assert [r.value for r in case.series("prolactin")] == [61, 68]
    assert case.latest("prolactin").value == 68
    assert case.latest("lh") is None
    assert case.series("lh") == ()


def test_default_interval_names_its_evidence_source() -> None:
    case = _case([_lab("lh", 3, "IU/L")])
    reference = case.latest("lh").reference
    assert (reference.low, reference.high, reference.unit) == (2.2, 11.6, "[IU]/L")
    assert reference.source == "famhes (evidence lh.famhes_ri, flag V)"


def test_default_testosterone_interval_is_es2018_converted_to_nmol_per_l() -> None:
    reference = default_reference("testosterone_total")
    # 264-916 ng/dL [bhasin2018] = 9.2-31.8 nmol/L as printed with the si_value
    assert reference.low == pytest.approx(9.2, abs=0.05)
    assert reference.high == pytest.approx(31.8, abs=0.05)


def test_age_banded_default_interval() -> None:
    assert default_reference("shbg", age_years=35).high == 54
    assert default_reference("shbg", age_years=60).high == 77


def test_case_level_laboratory_interval_overrides_the_default() -> None:
    case = _case(
        [_lab("lh", 1.6, "IU/L")],
        reference_intervals={"lh": {"low": 1.5, "high": 9.3, "unit": "mIU/mL", "source": "Lab X"}},
    )
    result = case.latest("lh")
    assert result.reference == ReferenceInterval(
        1.5, 9.3, "[IU]/L", "Lab X", "as reported by the laboratory"
    )
    assert result.flag == "normal"


def test_result_interval_overrides_the_case_interval_and_is_converted() -> None:
    case = _case(
        [
            _lab(
                "testosterone_total",
                250,
                "ng/dL",
                reference={"low": 300, "high": 1000, "unit": "ng/dL", "source": "Lab Y"},
            )
        ],
        reference_intervals={"testosterone_total": {"low": 5, "unit": "nmol/L"}},
    )
    reference = case.latest("testosterone_total").reference
    assert reference.low == pytest.approx(300 / 28.842, rel=1e-6)
    assert reference.source == "Lab Y"
    assert case.latest("testosterone_total").flag == "low"


def test_history_doses_and_intervals_are_parsed_with_units() -> None:
    case = parse_case(
        {
            "patient": {"id": "P"},
            "history": {
                "androgens": [
                    {
                        "agent": "testosterone_enanthate",
                        "dose": "0.25 g",
                        "every": "2 wk",
                        "start": "2024-01-01",
                        "stop": "2024-06-01",
                    },
                    {
                        "agent": "stanozolol",
                        "dose": "50 mg",
                        "every": "1 d",
                        "start": "2024-03-01",
                        "stop": "2024-07-01",
                    },
                ]
            },
        },
        as_of=AS_OF,
    )
    enanthate, stanozolol = case.history.androgens
    assert (enanthate.dose, enanthate.dose_unit, enanthate.every_d) == (250, "mg", 14)
    assert (stanozolol.dose, stanozolol.every_d) == (50, 1)
    assert case.androgen_stop_date() == dt.date(2024, 7, 1)
    assert case.goal == "fertility"


def test_ongoing_androgen_has_no_stop_date() -> None:
    case = parse_case(
        {
            "patient": {"id": "P"},
            "history": {
                "androgens": [
                    {
                        "agent": "testosterone_gel",
                        "dose": "50 mg",
                        "every": "1 d",
                        "start": "2024-01-01",
                    }
                ]
            },
        },
        as_of=AS_OF,
    )
    assert case.androgen_stop_date() is None


def test_pump_interval_in_minutes_and_microgram_dose() -> None:
    case = parse_case(
        {
            "patient": {"id": "P"},
            "history": {
                "androgens": [
                    {"agent": "testosterone_cypionate", "dose": "100000 ug", "every": "10080 min"}
                ]
            },
        },
        as_of=AS_OF,
    )
    course = case.history.androgens[0]
    assert (course.dose, course.dose_unit) == (100, "mg")
    assert course.every_d == pytest.approx(7, rel=1e-12)


def test_testis_volume_forms() -> None:
    for raw, expected in (
        ({"left": 15, "right": 14}, (15, 14)),
        ([12, 13], (12, 13)),
        (16, (16, 16)),
    ):
        case = parse_case({"patient": {"id": "P", "testis_volume_ml": raw}}, as_of=AS_OF)
        assert case.patient.testis_volume_ml == expected


def test_catalogue_loinc_codes_from_clinical_md_section10() -> None:
    assert analyte("testosterone_total").loinc["mass"] == "2986-8"
    assert analyte("testosterone_total").loinc["molar"] == "14913-8"
    assert analyte("testosterone_free").loinc["molar"] is None  # a gap, not invented
    assert analyte_for_loinc("10501-5").key == "lh"
    assert analyte_for_loinc("15067-2").key == "fsh"
    assert analyte("testosterone_total").molar_mass_g_per_mol == 288.42


def test_json_and_yaml_give_the_same_case(tmp_path: Any) -> None:
    import json

    import yaml

    from androcast.labs import load_case

    data = {"patient": {"id": "P"}, "labs": [_lab("lh", 3, "IU/L")]}
    (tmp_path / "c.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_case(tmp_path / "c.json", as_of=AS_OF) == load_case(
        tmp_path / "c.yaml", as_of=AS_OF
    )


def test_medication_doses_below_1_mg_are_kept_in_micrograms() -> None:
    # pulsatile gonadorelin is dosed in micrograms per pulse, anastrozole at 1 mg a day
    case = parse_case(
        {
            "patient": {"id": "P"},
            "history": {
                "medications": [
                    {"agent": "gonadorelin", "dose": "0.01 mg", "every": "90 min"},
                    {"agent": "anastrozole", "dose": "1 mg", "every": "1 d"},
                ]
            },
        },
        as_of=AS_OF,
    )
    gonadorelin, anastrozole = case.history.courses
    assert gonadorelin.dose == pytest.approx(10, rel=1e-12)
    assert gonadorelin.dose_unit == "ug"
    assert (anastrozole.dose, anastrozole.dose_unit) == (1, "mg")
