"""FHIR bundles through the store: round trip, idempotent re-import, all or nothing.

Malformed bundles (hypothesis) raise only AndrocastError and store nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storehelpers import import_bundle, row_counts

from androcast.errors import AndrocastError, UnitError
from androcast.io.fhir import export_bundle, parse_bundle
from androcast.store import Store, load_chart, save_charts
from androcast.store.schema import Base

BUNDLE = Path(__file__).parents[2] / "examples" / "fhir" / "post_trt_bundle.json"
AS_OF = dt.date(2025, 11, 1)


def _bundle() -> dict[str, Any]:
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _import(store: Store, bundle: Any) -> None:
    import_bundle(store, bundle, as_of=AS_OF)


def _counts(store: Store) -> dict[str, int]:
    return row_counts(store)


def _observations(bundle: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What a round trip must keep: code, value, comparator, unit, date of each Observation."""
    out = []
    for entry in bundle["entry"]:
        r = entry["resource"]
        if r["resourceType"] != "Observation" or "hasMember" in r:
            continue  # a semen panel's values are its members' (and the old form's components)
        parts = r.get("component", [r])
        for part in parts:
            q = part["valueQuantity"]
            code = part["code"]["coding"][0]
            out.append(
                (
                    code["system"],
                    code["code"],
                    q["value"],
                    q.get("comparator"),
                    q["unit"],
                    q["code"],
                    r["effectiveDateTime"],
                )
            )
    return sorted(out)


def test_bundle_to_store_to_fhir_keeps_every_observation(store: Store) -> None:
    bundle = _bundle()
    _import(store, bundle)
    with store.reading() as session:
        exported = export_bundle(load_chart(session, "P001"))
    assert _observations(exported) == _observations(bundle)
    # Every record under its own identifier; the semen panel's members and its report are
    # named after it (semen-009#volume_ml, semen-009#report).
    identifiers = [e["resource"]["identifier"] for e in exported["entry"]
                   if "#" not in e["resource"]["identifier"][0]["value"]]
    assert identifiers == [e["resource"]["identifier"] for e in bundle["entry"]]
    members = [e["resource"]["identifier"][0]["value"] for e in exported["entry"]
               if "#" in e["resource"]["identifier"][0]["value"]]
    assert members == ["semen-009#volume_ml", "semen-009#concentration_m_per_ml",
                       "semen-009#report"]


def test_reimporting_a_bundle_or_its_export_creates_no_duplicates(store: Store) -> None:
    _import(store, _bundle())
    once = _counts(store)
    _import(store, _bundle())
    with store.reading() as session:
        exported = export_bundle(load_chart(session, "P001"))
    _import(store, exported)
    assert _counts(store) == once


def test_an_invalid_entry_names_entry_and_field_and_nothing_is_stored(store: Store) -> None:
    bundle = _bundle()
    bundle["entry"][3]["resource"]["valueQuantity"]["unit"] = "furlongs"
    bundle["entry"][3]["resource"]["valueQuantity"].pop("code")
    with pytest.raises(UnitError) as caught:
        _import(store, bundle)
    assert str(caught.value).startswith(
        "entry[3].resource.valueQuantity.unit: 'furlongs' is not a usable unit; expected"
    )
    assert all(n == 0 for n in _counts(store).values())


_json = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


@st.composite
def _malformed(draw: st.DrawFn) -> dict[str, Any]:
    """The example bundle with one element replaced by arbitrary JSON."""
    bundle = copy.deepcopy(_bundle())
    paths = [p for p in _paths(bundle) if p]
    path = draw(st.sampled_from(paths))
    node: Any = bundle
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = draw(_json)
    return bundle


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bundle=_malformed())
def test_malformed_bundles_raise_only_androcast_errors_and_store_nothing(
    store: Store, bundle: dict[str, Any]
) -> None:
    before = _counts(store)
    try:
        charts = parse_bundle(bundle, as_of=AS_OF)
    except AndrocastError:
        assert _counts(store) == before
        return
    # Some replacements are still valid bundles (a display text changed): they import whole.
    with store.transaction("importer") as session:
        save_charts(session, charts)
    with store.transaction("cleanup") as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())


def test_a_stored_man_exports_loinc_codes_the_loinc_panel_and_intervals_in_the_reported_unit(
    store: Store,
) -> None:
    """Issue 18 defects of the export, through the store: the reference range was written in
    the canonical unit beside a value in the reported unit, and the semen panel under the
    project's own code."""
    _import(store, _bundle())
    with store.reading() as session:
        exported = export_bundle(load_chart(session, "P001"))
    resources = [e["resource"] for e in exported["entry"]]
    labs = [r for r in resources if r["resourceType"] == "Observation" and "referenceRange" in r]
    assert labs
    for lab in labs:
        unit = lab["valueQuantity"]["code"]
        for side in ("low", "high"):
            if side in lab["referenceRange"][0]:
                assert lab["referenceRange"][0][side]["code"] == unit, lab["code"]
        assert lab["code"]["coding"][0]["system"] == "http://loinc.org"
    (testosterone,) = [r for r in labs if r["code"]["coding"][0]["code"] == "2986-8"]
    assert testosterone["valueQuantity"]["unit"] == "ng/dL"
    assert testosterone["referenceRange"][0]["low"]["unit"] == "ng/dL"
    panels = [r for r in resources if r.get("hasMember")]
    assert [p["code"]["coding"][0] for p in panels] == [
        {"system": "http://loinc.org", "code": "13361-1",
         "display": panels[0]["code"]["coding"][0]["display"]}]
    (report,) = [r for r in resources if r["resourceType"] == "DiagnosticReport"]
    assert report["code"]["coding"][0]["code"] == "13361-1"
