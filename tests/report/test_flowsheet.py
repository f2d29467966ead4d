"""The flowsheet and the bottom line of a patient, from a small case made here."""

from __future__ import annotations

import datetime as dt

from androcast.labs import parse_case
from androcast.report import timeline
from androcast.report.flowsheet import flowsheet
from androcast.report.summary import current_drugs, next_check
from androcast.store.chart import MedicationUse

CASE = {
    "patient": {"id": "F1", "age_years": 35},
    "labs": [
        {"date": "2025-07-01", "analyte": "testosterone_total", "value": 110, "unit": "ng/dL"},
        {"date": "2025-07-01", "analyte": "shbg", "value": 30, "unit": "nmol/L"},
        {"date": "2025-07-01", "analyte": "estradiol", "value": 20, "unit": "pg/mL"},
        {"date": "2025-07-01", "analyte": "inhibin_b", "value": "<10", "unit": "ng/L"},
        {"date": "2025-09-01", "analyte": "testosterone_total", "value": 500, "unit": "ng/dL"},
    ],
    "semen": [{"date": "2025-09-05", "volume_ml": 3, "concentration_m_per_ml": 4,
               "progressive_motility_pct": 20}],
}


def _sheet() -> object:
    case = parse_case(CASE, as_of=dt.date(2025, 10, 1))
    return flowsheet(case, timeline(case))


def test_flowsheet_rows_by_date_with_flags_trends_derived_values_and_censoring() -> None:
    sheet = _sheet()
    assert sheet.dates == (dt.date(2025, 7, 1), dt.date(2025, 9, 1), dt.date(2025, 9, 5))
    rows = {r.name: r for r in sheet.rows}
    t = rows["Testosterone"]
    assert t.unit == "nmol/L" and t.reference == "9.2–31.8"
    assert [c.text if c else None for c in t.cells] == ["3.81", "17.3", None]  # 110, 500 ng/dL
    assert t.cells[0].flag == "low" and "reported 110 ng/dL" in t.cells[0].title
    assert t.trend == "rising"
    assert rows["Inhibin B"].cells[0].text == "<10"  # as reported, never "10"
    free = rows["Free testosterone (calculated, Vermeulen)"]
    assert free.cells[0] is not None and free.cells[1] is None  # SHBG only on the first date
    assert rows["Testosterone/oestradiol ratio"].cells[0].text == "5.5"  # 110 / 20
    assert rows["Testosterone/oestradiol ratio"].cells[0].flag == "low"
    assert rows["Total sperm count"].cells[2].text == "12"
    assert rows["Total motile sperm count"].cells[2].text == "2.4"  # 3 x 4 x 20 %
    assert rows["WHO 2021 class"].cells[2].text == "Oligozoospermia, Asthenozoospermia"
    assert rows["Sperm concentration"].cells[2].flag == "low"  # below WHO 2021's 16


def test_current_drugs_come_from_the_adopted_plan_history_and_courses() -> None:
    today = dt.date(2026, 1, 10)
    adopted = {"start": "2025-10-21", "regimen": [
        {"drug": "hcg", "dose": "3000 IU", "route": "sc", "every": "2 d"},
        {"drug": "clomiphene_citrate", "dose": "25 mg", "route": "oral", "every": "1 d"}]}
    courses = [MedicationUse("anastrozole", dt.date(2025, 12, 1), None, 1.0, "mg", 1.0),
               MedicationUse("opioid", dt.date(2024, 1, 1), dt.date(2024, 6, 1))]
    drugs = current_drugs(medications=courses, adopted=adopted, today=today)
    assert [(d.name, d.dose, d.source) for d in drugs] == [
        ("hCG", "3000 IU, every other day, subcutaneous", "adopted plan"),
        ("Clomiphene", "25 mg, daily, by mouth", "adopted plan"),
        ("Anastrozole", "1 mg, daily", "history"),
    ]  # the opioid course stopped before today
    assert current_drugs(adopted=adopted, today=dt.date(2025, 10, 1)) == ()  # not started


def test_next_check_is_the_plan_schedule_and_a_missed_one_is_overdue() -> None:
    adopted = {"start": "2025-10-21", "escalations": [], "horizon_weeks": 52}
    upcoming = next_check(adopted, dt.date(2025, 10, 20), dt.date(2025, 10, 22))
    assert upcoming is not None and not upcoming.overdue and upcoming.date > dt.date(2025, 10, 22)
    assert "hormones" in upcoming.what and "testosterone_total" not in upcoming.what
    missed = next_check(adopted, dt.date(2025, 10, 20), dt.date(2026, 6, 1))
    assert missed is not None and missed.overdue and missed.date == upcoming.date
    assert next_check(None, None, dt.date(2025, 10, 22)) is None
