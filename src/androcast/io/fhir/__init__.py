"""FHIR R4 interchange: bundles of Patient, Observation and MedicationStatement resources.

``parse_bundle(data, as_of=...)`` validates a bundle into charts (all entries or an error
naming the entry and element); ``export_bundle(chart)`` writes one patient's chart as a
transaction bundle that re-imports to the same record. Resources are checked with the
fhir.resources models of R4B, which for these resources is the R4 wire format.

The bundle functions load on first use (PEP 562): they pull fhir.resources and the record
store (~0.6 s), which users of ``loinc_for`` alone (the NONMEM event tables) do not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from androcast.io.fhir._codes import loinc_for

if TYPE_CHECKING:
    from androcast.io.fhir._export import (
        export_bundle,
        observation_resources,
        patient_resource,
        report_resources,
    )
    from androcast.io.fhir._import import (
        ParsedBundle,
        Skipped,
        parse_bundle,
        parse_bundle_entries,
        read_bundle,
    )

_LAZY = {
    "export_bundle": "_export",
    "observation_resources": "_export",
    "patient_resource": "_export",
    "report_resources": "_export",
    "parse_bundle": "_import",
    "parse_bundle_entries": "_import",
    "read_bundle": "_import",
    "ParsedBundle": "_import",
    "Skipped": "_import",
}

__all__ = [
    "ParsedBundle",
    "Skipped",
    "export_bundle",
    "loinc_for",
    "observation_resources",
    "parse_bundle",
    "parse_bundle_entries",
    "patient_resource",
    "read_bundle",
    "report_resources",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
