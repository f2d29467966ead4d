"""prognosis_class: one mapping from P(recovery by 12 months) to good/moderate/guarded/poor."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from androcast.errors import ParameterError
from androcast.interpret import class_thresholds, prognosis_class, references

ANCHORS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "reference" / "prognosis_class_anchors.yaml").read_text()
)
ORDER = ["poor", "guarded", "moderate", "good"]


@pytest.mark.parametrize("anchor", ANCHORS, ids=[f"{a['source']}-{a['value']}" for a in ANCHORS])
def test_published_recovery_proportion_maps_to_its_class(anchor: dict[str, Any]) -> None:
    assert anchor["source"] in references()
    assert prognosis_class(anchor["value"]) == anchor["expected_class"]


@given(st.floats(0, 1), st.floats(0, 1))
def test_class_is_monotone_in_probability(p: float, q: float) -> None:
    low, high = sorted((p, q))
    assert ORDER.index(prognosis_class(low)) <= ORDER.index(prognosis_class(high))


def test_thresholds_cover_zero_and_name_every_class() -> None:
    thresholds = class_thresholds()
    assert {name for name, _ in thresholds} == set(ORDER)
    assert min(lowest for _, lowest in thresholds) == 0.0


def test_probability_outside_unit_interval_is_refused() -> None:
    with pytest.raises(ParameterError) as err:
        prognosis_class(1.2)
    assert str(err.value) == (
        "p_recovery_12mo: 1.2 is not a valid parameter; expected a probability between 0 and 1"
    )


def test_a_class_table_without_a_zero_class_is_refused_clearly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the table is data (prognosis_classes.yaml): one whose lowest class starts above 0
    # leaves low probabilities without a class, and says so instead of returning nothing
    module = importlib.import_module("androcast.interpret.prognosis_class")
    monkeypatch.setattr(module, "class_thresholds", lambda: (("good", 0.8), ("moderate", 0.5)))
    with pytest.raises(ParameterError) as err:
        module.prognosis_class(0.3)
    assert str(err.value) == (
        "p_recovery_12mo: 0.3 is not a valid parameter; expected a class whose lower bound is 0"
    )
