"""The adaptive part of the move kernel (twin.adapt): shape, size and the mixing diagnostic.

Closed-form checks, no simulation: the step's covariance is the cloud's (times the
optimal factor), the factor follows the acceptance, copies are counted once, and on a
narrow correlated ridge (a stand-in for k_fb against gnrh_factor after TRT) the walk shaped
by the cloud mixes where one scaled per log-factor does not.
"""

from __future__ import annotations

import math

import numpy as np

from androcast.twin.adapt import (
    SCALE_MIX,
    TARGET_ACCEPTANCE,
    Mixing,
    Scale,
    copies,
    correlation,
)
from androcast.twin.move import random_walk_moves
from androcast.twin.prior import GaussianPrior

COV = np.array([[1.0, 0.98], [0.98, 1.0]])  # a ridge: sd 0.14 across it, 1.4 along it
N = 1000


def test_the_step_has_the_clouds_shape_times_the_optimal_factor() -> None:
    rng = np.random.default_rng(1)
    cloud = rng.multivariate_normal([0.0, 0.0], COV, size=20000)
    scale = Scale.of_cloud(cloud, np.full(len(cloud), 1 / len(cloud)), np.zeros(2))
    steps = scale.steps(20000, rng)
    mix = float(np.mean(np.square(SCALE_MIX)))  # each man's size drawn from SCALE_MIX
    expected = (2.38**2 / 2) * mix * COV
    assert np.allclose(np.cov(steps, rowvar=False), expected, rtol=0.06, atol=0.02)


def test_the_weights_of_the_cloud_shape_the_step() -> None:
    theta = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 5.0]])
    only_first_two = Scale.of_cloud(theta, np.array([0.5, 0.5, 0.0]), np.zeros(2) + 1e-6)
    cov = only_first_two.chol @ only_first_two.chol.T
    assert math.isclose(cov[0, 0], 0.25, rel_tol=1e-6) and cov[1, 1] < 1e-10


def test_the_factor_follows_the_acceptance() -> None:
    scale = Scale(np.eye(2), 1.0)
    assert scale.tuned(0.6).factor > 1.0 > scale.tuned(0.05).factor
    assert scale.tuned(TARGET_ACCEPTANCE).factor == 1.0


def test_copies_are_counted_beyond_the_first_of_each() -> None:
    theta = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0], [2.0, 0.0]])
    assert copies(theta, np.array([1, 1, 1, 2], dtype=np.int64)) == 0.5
    assert copies(theta, np.array([1, 3, 4, 2], dtype=np.int64)) == 0.0  # other streams


def test_mixed_needs_few_copies_and_a_cloud_worth_nearly_n_men() -> None:
    # resampled from weights of 200 effective men among 400: a correlation rho with the
    # start leaves the cloud worth 400 / (1 + (rho^2 - 1/400)); mixed from 300 men on
    assert Mixing(4, still=0.3, copies=0.0, correlation=0.1, n=400, ess_start=200).mixed
    assert not Mixing(4, still=0.3, copies=0.2, correlation=0.1, n=400, ess_start=200).mixed
    worth = Mixing(4, still=0.0, copies=0.0, correlation=0.6, n=400, ess_start=200).worth
    assert math.isclose(worth, 400 / (1 + 0.36 - 1 / 400))
    assert not Mixing(4, still=0.0, copies=0.0, correlation=0.6, n=400, ess_start=200).mixed
    # from equal weights resampling made no copies to forget: any correlation is mixed
    assert Mixing(4, still=0.9, copies=0.0, correlation=0.9, n=400, ess_start=400).mixed
    a = np.random.default_rng(2).standard_normal((400, 3))
    assert math.isclose(correlation(a, a), 1.0)
    assert correlation(a, np.random.default_rng(3).standard_normal((400, 3))) < 0.1


def _first_sweep_acceptance(scale: Scale) -> float:
    """The random walk's acceptance in one sweep of N men on the ridge posterior (prior
    N(0, 3^2) on each log-factor, likelihood the ridge), started from draws of it."""
    prior = GaussianPrior(np.zeros(2), np.full(2, 3.0))
    precision = np.linalg.inv(COV)

    def log_lik(theta: np.ndarray, index: np.ndarray, sweep: int) -> np.ndarray:
        return np.asarray(-0.5 * np.einsum("ij,jk,ik->i", theta, precision, theta))

    rng = np.random.default_rng(4)
    start = rng.multivariate_normal([0.0, 0.0], COV, size=N)
    index = np.zeros(N, dtype=np.int64)  # one stream: a fresh one does not change the fit
    moved = random_walk_moves(prior, start, index, log_lik(start, index, 0), log_lik,
                              lambda sweep: index, scale, rng, sweeps=1)
    return moved.acceptance[0]


def test_a_walk_shaped_by_the_cloud_steps_along_a_ridge_a_diagonal_one_across_it() -> None:
    """Steps of the same marginal sizes: shaped by the cloud's covariance they are accepted
    near the target rate; scaled per log-factor (the kernel before issue 17's) they cross
    the ridge and are mostly rejected."""
    rng = np.random.default_rng(5)
    cloud = rng.multivariate_normal([0.0, 0.0], COV, size=400)
    shaped = Scale.of_cloud(cloud, np.full(400, 1 / 400), np.full(2, 0.01))
    diagonal = Scale(np.diag(np.sqrt(np.diag(shaped.chol @ shaped.chol.T))))
    along, across = _first_sweep_acceptance(shaped), _first_sweep_acceptance(diagonal)
    assert along > 0.15 and across < 0.5 * along, (along, across)
