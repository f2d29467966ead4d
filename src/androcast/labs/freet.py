"""A man's calculated free and bioavailable testosterone (Vermeulen 1999), as labs report it.

The mass-action equation and its constant sets are ``androcast.binding`` (shared with the
model); this module validates the inputs, assumes 43 g/L albumin when none was measured and
names the method whose numbers were used on every output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from androcast.binding import (
    CONSTANT_SETS,
    BindingConstants,
    albumin_molar_mass_g_per_mol,
    albumin_term,
    binding_constants,
    default_albumin_g_per_l,
    free_testosterone_molar,
)
from androcast.errors import LabValueError

__all__ = [
    "CONSTANT_SETS",
    "BindingConstants",
    "FreeTestosterone",
    "binding_constants",
    "free_testosterone",
]


@dataclass(frozen=True)
class FreeTestosterone:
    free_pmol_per_l: float
    bioavailable_nmol_per_l: float
    percent_free: float
    method: str  # names the constant set and albumin molar mass used
    citation: tuple[str, ...]


def _positive(value: float, field: str, unit: str) -> float:
    if not math.isfinite(value) or value <= 0:
        raise LabValueError(field, value, f"a positive number in {unit}")
    return value


def free_testosterone(
    tt_nmol_per_l: float,
    shbg_nmol_per_l: float,
    albumin_g_per_l: float | None = None,
    *,
    constants: str = "vermeulen1999",
) -> FreeTestosterone:
    """Calculated free T (pmol/L), bioavailable T (nmol/L) and % free from TT, SHBG, albumin."""
    tt = _positive(tt_nmol_per_l, "testosterone_total", "nmol/L") * 1e-9
    shbg = _positive(shbg_nmol_per_l, "shbg", "nmol/L") * 1e-9
    albumin_g = default_albumin_g_per_l() if albumin_g_per_l is None else albumin_g_per_l
    albumin = _positive(albumin_g, "albumin", "g/L") / albumin_molar_mass_g_per_mol()
    k = binding_constants(constants)
    n = albumin_term(k.k_albumin_l_per_mol, albumin)
    free = free_testosterone_molar(tt, shbg, n, k.k_shbg_l_per_mol)
    albumin_note = "assumed 43 g/L" if albumin_g_per_l is None else f"{albumin_g:g} g/L"
    method = (
        f"Vermeulen 1999 mass action, constants {k.name} (K_SHBG {k.k_shbg_l_per_mol:.3g}, "
        f"K_ALB {k.k_albumin_l_per_mol:.3g} L/mol), albumin {albumin_note} at "
        f"{albumin_molar_mass_g_per_mol():g} g/mol"
    )
    citation = tuple(dict.fromkeys(("vermeulen1999", *k.sources, "issam")))
    return FreeTestosterone(
        free_pmol_per_l=free * 1e12,
        bioavailable_nmol_per_l=n * free * 1e9,
        percent_free=100.0 * free / tt,
        method=method,
        citation=citation,
    )
