"""The analyte catalogue (``data/analytes.yaml``) and the default reference intervals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data
from androcast.errors import UnknownCodeError
from androcast.evidence import bibliography, evidence
from androcast.units import conversion_citations, convert, display_unit, substance_of


@dataclass(frozen=True)
class ReferenceInterval:
    """The interval a result is judged against, in ``unit``, with where it came from."""

    low: float | None
    high: float | None
    unit: str
    source: str
    population: str

    def describe(self, *, with_unit: bool = True) -> str:
        """The interval as a clinician reads it: ``9.153-31.76 nmol/L``, ``≤ 20``, ``none``."""
        unit = f" {display_unit(self.unit)}" if with_unit else ""
        if self.low is None and self.high is None:
            return "none"
        if self.low is None:
            return f"≤ {self.high:.4g}{unit}"
        if self.high is None:
            return f"≥ {self.low:.4g}{unit}"
        return f"{self.low:.4g}-{self.high:.4g}{unit}"


@dataclass(frozen=True)
class Analyte:
    """One laboratory analyte: codes, units and limits (all limits in ``canonical_unit``)."""

    key: str
    name: str
    loinc: Mapping[str, str | None]
    canonical_unit: str
    accepted_units: tuple[str, ...]
    plausible: tuple[float, float]
    typical: tuple[float, float]
    molar_mass_g_per_mol: float | None  # from the unit registry's analyte context, if any


@dataclass(frozen=True)
class SemenParameter:
    """One field of a semen analysis: its LOINC code, unit and plausible range."""

    key: str
    name: str
    loinc: str | None
    unit: str
    plausible: tuple[float, float]
    who: str | None  # the parameter's key under semen_who2010 / semen_who2021


@cache
def _load(name: str) -> Mapping[str, Any]:
    text = resources.files("androcast.labs").joinpath(f"data/{name}").read_text(encoding="utf-8")
    data = load_data(text)
    assert isinstance(data, dict)
    return data


def _pair(values: list[float]) -> tuple[float, float]:
    return float(values[0]), float(values[1])


@cache
def _analytes() -> Mapping[str, Analyte]:
    out: dict[str, Analyte] = {}
    for key, entry in _load("analytes.yaml")["analytes"].items():
        substance = substance_of(key)
        out[key] = Analyte(
            key=key,
            name=entry["name"],
            loinc=dict(entry["loinc"]),
            canonical_unit=entry["canonical_unit"],
            accepted_units=tuple(entry["accepted_units"]),
            plausible=_pair(entry["plausible"]),
            typical=_pair(entry["typical"]),
            molar_mass_g_per_mol=substance.molar_mass_g_per_mol if substance else None,
        )
    return out


def analyte_keys() -> tuple[str, ...]:
    """Every analyte key the catalogue knows, in catalogue order."""
    return tuple(_analytes())


def analyte(key: str, *, field: str = "analyte") -> Analyte:
    """The catalogue entry for ``key``; an unknown key lists the known ones."""
    try:
        return _analytes()[key]
    except (KeyError, TypeError):
        raise UnknownCodeError(field, key, f"one of {', '.join(analyte_keys())}") from None


@cache
def analyte_for_loinc(code: str) -> Analyte:
    """The analyte a LOINC code denotes (for FHIR import); unknown codes raise."""
    # catalogue gaps are stored as null LOINC codes: a missing code must not match them
    for entry in _analytes().values():
        if isinstance(code, str) and code in entry.loinc.values():
            return entry
    known = sorted(c for a in _analytes().values() for c in a.loinc.values() if c)
    raise UnknownCodeError("loinc", code, f"one of {', '.join(known)}")


@cache
def semen_parameters() -> Mapping[str, SemenParameter]:
    """Semen analysis fields with LOINC codes, units and plausible ranges."""
    return {
        key: SemenParameter(
            key=key,
            name=entry["name"],
            loinc=entry["loinc"],
            unit=entry["unit"],
            plausible=_pair(entry["plausible"]),
            who=entry["who"],
        )
        for key, entry in _load("analytes.yaml")["semen"].items()
    }


@cache
def condition_codes() -> Mapping[str, str]:
    """Condition code -> description (``data/conditions.yaml``)."""
    return dict(_load("conditions.yaml")["conditions"])


@cache
def labs_citations() -> Mapping[str, str]:
    """Citation key -> reference for sources the evidence tables do not hold."""
    return dict(_load("analytes.yaml")["citations"])


def citation(key: str) -> str:
    """Full reference for a key of the evidence, unit-conversion or labs bibliography."""
    for table in (bibliography(), conversion_citations(), labs_citations()):
        if key in table:
            return table[key]
    raise UnknownCodeError("citation", key, "a key of the shipped bibliographies")


def _interval_from_rule(key: str, rule: Mapping[str, Any]) -> ReferenceInterval:
    target = analyte(key).canonical_unit
    if "evidence" in rule:
        record = evidence(rule["evidence"])
        raw = record.raw or {}
        low, high = raw[rule["field"]] if "field" in rule else record.value
        unit = str(record.unit)
        source = f"{record.citation} (evidence {record.key}, flag {record.flag})"
    else:
        low, high, unit = rule["low"], rule["high"], rule["unit"]
        source = f"{rule['source']} (flag {rule['flag']})"

    def canonical(value: float | None) -> float | None:
        if value is None:
            return None
        # Four significant digits: a converted limit is no more precise than the source.
        return float(f"{convert(value, unit, target, analyte=key):.4g}")

    return ReferenceInterval(canonical(low), canonical(high), target, source, rule["population"])


def no_reference(key: str) -> ReferenceInterval:
    """The placeholder interval for an analyte without a default: says what is missing."""
    return ReferenceInterval(
        None,
        None,
        analyte(key).canonical_unit,
        "none",
        "no default interval; supply the laboratory's reference interval",
    )


def default_reference(key: str, *, age_years: float | None = None) -> ReferenceInterval:
    """The catalogue's default interval for ``key``, in its canonical unit.

    The first rule whose age band contains ``age_years`` (or that has no band) wins; with no
    rule the interval is empty and says so.
    """
    for rule in _load("analytes.yaml")["analytes"][analyte(key).key]["reference"]:
        band = rule.get("age_years")
        if band is not None and (age_years is None or not band[0] <= age_years < band[1]):
            continue
        return _interval_from_rule(key, rule)
    return no_reference(key)
