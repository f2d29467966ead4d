"""Calculated free and bioavailable testosterone by mass action (Vermeulen 1999).

Two binders: SHBG with one saturable site, albumin non-saturable. With N = 1 + K_ALB [Alb],
a = K_SHBG N and b = N + K_SHBG (SHBG - TT) (all mol/L), free T is the positive root
FT = (-b + sqrt(b^2 + 4 a TT)) / (2a) and bioavailable T = N FT [vermeulen1999; clinical.md
section 8]. Constant sets are read from the evidence tables (``free_t_model.<set>``) so the
method named on every output is the one whose numbers were used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from androcast.errors import LabValueError, UnknownCodeError
from androcast.evidence import evidence

CONSTANT_SETS = ("vermeulen1999", "sodergard1982", "emadikonjin2003", "ross2005")
ALBUMIN_MOLAR_MASS_KEY = "free_t_model.vermeulen1999.albumin_molar_mass"
DEFAULT_ALBUMIN_KEY = "free_t_model.vermeulen1999.default_albumin"


@dataclass(frozen=True)
class BindingConstants:
    """Association constants (L/mol) of testosterone for SHBG and albumin, with sources."""

    name: str
    k_shbg_l_per_mol: float
    k_albumin_l_per_mol: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class FreeTestosterone:
    free_pmol_per_l: float
    bioavailable_nmol_per_l: float
    percent_free: float
    method: str  # names the constant set and albumin molar mass used
    citation: tuple[str, ...]


@cache
def binding_constants(name: str = "vermeulen1999") -> BindingConstants:
    """The constant set ``name`` (one of CONSTANT_SETS) from ``free_t_model`` evidence."""
    if name not in CONSTANT_SETS:
        raise UnknownCodeError("free_t_constants", name, f"one of {', '.join(CONSTANT_SETS)}")
    k_shbg = evidence(f"free_t_model.{name}.k_shbg")
    k_albumin = evidence(f"free_t_model.{name}.k_albumin")
    sources = tuple(dict.fromkeys(k_shbg.source + k_albumin.source))
    return BindingConstants(name, float(k_shbg.value), float(k_albumin.value), sources)


def albumin_molar_mass_g_per_mol() -> float:
    return float(evidence(ALBUMIN_MOLAR_MASS_KEY).value)


def default_albumin_g_per_l() -> float:
    """43 g/L, acceptable except in nephrotic syndrome, cirrhosis, pregnancy [vermeulen1999]."""
    return float(evidence(DEFAULT_ALBUMIN_KEY).value)


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
    n = 1.0 + k.k_albumin_l_per_mol * albumin
    a = k.k_shbg_l_per_mol * n
    b = n + k.k_shbg_l_per_mol * (shbg - tt)
    free = (-b + math.sqrt(b * b + 4.0 * a * tt)) / (2.0 * a)
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
