"""The parameter table: every value has a resolvable source; covariates map as documented."""

from __future__ import annotations

import dataclasses

import pytest

from androcast.errors import ParameterError
from androcast.evidence import citation, evidence
from androcast.model import (
    Covariates,
    Parameters,
    parameter_table,
    personalise,
    reference_parameters,
)
from androcast.model._units import CONVERSIONS
from androcast.model.rhs import N_STAGES
from androcast.units import ureg

from ._calibration import reference


def _resolves(source: str) -> bool:
    if source.startswith("androcast-fit:"):
        return source.removeprefix("androcast-fit:") in reference()
    if source.startswith("androcast-design:"):
        return len(source) > len("androcast-design:")
    try:
        evidence(source)
        return True
    except KeyError:
        citation(source)  # raises UnknownCodeError (a KeyError) if unknown
        return True


@pytest.mark.parametrize("name", sorted(parameter_table()))
def test_every_parameter_has_a_source_that_resolves(name: str) -> None:
    info = parameter_table()[name]
    assert info.unit and info.description and info.symbol
    assert _resolves(info.source), info.source


def test_fitted_parameters_name_a_calibration_target_in_the_reference_file() -> None:
    fitted = {i.source for i in parameter_table().values() if i.source.startswith("androcast-fit")}
    assert fitted and all(s.removeprefix("androcast-fit:") in reference() for s in fitted)


def test_table_and_dataclass_declare_the_same_parameters() -> None:
    declared = {f.name for f in dataclasses.fields(Parameters)
                if f.default is dataclasses.MISSING}
    assert declared == set(parameter_table())
    assert reference_parameters().n_stages == N_STAGES


def test_replace_rejects_unknown_parameter_with_exact_message() -> None:
    with pytest.raises(ParameterError) as err:
        reference_parameters().replace(not_a_parameter=1.0)
    assert str(err.value) == (
        "parameter: 'not_a_parameter' is not a valid parameter; "
        "expected a field of androcast.model.Parameters"
    )


def test_personalise_rejects_impossible_age_with_exact_message() -> None:
    with pytest.raises(ParameterError) as err:
        personalise(reference_parameters(), Covariates(age_years=140))
    assert str(err.value) == "age_years: 140 is not a valid parameter; expected 12-100 years"


def test_personalise_maps_covariates_in_the_documented_direction() -> None:
    p = reference_parameters()
    old = personalise(p, Covariates(age_years=60, bmi=35, prolactin_ng_per_ml=60,
                                    thyroid="hyper"))
    assert old.leydig_factor < 1 and old.shbg_factor > 1 and old.gnrh_factor < 1
    assert old.aromatase_factor > 1 and old.prl == 60 and old.mcr_factor < 1
    assert personalise(p, Covariates()).prl == p.PRL0


@pytest.mark.parametrize(("factor", "source", "target"), CONVERSIONS)
def test_unit_factors_of_the_equations_are_the_registry_conversions(
    factor: float, source: str, target: str
) -> None:
    assert factor == pytest.approx(ureg.Quantity(1.0, source).to(target).magnitude, rel=1e-12)
