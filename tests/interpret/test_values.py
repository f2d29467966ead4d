"""RangeUsed.describe: the reference interval a finding names, open ends left blank."""

from __future__ import annotations

import pytest

from androcast.interpret.values import RangeUsed


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (9.2, 31.8, "9.2-31.8 nmol/L (laboratory; adult men)"),
        (None, 20.0, "-20 nmol/L (laboratory; adult men)"),
        (2.0, None, "2- nmol/L (laboratory; adult men)"),
    ],
)
def test_describe_names_the_limits_unit_source_and_population(
    low: float | None, high: float | None, text: str
) -> None:
    used = RangeUsed("testosterone_total", low, high, "nmol/L", "laboratory", "adult men")
    assert used.describe() == text
