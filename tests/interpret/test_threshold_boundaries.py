"""Every cited threshold a rule compares with is pinned by examples on both sides of it.

For each evidence key in a rule's ``when``, the rule's own examples together with the
boundary cases in ``tests/reference/interpret_boundaries.yaml`` must include a case just
above and one just below the threshold: moving the threshold by 15 % either way (1 for a
whole count), the size of a mis-typed or mis-cited value such as EMAS LH 9.4 -> 11.5 U/L,
must change the verdict of at least one of them. A threshold no example sits near could be
changed without any test noticing (issue 21: no rule example had LH between 8.5 and 12).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from androcast.interpret import engine, load_rules
from androcast.interpret.engine import run_rules
from androcast.interpret.rules import Rule
from androcast.interpret.values import Quantity
from androcast.labs import parse_case

RULES = load_rules()
BY_ID = {rule.id: rule for rule in RULES}
SHIFT = 0.15
WHOLE_COUNT_UNITS = {"agents"}  # a 15 % shift of 2 agents says nothing: shift by one
BOUNDARY_AS_OF = dt.date(2025, 12, 1)
BOUNDARIES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "reference" / "interpret_boundaries.yaml").read_text()
)
_EVIDENCE = re.compile(r'evidence\("([^"]+)"')


def _keys(rule: Rule) -> set[str]:
    return {key.split(":")[0] for key in _EVIDENCE.findall(rule.spec.when)}


THRESHOLDS = sorted({key for rule in RULES for key in _keys(rule)})


def _examples(rule: Rule) -> list[tuple[str, dict[str, Any], dt.date | None]]:
    own = [(e.name, e.case, e.as_of) for e in rule.spec.examples]
    extra = [(b["name"], b["case"], BOUNDARY_AS_OF) for b in BOUNDARIES if b["rule"] == rule.id]
    return own + extra


def _fired(rule: Rule, case_data: dict[str, Any], as_of: dt.date | None) -> bool | None:
    case = parse_case(case_data, source=rule.id, as_of=as_of)
    return {v.rule.id: v for v in run_rules(case, RULES)}[rule.id].fired


@contextmanager
def _threshold_moved(key: str, direction: str) -> Iterator[None]:
    original: Callable[..., Quantity] = engine.threshold

    def moved(k: str, part: str | None = None) -> Quantity:
        q = original(k, part)
        if k != key:
            return q
        if q.unit in WHOLE_COUNT_UNITS:
            return replace(q, value=q.value + (1 if direction == "up" else -1))
        return replace(q, value=q.value * (1 + SHIFT if direction == "up" else 1 - SHIFT))

    engine.threshold = moved  # type: ignore[assignment]
    try:
        yield
    finally:
        engine.threshold = original  # type: ignore[assignment]


@pytest.mark.parametrize(
    "boundary", BOUNDARIES, ids=[f"{b['rule']}[{b['name']}]" for b in BOUNDARIES]
)
def test_boundary_case_fires_as_written(boundary: dict[str, Any]) -> None:
    rule = BY_ID[boundary["rule"]]
    assert boundary["threshold"] in _keys(rule)
    assert _fired(rule, boundary["case"], BOUNDARY_AS_OF) is boundary["fires"]


@pytest.mark.parametrize("direction", ["up", "down"])
@pytest.mark.parametrize("key", THRESHOLDS)
def test_threshold_has_examples_on_both_sides(key: str, direction: str) -> None:
    rules = [r for r in RULES if key in _keys(r)]
    cases = [(rule, name, data, as_of) for rule in rules for name, data, as_of in _examples(rule)]
    before = [_fired(rule, data, as_of) for rule, _, data, as_of in cases]
    with _threshold_moved(key, direction):
        after = [_fired(rule, data, as_of) for rule, _, data, as_of in cases]
    flipped = [(c[0].id, c[1]) for c, b, a in zip(cases, before, after, strict=True) if b != a]
    assert flipped, (
        f"no example of {[r.id for r in rules]} changes when {key} moves {direction}: "
        "add cases just above and just below it to tests/reference/interpret_boundaries.yaml"
    )
