"""Identity of imported records (issue 18): nothing is merged that is not the same record.

Each test is one defect that real bundles showed on main, run on SQLite and PostgreSQL:
patients of different hospitals merged on the MRN value, results sharing an identifier
overwriting each other, two semen samples of one day fused into one, re-minted urn:uuids
duplicating every result, and the shipped example bundle duplicating the demo man's results.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from storehelpers import import_bundle, row_counts

from androcast.errors import InputFileError
from androcast.labs import load_case
from androcast.store import Store, chart_from_case, load_chart, save_chart
from androcast.store.schema import PatientRow

EXAMPLES = Path(__file__).parents[2] / "examples"
AS_OF = dt.date(2025, 11, 1)
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


def _patient(system: str, value: str, birth: str) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": {
            "resourceType": "Patient",
            "identifier": [{"system": system, "value": value}],
            "gender": "male",
            "birthDate": birth,
        },
    }


def _lh(subject: str, value: float, when: str, identifier: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "10501-5"}]},
        "subject": {"reference": subject},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": "IU/L", "system": UCUM, "code": "[IU]/L"},
    }
    if identifier is not None:
        resource["identifier"] = [{"system": "urn:example:lab", "value": identifier}]
    return {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": resource}


def _semen_part(subject: str, loinc: str, value: float, unit: str, when: str) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": LOINC, "code": loinc}]},
            "subject": {"reference": subject},
            "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
        },
    }


def _bundle(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": list(entries)}


def _import(store: Store, bundle: Any) -> None:
    import_bundle(store, bundle, as_of=AS_OF)


def _counts(store: Store) -> dict[str, int]:
    return row_counts(store, skip=frozenset({"audit_log"}))


def test_another_hospitals_mrn_with_the_same_value_is_not_merged(store: Store) -> None:
    first = _patient("urn:hospital:a", "12345", "1980-01-01")
    _import(store, _bundle(first, _lh(first["fullUrl"], 2.0, "2025-01-01")))
    before = _counts(store)
    other = _patient("urn:hospital:b", "12345", "1990-06-30")
    with pytest.raises(InputFileError) as caught:
        _import(store, _bundle(other, _lh(other["fullUrl"], 9.0, "2025-02-01")))
    message = str(caught.value)
    assert "urn:hospital:b|12345" in message and "urn:hospital:a|12345" in message
    assert _counts(store) == before  # nothing of the second man attached to the first
    with store.reading() as session:
        chart = load_chart(session, "12345")
        assert chart.birth_date == dt.date(1980, 1, 1)
        assert [r.item.value for r in chart.labs] == [2.0]
        row = session.scalar(select(PatientRow))
        assert row is not None and row.identifier_system == "urn:hospital:a"


def test_the_same_hospital_and_mrn_is_the_same_man(store: Store) -> None:
    first = _patient("urn:hospital:a", "12345", "1980-01-01")
    _import(store, _bundle(first, _lh(first["fullUrl"], 2.0, "2025-01-01")))
    again = _patient("urn:hospital:a", "12345", "1980-01-01")
    _import(store, _bundle(again, _lh(again["fullUrl"], 3.0, "2025-03-01")))
    with store.reading() as session:
        assert sorted(r.item.value for r in load_chart(session, "12345").labs) == [2.0, 3.0]


def test_two_observations_with_one_identifier_are_refused_naming_both(store: Store) -> None:
    man = _patient("urn:hospital:a", "1", "1980-01-01")
    subject = man["fullUrl"]
    bundle = _bundle(
        man,
        _lh(subject, 2.0, "2025-01-01", identifier="r1"),
        _lh(subject, 3.0, "2025-02-01", identifier="r1"),
    )
    with pytest.raises(InputFileError) as caught:
        _import(store, bundle)
    assert str(caught.value).startswith("entry[2].resource.identifier: 'urn:example:lab|r1'")
    assert "entry[1].resource has the same one" in str(caught.value)
    assert all(n == 0 for n in _counts(store).values())


def test_an_identifier_reused_for_another_analyte_is_a_conflict_not_an_update(
    store: Store,
) -> None:
    man = _patient("urn:hospital:a", "1", "1980-01-01")
    _import(store, _bundle(man, _lh(man["fullUrl"], 2.0, "2025-01-01", identifier="r1")))
    fsh = _lh(man["fullUrl"], 4.0, "2025-01-01", identifier="r1")
    fsh["resource"]["code"]["coding"][0]["code"] = "15067-2"
    with pytest.raises(InputFileError) as caught:
        _import(store, _bundle(man, fsh))
    assert "'lh'" in str(caught.value) and "'fsh'" in str(caught.value)
    with store.reading() as session:
        (lh,) = load_chart(session, "1").labs
    assert (lh.item.analyte, lh.item.value) == ("lh", 2.0)


def test_two_semen_samples_on_one_day_stay_two(store: Store) -> None:
    man = _patient("urn:hospital:a", "1", "1980-01-01")
    subject = man["fullUrl"]
    morning, afternoon = "2025-10-20T08:00:00Z", "2025-10-20T15:30:00Z"
    bundle = _bundle(
        man,
        _semen_part(subject, "3160-9", 2.5, "mL", morning),
        _semen_part(subject, "9780-8", 4.0, "10*6/mL", morning),
        _semen_part(subject, "3160-9", 1.0, "mL", afternoon),
        _semen_part(subject, "9780-8", 12.0, "10*6/mL", afternoon),
    )
    _import(store, bundle)
    with store.reading() as session:
        semen = load_chart(session, "1").semen
    pairs = sorted((s.item.volume_ml, s.item.concentration_m_per_ml) for s in semen)
    assert pairs == [(1.0, 12.0), (2.5, 4.0)]


def test_one_parameter_twice_for_one_sample_time_is_refused_not_fused(store: Store) -> None:
    man = _patient("urn:hospital:a", "1", "1980-01-01")
    subject = man["fullUrl"]
    bundle = _bundle(
        man,
        _semen_part(subject, "9780-8", 4.0, "10*6/mL", "2025-10-20"),
        _semen_part(subject, "9780-8", 12.0, "10*6/mL", "2025-10-20"),
    )
    with pytest.raises(InputFileError) as caught:
        _import(store, bundle)
    assert str(caught.value).startswith("entry[2].resource.valueQuantity.value: 12.0")
    assert "entry[1].resource.valueQuantity.value gives 4.0" in str(caught.value)
    assert all(n == 0 for n in _counts(store).values())


def test_a_reimport_with_reminted_urn_uuids_changes_nothing(store: Store) -> None:
    man = _patient("urn:hospital:a", "1", "1980-01-01")
    bundle = _bundle(
        man,
        _lh(man["fullUrl"], 2.0, "2025-01-01"),
        _lh(man["fullUrl"], 2.0, "2025-02-01"),
        _semen_part(man["fullUrl"], "9780-8", 4.0, "10*6/mL", "2025-10-20"),
    )
    _import(store, bundle)
    once = _counts(store)
    reminted = json.loads(
        json.dumps(bundle).replace(man["fullUrl"], f"urn:uuid:{uuid.uuid4()}")
    )
    for entry in reminted["entry"][1:]:
        entry["fullUrl"] = f"urn:uuid:{uuid.uuid4()}"
    _import(store, reminted)
    assert _counts(store) == once
    assert once["lab_observation"] == 2 and once["semen_analysis"] == 1


def test_the_example_bundle_imports_into_the_demo_man_without_duplicates(store: Store) -> None:
    case = load_case(EXAMPLES / "cases" / "post_trt.yaml", as_of=AS_OF)
    with store.transaction("demo") as session:
        save_chart(session, chart_from_case(case))
    demo = _counts(store)
    bundle = json.loads((EXAMPLES / "fhir" / "post_trt_bundle.json").read_text("utf-8"))
    _import(store, copy.deepcopy(bundle))
    _import(store, bundle)
    assert _counts(store) == demo
    with store.reading() as session:
        chart = load_chart(session, "P001")
    # one semen analysis: no duplicate to pass for the confirming second analysis
    assert len(chart.semen) == len(case.semen) == 1
    assert chart.to_case(as_of=AS_OF) == case
