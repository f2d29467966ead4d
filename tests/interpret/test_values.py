"""RangeUsed.describe: the reference interval a finding names, as a laboratory prints it:
one-sided limits as "≤ 45" (the review read "high vs -45 U/L"), UCUM units as clinicians
write them, converted limits to the digits of a report (no "4.151-21.23")."""

from __future__ import annotations

import pytest

from androcast.interpret.values import RangeUsed


@pytest.mark.parametrize(
    ("low", "high", "unit", "text"),
    [
        (9.2, 31.8, "nmol/L", "9.2–31.8 nmol/L (laboratory; adult men)"),
        (None, 45.0, "U/L", "≤ 45 U/L (laboratory; adult men)"),
        (2.0, None, "nmol/L", "≥ 2 nmol/L (laboratory; adult men)"),
        (4.151, 21.23, "ng/mL", "4.2–21.2 ng/mL (laboratory; adult men)"),
        (1.5, 12.4, "[IU]/L", "1.5–12.4 IU/L (laboratory; adult men)"),
    ],
)
def test_describe_names_the_limits_unit_source_and_population(
    low: float | None, high: float | None, unit: str, text: str
) -> None:
    used = RangeUsed("testosterone_total", low, high, unit, "laboratory", "adult men")
    assert used.describe() == text
