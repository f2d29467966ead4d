"""The unit factors the equations need, each named for what it turns into what.

The model keeps its states and parameters in its own units (``data/parameters.yaml``: amounts
in mg, molar masses in g/mol, clearances in L/d, serum T in nmol/L, E2 in pmol/L, drug
concentrations in ng/mL); these factors join them where an equation crosses from one to the
other. They are the exact powers of ten (the registry's floating-point conversions differ in
the last bit, e.g. 999999.9999999999); ``CONVERSIONS`` names the registry conversion each
one is, and tests/model/test_parameters.py checks them against the one unit registry.
"""

from __future__ import annotations

from typing import Final

#: mg of a steroid over its molar mass (g/mol) -> nmol
NMOL_PER_MG_OVER_G_PER_MOL: Final = 1e6
#: mg of a steroid over its molar mass (g/mol) -> pmol
PMOL_PER_MG_OVER_G_PER_MOL: Final = 1e9
#: pmol of a steroid times its molar mass (g/mol) -> mg
MG_PER_PMOL_TIMES_G_PER_MOL: Final = 1e-9
#: nmol -> mol (the binding equation works in mol/L), and back
MOL_PER_NMOL: Final = 1e-9
NMOL_PER_MOL: Final = 1e9
#: a drug's central amount (mg) over its volume (L) -> ng/mL
NG_PER_ML_PER_MG_PER_L: Final = 1e3

#: (factor, from unit, to unit) of each, for the test against the unit registry
CONVERSIONS: Final = (
    (NMOL_PER_MG_OVER_G_PER_MOL, "mg / (g/mol)", "nmol"),
    (PMOL_PER_MG_OVER_G_PER_MOL, "mg / (g/mol)", "pmol"),
    (MG_PER_PMOL_TIMES_G_PER_MOL, "pmol * g/mol", "mg"),
    (MOL_PER_NMOL, "nmol", "mol"),
    (NMOL_PER_MOL, "mol", "nmol"),
    (NG_PER_ML_PER_MG_PER_L, "mg/L", "ng/mL"),
)
