"""Units of imported results (issue 18), through the store on SQLite and PostgreSQL.

Defects seen on main: ``ng/mL?`` and ``nmol/L!!`` were accepted, UCUM's enzyme unit ``U/L``
was read as International Units, and valid UCUM that the catalogue can convert (``/mL`` for
a sperm concentration, ``ug/L`` for testosterone) was refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from storehelpers import import_bundle

from androcast.errors import UnitError
from androcast.store import Store, load_chart
from androcast.store.schema import Base

AS_OF = dt.date(2025, 11, 1)
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
MAN = "urn:uuid:6f1c1b8e-0000-4000-8000-000000000002"


def _bundle(loinc: str, value: float, code: str | None, unit: str | None = None) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value}
    if code is not None:
        quantity.update(system=UCUM, code=code)
    if unit is not None:
        quantity["unit"] = unit
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": MAN,
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": "urn:hospital:a", "value": "7"}],
                    "gender": "male",
                },
            },
            {
                "fullUrl": "urn:uuid:6f1c1b8e-0000-4000-8000-000000000003",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": LOINC, "code": loinc}]},
                    "subject": {"reference": MAN},
                    "effectiveDateTime": "2025-10-15",
                    "valueQuantity": quantity,
                },
            },
        ],
    }


def _import(store: Store, bundle: Any) -> None:
    import_bundle(store, bundle, as_of=AS_OF)


def _nothing_stored(store: Store) -> bool:
    with store.reading() as session:
        return all(
            session.execute(select(func.count()).select_from(t)).scalar_one() == 0
            for t in Base.metadata.sorted_tables
        )


@pytest.mark.parametrize(
    ("code", "unit"),
    [("ng/mL?", None), ("nmol/L!!", None), (None, "ng/mL?"), (None, "nmol/L!!")],
)
def test_garbage_units_are_refused_with_the_entry_index(
    store: Store, code: str | None, unit: str | None
) -> None:
    bad = code or unit
    assert bad is not None
    with pytest.raises(UnitError) as caught:
        _import(store, _bundle("2986-8" if "ng" in bad else "14913-8", 3.0, code, unit))
    element = "code" if unit is None else "unit"
    assert str(caught.value).startswith(
        f"entry[1].resource.valueQuantity.{element}: {bad!r} is not a usable unit"
    )
    assert _nothing_stored(store)


def test_a_valid_code_wins_over_a_garbled_display_text(store: Store) -> None:
    _import(store, _bundle("2986-8", 300.0, "ng/dL", "ng/dL??"))
    with store.reading() as session:
        (result,) = load_chart(session, "7").labs
    assert result.item.reported_unit == "ng/dL"


def test_the_enzyme_unit_u_is_not_the_international_unit(store: Store) -> None:
    with pytest.raises(UnitError) as caught:
        _import(store, _bundle("10501-5", 4.0, "U/L"))
    assert str(caught.value).startswith(
        "entry[1].resource.valueQuantity.code: 'U/L' is not a usable unit; expected [IU] for "
        "International Units"
    )
    assert _nothing_stored(store)


def test_ug_per_l_testosterone_is_converted(store: Store) -> None:
    _import(store, _bundle("2986-8", 5.0, "ug/L"))
    with store.reading() as session:
        (result,) = load_chart(session, "7").labs
    # 5 ug/L = 500 ng/dL = 17.34 nmol/L (molar mass 288.42 g/mol)
    assert result.item.value == pytest.approx(500 / 28.842, rel=1e-3)
    assert (result.item.reported_value, result.item.reported_unit) == (5.0, "ug/L")


def test_per_ml_sperm_concentration_is_converted(store: Store) -> None:
    _import(store, _bundle("9780-8", 15_000_000, "/mL"))
    with store.reading() as session:
        (semen,) = load_chart(session, "7").semen
    assert semen.item.concentration_m_per_ml == pytest.approx(15.0)
