"""The one unit registry of androcast, with a pint context per analyte substance.

Mass <-> molar and mass/molar <-> International Unit conversions change dimension, so they
need a factor that belongs to the analyte (its molar mass or its assay standard). Each such
factor is a pint context named after the substance; nothing converts across dimensions
without one (clinical.md section 9: "do not let a generic unit library convert ng/dL to
nmol/L without knowing the analyte").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pint
from pint.facets.context.objects import Context

from androcast._yaml import load_data
from androcast.evidence import evidence

# Hormone assays report International Units; "million" is the 10^6 of sperm counts (M/mL).
_DEFINITIONS = (
    "international_unit = [biological_activity] = IU",
    "million = 1e6",
    "@alias week = wk",
    "@alias month = mo",
)

ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
for _definition in _DEFINITIONS:
    ureg.define(_definition)
pint.set_application_registry(ureg)  # type: ignore[no-untyped-call]

_CONCENTRATION = {
    "mass": "[mass] / [length] ** 3",
    "substance": "[substance] / [length] ** 3",
    "activity": "[biological_activity] / [length] ** 3",
    # enzyme activity in SI (katal = mol/s) against the laboratory's U (read as IU)
    "catalytic": "[substance] / [time] / [length] ** 3",
}


@dataclass(frozen=True)
class Affine:
    """``target = slope * source + intercept`` between two same-dimension units."""

    source: str
    target: str
    slope: float
    intercept: float


@dataclass(frozen=True)
class Substance:
    """What converts an analyte across dimensions, with the source of the factor."""

    name: str
    analytes: tuple[str, ...]
    molar_mass_g_per_mol: float | None
    equivalent: tuple[str, str] | None
    affine: Affine | None
    source: str
    evidence: str | None
    note: str | None


@cache
def _data() -> Mapping[str, Any]:
    text = (
        resources.files("androcast.units")
        .joinpath("data/conversions.yaml")
        .read_text(encoding="utf-8")
    )
    data = load_data(text)
    assert isinstance(data, dict)
    return data


def _molar_mass(entry: Mapping[str, Any]) -> float | None:
    """The entry's molar mass, or the one the evidence tables hold for it (one number, once)."""
    if "molar_mass_g_per_mol" in entry:
        return float(entry["molar_mass_g_per_mol"])
    key = entry.get("evidence")
    if key and str(key).startswith(_EVIDENCE_MOLAR_MASS):
        return float(evidence(str(key)).value)
    return None


_EVIDENCE_MOLAR_MASS = "unit_conversions.molar_mass."


@cache
def substances() -> Mapping[str, Substance]:
    """Substance name -> conversion data, from the packaged ``conversions.yaml``."""
    out: dict[str, Substance] = {}
    for name, entry in _data()["substances"].items():
        equivalent = entry.get("equivalent")
        affine = entry.get("affine")
        out[name] = Substance(
            name=name,
            analytes=tuple(entry["analytes"]),
            molar_mass_g_per_mol=_molar_mass(entry),
            equivalent=(str(equivalent[0]), str(equivalent[1])) if equivalent else None,
            affine=Affine(**affine) if affine else None,
            source=str(entry["source"]),
            evidence=entry.get("evidence"),
            note=entry.get("note"),
        )
    return out


@cache
def conversion_citations() -> Mapping[str, str]:
    """Citation key -> reference for conversion sources the evidence tables lack."""
    return dict(_data().get("citations", {}) or {})


@cache
def substance_of(analyte: str) -> Substance | None:
    """The substance whose context converts ``analyte`` across dimensions, if any."""
    for substance in substances().values():
        if analyte in substance.analytes:
            return substance
    return None


def _dimension_kind(quantity: pint.Quantity[Any]) -> str:
    for kind, dims in _CONCENTRATION.items():
        if quantity.dimensionality == ureg.get_dimensionality(dims):
            return kind
    raise ValueError(f"not a concentration: {quantity}")


@dataclass(frozen=True)
class _Scale:
    """A context transformation that multiplies by a fixed quantity (e.g. 1 / molar mass)."""

    factor: pint.Quantity[Any]

    def __call__(self, ureg: Any, value: Any, **kwargs: Any) -> Any:
        return value * self.factor


def _add_pair(context: Context, source: str, target: str, factor: pint.Quantity[Any]) -> None:
    context.add_transformation(source, target, _Scale(factor))
    context.add_transformation(target, source, _Scale(1 / factor))


def _add_molar_mass(context: Context, molar_mass_g_per_mol: float) -> None:
    per_molar_mass = 1 / ureg.Quantity(molar_mass_g_per_mol, "g/mol")
    _add_pair(context, _CONCENTRATION["mass"], _CONCENTRATION["substance"], per_molar_mass)


def _add_equivalent(context: Context, equivalent: tuple[str, str]) -> None:
    first: pint.Quantity[Any] = ureg.Quantity(equivalent[0])
    second: pint.Quantity[Any] = ureg.Quantity(equivalent[1])
    kinds = _CONCENTRATION[_dimension_kind(first)], _CONCENTRATION[_dimension_kind(second)]
    _add_pair(context, *kinds, second / first)


@cache
def context_for(substance: str) -> str:
    """Register (once) and return the name of the pint context for ``substance``."""
    data = substances()[substance]
    name = f"androcast_{substance}"
    context = Context(name)
    if data.molar_mass_g_per_mol is not None:
        _add_molar_mass(context, float(data.molar_mass_g_per_mol))
    if data.equivalent is not None:
        _add_equivalent(context, data.equivalent)
    ureg.add_context(context)
    return name
