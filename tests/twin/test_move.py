"""The resample-move sweeps keep the posterior: a conjugate Gaussian target in closed form.

Prior N(0, 1) on each of two log-factors, one Gaussian result y = theta_0 + e, e ~ N(0, s^2):
the posterior of theta_0 is N(y / (1 + s^2), s^2 / (1 + s^2)), of theta_1 the prior. 2000
chains started as copies of one point (the degenerate start resampling leaves) must reach
it; the likelihood is a closed form, so no simulation runs. A fresh population stream does
not change the likelihood here, so those proposals are always accepted.
"""

from __future__ import annotations

import numpy as np

from androcast.twin.adapt import Scale
from androcast.twin.move import Moved, random_walk_moves
from androcast.twin.prior import GaussianPrior

Y, S = 1.5, 0.5
N = 2000


def _log_lik(theta: np.ndarray, index: np.ndarray, sweep: int) -> np.ndarray:
    return np.asarray(-0.5 * ((Y - theta[:, 0]) / S) ** 2)


def _from_copies(*, sweeps: int) -> Moved:
    """N men, copies of (1.0, 0.5) under a N(0, 1) prior, after ``sweeps`` sweeps (seed 1)."""
    prior = GaussianPrior(np.zeros(2), np.ones(2))
    start = np.tile([1.0, 0.5], (N, 1))
    return random_walk_moves(
        prior, start, np.zeros(N, dtype=np.int64), _log_lik(start, np.zeros(N), 0), _log_lik,
        lambda sweep: np.arange(sweep * N, (sweep + 1) * N, dtype=np.int64),
        Scale(np.diag([0.05, 0.05])), np.random.default_rng(1), sweeps=sweeps)


def test_sweeps_from_copies_reach_the_conjugate_posterior() -> None:
    moved = _from_copies(sweeps=60)
    mean, sd = Y / (1 + S**2), S / np.sqrt(1 + S**2)
    assert abs(moved.theta[:, 0].mean() - mean) < 0.05
    assert abs(moved.theta[:, 0].std() - sd) < 0.05
    assert abs(moved.theta[:, 1].mean()) < 0.08 and abs(moved.theta[:, 1].std() - 1.0) < 0.08
    assert np.allclose(moved.log_likelihood, _log_lik(moved.theta, moved.index, 0))
    assert len(np.unique(moved.index)) > N // 2  # fresh streams were taken
    assert all(0.1 < a < 0.6 for a in moved.acceptance[10:])


def test_a_factor_the_results_say_nothing_of_regains_its_prior_in_few_sweeps() -> None:
    """theta_1 does not enter the likelihood: from copies at 0.5, six sweeps (the two of a
    tempering stage, three times) give it back most of its N(0, 1) prior: sd 0.89, mean
    0.11 here, where the random walk alone (before the prior-draw proposal) reached sd 0.53,
    mean 0.39."""
    moved = _from_copies(sweeps=6)
    assert moved.theta[:, 1].std() > 0.8
    assert abs(moved.theta[:, 1].mean()) < 0.25
