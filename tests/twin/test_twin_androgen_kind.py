"""The calibrated population's androgen-kind effects reach his twin (review of issue 16: the
twin's cohort had no androgens, so an AAS user's twin regenerated his reserve as a
testosterone user's did, against the population the forecasts are calibrated on)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from twin_cases import post_trt_case

from androcast.population import sample_patients
from androcast.population.engine import fitted_population
from androcast.twin.prior import androgen_kind, twin_cohort, twin_parameters


def _aas(case: object) -> object:
    history = case.history  # type: ignore[attr-defined]
    (use,) = history.androgens
    stacked = (use, replace(use, agent="nandrolone_decanoate"))
    return replace(case, history=replace(history, androgens=stacked))


def _aas_effect() -> float:
    (effect,) = [e for e in fitted_population().effects
                 if e.parameter == "k_rg" and e.covariate == "androgen_kind" and e.level == "aas"]
    return effect.log_effect


def test_a_stack_with_an_anabolic_steroid_is_an_aas_exposure() -> None:
    trt = post_trt_case()
    assert androgen_kind(trt) == "testosterone"
    assert androgen_kind(_aas(trt)) == "aas"  # type: ignore[arg-type]
    assert androgen_kind(replace(trt, history=replace(trt.history, androgens=()))) is None


def test_the_aas_effect_on_reserve_regeneration_applies_to_his_twin() -> None:
    population = fitted_population()
    trt = post_trt_case()
    aas = _aas(trt)
    rates = []
    for case in (trt, aas):
        cohort = twin_cohort(case, seed=1, population=population)  # type: ignore[arg-type]
        sample = sample_patients(cohort, 0, 8)  # the same men: the kind draws no number
        rates.append(np.asarray(twin_parameters(sample, cohort, population).k_rg))
    assert _aas_effect() < 0
    assert np.allclose(rates[1] / rates[0], math.exp(_aas_effect()), rtol=1e-12)
