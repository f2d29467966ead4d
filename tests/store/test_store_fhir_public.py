"""Real public FHIR R4 data (tests/io/fixtures, licences in its README) through the store.

Each bundle imports with a skip report (nothing silently dropped, nothing refused whole),
exports strictly valid R4 (parsed by fhir.resources) and round-trips: the export imports
to the same record and exports again identically. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from androcast.io.fhir import export_bundle, parse_bundle_entries
from androcast.store import Store, load_chart, save_charts

FIXTURES = Path(__file__).parents[1] / "io" / "fixtures"
AS_OF = dt.date(2025, 11, 1)


def _smart() -> dict[str, Any]:
    patient = json.loads((FIXTURES / "smart_bulk_patient.ndjson").read_text("utf-8"))
    url = f"https://bulk.smarthealthit.org/Patient/{patient['id']}"
    entry = {"fullUrl": url, "resource": patient}
    return {"resourceType": "Bundle", "type": "collection", "entry": [entry]}


def _hl7_r4() -> dict[str, Any]:
    """The R4 specification's Pieter van de Heuvel (Patient/f001), his blood glucose
    (Observation/f001) and the body weight example (about Patient/example, not in it)."""
    names = ("hl7_r4_patient_f001.json", "hl7_r4_observation_f001_glucose.json",
             "hl7_r4_observation_example.json")
    entries = []
    for name in names:
        resource = _file(name)
        url = f"http://hl7.org/fhir/{resource['resourceType']}/{resource['id']}"
        entries.append({"fullUrl": url, "resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _file(name: str) -> dict[str, Any]:
    data = json.loads((FIXTURES / name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


# (bundle, patient id, gender, results kept, skipped entries with their resource types)
CASES: dict[str, tuple[Any, str, str | None, int, dict[int, str]]] = {
    "us_core": (
        lambda: _file("us_core_amy_shaw.json"),
        "1032702",
        None,  # US Core 9 states no administrative gender: kept absent, never made male
        1,  # glucose; creatinine and haemoglobin are outside the catalogue
        {2: "Observation", 3: "Observation", 4: "DiagnosticReport"},
    ),
    "synthea": (
        lambda: _file("synthea_trimmed.json"),
        "d5582579-7193-4866-5560-a01e723b6552",
        "male",
        0,
        {1: "Encounter", 2: "Condition"},
    ),
    "smart": (_smart, "0bee1bc6-1a91-bcd5-7bc0-02fadc5217d6", "female", 0, {}),
    "hl7_r4": (
        _hl7_r4,
        "738472983",  # his identifier (system urn:oid:2.16.840.1.113883.2.4.6.3)
        "male",
        0,  # glucose in blood (15074-8) is outside the catalogue (serum or plasma: 2345-7)
        {1: "Observation", 2: "Observation"},
    ),
}


def _save(store: Store, bundle: dict[str, Any]) -> Any:
    parsed = parse_bundle_entries(bundle, as_of=AS_OF)
    with store.transaction("importer") as session:
        summary = save_charts(session, parsed.charts)
    return parsed, summary


@pytest.mark.parametrize("name", sorted(CASES))
def test_public_bundle_imports_with_a_skip_report_exports_valid_r4_and_round_trips(
    store: Store, name: str
) -> None:
    make, identifier, gender, results, skipped = CASES[name]
    parsed, summary = _save(store, make())
    assert {s.entry: s.resource_type for s in parsed.skipped} == skipped
    assert all(s.reason for s in parsed.skipped)
    assert summary.created == results
    with store.reading() as session:
        chart = load_chart(session, identifier)
    assert chart.gender == gender
    assert len(chart.labs) + len(chart.semen) == results
    exported = export_bundle(chart)
    Bundle.model_validate(exported)  # strictly valid R4 (R4B models: the R4 wire format)
    again, summary = _save(store, exported)
    assert again.skipped == ()
    assert (summary.created, summary.updated) == (0, 0)
    with store.reading() as session:
        assert export_bundle(load_chart(session, identifier)) == exported


def test_the_r4_spec_examples_say_why_each_result_is_skipped(store: Store) -> None:
    parsed, _ = _save(store, _hl7_r4())
    reasons = {s.entry: s.reason for s in parsed.skipped}
    assert "15074-8" in reasons[1]  # a LOINC code outside the catalogue, named
    assert "Patient/example" in reasons[2]  # about a patient not in the bundle
    with store.reading() as session:
        chart = load_chart(session, "738472983")
    assert chart.birth_date == dt.date(1944, 11, 17)
    assert chart.names[0]["family"] == "van de Heuvel"
    assert chart.patient_key is not None
    assert chart.patient_key.system == "urn:oid:2.16.840.1.113883.2.4.6.3"
