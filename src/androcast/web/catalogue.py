"""Choices the forms offer, from the core's catalogues (analytes with their units, drugs)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import androcast.drugs as drugs
from androcast.labs import analyte, analyte_keys, androgen_codes, condition_codes
from androcast.web.forms import DEFAULT_LAB_ANALYTES, DOSE_UNITS


@dataclass(frozen=True)
class AnalyteChoice:
    key: str
    name: str
    units: tuple[str, ...]  # the catalogue's accepted units, canonical first


@dataclass(frozen=True)
class Choices:
    analytes: tuple[AnalyteChoice, ...]
    androgens: tuple[str, ...]
    medications: tuple[str, ...]
    conditions: tuple[tuple[str, str], ...]
    goals: tuple[str, ...]
    ethnicities: tuple[str, ...]
    dose_units: tuple[str, ...]
    default_lab_analytes: tuple[str, ...]

    def units(self, key: str) -> tuple[str, ...]:
        for choice in self.analytes:
            if choice.key == key:
                return choice.units
        return ()


def _units(key: str) -> tuple[str, ...]:
    entry = analyte(key)
    rest = tuple(u for u in entry.accepted_units if u != entry.canonical_unit)
    return (entry.canonical_unit, *rest)


@cache
def choices() -> Choices:
    androgens = androgen_codes()
    return Choices(
        analytes=tuple(AnalyteChoice(k, analyte(k).name, _units(k)) for k in analyte_keys()),
        androgens=androgens,
        medications=tuple(c for c in drugs.drug_codes() if c not in androgens),
        conditions=tuple(condition_codes().items()),
        goals=("fertility", "testosterone", "both"),
        ethnicities=("asian", "white", "black", "hispanic", "other"),
        dose_units=DOSE_UNITS,
        default_lab_analytes=DEFAULT_LAB_ANALYTES,
    )
