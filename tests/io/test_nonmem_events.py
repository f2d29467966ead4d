"""NONMEM-style event tables: dose rows are the regimen compiler's events to the last digit,
results are canonical, censoring follows Monolix/nlmixr2 CENS/LIMIT, infusions carry RATE."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import yaml

from androcast.errors import ExportError
from androcast.io.nonmem import case_events, legend_path_for
from androcast.labs import load_case, parse_case
from androcast.regimens import (
    Regimen,
    compile_regimen,
    load_regimen,
    parse_regimen,
    regimen_from_history,
)

EXAMPLES = Path(__file__).parents[2] / "examples"
CASES = sorted((EXAMPLES / "cases").glob("*.yaml"))
REGIMENS = [None, *sorted((EXAMPLES / "regimens").glob("*.yaml"))]
# A window far wider than any example, so the compiler returns every event of every entry.
WIDE = {"t_start_d": -1e5, "t_end_d": 1e5}


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def expected_doses(case_path: Path,
                   regimen_path: Path | None) -> list[tuple[float, str, float, float]]:
    """(time, drug, amount, rate) of every compiled bolus (rate 0) and infusion."""
    full = regimen_from_history(load_case(case_path))
    if regimen_path is not None:
        full = full.combine(load_regimen(regimen_path))
    schedule = compile_regimen(full, **WIDE) if full.entries else None
    if schedule is None:
        return []
    # the shipped examples' only infusion is gel (zero order) of a case still using it
    assert all(i.drug == "testosterone_gel" for i in schedule.infusions)
    doses = [(d.t_d, d.drug, d.amount, 0.0) for d in schedule.doses]
    doses += [(i.start_d, i.drug, i.rate_per_d * (i.stop_d - i.start_d), i.rate_per_d)
              for i in schedule.infusions]
    return sorted(doses)


@pytest.mark.parametrize("regimen_path", REGIMENS, ids=lambda p: p.stem if p else "history")
@pytest.mark.parametrize("case_path", CASES, ids=lambda p: p.stem)
def test_dose_rows_are_the_compiled_events_to_the_last_digit(
        case_path: Path, regimen_path: Path | None) -> None:
    table = case_events(load_case(case_path),
                        load_regimen(regimen_path) if regimen_path else None)
    drug_of = {c.cmt: c.code for c in table.compartments if c.kind == "dose"}
    written = [r for r in rows(table.csv_text()) if r["EVID"] == "1"]
    got = sorted((float(r["TIME"]), drug_of[int(r["CMT"])], float(r["AMT"]), float(r["RATE"]))
                 for r in written)
    assert got == expected_doses(case_path, regimen_path)
    assert all(r["MDV"] == "1" and r["DV"] == "." for r in written)
    assert all(r["CODE"] == drug_of[int(r["CMT"])] for r in written)


def test_hours_and_first_record_origin_shift_and_scale_the_same_events() -> None:
    case = load_case(EXAMPLES / "cases" / "post_trt.yaml")
    plan = load_regimen(EXAMPLES / "regimens" / "gonadorelin_pump.yaml")
    table = case_events(case, plan)
    days = [float(r["TIME"]) for r in rows(table.csv_text())]
    hours = [float(r["TIME"]) for r in rows(table.csv_text(time_unit="h"))]
    assert hours == [t.t_d * 24.0 for t in table.rows]
    assert days == [t.t_d for t in table.rows]
    first = [float(r["TIME"]) for r in rows(table.csv_text(origin="first"))]
    assert first[0] == 0.0 and first == [t - days[0] for t in days]
    pulses = [t for t, r in zip(days, table.rows, strict=True) if r.code == "gonadorelin"]
    assert len(pulses) == 26 * 7 * 16  # every 90 min for 26 weeks, one row per pulse


def test_results_are_in_canonical_units_with_their_analyte_and_loinc() -> None:
    case = load_case(EXAMPLES / "cases" / "post_trt.yaml")
    table = case_events(case)
    cmt = {c.code: c for c in table.compartments}
    observed = {r["CODE"]: r for r in rows(table.csv_text()) if r["EVID"] == "0"}
    # 95 ng/dL x 0.03467 (unit_conversions.testosterone_ng_dl_to_nmol_l) = 3.294 nmol/L
    assert float(observed["testosterone_total"]["DV"]) == pytest.approx(95 * 0.03467, rel=1e-3)
    total = cmt["testosterone_total"]
    assert (total.unit, total.loinc) == ("nmol/L", "14913-8")  # LOINC of the molar result
    # 12 pg/mL x 3.671 (unit_conversions.estradiol_pg_ml_to_pmol_l) = 44.05 pmol/L
    assert float(observed["estradiol"]["DV"]) == pytest.approx(12 * 3.671, rel=1e-3)
    assert cmt["estradiol"].unit == "pmol/L"
    # the values are the case's own canonical results, digit for digit
    for result in case.labs:
        assert float(observed[result.analyte]["DV"]) == result.value
        assert int(observed[result.analyte]["CMT"]) == cmt[result.analyte].cmt
    # labs on 2025-10-15, semen on 2025-10-20; time 0 = 2025-09-01 + 7 d (Handelsman 2005)
    assert observed["lh"]["TIME"] == "37" and observed["concentration_m_per_ml"]["TIME"] == "42"
    assert observed["concentration_m_per_ml"]["DV"] == "0"
    assert cmt["concentration_m_per_ml"].unit == "10*6/mL"


def test_a_censored_result_is_flagged_with_cens_and_limit() -> None:
    table = case_events(load_case(EXAMPLES / "cases" / "post_trt.yaml"))
    fsh = next(r for r in rows(table.csv_text()) if r["CODE"] == "fsh")  # reported "<0.3"
    assert (fsh["DV"], fsh["CENS"], fsh["LIMIT"], fsh["MDV"]) == ("0.3", "1", "0", "0")
    lh = next(r for r in rows(table.csv_text()) if r["CODE"] == "lh")
    assert (lh["CENS"], lh["LIMIT"]) == ("0", ".")
    mixed = case_events(load_case(EXAMPLES / "cases" / "mixed_units.yaml"))
    lh_below = next(r for r in rows(mixed.csv_text()) if r["CODE"] == "lh")  # "<0.1" mIU/mL
    assert (float(lh_below["DV"]), lh_below["CENS"], lh_below["LIMIT"]) == (0.1, "1", "0")


def _case(labs: list[dict[str, object]], androgens: list[dict[str, object]] | None = None,
          ) -> dict[str, object]:
    return {"patient": {"id": "P9", "age_years": 40}, "goal": "fertility",
            "history": {"androgens": androgens or [], "conditions": [], "medications": []},
            "labs": labs, "semen": []}


def test_a_result_above_the_assay_limit_is_right_censored() -> None:
    case = parse_case(_case([{"date": "2025-10-01", "analyte": "prolactin", "value": ">200",
                              "unit": "ng/mL"}]), as_of=dt.date(2025, 11, 1))
    (row,) = rows(case_events(case).csv_text())
    assert (row["DV"], row["CENS"], row["LIMIT"], row["MDV"]) == ("200", "-1", ".", "0")


def test_an_infusion_is_one_row_with_rate_and_the_whole_amount() -> None:
    case = load_case(EXAMPLES / "cases" / "hyperprolactinaemia.yaml")
    plan = parse_regimen([{"drug": "gonadorelin", "dose": "120 ug", "route": "sc_infusion",
                           "every": "1 d", "start": "0 d", "duration": "14 d"}])
    table = case_events(case, plan)
    (days,) = [r for r in rows(table.csv_text()) if r["EVID"] == "1"]
    (hours,) = [r for r in rows(table.csv_text(time_unit="h")) if r["EVID"] == "1"]
    assert (days["TIME"], days["AMT"], days["RATE"]) == ("0", "1680", "120")  # 120 ug/d x 14 d
    assert (hours["AMT"], hours["RATE"]) == ("1680", "5")  # 120 ug/d = 5 ug/h
    assert float(hours["AMT"]) / float(hours["RATE"]) == 14 * 24  # duration, as NONMEM reads it
    depot = next(c for c in table.compartments if c.code == "gonadorelin")
    assert (depot.route, depot.unit, int(days["CMT"])) == ("sc_infusion", "ug", depot.cmt)


def test_no_results_and_no_doses_is_an_exact_error() -> None:
    case = parse_case(_case([]), as_of=dt.date(2025, 11, 1))
    with pytest.raises(ExportError) as err:
        case_events(case, Regimen(()))
    assert str(err.value) == ("case: 'P9' cannot be exported; expected lab or semen results, "
                              "an androgen history or a regimen")


def test_write_puts_the_csv_and_its_legend_side_by_side(tmp_path: Path) -> None:
    table = case_events(load_case(EXAMPLES / "cases" / "post_trt.yaml"))
    out = tmp_path / "data.csv"
    legend = table.write(out, time_unit="h")
    assert legend == legend_path_for(out) == tmp_path / "data.legend.yaml"
    assert out.read_text(encoding="utf-8") == table.csv_text(time_unit="h")
    described = yaml.safe_load(legend.read_text(encoding="utf-8"))
    assert described["time"]["unit"] == "hours" and described["subjects"] == {1: "P001"}
    assert [c["cmt"] for c in described["compartments"]] == list(
        range(1, len(table.compartments) + 1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "data.legend.yaml"]


def test_a_bad_time_unit_writes_nothing(tmp_path: Path) -> None:
    table = case_events(load_case(EXAMPLES / "cases" / "post_trt.yaml"))
    with pytest.raises(ExportError, match=r"time_unit: 'min' cannot be exported; expected h or d"):
        table.write(tmp_path / "data.csv", time_unit="min")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
