"""The tempered SMC sampler on a conjugate Gaussian target, in closed form.

Prior N(0, 1) on each of two log-factors, one sharp Gaussian result y = theta_0 + e,
e ~ N(0, s^2) with s = 0.05: the posterior of theta_0 is N(y / (1 + s^2), s^2 / (1 + s^2)),
20 prior sd narrower than the prior, so plain importance sampling from the prior keeps
about 1 man of 2000 in 20 (ESS ~ N s); theta_1 keeps its prior. The likelihood is a closed
form, so no model runs.
"""

from __future__ import annotations

import itertools

import numpy as np

from androcast.twin.prior import GaussianPrior
from androcast.twin.tempering import (
    MAX_STAGES,
    Particles,
    distinct_ess,
    ess,
    tempered_smc,
)

Y, S = 1.2, 0.05
N = 2000


def _log_lik(theta: np.ndarray, index: np.ndarray, tag: int) -> np.ndarray:
    return np.asarray(-0.5 * ((Y - theta[:, 0]) / S) ** 2)


def _score(theta: np.ndarray, index: np.ndarray, tag: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(len(theta)), _log_lik(theta, index, tag)  # nothing known before


def _fresh(tag: int) -> np.ndarray:
    return np.arange((tag + 1) * N, (tag + 2) * N, dtype=np.int64)


def _run(max_stages: int = MAX_STAGES) -> tuple[np.ndarray, Particles]:
    rng = np.random.default_rng(3)
    theta0 = rng.standard_normal((N, 2))
    out = tempered_smc(GaussianPrior(np.zeros(2), np.ones(2)), theta0,
                       np.arange(N, dtype=np.int64), _score, _fresh, rng,
                       max_stages=max_stages)
    return theta0, out


def test_stages_reach_the_conjugate_posterior() -> None:
    theta0, out = _run()
    assert ess(_log_lik(theta0, np.zeros(N), 0)) < 0.1 * N  # plain IS would keep few men
    w = np.exp(out.log_weights)
    theta = out.theta
    mean = w @ theta
    sd = np.sqrt(w @ (theta - mean) ** 2)
    post_mean, post_sd = Y / (1 + S**2), S / np.sqrt(1 + S**2)
    # seeds 1-10: mean within 0.06 posterior sd, sd within 5 % of the closed form
    assert abs(mean[0] - post_mean) < 0.1 * post_sd
    assert abs(sd[0] - post_sd) < 0.1 * post_sd
    # the prior, which the result does not touch; seeds 1-10 gave sd 0.95-1.17 (resampling
    # noise of a factor the moves alone spread, six sweeps in all)
    assert abs(mean[1]) < 0.1 and abs(sd[1] - 1.0) < 0.2
    assert out.betas[-1] == 1.0 and len(out.betas) > 2
    assert all(a < b for a, b in itertools.pairwise(out.betas))
    assert out.ess >= 0.5 * N
    assert np.allclose(out.log_likelihood, _log_lik(theta, out.index, 0))


def test_without_stages_the_last_step_is_reweighting_and_few_men_carry_it() -> None:
    _, out = _run(max_stages=0)
    assert out.betas == (1.0,)
    assert out.ess < 0.1 * N


def test_copies_of_one_man_count_once() -> None:
    theta = np.array([[0.0, 1.0], [0.0, 1.0], [2.0, 0.0], [3.0, 0.0]])
    index = np.array([5, 5, 6, 7], dtype=np.int64)
    uniform = np.full(4, -np.log(4.0))
    # weights 1/2, 1/4, 1/4 over three distinct men
    assert distinct_ess(theta, index, uniform) == 1.0 / (0.5**2 + 2 * 0.25**2)
    other_stream = np.array([5, 8, 6, 7], dtype=np.int64)  # same factors, another stream
    assert distinct_ess(theta, other_stream, uniform) == 4.0


def test_an_update_tempers_a_new_result_into_the_weighted_men() -> None:
    # first y1 = 1.2 (sd 0.2), then y2 = 0.8 (sd 0.05) tempered in on top of it: the
    # posterior of theta_0 has precision 1 + 25 + 400 and mean (1.2 * 25 + 0.8 * 400) / 426
    def lik(theta: np.ndarray, y: float, s: float) -> np.ndarray:
        return np.asarray(-0.5 * ((y - theta[:, 0]) / s) ** 2)

    def first_score(theta: np.ndarray, index: np.ndarray, tag: int
                    ) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(len(theta)), lik(theta, 1.2, 0.2)

    def update_score(theta: np.ndarray, index: np.ndarray, tag: int
                     ) -> tuple[np.ndarray, np.ndarray]:
        return lik(theta, 1.2, 0.2), lik(theta, 0.8, 0.05)

    prior = GaussianPrior(np.zeros(2), np.ones(2))
    rng = np.random.default_rng(5)
    first = tempered_smc(prior, rng.standard_normal((N, 2)), np.arange(N, dtype=np.int64),
                         first_score, _fresh, rng)
    known, new = update_score(first.theta, first.index, 0)
    out = tempered_smc(prior, first.theta, first.index, update_score,
                       lambda tag: _fresh(tag + 1000), rng, log_w0=first.log_weights,
                       start=(known, new))
    w = np.exp(out.log_weights)
    mean = w @ out.theta[:, 0]
    sd = np.sqrt(w @ (out.theta[:, 0] - mean) ** 2)
    post_mean, post_sd = (1.2 * 25 + 0.8 * 400) / 426, 1 / np.sqrt(426)
    # seeds 1-8: mean within 0.05 posterior sd, sd within 8 % of the closed form
    assert abs(mean - post_mean) < 0.1 * post_sd
    assert abs(sd - post_sd) < 0.1 * post_sd
    assert out.betas[-1] == 1.0 and len(out.betas) > 1  # it took stages, not one reweighting
    # the likelihood kept is of both results
    assert np.allclose(out.log_likelihood, sum(update_score(out.theta, out.index, 0)))


def test_each_man_knows_the_starting_man_he_descends_from() -> None:
    """Resampling copies a man with his lineage, moves keep it: a man still at a starting
    man's values descends from that man, and resampling has merged lineages."""
    theta0, out = _run()
    assert out.lineage.shape == (N,) and out.lineage.min() >= 0 and out.lineage.max() < N
    unmoved = np.flatnonzero(np.all(out.theta[:, None, :] == theta0[None, :, :], axis=2)
                             .any(axis=1))
    assert unmoved.size > 0  # (2 of the 2000 here)
    for i in unmoved:
        assert np.array_equal(theta0[out.lineage[i]], out.theta[i])
    assert np.unique(out.lineage).size < N
