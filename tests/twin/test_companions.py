"""Forecast men: each posterior man with companions spread over what his results barely
inform (``twin.companions``, issue 17)."""

from __future__ import annotations

import numpy as np
from twin_cases import post_trt_case

from androcast.twin import personalise
from androcast.twin.companions import SPREAD, _hypercube_through, with_companions
from androcast.twin.observations import observations
from androcast.twin.posterior import _history_loglik, _theta, _theta_names


def test_each_mans_points_form_a_latin_hypercube_through_him() -> None:
    rng = np.random.default_rng(3)
    own = rng.random((50, 3))
    k = 8
    points = np.concatenate([own[:, None, :], _hypercube_through(own, k, rng)], axis=1)
    strata = np.floor(points * k).astype(int)
    for man in range(50):
        for d in range(3):  # one point in each of the k strata of every log-factor
            assert sorted(strata[man, :, d]) == list(range(k))
    # the points of one man share his offset within their strata
    offset = points - strata / k
    assert np.allclose(offset, offset[:, :1, :])


def test_companions_share_his_informed_values_and_his_weight() -> None:
    case = post_trt_case(labs=[(35, "lh", 0.4, "IU/L"), (35, "testosterone_total", 3.0,
                                                              "nmol/L")])
    post = personalise(case, n=8)
    k = 5
    men = with_companions(post, k)
    n = post.n
    assert men.n == n * k and np.isclose(men.weights_.sum(), 1.0)
    names = _theta_names(post.cohort)
    theta, theta_men = _theta(post.sample_, names), _theta(men.sample_, names)
    parent = np.concatenate([np.arange(n), np.repeat(np.arange(n), k - 1)])
    spread = [names.index(s) for s in SPREAD]
    informed = [j for j in range(len(names)) if j not in spread]
    assert np.array_equal(theta_men[:n], theta)  # he is the first of his men, unchanged
    assert np.allclose(theta_men[:, informed], theta[parent][:, informed])
    assert np.array_equal(men.sample_.index, post.sample_.index[parent])  # his stream
    assert np.array_equal(men.islands, post.islands[parent])
    # his men together weigh what he weighed in the posterior
    assert np.allclose(np.bincount(parent, weights=men.weights_), post.weights_)
    # within him, each point weighs prior x likelihood / proposal: with the likelihood
    # of each companion's own simulated history (a man his results rule out weighs 0)
    obs = [o for o in observations(case, post.t0) if o.key in post.used_]
    lik, _ = _history_loglik(men.history, men.parameters(), men.n, obs)
    assert np.allclose(men.log_likelihood_, lik)


def test_one_man_per_man_is_the_posterior_itself() -> None:
    post = personalise(post_trt_case(labs=[(35, "lh", 0.4, "IU/L")]), n=4)
    assert with_companions(post, 1) is post
