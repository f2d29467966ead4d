"""Status, amendments, times and patient details through the store (issue 18), both backends.

Defects seen on main: entered-in-error left the value in place; preliminary, corrected and
unknown were all exported as final; YYYY-MM dates and effectiveInstant were refused while
``issued`` was silently taken as the clinical date; female or absent gender came back male;
name, interpretation, performer and note were dropped.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from androcast.errors import InputFileError
from androcast.io.fhir import export_bundle, parse_bundle
from androcast.store import (
    Store,
    audit_trail,
    find_patient,
    latest_assessment,
    load_chart,
    save_charts,
)
from androcast.workflows.records import import_charts

AS_OF = dt.date(2025, 11, 1)
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
MAN = "urn:uuid:6f1c1b8e-0000-4000-8000-000000000001"


def _man(**extra: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:hospital:a", "value": "42"}],
        **extra,
    }
    return {"fullUrl": MAN, "resource": resource}


def _lh(value: float, status: str = "final", **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "identifier": [{"system": "urn:example:lab", "value": "lh-1"}],
        "status": status,
        "code": {"coding": [{"system": LOINC, "code": "10501-5"}]},
        "subject": {"reference": MAN},
        "valueQuantity": {"value": value, "unit": "IU/L", "system": UCUM, "code": "[IU]/L"},
    }
    if not any(k.startswith("effective") for k in extra):
        resource["effectiveDateTime"] = "2025-10-15"
    resource.update(extra)
    return {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": resource}


def _import(store: Store, *entries: dict[str, Any], gender: str | None = "male") -> Any:
    man = _man(gender=gender) if gender else _man()
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [man, *entries]}
    with store.transaction("importer") as session:
        return save_charts(session, parse_bundle(bundle, as_of=AS_OF))


def _exported(store: Store) -> list[dict[str, Any]]:
    with store.reading() as session:
        bundle = export_bundle(load_chart(session, "42"))
    Bundle.model_validate(bundle)  # strictly valid R4(B)
    return [e["resource"] for e in bundle["entry"]]


def _lab_audit(store: Store) -> list[Any]:
    with store.reading() as session:
        patient = find_patient(session, "42")
        return [a for a in audit_trail(session, patient_id=patient.id)
                if a.table == "lab_observation"]


def test_entered_in_error_retracts_the_stored_result_and_the_audit_keeps_it(
    store: Store,
) -> None:
    _import(store, _lh(0.3))
    summary = _import(store, _lh(0.3, status="entered-in-error"))
    assert summary.retracted == 1
    with store.reading() as session:
        assert load_chart(session, "42").labs == ()
    deleted = [a for a in _lab_audit(store) if a.action == "delete"]
    assert len(deleted) == 1 and deleted[0].changes["reported_value"] == 0.3
    assert deleted[0].actor == "importer"


def test_entered_in_error_without_identifier_retracts_the_same_content(store: Store) -> None:
    plain = _lh(0.3)
    del plain["resource"]["identifier"]
    _import(store, plain)
    error = _lh(0.3, status="entered-in-error")
    del error["resource"]["identifier"]
    assert _import(store, error).retracted == 1
    with store.reading() as session:
        assert load_chart(session, "42").labs == ()


def test_a_corrected_result_replaces_the_value_and_the_old_one_stays_in_the_audit(
    store: Store,
) -> None:
    _import(store, _lh(0.3))
    summary = _import(store, _lh(3.0, status="corrected"))
    assert (summary.updated, summary.created) == (1, 0)
    with store.reading() as session:
        (lh,) = load_chart(session, "42").labs
    assert (lh.item.value, lh.status) == (3.0, "corrected")
    (update,) = [a for a in _lab_audit(store) if a.action == "update"]
    assert update.changes["reported_value"] == [0.3, 3.0]
    (observation,) = [r for r in _exported(store) if r["resourceType"] == "Observation"]
    assert (observation["status"], observation["valueQuantity"]["value"]) == ("corrected", 3.0)


@pytest.mark.parametrize("status", ["preliminary", "amended", "unknown", "registered"])
def test_status_is_exported_as_stored(store: Store, status: str) -> None:
    _import(store, _lh(0.3, status=status))
    (observation,) = [r for r in _exported(store) if r["resourceType"] == "Observation"]
    assert observation["status"] == status


def test_a_preliminary_result_made_final_is_an_update_not_a_second_result(store: Store) -> None:
    _import(store, _lh(0.3, status="preliminary"))
    assert _import(store, _lh(0.3)).updated == 1
    (observation,) = [r for r in _exported(store) if r["resourceType"] == "Observation"]
    assert observation["status"] == "final"


@pytest.mark.parametrize(
    ("effective", "day"),
    [
        ({"effectiveDateTime": "2025-10"}, dt.date(2025, 10, 1)),
        ({"effectiveDateTime": "2025"}, dt.date(2025, 1, 1)),
        ({"effectiveDateTime": "2025-10-15T08:30:00+02:00"}, dt.date(2025, 10, 15)),
        ({"effectiveInstant": "2025-10-15T08:30:00.123+02:00"}, dt.date(2025, 10, 15)),
        (
            {"effectivePeriod": {"start": "2025-10-14T22:00:00Z", "end": "2025-10-15T06:00:00Z"}},
            dt.date(2025, 10, 14),
        ),
    ],
)
def test_effective_times_keep_their_precision_and_issued_is_not_the_date(
    store: Store, effective: dict[str, Any], day: dt.date
) -> None:
    _import(store, _lh(0.3, issued="2025-10-30T12:00:00Z", **effective))
    with store.reading() as session:
        (lh,) = load_chart(session, "42").labs
    assert lh.item.date == day
    (observation,) = [r for r in _exported(store) if r["resourceType"] == "Observation"]
    for name, value in effective.items():
        assert observation[name] == value
    assert observation["issued"] == "2025-10-30T12:00:00Z"


def test_a_result_with_only_issued_has_no_clinical_date_and_is_refused(store: Store) -> None:
    entry = _lh(0.3, issued="2025-10-30T12:00:00Z")
    del entry["resource"]["effectiveDateTime"]
    with pytest.raises(InputFileError) as caught:
        _import(store, entry)
    assert str(caught.value).startswith(
        "entry[1].resource.effective[x]: '2025-10-30T12:00:00Z' cannot be read; expected the "
        "time the sample was taken"
    )


@pytest.mark.parametrize("gender", ["female", "other", "unknown", None])
def test_gender_is_kept_as_given_never_made_male(store: Store, gender: str | None) -> None:
    _import(store, _lh(0.3), gender=gender)
    (patient,) = [r for r in _exported(store) if r["resourceType"] == "Patient"]
    assert patient.get("gender") == gender


def test_name_interpretation_performer_and_note_are_kept(store: Store) -> None:
    details = {
        "interpretation": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                         "code": "L"}]}
        ],
        "performer": [{"reference": "Organization/lab-1", "display": "City Lab"}],
        "note": [{"text": "haemolysed sample, repeat advised"}],
    }
    name = [{"family": "Doe", "given": ["John"]}]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [_man(gender="male", name=name), _lh(0.3, **details)],
    }
    with store.transaction("importer") as session:
        save_charts(session, parse_bundle(bundle, as_of=AS_OF))
    patient, observation = _exported(store)
    assert patient["name"] == name
    for element, value in details.items():
        assert observation[element] == value


@pytest.mark.parametrize(("gender", "in_scope"), [("female", False), ("other", False),
                                                  ("male", True), (None, True)])
def test_a_non_male_record_is_assessed_as_outside_scope(
    store: Store, gender: str | None, in_scope: bool
) -> None:
    man = _man(gender=gender) if gender else _man()
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [man, _lh(0.3)]}
    with store.transaction("importer") as session:
        import_charts(session, parse_bundle(bundle, as_of=AS_OF), clinic="default", today=AS_OF)
    with store.reading() as session:
        assessment = latest_assessment(session, "42")
    assert assessment is not None
    assert ("out_of_scope" not in assessment) is in_scope
    if not in_scope:
        assert assessment["findings"] == [] and assessment["actions"] == []
        assert assessment["out_of_scope"]["code"] == "not_male"


@pytest.mark.parametrize("comparator", ["<", "<=", ">", ">="])
def test_a_comparator_is_exported_exactly(store: Store, comparator: str) -> None:
    entry = _lh(0.3)
    entry["resource"]["valueQuantity"]["comparator"] = comparator
    _import(store, entry)
    (observation,) = [r for r in _exported(store) if r["resourceType"] == "Observation"]
    assert observation["valueQuantity"]["comparator"] == comparator
    assert "comparator" not in observation
