"""Property tests: unit round trips for every analyte, and parse_case never crashes."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from androcast.errors import AndrocastError
from androcast.labs import analyte, analyte_keys, parse_case
from androcast.units import convert

PAIRS = [
    (key, unit, other)
    for key in analyte_keys()
    for unit in analyte(key).accepted_units
    for other in analyte(key).accepted_units
]


@pytest.mark.parametrize(("key", "unit", "other"), PAIRS)
@given(value=st.floats(min_value=1e-6, max_value=1e6))
@settings(max_examples=20, deadline=None)
def test_every_accepted_unit_round_trips(key: str, unit: str, other: str, value: float) -> None:
    there = convert(value, unit, other, analyte=key)
    back = convert(there, other, unit, analyte=key)
    assert back == pytest.approx(value, rel=1e-9)


@pytest.mark.parametrize("key", analyte_keys())
def test_every_accepted_unit_reaches_the_canonical_unit(key: str) -> None:
    entry = analyte(key)
    assert entry.canonical_unit in entry.accepted_units
    for unit in entry.accepted_units:
        assert convert(1.0, unit, entry.canonical_unit, analyte=key) > 0


@pytest.mark.parametrize("key", analyte_keys())
def test_typical_range_lies_inside_plausible_range(key: str) -> None:
    entry = analyte(key)
    assert entry.plausible[0] <= entry.typical[0] < entry.typical[1] <= entry.plausible[1]


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "<0.2",
            ">1500",
            "2025-10-15",
            "2999-01-01",
            "200 mg",
            "7 d",
            "ng/dL",
            "testosterone_total",
            "lh",
            "nmol/L",
            "%",
            "10*6/mL",
            "fertility",
        ]
    ),
    st.dates().map(lambda d: d),
)
keys = st.sampled_from(
    [
        "patient",
        "goal",
        "history",
        "labs",
        "semen",
        "reference_intervals",
        "id",
        "age_years",
        "analyte",
        "value",
        "unit",
        "date",
        "agent",
        "dose",
        "every",
        "start",
        "stop",
        "low",
        "high",
        "androgens",
        "conditions",
        "medications",
        "volume_ml",
        "concentration_m_per_ml",
        "testis_volume_ml",
        "left",
        "right",
        "reference",
        "confirmed",
        "pellet_sperm_seen",
    ]
) | st.text(max_size=6)
trees = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


@given(st.dictionaries(keys, trees, max_size=6))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_case_raises_only_androcast_errors(data: dict[str, Any]) -> None:
    with contextlib.suppress(AndrocastError):
        parse_case(data, as_of=dt.date(2025, 11, 1))


def _valid_case() -> dict[str, Any]:
    return {
        "patient": {"id": "P", "age_years": 30, "testis_volume_ml": {"left": 12, "right": 12}},
        "history": {
            "androgens": [{"agent": "nandrolone_decanoate", "dose": "200 mg", "every": "7 d"}],
            "conditions": ["bodybuilding"],
            "medications": ["opioid"],
        },
        "labs": [{"date": "2025-10-01", "analyte": "lh", "value": 1, "unit": "IU/L"}],
        "semen": [{"date": "2025-10-01", "volume_ml": 2, "concentration_m_per_ml": 10}],
        "reference_intervals": {"lh": {"low": 1.5, "high": 9.3, "unit": "IU/L"}},
    }


PLACES = [
    ("patient",),
    ("history",),
    ("labs",),
    ("semen",),
    ("reference_intervals",),
    ("goal",),
    ("patient", "id"),
    ("patient", "age_years"),
    ("patient", "testis_volume_ml"),
    ("patient", "ethnicity"),
    ("history", "androgens"),
    ("history", "conditions"),
    ("history", "medications"),
    ("reference_intervals", "lh"),
    ("labs", 0, "date"),
    ("labs", 0, "value"),
    ("labs", 0, "unit"),
    ("labs", 0, "analyte"),
    ("labs", 0, "reference"),
    ("labs", 0, "confirmed"),
    ("semen", 0, "date"),
    ("semen", 0, "concentration_m_per_ml"),
    ("semen", 0, "volume_ml"),
    ("semen", 0, "pellet_sperm_seen"),
    ("history", "androgens", 0, "dose"),
    ("history", "androgens", 0, "every"),
    ("history", "androgens", 0, "start"),
    ("history", "androgens", 0, "agent"),
    ("history", "androgens", 0, "route"),
]


@given(st.sampled_from(PLACES), trees)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_case_with_one_field_replaced_raises_only_androcast_errors(
    place: tuple[Any, ...], tree: Any
) -> None:
    data = _valid_case()
    parse_case(data, as_of=dt.date(2025, 11, 1))  # the starting point is valid
    node: Any = data
    for step in place[:-1]:
        node = node[step]
    node[place[-1]] = tree
    with contextlib.suppress(AndrocastError):
        parse_case(data, as_of=dt.date(2025, 11, 1))


lab_entries = st.fixed_dictionaries(
    {
        "date": st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2025, 11, 1)),
        "analyte": st.sampled_from(analyte_keys()),
        "value": st.one_of(
            st.floats(min_value=-10, max_value=1e5),
            st.sampled_from(["<0.1", ">100", "12.5", "abc"]),
        ),
        "unit": st.sampled_from(
            [
                "ng/dL",
                "nmol/L",
                "IU/L",
                "pg/mL",
                "pmol/L",
                "mg/dL",
                "%",
                "mmol/L",
                "g/L",
                "uIU/mL",
                "ng/mL",
                "m[IU]/L",
                "kg",
            ]
        ),
    }
)


@given(st.lists(lab_entries, max_size=5))
@settings(max_examples=300, deadline=None)
def test_parse_case_with_realistic_labs_raises_only_androcast_errors(
    labs: list[dict[str, Any]],
) -> None:
    data = {"patient": {"id": "P"}, "labs": labs}
    try:
        case = parse_case(data, as_of=dt.date(2025, 11, 1))
    except AndrocastError:
        return
    for result in case.labs:
        assert result.unit == analyte(result.analyte).canonical_unit
        assert result.flag in ("low", "normal", "high", "indeterminate", "no_interval")
