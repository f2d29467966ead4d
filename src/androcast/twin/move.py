"""The move of resample-move: Metropolis-Hastings steps that make resampled men distinct.

After resampling, a posterior of few effective men holds copies of the same few men, and
a later result cannot tell copies apart. Each sweep here proposes for every man a new
value and accepts it with the Metropolis-Hastings probability of prior x likelihood of
every result used so far (Gilks & Berzuini 2001, resample-move), so each man stays a draw
from the posterior and the copies spread over it. A man is a point of two parts: his
log-factors (the twin prior's) and his stream of the calibrated population's own
variability (a stream index; the fit's k_rg spread, cv 1.56, is wider than the twin's).
Each sweep gives every man, at random, one of three proposals: a Gaussian random-walk
step on his log-factors; a fresh stream drawn from the population; or one of his
log-factors drawn afresh from its prior (both independence proposals from the prior, so
their acceptance is the likelihood ratio). A mixture of kernels that each keep the
posterior keeps it too. The third is what spreads the factors his results say nothing of:
after a few resamplings the random walk alone, scaled by the cloud's own narrowing spread,
left them near the values of the few men that survived, so the pace of his reserve (k_rg,
k_dg) and with it his forecast depended on the seed.
A sweep simulates every man once (the caller's ``log_likelihood``, one batch). The step of
each parameter is scaled by the posterior spread: first the weighted spread of the men
before resampling, then the spread of the moved men after each sweep, kept between a
tenth of the prior sd (few heavy men have nearly no spread)
and the prior sd; a common factor is tuned between sweeps toward the acceptance rate
0.234 of random-walk samplers (Roberts, Gelman & Gilks 1997). The scales are learnt from
all men together, as adaptive SMC samplers do (Jasra et al. 2011).
The prior is truncated at its guard (``prior.GUARD_SD``) or its own upper bound
(``GaussianPrior.bounds``): a step beyond is rejected without simulating that man.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from androcast.twin.prior import GaussianPrior

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Target acceptance of a random-walk Metropolis sampler (Roberts, Gelman & Gilks 1997).
TARGET_ACCEPTANCE = 0.234
#: Shares of the proposals (flag G): a random-walk step, a fresh population stream, one
#: log-factor drawn from its prior.
KERNEL_SHARES = (0.4, 0.3, 0.3)
WALK, STREAM, PRIOR_DRAW = range(3)
#: Smallest step of a parameter, as a share of its prior sd.
STEP_FLOOR = 0.1


@dataclass(frozen=True)
class Moved:
    """The men after the sweeps, and which sweep simulated each man's current values."""

    theta: FloatArray  # (N, d)
    log_likelihood: FloatArray  # (N,)
    index: IntArray  # (N,): the stream of each man's population variability
    origin: IntArray  # (N,): sweep (1, 2, ...) that simulated him, 0 = not moved
    acceptance: tuple[float, ...]  # share of men accepted, per sweep


def random_walk_moves(
    prior: GaussianPrior,
    theta: FloatArray,
    index: IntArray,
    log_lik: FloatArray,
    log_likelihood: Callable[[FloatArray, IntArray, int], FloatArray],
    fresh_index: Callable[[int], IntArray],
    spread: FloatArray,
    rng: np.random.Generator,
    *,
    sweeps: int,
) -> Moved:
    """``sweeps`` Metropolis-Hastings sweeps over every man (see module doc).

    ``log_likelihood(theta, index, sweep)`` simulates the men of a sweep and scores every
    result used so far; ``log_lik`` is that score of the starting men; ``fresh_index(sweep)``
    gives N population streams never used before; ``spread`` (d,) the posterior sd of each
    log-factor the first steps are scaled by.
    """
    n, d = theta.shape
    low, high = prior.bounds
    factor = 2.38 / math.sqrt(d)  # optimal scale for a Gaussian target (Roberts et al. 1997)
    log_post = prior.logpdf(theta) + log_lik
    origin = np.zeros(n, dtype=np.int64)
    acceptance: list[float] = []
    for sweep in range(1, sweeps + 1):
        step_sd = np.clip(spread, STEP_FLOOR * prior.sd, prior.sd)
        kernel: IntArray = np.asarray(rng.choice(len(KERNEL_SHARES), size=n, p=KERNEL_SHARES))
        walk: NDArray[np.bool_] = np.asarray(kernel == WALK)
        step = factor * step_sd * rng.standard_normal((n, d))
        proposal = np.where(walk[:, None], theta + step, theta)
        proposed_index = np.where(kernel == STREAM, fresh_index(sweep), index)
        drawn: NDArray[np.bool_] = np.asarray(kernel == PRIOR_DRAW)
        j: IntArray = np.asarray(rng.integers(d, size=n))
        rows = np.flatnonzero(drawn)
        proposal[rows, j[rows]] = (prior.mean[j[rows]]
                                   + prior.sd[j[rows]] * rng.standard_normal(rows.size))
        inside = np.all((proposal >= low) & (proposal <= high), axis=1)
        # a man stepping past the guard is simulated where he stands (and rejected)
        proposal = np.where(inside[:, None], proposal, theta)
        proposed_lik = log_likelihood(proposal, proposed_index, sweep)
        proposed_post = prior.logpdf(proposal) + proposed_lik
        # a factor drawn from its prior is accepted by the likelihood ratio (the prior
        # cancels against the proposal); the random walk by the posterior ratio
        log_ratio = np.where(drawn, proposed_lik - log_lik, proposed_post - log_post)
        log_u = np.log(rng.random(n))
        accept = inside & np.isfinite(proposed_post) & (log_u < log_ratio)
        theta = np.where(accept[:, None], proposal, theta)
        index = np.where(accept, proposed_index, index)
        log_lik = np.where(accept, proposed_lik, log_lik)
        log_post = np.where(accept, proposed_post, log_post)
        origin = np.where(accept, sweep, origin)
        rate = float(np.mean(accept[walk])) if walk.any() else TARGET_ACCEPTANCE
        acceptance.append(rate)
        factor *= math.exp(2.0 * (rate - TARGET_ACCEPTANCE)) if rate > 0 else 0.5
        spread = np.asarray(np.std(theta, axis=0))
    return Moved(theta=theta, index=index, log_likelihood=log_lik, origin=origin,
                 acceptance=tuple(acceptance))
