"""Testosterone binding to SHBG and albumin by mass action (Vermeulen 1999): one equation.

Two binders: SHBG with one saturable site, albumin non-saturable. With N = 1 + K_ALB [Alb],
a = K_SHBG N and b = N + K_SHBG ([SHBG] - [TT]) (all mol/L), free T is the positive root

    [FT] = (-b + sqrt(b^2 + 4 a [TT])) / (2 a)

and bioavailable T is N [FT] [vermeulen1999; clinical.md section 8]. The calculated free T of
a man's labs (``labs.freet``) and the serum free T of the model (``model.rhs``) both call
:func:`free_testosterone_molar`; ``sqrt`` is passed in so the same line runs on floats, numpy
arrays of virtual men and sympy symbols (the SBML export). The constants live once, in the
evidence tables (``free_t_model.<set>``), and the model's parameter table takes its values
from the same keys.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from androcast.errors import UnknownCodeError
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
    """69,000 g/mol, the ISSAM convention of the Vermeulen calculator [issam]."""
    return float(evidence(ALBUMIN_MOLAR_MASS_KEY).value)


def default_albumin_g_per_l() -> float:
    """43 g/L, acceptable except in nephrotic syndrome, cirrhosis, pregnancy [vermeulen1999]."""
    return float(evidence(DEFAULT_ALBUMIN_KEY).value)


def albumin_term(k_albumin: Any, albumin_mol_per_l: Any) -> Any:
    """N = 1 + K_ALB [Alb]: (albumin-bound + free) / free testosterone."""
    return 1 + k_albumin * albumin_mol_per_l


def free_testosterone_molar(
    total_mol_per_l: Any,
    shbg_mol_per_l: Any,
    n_albumin: Any,
    k_shbg: Any,
    sqrt: Callable[[Any], Any] = math.sqrt,
) -> Any:
    """Free testosterone (mol/L), the positive root of the Vermeulen 1999 quadratic."""
    a = k_shbg * n_albumin
    b = n_albumin + k_shbg * (shbg_mol_per_l - total_mol_per_l)
    return (-b + sqrt(b * b + 4 * a * total_mol_per_l)) / (2 * a)
