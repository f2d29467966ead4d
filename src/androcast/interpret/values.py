"""Values a rule condition works with: unit-tagged quantities and the ranges they used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from androcast import display


@dataclass(frozen=True)
class RangeUsed:
    """A reference interval an interpretation relied on (named in every finding)."""

    analyte: str
    low: float | None
    high: float | None
    unit: str
    source: str
    population: str

    def describe(self) -> str:
        """``9.2–31.8 nmol/L (source; population)``; one-sided as ``≤ 45 U/L``."""
        shown = display.interval(self.low, self.high, self.unit)
        return f"{shown} ({self.source}; {self.population})"


@dataclass(frozen=True)
class Quantity:
    """A number in a unit. ``analyte`` lets mass/molar conversions pick the molar mass;
    ``censor`` marks an assay-limit result ("<0.1": the true value lies below 0.1)."""

    value: float
    unit: str
    label: str
    analyte: str | None = None
    censor: Literal["<", ">"] | None = None
    reference: RangeUsed | None = None


Value = Quantity | float | bool | str | None
"""What an operand evaluates to; ``None`` means unknown (a missing input)."""


def normalise_unit(unit: str) -> str:
    """UCUM-style brackets as used in the evidence tables ("[IU]/L") to plain unit text."""
    return unit.replace("[", "").replace("]", "").strip()
