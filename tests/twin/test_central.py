"""The twin of a man without androgen history can hold central hypogonadism.

Without androgen history his prior spreads the GnRH drive widely (``data/prior.yaml``,
block ``no_androgen_history``): a Kallmann-type man's results (boehm2015 reference case)
and an acquired central case (ihh_reversal, inhibinb_hh2000) place him at low drive, a
eugonadal man's results at the reference man's; a man with androgen history keeps the
spreads of the calibrated prior unchanged.
"""

from __future__ import annotations

from central_cases import acquired_central_case, eugonadal_case, kallmann_case
from twin_cases import post_trt_case

from androcast.twin import personalise, twin_cohort
from androcast.twin.prior import min_round_ess

N = 32


def test_men_with_androgen_history_keep_the_prior_spreads() -> None:
    cohort = twin_cohort(post_trt_case(), seed=1)
    assert {k: v.cv for k, v in cohort.variability.items()} == {
        "gnrh_factor": 0.30, "leydig_factor": 0.30, "k_fb": 10.0, "k_rg": 0.50, "k_dg": 0.50}
    assert min_round_ess(post_trt_case()) == 0.0


def test_without_androgen_history_only_the_gnrh_drive_is_wider() -> None:
    wide = twin_cohort(kallmann_case(), seed=1).variability
    narrow = twin_cohort(post_trt_case(), seed=1).variability
    assert wide["gnrh_factor"].cv > 10 * narrow["gnrh_factor"].cv
    assert {k: v for k, v in wide.items() if k != "gnrh_factor"} == {
        k: v for k, v in narrow.items() if k != "gnrh_factor"}


def test_kallmann_type_results_place_him_at_low_gnrh_drive() -> None:
    # the model needs under 1e-3 of the reference pulse mass (log -6.9) for LH 0.2 and
    # testosterone 1.6 nmol/L (prior.yaml); seeds 1-10 gave -8.7 to -7.2 (ESS 2.2-8.5 for
    # seeds 1-3; 40-50 of 128 men)
    post = personalise(kallmann_case(), n=N)
    assert not post.fell_back_ and post.ess_ >= 2.0
    assert post.mean_log_factor("gnrh_factor") < -5.0


def test_acquired_central_results_place_him_at_lower_drive() -> None:
    # LH 1.0 IU/L, testosterone near 6 nmol/L and sperm present: in the model about 2 % of
    # the reference drive (seeds 1-10: -4.1 to -3.2; ESS 2.4-4.7 for seeds 1-3)
    post = personalise(acquired_central_case(), n=N)
    assert not post.fell_back_ and post.ess_ >= 2.0
    assert -6.0 < post.mean_log_factor("gnrh_factor") < -2.0


def test_a_eugonadal_man_without_androgens_is_not_pushed_to_low_drive() -> None:
    # normal testosterone, LH and FSH (16_idiopathic_oligozoospermia): seeds 1-10 gave
    # -1.2 to 0.6 (the reference man at 0; the acquired central man above at -4 to -3)
    post = personalise(eugonadal_case(), n=N)
    assert not post.fell_back_
    assert post.mean_log_factor("gnrh_factor") > -1.5


def test_his_prior_bounds_the_gnrh_drive_above_for_his_own_men_too() -> None:
    # prior.yaml: at most 3 times the reference drive (no steady state far above)
    post = personalise(eugonadal_case(), n=N)
    assert post.sample_.parameter_factors["gnrh_factor"].max() <= 3.0 + 1e-9
