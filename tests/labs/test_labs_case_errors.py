"""Every kind of bad case input raises a specific AndrocastError with an exact message."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from androcast.errors import (
    AndrocastError,
    CaseProblems,
    DateError,
    IdentifierError,
    InputFileError,
    LabValueError,
    RegimenError,
    UnitError,
    UnitMixupError,
    UnknownCodeError,
)
from androcast.labs import analyte_keys, condition_codes, load_case, parse_case

AS_OF = dt.date(2025, 11, 1)
BASE: dict[str, Any] = {
    "patient": {"id": "P1", "age_years": 38},
    "goal": "fertility",
    "history": {
        "androgens": [
            {
                "agent": "testosterone_cypionate",
                "dose": "200 mg",
                "every": "7 d",
                "start": "2024-03-01",
                "stop": "2025-09-01",
            }
        ],
        "conditions": [],
        "medications": [],
    },
    "labs": [{"date": "2025-10-15", "analyte": "testosterone_total", "value": 95, "unit": "ng/dL"}],
}
ANDROGENS = (
    "testosterone_cypionate, testosterone_enanthate, testosterone_gel, testosterone_undecanoate, "
    "boldenone_undecylenate, drostanolone, methandrostenolone, nandrolone_decanoate, "
    "oxandrolone, oxymetholone, stanozolol, trenbolone_acetate"
)


def _case(mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    mutate(data)
    return data


def _raises(error: type[AndrocastError], mutate: Callable[[dict[str, Any]], None]) -> str:
    with pytest.raises(error) as caught:
        parse_case(_case(mutate), as_of=AS_OF)
    return str(caught.value)


def _lab(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["labs"][0].update(changes)


def _androgen(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["history"]["androgens"][0].update(changes)


def test_the_base_case_is_valid() -> None:
    case = parse_case(_case(lambda _: None), as_of=AS_OF)
    assert case.latest("testosterone_total") is not None


def test_unknown_analyte_lists_the_known_keys() -> None:
    message = _raises(UnknownCodeError, _lab(analyte="testosteron"))
    assert message == (
        "labs[0].analyte: 'testosteron' is not a known code; expected one of "
        + ", ".join(analyte_keys())
    )


def test_unknown_unit() -> None:
    assert _raises(UnitError, _lab(unit="bananas/dL")) == (
        "labs[0].unit: 'bananas/dL' is not a usable unit; expected a unit such as ng/dL, "
        "nmol/L, IU/L, m[IU]/mL, pg/mL, 10*6/mL or %"
    )


def test_incompatible_unit() -> None:
    assert _raises(UnitError, _lab(unit="mL")) == (
        "labs[0].unit: 'mL' is not a usable unit; expected a unit for testosterone_total: "
        "one of nmol/L, ng/dL, ng/mL"
    )


def test_molar_unit_for_an_analyte_without_molar_mass_is_incompatible() -> None:
    assert _raises(UnitError, _lab(analyte="lh", value=3, unit="nmol/L")) == (
        "labs[0].unit: 'nmol/L' is not a usable unit; expected a unit for lh: one of [IU]/L, "
        "m[IU]/mL, m[IU]/L"
    )


def test_negative_value_is_impossible() -> None:
    assert _raises(LabValueError, _lab(value=-3)) == (
        "labs[0].value: -3.0 is impossible; expected a value from 0 to 10095 ng/dL for "
        "testosterone_total"
    )


def test_value_beyond_plausible_range_is_impossible() -> None:
    assert _raises(LabValueError, _lab(value=20000)) == (
        "labs[0].value: 20000.0 is impossible; expected a value from 0 to 10095 ng/dL for "
        "testosterone_total"
    )


def test_value_that_is_not_a_number() -> None:
    assert _raises(LabValueError, _lab(value="high")) == (
        "labs[0].value: 'high' is impossible; expected a number or a censored value such as "
        "'<0.2' or '>1500'"
    )


def test_testosterone_15_ng_dl_is_a_likely_unit_mixup() -> None:
    assert _raises(UnitMixupError, _lab(value=15)) == (
        "labs[0].value: '15 ng/dL' looks like a unit mix-up; expected a value typical for "
        "testosterone_total in ng/dL (20.19-1731 ng/dL) (15 nmol/L = 432.6 ng/dL would be "
        "typical: check the unit, or add confirmed: true if 15 ng/dL is right)"
    )


def test_estradiol_100_pg_ml_meant_as_pmol_l_is_a_likely_unit_mixup() -> None:
    assert _raises(UnitMixupError, _lab(analyte="estradiol", value=100, unit="pg/mL")) == (
        "labs[0].value: '100 pg/mL' looks like a unit mix-up; expected a value typical for "
        "estradiol in pg/mL (2.724-81.71 pg/mL) (100 pmol/L = 27.24 pg/mL would be typical: "
        "check the unit, or add confirmed: true if 100 pg/mL is right)"
    )


def test_albumin_in_g_dl_written_as_g_l_is_a_likely_unit_mixup() -> None:
    assert _raises(UnitMixupError, _lab(analyte="albumin", value=4.3, unit="g/L")) == (
        "labs[0].value: '4.3 g/L' looks like a unit mix-up; expected a value typical for "
        "albumin in g/L (15-60 g/L) (4.3 g/dL = 43 g/L would be typical: check the unit, or "
        "add confirmed: true if 4.3 g/L is right)"
    )


def test_confirmed_unusual_value_is_accepted_and_never_converted() -> None:
    case = parse_case(_case(_lab(value=15, confirmed=True)), as_of=AS_OF)
    result = case.latest("testosterone_total")
    assert result is not None
    assert result.confirmed
    assert result.reported_value == 15
    assert result.reported_unit == "ng/dL"
    assert result.value == pytest.approx(15 / 28.842, rel=1e-4)


def test_malformed_date() -> None:
    assert _raises(DateError, _lab(date="2025-13-01")) == (
        "labs[0].date: '2025-13-01' is not a valid date here; expected an ISO date YYYY-MM-DD"
    )


def test_future_date() -> None:
    assert _raises(DateError, _lab(date="2026-01-01")) == (
        "labs[0].date: '2026-01-01' is not a valid date here; expected a date on or before "
        "2025-11-01 (as of)"
    )


def test_missing_patient() -> None:
    assert _raises(InputFileError, lambda data: data.pop("patient")) == (
        "patient: None cannot be read; expected a patient section, e.g. patient: {id: P001}"
    )


def test_unknown_top_level_key_is_not_dropped_silently() -> None:
    assert _raises(InputFileError, lambda data: data.update(lab=[])) == (
        "case.lab: 'a list' cannot be read; expected one of patient, goal, goal_within_months, "
        "partner, exam, history, labs, semen, reference_intervals"
    )


def test_stop_before_start() -> None:
    assert _raises(DateError, _androgen(stop="2024-01-01")) == (
        "history.androgens[0].stop: '2024-01-01' is not a valid date here; expected a date on "
        "or after start 2024-03-01"
    )


def test_unknown_condition_code() -> None:
    message = _raises(
        UnknownCodeError, lambda data: data["history"].update(conditions=["anosmiaa"])
    )
    assert message == (
        "history.conditions[0]: 'anosmiaa' is not a known code; expected one of "
        + ", ".join(condition_codes())
    )


def test_unknown_androgen_agent_lists_the_androgen_codes() -> None:
    assert _raises(UnknownCodeError, _androgen(agent="testosterone_cyp")) == (
        "history.androgens[0].agent: 'testosterone_cyp' is not a known code; expected an "
        f"androgen code: one of {ANDROGENS}"
    )


def test_non_androgen_agent_is_sent_to_medications() -> None:
    assert _raises(RegimenError, _androgen(agent="clomiphene_citrate")) == (
        "history.androgens[0].agent: 'clomiphene_citrate' is not a valid regimen entry; "
        f"expected an androgen (testosterone preparation or AAS): one of {ANDROGENS} "
        "(clomiphene_citrate is a serm; list it under medications)"
    )


def test_unknown_medication_code() -> None:
    message = _raises(UnknownCodeError, lambda data: data["history"].update(medications=["opiod"]))
    assert message.startswith(
        "history.medications[0]: 'opiod' is not a known code; expected one of alpha_blocker, "
    )
    assert "opioid" in message


def test_dose_without_unit() -> None:
    assert _raises(RegimenError, _androgen(dose="200")) == (
        "history.androgens[0].dose: '200' is not a valid regimen entry; expected a dose with a "
        "unit, e.g. '200 mg', '5000 IU' or '50 ug'"
    )


@pytest.mark.parametrize("every", ["weekly", "7 mg", "0 d"])
def test_interval_without_time_unit(every: str) -> None:
    assert _raises(RegimenError, _androgen(every=every)) == (
        f"history.androgens[0].every: {every!r} is not a valid regimen entry; expected an "
        "interval with a time unit, e.g. '7 d', '2 wk' or '90 min'"
    )


def test_unknown_goal() -> None:
    assert _raises(UnknownCodeError, lambda data: data.update(goal="babies")) == (
        "goal: 'babies' is not a known code; expected one of fertility, testosterone, both"
    )


def test_progressive_motility_above_total_motility() -> None:
    semen = [{"date": "2025-10-20", "progressive_motility_pct": 50, "total_motility_pct": 40}]
    assert _raises(LabValueError, lambda data: data.update(semen=semen)) == (
        "semen[0].progressive_motility_pct: 50.0 is impossible; expected at most "
        "total_motility_pct (40 %)"
    )


def test_semen_field_typo_is_not_dropped_silently() -> None:
    semen = [{"date": "2025-10-20", "concentration": 5}]
    assert _raises(InputFileError, lambda data: data.update(semen=semen)) == (
        "semen[0].concentration: 5 cannot be read; expected one of date, volume_ml, "
        "concentration_m_per_ml, progressive_motility_pct, total_motility_pct, "
        "normal_forms_pct, abstinence_days, pellet_sperm_seen, ph, post_ejaculate_urine"
    )


def test_laboratory_interval_with_low_above_high() -> None:
    intervals = {"lh": {"low": 5, "high": 1, "unit": "IU/L"}}
    assert _raises(LabValueError, lambda data: data.update(reference_intervals=intervals)) == (
        "reference_intervals.lh.high: 1 is impossible; expected above low (5)"
    )


def test_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("patient: [1, 2\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_case(path)
    assert str(caught.value) == (
        f"{path}: 'line 2, column 1' cannot be read; expected valid YAML or JSON"
    )


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_case(path)
    assert str(caught.value) == (
        f"{path}: 'list' cannot be read; expected a mapping with a patient section at the top level"
    )


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(InputFileError) as caught:
        load_case(path)
    assert str(caught.value).startswith(
        f"{path}: 'absent.yaml' cannot be read; expected a readable UTF-8 case file"
    )


def test_exam_sides_that_are_not_a_left_right_mapping_name_the_field() -> None:
    assert _raises(InputFileError, lambda data: data.update(exam={"vas_deferens": "yes"})) == (
        "exam.vas_deferens: 'yes' cannot be read; expected a mapping with left and right"
    )
    sides = {"varicocele": {"left": "none", "middle": "grade_1"}}
    assert _raises(InputFileError, lambda data: data.update(exam=sides)) == (
        "exam.varicocele.middle: 'grade_1' cannot be read; expected one of left, right"
    )


def test_a_file_that_is_not_utf8_says_why_it_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"patient: {id: P1}\n# caf\xe9\n")
    with pytest.raises(InputFileError) as caught:
        load_case(path)
    assert str(caught.value) == (
        f"{path}: 'latin1.yaml' cannot be read; expected a readable UTF-8 case file ('utf-8' "
        "codec can't decode byte 0xe9 in position 23: invalid continuation byte)"
    )


@pytest.mark.parametrize("name", ["broken.json", "BROKEN.JSON"])
def test_broken_json_is_reported_by_the_json_parser(tmp_path: Path, name: str) -> None:
    # A trailing comma is valid YAML flow syntax but not JSON: a .json file is read as JSON.
    path = tmp_path / name
    path.write_text('{"patient": {"id": "P1"},}', encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_case(path)
    assert str(caught.value) == (
        f"{path}: 'Expecting property name enclosed in double quotes: line 1 column 26 "
        "(char 25)' cannot be read; expected valid YAML or JSON"
    )


def test_load_case_names_problems_by_the_file_and_checks_dates_as_of(tmp_path: Path) -> None:
    path = tmp_path / "p1.yaml"
    path.write_text("patient: {id: P1}\nlab: []\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_case(path)
    assert str(caught.value).startswith("p1.yaml.lab: 'a list' cannot be read")
    path.write_text(
        "patient: {id: P1}\nlabs: [{date: 2025-10-01, analyte: lh, value: 3, unit: IU/L}]\n",
        encoding="utf-8",
    )
    with pytest.raises(DateError) as date_error:
        load_case(path, as_of=dt.date(2025, 9, 1))
    assert str(date_error.value) == (
        "labs[0].date: '2025-10-01' is not a valid date here; expected a date on or before "
        "2025-09-01 (as of)"
    )


@pytest.mark.parametrize(
    ("volume", "error", "message"),
    [
        (
            {"left": 12, "centre": 3},
            InputFileError,
            "patient.testis_volume_ml.centre: 3 cannot be read; expected one of left, right",
        ),
        (
            {"left": 90, "right": 12},
            LabValueError,
            "patient.testis_volume_ml.left: 90.0 is impossible; expected a number from 0 to 80 mL",
        ),
        (
            {"left": 12, "right": -1},
            LabValueError,
            "patient.testis_volume_ml.right: -1.0 is impossible; expected a number from 0 to 80 mL",
        ),
        (
            [90, 12],
            LabValueError,
            "patient.testis_volume_ml[0]: 90.0 is impossible; expected a number from 0 to 80 mL",
        ),
        (
            [12, "big"],
            LabValueError,
            "patient.testis_volume_ml[1]: 'big' is impossible; expected a number from 0 to 80 mL",
        ),
        (
            "x",
            LabValueError,
            "patient.testis_volume_ml: 'x' is impossible; expected a number from 0 to 80 mL",
        ),
    ],
)
def test_bad_testis_volume_names_the_side_and_the_unit(
    volume: Any, error: type[AndrocastError], message: str
) -> None:
    assert _raises(error, lambda data: data["patient"].update(testis_volume_ml=volume)) == message


def test_a_semen_analysis_before_his_birth_is_refused_to_the_day() -> None:
    # Aged 30 on 2025-11-01: born by 2025-11-01 - round(31 x 365.25) days = 1994-11-01
    # (his age rounded up a year), so that day is accepted and the day before is not.
    def semen_on(day: str) -> Callable[[dict[str, Any]], None]:
        return lambda data: data.update(
            patient={"id": "P1", "age_years": 30},
            semen=[{"date": day, "volume_ml": 2, "concentration_m_per_ml": 20}],
        )

    assert parse_case(_case(semen_on("1994-11-01")), as_of=AS_OF).semen[0].date == dt.date(
        1994, 11, 1
    )
    assert _raises(DateError, semen_on("1994-10-31")) == (
        "semen[0].date: '1994-10-31' is not a valid date here; expected a date after his "
        "birth (about 1995, aged 30 on 2025-11-01)"
    )


def test_a_patient_that_is_not_a_mapping_names_the_section() -> None:
    assert _raises(InputFileError, lambda data: data.update(patient="P1")) == (
        "patient: 'P1' cannot be read; expected a mapping, e.g. {id: P001, age_years: 38}"
    )


def test_an_unknown_patient_key_is_named_with_the_known_ones() -> None:
    assert _raises(InputFileError, lambda data: data["patient"].update(age=38)) == (
        "patient.age: 38 cannot be read; expected one of id, age_years, bmi, testis_volume_ml, "
        "ethnicity"
    )


def test_patient_id_and_ethnicity_are_read_or_refused_by_name() -> None:
    patient = {"id": "P1", "ethnicity": "asian"}
    case = parse_case(_case(lambda data: data.update(patient=patient)), as_of=AS_OF)
    assert (case.patient.id, case.patient.ethnicity) == ("P1", "asian")
    assert _raises(
        UnknownCodeError, lambda data: data.update(patient={"id": "P1", "ethnicity": "martian"})
    ) == (
        "patient.ethnicity: 'martian' is not a known code; expected one of asian, white, black, "
        "hispanic, other"
    )
    assert _raises(IdentifierError, lambda data: data.update(patient={"id": ["P1"]})) == (
        "patient.id: 'a list' is not a usable identifier; expected 1-64 characters: letters A-Z, "
        "digits, single spaces and . _ : + # - (beginning with a letter or digit; not 'new')"
    )


def test_a_dose_that_is_a_bare_number_is_named_with_its_value() -> None:
    assert _raises(RegimenError, _androgen(dose=200)) == (
        "history.androgens[0].dose: 200 is not a valid regimen entry; expected a dose with a "
        "unit, e.g. '200 mg', '5000 IU' or '50 ug'"
    )


def test_a_treatment_regimen_that_is_not_text_is_named() -> None:
    def treatment(data: dict[str, Any]) -> None:
        data["history"]["gonadotoxic_treatment"] = [{"type": "chemotherapy", "regimen": ["BEP"]}]

    assert _raises(InputFileError, treatment) == (
        "history.gonadotoxic_treatment[0].regimen: 'a list' cannot be read; expected text"
    )


def test_a_dose_given_as_an_injection_volume_is_refused() -> None:
    # 1 mL of a 200 mg/mL ester is a volume, not a dose: neither a mass nor an activity
    assert _raises(RegimenError, _androgen(dose="1 mL")) == (
        "history.androgens[0].dose: '1 mL' is not a valid regimen entry; expected a dose with a "
        "unit, e.g. '200 mg', '5000 IU' or '50 ug'"
    )


@pytest.mark.parametrize(
    ("fasting", "shown"), [("yes", "'yes'"), ({"hours": 12}, "'a mapping'")]
)
def test_fasting_that_is_not_true_false_or_null_is_named(fasting: Any, shown: str) -> None:
    assert _raises(InputFileError, _lab(fasting=fasting)) == (
        f"labs[0].fasting: {shown} cannot be read; expected true, false or null"
    )


@pytest.mark.parametrize(
    ("length", "shown"), [(80, "x" * 80), (81, "x" * 80 + "... (81 characters)")]
)
def test_a_long_unknown_code_is_shown_whole_up_to_80_characters(length: int, shown: str) -> None:
    message = _raises(
        UnknownCodeError, lambda data: data["history"].update(conditions=["x" * length])
    )
    assert message.startswith(f"history.conditions[0]: '{shown}' is not a known code; ")


@pytest.mark.parametrize(
    ("value", "shown"), [("nan", "nan"), (float("inf"), "inf"), ("<1e999", "inf")]
)
def test_a_result_that_is_not_finite_is_impossible(value: Any, shown: str) -> None:
    assert _raises(LabValueError, _lab(value=value)) == (
        f"labs[0].value: {shown} is impossible; expected a number or a censored value such as "
        "'<0.2' or '>1500'"
    )


def test_a_result_written_as_text_is_read_as_its_number() -> None:
    case = parse_case(_case(_lab(value="412.5")), as_of=AS_OF)
    result = case.latest("testosterone_total")
    assert result is not None and result.censor is None
    # ng/dL -> nmol/L with testosterone's molar mass, 288.42 g/mol
    assert result.value == pytest.approx(412.5 * 10 / 288.42, rel=1e-4)


def test_an_integer_too_large_for_a_float_is_impossible() -> None:
    message = _raises(LabValueError, _lab(value=10**400))
    assert message == (
        f"labs[0].value: {10**400} is impossible; expected a number or a censored value such as "
        "'<0.2' or '>1500'"
    )


def test_a_result_dated_with_its_time_of_day_keeps_its_date() -> None:
    # YAML reads "2025-10-15 08:30:00" as a datetime: morning testosterone, drawn at 08:30
    case = parse_case(_case(_lab(date=dt.datetime(2025, 10, 15, 8, 30))), as_of=AS_OF)
    result = case.latest("testosterone_total")
    assert result is not None and result.date == dt.date(2025, 10, 15)


@pytest.mark.parametrize("written", [20251015, "15/10/2025"], ids=["number", "day-first"])
def test_a_date_not_written_as_an_iso_date_is_named(written: Any) -> None:
    assert _raises(DateError, _lab(date=written)) == (
        f"labs[0].date: {written!r} is not a valid date here; expected an ISO date YYYY-MM-DD"
    )


def test_dates_run_from_1900_01_01_to_the_as_of_day_inclusive() -> None:
    def dated(day: dt.date) -> Callable[[dict[str, Any]], None]:
        def change(data: dict[str, Any]) -> None:
            del data["patient"]["age_years"]  # his birth would bound the date first
            data["labs"][0]["date"] = day.isoformat()

        return change

    for day in (dt.date(1900, 1, 1), AS_OF):
        case = parse_case(_case(dated(day)), as_of=AS_OF)
        result = case.latest("testosterone_total")
        assert result is not None and result.date == day
    assert _raises(DateError, _lab(date="1899-12-31")) == (
        "labs[0].date: '1899-12-31' is not a valid date here; expected a date from 1900-01-01 on"
    )


def test_chemotherapy_cycles_run_from_1_to_100_inclusive() -> None:
    def cycles(count: int) -> Callable[[dict[str, Any]], None]:
        treatment = {"type": "chemotherapy", "cycles": count}
        return lambda data: data["history"].update(gonadotoxic_treatment=[treatment])

    case = parse_case(_case(cycles(100)), as_of=AS_OF)
    assert case.history.gonadotoxic_treatment[0].cycles == 100
    assert _raises(LabValueError, cycles(0)) == (
        "history.gonadotoxic_treatment[0].cycles: 0.0 is impossible; expected a number from 1 "
        "to 100"
    )


def test_every_section_that_is_not_a_list_is_named_in_one_report() -> None:
    def sections(data: dict[str, Any]) -> None:
        data.update(labs="T 300 ng/dL", semen={"volume_ml": 2.5})

    assert _raises(CaseProblems, sections) == (
        "case: 2 problems\n"
        "  - labs: 'T 300 ng/dL' cannot be read; expected a list of results\n"
        "  - semen: 'a mapping' cannot be read; expected a list of semen analyses"
    )


AZOOSPERMIC = {"date": "2025-10-01", "volume_ml": 0.4, "concentration_m_per_ml": 0}


@pytest.mark.parametrize(
    ("entry", "error", "message"),
    [
        ({"concentration_m_per_ml": 5000}, LabValueError,
         "semen[0].concentration_m_per_ml: 5000.0 is impossible; expected a number from 0 to "
         "1000 10*6/mL"),
        ({"concentration_m_per_ml": "abc"}, LabValueError,
         "semen[0].concentration_m_per_ml: 'abc' is impossible; expected a number or a "
         "censored value such as '<0.2' or '>1500'"),
        ({"volume_ml": 40}, LabValueError,
         "semen[0].volume_ml: 40.0 is impossible; expected a number from 0 to 20 mL"),
        ({"post_ejaculate_urine": "many"}, InputFileError,
         "semen[0].post_ejaculate_urine: 'many' cannot be read; expected a mapping with "
         "sperm_seen, total_sperm_million, ..."),
        ({"post_ejaculate_urine": {"seen": True}}, InputFileError,
         "semen[0].post_ejaculate_urine.seen: True cannot be read; expected one of sperm_seen, "
         "total_sperm_million, progressive_motility_pct"),
        ({"post_ejaculate_urine": {"sperm_seen": "yes"}}, InputFileError,
         "semen[0].post_ejaculate_urine.sperm_seen: 'yes' cannot be read; expected true, false "
         "or null"),
        ({"post_ejaculate_urine": {"total_sperm_million": 6000}}, LabValueError,
         "semen[0].post_ejaculate_urine.total_sperm_million: 6000.0 is impossible; expected a "
         "number from 0 to 5000 10*6"),
        ({"post_ejaculate_urine": {"progressive_motility_pct": 150}}, LabValueError,
         "semen[0].post_ejaculate_urine.progressive_motility_pct: 150.0 is impossible; expected "
         "a number from 0 to 100 %"),
        ({"progressive_motility_pct": 150}, LabValueError,
         "semen[0].progressive_motility_pct: 150.0 is impossible; expected a number from 0 to "
         "100 %"),
        ({"total_motility_pct": 150}, LabValueError,
         "semen[0].total_motility_pct: 150.0 is impossible; expected a number from 0 to 100 %"),
        ({"pellet_sperm_seen": "yes"}, InputFileError,
         "semen[0].pellet_sperm_seen: 'yes' cannot be read; expected true, false or null"),
        ({"normal_forms_pct": 150}, LabValueError,
         "semen[0].normal_forms_pct: 150.0 is impossible; expected a number from 0 to 100 %"),
        ({"abstinence_days": 400}, LabValueError,
         "semen[0].abstinence_days: 400.0 is impossible; expected a number from 0 to 365 d"),
        ({"ph": 20}, LabValueError,
         "semen[0].ph: 20.0 is impossible; expected a number from 5.5 to 9.5 pH"),
        ({"date": "01.10.2025"}, DateError,
         "semen[0].date: '01.10.2025' is not a valid date here; expected an ISO date YYYY-MM-DD"),
    ],
)
def test_a_bad_semen_or_urine_value_is_named_with_its_plausible_range(
    entry: dict[str, Any], error: type[AndrocastError], message: str
) -> None:
    assert _raises(error, lambda data: data.update(semen=[{**AZOOSPERMIC, **entry}])) == message


def test_post_ejaculate_urine_is_read_whole() -> None:
    # retrograde ejaculation: sperm in the urine after a low-volume azoospermic ejaculate
    urine = {"sperm_seen": True, "total_sperm_million": 12, "progressive_motility_pct": 30}
    entry = {**AZOOSPERMIC, "post_ejaculate_urine": urine}
    case = parse_case(_case(lambda data: data.update(semen=[entry])), as_of=AS_OF)
    found = case.semen[0].post_ejaculate_urine
    assert found is not None
    assert (found.sperm_seen, found.total_sperm_million, found.progressive_motility_pct) == (
        True, 12.0, 30.0
    )


def test_a_semen_entry_that_is_not_a_mapping_is_named() -> None:
    assert _raises(InputFileError, lambda data: data.update(semen=["x"])) == (
        "semen[0]: 'x' cannot be read; expected a mapping with date and semen parameters"
    )


def test_abstinence_is_kept_and_equal_motilities_are_possible() -> None:
    # all motile sperm progressive: progressive = total motility is possible, only more is not
    entry = {**AZOOSPERMIC, "concentration_m_per_ml": 20, "abstinence_days": 3,
             "progressive_motility_pct": 40, "total_motility_pct": 40}
    case = parse_case(_case(lambda data: data.update(semen=[entry])), as_of=AS_OF)
    analysis = case.semen[0]
    assert (analysis.abstinence_days, analysis.progressive_motility_pct,
            analysis.total_motility_pct) == (3, 40, 40)
