"""FHIR R4 bundle parsing and export without a store: exact errors, censoring, semen, drugs."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from androcast.errors import AndrocastError
from androcast.io.fhir import export_bundle, loinc_for, parse_bundle
from androcast.labs import load_case
from androcast.store import chart_from_case

EXAMPLES = Path(__file__).parents[2] / "examples"
AS_OF = dt.date(2025, 11, 1)


def _bundle() -> dict[str, Any]:
    data = json.loads((EXAMPLES / "fhir" / "post_trt_bundle.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _resource(bundle: dict[str, Any], index: int) -> dict[str, Any]:
    resource = bundle["entry"][index]["resource"]
    assert isinstance(resource, dict)
    return resource


def test_the_example_bundle_is_the_post_trt_case() -> None:
    (chart,) = parse_bundle(_bundle(), as_of=AS_OF)
    case = load_case(EXAMPLES / "cases" / "post_trt.yaml", as_of=AS_OF)
    assert chart.to_case(as_of=AS_OF) == case


@pytest.mark.parametrize("name", sorted(p.stem for p in (EXAMPLES / "cases").glob("*.yaml")))
def test_export_then_import_gives_the_same_case(name: str) -> None:
    case = load_case(EXAMPLES / "cases" / f"{name}.yaml", as_of=AS_OF)
    kept = chart_from_case(case)  # what a record holds (a partner's evaluation is not in it)
    (chart,) = parse_bundle(export_bundle(kept), as_of=AS_OF)
    assert chart.to_case(as_of=AS_OF) == kept.to_case(as_of=AS_OF)


def test_censored_value_travels_as_comparator() -> None:
    fsh = _resource(_bundle(), 4)
    assert fsh["valueQuantity"]["comparator"] == "<"
    (chart,) = parse_bundle(_bundle(), as_of=AS_OF)
    result = chart.to_case(as_of=AS_OF).latest("fsh")
    assert result is not None
    assert (result.censor, result.value) == ("<", 0.3)


def test_loinc_follows_the_reported_unit() -> None:
    assert loinc_for("testosterone_total", "ng/dL") == "2986-8"
    assert loinc_for("testosterone_total", "nmol/L") == "14913-8"
    assert loinc_for("lh", "m[IU]/mL") == "10501-5"
    assert loinc_for("insulin", "pmol/L") is None  # LOINC gap in the catalogue


def test_semen_parameters_as_separate_observations_merge_by_date() -> None:
    bundle = _bundle()
    panel = _resource(bundle, 9)
    entries = bundle["entry"][:9]
    for index, component in enumerate(panel["component"]):
        entries.append(
            {
                "fullUrl": f"urn:uuid:00000000-0000-4000-8000-00000000000{index}",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": component["code"],
                    "subject": panel["subject"],
                    "effectiveDateTime": panel["effectiveDateTime"],
                    "valueQuantity": component["valueQuantity"],
                },
            }
        )
    (chart,) = parse_bundle({**bundle, "entry": entries}, as_of=AS_OF)
    (original,) = parse_bundle(_bundle(), as_of=AS_OF)
    # abstinence and pellet findings are extensions of the panel, absent from the parts
    expected = [
        dataclasses.replace(s.item, abstinence_days=None, pellet_sperm_seen=None)
        for s in original.semen
    ]
    assert [s.item for s in chart.semen] == expected


def _set(index: int, path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(bundle: dict[str, Any]) -> None:
        node: Any = _resource(bundle, index)
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            _set(3, ("effectiveDateTime",), "2026-01-01"),
            "entry[3].resource.effectiveDateTime: '2026-01-01' is not a valid date here; "
            "expected a date on or before 2025-11-01 (as of)",
        ),
        (
            _set(3, ("subject", "reference"), "Patient/nobody"),
            "entry[3].resource.subject.reference: 'Patient/nobody' cannot be read; expected a "
            "reference to a Patient entry of this bundle (its fullUrl or Patient/<id>)",
        ),
        (
            _set(9, ("component", 0, "valueQuantity", "value"), 99),
            "entry[9].resource.component[0].valueQuantity.value: 99.0 is impossible; "
            "expected a number from 0 to 20 mL",
        ),
        (
            _set(3, ("valueQuantity", "value"), "abc"),
            "entry[3].resource.valueQuantity.value: 'abc' cannot be read; "
            "expected Value error, Decimal value string does not match spec regex.",
        ),
        (
            _set(0, ("extension", 1, "valueDecimal"), 5),
            "entry[0].resource.extension[1].valueDecimal: 5.0 is impossible; "
            "expected a number from 10 to 100 kg/m2",
        ),
        (
            _set(1, ("dosage", 0, "doseAndRate", 0, "doseQuantity", "value"), -5),
            "entry[1].resource.dosage[0].doseAndRate[0].doseQuantity: '-5 mg' is not a "
            "valid regimen entry; expected a dose with a unit, e.g. '200 mg', '5000 IU' or "
            "'50 ug'",
        ),
        (
            _set(5, ("resourceType",), "Encounter"),
            "entry[5].resource.resourceType: 'Encounter' is not a known code; "
            "expected one of Patient, Observation, MedicationStatement",
        ),
    ],
)
def test_invalid_entry_names_its_index_and_element(
    change: Callable[[dict[str, Any]], None], message: str
) -> None:
    bundle = copy.deepcopy(_bundle())
    change(bundle)
    with pytest.raises(AndrocastError) as caught:
        parse_bundle(bundle, as_of=AS_OF)
    assert str(caught.value) == message


def test_unknown_loinc_lists_the_known_codes() -> None:
    bundle = _bundle()
    _resource(bundle, 3)["code"]["coding"][0]["code"] = "1234-5"
    with pytest.raises(AndrocastError) as caught:
        parse_bundle(bundle, as_of=AS_OF)
    assert str(caught.value).startswith(
        "entry[3].resource.code.coding[0].code: '1234-5' is not a known code; "
        "expected a LOINC code of: 10501-5, 13967-5,"
    )


def test_not_a_bundle() -> None:
    with pytest.raises(AndrocastError) as caught:
        parse_bundle({"resourceType": "Patient"}, as_of=AS_OF)
    assert str(caught.value) == (
        "bundle.resourceType: 'Patient' cannot be read; expected a FHIR R4 Bundle"
    )


def test_entered_in_error_results_are_left_out() -> None:
    bundle = _bundle()
    _resource(bundle, 3)["status"] = "entered-in-error"
    (chart,) = parse_bundle(bundle, as_of=AS_OF)
    assert chart.to_case(as_of=AS_OF).latest("lh") is None
