"""rhs is traceable by sympy (for the SBML export) and agrees with the numpy evaluation."""

from __future__ import annotations

import numpy as np
import sympy

from androcast.model import (
    Inputs,
    build_species,
    reference_parameters,
    reference_state,
    rhs,
    sympy_namespace,
)
from androcast.model.pharmacology import STATES_PER_SPECIES


def test_rhs_traced_by_sympy_matches_numpy_with_drugs() -> None:
    p = reference_parameters()
    species = build_species(["hcg", "clomiphene_citrate", "testosterone_enanthate"], p)
    n = reference_state(p).size + STATES_PER_SPECIES * len(species)
    symbols = sympy.symbols(f"y0:{n}", nonnegative=True)
    u = Inputs(pulsatile=0.0, infusion=(0.0,) * len(species))
    expressions = rhs(0, list(symbols), p, u, species, xp=sympy_namespace())
    assert expressions.shape == (n, 1)
    f = sympy.lambdify([symbols], list(expressions), modules="numpy")
    y = np.concatenate([reference_state(p), np.linspace(1.0, 50.0, n - reference_state(p).size)])
    np.testing.assert_allclose(np.asarray(f(y), dtype=float), rhs(0.0, y, p, u, species),
                               rtol=1e-9, atol=1e-9)
