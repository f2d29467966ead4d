"""Personalisation on synthetic data: the posterior moves toward the man who made the data.

Each case is a man like in ``twin_cases``; "slow" and "fast" mean LH still suppressed or
already back some weeks after stopping, which in the model is the pace of the hypothalamic
feedback sites (``k_fb``, varied in the twin prior).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import log_ndtr
from twin_cases import post_trt_case

from androcast.twin import Observation, error_models, log_likelihood, personalise, update

N = 32  # ESS about 18-32 here; enough for the direction, not for intervals


def test_censored_result_enters_through_the_cdf() -> None:
    # "<x" with the model at exactly x has probability 1/2; ">x" far below is ~1
    obs = [Observation("lh", None, 10.0, 2.0, "<")]  # type: ignore[arg-type]
    predicted = {"lh": np.array([[2.0, 20.0]])}
    ll = log_likelihood(obs, predicted, np.array([10.0]))
    sigma = error_models()["lh"].sigma
    assert ll[0] == pytest.approx(math.log(0.5))
    assert ll[1] == pytest.approx(float(log_ndtr(math.log(2.0 / 20.0) / sigma)))


def test_suppressed_lh_moves_posterior_toward_slow_feedback() -> None:
    slow = personalise(post_trt_case(labs=[(35, "lh", 0.4, "IU/L"),
                                           (35, "testosterone_total", 3.0, "nmol/L")]), n=N)
    fast = personalise(post_trt_case(labs=[(35, "lh", 6.0, "IU/L"),
                                           (35, "testosterone_total", 16.0, "nmol/L")]), n=N)
    assert not slow.fell_back_ and not fast.fell_back_
    # prior mean of log k_fb factor is 0; suppressed LH needs slow feedback sites
    assert slow.mean_log_factor("k_fb") < -1.0
    assert fast.mean_log_factor("k_fb") > slow.mean_log_factor("k_fb") + 1.0


def test_censored_lh_below_limit_is_evidence_of_suppression() -> None:
    censored = personalise(post_trt_case(labs=[(35, "lh", "<0.5", "IU/L")]), n=N)
    assert censored.n_observations_ == 1
    assert censored.mean_log_factor("k_fb") < -1.0


def test_too_unusual_results_fall_back_to_the_prior_with_a_warning() -> None:
    case = post_trt_case(labs=[(35, "lh", 0.4, "IU/L")])
    post = personalise(case, n=4, min_ess=5.0)
    assert post.fell_back_ and post.low_confidence
    assert np.allclose(post.weights_, 0.25)
    assert post.warnings_[0].startswith("results too unusual for the prior (effective sample")
    assert post.warnings_[0].endswith("< 5): prognosis from the prior alone (low confidence)")


def test_no_results_is_a_labelled_prior() -> None:
    post = personalise(post_trt_case(), n=4)
    assert post.low_confidence and post.n_observations_ == 0
    assert post.warnings_ == ("no lab or semen result the model predicts: prognosis from "
                              "the prior alone (low confidence)",)


def test_update_adds_new_results_without_starting_over() -> None:
    """64 men: the k_fb shift is a few tenths, and at 32 one seed of two ties (mean log k_fb
    -4.75 against -4.73; 64 men, seeds 1-2: -5.02 / -4.77 against -5.67 / -5.62)."""
    first = personalise(post_trt_case(labs=[(35, "lh", 0.4, "IU/L")]), n=2 * N)
    rising = post_trt_case(labs=[(35, "lh", 0.4, "IU/L"), (63, "lh", 5.0, "IU/L")])
    still = post_trt_case(labs=[(35, "lh", 0.4, "IU/L"), (63, "lh", 0.4, "IU/L")])
    up, flat = update(first, rising), update(first, still)
    assert up.n_observations_ == 2
    assert ("lh", rising.labs[-1].date) in up.used_
    # the same men (or their resampled, moved descendants), not personalised again
    assert up.warnings_ == () and not up.fell_back_
    # LH back four weeks later means the feedback sites let go faster than LH still low
    assert up.mean_log_factor("k_fb") > flat.mean_log_factor("k_fb")
    assert update(up, rising) is up  # nothing new: unchanged


def test_few_effective_men_are_labelled_low_confidence() -> None:
    post = personalise(post_trt_case(labs=[(35, "lh", 0.4, "IU/L")]), n=N)
    assert not post.fell_back_
    assert post.low_confidence is (post.ess_ < 10.0 or not post.converged_
                                   or bool(post.at_prior_edge))
