"""The HPG-axis model: parameters with provenance, the equations, drug species, steady state.

``rhs(t, y, p, u)`` is the one right-hand side (pulse-resolved and pulse-averaged modes):
each state's derivative sums the processes of ``model.terms`` (one cited function each) and
the drug terms of ``model.pharmacology``;
``Parameters`` the frozen parameter set (``reference_parameters()``, ``personalise()``),
``steady_state(p)`` the drug-free steady state, ``model_reference()`` the generated
documentation of equations and parameters (``docs/model-reference.md``).
"""

from __future__ import annotations

from androcast.model._math import NUMPY, MathNamespace, sympy_namespace
from androcast.model.parameters import (
    Covariates,
    ParameterInfo,
    Parameters,
    parameter_table,
    personalise,
    reference_parameters,
)
from androcast.model.pharmacology import Role, Species, build_species, dose_targets
from androcast.model.reference import model_reference
from androcast.model.rhs import N_PHYSIOLOGY, STATE_NAMES, Inputs, rhs
from androcast.model.steady_state import reference_state, steady_state

__all__ = [
    "NUMPY",
    "N_PHYSIOLOGY",
    "STATE_NAMES",
    "Covariates",
    "Inputs",
    "MathNamespace",
    "ParameterInfo",
    "Parameters",
    "Role",
    "Species",
    "build_species",
    "dose_targets",
    "model_reference",
    "parameter_table",
    "personalise",
    "reference_parameters",
    "reference_state",
    "rhs",
    "steady_state",
    "sympy_namespace",
]
