"""FHIR R4 interchange: bundles of Patient, Observation and MedicationStatement resources.

``parse_bundle(data, as_of=...)`` validates a bundle into charts (all entries or an error
naming the entry and element); ``export_bundle(chart)`` writes one patient's chart as a
transaction bundle that re-imports to the same record. Resources are checked with the
fhir.resources models of R4B, which for these resources is the R4 wire format.
"""

from androcast.io.fhir._codes import loinc_for
from androcast.io.fhir._export import export_bundle
from androcast.io.fhir._import import parse_bundle, read_bundle

__all__ = ["export_bundle", "loinc_for", "parse_bundle", "read_bundle"]
