"""Values a rule condition works with: unit-tagged quantities and the ranges they used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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
        low = "" if self.low is None else f"{self.low:g}"
        high = "" if self.high is None else f"{self.high:g}"
        return f"{low}-{high} {self.unit} ({self.source}; {self.population})"


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
