"""The case file's examination and gonadotoxic treatment in the store and in FHIR (issues 15
and 18), on SQLite and PostgreSQL.

Defect seen on main: the store dropped ``exam`` and ``history.gonadotoxic_treatment`` (a
stored man was assessed without his varicocele or his chemotherapy), so the FHIR export could
not carry them either. Now the patient row keeps them (0009); the export writes the
treatment as a Procedure (SNOMED CT chemotherapy or radiotherapy) and the examination as
Patient extensions beside the testis volumes; the import reads both back. The partner's age
travels as before (test_fhir_export).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from androcast.errors import AndrocastError
from androcast.io.fhir import export_bundle, parse_bundle, parse_bundle_entries
from androcast.labs import parse_case
from androcast.store import Store, chart_from_case, load_chart, save_charts

AS_OF = dt.date(2026, 11, 1)
CASE = {
    "patient": {"id": "C10", "age_years": 34},
    "goal": "fertility",
    "partner": {"age_years": 36},
    "exam": {"date": "2026-10-02", "vas_deferens": {"left": "palpable", "right": "palpable"},
             "varicocele": {"left": "grade_2", "right": "none"}, "visual_fields": "full"},
    "history": {"gonadotoxic_treatment": [
        {"type": "chemotherapy", "regimen": "escalated BEACOPP", "cycles": 6,
         "start": "2019-03-01", "stop": "2019-09-15", "sperm_banked_before": False},
        {"type": "radiotherapy", "field": "mediastinum", "dose_gy": 30, "start": "2019-10-01"},
    ]},
    "labs": [{"analyte": "fsh", "value": 14.2, "unit": "IU/L", "date": "2026-10-02"}],
}


def _case() -> Any:
    return parse_case(CASE, as_of=AS_OF)


def _stored(store: Store, clinic: str = "default") -> Any:
    with store.reading() as session:
        return load_chart(session, "C10", clinic=clinic)


def test_the_store_keeps_his_examination_and_gonadotoxic_treatment(store: Store) -> None:
    case = _case()
    with store.transaction("importer") as session:
        save_charts(session, [chart_from_case(case)])
    again = _stored(store).to_case(as_of=AS_OF)
    assert again.exam == case.exam
    assert again.history.gonadotoxic_treatment == case.history.gonadotoxic_treatment
    assert again.partner == case.partner


def test_fhir_carries_them_as_a_procedure_and_patient_extensions_and_round_trips(
        store: Store) -> None:
    case = _case()
    with store.transaction("importer") as session:
        save_charts(session, [chart_from_case(case)])
    exported = export_bundle(_stored(store))
    Bundle.model_validate(exported)  # strictly valid R4
    procedures = [e["resource"] for e in exported["entry"]
                  if e["resource"]["resourceType"] == "Procedure"]
    assert [p["code"]["coding"][0]["code"] for p in procedures] == ["367336001", "108290001"]
    assert procedures[0]["performedPeriod"] == {"start": "2019-03-01", "end": "2019-09-15"}
    assert procedures[1]["bodySite"] == [{"text": "mediastinum"}]
    # into another clinic, from the bundle alone
    with store.transaction("importer") as session:
        save_charts(session, parse_bundle(exported, as_of=AS_OF), clinic="other")
    imported = _stored(store, "other").to_case(as_of=AS_OF)
    assert imported.exam == case.exam
    assert imported.history.gonadotoxic_treatment == case.history.gonadotoxic_treatment
    with store.transaction("importer") as session:  # again: nothing changes
        summary = save_charts(session, parse_bundle(exported, as_of=AS_OF), clinic="other")
    assert (summary.created, summary.updated, summary.patients_updated) == (0, 0, [])
    assert export_bundle(_stored(store, "other")) == exported


def test_another_procedure_is_skipped_with_its_reason_and_bad_values_are_named() -> None:
    exported = export_bundle(chart_from_case(_case()))
    other = copy.deepcopy(exported)
    index, procedure = next((i, e["resource"]) for i, e in enumerate(other["entry"])
                            if e["resource"]["resourceType"] == "Procedure")
    procedure["code"] = {"coding": [{"system": "http://snomed.info/sct", "code": "80146002",
                                     "display": "Appendectomy"}]}
    parsed = parse_bundle_entries(other, as_of=AS_OF)
    (skipped,) = parsed.skipped
    assert (skipped.entry, skipped.resource_type) == (index, "Procedure")
    assert "chemotherapy or radiotherapy" in skipped.reason
    with pytest.raises(AndrocastError) as err:
        parse_bundle(other, as_of=AS_OF)
    assert err.value.field == f"entry[{index}].resource.code"
    # a bad value is named at its element, with what was expected
    for kind, url, value, expected in (
            ("Procedure", "radiotherapy-dose-gy", 900, "from 0 to 200 Gy"),
            ("Patient", "exam-varicocele-left", "huge", "grade_1, grade_2")):
        bad: dict[str, Any] = copy.deepcopy(exported)
        at = next(f"entry[{i}].resource.extension[{j}]"
                  for i, e in enumerate(bad["entry"]) if e["resource"]["resourceType"] == kind
                  for j, ext in enumerate(e["resource"].get("extension", []))
                  if ext["url"].endswith(url))
        i, j = (int(part.split("]")[0]) for part in at.split("[")[1:])
        ext = bad["entry"][i]["resource"]["extension"][j]
        element = next(k for k in ext if k.startswith("value"))
        ext[element] = value
        with pytest.raises(AndrocastError) as err:
            parse_bundle(bad, as_of=AS_OF)
        assert err.value.field == f"{at}.{element}"
        assert expected in str(err.value)
