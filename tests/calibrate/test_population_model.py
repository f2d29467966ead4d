"""The engine applies the stored population: provenance, covariate effects, seeded IIV."""

from __future__ import annotations

import math

import numpy as np
import pytest

from androcast.calibrate import cohort_variant
from androcast.errors import ParameterError, UnknownCodeError
from androcast.population import sample_patients
from androcast.population.engine import (
    CovariateEffect,
    PopulationModel,
    cohort_parameters,
    fitted_population,
    parse_population_model,
)


def test_every_stored_population_value_names_its_calibration_target() -> None:
    population = fitted_population()
    assert population.typical and population.variability
    for key in [f"typical.{k}" for k in population.typical] + [
            f"variability.{k}" for k in population.variability]:
        assert population.sources[key].startswith("androcast-fit:")
    for effect in population.effects:
        assert effect.source.startswith("androcast-fit:")


def test_inter_individual_variability_does_not_depend_on_chunking() -> None:
    cohort = cohort_variant("contraception_liu2006")
    population = PopulationModel(typical={"k_rg": 0.04}, variability={"k_rg": 1.0})
    whole = cohort_parameters(sample_patients(cohort, 0, 10), cohort, population).k_rg
    parts = [cohort_parameters(sample_patients(cohort, a, b), cohort, population).k_rg
             for a, b in ((0, 4), (4, 10))]
    np.testing.assert_array_equal(whole, np.concatenate(parts))
    sigma = math.sqrt(math.log1p(1.0))
    assert np.std(np.log(whole)) == pytest.approx(sigma, rel=0.6)


def test_covariate_effect_multiplies_the_parameter_of_the_men_at_that_level() -> None:
    population = PopulationModel(
        typical={"k_rg": 0.04},
        effects=(CovariateEffect("k_rg", "ethnicity", 0.5, "androcast-fit:x", level="asian"),),
    )
    asian = cohort_variant("contraception_liu2006", {"covariates": {"ethnicity": {
        "distribution": "categorical", "categories": {"asian": 1}}}})
    white = cohort_variant("contraception_liu2006", {"covariates": {"ethnicity": {
        "distribution": "categorical", "categories": {"white": 1}}}})
    k_asian = cohort_parameters(sample_patients(asian, 0, 5), asian, population).k_rg
    k_white = cohort_parameters(sample_patients(white, 0, 5), white, population).k_rg
    np.testing.assert_allclose(k_asian / k_white, math.exp(0.5))


def test_androgen_kind_effect_reaches_only_anabolic_steroid_users() -> None:
    population = PopulationModel(
        typical={"k_rg": 0.04},
        effects=(CovariateEffect("k_rg", "androgen_kind", -1.0, "androcast-fit:x", level="aas"),),
    )
    agents = {"agents": [{"agent": "nandrolone_decanoate", "dose": "400 mg", "route": "im",
                          "every": "7 d"}]}
    aas = cohort_variant("aas_vs_trt", {"androgen": agents})
    trt = cohort_variant("aas_vs_trt")
    k_aas = cohort_parameters(sample_patients(aas, 0, 3), aas, population).k_rg
    k_trt = cohort_parameters(sample_patients(trt, 0, 3), trt, population).k_rg
    np.testing.assert_allclose(k_aas, 0.04 * math.exp(-1.0))
    np.testing.assert_allclose(k_trt, 0.04)


def test_stored_fit_with_unknown_parameter_is_refused_with_exact_message() -> None:
    with pytest.raises(UnknownCodeError) as err:
        parse_population_model({"typical": {"k_regen": {"value": 1, "source": "x"}}})
    assert str(err.value) == (
        "fitted.yaml: typical.k_regen: 'k_regen' is not a known code; expected a field of "
        "androcast.model.Parameters")


def _k_rg_at_ages(effect: CovariateEffect, ages: list[float]) -> np.ndarray:
    population = PopulationModel(typical={"k_rg": 0.04}, effects=(effect,))
    factors = []
    for age in ages:
        cohort = cohort_variant("contraception_liu2006", {"covariates": {
            "age_years": {"distribution": "fixed", "value": age}}})
        factors.append(cohort_parameters(sample_patients(cohort, 0, 1), cohort,
                                         population).k_rg[0] / 0.04)
    return np.array(factors)


def test_a_spanned_age_effect_is_flat_outside_its_span() -> None:
    # the Liu 2006 age effect is held to the ages Liu observed (18-51)
    effect = CovariateEffect("k_rg", "age_years", -0.01, "androcast-fit:x", reference=32.0,
                             span=(18.0, 51.0))
    np.testing.assert_allclose(_k_rg_at_ages(effect, [40.0, 51.0, 60.0]),
                               np.exp([-0.08, -0.19, -0.19]))


def test_a_hinge_age_effect_acts_only_above_its_reference() -> None:
    effect = CovariateEffect("k_rg", "age_years", -0.1, "androcast-fit:x", reference=51.0,
                             span=(51.0, 100.0))
    np.testing.assert_allclose(_k_rg_at_ages(effect, [30.0, 51.0, 55.0]),
                               np.exp([0.0, 0.0, -0.4]))


def test_a_span_that_is_not_low_below_high_is_refused_with_exact_message() -> None:
    entry = {"parameter": "k_rg", "covariate": "age_years", "reference": 51,
             "span": [60, 51], "log_effect": -0.1, "source": "androcast-fit:x"}
    with pytest.raises(ParameterError) as err:
        parse_population_model({"covariate_effects": [entry]})
    assert str(err.value) == (
        "fitted.yaml: covariate_effects[0].span: [60, 51] is not a valid parameter; expected "
        "[low, high], two finite numbers with low < high")
