"""The labs and the model bind testosterone with one equation and one set of constants.

The Vermeulen 1999 quadratic lives in ``androcast.binding``; the model's serum free T at its
steady state must equal the labs' calculated free T for the same total T and SHBG (default
albumin), to rounding, and the model's binding constants must be the evidence table's.
"""

from __future__ import annotations

import math

import pytest

from androcast.binding import binding_constants, default_albumin_g_per_l
from androcast.errors import ParameterError
from androcast.evidence import evidence
from androcast.labs import free_testosterone
from androcast.model import Inputs, reference_parameters, steady_state
from androcast.model.parameters import _value
from androcast.model.rhs import rhs


def test_model_free_t_is_the_labs_calculated_free_t() -> None:
    p = reference_parameters()
    _, observed = rhs(0.0, steady_state(p), p, Inputs(), observe=True)
    total, shbg = float(observed["testosterone_total"]), float(observed["shbg"])
    labs = free_testosterone(total, shbg)  # default albumin, Vermeulen constants
    model_pmol = float(observed["testosterone_free"]) * 1e3
    assert model_pmol == pytest.approx(labs.free_pmol_per_l, rel=1e-9)


def test_model_binding_constants_are_the_evidence_values() -> None:
    p = reference_parameters()
    k = binding_constants("vermeulen1999")
    assert k.k_shbg_l_per_mol == p.K_SHBG and p.K_alb == k.k_albumin_l_per_mol
    assert p.albumin == default_albumin_g_per_l()
    assert evidence("unit_conversions.molar_mass.testosterone").value == p.MW_T


def test_a_parameter_that_borrows_its_value_must_state_the_same_unit() -> None:
    entry = {"unit": "nmol/L", "source": "free_t_model.vermeulen1999.k_shbg"}
    with pytest.raises(ParameterError, match=r"K_SHBG\.unit.*L/mol"):
        _value("K_SHBG", entry)
    with pytest.raises(ParameterError, match="a value, or a source that is an evidence key"):
        _value("x", {"unit": "1", "source": "vermeulen1999"})
    assert math.isclose(_value("x", {"value": 2, "unit": "1", "source": "vermeulen1999"}), 2.0)
