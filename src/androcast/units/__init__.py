"""Units: one pint registry for androcast, with analyte contexts (molar masses, IU standards).

``convert(95, "ng/dL", "nmol/L", analyte="testosterone_total")`` converts with the
testosterone molar mass; the same call without ``analyte`` is refused, because a mass to
molar conversion depends on the substance. Unit strings may be UCUM as FHIR sends them
(``m[IU]/mL``, ``10*6/mL``) or common clinical spellings (``mIU/mL``, ``µIU/mL``, ``M/mL``).
"""

from androcast.units._convert import (
    convert,
    display_unit,
    parse_unit,
    same_dimension,
    to_ucum,
)
from androcast.units._registry import (
    Substance,
    conversion_citations,
    substance_of,
    substances,
    ureg,
)

__all__ = [
    "Substance",
    "conversion_citations",
    "convert",
    "display_unit",
    "parse_unit",
    "same_dimension",
    "substance_of",
    "substances",
    "to_ucum",
    "ureg",
]
