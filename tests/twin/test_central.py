"""The twin's prior: spreads by androgen history, his covariates; central hypogonadism.

Without androgen history his prior spreads the GnRH drive widely (``data/prior.yaml``,
block ``no_androgen_history``): a Kallmann-type man's results (boehm2015 reference case)
and an acquired central case (ihh_reversal, inhibinb_hh2000) place him at low drive, a
eugonadal man's results at the reference man's; a man with androgen history keeps the
spreads of the calibrated prior unchanged.
"""

from __future__ import annotations

import math

import pytest
from central_cases import acquired_central_case, eugonadal_case, kallmann_case
from twin_cases import post_trt_case

from androcast.population.engine import PopulationModel, fitted_population
from androcast.twin import personalise, twin_cohort

N = 32


def test_men_with_androgen_history_keep_the_prior_spreads() -> None:
    """The reserve kinetics take the calibrated population's CV (from_population), the
    others prior.yaml's; without a fit the reserve's are prior.yaml's too."""
    fitted = fitted_population()
    cohort = twin_cohort(post_trt_case(), seed=1, population=fitted)
    assert {k: v.cv for k, v in cohort.variability.items()} == {
        "gnrh_factor": 0.30, "leydig_factor": 0.30, "k_fb": 10.0,
        "k_rg": fitted.variability["k_rg"], "k_dg": fitted.variability["k_dg"],
        "aromatase_factor": 0.25}
    unfitted = twin_cohort(post_trt_case(), seed=1, population=PopulationModel())
    assert (unfitted.variability["k_rg"].cv, unfitted.variability["k_dg"].cv) == (0.5, 0.5)


def test_the_population_does_not_draw_again_what_his_factors_carry() -> None:
    """One spread of k_rg, not two: his men's k_rg is the typical value times his factor."""
    post = personalise(post_trt_case(), n=8)
    p = post.parameters()
    typical = post.population.typical["k_rg"]
    assert p.k_rg == pytest.approx(typical * post.sample_.parameter_factors["k_rg"], rel=1e-12)


def test_his_stated_ethnicity_takes_the_population_s_effect() -> None:
    """liu2006's faster recovery of Asian men is a fitted effect on k_rg (fitted.yaml): an
    Asian man's twin carries it, a white man's does not (same men, same factors)."""
    (effect,) = [e for e in fitted_population().effects
                 if e.covariate == "ethnicity" and e.level == "asian"]
    k_rg = {ethnicity: personalise(post_trt_case(ethnicity=ethnicity), n=8).parameters().k_rg
            for ethnicity in ("asian", "white")}
    assert k_rg["asian"] == pytest.approx(k_rg["white"] * math.exp(effect.log_effect),
                                          rel=1e-12)


def test_without_androgen_history_only_the_gnrh_drive_is_wider() -> None:
    wide = twin_cohort(kallmann_case(), seed=1, population=fitted_population()).variability
    narrow = twin_cohort(post_trt_case(), seed=1, population=fitted_population()).variability
    assert wide["gnrh_factor"].cv > 10 * narrow["gnrh_factor"].cv
    assert {k: v for k, v in wide.items() if k != "gnrh_factor"} == {
        k: v for k, v in narrow.items() if k != "gnrh_factor"}


def test_kallmann_type_results_place_him_at_low_gnrh_drive() -> None:
    # the model needs under 1e-3 of the reference pulse mass (log -6.9) for LH 0.2 and
    # testosterone 1.6 nmol/L (prior.yaml); seeds 1-5 gave -8.6 to -7.8 (ESS 21-32 of 32)
    post = personalise(kallmann_case(), n=N)
    assert not post.fell_back_ and post.ess_ >= 2.0
    assert post.mean_log_factor("gnrh_factor") < -5.0


def test_acquired_central_results_place_him_at_lower_drive() -> None:
    # LH 1.0 IU/L, testosterone near 6 nmol/L and sperm present: in the model about 2 % of
    # the reference drive (seeds 1-5: -3.9 to -3.5; ESS 17-32 of 32, seed 3 3.0)
    post = personalise(acquired_central_case(), n=N)
    assert not post.fell_back_ and post.ess_ >= 2.0
    assert -6.0 < post.mean_log_factor("gnrh_factor") < -2.0


def test_a_eugonadal_man_without_androgens_is_not_pushed_to_low_drive() -> None:
    # normal testosterone, LH and FSH (16_idiopathic_oligozoospermia): seeds 1-5 gave
    # -0.5 to 0.7 (the reference man at 0; the acquired central man above at -4 to -3.5)
    post = personalise(eugonadal_case(), n=N)
    assert not post.fell_back_
    assert post.mean_log_factor("gnrh_factor") > -1.5


def test_his_prior_bounds_the_gnrh_drive_above_for_his_own_men_too() -> None:
    # prior.yaml: at most 3 times the reference drive (no steady state far above)
    post = personalise(eugonadal_case(), n=N)
    assert post.sample_.parameter_factors["gnrh_factor"].max() <= 3.0 + 1e-9
