"""Import what can be imported (issue 18), through the store on SQLite and PostgreSQL.

Defects seen on main: any other resource type (Encounter, Composition, ...) or a LOINC code
outside the catalogue rejected the whole bundle, so a ``document`` bundle could never
import. Now they are skipped and reported per entry; ``transaction`` stays all or nothing,
``batch`` entries are independent, and strict mode keeps the old refusal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from androcast.errors import AndrocastError, LabValueError, UnknownCodeError
from androcast.io.fhir import parse_bundle, parse_bundle_entries
from androcast.store import Store, load_chart, save_charts
from androcast.store.schema import Base

AS_OF = dt.date(2025, 11, 1)
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
MAN = "urn:uuid:6f1c1b8e-0000-4000-8000-000000000010"


def _lh(value: float, loinc: str = "10501-5", day: str = "2025-10-15") -> dict[str, Any]:
    return {
        "resource": {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": LOINC, "code": loinc}]},
            "subject": {"reference": MAN},
            "effectiveDateTime": day,
            "valueQuantity": {"value": value, "unit": "IU/L", "system": UCUM, "code": "[IU]/L"},
        }
    }


def _bundle(kind: str, *entries: dict[str, Any]) -> dict[str, Any]:
    man = {
        "fullUrl": MAN,
        "resource": {
            "resourceType": "Patient",
            "identifier": [{"system": "urn:hospital:a", "value": "9"}],
            "gender": "male",
        },
    }
    return {"resourceType": "Bundle", "type": kind, "entry": [man, *entries]}


def _composition() -> dict[str, Any]:
    return {
        "resource": {
            "resourceType": "Composition",
            "status": "final",
            "type": {"text": "Discharge summary"},
            "date": "2025-10-20",
            "author": [{"display": "Dr Who"}],
            "title": "Discharge summary",
        }
    }


def _encounter() -> dict[str, Any]:
    return {
        "resource": {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"code": "AMB"},
            "subject": {"reference": MAN},
        }
    }


def _store_import(store: Store, bundle: dict[str, Any]) -> Any:
    parsed = parse_bundle_entries(bundle, as_of=AS_OF)
    with store.transaction("importer") as session:
        save_charts(session, parsed.charts)
    return parsed


def _lab_values(store: Store) -> list[float]:
    with store.reading() as session:
        return sorted(r.item.value for r in load_chart(session, "9").labs)


def _empty(store: Store) -> bool:
    with store.reading() as session:
        return all(
            session.execute(select(func.count()).select_from(t)).scalar_one() == 0
            for t in Base.metadata.sorted_tables
        )


def test_a_document_bundle_imports_its_results_and_reports_the_rest(store: Store) -> None:
    bundle = _bundle("document", _composition(), _encounter(), _lh(2.0), _lh(5.0, "8867-4"))
    bundle["entry"].insert(0, bundle["entry"].pop(1))  # a document starts with its Composition
    parsed = _store_import(store, bundle)
    assert _lab_values(store) == [2.0]
    assert parsed.imported == 2
    skipped = [(s.entry, s.resource_type) for s in parsed.skipped]
    assert skipped == [(0, "Composition"), (2, "Encounter"), (4, "Observation")]
    assert parsed.skipped[0].reason.startswith("Composition is not imported")
    assert "'8867-4' is not a known code" in parsed.skipped[2].reason
    assert parsed.report()["skipped"][1] == {
        "entry": 2,
        "resourceType": "Encounter",
        "reason": "Encounter is not imported (only Patient, Observation, MedicationStatement)",
    }


def test_a_result_about_a_patient_not_in_the_bundle_is_reported(store: Store) -> None:
    stray = _lh(3.0)
    stray["resource"]["subject"]["reference"] = "Patient/somebody-else"
    parsed = _store_import(store, _bundle("collection", _lh(2.0), stray))
    assert _lab_values(store) == [2.0]
    (skip,) = parsed.skipped
    assert (skip.entry, skip.reason) == (
        2,
        "its subject (Patient/somebody-else) is not a Patient entry of this bundle",
    )


def test_a_transaction_with_one_invalid_entry_imports_nothing(store: Store) -> None:
    bundle = _bundle("transaction", _lh(2.0), _lh(-4.0), _encounter())
    with pytest.raises(LabValueError) as caught:
        _store_import(store, bundle)
    assert str(caught.value).startswith("entry[2].resource.valueQuantity.value: -4.0")
    assert _empty(store)


def test_batch_entries_are_independent(store: Store) -> None:
    bundle = _bundle("batch", _lh(2.0), _lh(-4.0), _lh(3.0, day="2025-10-16"))
    parsed = _store_import(store, bundle)
    assert _lab_values(store) == [2.0, 3.0]
    (skip,) = parsed.skipped
    assert skip.entry == 2 and skip.reason.startswith("entry[2].resource.valueQuantity.value")


def test_strict_mode_refuses_what_it_would_skip(store: Store) -> None:
    bundle = _bundle("collection", _lh(2.0), _encounter())
    with pytest.raises(UnknownCodeError) as caught:
        parse_bundle_entries(bundle, as_of=AS_OF, strict=True)
    assert str(caught.value).startswith("entry[2].resource.resourceType: 'Encounter'")
    with pytest.raises(AndrocastError):
        parse_bundle(_bundle("collection", _lh(5.0, "8867-4")), as_of=AS_OF)
    assert _empty(store)
